// The only reader of process.env. Every variable is checked at start, every problem is reported at
// once with the variable's name, what it expects and what it got, and the result is frozen.
import { z } from 'zod';

/** A whole number from `min` to `max`; unset or blank gives `fallback`. */
const integer = (name: string, fallback: number, min: number, max: number, hint = '') =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min}${hint} to ${max}, got ${JSON.stringify(raw)}` });
        return z.NEVER;
      }
      return value;
    });

const positiveInt = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) => integer(name, fallback, 1, max);

const oneOf = <const T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (raw === undefined || raw === '') return fallback;
      const found = values.find((value) => value === raw);
      if (found === undefined) {
        ctx.addIssue({ code: 'custom', message: `${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}` });
        return z.NEVER;
      }
      return found;
    });

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got ${JSON.stringify(raw)}` });
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
        message: `CFW_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai, got ${JSON.stringify(raw)}`,
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
      ctx.addIssue({ code: 'custom', message: `CFW_ENDPOINT must be a URL such as https://cfw.ap-southeast-1.myhuaweicloud.com, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `CFW_ENDPOINT must be an http(s) URL, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: `CFW_ENDPOINT must be a bare base URL without credentials, query or fragment, got ${JSON.stringify(url.origin + url.pathname)}` });
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
      ctx.addIssue({ code: 'custom', message: `${name} must be a ${expected} URL, ${secret ? '(its value is not shown: it may hold a password)' : `got ${JSON.stringify(raw)}`}` });
      return z.NEVER;
    });

