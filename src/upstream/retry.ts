// The one retry rule for upstream calls: which failed attempt may be tried again. Pure; got's
// calculateDelay (client.ts, through errors.ts's isRetryable) asks it about every failed attempt,
// GET and POST alike.
//
// A GET only reads, so any failure that may pass is worth another attempt. A POST changes something
// (creates, stops, deletes a capture), so it is tried again only when the failure proves CFW never
// applied it: the request never left (no connection was made: refused, DNS, a connect timeout) or an
// answer says it was turned away before anything happened (429 from APIG's throttling, CFW's own
// "try again later"). A POST that may have reached CFW (a timeout or reset after the connection was
// made, a 5xx from a gateway that may have passed it on) is never retried: a second create would
// start a second capture.
import { CfwErrorCode } from './codes.ts';

/** What one failed attempt tells about whether the request reached the upstream. */
export type AttemptFailure =
  /** The upstream answered with an error status. */
  | { readonly kind: 'answer'; readonly status: number; readonly errorCode: string | undefined }
  /**
   * No answer came. `transient`: a network failure another attempt may get past (errors.ts's table).
   * `connected` is false only when the failure proves no connection was made (refused, DNS, a
   * connect timeout), so the request was never sent; any other failure may have come after it was.
   */
  | { readonly kind: 'no-answer'; readonly code: string; readonly transient: boolean; readonly connected: boolean };

/** Statuses of a gateway in front of CFW: it may have passed the request on before failing. */
export const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Answers worth another attempt for a read: rate limiting and a gateway in front of a struggling service. */
const READ_RETRY_STATUSES: ReadonlySet<number> = new Set([429, ...GATEWAY_STATUSES]);

/** Whether an answer says the request was turned away before anything was applied. */
function refusedBeforeApplying(status: number, errorCode: string | undefined): boolean {
  // APIG throttles before passing a request on; CFW's transient code means "nothing done, try again".
  return status === 429 || (status === 400 && errorCode === CfwErrorCode.TRANSIENT);
}

/**
 * Whether a failed attempt may be tried again. Never on 400/401/403 other than CFW's transient code:
 * APIG locks an AK for five minutes after five bad signatures.
 */
export function retryAllowed(method: string, failure: AttemptFailure): boolean {
  if (method === 'GET') {
    if (failure.kind === 'answer') return READ_RETRY_STATUSES.has(failure.status) || refusedBeforeApplying(failure.status, failure.errorCode);
    return failure.transient;
  }
  if (method === 'POST') {
    if (failure.kind === 'answer') return refusedBeforeApplying(failure.status, failure.errorCode);
    return failure.transient && !failure.connected;
  }
  return false;
}

/**
 * Whether a failure leaves it unknown if a POST was applied: no answer after a connection was made,
 * or a 502/503/504 (a gateway that may have passed it on, as the POST retry rule above assumes).
 */
export function outcomeUnknown(method: string, failure: AttemptFailure): boolean {
  if (failure.kind === 'answer') return method === 'POST' && GATEWAY_STATUSES.has(failure.status);
  return failure.connected;
}
