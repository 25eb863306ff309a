import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError, configDeprecations, loadConfig, mayBeSecret, redactedConfig } from '../src/config.ts';
import type { OperationLimits } from '../src/server/limits.ts';
import { upstreamOptionsFrom } from '../src/upstream/client.ts';

/** The ConfigError that loading `env` throws; fails the test when it loads. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

/** A production environment that names a real upstream. */
const PRODUCTION = {
  NODE_ENV: 'production',
  CFW_ENDPOINT: 'https://cfw.ap-southeast-1.myhuaweicloud.com',
  CFW_PROJECT_ID: '09bb24e6fe80d23d2fa2c010b53b418c',
} as const;

describe('loadConfig defaults', () => {
  it('serves on 127.0.0.1:4000, reads dates in UTC and starts the simulator when no endpoint is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.nodeEnv).toBe('development');
    expect(config.upstream.timeZone).toBe('UTC');
    expect(config.upstream.endpoint).toBeUndefined();
    expect(config.upstream.projectId).toBeUndefined();
    expect(config.http.corsOrigins).toEqual([]);
    expect(config.logLevel).toBe('info');
  });

  it('has the documented numeric defaults', () => {
    const config = loadConfig({});
    expect(config.upstream).toMatchObject({
      timeoutMs: 10_000,
      connectTimeoutMs: 3_000,
      responseTimeoutMs: 8_000,
      maxSockets: 64,
      retries: 2,
      maxRetryAfterMs: 5_000,
    });
    expect(config.limits).toMatchObject({ upstreamConcurrency: 8, upstreamBudget: 20 });
    expect(config.http.bodyLimitBytes).toBe(102_400);
    expect(config.paging.driftWindow).toBe(200);
    expect(config.shutdownTimeoutMs).toBe(10_000);
  });

  it('has the documented hardening bounds, each set by its variable', () => {
    const defaults = loadConfig({});
    expect(defaults.upstream.maxResponseBytes).toBe(8_388_608);
    expect(defaults.http).toMatchObject({ bodyTimeoutMs: 10_000, headersTimeoutMs: 10_000 });
    expect(defaults.cache.redis).toEqual({ commandTimeoutMs: 100, breakerThreshold: 3, breakerOpenMs: 5_000 });
    const set = loadConfig({
      BODY_TIMEOUT_MS: '2000',
      HEADERS_TIMEOUT_MS: '3000',
      REDIS_COMMAND_TIMEOUT_MS: '50',
      REDIS_BREAKER_THRESHOLD: '5',
      REDIS_BREAKER_OPEN_MS: '1000',
    });
    expect(set.http).toMatchObject({ bodyTimeoutMs: 2_000, headersTimeoutMs: 3_000 });
    expect(set.cache.redis).toEqual({ commandTimeoutMs: 50, breakerThreshold: 5, breakerOpenMs: 1_000 });
    expect(problemsOf({ BODY_TIMEOUT_MS: '0', REDIS_BREAKER_THRESHOLD: 'three' })).toEqual([
      'BODY_TIMEOUT_MS must be a whole number from 1 to 600000, got "0"',
      'REDIS_BREAKER_THRESHOLD must be a whole number from 1 to 1000, got a 5-character value (not shown: it could be a secret)',
    ]);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '  ', CFW_TIMEZONE: '', CFW_ENDPOINT: ' ', CFW_RETRIES: '', LOG_LEVEL: '' });
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.upstream.timeZone).toBe('UTC');
    expect(config.upstream.endpoint).toBeUndefined();
    expect(config.upstream.retries).toBe(2);
    expect(config.logLevel).toBe('info');
  });
});

describe('introspection', () => {
  it('is on outside production, whatever INTROSPECTION says', () => {
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', INTROSPECTION: 'false' }).introspection).toBe(true);
  });

  it('is off in production unless INTROSPECTION=true', () => {
    expect(loadConfig(PRODUCTION).introspection).toBe(false);
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: '1' }).introspection).toBe(true);
  });

  it('rejects an INTROSPECTION that is not a boolean', () => {
    expect(() => loadConfig({ ...PRODUCTION, INTROSPECTION: 'maybe' })).toThrow(
      'INTROSPECTION must be true or false, got a 5-character value (not shown: it could be a secret)',
    );
  });
});

