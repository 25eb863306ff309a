// Every environment variable the gateway reads, in sections: its reader, its default, what it takes
// and what it does. docs/configuration.md is generated from this (`npm run docs:config`).
import { z } from 'zod';
import {
  bool,
  baseUrl,
  integer,
  matching,
  oneOf,
  optionalInteger,
  origins,
  pem,
  positiveInteger,
  rate,
  Refused,
  scope,
  sha256List,
  text,
  textOr,
  timeZone,
  url,
} from './variables.ts';

/**
 * 8 MiB. The largest real page is 1,024 records; with every field at its longest (a 255-character
 * name of \uXXXX escapes, full-length IPv6 addresses, pretty-printed as CFW does) it is 2.17 MB,
 * so this leaves a 3.9× margin, and stays small enough for a few such answers at once in 256 MB.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const SERVER = {
  PORT: integer({ default: 4000, min: 0, max: 65535 }, 'port to listen on'),
  HOST: textOr('127.0.0.1', 'address to listen on (`0.0.0.0` in the container image)', 'an address or host name'),
  NODE_ENV: oneOf(
    ['development', 'production', 'test'],
    'development',
    '`production`: introspection, `/schema.graphql` and the explorer off, field suggestions hidden, hosted-Sandbox and loopback CORS origins off, `CFW_ENDPOINT` required, a 5 s `DRAIN_DELAY_MS`',
  ),
  INTROSPECTION: bool(
    false,
    'introspection and `/schema.graphql` in production, where they are otherwise off (and Sandbox, unless `EXPLORER` says otherwise); always on elsewhere',
  ),
  EXPLORER: oneOf(
    ['sandbox', 'graphiql', 'off'],
    undefined,
    "what a browser gets at the GraphQL URL: Apollo Sandbox (from Apollo's CDN), GraphiQL (served by the gateway, works offline) or nothing; see [the explorer](frontends.md#explorer)",
    '`sandbox`; `off` in production (`sandbox` there with `INTROSPECTION=true`) and with `PERSISTED_DOCUMENTS`',
  ),
  PERSISTED_DOCUMENTS: text(
    'path of a trusted-documents manifest (`{ "<id>": "<document>" }`); when set, only its operations run ([trusted documents](security.md#trusted-documents))',
    'a file path',
  ),
  PERSISTED_DOCUMENTS_ALLOW_TEXT: bool(false, "with `PERSISTED_DOCUMENTS`: also run a document sent as text when it is exactly one of the manifest's"),
  CORS_ORIGINS: origins('browser origins allowed by CORS (outside production `https://studio.apollographql.com` and every loopback origin are added)'),
  BODY_LIMIT_BYTES: positiveInteger(102_400, 104_857_600, 'largest request body; larger: 413'),
  BODY_TIMEOUT_MS: positiveInteger(10_000, 600_000, "time for a request's body to arrive once its headers are in; slower: 408"),
  HEADERS_TIMEOUT_MS: positiveInteger(10_000, 600_000, "time for a request's headers to arrive; slower: 408"),
  ALLOW_BATCHED_REQUESTS: bool(false, 'several operations in one HTTP request (a JSON array)'),
  GRAPHQL_EXECUTION: oneOf(
    ['jit', 'standard'],
    'jit',
    "`jit`: each distinct operation compiled once by graphql-jit; `standard`: graphql-js's interpreter (same answers, about half the throughput)",
  ),
  LOG_LEVEL: oneOf(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
    'the least severe log line written (`debug` adds a line per upstream call)',
  ),
};

const FLEET = {
  SHUTDOWN_TIMEOUT_MS: positiveInteger(
    10_000,
    600_000,
    'once the listener is closed, how long shutdown waits for in-flight operations (bodies still arriving are not waited for)',
  ),
  DRAIN_DELAY_MS: optionalInteger(
    { min: 0, max: 600_000, shownDefault: '`5000` in production, `0` otherwise' },
    'after SIGTERM, how long `/readyz` answers 503 while the listener stays open and serves, so a balancer sees the instance leave first ([operations](operations.md#shutdown))',
  ),
  LIVENESS_MAX_LOOP_DELAY_MS: positiveInteger(
    5_000,
    600_000,
    '`/healthz` answers 503 when the last turn of the event loop took longer than this (the process is wedged)',
  ),
  CALLER_RATE_LIMIT_PER_SECOND: rate(
    1_000_000,
    'GraphQL requests a second each caller may send (a token bucket per caller, shared by the fleet through Redis); over it: 429 `RATE_LIMITED`',
  ),
  CALLER_RATE_LIMIT_BURST: optionalInteger(
    { min: 1, max: 100_000_000, shownDefault: '2 × `CALLER_RATE_LIMIT_PER_SECOND`, rounded up' },
    "the caller's bucket: requests it may send at once after a quiet spell; needs `CALLER_RATE_LIMIT_PER_SECOND`",
  ),
};

const UPSTREAM = {
  CFW_ENDPOINT: baseUrl('CFW base URL; unset: the embedded simulator (refused in production)'),
  CFW_PROJECT_ID: matching(/^[A-Za-z0-9_-]{1,64}$/, 'a project id (letters, digits, - or _)', 'project id in the API path; required with `CFW_ENDPOINT`'),
  CFW_TIMEZONE: timeZone("the zone CFW's zone-less dates are read in"),
  CFW_TIMEOUT_MS: positiveInteger(10_000, 600_000, 'deadline of one upstream call, retries and queueing included'),
  CFW_CONNECT_TIMEOUT_MS: positiveInteger(3_000, 600_000, 'connection (and TLS) set-up, per attempt'),
  CFW_RESPONSE_TIMEOUT_MS: positiveInteger(8_000, 600_000, 'time to the first byte of an answer, per attempt'),
  CFW_MAX_RESPONSE_BYTES: positiveInteger(
    DEFAULT_MAX_RESPONSE_BYTES,
    1_073_741_824,
    'largest upstream answer, counted after decompression; larger: `UPSTREAM_BAD_RESPONSE`',
  ),
  CFW_MAX_SOCKETS: positiveInteger(64, 10_000, 'kept-alive upstream connections, per process'),
  CFW_RETRIES: integer({ default: 2, min: 0, max: 10 }, 'retries of a failed call, as far as the retry rule allows'),
  CFW_MAX_RETRY_AFTER_MS: positiveInteger(
    5_000,
    600_000,
    'longest `Retry-After` waited for (a longer one fails at once), and the longest a 429 holds new calls off',
  ),
  CFW_BREAKER_THRESHOLD: positiveInteger(5, 1000, 'consecutive failed calls that open the circuit'),
  CFW_BREAKER_HALF_OPEN_MS: positiveInteger(10_000, 600_000, 'how long the circuit stays open before one probe call, made with or without traffic'),
  PROCESS_UPSTREAM_CONCURRENCY: positiveInteger(64, 10_000, 'upstream calls in flight per process (bulkhead)'),
  PROCESS_UPSTREAM_QUEUE: positiveInteger(256, 100_000, 'calls waiting for a slot, per process; beyond that a call fails at once'),
  PAGING_DRIFT_WINDOW: positiveInteger(200, 1_500, "how far from a cursor's old offset its task is looked for"),
  DELETE_STOP_WAIT_MS: integer({ default: 20_000, min: 0, max: 120_000 }, 'how long `deleteCaptureTasks` waits for running tasks it stopped to end'),
  DELETE_STOP_POLL_MS: positiveInteger(2_000, 60_000, 'how often it reads the list meanwhile'),
};

const AUTHENTICATION = {
  CFW_AUTH_MODE: oneOf(['token', 'aksk'], 'token', "`token`: forward each caller's IAM token; `aksk`: sign every call with the gateway's own keys"),
  CLOUD_SDK_AK: text("the gateway's access key (`aksk` mode)"),
  CLOUD_SDK_SK: text("the gateway's secret key (`aksk` mode)"),
  CLOUD_SDK_SECURITY_TOKEN: text('the security token of a temporary AK/SK'),
  INBOUND_API_KEYS_SHA256: sha256List('`aksk` mode: hashes of the API keys callers send in `X-Api-Key`'),
  INBOUND_WRITE_API_KEYS_SHA256: sha256List('`aksk` mode: hashes of API keys that may also change capture tasks (mutations)'),
  INBOUND_JWT_WRITE_SCOPE: scope('capture-tasks:write', "`aksk` mode: the scope (in a JWT's `scope` or `scp`) that lets a caller change capture tasks"),
  INBOUND_JWT_JWKS_URL: url(['https:', 'http:'], '`aksk` mode: the JWKS caller JWTs (`Authorization: Bearer`) are verified against'),
  INBOUND_JWT_PUBLIC_KEY: pem('`aksk` mode: or a public key caller JWTs are verified with'),
  INBOUND_JWT_ALGORITHM: oneOf(['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'], 'RS256', 'the algorithm of `INBOUND_JWT_PUBLIC_KEY`'),
  INBOUND_JWT_ISSUER: text('the `iss` caller JWTs must have'),
  INBOUND_JWT_AUDIENCE: text('the `aud` caller JWTs must have'),
  ALLOW_ANONYMOUS: bool(
    false,
    "`aksk` mode: let callers in without an API key or JWT, on purpose (they read with the gateway's keys, never change tasks; warned at start and on `/healthz`)",
  ),
};

const LIMITS = {
  OPERATION_UPSTREAM_BUDGET: positiveInteger(20, 10_000, 'upstream calls one operation may make'),
  OPERATION_UPSTREAM_CONCURRENCY: positiveInteger(8, 1024, 'upstream calls one operation runs at once'),
  MAX_QUERY_COST: positiveInteger(
    5_000,
    10_000_000,
    'tasks one operation may ask for: each connection costs its page size, × representations under `_entities`',
  ),
  MAX_QUERY_TOKENS: positiveInteger(2_000, 1_000_000, 'lexical tokens in a query document'),
  MAX_QUERY_DEPTH: positiveInteger(10, 1_000, 'field depth (introspection excepted)'),
  MAX_QUERY_ALIASES: positiveInteger(30, 10_000, 'aliases in an operation'),
  MAX_QUERY_DIRECTIVES: positiveInteger(20, 10_000, 'directives in an operation'),
};

const CACHING = {
  CACHE_TTL_SECONDS: integer(
    { default: 0, min: 0, max: 86_400, minHint: ' (off)', shownDefault: '`0` (off)' },
    'page cache lifetime; pages are cached per caller credential',
  ),
  CACHE_MAX_BYTES: positiveInteger(33_554_432, 4_294_967_296, 'size of the in-memory store (when no `REDIS_URL` is set)'),
  REDIS_URL: url(['redis:', 'rediss:'], 'persisted queries, pages and rate-limit buckets shared by all instances', true),
  REDIS_COMMAND_TIMEOUT_MS: positiveInteger(100, 60_000, 'time a Redis command may take; slower: a cache miss'),
  REDIS_BREAKER_THRESHOLD: positiveInteger(3, 1_000, 'consecutive failed Redis commands that make the gateway bypass Redis'),
  REDIS_BREAKER_OPEN_MS: positiveInteger(5_000, 600_000, 'how long Redis is bypassed before one probe command'),
  PERSISTED_QUERIES: bool(true, 'automatic persisted queries'),
};

/** Live capture status ([live status](live-status.md)): the pollers' pace, keep-alives and the caps on subscriptions. */
const LIVE = {
  // Below 1 s a poller would read a firewall's whole list faster than a capture changes, for nothing.
  SUBSCRIPTION_POLL_INTERVAL_MS: integer(
    { default: 5_000, min: 1_000, max: 600_000 },
    "how often a poller reads a watched firewall's list, once for all its subscribers",
  ),
  SUBSCRIPTION_FAILURE_LIMIT_MS: integer(
    { default: 120_000, min: 1_000, max: 3_600_000 },
    "how long a poller's reads may keep failing (passing failures, backed off) before its streams end with the last error",
  ),
  SUBSCRIPTION_KEEPALIVE_MS: integer(
    { default: 15_000, min: 1_000, max: 600_000 },
    'SSE comments and WebSocket pings on idle streams, so proxies do not cut them',
  ),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInteger(50, 10_000, 'open subscriptions per WebSocket'),
  MAX_SUBSCRIPTIONS_PER_CALLER: positiveInteger(200, 1_000_000, 'open subscriptions per caller, per instance'),
  MAX_SUBSCRIPTIONS_PER_INSTANCE: positiveInteger(20_000, 1_000_000, 'open subscriptions per instance'),
};

