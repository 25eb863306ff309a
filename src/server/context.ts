// createContext: for each operation, who is calling (auth.ts), and the page reads built for this
// operation alone (upstream/read.ts), with its concurrency, budget and cancellation; the process-wide
// part of those reads (page cache, shared calls) is made once, here.
import type http from 'node:http';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import type { UnknownCodeListener } from '../resolvers/values.ts';
import { boundedCache } from '../bounded-cache.ts';
import type { UpstreamHttp } from '../upstream/client.ts';
import { createOperationPages, createPageReads } from '../upstream/read.ts';
import { createAuthenticator } from './auth.ts';
import type { GatewayMetrics } from './metrics.ts';

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
}

/** Builds one operation's context from its request. */
export type CreateContext = (request: http.IncomingMessage, requestId: string, signal: AbortSignal) => Promise<GatewayContext>;

export async function createContextFactory(options: ContextOptions): Promise<CreateContext> {
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
  return async (request, requestId, signal) => {
    const credential = await authenticate(request.headers);
    const operationLogger = logger.child({ requestId });
    return {
      config,
      logger: operationLogger,
      requestId,
      credential,
      pages: createOperationPages({
        reads,
        credential,
        concurrency: config.limits.upstreamConcurrency,
        upstreamBudget: config.limits.upstreamBudget,
        signal,
        onCall: (query, event) => {
          metrics.observeUpstream(event);
          operationLogger[event.outcome === 'error' ? 'warn' : 'debug'](
            { upstream: { fwInstanceId: query.fwInstanceId, offset: query.offset, limit: query.limit, ...event, durationMs: Math.round(event.durationMs * 10) / 10 } },
            'upstream call',
          );
        },
      }),
      onUnknownCode,
      warnings: [],
    };
  };
}

/** Logs each unknown upstream code once per (field, value) while it is among the last 1000 seen. */
function unknownCodeLogger(logger: Logger): UnknownCodeListener {
  // Bounded: a hostile upstream inventing codes must not grow memory without end.
  const seen = boundedCache<string, true>(1000);
  return (field, value) => {
    const key = `${field}:${typeof value}:${String(value)}`;
    if (seen.has(key)) return;
    seen.set(key, true);
    logger.warn({ field, value: typeof value === 'number' ? value : String(value).slice(0, 40) }, 'the upstream sent a code the gateway does not know; it is served as UNKNOWN');
  };
}
