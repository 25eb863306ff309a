// The HTTP edge: node:http in front of the GraphQL server (apollo.ts). It builds the gateway's parts
// once, routes each request (/graphql to graphql-route.ts; /healthz and /readyz to probes.ts;
// /metrics; /schema.graphql; the explorer), gives each request an id, turns a failure into the JSON
// error body, and listens, leaves, then drains on shutdown. Its sockets' timeouts, HTTP-level
// rejections and the drain itself are in sockets.ts.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ConfigError, type Config } from '../config.ts';
import { ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { LifecycleClock } from '../lifecycle/mutations.ts';
import type { UpstreamHttp } from '../upstream/client.ts';
import { createCacheStore } from '../cache/stores.ts';
import { createApollo } from './apollo.ts';
import { clientSdlFrom } from './client-schema.ts';
import { corsAllows } from './cross-origin.ts';
import { createHttpServer, Drain, errorBody as graphqlErrorBody, handleClientErrors, isClientFault } from './sockets.ts';
import { createContextFactory } from './context.ts';
import { loadTrustedDocuments } from './persisted-documents.ts';
import { buildGatewaySchema, readSchemaSdl } from './schema.ts';
import { createGraphiqlExplorer, EXPLORER_ASSET_PREFIX, explorerHeaderHint } from './explorer.ts';
import { GatewayMetrics } from './metrics.ts';
import { createGraphQLRoute, JSON_TYPE } from './graphql-route.ts';
import { createProbes } from './probes.ts';
import { createCallerRateLimit } from './rate-limit.ts';
import { createLiveTransports } from './live-transports.ts';
import type { LiveTimers } from '../live/timers.ts';

/** The hosted Sandbox, allowed as a CORS origin outside production (config.http.devOrigins) so it can reach a local gateway. */
export const SANDBOX_ORIGIN = 'https://studio.apollographql.com';

/** A caller's X-Request-Id is kept when it is tidy; otherwise the gateway makes one. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly upstream: UpstreamHttp;
  /** Used when a request carries no token: the simulator's demo token in simulator mode. */
  readonly fallbackToken?: string | undefined;
  /** The query the Sandbox landing page opens with. */
  readonly exampleQuery?: string | undefined;
  /** Process metrics (CPU, memory, event loop) in /metrics; off when several gateways share a process. */
  readonly defaultMetrics?: boolean;
  /** The clock deleteCaptureTasks waits by; real time unless a test drives it. */
  readonly lifecycleClock?: LifecycleClock | undefined;
  /** The clock the shared store's breaker reads (REDIS_BREAKER_OPEN_MS); Date.now unless a test moves it. */
  readonly storeClock?: (() => number) | undefined;
  /** The timers live pollers run by; real ones unless a test drives them. */
  readonly liveTimers?: LiveTimers | undefined;
}

export interface CloseOptions {
  /**
   * Settles when the instance has been seen to leave: until then it keeps serving, with /readyz
   * answering 503, and only then the listener closes (main.ts: DRAIN_DELAY_MS after SIGTERM). By
   * default the listener closes at once.
   */
  readonly leaving?: Promise<unknown>;
}

export interface Gateway {
  /** Starts listening; resolves with the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Leaves (readiness fails at once, the listener stays open until `leaving` settles), then stops
   * accepting, lets in-flight operations finish, closes upstream sockets.
   */
  close(options?: CloseOptions): Promise<void>;
  readonly httpServer: http.Server;
  readonly metrics: GatewayMetrics;
}

/**
 * A request's target as a URL. `new URL('//graphql', base)` would read `graphql` as a host, so an
 * origin-form target (`/…`) is appended to the base; the absolute form a proxy may send is parsed as
 * it is, and one that is no URL reads as `/`.
 */
export function requestUrl(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    return raw.startsWith('/') ? new URL(`http://gateway${raw}`) : new URL(raw, 'http://gateway');
  } catch {
    return new URL('http://gateway/');
  }
}

/**
 * Why the server could not listen, as a configuration problem naming PORT and HOST when it is one
 * (the port is taken or not ours to take, the host does not resolve or is not this machine's);
 * any other error as it is.
 */
