// The live transports of one gateway: GraphQL over SSE (live-sse.ts) and over WebSocket
// (live-ws.ts), both checking subscriptions as Apollo checks queries (live-operations.ts), and their
// shutdown: WebSockets close with 1012 and SSE streams end without `complete` (clients retry both),
// then the pollers stop. The router's HTTP callbacks run through Apollo (apollo.ts).
import type http from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Config } from '../config.ts';
import { ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Caller } from './auth.ts';
import type { CreateContext } from './context.ts';
import type { LiveService } from './live.ts';
import { createLiveOperations } from './live-operations.ts';
import { createSseTransport, type SseTransport } from './live-sse.ts';
import { createWsTransport } from './live-ws.ts';
import type { TrustedDocuments } from './persisted-documents.ts';
import type { CallerRateLimit } from './rate-limit.ts';
import { SYSTEM_TIMERS, type LiveTimers } from '../live/timers.ts';

export interface LiveTransportsOptions {
  readonly config: Pick<Config, 'live' | 'limits'>;
  readonly logger: Logger;
  readonly schema: GraphQLSchema;
  readonly trusted: TrustedDocuments | undefined;
  readonly httpServer: http.Server;
  readonly path: string;
  readonly live: LiveService;
  readonly createContext: CreateContext;
  readonly authenticate: (headers: http.IncomingHttpHeaders) => Promise<Caller>;
  readonly allowsOrigin: (origin: string) => boolean;
  readonly rateLimit: CallerRateLimit | undefined;
  /** Told when the rate limit refuses a subscription. */
  readonly onRateLimited: () => void;
  /** Keep-alives run on them; real ones unless a test drives them. */
  readonly timers?: LiveTimers | undefined;
}

export interface LiveTransports {
  readonly sse: SseTransport;
  /** Ends every stream with a signal clients retry on, then stops the pollers. */
  close(): Promise<void>;
}

export function createLiveTransports(options: LiveTransportsOptions): LiveTransports {
  const { config, logger } = options;
  const operations = createLiveOperations({ schema: options.schema, config, logger, trusted: options.trusted });
  const timers = options.timers ?? SYSTEM_TIMERS;
  const sse = createSseTransport({ operations, createContext: options.createContext, keepAliveMs: config.live.keepAliveMs, timers });
  const ws = createWsTransport({
    httpServer: options.httpServer,
    path: options.path,
    operations,
    createContext: options.createContext,
    authenticate: options.authenticate,
    allowsOrigin: options.allowsOrigin,
    keepAliveMs: config.live.keepAliveMs,
    timers,
    maxPerConnection: config.live.maxPerConnection,
    logger,
    admit: async (caller) => {
      if (options.rateLimit === undefined) return undefined;
      const decision = await options.rateLimit(caller.who);
      if (decision.allowed) return undefined;
      options.onRateLimited();
      const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      return new GraphQLError(`Too many requests from this caller. Try again in ${retryAfterSeconds} s.`, {
        extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds },
      });
    },
  });
  return {
    sse,
    async close() {
      options.live.leave();
      sse.close();
      await ws.close();
      options.live.close();
    },
  };
}
