// The capture lifecycle's pure timeline: status, size, days and the next change, on a given instant.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  captureEndOf,
  captureSizeOf,
  cfwDateOf,
  DAY_MS,
  ENDING_MS,
  ManualClock,
  modifiedAt,
  nextChangeAfter,
  packetsAt,
  PACKETS_PER_SECOND,
  remainingDaysAt,
  scaledClock,
  statusAt,
  timeScaleOf,
  utcDayOf,
  type CaptureTimeline,
} from '../../src/simulator/timeline.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MINUTE = 60_000;
const threeMinutes: CaptureTimeline = { createdAt: T0, durationMs: 3 * MINUTE, maxPackets: 1_000_000 };

describe('statusAt', () => {
  it('is RUNNING (2) for the duration, ENDING (5) for ENDING_MS, then SUCCESSFUL (1)', () => {
    expect(statusAt(threeMinutes, T0)).toBe(2);
    expect(statusAt(threeMinutes, T0 + 3 * MINUTE - 1)).toBe(2);
    expect(statusAt(threeMinutes, T0 + 3 * MINUTE)).toBe(5);
    expect(statusAt(threeMinutes, T0 + 3 * MINUTE + ENDING_MS - 1)).toBe(5);
    expect(statusAt(threeMinutes, T0 + 3 * MINUTE + ENDING_MS)).toBe(1);
    expect(statusAt(threeMinutes, T0 + 30 * DAY_MS)).toBe(1);
  });

  it('after a stop is ENDING at once, then STOPPED (4)', () => {
    const stopped = { ...threeMinutes, stoppedAt: T0 + MINUTE };
    expect(statusAt(stopped, T0 + MINUTE - 1)).toBe(2);
    expect(statusAt(stopped, T0 + MINUTE)).toBe(5);
    expect(statusAt(stopped, T0 + MINUTE + ENDING_MS)).toBe(4);
    expect(captureEndOf(stopped)).toBe(T0 + MINUTE);
  });
});

describe('packetsAt and captureSizeOf', () => {
  it('grow by whole seconds while running and stop growing at the end of the capture', () => {
    expect(packetsAt(threeMinutes, T0)).toBe(0);
    expect(packetsAt(threeMinutes, T0 + 999)).toBe(0);
    expect(packetsAt(threeMinutes, T0 + 1000)).toBe(PACKETS_PER_SECOND);
    expect(packetsAt(threeMinutes, T0 + 3 * MINUTE)).toBe(180 * PACKETS_PER_SECOND);
    expect(packetsAt(threeMinutes, T0 + DAY_MS)).toBe(180 * PACKETS_PER_SECOND);
    expect(packetsAt({ ...threeMinutes, stoppedAt: T0 + 10_500 }, T0 + DAY_MS)).toBe(10 * PACKETS_PER_SECOND);
  });

  it('never pass max_packets', () => {
    expect(packetsAt({ ...threeMinutes, maxPackets: 120 }, T0 + 2 * MINUTE)).toBe(120);
  });

  it('read "--" before the first packet of a running task, then kb, then mb with one decimal', () => {
    expect(captureSizeOf(0, true)).toBe('--');
    expect(captureSizeOf(0, false)).toBe('0kb');
    expect(captureSizeOf(50, true)).toBe('25kb');
    expect(captureSizeOf(2047, false)).toBe('1024kb');
    expect(captureSizeOf(3000, false)).toBe('1.5mb');
  });
});

describe('remainingDaysAt', () => {
  it('counts down from 7 by whole days since creation and stops at 0', () => {
    expect(remainingDaysAt(threeMinutes, T0)).toBe(7);
    expect(remainingDaysAt(threeMinutes, T0 + DAY_MS - 1)).toBe(7);
    expect(remainingDaysAt(threeMinutes, T0 + DAY_MS)).toBe(6);
    expect(remainingDaysAt(threeMinutes, T0 + 7 * DAY_MS)).toBe(0);
    expect(remainingDaysAt(threeMinutes, T0 + 70 * DAY_MS)).toBe(0);
  });
});

describe('modifiedAt', () => {
  it('is the last status change (or the deletion) so far', () => {
    expect(modifiedAt(threeMinutes, T0 + MINUTE)).toBe(T0);
    expect(modifiedAt(threeMinutes, T0 + 3 * MINUTE + 1)).toBe(T0 + 3 * MINUTE);
    expect(modifiedAt(threeMinutes, T0 + DAY_MS)).toBe(T0 + 3 * MINUTE + ENDING_MS);
    expect(modifiedAt({ ...threeMinutes, deletedAt: T0 + DAY_MS }, T0 + DAY_MS)).toBe(T0 + DAY_MS);
  });
});

