// The upstream on a bad day: each simulator fault gives the documented error, or succeeds after
// retries where it should, within its time bound; retries never exceed their budget.
import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import type { Fault } from '../../src/simulator/faults.ts';
import { withHarness, type GraphQLResult, type Harness } from '../helpers/harness.ts';

const QUERY = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount } }`;

async function timed(harness: Harness): Promise<{ result: GraphQLResult; ms: number }> {
  const started = performance.now();
  const result = await harness.gql(QUERY);
  return { result, ms: performance.now() - started };
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
    await withHarness({ simulator: { faults } }, async (harness) => {
      const { result } = await timed(harness);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data).toEqual({ captureTasks: { totalCount: 57 } });
      expect(harness.simulator.callCount).toBe(calls);
    });
  });

  it('waits out a Retry-After of one second before retrying', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'rate-limit', retryAfterSeconds: 1 }] } }, async (harness) => {
      const { result, ms } = await timed(harness);
      expect(result.body.errors).toBeUndefined();
      expect(ms).toBeGreaterThanOrEqual(950);
    });
  });
});

describe('faults that fail with the documented error', () => {
  it('503 on every attempt: UPSTREAM_UNAVAILABLE after 3 attempts, never more', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'status', status: 503, times: 10 }] } }, async (harness) => {
      const error = errorOf((await timed(harness)).result);
      expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 503, errorCode: 'APIGW.0203', attempts: 3 } });
      expect(harness.simulator.callCount).toBe(3);
    });
  });

  it('honours CFW_RETRIES', async () => {
    await withHarness({ env: { CFW_RETRIES: '0' }, simulator: { faults: [{ kind: 'status', status: 503, times: 10 }] } }, async (harness) => {
      expect(errorOf((await timed(harness)).result)?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { attempts: 1 } });
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  it('a Retry-After beyond CFW_MAX_RETRY_AFTER_MS fails at once instead of waiting', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'rate-limit', retryAfterSeconds: 60 }] } }, async (harness) => {
      const { result, ms } = await timed(harness);
      expect(errorOf(result)?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 429, attempts: 1 } });
      expect(ms).toBeLessThan(1000);
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
      const error = errorOf((await timed(harness)).result);
      expect(error?.extensions?.['code']).toBe(code);
      expect(error?.path).toEqual(['captureTasks']);
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  it('a truncated body fails as unreadable or unavailable, never as a wrong page', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'truncated', times: 5 }] } }, async (harness) => {
      const error = errorOf((await timed(harness)).result);
      expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE']).toContain(error?.extensions?.['code']);
      expect(harness.simulator.callCount).toBeLessThanOrEqual(3);
    });
  });

  it('a hung upstream never holds the client longer than the deadline (CFW_TIMEOUT_MS)', async () => {
    await withHarness({ env: { CFW_TIMEOUT_MS: '600', CFW_RESPONSE_TIMEOUT_MS: '250' }, simulator: { faults: [{ kind: 'hang', times: 10 }] } }, async (harness) => {
      const { result, ms } = await timed(harness);
      expect(errorOf(result)?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
      expect(ms).toBeLessThan(1500);
      expect(ms).toBeGreaterThanOrEqual(240);
    });
  });

  it('a slow upstream beyond the deadline is UPSTREAM_TIMEOUT', async () => {
    await withHarness({ env: { CFW_TIMEOUT_MS: '200', CFW_RETRIES: '0' }, simulator: { faults: [{ kind: 'latency', ms: 1000 }] } }, async (harness) => {
      const { result, ms } = await timed(harness);
      expect(errorOf(result)?.extensions?.['code']).toBe('UPSTREAM_TIMEOUT');
      expect(ms).toBeLessThan(900);
    });
  });
});

describe('the circuit breaker', () => {
  it('opens after consecutive failures, fails fast without calling, and closes after a good probe', async () => {
    const env = { CFW_RETRIES: '0', CFW_BREAKER_THRESHOLD: '3', CFW_BREAKER_HALF_OPEN_MS: '300' };
    await withHarness({ env, simulator: { faults: [{ kind: 'status', status: 503, times: 3 }] } }, async (harness) => {
      for (let i = 0; i < 3; i++) expect(errorOf((await timed(harness)).result)?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(harness.simulator.callCount).toBe(3);
      const open = await timed(harness);
      expect(errorOf(open.result)).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { attempts: 0 } } });
      expect(errorOf(open.result)?.message).toContain('circuit open');
      expect(harness.simulator.callCount).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 350));
      const probe = await timed(harness);
      expect(probe.result.body.errors).toBeUndefined();
      expect((await timed(harness)).result.body.errors).toBeUndefined();
      expect(harness.simulator.callCount).toBe(5);
    });
  });

  it('is not opened by errors that say nothing of the upstream\'s health (401, not found)', async () => {
    const env = { CFW_BREAKER_THRESHOLD: '2' };
    await withHarness({ env, simulator: { faults: [{ kind: 'status', status: 401, times: 3 }] } }, async (harness) => {
      for (let i = 0; i < 3; i++) expect(errorOf((await timed(harness)).result)?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect((await timed(harness)).result.body.errors).toBeUndefined();
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
      // Until the call reaches the simulator (a fixed 150 ms wait failed on a loaded machine).
      for (let waited = 0; waited < 5000 && harness.simulator.callCount === 0; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(harness.simulator.callCount).toBe(1);
      controller.abort();
      await expect(request).rejects.toThrow();
      for (let waited = 0; waited < 2000 && harness.simulator.abandonedCount === 0; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(harness.simulator.abandonedCount).toBe(1);
      expect(harness.simulator.callCount).toBe(1);
    });
  });
});
