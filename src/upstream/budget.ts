// One operation's upstream call budget, shared by everything the operation calls: page reads,
// lifecycle changes and capture results draw from the same count.
import { BudgetExceededError } from '../errors.ts';

export class OperationBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Upstream calls made so far. */
  get used(): number {
    return this.#used;
  }

  /** Calls still allowed. */
  remaining(): number {
    return Math.max(0, this.limit - this.#used);
  }

  /** Takes one call from the budget, or gives the error that refuses it. */
  take(): BudgetExceededError | undefined {
    if (this.#used >= this.limit) return new BudgetExceededError(this.limit);
    this.#used++;
    return undefined;
  }
}