describe('EXPLORER', () => {
  it('is Sandbox outside production and off in production, as the landing page was', () => {
    expect(loadConfig({}).explorer).toBe('sandbox');
    expect(loadConfig({ NODE_ENV: 'test' }).explorer).toBe('sandbox');
    expect(loadConfig(PRODUCTION).explorer).toBe('off');
  });

  it('stays Sandbox in production with INTROSPECTION=true unless EXPLORER says otherwise', () => {
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: 'true' }).explorer).toBe('sandbox');
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: 'true', EXPLORER: 'graphiql' }).explorer).toBe('graphiql');
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: 'true', EXPLORER: 'off' })).toMatchObject({ explorer: 'off', introspection: true });
  });

  it('takes each value outside production', () => {
    expect(loadConfig({ EXPLORER: 'graphiql' }).explorer).toBe('graphiql');
    expect(loadConfig({ EXPLORER: 'off' })).toMatchObject({ explorer: 'off', introspection: true });
    expect(loadConfig({ EXPLORER: 'sandbox' }).explorer).toBe('sandbox');
  });

  it('rejects another value, listing the accepted ones', () => {
    expect(problemsOf({ EXPLORER: 'playground' })).toEqual([
      'EXPLORER must be one of sandbox, graphiql, off, got a 10-character value (not shown: it could be a secret)',
    ]);
  });

  it('refuses an explorer in production without introspection, which it needs', () => {
    expect(problemsOf({ ...PRODUCTION, EXPLORER: 'graphiql' })).toEqual([
      'EXPLORER=graphiql needs INTROSPECTION=true when NODE_ENV=production (an explorer reads the schema by introspection)',
    ]);
    expect(problemsOf({ ...PRODUCTION, EXPLORER: 'sandbox', INTROSPECTION: 'false' })).toEqual([
      'EXPLORER=sandbox needs INTROSPECTION=true when NODE_ENV=production (an explorer reads the schema by introspection)',
    ]);
  });
});

describe('PERSISTED_DOCUMENTS', () => {
  it('is off by default', () => {
    expect(loadConfig({}).persistedDocuments).toEqual({ path: undefined, allowText: false });
  });

  it('reads the manifest path and PERSISTED_DOCUMENTS_ALLOW_TEXT, and turns the default explorer off', () => {
    expect(loadConfig({ PERSISTED_DOCUMENTS: ' /app/manifest.json ', PERSISTED_DOCUMENTS_ALLOW_TEXT: 'true' })).toMatchObject({
      persistedDocuments: { path: '/app/manifest.json', allowText: true },
      explorer: 'off',
    });
  });

  it('refuses an explorer alongside it, since the explorer sends its own queries', () => {
    expect(problemsOf({ PERSISTED_DOCUMENTS: 'manifest.json', EXPLORER: 'graphiql' })).toEqual([
      'EXPLORER=graphiql cannot work with PERSISTED_DOCUMENTS set (an explorer sends its own queries, which only trusted documents may be): set EXPLORER=off or unset PERSISTED_DOCUMENTS',
    ]);
  });

  it('refuses PERSISTED_DOCUMENTS_ALLOW_TEXT without a manifest, and a value that is not a boolean', () => {
    expect(problemsOf({ PERSISTED_DOCUMENTS_ALLOW_TEXT: 'true' })).toEqual([
      'PERSISTED_DOCUMENTS_ALLOW_TEXT=true needs PERSISTED_DOCUMENTS (the manifest whose texts it allows)',
    ]);
    expect(problemsOf({ PERSISTED_DOCUMENTS: 'm.json', PERSISTED_DOCUMENTS_ALLOW_TEXT: 'sometimes' })).toEqual([
      'PERSISTED_DOCUMENTS_ALLOW_TEXT must be true or false, got a 9-character value (not shown: it could be a secret)',
    ]);
  });
});

describe('the result', () => {
  it('is frozen, nested objects and arrays included', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://console.example.com' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.upstream)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(Object.isFrozen(config.http.corsOrigins)).toBe(true);
    expect(Object.isFrozen(config.paging)).toBe(true);
  });

  it('cannot be changed at run time', () => {
    const config = loadConfig({});
    expect(() => Reflect.set(config.upstream, 'timeoutMs', 1)).not.toThrow();
    expect(Reflect.set(config.upstream, 'timeoutMs', 1)).toBe(false);
    expect(config.upstream.timeoutMs).toBe(10_000);
  });
});

