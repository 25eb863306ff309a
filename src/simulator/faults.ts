// Faults the simulator can be told to produce, one request at a time, as a real CFW endpoint does
// on a bad day: slow answers, error statuses with CFW/APIG bodies, rate limiting, bodies that are
// not JSON or are cut short, reset connections and answers that never come; and, for the lifecycle
// calls, work done but never answered, deletes CFW "forgets", and the other capture-result form.
import type http from 'node:http';
import { UnreachableCaseError } from '../errors.ts';
import { ApigErrorCode, CfwErrorCode } from '../upstream/codes.ts';

/** Which requests a fault applies to: method and path after `/v1/{project_id}`, e.g. `{method: 'POST', path: '/capture-task/stop'}`. */
export interface FaultMatch {
  readonly method?: string;
  readonly path?: string;
}

/** Every fault may say how often it applies (`times`, default 1) and to which requests (`match`, default all). */
interface FaultScope {
  readonly times?: number;
  readonly match?: FaultMatch;
}

export type Fault = FaultScope &
  /** An error status with a CFW/APIG body, e.g. `{ kind: 'status', status: 503 }`. */
  (
    | { readonly kind: 'status'; readonly status: number; readonly errorCode?: string; readonly errorMsg?: string }
    /** 429 with a Retry-After in seconds. */
    | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
    /** A 200 whose body is not JSON. */
    | { readonly kind: 'malformed-json' }
    /** A 200 whose body stops halfway, then the connection closes. */
    | { readonly kind: 'truncated' }
    /** The connection is reset before any answer; nothing is done. */
    | { readonly kind: 'reset' }
    /** No answer at all until the client gives up; nothing is done. */
    | { readonly kind: 'hang' }
    /** An answer delayed by `ms`, then served normally. */
    | { readonly kind: 'latency'; readonly ms: number }
    /** The request is carried out (a create creates), then the connection is reset without an answer. */
    | { readonly kind: 'reset-after-apply' }
    /** The request is carried out, then no answer comes until the client gives up. */
    | { readonly kind: 'hang-after-apply' }
    /**
     * The request is carried out, then answered with an error status as a gateway in front of CFW
     * would after passing it on, e.g. `{ kind: 'status-after-apply', status: 503 }`.
     */
    | { readonly kind: 'status-after-apply'; readonly status: number; readonly errorCode?: string; readonly errorMsg?: string }
    /** batch-delete answers 200 and deletes nothing (only batch-delete calls take it). */
    | { readonly kind: 'forget-delete' }
    /** capture-result answers in the `file_list` form (only capture-result calls take it). */
    | { readonly kind: 'file-list' }
  );
export type FaultKind = Fault['kind'];

/** A request as faults see it: the method and the path after `/v1/{project_id}`. */
export interface FaultTarget {
  readonly method: string;
  readonly path: string;
}

/** Kinds that only make sense for one call, and apply to it without a `match`. */
const IMPLICIT_MATCH: Partial<Record<FaultKind, FaultMatch>> = {
  'forget-delete': { method: 'POST', path: '/capture-task/batch-delete' },
  'file-list': { method: 'GET', path: '/capture-task/capture-result' },
};

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (match === undefined) return true;
  const path = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
  return (
    (match.method === undefined || match.method.toUpperCase() === target.method.toUpperCase()) &&
    (match.path === undefined || path(match.path) === path(target.path))
  );
}

/** Whether a fault applies to this request. */
export function faultMatches(fault: Fault, target: FaultTarget): boolean {
  return matches(fault.match, target) && matches(IMPLICIT_MATCH[fault.kind], target);
}

/**
 * The fault for this request: the first queued one that matches it, counted down; `times` defaults
 * to 1, Infinity means always. Faults that do not match stay queued, in order.
 */
export function takeFault(faults: Fault[], target: FaultTarget): Fault | undefined {
  const index = faults.findIndex((fault) => faultMatches(fault, target));
  const fault = faults[index];
  if (fault === undefined) return undefined;
  const times = fault.times ?? 1;
  if (times <= 1) faults.splice(index, 1);
  else faults[index] = { ...fault, times: times - 1 };
  return fault;
}

/** When a fault acts: instead of the answer, after a delay, after the work is done, or inside the call. */
export type FaultPhase = 'instead' | 'delay' | 'after-apply' | 'in-call';

export function phaseOfFault(fault: Fault): FaultPhase {
  switch (fault.kind) {
    case 'latency':
      return 'delay';
    case 'reset-after-apply':
    case 'hang-after-apply':
    case 'status-after-apply':
      return 'after-apply';
    case 'forget-delete':
    case 'file-list':
      return 'in-call';
    default:
      return 'instead';
  }
}

