// Per-operation loaders. Every upstream page read of one operation goes through here, so identical
// reads (aliases, the same connection twice, many entity representations) are made once, and the
// reads of one tick run together with at most `concurrency` in flight.
import DataLoader from 'dataloader';
import { BudgetExceededError, UnauthenticatedError, UpstreamCancelledError } from '../errors.ts';
import type { UpstreamCredential } from '../upstream/client.ts';
import type { CaptureTaskListQuery, UpstreamCallEvent } from '../upstream/capture-tasks.ts';
import type { PageSource } from './page-source.ts';
import type { CaptureTaskListAnswer } from '../upstream/wire.ts';

export type PageLoader = DataLoader<CaptureTaskListQuery, CaptureTaskListAnswer, string>;

export interface LoaderOptions {
  /** The process-wide reader: page cache, coalescing, the upstream client. */
  readonly source: PageSource;
  /** Why the caller may not call the upstream, when it may not: then no call is made. */
  readonly credential: UpstreamCredential | UnauthenticatedError;
  /** Upstream calls in flight at once for this operation. */
  readonly concurrency: number;
  /** Upstream calls this operation may make in all. */
  readonly budget: number;
  readonly signal?: AbortSignal | undefined;
  /** Told how every call went, for logs and metrics. */
  readonly onCall?: (query: CaptureTaskListQuery, event: UpstreamCallEvent) => void;
}

export function pageKeyOf(query: CaptureTaskListQuery): string {
  return `${query.fwInstanceId}\u0000${query.enterpriseProjectId ?? ''}\u0000${query.offset}\u0000${query.limit}`;
}

/** Runs `task` over `items` with at most `limit` running at once, keeping order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
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

export type CountingPageLoader = PageLoader & {
  /** Upstream calls made. */
  readonly calls: () => number;
  /** Page reads asked for, served by a call or by an identical earlier read. */
  readonly loads: () => number;
};

export function createPageLoader(options: LoaderOptions): CountingPageLoader {
  let calls = 0;
  const cache = new CountingCache<Promise<CaptureTaskListAnswer>>();
  const loader = new DataLoader<CaptureTaskListQuery, CaptureTaskListAnswer, string>(
    (queries) =>
      mapConcurrently(queries, options.concurrency, async (query): Promise<CaptureTaskListAnswer | Error> => {
        const credential = options.credential;
        if (credential instanceof UnauthenticatedError) return credential;
        if (options.signal?.aborted === true) return new UpstreamCancelledError(0);
        if (calls >= options.budget) return new BudgetExceededError(options.budget);
        calls++;
        const onCall = options.onCall;
        try {
          return await options.source.read(query, {
            credential,
            signal: options.signal,
            onDone: onCall === undefined ? undefined : (event) => {
              onCall(query, event);
            },
          });
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    { cacheKeyFn: pageKeyOf, maxBatchSize: 1000, cacheMap: cache },
  );
  return Object.assign(loader, { calls: () => calls, loads: () => calls + cache.hits });
}
