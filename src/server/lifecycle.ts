// The lifecycle's view of the world for one operation (lifecycle/mutations.ts's LifecycleDeps, and
// the capture-result reader): upstream calls with the operation's credential, counted in its budget,
// fresh list reads through its loader, the page cache dropped after a change, one create per
// firewall at a time in this process, and an injectable clock.
import { UnauthenticatedError, UpstreamError } from '../errors.ts';
import type { LifecycleClock, LifecycleDeps, StopWait } from '../lifecycle/mutations.ts';
import type { OperationBudget } from '../upstream/budget.ts';
import {
  batchDeleteCaptureTasks,
  createCaptureTask,
  readCaptureResult,
  stopCaptureTask,
  type CaptureTaskScope,
  type LifecycleCallOptions,
  type UpstreamCallEvent,
} from '../upstream/capture-tasks.ts';
import { CfwErrorCode } from '../upstream/codes.ts';
import type { UpstreamCredential, UpstreamHttp } from '../upstream/client.ts';
import { firewallChanged, type OperationPages, type PageReads } from '../upstream/read.ts';
import type { CaptureResultAnswer } from '../upstream/wire.ts';

/** Real time: what the gateway uses unless a test injects its own. */
export const SYSTEM_CLOCK: LifecycleClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Runs work of one key one after another, process-wide; keys are forgotten when idle. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

/** What the process shares between operations' lifecycle deps. */
export interface LifecycleServices {
  readonly upstream: UpstreamHttp;
  /** The process-wide page reads: their cache is dropped for a firewall after a change. */
  readonly reads: PageReads;
  readonly timeoutMs: number;
  readonly stopWait: StopWait;
  readonly clock: LifecycleClock;
  readonly locks: KeyedLock;
}

/** One operation's part. */
export interface OperationLifecycleOptions {
  readonly credential: UpstreamCredential | UnauthenticatedError;
  readonly pages: OperationPages;
  readonly budget: OperationBudget;
  readonly signal: AbortSignal;
  /** Told how every lifecycle call went (`call` names it), for logs and metrics. */
  readonly onCall: (call: string, scope: CaptureTaskScope, event: UpstreamCallEvent) => void;
}

export interface OperationLifecycle {
  readonly deps: LifecycleDeps;
  /**
   * A finished task's capture result, or null when CFW has none for it (still running, unknown).
   * One call per task and address list in an operation; never cached beyond it.
   */
  readonly captureResult: (scope: CaptureTaskScope, taskId: string, allowedIps: readonly string[]) => Promise<CaptureResultAnswer | null>;
}

export function operationLifecycle(services: LifecycleServices, operation: OperationLifecycleOptions): OperationLifecycle {
  /** The call options after the credential and budget checks, which throw when the call may not be made. */
  const callOptions = (call: string, scope: CaptureTaskScope, signal: AbortSignal | undefined): LifecycleCallOptions => {
    const credential = operation.credential;
    if (credential instanceof UnauthenticatedError) throw credential;
    const refused = operation.budget.take();
    if (refused !== undefined) throw refused;
    return {
      credential,
      timeoutMs: services.timeoutMs,
      signal,
      onDone: (event) => {
        operation.onCall(call, scope, event);
      },
    };
  };
  const results = new Map<string, Promise<CaptureResultAnswer | null>>();
  return {
    deps: {
      read: (scope) => (offset, limit) => operation.pages.loadFresh({ ...scope, offset, limit }),
      // Changes take no operation signal: once sent, a change is seen through.
      create: (scope, body) => createCaptureTask(services.upstream, scope, body, callOptions('create', scope, undefined)),
      stop: (scope, taskId) => stopCaptureTask(services.upstream, scope, taskId, callOptions('stop', scope, undefined)),
      batchDelete: (scope, taskIds) => batchDeleteCaptureTasks(services.upstream, scope, taskIds, callOptions('batch-delete', scope, undefined)),
      changed: (scope) => firewallChanged(services.reads, scope.fwInstanceId),
      remainingCalls: () => operation.budget.remaining(),
      exclusive: (key, work) => services.locks.run(key, work),
      clock: services.clock,
      stopWait: services.stopWait,
    },
    captureResult(scope, taskId, allowedIps) {
      const key = JSON.stringify([scope.fwInstanceId, scope.enterpriseProjectId ?? null, taskId, allowedIps]);
      let result = results.get(key);
      if (result === undefined) {
        result = (async () => {
          try {
            return (await readCaptureResult(services.upstream, scope, taskId, allowedIps, callOptions('capture-result', scope, operation.signal))).value;
          } catch (error) {
            // CFW has no result for a task still running (status error) or one it does not know.
            const code = error instanceof UpstreamError && error.upstream.status === 400 ? error.upstream.errorCode : undefined;
            if (code === CfwErrorCode.STATUS_ERROR || code === CfwErrorCode.OBJECT_NOT_FOUND) return null;
            throw error;
          }
        })();
        results.set(key, result);
      }
      return result;
    },
  };
}
