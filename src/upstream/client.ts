// The one got instance that talks to CFW: base URL, keep-alive sockets, timeouts, the retry policy
// and authentication, set up once at start. Callers use listCaptureTasks (capture-tasks.ts).
import http from 'node:http';
import https from 'node:https';
import got, { HTTPError, RequestError, type Got, type Hooks, type RetryObject } from 'got';
import type { Config } from '../config.ts';
import { CfwErrorCode } from './codes.ts';
import { signedHeadersFor, type ServiceKeys } from './signing.ts';
import { createUpstreamGuard, type ResilienceOptions, type UpstreamGuard } from './resilience.ts';
import { upstreamErrorFromBody } from './wire.ts';

/** Whose authority an upstream call carries. */
export type UpstreamCredential =
  /** The caller's IAM token, forwarded as `X-Auth-Token`. */
  | { readonly kind: 'token'; readonly token: string }
  /** The gateway's own AK/SK: the call is signed (signing.ts). */
  | { readonly kind: 'service' };

export interface UpstreamClientOptions {
  readonly endpoint: string;
  readonly projectId: string;
  /** Whole-call deadline, retries included. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Time to the first byte of an answer, per attempt. */
  readonly responseTimeoutMs: number;
  readonly maxSockets: number;
  /** Retries after the first attempt, for idempotent reads only. */
  readonly retries: number;
  /** The longest `Retry-After` the gateway waits for; a longer one fails the call at once. */
  readonly maxRetryAfterMs: number;
  /** Backoff before retry n is a random delay up to min(backoffCapMs, backoffBaseMs × 2^(n-1)). */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Circuit breaker and bulkhead for this upstream host. */
  readonly resilience: ResilienceOptions;
  /** AK/SK mode: every call is signed with these; token mode: undefined. */
  readonly serviceKeys: ServiceKeys | undefined;
}

/** Statuses worth another attempt: rate limiting and a gateway in front of a struggling service. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Failures of the connection itself, before or while an answer came. */
const RETRY_ERROR_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Whether a failed attempt may be retried. Never on 400/401/403 other than CFW's transient code:
 * APIG locks an AK for five minutes after five bad signatures.
 */
export function isRetryable(error: RequestError): boolean {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    if (RETRY_STATUSES.has(status)) return true;
    return status === 400 && upstreamErrorFromBody(error.response.rawBody).errorCode === CfwErrorCode.TRANSIENT;
  }
  return error.response === undefined && RETRY_ERROR_CODES.has(error.code);
}

/** got's calculateDelay: our retry rules, exponential backoff with full jitter, capped Retry-After. */
export function retryDelayFor(options: UpstreamClientOptions) {
  return ({ attemptCount, error, retryAfter }: RetryObject): number => {
    if (attemptCount > options.retries || error.options.method !== 'GET' || !isRetryable(error)) return 0;
    if (retryAfter !== undefined) return retryAfter <= options.maxRetryAfterMs ? Math.max(1, retryAfter) : 0;
    const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (attemptCount - 1));
    return 1 + Math.random() * ceiling;
  };
}

export interface UpstreamHttp {
  readonly got: Got;
  /** Every call goes through it: circuit breaker and bulkhead. */
  readonly guard: UpstreamGuard;
  /** Ends the kept-alive sockets. */
  close(): void;
}

/** got's beforeRequest hook for AK/SK mode: signs each attempt afresh (a retry needs a new X-Sdk-Date). */
function signingHook(projectId: string, keys: ServiceKeys): NonNullable<Hooks['beforeRequest']>[number] {
  return (options) => {
    const url = options.url;
    if (!(url instanceof URL)) throw new Error('signing needs the request URL');
    // A forwarded caller token must never travel next to the service's signature.
    delete options.headers['x-auth-token'];
    Object.assign(options.headers, signedHeadersFor(options.method, url, projectId, keys, new Date()));
  };
}

export function createUpstreamHttp(options: UpstreamClientOptions, hooks: Partial<Hooks> = {}): UpstreamHttp {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: Math.min(options.maxSockets, 256), scheduling: 'lifo' as const };
  const agent = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const instance = got.extend({
    prefixUrl: `${options.endpoint}/v1/${encodeURIComponent(options.projectId)}/`,
    allowAbsoluteUrls: false,
    agent,
    timeout: {
      connect: options.connectTimeoutMs,
      secureConnect: options.connectTimeoutMs,
      response: options.responseTimeoutMs,
      request: options.timeoutMs,
    },
    retry: {
      limit: options.retries,
      methods: ['GET'],
      enforceRetryRules: false,
      maxRetryAfter: options.maxRetryAfterMs,
      calculateDelay: retryDelayFor(options),
    },
    followRedirect: false,
    cache: false,
    responseType: 'json',
    headers: { 'user-agent': 'capture-gateway', accept: 'application/json' },
    hooks: {
      ...hooks,
      beforeRequest: [...(hooks.beforeRequest ?? []), ...(options.serviceKeys === undefined ? [] : [signingHook(options.projectId, options.serviceKeys)])],
    },
  });
  return {
    got: instance,
    guard: createUpstreamGuard(options.resilience),
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/** The client options that the configuration asks for, against `endpoint` and `projectId`. */
export function upstreamOptionsFrom(config: Config, endpoint: string, projectId: string): UpstreamClientOptions {
  const upstream = config.upstream;
  return {
    endpoint,
    projectId,
    timeoutMs: upstream.timeoutMs,
    connectTimeoutMs: upstream.connectTimeoutMs,
    responseTimeoutMs: upstream.responseTimeoutMs,
    maxSockets: upstream.maxSockets,
    retries: upstream.retries,
    maxRetryAfterMs: upstream.maxRetryAfterMs,
    backoffBaseMs: 100,
    backoffCapMs: 2_000,
    serviceKeys: config.auth.mode === 'aksk' ? config.auth.serviceKeys : undefined,
    resilience: {
      breakerThreshold: upstream.breakerThreshold,
      halfOpenAfterMs: upstream.breakerHalfOpenMs,
      maxConcurrent: upstream.maxConcurrent,
      maxQueued: upstream.maxQueued,
    },
  };
}