describe('PORT', () => {
  it('accepts 0 to 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '8080' }).port).toBe(8080);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it.each([['-1'], ['65536'], ['1e3'], ['80.5'], ['4,000']])('rejects %p, naming the variable and the value', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: port })).toThrow(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(port)}`);
  });

  it('rejects a value that is no number without showing it: it may be a secret in the wrong variable', () => {
    for (const port of ['abc', 'correct-horse-battery-staple']) {
      expect(problemsOf({ PORT: port })).toEqual([
        `PORT must be a whole number from 0 to 65535, got a ${port.length}-character value (not shown: it could be a secret)`,
      ]);
    }
  });

  it('says a bad REDIS_URL is not shown, in words that read', () => {
    expect(problemsOf({ REDIS_URL: 'http://user:hunter2@cache:6379' })).toEqual([
      'REDIS_URL must be a redis:// or rediss:// URL (the value given is not shown: it may hold a password)',
    ]);
  });

  it('ignores spaces around a whole number, as around every other variable', () => {
    expect(loadConfig({ PORT: ' 80 ' }).port).toBe(80);
    expect(loadConfig({ CFW_RETRIES: '3\n' }).upstream.retries).toBe(3);
    expect(loadConfig({ NODE_ENV: ' production ', CFW_ENDPOINT: 'https://cfw.example.com', CFW_PROJECT_ID: 'p1', CFW_AUTH_MODE: 'token' }).nodeEnv).toBe(
      'production',
    );
  });

  it('accepts every port and rejects every integer above', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        expect(loadConfig({ PORT: String(port) }).port).toBe(port);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 65536, max: 10 ** 9 }), (port) => {
        expect(problemsOf({ PORT: String(port) })).toEqual([`PORT must be a whole number from 0 to 65535, got "${port}"`]);
      }),
    );
  });
});

describe('numeric variables', () => {
  it('reads them', () => {
    const config = loadConfig({ CFW_TIMEOUT_MS: '2500', CFW_RETRIES: '0', UPSTREAM_CONCURRENCY: '1024', PAGING_DRIFT_WINDOW: '50' });
    expect(config.upstream.timeoutMs).toBe(2500);
    expect(config.upstream.retries).toBe(0);
    expect(config.limits.upstreamConcurrency).toBe(1024);
    expect(config.paging.driftWindow).toBe(50);
  });

  it.each([
    ['CFW_TIMEOUT_MS', '5s', 'CFW_TIMEOUT_MS must be a whole number from 1 to 600000, got a 2-character value (not shown: it could be a secret)'],
    ['CFW_TIMEOUT_MS', '0', 'CFW_TIMEOUT_MS must be a whole number from 1 to 600000, got "0"'],
    ['CFW_TIMEOUT_MS', '600001', 'CFW_TIMEOUT_MS must be a whole number from 1 to 600000, got "600001"'],
    ['UPSTREAM_CONCURRENCY', '1025', 'UPSTREAM_CONCURRENCY must be a whole number from 1 to 1024, got "1025"'],
    ['CFW_RETRIES', '11', 'CFW_RETRIES must be a whole number from 0 to 10, got "11"'],
    ['CFW_RETRIES', 'two', 'CFW_RETRIES must be a whole number from 0 to 10, got a 3-character value (not shown: it could be a secret)'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got a 4-character value (not shown: it could be a secret)'],
    ['NODE_ENV', 'Production', 'NODE_ENV must be one of development, production, test, got "Production"'],
    ['INTROSPECTION', 'ture', 'INTROSPECTION must be true or false, got a 4-character value (not shown: it could be a secret)'],
    ['NODE_ENV', 'staging', 'NODE_ENV must be one of development, production, test, got a 7-character value (not shown: it could be a secret)'],
  ])('rejects %s=%p', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([message]);
  });
});

