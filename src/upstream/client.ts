// The one got instance that talks to CFW: base URL, keep-alive sockets, timeouts, the retry policy
// and authentication, set up once at start. Callers use listCaptureTasks (capture-tasks.ts).
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import got, { type Got, type HandlerFunction, type Hooks, type Progress, type RetryObject } from 'got';
import type { Config } from '../config.ts';
import { isRetryable, ResponseTooLargeError } from './errors.ts';
import { signedHeadersFor, type ServiceKeys } from './signing.ts';
import { createUpstreamGuard, type UpstreamGuard } from './resilience.ts';
import { ErrorCode, UpstreamError } from '../errors.ts';
import { ThrottleGate } from './throttle.ts';

/** Whose authority an upstream call carries. */
export type UpstreamCredential =
  /** The caller's IAM token, forwarded as `X-Auth-Token`. */
  | { readonly kind: 'token'; readonly token: string }
  /** The gateway's own AK/SK: the call is signed (signing.ts). */
  | { readonly kind: 'service' };

/** Its slice of the configuration (config.ts says what each setting means), against a resolved endpoint. */
export type UpstreamClientOptions = Omit<Config['upstream'], 'endpoint' | 'projectId' | 'timeZone' | 'timeoutMs'> & {
  readonly endpoint: string;
  readonly projectId: string;
  /** AK/SK mode: every call is signed with these; token mode: undefined. */
  readonly serviceKeys: ServiceKeys | undefined;
  /** Host name resolution; Node's unless set (tests make DNS and connections fail on purpose). */
  readonly dnsLookup?: LookupFunction | undefined;
};

/** Whether a download's progress passed the bound: bytes read so far (decompressed), or a declared length. */
export function exceedsResponseBound(progress: Pick<Progress, 'transferred' | 'total'>, limit: number): boolean {
  return progress.transferred > limit || (progress.total !== undefined && progress.total > limit);
}

/**
 * got handler that bounds every answer while it streams. got counts `downloadProgress.transferred`
 * on the stream it reads, which is zlib's output when the answer is compressed, and zlib inflates
 * only as fast as it is read: so neither a long body nor a gzip bomb gets past `limit` (plus one
 * 16 KiB chunk) in memory. The abort destroys the request and its socket; an abort is never retried.
 */
function responseBoundHandler(limit: number): HandlerFunction {
  return (options, next) => {
    const controller = new AbortController();
    options.signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
    const onProgress = (progress: Progress) => {
      if (!controller.signal.aborted && exceedsResponseBound(progress, limit)) controller.abort(new ResponseTooLargeError(limit));
    };
    const call = next(options);
    // A promise (got's default) or a stream: both re-emit each attempt's downloadProgress.
    const progressOf: { on(event: 'downloadProgress', listener: (progress: Progress) => void): unknown } = call;
    progressOf.on('downloadProgress', onProgress);
    return call;
  };
}

/** got's calculateDelay: the retry rule (retry.ts, for GET and POST), exponential backoff with full jitter, capped Retry-After. */
export function retryDelayFor(options: UpstreamClientOptions) {
  return ({ attemptCount, error, retryAfter }: RetryObject): number => {
    if (attemptCount > options.retries || !isRetryable(error)) return 0;
    if (retryAfter !== undefined) return retryAfter <= options.maxRetryAfterMs ? Math.max(1, retryAfter) : 0;
    const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (attemptCount - 1));
    return 1 + Math.random() * ceiling;
  };
}

export interface UpstreamHttp {
  readonly got: Got;
  /** Agents that open a new connection per request: for POSTs, which must not meet a stale socket. */
  readonly freshAgent: { readonly http: http.Agent; readonly https: https.Agent };
  /** Every call goes through it: the 429 hold-off, circuit breaker and bulkhead. */
  readonly guard: UpstreamGuard;
  /** Told of every 429 CFW answers (throttle.ts); the guard holds calls off meanwhile. */
  readonly throttle: ThrottleGate;
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
    // The body is final here (got serialises it before these hooks run): its hash is signed.
    const body = options.body;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) throw new Error('signing needs the request body as a string or bytes');
    const contentType = options.headers['content-type'];
    Object.assign(
      options.headers,
      signedHeadersFor(options.method, url, projectId, keys, new Date(), {
        body: body ?? '',
        contentType: typeof contentType === 'string' ? contentType : undefined,
      }),
    );
  };
}