const OBSERVABILITY = {
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['https:', 'http:'], 'turns on OpenTelemetry tracing over OTLP/HTTP (the standard `OTEL_*` variables apply)'),
};

/** The variables in the documentation's sections and order; a problem list follows the same order. */
export const SECTIONS = [
  ['server', SERVER],
  ['running as a fleet', FLEET],
  ['upstream', UPSTREAM],
  ['authentication', AUTHENTICATION],
  ['limits', LIMITS],
  ['caching', CACHING],
  ['live capture status', LIVE],
  ['observability', OBSERVABILITY],
] as const;

/** Every variable: each reads to its value, or to a Refused saying what is wrong with it. */
export const variablesSchema = z.object({ ...SERVER, ...FLEET, ...UPSTREAM, ...AUTHENTICATION, ...LIMITS, ...CACHING, ...LIVE, ...OBSERVABILITY });

/** Variables renamed to say their scope (per operation or per process); the old name still works, with a warning. */
export const RENAMED = {
  OPERATION_UPSTREAM_CONCURRENCY: 'UPSTREAM_CONCURRENCY',
  PROCESS_UPSTREAM_CONCURRENCY: 'UPSTREAM_MAX_CONCURRENT',
  PROCESS_UPSTREAM_QUEUE: 'UPSTREAM_MAX_QUEUED',
} as const satisfies Partial<Record<keyof typeof variablesSchema.shape, string>>;

/** The variables as read: each a value, or a Refused. */
export type Parsed = z.output<typeof variablesSchema>;

/** The variables when every one read well. */
export type Values = { readonly [K in keyof Parsed]: Exclude<Parsed[K], Refused> };

/** Whether every variable read well. */
export function allRead(parsed: Parsed): parsed is Parsed & Values {
  return !Object.values(parsed).some((value) => value instanceof Refused);
}