describe('several problems at once', () => {
  it('reports every bad variable in one ConfigError, each naming its variable and the value received (or its length)', () => {
    const env = {
      PORT: '-1',
      CFW_TIMEOUT_MS: '5s',
      CFW_TIMEZONE: 'Mars/Olympus_Mons',
      LOG_LEVEL: 'Debug ',
      INTROSPECTION: 'maybe',
      CORS_ORIGINS: 'not-a-url',
    };
    const problems = problemsOf(env);
    expect(problems).toHaveLength(6);
    for (const [name, value] of Object.entries(env)) {
      const shown = ['5s', 'maybe'].includes(value) ? `got a ${value.length}-character value` : JSON.stringify(value.trim());
      expect(problems.filter((problem) => problem.startsWith(`${name} `) && problem.includes(shown))).toHaveLength(1);
    }
  });

  it('lists every problem in the error message', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc', CFW_RETRIES: '99' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toHaveProperty('name', 'ConfigError');
    expect(caught).toHaveProperty(
      'message',
      'Invalid configuration:\n  - PORT must be a whole number from 0 to 65535, got a 3-character value (not shown: it could be a secret)\n  - CFW_RETRIES must be a whole number from 0 to 10, got "99"',
    );
  });

  it('reports a missing CFW_PROJECT_ID alongside another bad variable', () => {
    const problems = problemsOf({ CFW_ENDPOINT: 'https://cfw.ap-southeast-1.myhuaweicloud.com', PORT: 'abc' });
    expect(problems).toEqual([
      'PORT must be a whole number from 0 to 65535, got a 3-character value (not shown: it could be a secret)',
      'CFW_PROJECT_ID is required when CFW_ENDPOINT is set (the project id in the API path)',
    ]);
  });

  it('reports a production start without CFW_ENDPOINT alongside another bad variable', () => {
    expect(problemsOf({ NODE_ENV: 'production', PORT: 'abc' })).toEqual([
      'PORT must be a whole number from 0 to 65535, got a 3-character value (not shown: it could be a secret)',
      "CFW_ENDPOINT is required when NODE_ENV=production (without it the gateway would serve the embedded simulator's made-up data)",
    ]);
  });

  it('reports a malformed CFW_PROJECT_ID alongside another bad variable', () => {
    const problems = problemsOf({ CFW_ENDPOINT: 'https://cfw.ap-southeast-1.myhuaweicloud.com', CFW_PROJECT_ID: 'bad id!', LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(2);
    expect(problems).toContain('CFW_PROJECT_ID must be a project id (letters, digits, - or _), got "bad id!"');
  });
});

describe('CFW_ENDPOINT and CFW_PROJECT_ID', () => {
  it('reads an endpoint with its project id', () => {
    const config = loadConfig({ CFW_ENDPOINT: 'https://cfw.ap-southeast-1.myhuaweicloud.com', CFW_PROJECT_ID: '09bb24e6fe80d23d2fa2c010b53b418c' });
    expect(config.upstream.endpoint).toBe('https://cfw.ap-southeast-1.myhuaweicloud.com');
    expect(config.upstream.projectId).toBe('09bb24e6fe80d23d2fa2c010b53b418c');
  });

  it('fails without CFW_PROJECT_ID, naming it', () => {
    expect(() => loadConfig({ CFW_ENDPOINT: 'https://cfw.ap-southeast-1.myhuaweicloud.com' })).toThrow(ConfigError);
    expect(problemsOf({ CFW_ENDPOINT: 'https://cfw.ap-southeast-1.myhuaweicloud.com' })).toEqual([
      'CFW_PROJECT_ID is required when CFW_ENDPOINT is set (the project id in the API path)',
    ]);
  });

  it("is required in production, where the simulator's made-up data must never be served", () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      "CFW_ENDPOINT is required when NODE_ENV=production (without it the gateway would serve the embedded simulator's made-up data)",
    ]);
    expect(loadConfig({ NODE_ENV: 'test' }).upstream.endpoint).toBeUndefined();
  });

  it('rejects a project id that cannot go into a path', () => {
    expect(problemsOf({ CFW_ENDPOINT: 'https://cfw.example.com', CFW_PROJECT_ID: '../admin' })).toEqual([
      'CFW_PROJECT_ID must be a project id (letters, digits, - or _), got "../admin"',
    ]);
  });

  it('removes trailing slashes and surrounding blanks', () => {
    expect(loadConfig({ CFW_ENDPOINT: 'https://cfw.example.com/', CFW_PROJECT_ID: 'p' }).upstream.endpoint).toBe('https://cfw.example.com');
    expect(loadConfig({ CFW_ENDPOINT: ' http://127.0.0.1:8080/api// ', CFW_PROJECT_ID: 'p' }).upstream.endpoint).toBe('http://127.0.0.1:8080/api');
  });

  it('rejects an endpoint with a query string or fragment, without echoing them', () => {
    expect(problemsOf({ CFW_ENDPOINT: 'https://cfw.example.com/?token=secret', CFW_PROJECT_ID: 'p' })).toEqual([
      'CFW_ENDPOINT must be a bare base URL without credentials, query or fragment, got "https://cfw.example.com/"',
    ]);
    expect(problemsOf({ CFW_ENDPOINT: 'https://cfw.example.com/api#x', CFW_PROJECT_ID: 'p' })).toEqual([
      'CFW_ENDPOINT must be a bare base URL without credentials, query or fragment, got "https://cfw.example.com/api"',
    ]);
  });

  it('rejects an endpoint with credentials, without echoing them', () => {
    const problems = problemsOf({ CFW_ENDPOINT: 'https://user:hunter2@cfw.example.com', CFW_PROJECT_ID: 'p' });
    expect(problems).toEqual(['CFW_ENDPOINT must be a bare base URL without credentials, query or fragment, got "https://cfw.example.com/"']);
    expect(problems.join('')).not.toContain('hunter2');
  });

  it('rejects what is not an http(s) URL', () => {
    expect(problemsOf({ CFW_ENDPOINT: 'cfw.example.com', CFW_PROJECT_ID: 'p' })).toEqual([
      'CFW_ENDPOINT must be a URL such as https://cfw.ap-southeast-1.myhuaweicloud.com, got "cfw.example.com"',
    ]);
    expect(problemsOf({ CFW_ENDPOINT: 'ftp://cfw.example.com', CFW_PROJECT_ID: 'p' })).toEqual([
      'CFW_ENDPOINT must be an http(s) URL, got "ftp://cfw.example.com"',
    ]);
  });
});

