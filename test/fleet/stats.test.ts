// The load's records per event window: what overlaps it, percentiles, in-flight requests, recovery.
import { describe, expect, it } from '@jest/globals';
import { ANSWERED } from './outcome.ts';
import { failuresOf, inFlightAt, overlaps, percentile, recoveredAt, successRate, summarize, type RequestRecord } from './stats.ts';

const record = (start: number, end: number, overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  caller: 'a',
  op: 'read',
  start,
  end,
  class: 'ok',
  ...overrides,
});

describe('percentile', () => {
  it('is the nearest rank, whatever the order given', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(values[0]).toBe(100);
  });

  it('is undefined for no values, and refuses a percentile out of range', () => {
    expect(percentile([], 99)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow('a percentile is over 0 and at most 100, got 0');
    expect(() => percentile([1], 101)).toThrow('got 101');
  });
});

describe('windows', () => {
  it('holds every request in flight at any time during it', () => {
    const window = { from: 100, to: 200 };
    expect(overlaps(record(50, 100), window)).toBe(true);
    expect(overlaps(record(50, 99), window)).toBe(false);
    expect(overlaps(record(150, 160), window)).toBe(true);
    expect(overlaps(record(199, 300), window)).toBe(true);
    expect(overlaps(record(200, 300), window)).toBe(false);
    expect(overlaps(record(0, 1000), window)).toBe(true);
  });

  it('counts by class and code, latency over the chosen requests only', () => {
    const records = [
      record(0, 10),
      record(0, 20),
      record(5, 25, { class: 'typed-error', code: 'UPSTREAM_UNAVAILABLE' }),
      record(5, 45, { class: 'balancer', code: '502', caller: 'b' }),
      record(500, 501),
    ];
    const summary = summarize(records, { from: 0, to: 100 });
    expect(summary.requests).toBe(4);
    expect(summary.byClass).toEqual({ ok: 2, 'user-error': 0, 'rate-limited': 0, 'typed-error': 1, untyped: 0, balancer: 1, connection: 0 });
    expect(summary.codes).toEqual({ 'typed-error:UPSTREAM_UNAVAILABLE': 1, 'balancer:502': 1 });
    expect([summary.p50, summary.p99, summary.max]).toEqual([20, 40, 40]);
    expect(failuresOf(summary, ANSWERED)).toBe(2);
    expect(successRate(summary, ANSWERED)).toBe(0.5);
    expect(summarize(records, { from: 0, to: 100 }, (one) => one.caller === 'b').requests).toBe(1);
  });

  it('has no latency and a success rate of 1 without requests', () => {
    const summary = summarize([], { from: 0, to: 1 });
    expect([summary.requests, summary.p50, summary.p99, summary.max]).toEqual([0, undefined, undefined, undefined]);
    expect(successRate(summary, ANSWERED)).toBe(1);
  });
});

describe('inFlightAt', () => {
  it('is what was sent by then and answered after', () => {
    const sent = [record(0, 10), record(5, 15), record(10, 20), record(11, 12)];
    expect(inFlightAt(sent, 10)).toEqual([record(5, 15), record(10, 20)]);
  });
});

describe('recoveredAt', () => {
  it('is the start of the first request after the last failure', () => {
    const records = [
      record(100, 110, { class: 'typed-error', code: 'UPSTREAM_UNAVAILABLE' }),
      record(120, 121),
      record(130, 140, { class: 'typed-error' }),
      record(150, 151),
      record(160, 161),
    ];
    expect(recoveredAt(records, 100, ANSWERED)).toBe(150);
  });

  it('is the given instant when nothing failed after it, and undefined when the last request failed', () => {
    expect(recoveredAt([record(0, 5, { class: 'connection' }), record(120, 121)], 100, ANSWERED)).toBe(100);
    expect(recoveredAt([record(120, 121), record(130, 131, { class: 'balancer' })], 100, ANSWERED)).toBeUndefined();
  });
});
