// What every resolver receives: whose credential the upstream calls carry, the page reads built for
// this operation alone, the lifecycle's calls on the same budget, and where resolvers leave warnings
// for the response. The type lives with
// the resolvers that read it; the server builds it (server/context.ts).
import type { Config } from '../config.ts';
import type { ForbiddenError, UnauthenticatedError, WarningCode } from '../errors.ts';
import type { UserError } from '../lifecycle/input.ts';
import type { LifecycleDeps } from '../lifecycle/mutations.ts';
import type { OperationBudget } from '../upstream/budget.ts';
import type { FirewallScope } from '../upstream/capture-tasks.ts';
import type { CaptureResultAnswer } from '../upstream/wire.ts';
import type { Logger } from '../logger.ts';
import type { UpstreamCredential } from '../upstream/client.ts';
import type { OperationPages } from '../upstream/operation.ts';
import type { UnknownCodeListener } from './values.ts';
import type { LiveEvent } from '../live/state.ts';

/** Which task a subscriber watches. */
export interface WatchedTask {
  readonly fwInstanceId: string;
  readonly id: string;
  readonly enterpriseProjectId: string | undefined;
}

/** Live capture status for this caller (server/live.ts): a task's events, or the error that refuses the subscription. */
export interface LivePort {
  watch(task: WatchedTask): AsyncIterableIterator<LiveEvent>;
}

/** A non-fatal note for the client, sent in the response's `extensions.warnings`. */
export interface OperationWarning {
  readonly code: WarningCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

/** The settings resolvers read: the drift window and the upstream's time zone. */
export interface ResolverConfig {
  readonly paging: Config['paging'];
  readonly upstream: Pick<Config['upstream'], 'timeZone'>;
}

export interface GatewayContext {
  readonly config: ResolverConfig;
  /**
   * The logger bound to this operation's request id, made on the first call. A function, not a
   * getter: Apollo copies the context for each operation with Object.assign, which would call a
   * getter and so make a child logger for every request, logged or not.
   */
  readonly logger: () => Logger;
  /** Whose authority upstream calls carry, or why the caller has none. */
  readonly credential: UpstreamCredential | UnauthenticatedError;
  /** This operation's page reads (upstream/read.ts): deduplicated, paced and budgeted. */
  readonly pages: OperationPages;
  /** The request id: taken from X-Request-Id or made, echoed in the response. */
  readonly requestId: string;
  readonly onUnknownCode: UnknownCodeListener;
  readonly warnings: OperationWarning[];
  /** Every upstream call of the operation draws from it: page reads, changes, capture results. */
  readonly budget: OperationBudget;
  /** Whether the caller may change capture tasks; the error that refuses it when not. */
  readonly mayWrite: true | UnauthenticatedError | ForbiddenError;
  /** Whether the caller may see download links; the error that refuses it when not. */
  readonly maySeeSecrets: true | UnauthenticatedError;
  /** What the mutations need: fresh reads, the changes themselves, the clock. */
  readonly lifecycle: LifecycleDeps;
  /** A finished task's capture result (secret), or null when CFW has none. */
  readonly captureResult: (scope: FirewallScope, taskId: string, allowedIps: readonly string[]) => Promise<CaptureResultAnswer | null>;
  /** Set when the response carries secrets or a change: it is sent with `Cache-Control: no-store`. */
  readonly response: { noStore: boolean };
  /** Subscriptions: the shared pollers, behind this caller's caps. */
  readonly live: LivePort;
  /** One structured log line and the metrics of a mutation (never a secret). */
  readonly recordMutation: (record: MutationRecord) => void;
}

/** How a mutation went, for its log line and metrics. */
export interface MutationRecord {
  readonly mutation: 'createCaptureTask' | 'stopCaptureTask' | 'deleteCaptureTasks';
  readonly fwInstanceId: string;
  readonly taskIds: readonly string[];
  /** ok; user-error (refused as data); error (a top-level error). */
  readonly outcome: 'ok' | 'user-error' | 'error';
  readonly userErrors: readonly UserError[];
  /** The top-level error's code, when there was one. */
  readonly errorCode?: string | undefined;
  /** The upstream request ids of the changes made. */
  readonly requestIds: readonly string[];
  readonly durationMs: number;
}
