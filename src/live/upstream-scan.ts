// How a poller reads a firewall's list: through the same page read as Query.captureTask (page cache,
// sharing of identical calls, the operation budget, breaker and bulkhead under it), one poll as one
// operation; and which failures are passing.
import { ErrorCode, UpstreamError } from '../errors.ts';
import { scanTasks } from '../lifecycle/tasks.ts';
import { OperationBudget } from '../upstream/budget.ts';
import type { UpstreamCredential } from '../upstream/client.ts';
import { createOperationPages, type OperationUpstreamOptions } from '../upstream/operation.ts';
import type { PageReads } from '../upstream/read.ts';
import type { PollScope } from './hub.ts';
import type { ListScan } from './poller.ts';

/** A poller's scope with the credential its reads carry. */
export interface UpstreamPollScope extends PollScope {
  readonly credential: UpstreamCredential;
}

export interface UpstreamScanOptions {
  readonly reads: PageReads;
  /** Upstream calls one poll may make (OPERATION_UPSTREAM_BUDGET). */
  readonly budget: number;
  readonly concurrency: number;
  readonly onCall?: OperationUpstreamOptions['onCall'];
}

export function upstreamScanFor(options: UpstreamScanOptions, scope: UpstreamPollScope): ListScan {
  return async (signal) => {
    const pages = createOperationPages({
      reads: options.reads,
      credential: scope.credential,
      concurrency: options.concurrency,
      budget: new OperationBudget(options.budget),
      signal,
      onCall: options.onCall,
    });
    const { records } = await scanTasks((offset, limit) =>
      pages.load({ fwInstanceId: scope.fwInstanceId, enterpriseProjectId: scope.enterpriseProjectId, offset, limit }),
    );
    return records;
  };
}

/**
 * A failure that passes: no answer in time, the upstream unavailable (5xx, 429, breaker open,
 * bulkhead full) or unreachable. Refused credentials, an unknown firewall or a bad answer do not.
 */
export function isPassingFailure(error: Error): boolean {
  if (!(error instanceof UpstreamError)) return false;
  switch (error.code) {
    case ErrorCode.UPSTREAM_TIMEOUT:
    case ErrorCode.UPSTREAM_UNAVAILABLE:
      return true;
    case ErrorCode.UPSTREAM_ERROR:
      return error.upstream.status === undefined || error.upstream.status >= 500;
    default:
      return false;
  }
}