const environment = z
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
    CFW_MAX_SOCKETS: positiveInt('CFW_MAX_SOCKETS', 64, 10_000),
    CFW_RETRIES: integer('CFW_RETRIES', 2, 0, 10),
    CFW_MAX_RETRY_AFTER_MS: positiveInt('CFW_MAX_RETRY_AFTER_MS', 5_000, 600_000),
    UPSTREAM_CONCURRENCY: positiveInt('UPSTREAM_CONCURRENCY', 8, 1024),
    CFW_BREAKER_THRESHOLD: positiveInt('CFW_BREAKER_THRESHOLD', 5, 1000),
    CFW_BREAKER_HALF_OPEN_MS: positiveInt('CFW_BREAKER_HALF_OPEN_MS', 10_000, 600_000),
    UPSTREAM_MAX_CONCURRENT: positiveInt('UPSTREAM_MAX_CONCURRENT', 64, 10_000),
    UPSTREAM_MAX_QUEUED: positiveInt('UPSTREAM_MAX_QUEUED', 256, 100_000),
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
            ctx.addIssue({ code: 'custom', message: `CORS_ORIGINS must be a comma-separated list of origins such as https://console.example.com, got ${JSON.stringify(origin)}` });
            return z.NEVER;
          }
        }
        return origins;
      }),
    SHUTDOWN_TIMEOUT_MS: positiveInt('SHUTDOWN_TIMEOUT_MS', 10_000, 600_000),
    BODY_LIMIT_BYTES: positiveInt('BODY_LIMIT_BYTES', 102_400, 104_857_600),
    PAGING_DRIFT_WINDOW: positiveInt('PAGING_DRIFT_WINDOW', 200, 1_500),
    CFW_AUTH_MODE: oneOf('CFW_AUTH_MODE', ['token', 'aksk'], 'token'),
    CLOUD_SDK_AK: optionalText,
    CLOUD_SDK_SK: optionalText,
    CLOUD_SDK_SECURITY_TOKEN: optionalText,
    INBOUND_API_KEYS_SHA256: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const hashes = (raw ?? '').split(',').map((hash) => hash.trim().toLowerCase()).filter((hash) => hash !== '');
        const bad = hashes.find((hash) => !/^[0-9a-f]{64}$/.test(hash));
        if (bad !== undefined) {
          ctx.addIssue({ code: 'custom', message: `INBOUND_API_KEYS_SHA256 must be comma-separated hex SHA-256 hashes of API keys (64 hex digits each), got an entry of ${bad.length} characters` });
          return z.NEVER;
        }
        return hashes;
      }),
    INBOUND_JWT_JWKS_URL: urlVariable('INBOUND_JWT_JWKS_URL', ['https:', 'http:']),
    INBOUND_JWT_PUBLIC_KEY: optionalText.transform((pem) => pem?.replaceAll('\\n', '\n')),
    INBOUND_JWT_ALGORITHM: oneOf('INBOUND_JWT_ALGORITHM', ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'], 'RS256'),
    INBOUND_JWT_ISSUER: optionalText,
    INBOUND_JWT_AUDIENCE: optionalText,
    ALLOW_ANONYMOUS: bool('ALLOW_ANONYMOUS', false),
    OTEL_EXPORTER_OTLP_ENDPOINT: urlVariable('OTEL_EXPORTER_OTLP_ENDPOINT', ['https:', 'http:']),
    CACHE_TTL_SECONDS: integer('CACHE_TTL_SECONDS', 0, 0, 86_400, ' (off)'),
    CACHE_MAX_BYTES: positiveInt('CACHE_MAX_BYTES', 33_554_432, 4_294_967_296),
    REDIS_URL: urlVariable('REDIS_URL', ['redis:', 'rediss:'], true),
    PERSISTED_QUERIES: bool('PERSISTED_QUERIES', true),
    GRAPHQL_EXECUTION: oneOf('GRAPHQL_EXECUTION', ['jit', 'standard'], 'jit'),
    LOG_LEVEL: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    INTROSPECTION: bool('INTROSPECTION', false),
  });

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
    const inbound = ['INBOUND_API_KEYS_SHA256', 'INBOUND_JWT_JWKS_URL', 'INBOUND_JWT_PUBLIC_KEY'].some((name) => given(env, name) !== undefined);
    if (!inbound && !/^(true|1|yes)$/i.test(given(env, 'ALLOW_ANONYMOUS') ?? '')) {
      problems.push("CFW_AUTH_MODE=aksk calls CFW with the gateway's own keys, so callers must authenticate to the gateway: set INBOUND_API_KEYS_SHA256, INBOUND_JWT_JWKS_URL or INBOUND_JWT_PUBLIC_KEY, or ALLOW_ANONYMOUS=true on purpose");
    }
  }
  if (endpoint !== undefined && projectId === undefined) {
    problems.push('CFW_PROJECT_ID is required when CFW_ENDPOINT is set (the project id in the API path)');
  }
  if (projectId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(projectId)) {
    problems.push(`CFW_PROJECT_ID must be a project id (letters, digits, - or _), got ${JSON.stringify(projectId)}`);
  }
  return problems;
}

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly upstream: {
    /** Base URL of the CFW API; undefined means: start the embedded simulator. */
    readonly endpoint: string | undefined;
    readonly projectId: string | undefined;
    /** The zone the upstream's zone-less dates are read in. */
    readonly timeZone: string;
    /** Whole-call deadline, retries included. */
    readonly timeoutMs: number;
    readonly connectTimeoutMs: number;
    /** Time to the first byte of the answer, per attempt. */
    readonly responseTimeoutMs: number;
    readonly maxSockets: number;
    /** Retries after a failed first attempt of a read. */
    readonly retries: number;
    /** The longest Retry-After the gateway waits for before retrying. */
    readonly maxRetryAfterMs: number;
    /** Upstream calls one operation runs at once. */
    readonly concurrency: number;
    /** Upstream calls one operation may make in all. */
    readonly callBudget: number;
    /** Consecutive failures that open the circuit, and how long it stays open. */
    readonly breakerThreshold: number;
    readonly breakerHalfOpenMs: number;
    /** Upstream calls in flight per process, and calls that may wait for a slot. */
    readonly maxConcurrent: number;
    readonly maxQueued: number;
  };
  readonly limits: {
    readonly maxTokens: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    /** Sum of the page sizes of every connection in one operation. */
    readonly maxCost: number;
  };
  readonly http: {
    /** Several operations in one HTTP request (an array body). */
    readonly allowBatchedRequests: boolean;
    /** Browser origins allowed by CORS (the hosted Sandbox is added outside production). */
    readonly corsOrigins: readonly string[];
    readonly bodyLimitBytes: number;
  };
  readonly paging: {
    /** How far from a cursor's offset its task is looked for when the list has shifted. */
    readonly driftWindow: number;
  };
  /** How upstream calls are authorised. */
  readonly auth:
    /** Each caller's IAM token is forwarded. */
    | { readonly mode: 'token' }
    /** The gateway signs every call with its own AK/SK. */
    | { readonly mode: 'aksk'; readonly serviceKeys: { readonly accessKey: string; readonly secretKey: string; readonly securityToken: string | undefined } };
  /** How callers authenticate to the gateway in AK/SK mode (in token mode the token is the proof). */
  readonly inbound: {
    readonly apiKeySha256: readonly string[];
    readonly jwtJwksUrl: string | undefined;
    readonly jwtPublicKey: string | undefined;
    /** The algorithm of INBOUND_JWT_PUBLIC_KEY. */
    readonly jwtAlgorithm: string;
    readonly jwtIssuer: string | undefined;
    readonly jwtAudience: string | undefined;
    /** AK/SK mode without caller authentication, on purpose; warned about at start and on /healthz. */
    readonly allowAnonymous: boolean;
  };
  readonly cache: {
    /** Page cache lifetime; 0 turns the page cache off. */
    readonly ttlSeconds: number;
    /** Size of the in-memory store (used when no Redis is set). */
    readonly maxMemoryBytes: number;
    /** Shared store for APQ and pages across instances. */
    readonly redisUrl: string | undefined;
    /** Automatic persisted queries. */
    readonly persistedQueries: boolean;
  };
  /** `jit`: operations compiled by graphql-jit; `standard`: graphql-js's interpreter. */
  readonly execution: 'jit' | 'standard';
  /** OpenTelemetry tracing: on when an OTLP endpoint is set. */
  readonly tracing: { readonly otlpEndpoint: string | undefined };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long a shutdown waits for in-flight operations. */
  readonly shutdownTimeoutMs: number;
  /** Introspection and the Sandbox landing page; always on outside production. */
  readonly introspection: boolean;
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
  const parsed = environment.safeParse(env);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)), ...crossVariableProblems(env)];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return deepFreeze({
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    upstream: {
      endpoint: e.CFW_ENDPOINT,
      projectId: e.CFW_PROJECT_ID,
      timeZone: e.CFW_TIMEZONE,
      timeoutMs: e.CFW_TIMEOUT_MS,
      connectTimeoutMs: e.CFW_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: e.CFW_RESPONSE_TIMEOUT_MS,
      maxSockets: e.CFW_MAX_SOCKETS,
      retries: e.CFW_RETRIES,
      maxRetryAfterMs: e.CFW_MAX_RETRY_AFTER_MS,
      concurrency: e.UPSTREAM_CONCURRENCY,
      callBudget: e.OPERATION_UPSTREAM_BUDGET,
      breakerThreshold: e.CFW_BREAKER_THRESHOLD,
      breakerHalfOpenMs: e.CFW_BREAKER_HALF_OPEN_MS,
      maxConcurrent: e.UPSTREAM_MAX_CONCURRENT,
      maxQueued: e.UPSTREAM_MAX_QUEUED,
    },
    limits: { maxTokens: e.MAX_QUERY_TOKENS, maxDepth: e.MAX_QUERY_DEPTH, maxAliases: e.MAX_QUERY_ALIASES, maxDirectives: e.MAX_QUERY_DIRECTIVES, maxCost: e.MAX_QUERY_COST },
    http: { allowBatchedRequests: e.ALLOW_BATCHED_REQUESTS, corsOrigins: e.CORS_ORIGINS, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    paging: { driftWindow: e.PAGING_DRIFT_WINDOW },
    auth:
      e.CFW_AUTH_MODE === 'aksk' && e.CLOUD_SDK_AK !== undefined && e.CLOUD_SDK_SK !== undefined
        ? { mode: 'aksk' as const, serviceKeys: { accessKey: e.CLOUD_SDK_AK, secretKey: e.CLOUD_SDK_SK, securityToken: e.CLOUD_SDK_SECURITY_TOKEN } }
        : { mode: 'token' as const },
    inbound: {
      apiKeySha256: e.INBOUND_API_KEYS_SHA256,
      jwtJwksUrl: e.INBOUND_JWT_JWKS_URL,
      jwtPublicKey: e.INBOUND_JWT_PUBLIC_KEY,
      jwtAlgorithm: e.INBOUND_JWT_ALGORITHM,
      jwtIssuer: e.INBOUND_JWT_ISSUER,
      jwtAudience: e.INBOUND_JWT_AUDIENCE,
      allowAnonymous: e.ALLOW_ANONYMOUS,
    },
    cache: { ttlSeconds: e.CACHE_TTL_SECONDS, maxMemoryBytes: e.CACHE_MAX_BYTES, redisUrl: e.REDIS_URL, persistedQueries: e.PERSISTED_QUERIES },
    execution: e.GRAPHQL_EXECUTION,
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    introspection: e.NODE_ENV !== 'production' || e.INTROSPECTION,
  });
}

const REDACTED = '[redacted]';

/** The config with every secret replaced, for --print-config and logs. */
export function redactedConfig(config: Config): unknown {
  return {
    ...config,
    auth: config.auth.mode === 'aksk' ? { mode: 'aksk', serviceKeys: { accessKey: REDACTED, secretKey: REDACTED, securityToken: config.auth.serviceKeys.securityToken === undefined ? undefined : REDACTED } } : config.auth,
    inbound: { ...config.inbound, apiKeySha256: config.inbound.apiKeySha256.map(() => REDACTED) },
    cache: { ...config.cache, redisUrl: config.cache.redisUrl === undefined ? undefined : redactUrl(config.cache.redisUrl) },
  };
}

/** A URL with its password (and user) hidden. */
function redactUrl(href: string): string {
  const url = new URL(href);
  if (url.password !== '') url.password = REDACTED;
  if (url.username !== '') url.username = REDACTED;
  return url.href;
}
