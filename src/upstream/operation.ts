// One operation's access to CFW. Every call the operation makes (page reads, capture results and
// changes) passes the same steps, here, in this order:
//   1. the caller's credential: without one, UNAUTHENTICATED and no call;
//   2. the operation's budget (OPERATION_UPSTREAM_BUDGET), one unit per call;
//   3. its own dedup: an identical read is made once per operation (DataLoader), and page reads run
//      at most `concurrency` at once;
//   4. then the process-wide path: for pages, the page cache and calls in flight (read.ts); for every
//      call, the one call path (capture-tasks.ts) with the guard (429 hold-off, breaker, bulkhead).
import DataLoader from 'dataloader';
import { UnauthenticatedError, UpstreamCancelledError, UpstreamError } from '../errors.ts';
import type { OperationBudget } from './budget.ts';
import {
  batchDeleteCaptureTasks,
  createCaptureTask,
  readCaptureResult,
  stopCaptureTask,
  type CaptureTaskListQuery,
  type CreateCaptureTaskBody,
  type FirewallScope,
  type LifecycleCallResult,
  type UpstreamCallEvent,
} from './capture-tasks.ts';
import type { UpstreamCredential } from './client.ts';
import { CfwErrorCode } from './codes.ts';
import { credentialKeyOf, firewallChanged, pageKeyOf, readCaptureTaskPage, type PageReads } from './read.ts';
import type { CaptureResultAnswer, CaptureTaskListAnswer } from './wire.ts';

/** The upstream calls an operation can make, by name (logs and metrics). */
export type UpstreamCallName = 'list' | 'create' | 'stop' | 'batch-delete' | 'capture-result';

export interface OperationUpstreamOptions {
  /** The process-wide page reads: page cache and calls in flight. */
  readonly reads: PageReads;
  /** Why the caller may not call the upstream, when it may not: then no call is made. */
  readonly credential: UpstreamCredential | UnauthenticatedError;
  /** Upstream calls this operation may make in all, whatever they are. */
  readonly budget: OperationBudget;
  /** Page reads in flight at once for this operation. */
  readonly concurrency: number;
  /** Ends the operation's reads (the client went away). Changes take none: once sent, a change is seen through. */
  readonly signal?: AbortSignal | undefined;
  /** Told how every call went: its name, its firewall (and page, for a list read), and the event. */
  readonly onCall?:
    ((call: UpstreamCallName, query: FirewallScope & Partial<Pick<CaptureTaskListQuery, 'offset' | 'limit'>>, event: UpstreamCallEvent) => void) | undefined;
}

/** One operation's page reads, counted. */
export interface OperationPages {
  load(query: CaptureTaskListQuery): Promise<CaptureTaskListAnswer>;
  /** Upstream reads made past the operation's own dedup (a cache hit or a shared call counts: each uses budget). */
  calls(): number;
  /** Page reads asked for, served by a call or by an identical earlier read. */
  loads(): number;
  /**
   * Reads a page as the upstream has it now: no cache, no call shared with other operations. Later
   * reads of the same page in this operation see this answer. For the lifecycle, after a change.
   */
  loadFresh(query: CaptureTaskListQuery): Promise<CaptureTaskListAnswer>;
}

export interface OperationUpstream {
  readonly pages: OperationPages;
  readonly create: (firewall: FirewallScope, body: CreateCaptureTaskBody) => Promise<LifecycleCallResult<undefined>>;
  readonly stop: (firewall: FirewallScope, taskId: string) => Promise<LifecycleCallResult<undefined>>;
  readonly batchDelete: (firewall: FirewallScope, taskIds: readonly string[]) => Promise<LifecycleCallResult<undefined>>;
  /**
   * A finished task's capture result, or null when CFW has none for it (still running, unknown).
   * One call per task and address list in an operation; never cached beyond it.
   */
  readonly captureResult: (firewall: FirewallScope, taskId: string, allowedIps: readonly string[]) => Promise<CaptureResultAnswer | null>;
  /** Forgets the firewall's cached pages, everywhere the store is shared: after a change. */
  readonly changed: (firewall: FirewallScope) => Promise<void>;
  /** Calls the budget still allows. */
  readonly remainingCalls: () => number;
}

/** Runs `task` over `items` with at most `limit` running at once, keeping order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) results[index] = await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A DataLoader cache that counts how often a read was served from it. */
class CountingCache<V> extends Map<string, V> {
  hits = 0;
  override get(key: string): V | undefined {
    const value = super.get(key);
    if (value !== undefined) this.hits++;
    return value;
  }
}

interface KeyedQuery {
  readonly query: CaptureTaskListQuery;
  readonly key: string;
}

interface CaptureResultQuery {
  readonly firewall: FirewallScope;
  readonly taskId: string;
  readonly allowedIps: readonly string[];
}

/**
 * When an operation's reads are dispatched: in the check phase of the event loop (setImmediate),
 * after every request read in this turn has started, rather than on the next tick (DataLoader's
 * default). Reads that are served at once, page cache hits, then finish together with those of the
 * other requests of the turn, and their answers go out in one burst, as answers to a shared upstream
 * call already do. Answered one request at a time instead, hits made the page cache slower than no
 * cache under load (bench: 0 ms upstream, 32 connections, 0.78× the gateway without it; 1.00–1.15×
 * with this). A turn with one request pays one event-loop phase, microseconds.
 */
