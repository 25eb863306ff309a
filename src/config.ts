// The only reader of process.env. Every variable is checked at start, every problem is reported at
// once with the variable's name, what it expects and what it got (unless that could be a secret),
// and the result is frozen.
import { z } from 'zod';

/**
 * Whether a bad value could be a secret put in the wrong variable (a key, token or password), and so
 * must not be printed: longer than 48 characters, or holding a run of 16+ letters and digits that
 * mixes both, or a run of 24+ of them.
 */
export function mayBeSecret(raw: string): boolean {
  if (raw.length > 48) return true;
  return (raw.match(/[A-Za-z0-9+/=_]{16,}/g) ?? []).some((run) => run.length >= 24 || (/\d/.test(run) && /[A-Za-z]/.test(run)));
}

/**
 * The end of a message about a bad value: the value when it is harmless, otherwise only its length.
 * `shaped` says whether the value looks like what the variable takes (digits for a number, one of
 * the words of a list): one that does not (PORT=correct-horse-battery-staple) may be a secret put in
 * the wrong variable, however harmless it looks, and is not shown either.
 */
export function received(raw: string, shaped = true): string {
  return !shaped || mayBeSecret(raw) ? `got a ${raw.length}-character value (not shown: it could be a secret)` : `got ${JSON.stringify(raw)}`;
}

/** Whether a boolean variable's value (trimmed) says true. */
function isTrue(raw: string | undefined): boolean {
  return raw !== undefined && /^(true|1|yes)$/i.test(raw.trim());
}

/** Whether a boolean variable's value (trimmed) says false. */
function isFalse(raw: string): boolean {
  return /^(false|0|no)$/i.test(raw.trim());
}

/** A whole number from `min` to `max`, spaces around it ignored; unset or blank gives undefined. */
const optionalInteger = (name: string, min: number, max: number, hint = '') =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const text = raw?.trim();
      if (text === undefined || text === '') return undefined;
      const value = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
        // Shown when it is a number (out of range, signed, with a fraction or separators).
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min}${hint} to ${max}, ${received(text, /^[+-]?\d[\d.,_eE+-]*$/.test(text))}` });
        return z.NEVER;
      }
      return value;
    });

/** A rate: a number from 0 to `max` with at most 3 decimals (0.5 is one every 2 s); unset or blank gives 0. */
const rate = (name: string, max: number, hint = '') =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const text = raw?.trim();
      if (text === undefined || text === '') return 0;
      const value = Number(text);
      if (!/^\d+(\.\d{1,3})?$/.test(text) || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a number from 0${hint} to ${max} with at most 3 decimals, ${received(text, /^[+-]?\d[\d.,_eE+-]*$/.test(text))}` });
        return z.NEVER;
      }
      return value;
    });

/** A whole number from `min` to `max`; unset or blank gives `fallback`. */
const integer = (name: string, fallback: number, min: number, max: number, hint = '') => optionalInteger(name, min, max, hint).transform((value) => value ?? fallback);

const positiveInt = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) => integer(name, fallback, 1, max);

const oneOf = <const T extends readonly [string, ...string[]], F extends T[number] | undefined>(name: string, values: T, fallback: F) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T[number] | F => {
      const text = raw?.trim();
      if (text === undefined || text === '') return fallback;
      const found = values.find((value) => value === text);
      if (found === undefined) {
        // Shown when it is one of the words in another case (Production).
        ctx.addIssue({ code: 'custom', message: `${name} must be one of ${values.join(', ')}, ${received(text, values.includes(text.toLowerCase()))}` });
        return z.NEVER;
      }
      return found;
    });

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      if (isTrue(raw)) return true;
      if (isFalse(raw)) return false;
      // Never shown: every value shaped like a boolean is one.
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, ${received(raw, false)}` });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()));

const timeZone = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const zone = raw === undefined || raw === '' ? 'UTC' : raw;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return zone;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `CFW_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai, ${received(zone)}`,
      });
      return z.NEVER;
    }
  });

const endpoint = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return undefined;
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: `CFW_ENDPOINT must be a URL such as https://cfw.ap-southeast-1.myhuaweicloud.com, ${received(raw)}` });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `CFW_ENDPOINT must be an http(s) URL, ${received(raw)}` });
      return z.NEVER;
    }
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: `CFW_ENDPOINT must be a bare base URL without credentials, query or fragment, ${received(url.origin + url.pathname)}` });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, '');
  });

