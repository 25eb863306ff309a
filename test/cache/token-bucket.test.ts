// The per-caller token bucket as a pure decision on an injected clock, with its invariant as a
// property: over any run of requests, no more are admitted than the burst plus what the rate refills.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { takeToken, type BucketState } from '../../src/cache/token-bucket.ts';

const LIMITS = { perSecond: 2, burst: 3 };

describe('the token bucket', () => {
  it('admits a full burst at once, then refuses with the time until the next token', () => {
    let state: BucketState | undefined;
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const taken = takeToken(state, 1_000, LIMITS);
      state = taken.state;
      decisions.push(taken.decision);
    }
    expect(decisions).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }, { allowed: false, retryAfterMs: 500 }]);
  });

  it('refills at the rate, never beyond the burst', () => {
    let state = takeToken(undefined, 0, LIMITS).state;
    expect(state.tokens).toBe(2);
    state = takeToken(state, 250, LIMITS).state;
    expect(state.tokens).toBeCloseTo(1.5);
    // An hour of quiet fills the bucket to its burst, no more.
    state = takeToken(state, 3_600_000, LIMITS).state;
    expect(state.tokens).toBe(LIMITS.burst - 1);
  });

  it('reads a clock that went back as no time passed', () => {
    const state = takeToken(undefined, 10_000, LIMITS).state;
    expect(takeToken(state, 5_000, LIMITS).state.tokens).toBe(1);
  });

  it('never admits more than burst + rate × elapsed over any run of requests', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 200 }),
        (perSecond, burst, gaps) => {
          const limits = { perSecond, burst };
          let state: BucketState | undefined;
          let now = 0;
          let admitted = 0;
          for (const gap of gaps) {
            now += gap;
            const taken = takeToken(state, now, limits);
            state = taken.state;
            if (taken.decision.allowed) admitted += 1;
            else expect(taken.decision.retryAfterMs).toBeGreaterThan(0);
          }
          expect(admitted).toBeLessThanOrEqual(burst + Math.floor((now * perSecond) / 1000));
        },
      ),
    );
  });
});
