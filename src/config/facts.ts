// The Config the rest of the gateway reads: each module's slice of the variables, and the facts they
// imply (production, who must authenticate, which explorer), worked out here once.
import { Refused } from './variables.ts';
import type { Parsed, Values } from './schema.ts';

/**
 * Whether callers have a way to authenticate to the gateway in AK/SK mode: an API key or a JWT key
 * is set. A value refused on its own counts as set (it is reported there).
 */
export function callersCanAuthenticate(
  v: Pick<Parsed, 'INBOUND_API_KEYS_SHA256' | 'INBOUND_WRITE_API_KEYS_SHA256' | 'INBOUND_JWT_JWKS_URL' | 'INBOUND_JWT_PUBLIC_KEY'>,
): boolean {
  const set = (value: readonly string[] | string | undefined | Refused) =>
    value instanceof Refused || (Array.isArray(value) ? value.length > 0 : value !== undefined);
  return [v.INBOUND_API_KEYS_SHA256, v.INBOUND_WRITE_API_KEYS_SHA256, v.INBOUND_JWT_JWKS_URL, v.INBOUND_JWT_PUBLIC_KEY].some(set);
}

/** The configuration from variables that all read well. */
export function configFrom(e: Values) {
  const production = e.NODE_ENV === 'production';
  const aksk = e.CFW_AUTH_MODE === 'aksk';
  return {
    nodeEnv: e.NODE_ENV,
    /** NODE_ENV=production, and all it implies: read this, never NODE_ENV. */
    production,
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
      /** Browser origins allowed by CORS, as listed. */
      corsOrigins: e.CORS_ORIGINS,
      /** Also allow the hosted Sandbox and any loopback origin (a frontend's local dev server): outside production. */
      devOrigins: !production,
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
      aksk && e.CLOUD_SDK_AK !== undefined && e.CLOUD_SDK_SK !== undefined
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
      /** AK/SK mode: a caller without an API key or JWT is let in, as anonymous, on purpose. */
      allowAnonymous: e.ALLOW_ANONYMOUS,
      /** AK/SK mode: a caller without an API key or JWT is refused. */
      required: aksk && !e.ALLOW_ANONYMOUS,
      /** AK/SK mode with ALLOW_ANONYMOUS and no API key or JWT key set: every caller is anonymous; warned about at start and on /healthz. */
      anonymous: aksk && e.ALLOW_ANONYMOUS && !callersCanAuthenticate(e),
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
    drainDelayMs: e.DRAIN_DELAY_MS ?? (production ? 5_000 : 0),
    /** /healthz answers 503 when a turn of the event loop took longer than this (the process is wedged). */
    livenessMaxLoopDelayMs: e.LIVENESS_MAX_LOOP_DELAY_MS,
    /** A token bucket per caller (server/rate-limit.ts), shared across the fleet through Redis; 0 turns it off. */
    callerRateLimit: {
      perSecond: e.CALLER_RATE_LIMIT_PER_SECOND,
      burst: e.CALLER_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(2 * e.CALLER_RATE_LIMIT_PER_SECOND)),
    },
    /** Introspection; always on outside production. */
    introspection: !production || e.INTROSPECTION,
    /**
     * The page a browser gets at the GraphQL URL (server/explorer.ts): Apollo Sandbox (from Apollo's
     * CDN), GraphiQL served by the gateway itself (works offline), or none. Unset: Sandbox wherever
     * it was served before (outside production, or with INTROSPECTION=true in production); none
     * with trusted documents, which would refuse the explorer's queries.
     */
    explorer: e.EXPLORER ?? (e.PERSISTED_DOCUMENTS !== undefined || (production && !e.INTROSPECTION) ? ('off' as const) : ('sandbox' as const)),
    /** Trusted documents (server/persisted-documents.ts): with a manifest, only its operations run. */
    persistedDocuments: {
      /** The manifest (`{ "<id>": "<document>" }`); undefined: any operation may run. */
      path: e.PERSISTED_DOCUMENTS,
      /** Also run a document sent as text when it is exactly one of the manifest's. */
      allowText: e.PERSISTED_DOCUMENTS_ALLOW_TEXT,
    },
    /** Live capture status (docs/live-status.md). */
    live: {
      /** How often a poller reads a watched firewall's list, for all its subscribers. */
      pollIntervalMs: e.SUBSCRIPTION_POLL_INTERVAL_MS,
      /** How long a poller's reads may keep failing (passing failures, backed off) before its streams end with the last error. */
      failureLimitMs: e.SUBSCRIPTION_FAILURE_LIMIT_MS,
      /** SSE comments and WebSocket pings on idle streams, so proxies do not cut them. */
      keepAliveMs: e.SUBSCRIPTION_KEEPALIVE_MS,
      maxPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxPerCaller: e.MAX_SUBSCRIPTIONS_PER_CALLER,
      maxPerInstance: e.MAX_SUBSCRIPTIONS_PER_INSTANCE,
    },
  };
}

type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The gateway's configuration, as configFrom builds it from the environment. */
export type Config = DeepReadonly<ReturnType<typeof configFrom>>;
