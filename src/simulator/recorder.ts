// What tests read back: the calls and requests the simulator saw, and counts per method and path.
import type { FaultKind } from './faults.ts';
import { endpointOf, type SimulatorEndpoint } from './routes.ts';

/** One list call as the simulator saw it. */
export interface RecordedCall {
  readonly fwInstanceId: string | null;
  readonly offset: string | null;
  readonly limit: string | null;
  readonly token: string | undefined;
  readonly status: number;
  /** The W3C trace context the caller sent, if any. */
  readonly traceparent: string | undefined;
}

/** One API request (any call, answered or not) as the simulator saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path after `/v1/{project_id}`, e.g. `/capture-task/stop`. */
  readonly path: string;
  readonly endpoint: SimulatorEndpoint | undefined;
  readonly fwInstanceId: string | null;
  /** The status answered; 0 when no answer was sent (reset, hang). */
  readonly status: number;
  /** The fault this request took, if any. */
  readonly fault: FaultKind | undefined;
  /** Whether it changed the data: a task created, stopped, or deleted. */
  readonly applied: boolean;
}

/** The most calls and requests kept; older ones are dropped first. */
const MAX_RECORDED = 10_000;

export class Recorder {
  /** The last list calls, newest last (bounded). */
  readonly calls: RecordedCall[] = [];
  /** All list calls since start or the last reset. */
  callCount = 0;
  /** The last API requests of every call, newest last (bounded). */
  readonly requests: RecordedRequest[] = [];
  readonly #callCounts = new Map<string, number>();

  /** Forgets recorded calls and counts. */
  reset(): void {
    this.calls.length = 0;
    this.callCount = 0;
    this.requests.length = 0;
    this.#callCounts.clear();
  }

  /** Requests for one method and path since start or reset(), faulted ones included. */
  callCountOf(method: string, path: string): number {
    return this.#callCounts.get(`${method.toUpperCase()} ${path}`) ?? 0;
  }

  /** Every count callCountOf() knows, keyed `METHOD /path`. */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.#callCounts);
  }

  call(call: RecordedCall): void {
    this.callCount++;
    this.calls.push(call);
    if (this.calls.length > MAX_RECORDED) this.calls.splice(0, this.calls.length - MAX_RECORDED);
  }

  request(request: RecordedRequest): void {
    this.requests.push(request);
    if (this.requests.length > MAX_RECORDED) this.requests.splice(0, this.requests.length - MAX_RECORDED);
  }

  count(method: string, path: string): void {
    // Known calls are counted by path; anything else under one key, so junk paths cannot grow the map.
    const key = endpointOf(method, path) === undefined ? 'other' : `${method} ${path}`;
    this.#callCounts.set(key, (this.#callCounts.get(key) ?? 0) + 1);
  }
}
