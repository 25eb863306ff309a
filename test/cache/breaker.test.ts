// The Redis store's breaker as a pure decision, on an injected clock.
import { describe, expect, it } from '@jest/globals';
import { StoreBreaker, type StoreBreakerState } from '../../src/cache/breaker.ts';

function breakerAt(threshold = 3, openMs = 5_000) {
  let now = 0;
  const changes: string[] = [];
  const breaker = new StoreBreaker({
    threshold,
    openMs,
    now: () => now,
    onStateChange: (state: StoreBreakerState, previous: StoreBreakerState) => changes.push(`${previous}→${state}`),
  });
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

describe('the store breaker', () => {
  it('stays closed while failures are fewer than the threshold in a row', () => {
    const { breaker, changes } = breakerAt(3);
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    expect(changes).toEqual([]);
  });

  it('opens after the threshold of consecutive failures and bypasses every command, counting them', () => {
    const { breaker, changes, advance } = breakerAt(3, 5_000);
    for (let i = 0; i < 3; i += 1) breaker.failed();
    expect(breaker.state).toBe('open');
    expect([breaker.allow(), breaker.allow()]).toEqual([false, false]);
    advance(4_999);
    expect(breaker.allow()).toBe(false);
    expect(breaker.bypassed).toBe(3);
    // Late failures of commands sent before it opened change nothing.
    breaker.failed();
    expect(changes).toEqual(['closed→open']);
  });

  it('lets exactly one probe through after openMs: an answer closes it', () => {
    const { breaker, changes, advance } = breakerAt(1, 5_000);
    breaker.failed();
    advance(5_000);
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(false);
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect([breaker.allow(), breaker.allow()]).toEqual([true, true]);
    expect(changes).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
  });

  it('opens again for another openMs when the probe fails', () => {
    const { breaker, changes, advance } = breakerAt(1, 5_000);
    breaker.failed();
    advance(5_000);
    expect(breaker.allow()).toBe(true);
    breaker.failed();
    expect(breaker.state).toBe('open');
    advance(4_999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
    expect(changes).toEqual(['closed→open', 'open→half-open', 'half-open→open', 'open→half-open']);
  });
});
