// GraphQL over WebSocket, the graphql-transport-ws subprotocol (the graphql-ws library over `ws`),
// on the gateway's port and GraphQL path. The upgrade is refused (403) for an Origin CORS does not
// allow; credentials come in `connection_init`'s payload as header names and values (any case) and
// are checked as the edge checks headers: no credential closes the connection (4403). Each
// subscription is checked like a query (live-operations.ts) and capped per connection. The server
// pings every SUBSCRIPTION_KEEPALIVE_MS (a peer that misses a pong is cut); on shutdown every socket
// closes with 1012 (service restart), which clients retry.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { SubscriptionLimitError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Caller } from './auth.ts';
import type { CreateContext } from './context.ts';
import type { LiveOperations } from './live-operations.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import type { LiveTimers } from '../live/timers.ts';

/** graphql-transport-ws's close code for a server going away to restart: clients reconnect. */
export const SERVICE_RESTART = 1012;

export interface WsTransportOptions {
  readonly httpServer: http.Server;
  readonly path: string;
  readonly operations: LiveOperations;
  readonly createContext: CreateContext;
  /** Who is calling, from headers (auth.ts). */
  readonly authenticate: (headers: http.IncomingHttpHeaders) => Promise<Caller>;
  /** Whether a page on this origin may use the gateway (CORS's rule for this mode). */
  readonly allowsOrigin: (origin: string) => boolean;
  /** A caller's admission per subscription (the per-caller rate limit), or the refusal. */
  readonly admit: (caller: Caller) => Promise<GraphQLError | undefined>;
  readonly keepAliveMs: number;
  readonly timers: LiveTimers;
  readonly maxPerConnection: number;
  readonly logger: Logger;
}

export interface WsTransport {
  /** Closes every socket with 1012 and refuses new upgrades. */
  close(): Promise<void>;
  readonly sockets: number;
}

interface ConnectionExtra extends Record<PropertyKey, unknown> {
  caller?: Caller;
}

/** connection_init's payload as request headers: string values only, names lower-cased. */
export function headersFromPayload(payload: unknown): http.IncomingHttpHeaders {
  const headers: http.IncomingHttpHeaders = {};
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return headers;
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'string' && name.length <= 64) headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** Whether `origin` is the gateway's own (the Host the request was sent to). */
function isSameOrigin(origin: string, request: http.IncomingMessage): boolean {
  const host = request.headers.host;
  if (host === undefined) return false;
  const secure = 'encrypted' in request.socket && request.socket.encrypted === true;
  return origin === `${secure ? 'https' : 'http'}://${host}`;
}

export function createWsTransport(options: WsTransportOptions): WsTransport {
  const { operations, logger } = options;
  const server = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let closing = false;

  /** Pings every keepAliveMs; a peer that has not answered the last ping by the next is cut. */
  const keepAlive = (ws: WebSocket) => {
    const { timers } = options;
    let answered = true;
    let timer: unknown;
    const tick = () => {
      if (ws.readyState !== ws.OPEN) return;
      if (!answered) {
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
      timer = timers.setTimeout(tick, options.keepAliveMs);
    };
    ws.on('pong', () => {
      answered = true;
    });
    ws.once('close', () => {
      timers.clearTimeout(timer);
    });
    timer = timers.setTimeout(tick, options.keepAliveMs);
  };

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    const origin = request.headers.origin;
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (path !== options.path) {
      refuse(404, 'Not Found');
      return;
    }
    if (closing) {
      refuse(503, 'Service Unavailable');
      return;
    }
    // A browser always sends its page's origin; a page CORS does not allow may not open a socket (the
    // gateway's own pages, the explorer, are same-origin).
    if (origin !== undefined && !options.allowsOrigin(origin) && !isSameOrigin(origin, request)) {
      logger.debug({ origin }, 'WebSocket upgrade refused: origin not allowed');
      refuse(403, 'Forbidden');
      return;
    }
    server.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      keepAlive(ws);
      server.emit('connection', ws, request);
    });
  };
  options.httpServer.on('upgrade', onUpgrade);

  /** Each subscription's context, by the arguments onSubscribe handed graphql-ws (which hands them back to subscribe). */
  const contexts = new WeakMap<object, GatewayContext>();
  useServer<Record<string, unknown>, ConnectionExtra>(
    {
      // The transports' shared execution (live-operations.ts), not graphql-js's subscribe.
      subscribe: (args) => {
        const context = contexts.get(args);
        if (context === undefined) return { errors: [new GraphQLError('Internal server error')] };
        return operations.run(args, context);
      },
      onConnect: async (ctx) => {
        const caller = await options.authenticate(headersFromPayload(ctx.connectionParams));
        if (caller.credential instanceof Error) return false;
        ctx.extra.caller = caller;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const caller = ctx.extra.caller;
        if (caller === undefined) return [new GraphQLError('Not authenticated.')];
        // The one reserved for this subscription counts.
        if (Object.keys(ctx.subscriptions).length > options.maxPerConnection)
          return [
            new GraphQLError(new SubscriptionLimitError('connection', options.maxPerConnection).message, {
              originalError: new SubscriptionLimitError('connection', options.maxPerConnection),
            }),
          ];
        const refused = await options.admit(caller);
        if (refused !== undefined) return [refused];
        const trusted = operations.trusted(payload);
        if (!trusted.ok) return trusted.errors;
        const prepared = operations.prepare(trusted.value);
        if (!prepared.ok) return prepared.errors;
        const contextValue = options.createContext(caller, randomUUID(), new AbortController().signal, 'ws');
        const args = { ...prepared.args, contextValue };
        contexts.set(args, contextValue);
        return args;
      },
      onNext: (_ctx, _id, _payload, _args, result) => operations.format(result),
      onError: (_ctx, _id, _payload, errors) => operations.formatErrors(errors),
    },
    server,
    // The pings are keepAlive()'s, on the live timers.
    0,
  );

  return {
    get sockets() {
      return server.clients.size;
    },
    async close() {
      closing = true;
      for (const client of server.clients) client.close(SERVICE_RESTART, 'Service Restart');
      options.httpServer.off('upgrade', onUpgrade);
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
