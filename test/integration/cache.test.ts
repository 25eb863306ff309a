// Sharing across operations: coalescing of identical in-flight calls, the page cache, automatic
// persisted queries, in memory and on a real Redis shared by two gateways. Never across callers.
// Overlap is made, not hoped for: the simulator holds its answers while the test counts the
// operations that joined (the gateway's shared-read counter). The TTL's expiry is tested with an
// injected clock in test/upstream/read.test.ts.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { Redis } from 'ioredis';
import { credentialKeyOf } from '../../src/upstream/read.ts';
import { sharedReads, startHarness, withHarness, type Harness } from '../helpers/harness.ts';
import { freePort } from '../helpers/process.ts';
import { describeWithRedis, type RedisServer } from '../helpers/redis.ts';
import { until } from '../helpers/until.ts';
import { memorySink } from '../helpers/log.ts';

const QUERY = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 3) { totalCount edges { node { id } } } }`;
const tokens = new Map([
  ['demo-token', {}],
  ['other-token', {}],
]);

async function totalOf(harness: Harness, token = 'demo-token'): Promise<unknown> {
  const result = await harness.gql(QUERY, undefined, { 'x-auth-token': token });
  expect(result.body.errors).toBeUndefined();
  return (result.body.data?.['captureTasks'] as { totalCount: number } | undefined)?.totalCount;
}

function openConnections(harness: Harness): Promise<number> {
  return new Promise((resolve, reject) => {
    harness.gateway.httpServer.getConnections((error, count) => {
      if (error === null) resolve(count);
      else reject(error);
    });
  });
}

/** Runs `operations` while the simulator holds its answers, releasing once `ready` holds. */
async function overlapping<T>(harness: Harness, operations: () => Promise<T>, ready: () => Promise<boolean>, what: string): Promise<T> {
  const release = harness.simulator.hold();
  try {
    const done = operations();
    await until(ready, what);
    release();
    return await done;
  } finally {
    release();
  }
}

describe('coalescing identical in-flight calls', () => {
  it('makes one upstream call for identical operations of the same caller that overlap in time', async () => {
    await withHarness({ simulator: { tokens } }, async (harness) => {
      const totals = await overlapping(
        harness,
        () => Promise.all(Array.from({ length: 6 }, () => totalOf(harness))),
        async () => (await sharedReads(harness, 'coalesced')) === 5,
        "five operations to join the first one's call",
      );
      expect(totals).toEqual(Array.from({ length: 6 }, () => 57));
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  it('never shares a call between callers with different credentials', async () => {
    await withHarness({ simulator: { tokens } }, async (harness) => {
      await overlapping(
        harness,
        () => Promise.all([totalOf(harness, 'demo-token'), totalOf(harness, 'other-token'), totalOf(harness, 'demo-token'), totalOf(harness, 'other-token')]),
        async () => harness.simulator.inFlight === 2 && (await sharedReads(harness, 'coalesced')) === 2,
        'one call per caller, each joined once',
      );
      expect(harness.simulator.calls.map((call) => call.token).sort()).toEqual(['demo-token', 'other-token']);
    });
  });

  it('keeps a shared call going for the operations still waiting when one client goes away', async () => {
    await withHarness({ simulator: { tokens } }, async (harness) => {
      const release = harness.simulator.hold();
      try {
        // The leaving client on a connection of its own, which it closes when it goes.
        const body = JSON.stringify({ query: QUERY });
        const leaving = http.request(harness.url, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-auth-token': 'demo-token' },
        });
        leaving.on('error', () => undefined);
        leaving.end(body);
        const staying = totalOf(harness);
        await until(async () => harness.simulator.inFlight === 1 && (await sharedReads(harness, 'coalesced')) === 1, 'both operations to wait for one call');
        leaving.destroy();
        await until(async () => (await openConnections(harness)) === 1, 'the gateway to see the leaving client go');
        release();
        expect(await staying).toBe(57);
      } finally {
        release();
      }
      expect(harness.simulator.callCount).toBe(1);
      expect(harness.simulator.abandonedCount).toBe(0);
    });
  });
});

describe('the page cache (CACHE_TTL_SECONDS)', () => {
  it('is off by default: every operation reads the upstream', async () => {
    await withHarness({ simulator: { tokens } }, async (harness) => {
      await totalOf(harness);
      await totalOf(harness);
      expect(harness.simulator.callCount).toBe(2);
    });
  });

  it('serves a repeated page from the cache within the TTL, per caller', async () => {
    await withHarness({ env: { CACHE_TTL_SECONDS: '60' }, simulator: { tokens } }, async (harness) => {
      await totalOf(harness);
      await totalOf(harness);
      expect(harness.simulator.callCount).toBe(1);
      await totalOf(harness, 'other-token');
      expect(harness.simulator.callCount).toBe(2);
      expect(await sharedReads(harness, 'cache')).toBe(1);
      const metrics = await (await fetch(`${harness.origin}/metrics`)).text();
      expect(metrics).toMatch(/page_reads_shared_total\{how="cache"\} 1/);
    });
  });
});

describe('automatic persisted queries', () => {
  it('registers a query by its hash and then serves it by hash alone', async () => {
    await withHarness({}, async (harness) => {
      const sha256Hash = createHash('sha256').update(QUERY).digest('hex');
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      const post = (body: unknown) =>
        fetch(harness.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' }, body: JSON.stringify(body) }).then(
          async (response) => (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
        );
      expect((await post({ extensions })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      // With HTTP 200, as the error table says (docs/errors-and-reliability.md) (Apollo's answer, for APQ clients to retry with the text).
      expect(
        (
          await fetch(harness.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
            body: JSON.stringify({ extensions }),
          })
        ).status,
      ).toBe(200);
      expect((await post({ query: QUERY, extensions })).data).toEqual({ captureTasks: expect.objectContaining({ totalCount: 57 }) });
      expect((await post({ extensions })).data).toEqual({ captureTasks: expect.objectContaining({ totalCount: 57 }) });
    });
  });
});

// Tokens and the persisted query are new on every run, so a Redis given by REDIS_URL that served an
// earlier run cannot answer from that run's entries.
const run = randomUUID().slice(0, 8);
const runTokens = { first: `demo-token-${run}`, other: `other-token-${run}` };

/** Resolves once `harness` registers a persisted query in Redis and reads it back: its client is connected. */
async function storeReady(harness: Harness): Promise<void> {
  const query = `query Ready_${run}_${randomUUID().slice(0, 8)} { __typename }`;
  const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
  const send = async (body: unknown) =>
    (
      await fetch(harness.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': runTokens.first }, body: JSON.stringify(body) })
    ).json();
  await until(async () => {
    await send({ query, extensions });
    // Compared as text: the answer's objects come from another realm than the test's (jest's VM).
    return JSON.stringify(await send({ extensions })) === '{"data":{"__typename":"Query"}}';
  }, 'the instance to store through Redis');
}

describeWithRedis('a Redis store shared by two gateway instances', (startRedis) => {
  let redis: RedisServer;
  let first: Harness;
  let second: Harness;
  beforeAll(async () => {
    redis = await startRedis();
    // Sharing is under test, not Redis's timeout: a loaded CI machine must not make a command a miss.
    const env = { REDIS_URL: redis.url, CACHE_TTL_SECONDS: '30', REDIS_COMMAND_TIMEOUT_MS: '5000' };
    const simulator = {
      tokens: new Map([
        [runTokens.first, {}],
        [runTokens.other, {}],
      ]),
    };
    first = await startHarness({ env, simulator });
    second = await startHarness({ env, simulator });
    // Each instance connects to Redis in the background, and until it has, a store is a miss
    // (never a wait): the tests start once both have written and read back through Redis.
    await storeReady(first);
    await storeReady(second);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await redis.stop();
  });

  it('shares pages: the second instance answers from what the first read', async () => {
    expect(await totalOf(first, runTokens.first)).toBe(57);
    expect(first.simulator.callCount).toBe(1);
    // The first instance stores the page after answering: wait for this run's page in Redis, with its TTL.
    const client = new Redis(redis.url);
    try {
      let keys: string[] = [];
      await until(
        async () => (keys = await client.keys(`page:v1:${credentialKeyOf({ kind: 'token', token: runTokens.first })}*`)).length === 1,
        'the page to be stored in Redis',
      );
      const ttl = await client.ttl(keys[0] ?? '');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
    } finally {
      client.disconnect();
    }
    expect(await totalOf(second, runTokens.first)).toBe(57);
    expect(second.simulator.callCount).toBe(0);
    // Another caller's read is never served from the first caller's entry.
    expect(await totalOf(second, runTokens.other)).toBe(57);
    expect(second.simulator.callCount).toBe(1);
  });

  it('shares persisted queries: a hash registered on one instance works on the other', async () => {
    const query = `{ run_${run}: captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.single}", first: 1) { totalCount } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const send = (harness: Harness, body: unknown) =>
      fetch(harness.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': runTokens.first }, body: JSON.stringify(body) }).then(
        async (response) => await response.json(),
      );
    expect(await send(second, { extensions })).toEqual({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }) })],
    });
    expect(await send(first, { query, extensions })).toEqual({ data: { [`run_${run}`]: { totalCount: 1 } } });
    expect(await send(second, { extensions })).toEqual({ data: { [`run_${run}`]: { totalCount: 1 } } });
  });
});

describe('Redis down', () => {
  it('bypasses the cache with a warning and never fails an operation', async () => {
    const { lines, sink } = memorySink();
    const port = await freePort();
    await withHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_TTL_SECONDS: '30' }, logger: createLogger('warn', sink) }, async (harness) => {
      expect(await totalOf(harness)).toBe(57);
      expect(await totalOf(harness)).toBe(57);
      // Both read the upstream: nothing was cached, and nothing failed or waited on Redis.
      expect(harness.simulator.callCount).toBe(2);
      expect(await sharedReads(harness, 'cache')).toBe(0);
    });
    expect(lines.join('')).toContain('caching is bypassed');
    // One line for the refused connection however often ioredis retries it, one for the breaker; none per operation.
    expect(lines.filter((line) => line.includes('"cache":"redis"')).map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'Redis connection failed; reconnecting, and caching is bypassed while it is down',
      'Redis did not answer 3 commands in a row; caching is bypassed, with a probe every 5000 ms',
    ]);
  });
});