/** A URL of one of `protocols`; `secret` keeps the value out of the message (it may hold a password). */
const urlVariable = (name: string, protocols: readonly string[], secret = false) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      try {
        const url = new URL(raw.trim());
        if (protocols.includes(url.protocol)) return url.href;
      } catch {
        // reported below
      }
      const expected = protocols.map((protocol) => `${protocol}//`).join(' or ');
      ctx.addIssue({ code: 'custom', message: `${name} must be a ${expected} URL${secret ? ' (the value given is not shown: it may hold a password)' : `, ${received(raw)}`}` });
      return z.NEVER;
    });

/** Comma-separated hex SHA-256 hashes of API keys, lower-cased; the message tells only a bad entry's length (it may be a key). */
const apiKeyHashes = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const hashes = (raw ?? '').split(',').map((hash) => hash.trim().toLowerCase()).filter((hash) => hash !== '');
      const bad = hashes.find((hash) => !/^[0-9a-f]{64}$/.test(hash));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${name} must be comma-separated hex SHA-256 hashes of API keys (64 hex digits each), got an entry of ${bad.length} characters` });
        return z.NEVER;
      }
      return hashes;
    });

/**
 * 8 MiB. The largest real page is 1,024 records; with every field at its longest (a 255-character
 * name of \uXXXX escapes, full-length IPv6 addresses, pretty-printed as CFW does) it is 2.17 MB,
 * so this leaves a 3.9× margin, and stays small enough for a few such answers at once in 256 MB.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Live capture status (docs/live-status.md): the pollers' pace, keep-alives and the caps on subscriptions. */
const liveVariables = {
  // Below 1 s a poller would read a firewall's whole list faster than a capture changes, for nothing.
  SUBSCRIPTION_POLL_INTERVAL_MS: integer('SUBSCRIPTION_POLL_INTERVAL_MS', 5_000, 1_000, 600_000),
  SUBSCRIPTION_FAILURE_LIMIT_MS: integer('SUBSCRIPTION_FAILURE_LIMIT_MS', 120_000, 1_000, 3_600_000),
  SUBSCRIPTION_KEEPALIVE_MS: integer('SUBSCRIPTION_KEEPALIVE_MS', 15_000, 1_000, 600_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt('MAX_SUBSCRIPTIONS_PER_CONNECTION', 50, 10_000),
  MAX_SUBSCRIPTIONS_PER_CALLER: positiveInt('MAX_SUBSCRIPTIONS_PER_CALLER', 200, 1_000_000),
  MAX_SUBSCRIPTIONS_PER_INSTANCE: positiveInt('MAX_SUBSCRIPTIONS_PER_INSTANCE', 20_000, 1_000_000),
};

const liveSettingsOf = (e: { readonly [K in keyof typeof liveVariables]: number }) => ({
  /** How often a poller reads a watched firewall's list, for all its subscribers. */
  pollIntervalMs: e.SUBSCRIPTION_POLL_INTERVAL_MS,
  /** How long a poller's reads may keep failing (passing failures, backed off) before its streams end with the last error. */
  failureLimitMs: e.SUBSCRIPTION_FAILURE_LIMIT_MS,
  /** SSE comments and WebSocket pings on idle streams, so proxies do not cut them. */
  keepAliveMs: e.SUBSCRIPTION_KEEPALIVE_MS,
  maxPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
  maxPerCaller: e.MAX_SUBSCRIPTIONS_PER_CALLER,
  maxPerInstance: e.MAX_SUBSCRIPTIONS_PER_INSTANCE,
});

/** The schema, with the name the environment used for each renamed variable in its messages. */
const configSchemaFor = (name: (variable: RenamedVariable) => string) =>
  z
    .object({
      NODE_ENV: oneOf('NODE_ENV', ['development', 'production', 'test'], 'development'),
      PORT: integer('PORT', 4000, 0, 65535),
      HOST: optionalText.transform((host) => host ?? '127.0.0.1'),
      CFW_ENDPOINT: endpoint,
      CFW_PROJECT_ID: optionalText,
      CFW_TIMEZONE: timeZone,
      CFW_TIMEOUT_MS: positiveInt('CFW_TIMEOUT_MS', 10_000, 600_000),
      CFW_CONNECT_TIMEOUT_MS: positiveInt('CFW_CONNECT_TIMEOUT_MS', 3_000, 600_000),
      CFW_RESPONSE_TIMEOUT_MS: positiveInt('CFW_RESPONSE_TIMEOUT_MS', 8_000, 600_000),
      CFW_MAX_RESPONSE_BYTES: positiveInt('CFW_MAX_RESPONSE_BYTES', DEFAULT_MAX_RESPONSE_BYTES, 1_073_741_824),
      CFW_MAX_SOCKETS: positiveInt('CFW_MAX_SOCKETS', 64, 10_000),
      CFW_RETRIES: integer('CFW_RETRIES', 2, 0, 10),
      CFW_MAX_RETRY_AFTER_MS: positiveInt('CFW_MAX_RETRY_AFTER_MS', 5_000, 600_000),
      OPERATION_UPSTREAM_CONCURRENCY: positiveInt(name('OPERATION_UPSTREAM_CONCURRENCY'), 8, 1024),
      CFW_BREAKER_THRESHOLD: positiveInt('CFW_BREAKER_THRESHOLD', 5, 1000),
      CFW_BREAKER_HALF_OPEN_MS: positiveInt('CFW_BREAKER_HALF_OPEN_MS', 10_000, 600_000),
      PROCESS_UPSTREAM_CONCURRENCY: positiveInt(name('PROCESS_UPSTREAM_CONCURRENCY'), 64, 10_000),
      PROCESS_UPSTREAM_QUEUE: positiveInt(name('PROCESS_UPSTREAM_QUEUE'), 256, 100_000),
      OPERATION_UPSTREAM_BUDGET: positiveInt('OPERATION_UPSTREAM_BUDGET', 20, 10_000),
      MAX_QUERY_TOKENS: positiveInt('MAX_QUERY_TOKENS', 2_000, 1_000_000),
      MAX_QUERY_DEPTH: positiveInt('MAX_QUERY_DEPTH', 10, 1_000),
      MAX_QUERY_ALIASES: positiveInt('MAX_QUERY_ALIASES', 30, 10_000),
      MAX_QUERY_DIRECTIVES: positiveInt('MAX_QUERY_DIRECTIVES', 20, 10_000),
      MAX_QUERY_COST: positiveInt('MAX_QUERY_COST', 5_000, 10_000_000),
      ALLOW_BATCHED_REQUESTS: bool('ALLOW_BATCHED_REQUESTS', false),
      CORS_ORIGINS: z
        .string()
        .optional()
        .transform((raw, ctx) => {
          const origins = (raw ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
          for (const origin of origins) {
            let parsed: URL | undefined;
            try {
              parsed = new URL(origin);
            } catch {
              parsed = undefined;
            }
            if (parsed?.origin !== origin) {
              ctx.addIssue({ code: 'custom', message: `CORS_ORIGINS must be a comma-separated list of origins such as https://console.example.com, ${received(origin)}` });
              return z.NEVER;
            }
          }
          return origins;
        }),
      SHUTDOWN_TIMEOUT_MS: positiveInt('SHUTDOWN_TIMEOUT_MS', 10_000, 600_000),
      DRAIN_DELAY_MS: optionalInteger('DRAIN_DELAY_MS', 0, 600_000),
      LIVENESS_MAX_LOOP_DELAY_MS: positiveInt('LIVENESS_MAX_LOOP_DELAY_MS', 5_000, 600_000),
      CALLER_RATE_LIMIT_PER_SECOND: rate('CALLER_RATE_LIMIT_PER_SECOND', 1_000_000, ' (off)'),
      CALLER_RATE_LIMIT_BURST: optionalInteger('CALLER_RATE_LIMIT_BURST', 1, 100_000_000),
      BODY_LIMIT_BYTES: positiveInt('BODY_LIMIT_BYTES', 102_400, 104_857_600),
      BODY_TIMEOUT_MS: positiveInt('BODY_TIMEOUT_MS', 10_000, 600_000),
      HEADERS_TIMEOUT_MS: positiveInt('HEADERS_TIMEOUT_MS', 10_000, 600_000),
      PAGING_DRIFT_WINDOW: positiveInt('PAGING_DRIFT_WINDOW', 200, 1_500),
      CFW_AUTH_MODE: oneOf('CFW_AUTH_MODE', ['token', 'aksk'], 'token'),
      CLOUD_SDK_AK: optionalText,
      CLOUD_SDK_SK: optionalText,
      CLOUD_SDK_SECURITY_TOKEN: optionalText,
      INBOUND_API_KEYS_SHA256: apiKeyHashes('INBOUND_API_KEYS_SHA256'),
      INBOUND_WRITE_API_KEYS_SHA256: apiKeyHashes('INBOUND_WRITE_API_KEYS_SHA256'),
      INBOUND_JWT_WRITE_SCOPE: z
        .string()
        .optional()
        .transform((raw, ctx) => {
          const scope = raw === undefined || raw.trim() === '' ? 'capture-tasks:write' : raw.trim();
          if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(scope)) {
            ctx.addIssue({ code: 'custom', message: `INBOUND_JWT_WRITE_SCOPE must be one OAuth scope token (printable, no spaces or quotes), ${received(raw ?? '')}` });
            return z.NEVER;
          }
          return scope;
        }),
      DELETE_STOP_WAIT_MS: integer('DELETE_STOP_WAIT_MS', 20_000, 0, 120_000),
      DELETE_STOP_POLL_MS: positiveInt('DELETE_STOP_POLL_MS', 2_000, 60_000),
      INBOUND_JWT_JWKS_URL: urlVariable('INBOUND_JWT_JWKS_URL', ['https:', 'http:']),
      INBOUND_JWT_PUBLIC_KEY: optionalText.transform((pem) => pem?.replaceAll('\\n', '\n')),
      INBOUND_JWT_ALGORITHM: oneOf('INBOUND_JWT_ALGORITHM', ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'], 'RS256'),
      INBOUND_JWT_ISSUER: optionalText,
      INBOUND_JWT_AUDIENCE: optionalText,
      ALLOW_ANONYMOUS: bool('ALLOW_ANONYMOUS', false),
      OTEL_EXPORTER_OTLP_ENDPOINT: urlVariable('OTEL_EXPORTER_OTLP_ENDPOINT', ['https:', 'http:']),
      CACHE_TTL_SECONDS: integer('CACHE_TTL_SECONDS', 0, 0, 86_400, ' (off)'),
      CACHE_MAX_BYTES: positiveInt('CACHE_MAX_BYTES', 33_554_432, 4_294_967_296),
      REDIS_COMMAND_TIMEOUT_MS: positiveInt('REDIS_COMMAND_TIMEOUT_MS', 100, 60_000),
      REDIS_BREAKER_THRESHOLD: positiveInt('REDIS_BREAKER_THRESHOLD', 3, 1_000),
      REDIS_BREAKER_OPEN_MS: positiveInt('REDIS_BREAKER_OPEN_MS', 5_000, 600_000),
      REDIS_URL: urlVariable('REDIS_URL', ['redis:', 'rediss:'], true),
      PERSISTED_QUERIES: bool('PERSISTED_QUERIES', true),
      GRAPHQL_EXECUTION: oneOf('GRAPHQL_EXECUTION', ['jit', 'standard'], 'jit'),
      LOG_LEVEL: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
      INTROSPECTION: bool('INTROSPECTION', false),
      EXPLORER: oneOf('EXPLORER', ['sandbox', 'graphiql', 'off'], undefined),
      PERSISTED_DOCUMENTS: optionalText,
      PERSISTED_DOCUMENTS_ALLOW_TEXT: bool('PERSISTED_DOCUMENTS_ALLOW_TEXT', false),
      ...liveVariables,
    })
    .transform((e) => ({
      nodeEnv: e.NODE_ENV,
      port: e.PORT,
      host: e.HOST,
      /** The CFW client (upstream/client.ts) and the page read (upstream/read.ts). */
      upstream: {
        /** Base URL of the CFW API; undefined means: start the embedded simulator. */
        endpoint: e.CFW_ENDPOINT,
        projectId: e.CFW_PROJECT_ID,
        /** The zone the upstream's zone-less dates are read in. */
        timeZone: e.CFW_TIMEZONE,
        /** Whole-call deadline: time queued for a slot and every retry included. */
        timeoutMs: e.CFW_TIMEOUT_MS,
        connectTimeoutMs: e.CFW_CONNECT_TIMEOUT_MS,
        /** Time to the first byte of an answer, per attempt. */
        responseTimeoutMs: e.CFW_RESPONSE_TIMEOUT_MS,
        /** The largest answer body read, counted after decompression; a larger one ends the call (UPSTREAM_BAD_RESPONSE). */
        maxResponseBytes: e.CFW_MAX_RESPONSE_BYTES,
        /** Kept-alive sockets to CFW, per process. */
        maxSockets: e.CFW_MAX_SOCKETS,
        /** Retries after a failed first attempt, as far as the retry rule (upstream/retry.ts) allows. */
        retries: e.CFW_RETRIES,
        /** The longest Retry-After the gateway waits for; a longer one fails the call at once. */
        maxRetryAfterMs: e.CFW_MAX_RETRY_AFTER_MS,
        /** Backoff before retry n is a random delay up to min(backoffCapMs, backoffBaseMs × 2^(n-1)). */
        backoffBaseMs: 100,
        backoffCapMs: 2_000,
        /** Circuit breaker and bulkhead for the upstream host, per process (upstream/resilience.ts). */
        resilience: {
          /** Consecutive failed calls that open the circuit. */
          breakerThreshold: e.CFW_BREAKER_THRESHOLD,
          /** How long the circuit stays open before one probe call is let through. */
          halfOpenAfterMs: e.CFW_BREAKER_HALF_OPEN_MS,
          /** Upstream calls in flight at once, per process. */
          maxConcurrent: e.PROCESS_UPSTREAM_CONCURRENCY,
          /** Calls waiting for a slot; beyond that a call fails at once. */
          maxQueued: e.PROCESS_UPSTREAM_QUEUE,
        },
      },
      /** What one operation may ask for and do (server/limits.ts, upstream/read.ts). */
      limits: {
        maxTokens: e.MAX_QUERY_TOKENS,
        maxDepth: e.MAX_QUERY_DEPTH,
        maxAliases: e.MAX_QUERY_ALIASES,
        maxDirectives: e.MAX_QUERY_DIRECTIVES,
        /** Sum of the page sizes of every connection in one operation. */
        maxCost: e.MAX_QUERY_COST,
        /** Upstream calls one operation may make in all. */
        upstreamBudget: e.OPERATION_UPSTREAM_BUDGET,
        /** Upstream calls one operation runs at once. */
        upstreamConcurrency: e.OPERATION_UPSTREAM_CONCURRENCY,
      },
      http: {
        /** Several operations in one HTTP request (an array body). */
        allowBatchedRequests: e.ALLOW_BATCHED_REQUESTS,
        /** Browser origins allowed by CORS (the hosted Sandbox is added outside production). */
        corsOrigins: e.CORS_ORIGINS,
        bodyLimitBytes: e.BODY_LIMIT_BYTES,
        /** Time for a request's body to arrive once its headers are in; a slower one gets 408. */
        bodyTimeoutMs: e.BODY_TIMEOUT_MS,
        /** Time for a request's headers to arrive; a slower one gets 408. */
        headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      },
      paging: {
        /** How far from a cursor's offset its task is looked for when the list has shifted. */
        driftWindow: e.PAGING_DRIFT_WINDOW,
      },
      /** The capture lifecycle's mutations (lifecycle/mutations.ts). */
      lifecycle: {
        /** How long deleteCaptureTasks waits for running tasks it stopped to end. */
        stopWaitMs: e.DELETE_STOP_WAIT_MS,
        /** How often it reads the list meanwhile. */
        stopPollMs: e.DELETE_STOP_POLL_MS,
      },
      /** How upstream calls are authorised: each caller's IAM token forwarded, or the gateway's own AK/SK. */
      auth:
        e.CFW_AUTH_MODE === 'aksk' && e.CLOUD_SDK_AK !== undefined && e.CLOUD_SDK_SK !== undefined
          ? { mode: 'aksk' as const, serviceKeys: { accessKey: e.CLOUD_SDK_AK, secretKey: e.CLOUD_SDK_SK, securityToken: e.CLOUD_SDK_SECURITY_TOKEN } }
          : { mode: 'token' as const },
      /** How callers authenticate to the gateway in AK/SK mode (in token mode the token is the proof). */
      inbound: {
        apiKeySha256: e.INBOUND_API_KEYS_SHA256,
        /** API keys that may also change capture tasks (mutations). */
        writeApiKeySha256: e.INBOUND_WRITE_API_KEYS_SHA256,
        /** The JWT scope that lets a caller change capture tasks. */
        jwtWriteScope: e.INBOUND_JWT_WRITE_SCOPE,
        jwtJwksUrl: e.INBOUND_JWT_JWKS_URL,
        jwtPublicKey: e.INBOUND_JWT_PUBLIC_KEY,
        /** The algorithm of INBOUND_JWT_PUBLIC_KEY. */
        jwtAlgorithm: e.INBOUND_JWT_ALGORITHM,
        jwtIssuer: e.INBOUND_JWT_ISSUER,
        jwtAudience: e.INBOUND_JWT_AUDIENCE,
        /** AK/SK mode without caller authentication, on purpose; warned about at start and on /healthz. */
        allowAnonymous: e.ALLOW_ANONYMOUS,
      },
      cache: {
        /** Page cache lifetime; 0 turns the page cache off. */
        ttlSeconds: e.CACHE_TTL_SECONDS,
        /** Size of the in-memory store (used when no Redis is set). */
        maxMemoryBytes: e.CACHE_MAX_BYTES,
        /** Shared store for APQ and pages across instances. */
        redisUrl: e.REDIS_URL,
        /** Redis is an accelerator (cache/stores.ts): a short per-command timeout, and a breaker that bypasses it after consecutive failures. */
        redis: {
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
          /** Consecutive failed commands that open the breaker. */
          breakerThreshold: e.REDIS_BREAKER_THRESHOLD,
          /** How long Redis is bypassed before one probe command. */
          breakerOpenMs: e.REDIS_BREAKER_OPEN_MS,
        },
        /** Automatic persisted queries. */
        persistedQueries: e.PERSISTED_QUERIES,
      },
      /** `jit`: operations compiled by graphql-jit; `standard`: graphql-js's interpreter. */
      execution: e.GRAPHQL_EXECUTION,
      /** OpenTelemetry tracing: on when an OTLP endpoint is set. */
      tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
      logLevel: e.LOG_LEVEL,
      /** How long a shutdown waits for in-flight operations, once the listener is closed. */
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      /**
       * After SIGTERM, how long /readyz answers 503 while the listener stays open and serves, so a
       * balancer's health checks see the instance leave before its socket closes. 5 s in production
       * (haproxy's `inter 1s fall 2` sees it in ~2 s), 0 elsewhere; 0 under Kubernetes with a preStop wait.
       */
      drainDelayMs: e.DRAIN_DELAY_MS ?? (e.NODE_ENV === 'production' ? 5_000 : 0),
      /** /healthz answers 503 when a turn of the event loop took longer than this (the process is wedged). */
      livenessMaxLoopDelayMs: e.LIVENESS_MAX_LOOP_DELAY_MS,
      /** A token bucket per caller (server/rate-limit.ts), shared across the fleet through Redis; 0 turns it off. */
      callerRateLimit: { perSecond: e.CALLER_RATE_LIMIT_PER_SECOND, burst: e.CALLER_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(2 * e.CALLER_RATE_LIMIT_PER_SECOND)) },
      /** Introspection; always on outside production. */
      introspection: e.NODE_ENV !== 'production' || e.INTROSPECTION,
      /**
       * The page a browser gets at the GraphQL URL (server/explorer.ts): Apollo Sandbox (from Apollo's
       * CDN), GraphiQL served by the gateway itself (works offline), or none. Unset: Sandbox wherever
       * it was served before (outside production, or with INTROSPECTION=true in production); none
       * with trusted documents, which would refuse the explorer's queries.
       */
      explorer: e.EXPLORER ?? (e.PERSISTED_DOCUMENTS !== undefined || (e.NODE_ENV === 'production' && !e.INTROSPECTION) ? ('off' as const) : ('sandbox' as const)),
      /** Trusted documents (server/persisted-documents.ts): with a manifest, only its operations run. */
      persistedDocuments: {
        /** The manifest (`{ "<id>": "<document>" }`); undefined: any operation may run. */
        path: e.PERSISTED_DOCUMENTS,
        /** Also run a document sent as text when it is exactly one of the manifest's. */
        allowText: e.PERSISTED_DOCUMENTS_ALLOW_TEXT,
      },
      live: liveSettingsOf(e),
    }));

