// The 429 hold-off as a pure decision on an injected clock, and through a real gateway: after CFW
// throttles, the next operation makes no upstream call at all and gets a typed error saying when.
import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { DEFAULT_HOLD_OFF_MS, retryAfterMsOf, ThrottleGate } from '../../src/upstream/throttle.ts';
import { withHarness } from '../helpers/harness.ts';

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-12-06T00:00:00Z');
    expect(retryAfterMsOf('3', now)).toBe(3_000);
    expect(retryAfterMsOf(' 0 ', now)).toBe(0);
    expect(retryAfterMsOf('Sun, 06 Dec 2026 00:00:02 GMT', now)).toBe(2_000);
    expect(retryAfterMsOf('Sat, 05 Dec 2026 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMsOf('soon', now)).toBeUndefined();
    expect(retryAfterMsOf('-1', now)).toBeUndefined();
    expect(retryAfterMsOf(undefined, now)).toBeUndefined();
  });
});

describe('the hold-off gate', () => {
  it('lets calls go until a 429, then holds them off for its Retry-After, capped, and lets them go again', () => {
    let now = 0;
    const gate = new ThrottleGate(5_000, () => now);
    expect(gate.refusal()).toBeUndefined();
    gate.throttled('2');
    expect(gate.remainingMs()).toBe(2_000);
    const refusal = gate.refusal();
    expect(refusal?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(refusal?.message).toMatch(/holds off calling it for 2 s/);
    expect(refusal?.upstream).toEqual({ status: 429, errorCode: 'APIGW.0308', attempts: 0 });
    now = 2_000;
    expect(gate.refusal()).toBeUndefined();
    gate.throttled('3600');
    expect(gate.remainingMs()).toBe(5_000);
    now = 10_000;
    gate.throttled(undefined);
    expect(gate.remainingMs()).toBe(DEFAULT_HOLD_OFF_MS);
  });

  it('never shortens a hold-off already running', () => {
    let now = 0;
    const gate = new ThrottleGate(60_000, () => now);
    gate.throttled('10');
    now = 1_000;
    gate.throttled('1');
    expect(gate.remainingMs()).toBe(9_000);
  });
});

describe('a throttled CFW behind a real gateway', () => {
  const LIST = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`;

  it('holds the next operation off without an upstream call, instead of adding attempts to the throttled account', async () => {
    await withHarness({ skipRetryWaits: true, env: { CFW_RETRIES: '2' } }, async (harness) => {
      harness.simulator.faults.push({ kind: 'rate-limit', retryAfterSeconds: 2, times: Infinity });
      const first = await harness.gql(LIST);
      expect(first.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
      const callsAfterFirst = harness.simulator.callCount;
      expect(callsAfterFirst).toBe(3);
      const second = await harness.gql(LIST);
      expect(harness.simulator.callCount).toBe(callsAfterFirst);
      expect(second.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        upstream: { status: 429, errorCode: 'APIGW.0308', attempts: 0 },
      });
      expect(second.body.errors?.[0]?.message).toMatch(/holds off calling it for [12] s/);
      // A throttled account is CFW answering: the breaker stays closed and the instance ready.
      expect(harness.upstream.guard.state()).toBe('closed');
      harness.simulator.faults.length = 0;
    });
  });
});
