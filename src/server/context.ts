// createContext: for each operation, given who is calling (auth.ts, asked first at the edge), its
// upstream access (upstream/operation.ts: every call on one credential, budget and dedup) and the
// lifecycle's calls over it; the process-wide part (page cache, shared calls, the per-firewall
// create lock, the clock) is made once, here.
import type http from 'node:http';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import type { UnknownCodeListener } from '../resolvers/values.ts';
import { boundedCache } from '../bounded-cache.ts';
import type { UpstreamHttp } from '../upstream/client.ts';
import { createPageReads } from '../upstream/read.ts';
import { createOperationUpstream } from '../upstream/operation.ts';
import { OperationBudget } from '../upstream/budget.ts';
import type { LifecycleClock, LifecycleDeps } from '../lifecycle/mutations.ts';
import { KeyedLock, SYSTEM_CLOCK } from '../lifecycle/services.ts';
import { createAuthenticator, type Caller } from './auth.ts';
import type { GatewayMetrics } from './metrics.ts';
import { createLiveService, type LiveService } from './live.ts';
import { LiveMetrics, type LiveTransport } from './live-metrics.ts';
import type { LiveTimers } from '../live/timers.ts';

export interface ContextOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly upstream: UpstreamHttp;
  /** The page cache's store. */
  readonly store: KeyValueCache;
  /** The store is this process's memory (not Redis): pages are then also kept parsed. */
  readonly storeIsLocal: boolean;
  readonly metrics: GatewayMetrics;
  /** Used when a request carries no token: the simulator's demo token in simulator mode. */
  readonly fallbackToken?: string | undefined;
  /** The clock deleteCaptureTasks waits by; real time unless a test drives it. */
  readonly lifecycleClock?: LifecycleClock | undefined;
  /** The timers live pollers run by; real ones unless a test drives them. */
  readonly liveTimers?: LiveTimers | undefined;
}

/** Builds one operation's context for its caller; a subscription's also says its transport (an HTTP request's is the router's callback). */
export type CreateContext = (caller: Caller, requestId: string, signal: AbortSignal, transport?: LiveTransport) => GatewayContext;

export interface ContextFactory {
  /** Who is calling: asked at the edge, before anything else is spent on the request. */
  readonly authenticate: (request: http.IncomingMessage) => Promise<Caller>;
  /** The same, from headers alone (a WebSocket's connection_init payload). */
  readonly authenticateHeaders: (headers: http.IncomingHttpHeaders) => Promise<Caller>;
  readonly createContext: CreateContext;
  /** Live capture status: its pollers and subscriptions. */
  readonly live: LiveService;
}

export async function createContextFactory(options: ContextOptions): Promise<ContextFactory> {
  const { config, logger, metrics } = options;
  const reads = createPageReads({
    upstream: options.upstream,
    timeoutMs: config.upstream.timeoutMs,
    cache: options.store,
    ttlSeconds: config.cache.ttlSeconds,
    keepParsed: options.storeIsLocal,
    onShared: (how) => {
      metrics.sharedReads.inc({ how });
    },
  });
  const authenticate = await createAuthenticator(config, options.fallbackToken);
  const onUnknownCode = unknownCodeLogger(logger);
  const stopWait = { maxMs: config.lifecycle.stopWaitMs, pollMs: config.lifecycle.stopPollMs };
  const clock = options.lifecycleClock ?? SYSTEM_CLOCK;
  const locks = new KeyedLock();
  const live = createLiveService({
    config,
    logger,
    metrics: new LiveMetrics(metrics.registry),
    reads,
    timers: options.liveTimers,
    onCall: (call, query, event) => {
      metrics.observeUpstream(event);
      logger[event.outcome === 'error' ? 'warn' : 'debug'](
        { upstream: { call, ...query, ...event, durationMs: Math.round(event.durationMs * 10) / 10 } },
        'live poll upstream call',
      );
    },
  });
  const createContext: CreateContext = (caller, requestId, signal, transport = 'callback') => {
    const credential = caller.credential;
    // The child logger (pino serialises its bindings) is made the first time a line is written.
    let childLogger: Logger | undefined;
    const operationLogger = () => (childLogger ??= logger.child({ requestId }));
    const budget = new OperationBudget(config.limits.upstreamBudget);
    const upstream = createOperationUpstream({
      reads,
      credential,
      budget,
      concurrency: config.limits.upstreamConcurrency,
      signal,
      onCall: (call, query, event) => {
        metrics.observeUpstream(event);
        const level = event.outcome === 'error' ? 'warn' : 'debug';
        // Nothing is built for a line the level drops (debug, for every call that succeeds).
        if (!logger.isLevelEnabled(level)) return;
        // The call's name, firewall and outcome only: a capture result's answer is secret and never logged.
        operationLogger()[level]({ upstream: { call, ...query, ...event, durationMs: Math.round(event.durationMs * 10) / 10 } }, 'upstream call');
      },
    });
    const lifecycle: LifecycleDeps = {
      read: (scope) => (offset, limit) => upstream.pages.loadFresh({ ...scope, offset, limit }),
      create: upstream.create,
      stop: upstream.stop,
      batchDelete: upstream.batchDelete,
      changed: upstream.changed,
      remainingCalls: upstream.remainingCalls,
      exclusive: (key, work) => locks.run(key, work),
      clock,
      stopWait,
    };
    return {
      config,
      logger: operationLogger,
      requestId,
      credential,
      pages: upstream.pages,
      onUnknownCode,
      warnings: [],
      budget,
      mayWrite: caller.write,
      maySeeSecrets: caller.secrets,
      lifecycle,
      captureResult: upstream.captureResult,
      response: { noStore: false },
      live: live.portFor(caller, transport),
      recordMutation: (record) => {
        metrics.mutations.inc({ mutation: record.mutation, outcome: record.outcome });
        operationLogger()[record.outcome === 'error' ? 'warn' : 'info'](
          {
            mutation: record.mutation,
            who: caller.who,
            fwInstanceId: record.fwInstanceId,
            taskIds: record.taskIds,
            outcome: record.outcome,
            ...(record.userErrors.length === 0 ? {} : { userErrorCodes: record.userErrors.map((error) => error.code) }),
            ...(record.errorCode === undefined ? {} : { errorCode: record.errorCode }),
            upstreamRequestIds: record.requestIds,
            durationMs: Math.round(record.durationMs * 10) / 10,
          },
          'mutation',
        );
      },
    };
  };
  return { authenticate: (request) => authenticate(request.headers), authenticateHeaders: authenticate, createContext, live };
}

/** Logs each unknown upstream code once per (field, value) while it is among the last 1000 seen. */
function unknownCodeLogger(logger: Logger): UnknownCodeListener {
  // Bounded: a hostile upstream inventing codes must not grow memory without end.
  const seen = boundedCache<string, true>(1000);
  return (field, value) => {
    const key = `${field}:${typeof value}:${String(value)}`;
    if (seen.has(key)) return;
    seen.set(key, true);
    logger.warn(
      { field, value: typeof value === 'number' ? value : String(value).slice(0, 40) },
      'the upstream sent a code the gateway does not know; it is served as UNKNOWN',
    );
  };
}
