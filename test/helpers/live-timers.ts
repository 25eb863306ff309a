// A hand-driven clock and timers for the live pollers (src/live/timers.ts): time moves only when a
// test advances it, and due callbacks run then, in order.
import type { LiveTimers } from '../../src/live/timers.ts';

interface Scheduled {
  readonly at: number;
  readonly callback: () => void;
  readonly id: number;
}

export class ManualTimers implements LiveTimers {
  #now = 0;
  #next = 1;
  #scheduled: Scheduled[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#scheduled.push({ at: this.#now + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#scheduled = this.#scheduled.filter((timer) => timer.id !== handle);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#scheduled.length;
  }

  /** When the next timer is due, relative to now; undefined when none waits. */
  get nextInMs(): number | undefined {
    const next = this.#scheduled.reduce<number | undefined>((soonest, timer) => (soonest === undefined || timer.at < soonest ? timer.at : soonest), undefined);
    return next === undefined ? undefined : next - this.#now;
  }

  /** Moves time forward by `ms`, running each timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#scheduled.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#scheduled = this.#scheduled.filter((timer) => timer !== due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = until;
  }

  /** Runs the next timer now, moving time to when it was due. */
  fireNext(): void {
    const ms = this.nextInMs;
    if (ms === undefined) throw new Error('no timer is waiting');
    this.advance(ms);
  }
}
