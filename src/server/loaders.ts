// Per-operation loaders. Every upstream page read of one operation goes through here, so identical
// reads (aliases, the same connection twice, many entity representations) are made once, and the
// reads of one tick run together with at most `concurrency` in flight.
import DataLoader from 'dataloader';
import { BudgetExceededError, UnauthenticatedError } from '../errors.ts';
import type { UpstreamCredential, UpstreamHttp } from '../upstream/client.ts';
import { listCaptureTasks, type CaptureTaskListQuery } from '../upstream/capture-tasks.ts';
import type { CaptureTaskListAnswer } from '../upstream/wire.ts';

export type PageLoader = DataLoader<CaptureTaskListQuery, CaptureTaskListAnswer, string>;

export interface LoaderOptions {
  readonly upstream: UpstreamHttp;
  /** undefined: the caller gave no token, so no call is made. */
  readonly credential: UpstreamCredential | undefined;
  readonly timeoutMs: number;
  /** Upstream calls in flight at once for this operation. */
  readonly concurrency: number;
  /** Upstream calls this operation may make in all. */
  readonly budget: number;
  readonly signal?: AbortSignal | undefined;
  /** Told of every call made, for logs and metrics. */
  readonly onCall?: (query: CaptureTaskListQuery) => void;
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

export function createPageLoader(options: LoaderOptions): PageLoader & { readonly calls: () => number } {
  let calls = 0;
  const loader = new DataLoader<CaptureTaskListQuery, CaptureTaskListAnswer, string>(
    (queries) =>
      mapConcurrently(queries, options.concurrency, async (query): Promise<CaptureTaskListAnswer | Error> => {
        const credential = options.credential;
        if (credential === undefined) return new UnauthenticatedError('No credentials: send an IAM token in the X-Auth-Token header or as Authorization: Bearer <token>.');
        if (calls >= options.budget) return new BudgetExceededError(options.budget);
        calls++;
        options.onCall?.(query);
        try {
          return await listCaptureTasks(options.upstream, query, { credential, timeoutMs: options.timeoutMs, signal: options.signal });
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    { cacheKeyFn: pageKeyOf, maxBatchSize: 1000 },
  );
  return Object.assign(loader, { calls: () => calls });
}
