// The caps on open subscriptions: per caller and per instance (settings); a transport counts its own
// per-connection cap with the same refusal. Pure bookkeeping: take a slot, give it back once.
import { SubscriptionLimitError } from '../errors.ts';

export interface SlotLimits {
  readonly perCaller: number;
  readonly perInstance: number;
}

export class SubscriptionSlots {
  readonly #limits: SlotLimits;
  readonly #byCaller = new Map<string, number>();
  #total = 0;

  constructor(limits: SlotLimits) {
    this.#limits = limits;
  }

  get total(): number {
    return this.#total;
  }

  /** Takes a slot for `who`: how to give it back (idempotent), or the refusal. */
  take(who: string): (() => void) | SubscriptionLimitError {
    if (this.#total >= this.#limits.perInstance) return new SubscriptionLimitError('instance', this.#limits.perInstance);
    const mine = this.#byCaller.get(who) ?? 0;
    if (mine >= this.#limits.perCaller) return new SubscriptionLimitError('caller', this.#limits.perCaller);
    this.#byCaller.set(who, mine + 1);
    this.#total++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#total--;
      const left = (this.#byCaller.get(who) ?? 1) - 1;
      if (left === 0) this.#byCaller.delete(who);
      else this.#byCaller.set(who, left);
    };
  }
}
