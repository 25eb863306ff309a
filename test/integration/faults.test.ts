// The upstream on a bad day: each simulator fault gives the documented error, or succeeds after
// retries where it should; retries never exceed their budget. Time is never measured here: waits
// are asserted as the delays the retry policy chose, the breaker's clock is a fake Date, and
// overlapping calls are held by the simulator and counted.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import type { Fault } from '../../src/simulator/faults.ts';
import { fakeDateOnly } from '../helpers/clock.ts';
import { withHarness, type GraphQLResult, type Harness } from '../helpers/harness.ts';
import { until } from '../helpers/until.ts';

const QUERY = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount } }`;

function ask(harness: Harness): Promise<GraphQLResult> {
  return harness.gql(QUERY);
}

function errorOf(result: GraphQLResult) {
  expect(result.body.errors).toHaveLength(1);
  return result.body.errors?.[0];
}

describe('faults that recover within the retry budget', () => {
  const recovering: [string, Fault[], number][] = [
    ['503 twice', [{ kind: 'status', status: 503, times: 2 }], 3],
    ['502 once', [{ kind: 'status', status: 502 }], 2],
    ['504 once', [{ kind: 'status', status: 504 }], 2],
    ['CFW.00109004 (transient) once', [{ kind: 'status', status: 400, errorCode: 'CFW.00109004' }], 2],
    ['a reset connection once', [{ kind: 'reset' }], 2],
    ['429 with Retry-After: 1', [{ kind: 'rate-limit', retryAfterSeconds: 1 }], 2],
  ];
  it.each(recovering)('%s: the page is served, after %#', async (_name, faults, calls) => {
    await withHarness({ simulator: { faults }, skipRetryWaits: true }, async (harness) => {
      const result = await ask(harness);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data).toEqual({ captureTasks: { totalCount: 57 } });
      expect(harness.simulator.callCount).toBe(calls);
      expect(harness.retryDelays).toHaveLength(calls - 1);
    });
  });

  it('waits out a Retry-After of one second before retrying', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'rate-limit', retryAfterSeconds: 1 }] }, skipRetryWaits: true }, async (harness) => {
      const result = await ask(harness);
      expect(result.body.errors).toBeUndefined();
      // got read the header; the policy asked for exactly that wait (the harness then skips it).
      expect(harness.retryDelays).toEqual([1000]);
    });
  });
});

describe('faults that fail with the documented error', () => {
  it('503 on every attempt: UPSTREAM_UNAVAILABLE after 3 attempts, never more', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'status', status: 503, times: 10 }] } }, async (harness) => {
      const error = errorOf(await ask(harness));
      expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 503, errorCode: 'APIGW.0203', attempts: 3 } });
      expect(harness.simulator.callCount).toBe(3);
    });
  });

  it('honours CFW_RETRIES', async () => {
    await withHarness({ env: { CFW_RETRIES: '0' }, simulator: { faults: [{ kind: 'status', status: 503, times: 10 }] } }, async (harness) => {
      expect(errorOf(await ask(harness))?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { attempts: 1 } });
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  it('a Retry-After beyond CFW_MAX_RETRY_AFTER_MS fails at once instead of waiting', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'rate-limit', retryAfterSeconds: 60 }] } }, async (harness) => {
      const result = await ask(harness);
      expect(errorOf(result)?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 429, attempts: 1 } });
      // The policy chose no wait at all (0: do not retry), so nothing was slept on.
      expect(harness.retryDelays).toEqual([0]);
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  const neverRetried: [string, Fault, string][] = [
    ['401', { kind: 'status', status: 401 }, 'UNAUTHENTICATED'],
    ['403', { kind: 'status', status: 403 }, 'FORBIDDEN'],
    ['400 CFW.00200005', { kind: 'status', status: 400, errorCode: 'CFW.00200005' }, 'NOT_FOUND'],
    ['400 other', { kind: 'status', status: 400, errorCode: 'CFW.00200001' }, 'BAD_USER_INPUT'],
    ['404 APIGW.0101', { kind: 'status', status: 404 }, 'UPSTREAM_ERROR'],
    ['500', { kind: 'status', status: 500 }, 'UPSTREAM_ERROR'],
    ['malformed JSON', { kind: 'malformed-json' }, 'UPSTREAM_BAD_RESPONSE'],
  ];
  it.each(neverRetried)('%s is never retried and gives %s', async (_name, fault, code) => {
    await withHarness({ simulator: { faults: [{ ...fault, times: 5 }] } }, async (harness) => {
      const error = errorOf(await ask(harness));
      expect(error?.extensions?.['code']).toBe(code);
      expect(error?.path).toEqual(['captureTasks']);
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  it('a truncated body fails as unreadable or unavailable, never as a wrong page', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'truncated', times: 5 }] } }, async (harness) => {
      const error = errorOf(await ask(harness));
      expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE']).toContain(error?.extensions?.['code']);
      expect(harness.simulator.callCount).toBeLessThanOrEqual(3);
    });
  });

  it('a hung upstream ends at the deadline (CFW_TIMEOUT_MS) as UPSTREAM_TIMEOUT, its call cancelled', async () => {
    // The deadline firing is the behaviour under test; test/upstream/read.test.ts fires it by hand.
    await withHarness(
      { env: { CFW_TIMEOUT_MS: '300', CFW_RESPONSE_TIMEOUT_MS: '250' }, simulator: { faults: [{ kind: 'hang', times: 10 }] } },
      async (harness) => {
        expect(errorOf(await ask(harness))?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
        await until(() => harness.simulator.inFlight === 0, 'the hung calls to be given up');
        expect(harness.simulator.abandonedCount).toBe(harness.simulator.callCount);
        expect(harness.simulator.callCount).toBeLessThanOrEqual(2);
      },
    );
  });

  it('a slow upstream beyond the deadline is UPSTREAM_TIMEOUT, and the slow call is abandoned', async () => {
    await withHarness({ env: { CFW_TIMEOUT_MS: '200', CFW_RETRIES: '0' }, simulator: {} }, async (harness) => {
      const release = harness.simulator.hold();
      try {
        expect(errorOf(await ask(harness))?.extensions?.['code']).toBe('UPSTREAM_TIMEOUT');
        await until(() => harness.simulator.abandonedCount === 1, 'the held call to be abandoned');
        expect(harness.simulator.inFlight).toBe(0);
      } finally {
        release();
      }
    });
  });
});

describe('the circuit breaker', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('opens after consecutive failures, fails fast without calling, and closes after a good probe', async () => {
    // cockatiel times the open state with Date.now(): only Date is faked, timers and I/O stay real.
    fakeDateOnly();
    const env = { CFW_RETRIES: '0', CFW_BREAKER_THRESHOLD: '3', CFW_BREAKER_HALF_OPEN_MS: '60000' };
    await withHarness({ env, simulator: { faults: [{ kind: 'status', status: 503, times: 3 }] } }, async (harness) => {
      for (let i = 0; i < 3; i++) expect(errorOf(await ask(harness))?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(harness.simulator.callCount).toBe(3);
      const open = await ask(harness);
      expect(errorOf(open)).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { attempts: 0 } } });
      expect(errorOf(open)?.message).toContain('circuit open');
      expect(harness.simulator.callCount).toBe(3);
      jest.setSystemTime(Date.now() + 59_999);
      expect(errorOf(await ask(harness))?.message).toContain('circuit open');
      expect(harness.simulator.callCount).toBe(3);
      jest.setSystemTime(Date.now() + 1);
      const probe = await ask(harness);
      expect(probe.body.errors).toBeUndefined();
      expect((await ask(harness)).body.errors).toBeUndefined();
      expect(harness.simulator.callCount).toBe(5);
    });
  });

  it("is not opened by errors that say nothing of the upstream's health (401, not found)", async () => {
    const env = { CFW_BREAKER_THRESHOLD: '2' };
    await withHarness({ env, simulator: { faults: [{ kind: 'status', status: 401, times: 3 }] } }, async (harness) => {
      for (let i = 0; i < 3; i++) expect(errorOf(await ask(harness))?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect((await ask(harness)).body.errors).toBeUndefined();
    });
  });
});

describe('cancellation', () => {
  it('a client that disconnects cancels its upstream call', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'hang' }] } }, async (harness) => {
      const controller = new AbortController();
      const request = fetch(harness.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
        body: JSON.stringify({ query: QUERY }),
        signal: controller.signal,
      });
      await until(() => harness.simulator.callCount === 1, 'the upstream call to arrive');
      expect(harness.simulator.inFlight).toBe(1);
      controller.abort();
      await expect(request).rejects.toThrow();
      await until(() => harness.simulator.abandonedCount === 1, 'the upstream call to be cancelled');
      expect(harness.simulator.inFlight).toBe(0);
      expect(harness.simulator.callCount).toBe(1);
    });
  });
});
