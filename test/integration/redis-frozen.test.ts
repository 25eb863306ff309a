// A frozen Redis (SIGSTOP: its socket stays open, nothing answers) against a gateway that uses it for
// pages and persisted queries: the store's breaker opens after REDIS_BREAKER_THRESHOLD timed-out
// commands, operations then run as fast as a Redis-less gateway's, the log holds a handful of lines
// (none per operation, no stack), and caching comes back after Redis thaws.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { describeWithOwnRedis, type OwnRedisServer } from '../helpers/redis.ts';
import { memorySink } from '../helpers/log.ts';

const QUERY = `query Page { captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 20) { totalCount edges { node { id name status } } } }`;
const HASH = createHash('sha256').update(QUERY).digest('hex');

/** One operation through APQ (the hash with its query: a store read and write) and the page cache; its duration in ms. */
async function timedOperation(harness: Harness): Promise<number> {
  const started = performance.now();
  const result = await harness.gql(QUERY, undefined, { 'x-auth-token': 'demo-token' });
  const duration = performance.now() - started;
  expect(result.body.errors).toBeUndefined();
  expect((result.body.data?.['captureTasks'] as { totalCount: number }).totalCount).toBe(57);
  return duration;
}

async function apq(harness: Harness): Promise<unknown> {
  const response = await fetch(harness.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
    body: JSON.stringify({ query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }),
  });
  return ((await response.json()) as { data?: unknown }).data;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function metric(harness: Harness, name: string): Promise<number> {
  const text = await (await fetch(`${harness.origin}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

describeWithOwnRedis('Redis frozen by SIGSTOP', (startRedis) => {
  let redis: OwnRedisServer;
  let withRedis: Harness;
  let redisLess: Harness;
  const { lines, sink } = memorySink();
  const figures: Record<string, number> = {};
  /** How far the store breaker's clock runs ahead of Date.now. */
  let storeClockAhead = 0;

  beforeAll(async () => {
    redis = await startRedis();
    const tokens = new Map([['demo-token', {}]]);
    // 300 ms, not the default 100: on a loaded CI machine a healthy command can take over 100 ms.
    withRedis = await startHarness({
      env: { REDIS_URL: redis.url, CACHE_TTL_SECONDS: '30', REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_BREAKER_OPEN_MS: '1000' },
      simulator: { tokens },
      logger: createLogger('info', sink),
      storeClock: () => Date.now() + storeClockAhead,
    });
    redisLess = await startHarness({ simulator: { tokens } });
  });
  afterAll(async () => {
    await withRedis.close();
    await redisLess.close();
    await redis.stop();
    process.stdout.write(`frozen Redis: ${JSON.stringify(figures)}\n`);
  });

  it('opens the breaker after 3 timed-out commands, then runs within 2× of a Redis-less gateway, with a handful of log lines', async () => {
    // Warm both (JIT, sockets, Redis connection), and fill Redis with the page and the persisted query.
    for (let i = 0; i < 5; i += 1) {
      await timedOperation(withRedis);
      await timedOperation(redisLess);
      expect(await apq(withRedis)).toBeDefined();
    }
    const callsWarm = withRedis.simulator.callCount;
    expect(await timedOperation(withRedis)).toBeGreaterThan(0);
    expect(withRedis.simulator.callCount).toBe(callsWarm); // served from Redis while it answers
    const linesBefore = lines.length;

    redis.freeze();
    const frozenAt = performance.now();
    let operationsToOpen = 0;
    while ((await metric(withRedis, 'cache_store_breaker_state')) !== 2) {
      expect(await apq(withRedis)).toBeDefined();
      operationsToOpen += 1;
      expect(operationsToOpen).toBeLessThan(10);
    }
    figures['operationsToOpen'] = operationsToOpen;
    figures['msToOpen'] = Math.round(performance.now() - frozenAt);

    // Interleaved, so that whatever else the machine does falls on both alike.
    const frozen: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      frozen.push(await timedOperation(withRedis));
      without.push(await timedOperation(redisLess));
    }
    figures['p50FrozenMs'] = Math.round(median(frozen) * 10) / 10;
    figures['p50RedisLessMs'] = Math.round(median(without) * 10) / 10;
    expect(median(frozen)).toBeLessThanOrEqual(2 * median(without));
    expect(await metric(withRedis, 'cache_store_bypassed_total')).toBeGreaterThan(40);

    const storeLines = lines.slice(linesBefore).filter((line) => !line.includes('"msg":"operation"'));
    figures['logLines'] = storeLines.length;
    expect(storeLines.filter((line) => line.includes('"level":40'))).toHaveLength(1);
    expect(storeLines.join('')).toContain('caching is bypassed');
    expect(storeLines.join('')).not.toMatch(/stack|persisted/i);
  });

  it('caches again once Redis answers: the next probe closes the breaker', async () => {
    redis.thaw();
    // The probe comes REDIS_BREAKER_OPEN_MS (1 s here) after the last failure, by the store breaker's
    // clock: the test moves that clock past it before each operation instead of waiting.
    let operationsToClose = 0;
    while ((await metric(withRedis, 'cache_store_breaker_state')) !== 0) {
      storeClockAhead += 1_000;
      await timedOperation(withRedis);
      operationsToClose += 1;
      expect(operationsToClose).toBeLessThan(10);
    }
    figures['operationsToClose'] = operationsToClose;
    await timedOperation(withRedis);
    const calls = withRedis.simulator.callCount;
    await timedOperation(withRedis);
    expect(withRedis.simulator.callCount).toBe(calls);
    expect(lines.join('')).toContain('Redis answers again; caching is back');
  });
});