type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The gateway's configuration, as the schema above reads it from the environment. */
export type Config = DeepReadonly<z.output<ReturnType<typeof configSchemaFor>>>;

/** Variables renamed to say their scope (per operation or per process); the old name still works, with a warning. */
const RENAMED = {
  OPERATION_UPSTREAM_CONCURRENCY: 'UPSTREAM_CONCURRENCY',
  PROCESS_UPSTREAM_CONCURRENCY: 'UPSTREAM_MAX_CONCURRENT',
  PROCESS_UPSTREAM_QUEUE: 'UPSTREAM_MAX_QUEUED',
} as const;
type RenamedVariable = keyof typeof RENAMED;
const RENAMED_VARIABLES = Object.keys(RENAMED).filter((name): name is RenamedVariable => name in RENAMED);

/** The environment with each old name read as its new one, and what to say about it. */
function withCurrentNames(env: Readonly<Record<string, string | undefined>>): { env: Record<string, string | undefined>; names: Map<RenamedVariable, string>; problems: string[]; deprecations: string[] } {
  const current: Record<string, string | undefined> = { ...env };
  const names = new Map<RenamedVariable, string>();
  const problems: string[] = [];
  const deprecations: string[] = [];
  for (const name of RENAMED_VARIABLES) {
    const old = RENAMED[name];
    if (given(env, old) === undefined) continue;
    if (given(env, name) !== undefined) {
      problems.push(`${old} is the old name of ${name}: set only ${name}`);
      continue;
    }
    current[name] = env[old];
    names.set(name, old);
    deprecations.push(`${old} is deprecated: rename it to ${name} (same meaning and values)`);
  }
  return { env: current, names, problems, deprecations };
}