/** The list path the breaker's recovery probe reads, for a firewall that cannot exist; any answer below 500 is health. */
export const PROBE_FIREWALL = 'capture-gateway-health-probe';

/**
 * How long the probe waits for CFW's answer. A probe that hangs keeps the circuit half-open, and the
 * next one comes a half-open time after it fails: so the circuit closes at most this long plus
 * CFW_BREAKER_HALF_OPEN_MS after CFW answers again, even after an outage where calls hung.
 */
export const PROBE_TIMEOUT_MS = 1_000;

/**
 * The breaker's recovery probe: one list call for no real firewall, with no caller's credential (in
 * AK/SK mode it is signed like every call), never retried. Whatever CFW answers below 500 (401, 400,
 * an empty page) says it is up; a 5xx or no answer says it is not.
 */
function probeWith(instance: Got): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    const response = await instance.get('capture-task', {
      searchParams: { fw_instance_id: PROBE_FIREWALL, limit: 1, offset: 0 },
      retry: { limit: 0 },
      throwHttpErrors: false,
      responseType: 'text',
      timeout: { request: PROBE_TIMEOUT_MS },
      signal,
    });
    if (response.statusCode >= 500)
      throw new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream health probe failed.', { status: response.statusCode, attempts: 1 });
  };
}

export function createUpstreamHttp(options: UpstreamClientOptions, hooks: Partial<Hooks> = {}): UpstreamHttp {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: Math.min(options.maxSockets, 256), scheduling: 'lifo' as const };
  const agent = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const freshAgent = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
  const throttle = new ThrottleGate(options.maxRetryAfterMs);
  const instance = got.extend({
    prefixUrl: `${options.endpoint}/v1/${encodeURIComponent(options.projectId)}/`,
    allowAbsoluteUrls: false,
    agent,
    ...(options.dnsLookup === undefined ? {} : { dnsLookup: options.dnsLookup }),
    timeout: {
      connect: options.connectTimeoutMs,
      secureConnect: options.connectTimeoutMs,
      response: options.responseTimeoutMs,
      // No `request` timeout: the whole-call deadline is one AbortSignal, set in read.ts.
    },
    retry: {
      limit: options.retries,
      // Which attempts of which method may be retried is decided by retryAllowed (retry.ts) alone.
      methods: ['GET', 'POST'],
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
      afterResponse: [
        ...(hooks.afterResponse ?? []),
        (response) => {
          if (response.statusCode === 429)
            throttle.throttled(typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : undefined);
          return response;
        },
      ],
      beforeRequest: [...(hooks.beforeRequest ?? []), ...(options.serviceKeys === undefined ? [] : [signingHook(options.projectId, options.serviceKeys)])],
    },
    handlers: [responseBoundHandler(options.maxResponseBytes)],
  });
  const guard = createUpstreamGuard(options.resilience, probeWith(instance), throttle);
  return {
    got: instance,
    freshAgent,
    guard,
    throttle,
    close() {
      guard.close();
      agent.http.destroy();
      agent.https.destroy();
      freshAgent.http.destroy();
      freshAgent.https.destroy();
    },
  };
}

/** The client options that the configuration asks for, against `endpoint` and `projectId`. */
export function upstreamOptionsFrom(config: Config, endpoint: string, projectId: string): UpstreamClientOptions {
  return { ...config.upstream, endpoint, projectId, serviceKeys: config.auth.mode === 'aksk' ? config.auth.serviceKeys : undefined };
}
