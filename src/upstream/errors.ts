// The only reader of got's errors. A got error carries the request's options, headers (the token
// among them) and the answer's body; none of that may travel further. What survives is the status,
// the CFW/APIG error code, the upstream request id and the number of attempts.
import { HTTPError, ParseError, RequestError, TimeoutError } from 'got';
import { GatewayError, ErrorCode, UnauthenticatedError, UpstreamCancelledError, UpstreamError, type UpstreamErrorDetails } from '../errors.ts';
import { CfwErrorCode } from './codes.ts';
import { GATEWAY_STATUSES, outcomeUnknown, retryAllowed, type AttemptFailure } from './retry.ts';
import { upstreamErrorFromBody, upstreamRequestIdOf, WireFormatError } from './wire.ts';

/**
 * Network error codes, the one list: `unreachable` when the connection failed (UPSTREAM_UNAVAILABLE,
 * otherwise UPSTREAM_ERROR), `retry` when another attempt may succeed, `beforeConnect` when the
 * failure can only happen before a connection exists (so the request was never sent: retry.ts lets a
 * POST be tried again only then).
 */
export const NETWORK_ERROR_CODES: Readonly<Record<string, { readonly unreachable: boolean; readonly retry: boolean; readonly beforeConnect: boolean }>> = {
  ECONNREFUSED: { unreachable: true, retry: true, beforeConnect: true },
  ECONNRESET: { unreachable: true, retry: true, beforeConnect: false },
  EPIPE: { unreachable: true, retry: true, beforeConnect: false },
  ENOTFOUND: { unreachable: true, retry: true, beforeConnect: true },
  EAI_AGAIN: { unreachable: true, retry: true, beforeConnect: true },
  ENETUNREACH: { unreachable: true, retry: true, beforeConnect: true },
  EHOSTUNREACH: { unreachable: true, retry: true, beforeConnect: true },
  ERR_STREAM_PREMATURE_CLOSE: { unreachable: true, retry: true, beforeConnect: false },
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: { unreachable: true, retry: false, beforeConnect: false },
  ERR_READING_RESPONSE_STREAM: { unreachable: true, retry: false, beforeConnect: false },
  // A per-attempt timeout (connect, response); the whole-call deadline is not retried (read.ts).
  // Whether it came before a connection is told by its phase (attemptFailureOf).
  ETIMEDOUT: { unreachable: false, retry: true, beforeConnect: false },
};

/** got's timeout phases that end before a connection exists. */
const NOT_CONNECTED_TIMEOUT_EVENTS: ReadonlySet<string> = new Set(['lookup', 'connect', 'secureConnect']);

/** What a failed attempt tells about whether its request reached the upstream (retry.ts decides). */
export function attemptFailureOf(error: RequestError): AttemptFailure {
  if (error instanceof HTTPError) {
    return { kind: 'answer', status: error.response.statusCode, errorCode: upstreamErrorFromBody(error.response.rawBody).errorCode };
  }
  const known = NETWORK_ERROR_CODES[error.code];
  const transient = error.response === undefined && known?.retry === true;
  if (error instanceof TimeoutError) return { kind: 'no-answer', code: error.code, transient, connected: !NOT_CONNECTED_TIMEOUT_EVENTS.has(error.event) };
  // Anything else without an answer may have come after the request left: assume it did.
  return { kind: 'no-answer', code: error.code, transient, connected: known?.beforeConnect !== true };
}

/**
 * Whether a failed attempt may be retried: the one rule, retryAllowed (retry.ts). Never on
 * 400/401/403 other than CFW's transient code: APIG locks an AK for five minutes after five bad
 * signatures.
 */
export function isRetryable(error: RequestError): boolean {
  return retryAllowed(error.options.method, attemptFailureOf(error));
}

/** An answer whose body (after decompression) passed CFW_MAX_RESPONSE_BYTES; client.ts aborts the call with it. */
export class ResponseTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
    this.limit = limit;
  }
}

function requestIdOf(headers: Readonly<Record<string, string | string[] | undefined>> | undefined): string | undefined {
  return upstreamRequestIdOf(headers?.['x-request-id']);
}

function attemptsOf(error: RequestError): number {
  return (error.request?.retryCount ?? 0) + 1;
}

