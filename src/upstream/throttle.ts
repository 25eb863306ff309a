// CFW's own rate limit (APIG's 429, APIGW.0308) is the account's, shared by every caller and every
// instance. After one 429, each further call would spend the same exhausted allowance, and its retries
// would multiply the load that caused it. So the instance holds off: for the Retry-After CFW gave (or
// a second), new calls fail at once with the typed error, and no attempt leaves. Pure but for `now`.
import { ApigErrorCode } from './codes.ts';
import { ErrorCode, UpstreamError } from '../errors.ts';

/** Held off this long when CFW says 429 without a usable Retry-After. */
export const DEFAULT_HOLD_OFF_MS = 1_000;

/** A Retry-After header (seconds or an HTTP date) as milliseconds from `now`; undefined when unreadable. */
export function retryAfterMsOf(header: string | undefined, now: number): number | undefined {
  const text = header?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // An HTTP date names its day and month; Date.parse would read a bare "-1" as a year.
  const date = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class ThrottleGate {
  readonly #maxHoldOffMs: number;
  readonly #now: () => number;
  #until = 0;

  /** `maxHoldOffMs`: the longest hold-off a Retry-After may ask for (CFW_MAX_RETRY_AFTER_MS). */
  constructor(maxHoldOffMs: number, now: () => number = Date.now) {
    this.#maxHoldOffMs = maxHoldOffMs;
    this.#now = now;
  }

  /** CFW answered 429 with this Retry-After header. */
  throttled(retryAfter: string | undefined): void {
    const now = this.#now();
    const holdOff = Math.min(this.#maxHoldOffMs, retryAfterMsOf(retryAfter, now) ?? DEFAULT_HOLD_OFF_MS);
    this.#until = Math.max(this.#until, now + holdOff);
  }

  /** How long calls are still held off; 0 when they may go. */
  remainingMs(): number {
    return Math.max(0, this.#until - this.#now());
  }

  /** The error a call gets while held off; undefined when it may go. */
  refusal(): UpstreamError | undefined {
    const remaining = this.remainingMs();
    if (remaining === 0) return undefined;
    const seconds = Math.max(1, Math.ceil(remaining / 1_000));
    return new UpstreamError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `The upstream is rate-limiting this account; the gateway holds off calling it for ${seconds} s. Try again then.`,
      { status: 429, errorCode: ApigErrorCode.THROTTLED, attempts: 0 },
    );
  }
}