export function listenProblem(error: Error, port: number, host: string): Error {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const where = `PORT ${port} on HOST ${host}`;
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigError([`${where} is already in use (another process listens there): stop it, or set PORT to a free port`]);
    case 'EACCES':
      return new ConfigError([`${where} may not be listened on by this user (ports below 1024 need privileges): set PORT to 1024 or above`]);
    case 'EADDRNOTAVAIL':
      return new ConfigError([`HOST ${host} is not an address of this machine: set HOST to one of its addresses, 127.0.0.1 or 0.0.0.0`]);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new ConfigError([
        `HOST ${host} does not resolve to an address (${code}): set HOST to an address such as 127.0.0.1 or 0.0.0.0, or a resolvable name`,
      ]);
    default:
      return error;
  }
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const httpServer = createHttpServer({ headersTimeoutMs: config.http.headersTimeoutMs, bodyTimeoutMs: config.http.bodyTimeoutMs });
  handleClientErrors(httpServer, logger);
  const drain = new Drain();
  const allowsOrigin = corsAllows({
    origins: [...config.http.corsOrigins, ...(config.http.devOrigins ? [SANDBOX_ORIGIN] : [])],
    loopback: config.http.devOrigins,
  });
  const store = await createCacheStore({
    redisUrl: config.cache.redisUrl,
    maxMemoryBytes: config.cache.maxMemoryBytes,
    logger,
    redis: config.cache.redis,
    now: options.storeClock,
  });
  const metrics = new GatewayMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  metrics.observeStore(store.breaker);
  metrics.observeBreaker(options.upstream.guard.state());
  options.upstream.guard.onStateChange((state) => {
    metrics.observeBreaker(state);
    logger.warn({ breaker: state }, `upstream circuit breaker ${state}`);
  });
  if (config.inbound.anonymous) logger.warn('ALLOW_ANONYMOUS=true: anyone who reaches this gateway reads capture tasks with its own AK/SK');
  let listening = false;

  const schema = buildGatewaySchema();
  const trusted =
    config.persistedDocuments.path === undefined
      ? undefined
      : await loadTrustedDocuments(config.persistedDocuments.path, schema, config.persistedDocuments.allowText);
  if (trusted !== undefined)
    logger.info({ documents: trusted.byId.size, allowText: trusted.allowText }, "trusted documents: only the manifest's operations run");
  const explorerHeaders = explorerHeaderHint(config, options.fallbackToken);
  // GraphiQL's files are read only when it is the explorer: the other settings never touch them.
  const explorer = config.explorer === 'graphiql' ? await createGraphiqlExplorer({ defaultQuery: options.exampleQuery, headers: explorerHeaders }) : undefined;
  const apollo = await createApollo({ config, logger, metrics, schema, store: store.cache, exampleQuery: options.exampleQuery, explorerHeaders });
  const { authenticate, authenticateHeaders, createContext, live } = await createContextFactory({
    config,
    logger,
    upstream: options.upstream,
    store: store.cache,
    storeIsLocal: store.kind === 'memory',
    metrics,
    fallbackToken: options.fallbackToken,
    lifecycleClock: options.lifecycleClock,
    liveTimers: options.liveTimers,
  });

  const { perSecond, burst } = config.callerRateLimit;
  const rateLimit = perSecond === 0 ? undefined : createCallerRateLimit({ perSecond, burst }, store);
  // Subscriptions: SSE through the /graphql route, WebSocket upgrades on the same port and path.
  const liveTransports = createLiveTransports({
    config,
    logger,
    schema,
    trusted,
    httpServer,
    path: '/graphql',
    live,
    createContext,
    authenticate: authenticateHeaders,
    allowsOrigin,
    rateLimit,
    onRateLimited: () => {
      metrics.callerRateLimited.inc();
    },
    timers: options.liveTimers,
  });

  const corsHeaders = (request: http.IncomingMessage): Record<string, string> => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowsOrigin(origin)) return {};
    return { 'access-control-allow-origin': origin, vary: 'origin', 'access-control-allow-credentials': 'true' };
  };
  const graphqlRoute = createGraphQLRoute({
    config,
    logger,
    metrics,
    apollo,
    authenticate,
    createContext,
    rateLimit,
    trusted,
    corsHeaders,
    drain: drain.signal,
    sse: liveTransports.sse,
  });

  // The client SDL for frontend tooling, wherever introspection is allowed (it says no more).
  const clientSdl = config.introspection ? clientSdlFrom(readSchemaSdl()) : undefined;
  const handleClientSchema = (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (clientSdl === undefined) {
      sendJson(response, 404, { errors: [{ message: 'The schema is not published here: introspection is off.', extensions: { code: ErrorCode.NOT_FOUND } }] });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': JSON_TYPE, allow: 'GET, HEAD' });
      response.end(graphqlErrorBody('Use GET for the schema.', ErrorCode.METHOD_NOT_ALLOWED));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/graphql; charset=utf-8', 'cache-control': 'no-cache', ...corsHeaders(request) });
    response.end(request.method === 'HEAD' ? undefined : clientSdl);
  };

  const sendJson = (response: http.ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  const probes = createProbes({
    listening: () => listening,
    leaving: () => drain.leaving,
    upstreamBreaker: () => options.upstream.guard.state(),
    cacheStore: () => store.breaker?.state ?? 'memory',
    maxLoopDelayMs: config.livenessMaxLoopDelayMs,
    warnings: config.inbound.anonymous ? ['ALLOW_ANONYMOUS: callers are not authenticated'] : [],
  });
  metrics.observeReadiness(
    () => probes.ready(),
    () => drain.leaving,
  );

  httpServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    const url = requestUrl(request.url);
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('x-request-id', requestId);
    drain.track(response);
    const route =
      url.pathname === '/graphql' ||
      url.pathname === '/schema.graphql' ||
      url.pathname === '/healthz' ||
      url.pathname === '/readyz' ||
      url.pathname === '/metrics'
        ? url.pathname
        : url.pathname.startsWith(EXPLORER_ASSET_PREFIX)
          ? '/explorer'
          : 'other';
    response.once('finish', () => {
      metrics.httpRequests.inc({ route, method: request.method ?? 'OTHER', status: String(response.statusCode) });
      metrics.httpDuration.observe({ route }, (performance.now() - started) / 1000);
    });
    const handle = async () => {
      if (explorer?.handle(request, response, url, '/graphql') === true) return;
      switch (route) {
        case '/graphql':
          return graphqlRoute(request, response, url, requestId);
        case '/schema.graphql':
          handleClientSchema(request, response);
          return;
        case '/healthz': {
          const { status, body } = probes.health();
          sendJson(response, status, body);
          return;
        }
        case '/readyz': {
          const { status, body } = probes.readiness();
          sendJson(response, status, body);
          return;
        }
        case '/metrics':
          response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
          response.end(await metrics.registry.metrics());
          return;
        default:
          sendJson(response, 404, {
            errors: [{ message: `Nothing at ${url.pathname}; GraphQL is served at /graphql.`, extensions: { code: ErrorCode.NOT_FOUND } }],
          });
      }
    };
    handle().catch((error: unknown) => {
      // A client that reset its connection or cut its request short is no fault of the gateway's.
      if (isClientFault(error)) logger.debug({ requestId, reason: error instanceof Error ? error.message : String(error) }, 'the client went away');
      else logger.error({ err: error, requestId }, 'request failed');
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': JSON_TYPE });
        response.end(graphqlErrorBody('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
      } else response.destroy();
    });
  });

  return {
    httpServer,
    metrics,
    async listen(port = config.port, host = config.host) {
      await new Promise<void>((resolve, reject) => {
        const refuse = (error: Error) => {
          reject(listenProblem(error, port, host));
        };
        httpServer.once('error', refuse);
        httpServer.listen(port, host, () => {
          httpServer.off('error', refuse);
          resolve();
        });
      });
      listening = true;
      const address = httpServer.address();
      if (address === null || typeof address === 'string') throw new Error(`the server listens on ${String(address)}, not on a TCP port`);
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shown}:${address.port}/graphql`;
    },
    async close({ leaving } = {}) {
      drain.leave();
      metrics.drainStarted.set(Date.now() / 1000);
      if (leaving !== undefined) {
        logger.info('leaving: /readyz answers 503 while requests are still served');
        await leaving.catch(() => undefined);
      }
      listening = false;
      probes.close();
      // Streams end first, with a signal their clients retry on; the drain would otherwise wait on them.
      await liveTransports.close();
      // The edge's own drain, not Apollo's: Apollo's waits for every socket, a slow uploader's
      // included. It leaves a moment of SHUTDOWN_TIMEOUT_MS for the rest of the shutdown.
      const drained = await drain.close(httpServer, Math.max(0, config.shutdownTimeoutMs - 500));
      try {
        await apollo.stop();
        options.upstream.close();
        await store.close();
      } finally {
        if (drained.forced > 0)
          logger.error(
            { forced: drained.forced, waitedFor: drained.waitedFor },
            'in-flight requests did not finish within SHUTDOWN_TIMEOUT_MS; their connections were closed',
          );
        else logger.info({ waitedFor: drained.waitedFor }, 'drained');
      }
      if (drained.forced > 0) throw new Error(`${drained.forced} in-flight requests did not finish in time`);
    },
  };
}
