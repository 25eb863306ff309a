// The load's records counted per event window: requests, outcomes by class and code, latency
// percentiles, and what was in flight at an instant. Pure.
import type { OutcomeClass } from './outcome.ts';

/** What the load sends: a page read, or one step of a capture's lifecycle. */
export type Operation = 'read' | 'create' | 'stop' | 'delete';

/** One request the load sent, as it ended. Times are ms since the epoch, the same clock in every process. */
export interface RequestRecord {
  readonly caller: string;
  readonly op: Operation;
  readonly start: number;
  readonly end: number;
  readonly class: OutcomeClass;
  readonly code?: string | undefined;
  /** A create's task name: whether a create that got no answer was applied is read from the list. */
  readonly taskName?: string | undefined;
}

/** An event's time span, ms since the epoch. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

export const OUTCOME_CLASSES: readonly OutcomeClass[] = ['ok', 'user-error', 'rate-limited', 'typed-error', 'untyped', 'balancer', 'connection'];

export interface Summary {
  readonly requests: number;
  readonly byClass: Readonly<Record<OutcomeClass, number>>;
  /** `class:code` → count, for every answer that was not ok. */
  readonly codes: Readonly<Record<string, number>>;
  /** Latency percentiles in ms; undefined without requests. */
  readonly p50: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

/** The nearest-rank percentile (0 < p ≤ 100) of `values`; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`a percentile is over 0 and at most 100, got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** Whether a request overlaps the window: sent before it ended, and answered after it began. */
export function overlaps(record: RequestRecord, window: Window): boolean {
  return record.start < window.to && record.end >= window.from;
}

/** Requests sent before `instant` and answered after it. */
export function inFlightAt(records: readonly RequestRecord[], instant: number): RequestRecord[] {
  return records.filter((record) => record.start <= instant && record.end > instant);
}

/** Counts the records that overlap `window` and pass `filter`. */
export function summarize(records: readonly RequestRecord[], window: Window, filter: (record: RequestRecord) => boolean = () => true): Summary {
  const chosen = records.filter((record) => overlaps(record, window) && filter(record));
  const byClass: Record<OutcomeClass, number> = { ok: 0, 'user-error': 0, 'rate-limited': 0, 'typed-error': 0, untyped: 0, balancer: 0, connection: 0 };
  const codes: Record<string, number> = {};
  for (const record of chosen) {
    byClass[record.class] += 1;
    if (record.class !== 'ok') {
      const key = `${record.class}:${record.code ?? '?'}`;
      codes[key] = (codes[key] ?? 0) + 1;
    }
  }
  const latencies = chosen.map((record) => record.end - record.start);
  return {
    requests: chosen.length,
    byClass,
    codes,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length === 0 ? undefined : Math.max(...latencies),
  };
}

/** Requests in the summary whose class is not among `allowed`. */
export function failuresOf(summary: Summary, allowed: ReadonlySet<OutcomeClass>): number {
  return OUTCOME_CLASSES.filter((name) => !allowed.has(name)).reduce((sum, name) => sum + summary.byClass[name], 0);
}

/** The share of requests in the summary whose class is among `allowed`; 1 for none. */
export function successRate(summary: Summary, allowed: ReadonlySet<OutcomeClass>): number {
  return summary.requests === 0 ? 1 : 1 - failuresOf(summary, allowed) / summary.requests;
}

/**
 * The first instant from `from` on after which every request of `records` that started then was
 * answered in a class among `allowed`; undefined when the last one still failed.
 */
export function recoveredAt(records: readonly RequestRecord[], from: number, allowed: ReadonlySet<OutcomeClass>): number | undefined {
  const after = records.filter((record) => record.start >= from).sort((a, b) => a.start - b.start);
  let lastFailure: RequestRecord | undefined;
  for (const record of after) if (!allowed.has(record.class)) lastFailure = record;
  if (lastFailure === undefined) return from;
  const next = after.find((record) => record.start > lastFailure.start);
  return next?.start;
}