/** Whether, after this fault, the request is still served normally. */
export function faultPassesThrough(fault: Fault): boolean {
  return phaseOfFault(fault) !== 'instead';
}

/** The status a fault answers with instead of the real one, 0 for none. */
export function statusOfFault(fault: Fault): number {
  if (fault.kind === 'status' || fault.kind === 'status-after-apply') return fault.status;
  if (fault.kind === 'rate-limit') return 429;
  return fault.kind === 'malformed-json' || fault.kind === 'truncated' ? 200 : 0;
}

const DEFAULT_CODES: Readonly<Record<number, readonly [string, string]>> = {
  400: [CfwErrorCode.TRANSIENT, 'Request error, please try again later'],
  401: [ApigErrorCode.UNAUTHENTICATED, 'Incorrect IAM authentication information: token expired'],
  403: [ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this project'],
  404: [ApigErrorCode.NO_SUCH_API, 'The API does not exist or has not been published in the environment'],
  500: [CfwErrorCode.SYSTEM_BUSY, 'System busy'],
  502: [ApigErrorCode.BAD_GATEWAY, 'Bad gateway'],
  503: [ApigErrorCode.SERVICE_UNAVAILABLE, 'Service unavailable'],
  504: [ApigErrorCode.BACKEND_TIMEOUT, 'Backend timeout'],
};

/** Produces a fault's answer (or its absence), for faults of the `instead` and `delay` phases. */
export async function applyFault(fault: Fault, _request: http.IncomingMessage, response: http.ServerResponse, requestId: string): Promise<void> {
  const headers = { 'content-type': 'application/json;charset=UTF-8', 'x-request-id': requestId };
  switch (fault.kind) {
    case 'status':
    case 'status-after-apply': {
      const [code, message] = DEFAULT_CODES[fault.status] ?? [CfwErrorCode.SYSTEM_BUSY, 'System error'];
      response.writeHead(fault.status, headers);
      response.end(JSON.stringify({ error_code: fault.errorCode ?? code, error_msg: fault.errorMsg ?? message, request_id: requestId }));
      return;
    }
    case 'rate-limit':
      response.writeHead(429, { ...headers, 'retry-after': String(fault.retryAfterSeconds) });
      response.end(JSON.stringify({ error_code: ApigErrorCode.THROTTLED, error_msg: 'The throttling threshold has been reached', request_id: requestId }));
      return;
    case 'malformed-json':
      response.writeHead(200, headers);
      response.end('<html><body>502 Bad Gateway</body></html>');
      return;
    case 'truncated': {
      const body = '{"data":{"limit":10,"offset":0,"total":1,"records":[{"task_id":"cut';
      response.writeHead(200, { ...headers, 'content-length': String(body.length * 2) });
      response.write(body);
      response.socket?.destroy();
      return;
    }
    case 'reset':
    case 'reset-after-apply':
      response.socket?.resetAndDestroy();
      return;
    case 'hang':
    case 'hang-after-apply':
      // Never answers; the socket is destroyed when the simulator closes.
      return;
    case 'latency':
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      return;
    case 'forget-delete':
    case 'file-list':
      // Acted on by the call itself (server.ts).
      return;
    default:
      // A new kind of fault fails the type check here until it has an answer.
      throw new UnreachableCaseError(fault);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFaultMatch(value: unknown): value is FaultMatch {
  if (!isRecord(value)) return false;
  const { method, path } = value;
  return (
    (method === undefined || (typeof method === 'string' && /^[A-Za-z]{1,16}$/.test(method))) &&
    (path === undefined || (typeof path === 'string' && path.startsWith('/') && path.length <= 200))
  );
}

/** Checks a fault that arrived as JSON (the simulator's control endpoint). */
export function isFault(value: unknown): value is Fault {
  if (!isRecord(value)) return false;
  const fault = value;
  const times = fault['times'];
  if (times !== undefined && (typeof times !== 'number' || times < 1)) return false;
  if (fault['match'] !== undefined && !isFaultMatch(fault['match'])) return false;
  switch (fault['kind']) {
    case 'status':
    case 'status-after-apply':
      return typeof fault['status'] === 'number' && fault['status'] >= 100 && fault['status'] <= 599;
    case 'rate-limit':
      return typeof fault['retryAfterSeconds'] === 'number' && fault['retryAfterSeconds'] >= 0;
    case 'latency':
      return typeof fault['ms'] === 'number' && fault['ms'] >= 0;
    case 'malformed-json':
    case 'truncated':
    case 'reset':
    case 'hang':
    case 'reset-after-apply':
    case 'hang-after-apply':
    case 'forget-delete':
    case 'file-list':
      return true;
    default:
      return false;
  }
}
