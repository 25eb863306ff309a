// Faults the simulator can be told to produce, one request at a time, as a real CFW endpoint does
// on a bad day: slow answers, error statuses with CFW/APIG bodies, rate limiting, bodies that are
// not JSON or are cut short, reset connections and answers that never come.
import type http from 'node:http';
import { UnreachableCaseError } from '../errors.ts';
import { ApigErrorCode, CfwErrorCode } from '../upstream/codes.ts';

export type Fault =
  /** An error status with a CFW/APIG body, e.g. `{ kind: 'status', status: 503 }`. */
  | { readonly kind: 'status'; readonly status: number; readonly errorCode?: string; readonly errorMsg?: string; readonly times?: number }
  /** 429 with a Retry-After in seconds. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number; readonly times?: number }
  /** A 200 whose body is not JSON. */
  | { readonly kind: 'malformed-json'; readonly times?: number }
  /** A 200 whose body stops halfway, then the connection closes. */
  | { readonly kind: 'truncated'; readonly times?: number }
  /** The connection is reset before any answer. */
  | { readonly kind: 'reset'; readonly times?: number }
  /** No answer at all until the client gives up. */
  | { readonly kind: 'hang'; readonly times?: number }
  /** An answer delayed by `ms`, then served normally. */
  | { readonly kind: 'latency'; readonly ms: number; readonly times?: number };

/** The fault for the next request, counting it down; `times` defaults to 1, Infinity means always. */
export function takeFault(faults: Fault[]): Fault | undefined {
  const fault = faults[0];
  if (fault === undefined) return undefined;
  const times = fault.times ?? 1;
  if (times <= 1) faults.shift();
  else faults[0] = { ...fault, times: times - 1 };
  return fault;
}

/** Whether, after this fault, the request is still served normally. */
export function faultPassesThrough(fault: Fault): boolean {
  return fault.kind === 'latency';
}

/** The status a fault answers with, 0 for none. */
export function statusOfFault(fault: Fault): number {
  if (fault.kind === 'status') return fault.status;
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

/** Produces a fault's answer (or its absence). */
export async function applyFault(fault: Fault, _request: http.IncomingMessage, response: http.ServerResponse, requestId: string): Promise<void> {
  const headers = { 'content-type': 'application/json;charset=UTF-8', 'x-request-id': requestId };
  switch (fault.kind) {
    case 'status': {
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
      response.socket?.resetAndDestroy();
      return;
    case 'hang':
      // Never answers; the socket is destroyed when the simulator closes.
      return;
    case 'latency':
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      return;
    default:
      // A new kind of fault fails the type check here until it has an answer.
      throw new UnreachableCaseError(fault);
  }
}

/** Checks a fault that arrived as JSON (the simulator's control endpoint). */
export function isFault(value: unknown): value is Fault {
  if (typeof value !== 'object' || value === null) return false;
  const fault = value as Record<string, unknown>;
  const times = fault['times'];
  if (times !== undefined && (typeof times !== 'number' || times < 1)) return false;
  switch (fault['kind']) {
    case 'status':
      return typeof fault['status'] === 'number' && fault['status'] >= 100 && fault['status'] <= 599;
    case 'rate-limit':
      return typeof fault['retryAfterSeconds'] === 'number' && fault['retryAfterSeconds'] >= 0;
    case 'latency':
      return typeof fault['ms'] === 'number' && fault['ms'] >= 0;
    case 'malformed-json':
    case 'truncated':
    case 'reset':
    case 'hang':
      return true;
    default:
      return false;
  }
}