describe('CFW_TIMEZONE', () => {
  it('accepts IANA zones', () => {
    expect(loadConfig({ CFW_TIMEZONE: 'Asia/Shanghai' }).upstream.timeZone).toBe('Asia/Shanghai');
    expect(loadConfig({ CFW_TIMEZONE: 'America/New_York' }).upstream.timeZone).toBe('America/New_York');
  });

  it.each([['Mars/Olympus_Mons'], ['CST8'.repeat(3)], ['Asia/Shanghai ']])('rejects %p, naming the variable and the value', (zone) => {
    expect(problemsOf({ CFW_TIMEZONE: zone })).toEqual([`CFW_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai, got ${JSON.stringify(zone)}`]);
  });
});

describe('CORS_ORIGINS', () => {
  it('reads a comma-separated list of origins, ignoring blanks and empty entries', () => {
    expect(loadConfig({ CORS_ORIGINS: ' https://console.example.com , http://localhost:3000,,' }).http.corsOrigins).toEqual([
      'https://console.example.com',
      'http://localhost:3000',
    ]);
  });

  it('reads an unset or empty list as none', () => {
    expect(loadConfig({ CORS_ORIGINS: '' }).http.corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ' , ' }).http.corsOrigins).toEqual([]);
  });

  it.each([['not-a-url'], ['https://x.com/path'], ['https://x.com/'], ['https://x.com?a=1']])('rejects %p, which is not an origin', (origin) => {
    expect(problemsOf({ CORS_ORIGINS: `https://ok.example.com,${origin}` })).toEqual([
      `CORS_ORIGINS must be a comma-separated list of origins such as https://console.example.com, got ${JSON.stringify(origin)}`,
    ]);
  });
});

describe('variables renamed to say their scope', () => {
  it.each([
    ['UPSTREAM_CONCURRENCY', 'OPERATION_UPSTREAM_CONCURRENCY', (config: ReturnType<typeof loadConfig>) => config.limits.upstreamConcurrency],
    ['UPSTREAM_MAX_CONCURRENT', 'PROCESS_UPSTREAM_CONCURRENCY', (config: ReturnType<typeof loadConfig>) => config.upstream.resilience.maxConcurrent],
    ['UPSTREAM_MAX_QUEUED', 'PROCESS_UPSTREAM_QUEUE', (config: ReturnType<typeof loadConfig>) => config.upstream.resilience.maxQueued],
  ])('%s still works, read as %s, with a deprecation naming the new name', (old, current, read) => {
    expect(read(loadConfig({ [old]: '7' }))).toBe(7);
    expect(read(loadConfig({ [current]: '7' }))).toBe(7);
    expect(configDeprecations({ [old]: '7' })).toEqual([`${old} is deprecated: rename it to ${current} (same meaning and values)`]);
    expect(configDeprecations({ [current]: '7' })).toEqual([]);
  });

  it('refuses the old and the new name together, naming both', () => {
    expect(problemsOf({ UPSTREAM_CONCURRENCY: '4', OPERATION_UPSTREAM_CONCURRENCY: '4' })).toEqual([
      'UPSTREAM_CONCURRENCY is the old name of OPERATION_UPSTREAM_CONCURRENCY: set only OPERATION_UPSTREAM_CONCURRENCY',
    ]);
  });

  it('names the variable as it was set in a problem', () => {
    expect(problemsOf({ OPERATION_UPSTREAM_CONCURRENCY: '1025' })).toEqual([
      'OPERATION_UPSTREAM_CONCURRENCY must be a whole number from 1 to 1024, got "1025"',
    ]);
    expect(problemsOf({ UPSTREAM_MAX_QUEUED: '0' })).toEqual(['UPSTREAM_MAX_QUEUED must be a whole number from 1 to 100000, got "0"']);
  });
});