/** The upstream's answer to a status, in words a person can act on. */
function fromStatus(
  status: number,
  details: UpstreamErrorDetails,
  cause: unknown,
  call: { readonly change: boolean; readonly outcomeUnknown: boolean },
): GatewayError {
  const code = details.errorCode;
  const options = { cause, outcomeUnknown: call.outcomeUnknown };
  if (status === 401) {
    return new UnauthenticatedError('The upstream rejected the credentials: sign in again (the IAM token may have expired) or check the AK/SK.', details);
  }
  if (status === 403) {
    return new UpstreamError(
      ErrorCode.FORBIDDEN,
      `The credentials may not ${call.change ? 'change' : 'read'} this firewall's capture tasks.`,
      details,
      options,
    );
  }
  if (status === 400 && code === CfwErrorCode.OBJECT_NOT_FOUND) {
    return new UpstreamError(
      ErrorCode.NOT_FOUND,
      'No such firewall in this project and enterprise project: check fwInstanceId and enterpriseProjectId.',
      details,
      options,
    );
  }
  if (status === 400 && code === CfwErrorCode.TRANSIENT) {
    return new UpstreamError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'The upstream reported a transient error and did not recover in time; try again shortly.',
      details,
      options,
    );
  }
  if (status === 400) {
    return new UpstreamError(
      ErrorCode.BAD_USER_INPUT,
      `The upstream rejected the request${code === undefined ? '' : ` (${code})`}: check fwInstanceId and enterpriseProjectId.`,
      details,
      options,
    );
  }
  if (status === 404) {
    return new UpstreamError(
      ErrorCode.UPSTREAM_ERROR,
      'The upstream does not serve the capture-task API here: check CFW_ENDPOINT and CFW_PROJECT_ID.',
      details,
      options,
    );
  }
  if (status === 429) {
    return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream is rate-limiting requests; try again shortly.', details, options);
  }
  if (GATEWAY_STATUSES.has(status)) {
    // A change may have been passed on before the gateway failed: the caller reads the list (lifecycle/mutations.ts).
    const advice = call.change ? `a gateway answered HTTP ${status} after the change was sent.` : 'try again shortly.';
    return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, `The upstream is unavailable; ${advice}`, details, options);
  }
  return new UpstreamError(ErrorCode.UPSTREAM_ERROR, `The upstream failed with HTTP ${status}.`, details, options);
}

/** Turns anything a call to the upstream threw into a GatewayError that is safe to show. */
export function toUpstreamError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof WireFormatError) {
    return new UpstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, `The upstream sent an answer the gateway cannot read: ${error.message}.`, {}, { cause: error });
  }
  if (error instanceof HTTPError) {
    const response = error.response;
    const body = upstreamErrorFromBody(response.rawBody);
    const details: UpstreamErrorDetails = {
      status: response.statusCode,
      ...(body.errorCode === undefined ? {} : { errorCode: body.errorCode }),
      ...((requestIdOf(response.headers) ?? body.requestId) === undefined ? {} : { requestId: requestIdOf(response.headers) ?? body.requestId }),
      attempts: attemptsOf(error),
    };
    return fromStatus(response.statusCode, details, error, {
      change: error.options.method === 'POST',
      outcomeUnknown: outcomeUnknown(error.options.method, attemptFailureOf(error)),
    });
  }
  if (error instanceof ParseError) {
    const details = { status: error.response.statusCode, requestId: requestIdOf(error.response.headers), attempts: attemptsOf(error) };
    return new UpstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'The upstream sent a body that is not valid JSON.', details, { cause: error });
  }
  if (error instanceof TimeoutError) {
    return new UpstreamError(
      ErrorCode.UPSTREAM_TIMEOUT,
      `The upstream did not answer in time (${error.event} timeout).`,
      { attempts: attemptsOf(error) },
      { cause: error, outcomeUnknown: outcomeUnknown(error.options.method, attemptFailureOf(error)) },
    );
  }
  if (error instanceof RequestError && error.cause instanceof ResponseTooLargeError) {
    const details = {
      ...(error.response === undefined ? {} : { status: error.response.statusCode, requestId: requestIdOf(error.response.headers) }),
      attempts: attemptsOf(error),
    };
    return new UpstreamError(
      ErrorCode.UPSTREAM_BAD_RESPONSE,
      `The upstream's answer is larger than ${error.cause.limit} bytes (CFW_MAX_RESPONSE_BYTES); the gateway stopped reading it.`,
      details,
      { cause: error },
    );
  }
  if (error instanceof RequestError && error.code === 'ERR_ABORTED') {
    return new UpstreamCancelledError(attemptsOf(error), { cause: error });
  }
  if (error instanceof RequestError) {
    const connection = NETWORK_ERROR_CODES[error.code]?.unreachable === true;
    const details = { ...(error.response === undefined ? {} : { status: error.response.statusCode }), attempts: attemptsOf(error) };
    return new UpstreamError(
      connection ? ErrorCode.UPSTREAM_UNAVAILABLE : ErrorCode.UPSTREAM_ERROR,
      connection ? `The upstream could not be reached (${error.code}).` : `The upstream call failed (${error.code}).`,
      details,
      { cause: error, outcomeUnknown: error.response === undefined && outcomeUnknown(error.options.method, attemptFailureOf(error)) },
    );
  }
  return new UpstreamError(ErrorCode.UPSTREAM_ERROR, 'The upstream call failed.', {}, { cause: error });
}
