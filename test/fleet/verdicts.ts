// What an event of the fleet run found: its window's counts, and each of the criteria it
// was held to, passed or not. Pure.
import type { Summary, Window } from './stats.ts';

export interface Criterion {
  /** The words for it, e.g. "0 failed requests". */
  readonly what: string;
  readonly pass: boolean;
  /** The figures it was decided on. */
  readonly detail: string;
}

export interface EventResult {
  readonly name: string;
  readonly window: Window;
  readonly summary: Summary;
  readonly criteria: readonly Criterion[];
  /** What was observed besides the criteria (what a mutation in flight got, call counts). */
  readonly notes: readonly string[];
}

export function criterion(what: string, pass: boolean, detail: string): Criterion {
  return { what, pass, detail };
}

/** Every criterion of every event, counted: the run's last line. */
export function tally(events: readonly EventResult[]): { readonly passed: number; readonly failed: number } {
  const all = events.flatMap((event) => event.criteria);
  const passed = all.filter((one) => one.pass).length;
  return { passed, failed: all.length - passed };
}
