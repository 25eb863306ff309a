// The gateway's errors: one class per kind, each with a stable code and a message that is safe to
// show a client. They become GraphQL errors in one place, server/format-error.ts. Every code a
// client can see is listed here, and nowhere else written out.

/** Every `extensions.code` a client can receive. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  OPERATION_BUDGET_EXCEEDED: 'OPERATION_BUDGET_EXCEEDED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // The HTTP edge's refusals (server/edge.ts), and a mutation or subscription (server/limits.ts).
  BAD_REQUEST: 'BAD_REQUEST',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  // Trusted documents (server/persisted-documents.ts): an id the manifest lacks (or, with
  // PERSISTED_DOCUMENTS_ALLOW_TEXT, a text it lacks); a document sent as text instead of an id.
  PERSISTED_DOCUMENT_NOT_FOUND: 'PERSISTED_DOCUMENT_NOT_FOUND',
  PERSISTED_DOCUMENTS_REQUIRED: 'PERSISTED_DOCUMENTS_REQUIRED',
  // What Node's HTTP parser or the edge's timeouts refuse (server/sockets.ts), and draining.
  REQUEST_HEADER_FIELDS_TOO_LARGE: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  // A caller over its share (CALLER_RATE_LIMIT_PER_SECOND, server/rate-limit.ts): HTTP 429 with Retry-After.
  RATE_LIMITED: 'RATE_LIMITED',
  // A subscription over a cap (MAX_SUBSCRIPTIONS_PER_CONNECTION/_CALLER/_INSTANCE, live/slots.ts).
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  // Apollo Server's and graphql-js's codes for errors in the request itself, passed on as they are.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every code of a non-fatal note in a response's `extensions.warnings`. */
export const WarningCode = {
  /** A cursor's task could not be found again; the page starts at its old offset (paging/walk.ts). */
  CURSOR_POSITION_LOST: 'CURSOR_POSITION_LOST',
  /** CFW accepted a create but does not list the new task yet (resolvers/mutation.ts). */
  TASK_NOT_LISTED_YET: 'TASK_NOT_LISTED_YET',
  /** CFW accepted a stop or delete but the list could not be read after it to confirm (lifecycle/mutations.ts). */
  CHANGE_NOT_CONFIRMED: 'CHANGE_NOT_CONFIRMED',
} as const;
export type WarningCode = (typeof WarningCode)[keyof typeof WarningCode];

/** Every `userErrors[].code` a mutation can answer: the schema's CaptureTaskUserErrorCode (lifecycle/). */
export const UserErrorCode = {
  INVALID: 'INVALID',
  NAME_TAKEN: 'NAME_TAKEN',
  NOT_FOUND: 'NOT_FOUND',
  NOT_RUNNING: 'NOT_RUNNING',
  CAPTURE_IN_PROGRESS: 'CAPTURE_IN_PROGRESS',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  REJECTED: 'REJECTED',
} as const;
export type UserErrorCode = (typeof UserErrorCode)[keyof typeof UserErrorCode];

/** What the client may learn of an upstream failure: never a body, a URL or a header. */
export interface UpstreamErrorDetails {
  /** HTTP status, when an answer came. */
  readonly status?: number;
  /** CFW or APIG error code from the answer body, e.g. `CFW.00200005`. */
  readonly errorCode?: string;
  /** The upstream's `X-Request-Id`, for a support ticket. */
  readonly requestId?: string;
  /** How many attempts were made, retries included. */
  readonly attempts?: number;
}

export abstract class GatewayError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra `extensions` for the client; must hold nothing secret. */
  get extensions(): Readonly<Record<string, unknown>> {
    return {};
  }
}

/** A client argument that cannot be served, naming the argument. */
export class BadUserInputError extends GatewayError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  readonly argumentName: string | undefined;
  /** `message` follows the argument's name, unless `standalone` (a message that names it itself). */
  constructor(argumentName: string | undefined, message: string, options?: ErrorOptions & { readonly standalone?: boolean }) {
    super(argumentName === undefined || options?.standalone === true ? message : `\`${argumentName}\` ${message}`, options);
    this.name = 'BadUserInputError';
    this.argumentName = argumentName;
  }
  override get extensions(): Readonly<Record<string, unknown>> {
    return this.argumentName === undefined ? {} : { argumentName: this.argumentName };
  }
}

