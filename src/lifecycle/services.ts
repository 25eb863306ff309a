// What the process shares between operations' lifecycle calls: one change per firewall at a time
// in this process (KeyedLock), and real time unless a test injects its own clock.
import type { LifecycleClock } from './mutations.ts';

/** Real time: what the gateway uses unless a test injects its own. */
export const SYSTEM_CLOCK: LifecycleClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Runs work of one key one after another, process-wide; keys are forgotten when idle. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