describe('a bad value in a message', () => {
  it('is shown when it cannot be a secret, and only its length otherwise', () => {
    expect(mayBeSecret('5s')).toBe(false);
    expect(mayBeSecret('Mars/Olympus')).toBe(false);
    expect(mayBeSecret('https://cfw.ap-southeast-1.myhuaweicloud.com')).toBe(false);
    expect(mayBeSecret('AKIDEXAMPLE12345')).toBe(true);
    expect(mayBeSecret('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(true);
    expect(mayBeSecret('09bb24e6fe80d23d2fa2c010b53b418c')).toBe(true);
    expect(mayBeSecret('x'.repeat(49))).toBe(true);
  });

  it.each([
    ['PORT', 'AKIDEXAMPLE12345', 'PORT must be a whole number from 0 to 65535, got a 16-character value (not shown: it could be a secret)'],
    [
      'CFW_TIMEOUT_MS',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'CFW_TIMEOUT_MS must be a whole number from 1 to 600000, got a 40-character value (not shown: it could be a secret)',
    ],
    [
      'LOG_LEVEL',
      'sk-9f8e7d6c5b4a39281706',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got a 23-character value (not shown: it could be a secret)',
    ],
    [
      'CFW_ENDPOINT',
      'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
      'CFW_ENDPOINT must be a URL such as https://cfw.ap-southeast-1.myhuaweicloud.com, got a 44-character value (not shown: it could be a secret)',
    ],
  ])('%s set to a secret-like value names the variable and what it expects, never the value', (name, value, message) => {
    const problems = problemsOf({ [name]: value, ...(name === 'CFW_ENDPOINT' ? { CFW_PROJECT_ID: 'p1' } : {}) });
    expect(problems).toEqual([message]);
    expect(problems.join('')).not.toContain(value);
  });
});

describe("the capture lifecycle's variables", () => {
  it('default to no write keys, the scope capture-tasks:write, a 20 s wait polled every 2 s', () => {
    const config = loadConfig({});
    expect(config.inbound).toMatchObject({ writeApiKeySha256: [], jwtWriteScope: 'capture-tasks:write' });
    expect(config.lifecycle).toEqual({ stopWaitMs: 20_000, stopPollMs: 2_000 });
  });

  it('read each one', () => {
    const hash = 'a'.repeat(64);
    const config = loadConfig({
      INBOUND_WRITE_API_KEYS_SHA256: ` ${hash.toUpperCase()} `,
      INBOUND_JWT_WRITE_SCOPE: 'captures.write',
      DELETE_STOP_WAIT_MS: '0',
      DELETE_STOP_POLL_MS: '500',
    });
    expect(config.inbound).toMatchObject({ writeApiKeySha256: [hash], jwtWriteScope: 'captures.write' });
    expect(config.lifecycle).toEqual({ stopWaitMs: 0, stopPollMs: 500 });
  });

  it('refuse bad values, naming the variable', () => {
    expect(problemsOf({ INBOUND_WRITE_API_KEYS_SHA256: 'abc' })).toEqual([
      'INBOUND_WRITE_API_KEYS_SHA256 must be comma-separated hex SHA-256 hashes of API keys (64 hex digits each), got an entry of 3 characters',
    ]);
    expect(problemsOf({ INBOUND_JWT_WRITE_SCOPE: 'two scopes' })).toEqual([
      'INBOUND_JWT_WRITE_SCOPE must be one OAuth scope token (printable, no spaces or quotes), got "two scopes"',
    ]);
    expect(problemsOf({ DELETE_STOP_WAIT_MS: '120001', DELETE_STOP_POLL_MS: '0' })).toEqual([
      'DELETE_STOP_WAIT_MS must be a whole number from 0 to 120000, got "120001"',
      'DELETE_STOP_POLL_MS must be a whole number from 1 to 60000, got "0"',
    ]);
  });

  it('count write keys as inbound authentication in AK/SK mode, and hide them in --print-config', () => {
    const env = {
      CFW_AUTH_MODE: 'aksk',
      CLOUD_SDK_AK: 'ak',
      CLOUD_SDK_SK: 'sk',
      CFW_ENDPOINT: 'http://127.0.0.1:9',
      CFW_PROJECT_ID: 'p',
      INBOUND_WRITE_API_KEYS_SHA256: 'b'.repeat(64),
    };
    expect(loadConfig(env).inbound.writeApiKeySha256).toEqual(['b'.repeat(64)]);
    expect(JSON.stringify(redactedConfig(loadConfig(env)))).not.toContain('b'.repeat(64));
  });
});

describe("each module's slice", () => {
  it('the upstream client gets config.upstream against the resolved endpoint, with the service keys in AK/SK mode only', () => {
    const env = { CFW_ENDPOINT: 'https://cfw.example.com', CFW_PROJECT_ID: 'p1', CFW_RETRIES: '4', PROCESS_UPSTREAM_CONCURRENCY: '7' };
    const token = loadConfig(env);
    const options = upstreamOptionsFrom(token, 'http://127.0.0.1:9', 'p2');
    expect(options).toMatchObject({ endpoint: 'http://127.0.0.1:9', projectId: 'p2', retries: 4, serviceKeys: undefined });
    expect(options.resilience).toEqual(token.upstream.resilience);
    expect(options.resilience.maxConcurrent).toBe(7);
    const aksk = loadConfig({ ...env, CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: 'AKIDEXAMPLE12345', CLOUD_SDK_SK: 'sk-example', ALLOW_ANONYMOUS: 'true' });
    expect(upstreamOptionsFrom(aksk, 'http://127.0.0.1:9', 'p2').serviceKeys).toEqual({ accessKey: 'AKIDEXAMPLE12345', secretKey: 'sk-example' });
  });

  it('the operation limits name each scope once: OPERATION_* per operation, PROCESS_* per process', () => {
    const config = loadConfig({ OPERATION_UPSTREAM_CONCURRENCY: '3', OPERATION_UPSTREAM_BUDGET: '9', PROCESS_UPSTREAM_QUEUE: '11' });
    const limits: OperationLimits = config.limits;
    expect(limits).toMatchObject({ upstreamConcurrency: 3, upstreamBudget: 9 });
    expect(config.upstream.resilience.maxQueued).toBe(11);
  });
});

describe('running as a fleet', () => {
  it('leaves for 5 s before draining in production and at once elsewhere, unless DRAIN_DELAY_MS says', () => {
    expect(loadConfig({}).drainDelayMs).toBe(0);
    expect(loadConfig(PRODUCTION).drainDelayMs).toBe(5_000);
    expect(loadConfig({ ...PRODUCTION, DRAIN_DELAY_MS: '0' }).drainDelayMs).toBe(0);
    expect(loadConfig({ DRAIN_DELAY_MS: '3000' }).drainDelayMs).toBe(3_000);
    expect(problemsOf({ DRAIN_DELAY_MS: '-1' })).toEqual(['DRAIN_DELAY_MS must be a whole number from 0 to 600000, got "-1"']);
  });

  it('has liveness bound to a 5 s event-loop delay by default', () => {
    expect(loadConfig({}).livenessMaxLoopDelayMs).toBe(5_000);
    expect(loadConfig({ LIVENESS_MAX_LOOP_DELAY_MS: '250' }).livenessMaxLoopDelayMs).toBe(250);
  });

  it('has the per-caller rate limit off by default, with a burst of twice the rate unless set', () => {
    expect(loadConfig({}).callerRateLimit.perSecond).toBe(0);
    expect(loadConfig({ CALLER_RATE_LIMIT_PER_SECOND: '20' }).callerRateLimit).toEqual({ perSecond: 20, burst: 40 });
    expect(loadConfig({ CALLER_RATE_LIMIT_PER_SECOND: '20', CALLER_RATE_LIMIT_BURST: '5' }).callerRateLimit).toEqual({ perSecond: 20, burst: 5 });
  });

  it('takes a rate below one a second, rounding the default burst up', () => {
    expect(loadConfig({ CALLER_RATE_LIMIT_PER_SECOND: '0.25' }).callerRateLimit).toEqual({ perSecond: 0.25, burst: 1 });
    expect(loadConfig({ CALLER_RATE_LIMIT_PER_SECOND: '2.5' }).callerRateLimit).toEqual({ perSecond: 2.5, burst: 5 });
    expect(problemsOf({ CALLER_RATE_LIMIT_PER_SECOND: '0.0001' })).toEqual([
      'CALLER_RATE_LIMIT_PER_SECOND must be a number from 0 (off) to 1000000 with at most 3 decimals, got "0.0001"',
    ]);
    expect(problemsOf({ CALLER_RATE_LIMIT_PER_SECOND: '-1' })).toEqual([
      'CALLER_RATE_LIMIT_PER_SECOND must be a number from 0 (off) to 1000000 with at most 3 decimals, got "-1"',
    ]);
  });

  it('refuses a burst without a rate, and a burst of 0', () => {
    expect(problemsOf({ CALLER_RATE_LIMIT_BURST: '5', CALLER_RATE_LIMIT_PER_SECOND: '0' })).toEqual([
      'CALLER_RATE_LIMIT_BURST needs CALLER_RATE_LIMIT_PER_SECOND (the rate its bucket refills at) set above 0',
    ]);
    expect(problemsOf({ CALLER_RATE_LIMIT_BURST: '5' })).toEqual([
      'CALLER_RATE_LIMIT_BURST needs CALLER_RATE_LIMIT_PER_SECOND (the rate its bucket refills at) set above 0',
    ]);
    expect(problemsOf({ CALLER_RATE_LIMIT_PER_SECOND: '1', CALLER_RATE_LIMIT_BURST: '0' })).toEqual([
      'CALLER_RATE_LIMIT_BURST must be a whole number from 1 to 100000000, got "0"',
    ]);
  });
});

describe('the facts the rest reads', () => {
  const AKSK = { CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: 'ak', CLOUD_SDK_SK: 'sk', CFW_ENDPOINT: 'https://cfw.example.com', CFW_PROJECT_ID: 'p1' } as const;

  it('says production once, with the CORS dev origins it turns off', () => {
    expect(loadConfig({})).toMatchObject({ production: false, http: { devOrigins: true } });
    expect(loadConfig(PRODUCTION)).toMatchObject({ production: true, http: { devOrigins: false } });
  });

  it('says whether callers must authenticate, and whether every caller is anonymous', () => {
    expect(loadConfig({}).inbound).toMatchObject({ required: false, anonymous: false });
    expect(loadConfig({ ...AKSK, INBOUND_API_KEYS_SHA256: 'a'.repeat(64) }).inbound).toMatchObject({ required: true, anonymous: false });
    expect(loadConfig({ ...AKSK, INBOUND_API_KEYS_SHA256: 'a'.repeat(64), ALLOW_ANONYMOUS: 'true' }).inbound).toMatchObject({
      required: false,
      anonymous: false,
    });
    expect(loadConfig({ ...AKSK, ALLOW_ANONYMOUS: 'true' }).inbound).toMatchObject({ required: false, anonymous: true });
  });
});

describe('the rules between variables', () => {
  it('read the values as parsed, not the text', () => {
    expect(loadConfig({ CALLER_RATE_LIMIT_PER_SECOND: '007', CALLER_RATE_LIMIT_BURST: '5' }).callerRateLimit).toEqual({ perSecond: 7, burst: 5 });
    // A list of no hashes authenticates nobody.
    expect(
      problemsOf({
        CFW_AUTH_MODE: 'aksk',
        CLOUD_SDK_AK: 'ak',
        CLOUD_SDK_SK: 'sk',
        CFW_ENDPOINT: 'https://cfw.example.com',
        CFW_PROJECT_ID: 'p1',
        INBOUND_API_KEYS_SHA256: ' , ',
      }),
    ).toEqual([
      "CFW_AUTH_MODE=aksk calls CFW with the gateway's own keys, so callers must authenticate to the gateway: set INBOUND_API_KEYS_SHA256, INBOUND_JWT_JWKS_URL or INBOUND_JWT_PUBLIC_KEY, or ALLOW_ANONYMOUS=true on purpose",
    ]);
  });

  it('count a refused variable as set, so they add no second problem for it', () => {
    expect(problemsOf({ CFW_ENDPOINT: 'ftp://cfw.example.com' })).toEqual([
      'CFW_ENDPOINT must be an http(s) URL, got "ftp://cfw.example.com"',
      'CFW_PROJECT_ID is required when CFW_ENDPOINT is set (the project id in the API path)',
    ]);
    expect(problemsOf({ ...PRODUCTION, CFW_ENDPOINT: 'cfw.example.com' })).toEqual([
      'CFW_ENDPOINT must be a URL such as https://cfw.ap-southeast-1.myhuaweicloud.com, got "cfw.example.com"',
    ]);
  });
});
