// One subscriber's stream: an async iterator that holds at most one unsent state, so a consumer slower
// than the changes never makes memory grow. A newer state replaces the unsent one; a state equal to the
// last one delivered is dropped, so no event repeats the one before it. Its end (after the last state)
// is kept apart and never replaced.

/** A state to send, with the key that tells two equal states apart from different ones. */
export interface Keyed<T> {
  readonly value: T;
  readonly key: string;
}

export class LatestChannel<T> implements AsyncIterableIterator<T> {
  #pending: Keyed<T> | undefined;
  #lastKey: string | undefined;
  /** The last item before the end (an error event, say), sent after any pending state. */
  #final: T | undefined;
  #ended = false;
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  readonly #onReturn: () => void;
  /** Values taken by the consumer. */
  delivered = 0;
  /** Unsent states that a newer one replaced. */
  replaced = 0;

  /** `onReturn`: the consumer left (return()) before the end; called once. */
  constructor(onReturn: () => void = () => undefined) {
    this.#onReturn = onReturn;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Offers a state: it replaces an unsent one, and is dropped when it equals the last one sent. */
  offer(value: T, key: string): void {
    if (this.#ended) return;
    if (this.#pending !== undefined) this.replaced++;
    this.#pending = key === this.#lastKey ? undefined : { value, key };
    this.#flush();
  }

  /** Ends the stream after what is pending, with `last` (if given) as its last item. */
  end(last?: T): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#final = last;
    this.#flush();
  }

  #take(): IteratorResult<T> | undefined {
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      this.#lastKey = pending.key;
      this.delivered++;
      return { value: pending.value, done: false };
    }
    if (!this.#ended) return undefined;
    const last = this.#final;
    if (last !== undefined) {
      this.#final = undefined;
      this.delivered++;
      return { value: last, done: false };
    }
    return { value: undefined, done: true };
  }

  #flush(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    const result = this.#take();
    if (result === undefined) return;
    this.#waiter = undefined;
    waiter(result);
  }

  next(): Promise<IteratorResult<T>> {
    const result = this.#take();
    if (result !== undefined) return Promise.resolve(result);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    const wasEnded = this.#ended;
    this.#ended = true;
    this.#pending = undefined;
    this.#final = undefined;
    this.#flush();
    if (!wasEnded) this.#onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