function dispatchAfterThisTurn(dispatch: () => void): void {
  setImmediate(dispatch);
}

/** An error as a value, for DataLoader (which rejects that one load with it). */
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** An operation's upstream access: built per operation in the context factory, bound to its credential. */
export function createOperationUpstream(options: OperationUpstreamOptions): OperationUpstream {
  const { reads, budget, signal, onCall } = options;
  const credential = options.credential;
  const credentialKey = credential instanceof UnauthenticatedError ? '' : credentialKeyOf(credential);
  const { timeoutMs, upstream } = reads.options;

  /** Steps 1 and 2 for every call: the credential it carries, or the error that refuses it. */
  const admit = (read: boolean): UpstreamCredential | Error => {
    if (credential instanceof UnauthenticatedError) return credential;
    // An operation that already ended starts no read.
    if (read && signal?.aborted === true) return new UpstreamCancelledError(0);
    return budget.take() ?? credential;
  };
  const admitted = (read: boolean): UpstreamCredential => {
    const admission = admit(read);
    if (admission instanceof Error) throw admission;
    return admission;
  };
  const callOptions = (call: UpstreamCallName, firewall: FirewallScope, read: boolean) => ({
    credential: admitted(read),
    timeoutMs,
    signal: read ? signal : undefined,
    onDone:
      onCall === undefined
        ? undefined
        : (event: UpstreamCallEvent) => {
            onCall(call, firewall, event);
          },
  });

  let pageCalls = 0;
  const pageCache = new CountingCache<Promise<CaptureTaskListAnswer>>();
  const readPage = async ({ query, key }: KeyedQuery, fresh: boolean): Promise<CaptureTaskListAnswer | Error> => {
    const admission = admit(true);
    if (admission instanceof Error) return admission;
    pageCalls++;
    try {
      return await readCaptureTaskPage(reads, query, key, {
        credential: admission,
        credentialKey,
        signal,
        fresh,
        onDone:
          onCall === undefined
            ? undefined
            : (event) => {
                onCall('list', query, event);
              },
      });
    } catch (error) {
      return asError(error);
    }
  };
  const pageLoader = new DataLoader<KeyedQuery, CaptureTaskListAnswer, string>(
    (batch) => mapConcurrently(batch, options.concurrency, (keyed) => readPage(keyed, false)),
    // One batch per operation and event-loop turn, however many reads it holds: `concurrency` paces
    // them, not the batch size.
    { cacheKeyFn: (keyed) => keyed.key, cacheMap: pageCache, batchScheduleFn: dispatchAfterThisTurn },
  );

  // Made on the first capture-result read: few operations ask for one, and each would pay for it.
  let captureResultLoader: DataLoader<CaptureResultQuery, CaptureResultAnswer | null, string> | undefined;
  const captureResults = () =>
    (captureResultLoader ??= new DataLoader<CaptureResultQuery, CaptureResultAnswer | null, string>(
      (batch) =>
        Promise.all(
          batch.map(async ({ firewall, taskId, allowedIps }) => {
            try {
              return (await readCaptureResult(upstream, firewall, taskId, allowedIps, callOptions('capture-result', firewall, true))).value;
            } catch (error) {
              // CFW has no result for a task still running (status error) or one it does not know.
              const code = error instanceof UpstreamError && error.upstream.status === 400 ? error.upstream.errorCode : undefined;
              if (code === CfwErrorCode.STATUS_ERROR || code === CfwErrorCode.OBJECT_NOT_FOUND) return null;
              return asError(error);
            }
          }),
        ),
      { cacheKeyFn: ({ firewall, taskId, allowedIps }) => JSON.stringify([firewall.fwInstanceId, firewall.enterpriseProjectId ?? null, taskId, allowedIps]) },
    ));

  return {
    pages: {
      load: (query) => pageLoader.load({ query, key: pageKeyOf(query) }),
      calls: () => pageCalls,
      loads: () => pageCalls + pageCache.hits,
      async loadFresh(query) {
        const keyed = { query, key: pageKeyOf(query) };
        const answer = await readPage(keyed, true);
        if (answer instanceof Error) throw answer;
        pageLoader.clear(keyed).prime(keyed, answer);
        return answer;
      },
    },
    // Changes take no operation signal: once sent, a change is seen through.
    create: (firewall, body) => createCaptureTask(upstream, firewall, body, callOptions('create', firewall, false)),
    stop: (firewall, taskId) => stopCaptureTask(upstream, firewall, taskId, callOptions('stop', firewall, false)),
    batchDelete: (firewall, taskIds) => batchDeleteCaptureTasks(upstream, firewall, taskIds, callOptions('batch-delete', firewall, false)),
    captureResult: (firewall, taskId, allowedIps) => captureResults().load({ firewall, taskId, allowedIps }),
    changed: (firewall) => firewallChanged(reads, firewall.fwInstanceId),
    remainingCalls: () => budget.remaining(),
  };
}

/** Page reads alone, for what reads pages and nothing else (the paging tests, the bench). */
export function createOperationPages(options: OperationUpstreamOptions): OperationPages {
  return createOperationUpstream(options).pages;
}