/** A cursor this gateway did not issue, or issued for another firewall. */
export class CursorError extends BadUserInputError {
  constructor(argumentName: 'after' | 'before', reason: string) {
    super(argumentName, reason);
    this.name = 'CursorError';
  }
}

export class UnauthenticatedError extends GatewayError {
  readonly code = ErrorCode.UNAUTHENTICATED;
  readonly upstream: UpstreamErrorDetails | undefined;
  constructor(message: string, upstream?: UpstreamErrorDetails) {
    super(message);
    this.name = 'UnauthenticatedError';
    this.upstream = upstream;
  }
  override get extensions(): Readonly<Record<string, unknown>> {
    return this.upstream === undefined ? {} : { upstream: this.upstream };
  }
}

/** A caller the gateway knows, asking for something it may not do (a change without the write scope). */
export class ForbiddenError extends GatewayError {
  readonly code = ErrorCode.FORBIDDEN;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** An error reported by (or about) the upstream CFW API. */
export class UpstreamError extends GatewayError {
  readonly code: ErrorCode;
  readonly upstream: UpstreamErrorDetails;
  /**
   * No answer came after a connection was made: a call that changes something may or may not have
   * been applied. Never sent to the client as such; the lifecycle checks the list instead.
   */
  readonly outcomeUnknown: boolean;
  constructor(
    code:
      | typeof ErrorCode.FORBIDDEN
      | typeof ErrorCode.NOT_FOUND
      | typeof ErrorCode.BAD_USER_INPUT
      | typeof ErrorCode.UPSTREAM_ERROR
      | typeof ErrorCode.UPSTREAM_TIMEOUT
      | typeof ErrorCode.UPSTREAM_UNAVAILABLE
      | typeof ErrorCode.UPSTREAM_BAD_RESPONSE,
    message: string,
    upstream: UpstreamErrorDetails,
    options?: ErrorOptions & { readonly outcomeUnknown?: boolean },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
    this.code = code;
    this.upstream = upstream;
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
  override get extensions(): Readonly<Record<string, unknown>> {
    return { upstream: this.upstream };
  }
}

/** An upstream call abandoned because its operation ended (the client went away): not the upstream's fault. */
export class UpstreamCancelledError extends UpstreamError {
  constructor(attempts: number, options?: ErrorOptions) {
    super(ErrorCode.UPSTREAM_TIMEOUT, 'The upstream call was cancelled: the operation ended before it finished.', { attempts }, options);
    this.name = 'UpstreamCancelledError';
  }
}

/** An operation that would call the upstream more often than its budget allows. */
export class BudgetExceededError extends GatewayError {
  readonly code = ErrorCode.OPERATION_BUDGET_EXCEEDED;
  readonly budget: number;
  constructor(budget: number) {
    super(`This operation needs more than ${budget} upstream calls; ask for fewer connections or smaller pages.`);
    this.name = 'BudgetExceededError';
    this.budget = budget;
  }
  override get extensions(): Readonly<Record<string, unknown>> {
    return { budget: this.budget };
  }
}

/** A subscription refused because its connection, its caller or the instance holds as many as allowed. */
export class SubscriptionLimitError extends GatewayError {
  readonly code = ErrorCode.TOO_MANY_SUBSCRIPTIONS;
  readonly scope: 'connection' | 'caller' | 'instance';
  readonly limit: number;
  constructor(scope: 'connection' | 'caller' | 'instance', limit: number) {
    super(`Too many subscriptions: at most ${limit} open at once per ${scope}; end one first.`);
    this.name = 'SubscriptionLimitError';
    this.scope = scope;
    this.limit = limit;
  }
  override get extensions(): Readonly<Record<string, unknown>> {
    return { scope: this.scope, limit: this.limit };
  }
}

/** A value of the upstream record that cannot be read; nulls only that field. */
export class FieldValueError extends GatewayError {
  readonly code = ErrorCode.UPSTREAM_BAD_RESPONSE;
  constructor(field: string, expected: string, received: unknown) {
    super(`The upstream sent ${describeValue(received)} for \`${field}\`; expected ${expected}.`);
    this.name = 'FieldValueError';
  }
}

/** A short, safe description of an unexpected value: its type and, for short scalars, the value. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : `a ${value.length}-character string`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}

/** Marks a switch as exhaustive at compile time. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${String(value)}`);
  }
}
