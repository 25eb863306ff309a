// The only reader of got's errors. A got error carries the request's options, headers (the token
// among them) and the answer's body; none of that may travel further. What survives is the status,
// the CFW/APIG error code, the upstream request id and the number of attempts.
import { HTTPError, ParseError, RequestError, TimeoutError } from 'got';
import { GatewayError, ErrorCode, UnauthenticatedError, UpstreamCancelledError, UpstreamError, type UpstreamErrorDetails } from '../errors.ts';
import { CfwErrorCode } from './codes.ts';
import { upstreamErrorFromBody, WireFormatError } from './wire.ts';

/**
 * Network error codes, the one list: `unreachable` when the connection failed (UPSTREAM_UNAVAILABLE,
 * otherwise UPSTREAM_ERROR), `retry` when another attempt may succeed.
 */
export const NETWORK_ERROR_CODES: Readonly<Record<string, { readonly unreachable: boolean; readonly retry: boolean }>> = {
  ECONNREFUSED: { unreachable: true, retry: true },
  ECONNRESET: { unreachable: true, retry: true },
  EPIPE: { unreachable: true, retry: true },
  ENOTFOUND: { unreachable: true, retry: true },
  EAI_AGAIN: { unreachable: true, retry: true },
  ENETUNREACH: { unreachable: true, retry: true },
  EHOSTUNREACH: { unreachable: true, retry: true },
  ERR_STREAM_PREMATURE_CLOSE: { unreachable: true, retry: true },
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: { unreachable: true, retry: false },
  ERR_READING_RESPONSE_STREAM: { unreachable: true, retry: false },
  // A per-attempt timeout (connect, response); the whole-call deadline is not retried (read.ts).
  ETIMEDOUT: { unreachable: false, retry: true },
};

/** Statuses worth another attempt: rate limiting and a gateway in front of a struggling service. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether a failed attempt may be retried. Never on 400/401/403 other than CFW's transient code:
 * APIG locks an AK for five minutes after five bad signatures.
 */
export function isRetryable(error: RequestError): boolean {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    if (RETRY_STATUSES.has(status)) return true;
    return status === 400 && upstreamErrorFromBody(error.response.rawBody).errorCode === CfwErrorCode.TRANSIENT;
  }
  return error.response === undefined && NETWORK_ERROR_CODES[error.code]?.retry === true;
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
  const value = headers?.['x-request-id'];
  const id = Array.isArray(value) ? value[0] : value;
  return id !== undefined && /^[\w-]{1,64}$/.test(id) ? id : undefined;
}

function attemptsOf(error: RequestError): number {
  return (error.request?.retryCount ?? 0) + 1;
}

/** The upstream's answer to a status, in words a person can act on. */
function fromStatus(status: number, details: UpstreamErrorDetails, cause: unknown): GatewayError {
  const code = details.errorCode;
  const options = { cause };
  if (status === 401) {
    return new UnauthenticatedError('The upstream rejected the credentials: sign in again (the IAM token may have expired) or check the AK/SK.', details);
  }
  if (status === 403) {
    return new UpstreamError(ErrorCode.FORBIDDEN, 'The credentials may not read this firewall\'s capture tasks.', details, options);
  }
  if (status === 400 && code === CfwErrorCode.OBJECT_NOT_FOUND) {
    return new UpstreamError(ErrorCode.NOT_FOUND, 'No such firewall in this project and enterprise project: check fwInstanceId and enterpriseProjectId.', details, options);
  }
  if (status === 400 && code === CfwErrorCode.TRANSIENT) {
    return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream reported a transient error and did not recover in time; try again shortly.', details, options);
  }
  if (status === 400) {
    return new UpstreamError(ErrorCode.BAD_USER_INPUT, `The upstream rejected the request${code === undefined ? '' : ` (${code})`}: check fwInstanceId and enterpriseProjectId.`, details, options);
  }
  if (status === 404) {
    return new UpstreamError(ErrorCode.UPSTREAM_ERROR, 'The upstream does not serve the capture-task API here: check CFW_ENDPOINT and CFW_PROJECT_ID.', details, options);
  }
  if (status === 429) {
    return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream is rate-limiting requests; try again shortly.', details, options);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream is unavailable; try again shortly.', details, options);
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
    return fromStatus(response.statusCode, details, error);
  }
  if (error instanceof ParseError) {
    const details = { status: error.response.statusCode, requestId: requestIdOf(error.response.headers), attempts: attemptsOf(error) };
    return new UpstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'The upstream sent a body that is not valid JSON.', details, { cause: error });
  }
  if (error instanceof TimeoutError) {
    return new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, `The upstream did not answer in time (${error.event} timeout).`, { attempts: attemptsOf(error) }, { cause: error });
  }
  if (error instanceof RequestError && error.cause instanceof ResponseTooLargeError) {
    const details = { ...(error.response === undefined ? {} : { status: error.response.statusCode, requestId: requestIdOf(error.response.headers) }), attempts: attemptsOf(error) };
    return new UpstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, `The upstream's answer is larger than ${error.cause.limit} bytes (CFW_MAX_RESPONSE_BYTES); the gateway stopped reading it.`, details, { cause: error });
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
      { cause: error },
    );
  }
  return new UpstreamError(ErrorCode.UPSTREAM_ERROR, 'The upstream call failed.', {}, { cause: error });
}