/** A variable as given, with blank meaning unset. */
function given(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Rules that tie variables together; checked on the raw environment so they add to, never hide behind, per-variable problems. */
function crossVariableProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  const endpoint = given(env, 'CFW_ENDPOINT');
  const projectId = given(env, 'CFW_PROJECT_ID');
  if (endpoint === undefined && given(env, 'NODE_ENV') === 'production') {
    problems.push("CFW_ENDPOINT is required when NODE_ENV=production (without it the gateway would serve the embedded simulator's made-up data)");
  }
  if (given(env, 'CFW_AUTH_MODE') === 'aksk') {
    for (const name of ['CLOUD_SDK_AK', 'CLOUD_SDK_SK']) {
      if (given(env, name) === undefined) problems.push(`${name} is required when CFW_AUTH_MODE=aksk`);
    }
    if (endpoint === undefined) problems.push('CFW_ENDPOINT is required when CFW_AUTH_MODE=aksk (the embedded simulator takes tokens)');
    const inbound = ['INBOUND_API_KEYS_SHA256', 'INBOUND_WRITE_API_KEYS_SHA256', 'INBOUND_JWT_JWKS_URL', 'INBOUND_JWT_PUBLIC_KEY'].some((name) => given(env, name) !== undefined);
    if (!inbound && !isTrue(given(env, 'ALLOW_ANONYMOUS'))) {
      problems.push("CFW_AUTH_MODE=aksk calls CFW with the gateway's own keys, so callers must authenticate to the gateway: set INBOUND_API_KEYS_SHA256, INBOUND_JWT_JWKS_URL or INBOUND_JWT_PUBLIC_KEY, or ALLOW_ANONYMOUS=true on purpose");
    }
  }
  if (endpoint !== undefined && projectId === undefined) {
    problems.push('CFW_PROJECT_ID is required when CFW_ENDPOINT is set (the project id in the API path)');
  }
  if (projectId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(projectId)) {
    problems.push(`CFW_PROJECT_ID must be a project id (letters, digits, - or _), ${received(projectId)}`);
  }
  const explorer = given(env, 'EXPLORER');
  const production = given(env, 'NODE_ENV') === 'production';
  if ((explorer === 'sandbox' || explorer === 'graphiql') && production && !isTrue(given(env, 'INTROSPECTION'))) {
    problems.push(`EXPLORER=${explorer} needs INTROSPECTION=true when NODE_ENV=production (an explorer reads the schema by introspection)`);
  }
  const persistedDocuments = given(env, 'PERSISTED_DOCUMENTS') !== undefined;
  if ((explorer === 'sandbox' || explorer === 'graphiql') && persistedDocuments) {
    problems.push(`EXPLORER=${explorer} cannot work with PERSISTED_DOCUMENTS set (an explorer sends its own queries, which only trusted documents may be): set EXPLORER=off or unset PERSISTED_DOCUMENTS`);
  }
  if (!persistedDocuments && isTrue(given(env, 'PERSISTED_DOCUMENTS_ALLOW_TEXT'))) {
    problems.push('PERSISTED_DOCUMENTS_ALLOW_TEXT=true needs PERSISTED_DOCUMENTS (the manifest whose texts it allows)');
  }
  if (given(env, 'CALLER_RATE_LIMIT_BURST') !== undefined && !(Number(given(env, 'CALLER_RATE_LIMIT_PER_SECOND') ?? '0') > 0)) {
    problems.push('CALLER_RATE_LIMIT_BURST needs CALLER_RATE_LIMIT_PER_SECOND (the rate its bucket refills at) set above 0');
  }
  return problems;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Parses the environment into a frozen Config, or throws a ConfigError listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const renamed = withCurrentNames(env);
  const parsed = configSchemaFor((name) => renamed.names.get(name) ?? name).safeParse(renamed.env);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)), ...renamed.problems, ...crossVariableProblems(env)];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}

