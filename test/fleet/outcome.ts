// What one answer through the fleet was, by the kind of failure a client would see: a GraphQL
// answer (ok, a mutation's user error, a typed error by its extensions.code), the balancer's own
// page (not JSON), or no answer at all (the connection failed). Pure.

/** The class of an answer; every request the load sends ends as exactly one. */
export type OutcomeClass =
  /** data, no errors (a mutation with no userErrors). */
  | 'ok'
  /** A mutation answered with userErrors: CFW refused the change, as it may (a capture already running). */
  | 'user-error'
  /** The caller's own rate limit: HTTP 429, `extensions.code: "RATE_LIMITED"`. */
  | 'rate-limited'
  /** A GraphQL error with an `extensions.code`: the gateway answered and said why. */
  | 'typed-error'
  /** JSON, but not a GraphQL answer with a code: nothing a client can act on. */
  | 'untyped'
  /** Not JSON: the balancer's page (HAProxy's 502, 503, 504). */
  | 'balancer'
  /** No answer: refused, reset, closed, or the load's own timeout. */
  | 'connection';

export interface Outcome {
  readonly class: OutcomeClass;
  /** The error code (extensions.code, userErrors[0].code), the HTTP status of a balancer page, or the socket error's code. */
  readonly code?: string;
}

/** What came back for one request. */
export type Answer = { readonly kind: 'response'; readonly status: number; readonly body: string } | { readonly kind: 'no-response'; readonly code: string };

/** The rate-limit code the gateway answers a caller over its share with. */
export const RATE_LIMITED = 'RATE_LIMITED';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The first error's `extensions.code`, or undefined when there is none or it is not a string. */
function firstErrorCode(errors: readonly unknown[]): string | undefined {
  const first = errors[0];
  if (!isRecord(first)) return undefined;
  const extensions = first['extensions'];
  const code = isRecord(extensions) ? extensions['code'] : undefined;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** The first userErrors code among the mutation payloads in `data`, if any. */
function userErrorCode(data: Record<string, unknown>): string | undefined {
  for (const payload of Object.values(data)) {
    if (!isRecord(payload)) continue;
    const userErrors = payload['userErrors'];
    if (!Array.isArray(userErrors) || userErrors.length === 0) continue;
    const first: unknown = userErrors[0];
    const code = isRecord(first) ? first['code'] : undefined;
    return typeof code === 'string' ? code : 'UNKNOWN';
  }
  return undefined;
}

/** Classifies one answer. A body with both data and errors is an error: part of what was asked is missing. */
export function outcomeOf(answer: Answer): Outcome {
  if (answer.kind === 'no-response') return { class: 'connection', code: answer.code };
  const body = parsed(answer.body);
  if (!isRecord(body)) return body === undefined ? { class: 'balancer', code: String(answer.status) } : { class: 'untyped', code: String(answer.status) };
  const errors = body['errors'];
  if (Array.isArray(errors) && errors.length > 0) {
    const code = firstErrorCode(errors);
    if (code === undefined) return { class: 'untyped', code: String(answer.status) };
    return { class: code === RATE_LIMITED ? 'rate-limited' : 'typed-error', code };
  }
  const data = body['data'];
  if (!isRecord(data)) return { class: 'untyped', code: String(answer.status) };
  const refused = userErrorCode(data);
  return refused === undefined ? { class: 'ok' } : { class: 'user-error', code: refused };
}

/** Classes that are an answer the client can use as it is: never a failure. */
export const ANSWERED: ReadonlySet<OutcomeClass> = new Set(['ok', 'user-error']);

/** Classes that are a GraphQL answer of any kind: what every request must get, even in an outage. */
export const GRAPHQL_ANSWERS: ReadonlySet<OutcomeClass> = new Set(['ok', 'user-error', 'rate-limited', 'typed-error']);
