// Liveness: whether the process is wedged. A timer ticks every `intervalMs`; each tick notes how late
// it came. Timers run before socket reads in each turn of the event loop, so the first /healthz read
// after a long block sees that block's delay; a loop blocked for good answers nothing at all, and the
// probe's own timeout says so. Pure: the ticks and the clock come from outside (wired in edge.ts).

export interface LoopDelayOptions {
  /** How often the loop is sampled. */
  readonly intervalMs: number;
  /** A delay beyond this is a wedged process. */
  readonly maxDelayMs: number;
}

export class LoopDelayWatch {
  readonly #options: LoopDelayOptions;
  #lastTick: number;
  #lastDelay = 0;

  constructor(options: LoopDelayOptions, now: number) {
    this.#options = options;
    this.#lastTick = now;
  }

  /** A tick of the sampling timer, at `now`. */
  tick(now: number): void {
    this.#lastDelay = Math.max(0, now - this.#lastTick - this.#options.intervalMs);
    this.#lastTick = now;
  }

  /** How late the loop is: the last tick's delay, or how overdue the next one is. */
  delayMs(now: number): number {
    return Math.max(this.#lastDelay, now - this.#lastTick - this.#options.intervalMs);
  }

  live(now: number): boolean {
    return this.delayMs(now) <= this.#options.maxDelayMs;
  }
}
