// Fairness across callers: a per-caller token bucket refuses a caller over its share with 429,
// RATE_LIMITED and Retry-After before any upstream call, leaves other callers alone, is shared by
// two instances through one Redis, and falls back to each instance's own buckets while Redis is
// frozen.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';
import { Redis } from 'ioredis';
import { describeWithOwnRedis, type OwnRedisServer } from '../helpers/redis.ts';
import { until } from '../helpers/until.ts';

const LIST = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`;
const TOKENS = new Map([
  ['token-a', {}],
  ['token-b', {}],
]);
// A burst of 2 and one token back every 100 s: a third request is over the share however slowly a
// loaded machine runs the test.
const LIMIT = { CALLER_RATE_LIMIT_PER_SECOND: '0.01', CALLER_RATE_LIMIT_BURST: '2' };

const as = (token: string) => ({ 'x-auth-token': token });

describe('the per-caller rate limit on one instance', () => {
  it('refuses the caller over its burst with 429, RATE_LIMITED and Retry-After, before calling CFW, and serves another caller', async () => {
    await withHarness({ simulator: { tokens: TOKENS }, env: LIMIT }, async (harness) => {
      expect((await harness.gql(LIST, undefined, as('token-a'))).status).toBe(200);
      expect((await harness.gql(LIST, undefined, as('token-a'))).status).toBe(200);
      const callsBefore = harness.simulator.callCount;
      const refused = await harness.gql(LIST, undefined, as('token-a'));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(90);
      expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: Number(refused.headers.get('retry-after')) });
      expect(refused.body.errors?.[0]?.message).toMatch(/at most 0\.01 a second \(bursts of 2\)/);
      expect(harness.simulator.callCount).toBe(callsBefore);
      const other = await harness.gql(LIST, undefined, as('token-b'));
      expect(other.status).toBe(200);
      expect(other.body.errors).toBeUndefined();
      const metrics = await (await fetch(`${harness.origin}/metrics`)).text();
      expect(metrics).toMatch(/^caller_rate_limited_total 1$/m);
    });
  });

  it('is off unless CALLER_RATE_LIMIT_PER_SECOND is set', async () => {
    await withHarness({ simulator: { tokens: TOKENS } }, async (harness) => {
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push((await harness.gql(LIST, undefined, as('token-a'))).status);
      expect(statuses.every((status) => status === 200)).toBe(true);
    });
  });
});

describeWithOwnRedis('the per-caller rate limit across two instances sharing Redis', (startRedis) => {
  let redis: OwnRedisServer;
  let one: Harness;
  let two: Harness;

  beforeAll(async () => {
    redis = await startRedis();
    const env = { ...LIMIT, REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '50', REDIS_BREAKER_THRESHOLD: '1', REDIS_BREAKER_OPEN_MS: '60000' };
    one = await startHarness({ simulator: { tokens: TOKENS }, env });
    two = await startHarness({ simulator: { tokens: TOKENS }, env });
    // Both instances' connections are up (a command sent before would open the breaker at once).
    const observer = new Redis(redis.url);
    await until(
      async () =>
        String(await observer.call('CLIENT', 'LIST'))
          .trim()
          .split('\n').length >= 3,
      'both gateways to connect to Redis',
    );
    observer.disconnect();
  });

  afterAll(async () => {
    redis.thaw();
    await one.close();
    await two.close();
    await redis.stop();
  });

  it('spends one bucket per caller across the fleet, and each instance its own while Redis is frozen', async () => {
    expect((await one.gql(LIST, undefined, as('token-a'))).status).toBe(200);
    expect((await two.gql(LIST, undefined, as('token-a'))).status).toBe(200);
    // The burst of 2 was spent through two instances: the third, through either, is refused.
    expect((await one.gql(LIST, undefined, as('token-a'))).status).toBe(429);
    expect((await two.gql(LIST, undefined, as('token-a'))).status).toBe(429);
    redis.freeze();
    // Redis answers nothing: the first command times out and opens the store's breaker; from then
    // on each instance decides alone, with a full bucket of its own.
    const during = [];
    for (let i = 0; i < 3; i++) during.push((await one.gql(LIST, undefined, as('token-b'))).status);
    expect(during).toEqual([200, 200, 429]);
  });
});
