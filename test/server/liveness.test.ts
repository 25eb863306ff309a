// Liveness as a pure decision on an injected clock: a late tick (a blocked event loop) fails it, an
// overdue tick too, and the next punctual tick makes it pass again.
import { describe, expect, it } from '@jest/globals';
import { LoopDelayWatch } from '../../src/server/liveness.ts';

describe('the event-loop watch behind /healthz', () => {
  const options = { intervalMs: 1_000, maxDelayMs: 5_000 };

  it('is live while ticks come on time', () => {
    const watch = new LoopDelayWatch(options, 0);
    watch.tick(1_000);
    watch.tick(2_004);
    expect(watch.delayMs(2_500)).toBe(4);
    expect(watch.live(2_500)).toBe(true);
  });

  it('is not live after a tick that came later than the bound, and is again after a punctual one', () => {
    const watch = new LoopDelayWatch(options, 0);
    watch.tick(7_500);
    expect(watch.delayMs(7_500)).toBe(6_500);
    expect(watch.live(7_500)).toBe(false);
    watch.tick(8_500);
    expect(watch.live(8_500)).toBe(true);
  });

  it('is not live when the next tick is overdue past the bound', () => {
    const watch = new LoopDelayWatch(options, 0);
    watch.tick(1_000);
    expect(watch.live(7_000)).toBe(true);
    expect(watch.live(7_001)).toBe(false);
  });
});
