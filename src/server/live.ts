// Live capture status in the instance: the hub of shared pollers over the page read, the caps on
// subscriptions, and, per subscription, its metrics and the one log line when it ends. The
// transports (live-sse.ts, live-ws.ts, Apollo's callback plugin) reach it through the context's
// LivePort; shutdown ends every stream through close().
import { GatewayError, UnauthenticatedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Config } from '../config.ts';
import { LiveHub, type Watch } from '../live/hub.ts';
import { SubscriptionSlots } from '../live/slots.ts';
import type { LiveEvent } from '../live/state.ts';
import { SYSTEM_TIMERS, type LiveTimers } from '../live/timers.ts';
import { isPassingFailure, upstreamScanFor, type UpstreamPollScope } from '../live/upstream-scan.ts';
import type { LivePort } from '../resolvers/context.ts';
import type { OperationUpstreamOptions } from '../upstream/operation.ts';
import { credentialKeyOf, type PageReads } from '../upstream/read.ts';
import type { Caller } from './auth.ts';
import type { LiveMetrics, LiveTransport } from './live-metrics.ts';

export interface LiveServiceOptions {
  readonly config: Pick<Config, 'live' | 'limits'>;
  readonly logger: Logger;
  readonly metrics: LiveMetrics;
  readonly reads: PageReads;
  readonly timers?: LiveTimers | undefined;
  /** Told of every upstream call a poll makes. */
  readonly onCall?: OperationUpstreamOptions['onCall'];
}

export interface LiveService {
  /** The port a subscription's context holds, for this caller on this transport. */
  portFor(caller: Caller, transport: LiveTransport): LivePort;
  /** Shutdown begins: streams the transports end from now on are logged as `draining`. */
  leave(): void;
  /** Ends every stream and stops every poller (shutdown); later subscriptions end at once. */
  close(): void;
  readonly hub: LiveHub<UpstreamPollScope>;
  readonly slots: SubscriptionSlots;
}

export function createLiveService(options: LiveServiceOptions): LiveService {
  const { config, logger, metrics } = options;
  const timers = options.timers ?? SYSTEM_TIMERS;
  const hub = new LiveHub<UpstreamPollScope>({
    intervalMs: config.live.pollIntervalMs,
    maxFailingMs: config.live.failureLimitMs,
    timers,
    scanFor: (scope) =>
      upstreamScanFor(
        { reads: options.reads, budget: config.limits.upstreamBudget, concurrency: config.limits.upstreamConcurrency, onCall: options.onCall },
        scope,
      ),
    isPassing: isPassingFailure,
    onPoll: (outcome) => {
      metrics.polls.inc({ outcome });
    },
    onPollers: (count) => {
      metrics.pollers.set(count);
    },
  });
  const slots = new SubscriptionSlots({ perCaller: config.live.maxPerCaller, perInstance: config.live.maxPerInstance });

  const portFor = (caller: Caller, transport: LiveTransport): LivePort => ({
    watch(task) {
      const credential = caller.credential;
      if (credential instanceof UnauthenticatedError) throw credential;
      const release = slots.take(caller.who);
      if (release instanceof Error) throw release;
      const watch = hub.watch(
        { credential, credentialKey: credentialKeyOf(credential), fwInstanceId: task.fwInstanceId, enterpriseProjectId: task.enterpriseProjectId },
        task.id,
      );
      metrics.subscriptions.inc({ transport });
      // A JWT's expiry ends the stream as a refused credential would: UNAUTHENTICATED.
      const expiry =
        caller.expiresAt === undefined
          ? undefined
          : timers.setTimeout(
              () => {
                watch.expire(new UnauthenticatedError('The credentials expired during the subscription: authenticate again and subscribe anew.'));
              },
              Math.max(0, caller.expiresAt - Date.now()),
            );
      watch.onEnd((reason, error) => {
        if (expiry !== undefined) timers.clearTimeout(expiry);
        release();
        metrics.subscriptions.dec({ transport });
        metrics.ended.inc({ transport, reason });
        const errorCode = error instanceof GatewayError ? error.code : error?.name;
        logger.info(
          { who: caller.who, fwInstanceId: task.fwInstanceId, taskId: task.id, transport, reason, ...(errorCode === undefined ? {} : { errorCode }) },
          'subscription ended',
        );
      });
      return counted(watch, () => {
        metrics.events.inc({ transport });
      });
    },
  });

  return {
    portFor,
    leave: () => {
      hub.leave();
    },
    close: () => {
      hub.close();
    },
    hub,
    slots,
  };
}

/** The watch, telling `onEvent` of each event the transport takes. */
function counted(watch: Watch, onEvent: (event: LiveEvent) => void): AsyncIterableIterator<LiveEvent> {
  return {
    async next() {
      const result = await watch.next();
      if (result.done !== true) onEvent(result.value);
      return result;
    },
    return: () => watch.return(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