/** Warnings for the start-up log: variables set under an old name. */
export function configDeprecations(env: Readonly<Record<string, string | undefined>> = process.env): readonly string[] {
  return withCurrentNames(env).deprecations;
}

const REDACTED = '[redacted]';

/** The config with every secret replaced, for --print-config and logs. */
export function redactedConfig(config: Config): unknown {
  return {
    ...config,
    auth: config.auth.mode === 'aksk' ? { mode: 'aksk', serviceKeys: { accessKey: REDACTED, secretKey: REDACTED, securityToken: config.auth.serviceKeys.securityToken === undefined ? undefined : REDACTED } } : config.auth,
    inbound: { ...config.inbound, apiKeySha256: config.inbound.apiKeySha256.map(() => REDACTED), writeApiKeySha256: config.inbound.writeApiKeySha256.map(() => REDACTED) },
    cache: { ...config.cache, redisUrl: config.cache.redisUrl === undefined ? undefined : redactUrl(config.cache.redisUrl) },
  };
}

/** A URL with its password (and user) hidden, as `[redacted]` (which the URL's own setters would percent-encode). */
function redactUrl(href: string): string {
  const url = new URL(href);
  if (url.username === '' && url.password === '') return url.href;
  const userinfo = `${url.username === '' ? '' : REDACTED}${url.password === '' ? '' : `:${REDACTED}`}`;
  url.username = '';
  url.password = '';
  return url.href.replace(`${url.protocol}//`, `${url.protocol}//${userinfo}@`);
}