describe('nextChangeAfter', () => {
  it('is the next second while packets grow, the end, the end of ENDING, then day boundaries', () => {
    expect(nextChangeAfter(threeMinutes, T0, 60_000)).toBe(T0 + 1000);
    expect(nextChangeAfter(threeMinutes, T0 + 1500, 60_000)).toBe(T0 + 2000);
    expect(nextChangeAfter({ ...threeMinutes, maxPackets: 50 }, T0 + 1500, 60_000)).toBe(T0 + 3 * MINUTE);
    expect(nextChangeAfter(threeMinutes, T0 + 3 * MINUTE, 60_000)).toBe(T0 + 3 * MINUTE + ENDING_MS);
    expect(nextChangeAfter(threeMinutes, T0 + 3 * MINUTE + ENDING_MS, 60_000)).toBe(T0 + DAY_MS);
    expect(nextChangeAfter(threeMinutes, T0 + 7 * DAY_MS, 60_000)).toBe(Infinity);
    expect(nextChangeAfter({ ...threeMinutes, deletedAt: T0 + 4 * MINUTE }, T0 + 4 * MINUTE, 60_000)).toBe(T0 + 5 * MINUTE);
  });

  const view = (timeline: CaptureTimeline, now: number) => {
    const status = statusAt(timeline, now);
    return [status, captureSizeOf(packetsAt(timeline, now), status === 2), remainingDaysAt(timeline, now), modifiedAt(timeline, now)].join('|');
  };

  it('misses no change: what the list shows is constant from now until the next change (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.option(fc.integer({ min: 0, max: 60 * MINUTE - 1 }), { nil: undefined }),
        // Mostly while running or ending, sometimes days later.
        fc.oneof(fc.integer({ min: 0, max: 62 * MINUTE }), fc.integer({ min: 0, max: 9 * DAY_MS })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (minutes, maxPackets, stopAfter, offset, fraction) => {
          const timeline: CaptureTimeline = {
            createdAt: T0,
            durationMs: minutes * MINUTE,
            maxPackets,
            stoppedAt: stopAfter === undefined || stopAfter >= minutes * MINUTE ? undefined : T0 + stopAfter,
          };
          const now = T0 + offset;
          const next = nextChangeAfter(timeline, now, 60_000);
          expect(next).toBeGreaterThan(now);
          const last = next === Infinity ? now + 30 * DAY_MS : next - 1;
          expect(view(timeline, last)).toBe(view(timeline, now));
          expect(view(timeline, now + Math.floor((last - now) * fraction))).toBe(view(timeline, now));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('changes status, days or kilobytes exactly at the next change', () => {
    for (const now of [T0, T0 + 1500, T0 + 3 * MINUTE, T0 + 3 * MINUTE + ENDING_MS, T0 + 2 * DAY_MS + 7]) {
      const next = nextChangeAfter(threeMinutes, now, 60_000);
      expect(view(threeMinutes, next)).not.toBe(view(threeMinutes, now));
    }
  });
});

describe('dates and days', () => {
  it('writes CFW dates in UTC without a zone', () => {
    expect(cfwDateOf(Date.UTC(2024, 7, 31, 10, 17, 30))).toBe('2024/08/31 10:17:30');
  });

  it('counts UTC days: the quota day turns at 00:00 UTC', () => {
    expect(utcDayOf(Date.UTC(2026, 0, 5, 23, 59, 59))).toBe(utcDayOf(Date.UTC(2026, 0, 5, 0, 0, 0)));
    expect(utcDayOf(Date.UTC(2026, 0, 6, 0, 0, 0))).toBe(utcDayOf(Date.UTC(2026, 0, 5)) + 1);
  });
});

describe('clocks', () => {
  it('scaledClock runs `scale` times faster than the wall clock it is given', () => {
    let wall = 1_000;
    const clock = scaledClock(60, () => wall);
    expect(clock()).toBe(1_000);
    wall += 3_000;
    expect(clock()).toBe(1_000 + 180_000);
  });

  it.each([[0], [-1], [Number.NaN], [Infinity]])('scaledClock refuses the scale %p', (scale) => {
    expect(() => scaledClock(scale)).toThrow(new RangeError(`the time scale must be a positive number, got ${scale}`));
  });

  it('ManualClock moves only when told, and only forward', () => {
    const clock = new ManualClock(T0);
    expect(clock.now()).toBe(T0);
    clock.advance(5_000);
    expect(clock.now()).toBe(T0 + 5_000);
    expect(() => {
      clock.advance(-1);
    }).toThrow('a clock only moves forward, got -1 ms');
  });

  it.each([
    ['60', 60],
    ['1', 1],
    ['0.5', 0.5],
  ])('timeScaleOf(%p) is %p', (text, scale) => {
    expect(timeScaleOf(text)).toBe(scale);
  });

  it.each([[''], ['0'], ['-3'], ['fast'], ['1e3'], ['2000000']])('timeScaleOf(%p) is an Error naming the flag and the value', (text) => {
    expect(timeScaleOf(text)).toEqual(new Error(`--time-scale must be a positive number up to 1000000, got ${JSON.stringify(text)}`));
  });
});
