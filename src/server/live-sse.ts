// GraphQL over Server-Sent Events, the graphql-sse library's protocol in its "distinct connections"
// mode: a POST with `Accept: text/event-stream` opens one stream for one subscription, answered with
// `next` events and a last `complete`. Written here rather than with graphql-sse's handler, which
// queues every result in memory ahead of a slow reader and pings at a fixed 12 s: this one takes the
// next event only once the last is written (the stream keeps only the latest unsent state), and sends
// a comment every SUBSCRIPTION_KEEPALIVE_MS. On shutdown a stream ends without `complete`, which
// graphql-sse clients retry.
import type http from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Caller } from './auth.ts';
import type { CreateContext } from './context.ts';
import type { LiveOperations } from './live-operations.ts';
import type { LiveTimers } from '../live/timers.ts';

export interface SseTransportOptions {
  readonly operations: LiveOperations;
  readonly createContext: CreateContext;
  readonly keepAliveMs: number;
  readonly timers: LiveTimers;
}

export interface SseTransport {
  /**
   * Whether the stream serves this request: a client that asks for an event stream first
   * (graphql-sse's), or one that also accepts it (urql's fetch) for a subscription. Queries and
   * mutations from the latter go to Apollo as JSON.
   */
  serves(request: http.IncomingMessage, body: unknown): boolean;
  /** Serves one subscription request whose body the edge has read (and resolved, with trusted documents). */
  handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    body: unknown,
    caller: Caller,
    requestId: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Ends every open stream without `complete` (shutdown: clients reconnect elsewhere). */
  close(): void;
  /** Streams open now. */
  readonly open: number;
}

/** One message of the stream, written as graphql-sse's `print` writes it (`json`: its data, written already). */
function message(event: 'next' | 'complete', data: unknown, json?: string): string {
  return data === null ? `event: ${event}\ndata:\n\n` : `event: ${event}\ndata: ${json ?? JSON.stringify(data)}\n\n`;
}

/** How a request's Accept lists text/event-stream: first (or alone), among others, or not at all. */
export function eventStreamIn(accept: string | undefined): 'first' | 'listed' | 'absent' {
  const types = (accept ?? '').split(',').map((type) => type.split(';')[0]?.trim().toLowerCase());
  const index = types.indexOf('text/event-stream');
  return index === -1 ? 'absent' : index === 0 ? 'first' : 'listed';
}

export function createSseTransport(options: SseTransportOptions): SseTransport {
  const { operations } = options;
  const open = new Set<() => void>();
  const shutdown = { closing: false };

  /** Writes a chunk; resolves once the socket took it (false when the stream is gone). */
  const write = (response: http.ServerResponse, chunk: string): Promise<boolean> =>
    new Promise((resolve) => {
      if (response.writableEnded || response.destroyed) {
        resolve(false);
        return;
      }
      if (response.write(chunk)) {
        resolve(true);
        return;
      }
      const done = (ok: boolean) => () => {
        response.off('drain', drained);
        response.off('close', gone);
        resolve(ok);
      };
      const drained = done(true);
      const gone = done(false);
      response.once('drain', drained);
      response.once('close', gone);
    });

  return {
    serves(request, body) {
      if (request.method !== 'POST') return false;
      const listed = eventStreamIn(request.headers.accept);
      return listed === 'first' || (listed === 'listed' && operations.isSubscription(body));
    },
    get open() {
      return open.size;
    },
    close() {
      shutdown.closing = true;
      for (const end of [...open]) end();
    },
    async handle(request, response, body, caller, requestId, headers) {
      response.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // An empty comment first: some browsers only fire `open` on a first chunk.
      response.write(':\n\n');
      const finish = async (errors?: readonly GraphQLError[]) => {
        if (errors !== undefined) await write(response, message('next', { errors: operations.formatErrors(errors) }));
        await write(response, message('complete', null));
        response.end();
      };
      const prepared = operations.prepare(body);
      if (!prepared.ok) {
        await finish(prepared.errors);
        return;
      }
      const controller = new AbortController();
      const context = options.createContext(caller, requestId, controller.signal, 'sse');
      const result = await operations.run(prepared.args, context);
      if (!(Symbol.asyncIterator in result)) {
        await write(response, message('next', operations.format(result)));
        await finish();
        return;
      }
      const state = { ended: false };
      const end = () => {
        if (state.ended) return;
        state.ended = true;
        controller.abort();
        void result.return();
        if (!response.writableEnded) response.end();
      };
      if (shutdown.closing) {
        end();
        return;
      }
      open.add(end);
      response.once('close', end);
      const { timers } = options;
      let keepAlive: unknown;
      const keepAliveSoon = () => {
        keepAlive = timers.setTimeout(() => {
          // A reader that is behind already has bytes coming: no comment is queued behind them.
          if (!response.writableNeedDrain && !response.writableEnded) response.write(':\n\n');
          keepAliveSoon();
        }, options.keepAliveMs);
      };
      keepAliveSoon();
      try {
        for await (const event of result) {
          if (state.ended || !(await write(response, message('next', event, operations.serialize(event))))) break;
        }
        // Ended by shutdown (close() ends every open stream): no `complete`, so the client reconnects.
        if (!state.ended) await finish();
      } finally {
        timers.clearTimeout(keepAlive);
        open.delete(end);
        response.off('close', end);
        end();
      }
    },
  };
}
