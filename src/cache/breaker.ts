// The circuit breaker around the shared store. Redis is an accelerator: when it stops answering
// (down, or frozen with its socket open), every command would wait its whole timeout, so after
// `threshold` consecutive failures the store is bypassed for `openMs`, then one probe command is let
// through: an answer closes the breaker, a failure opens it again. Pure: time comes from `now`.

export type StoreBreakerState = 'closed' | 'open' | 'half-open';

export interface StoreBreakerOptions {
  /** Consecutive failed commands that open the breaker. */
  readonly threshold: number;
  /** How long the store is bypassed before a probe. */
  readonly openMs: number;
  readonly now: () => number;
  /** Told of each change of state, once. */
  readonly onStateChange?: (state: StoreBreakerState, previous: StoreBreakerState) => void;
}

export class StoreBreaker {
  readonly #options: StoreBreakerOptions;
  #state: StoreBreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  /** Commands not sent because the breaker was open (or a probe was out). */
  #bypassed = 0;

  constructor(options: StoreBreakerOptions) {
    this.#options = options;
  }

  get state(): StoreBreakerState {
    return this.#state;
  }

  get bypassed(): number {
    return this.#bypassed;
  }

  /** Whether a command may go to the store now; when it may, report its outcome with succeeded/failed. */
  allow(): boolean {
    if (this.#state === 'open' && this.#options.now() - this.#openedAt >= this.#options.openMs) this.#move('half-open');
    if (this.#state === 'closed') return true;
    if (this.#state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return true;
    }
    this.#bypassed += 1;
    return false;
  }

  succeeded(): void {
    this.#failures = 0;
    this.#probing = false;
    if (this.#state !== 'closed') this.#move('closed');
  }

  failed(): void {
    this.#failures += 1;
    const probeFailed = this.#state === 'half-open' && this.#probing;
    this.#probing = false;
    if (probeFailed || (this.#state === 'closed' && this.#failures >= this.#options.threshold)) {
      this.#openedAt = this.#options.now();
      this.#move('open');
    }
  }

  #move(state: StoreBreakerState): void {
    const previous = this.#state;
    this.#state = state;
    this.#options.onStateChange?.(state, previous);
  }
}
