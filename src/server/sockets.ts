// The edge's sockets: the HTTP server's timeouts, HTTP-level rejections (431, 400 framing, 408, 417)
// answered with the same JSON error body as every other error, request bodies read within a size
// and a time limit, and draining on shutdown. A client's own mistakes and disconnects are logged at
// debug: they say nothing about the gateway's health.
import http, { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface EdgeTimeouts {
  /** Time to receive a request's headers (Node's headersTimeout). */
  readonly headersTimeoutMs: number;
  /** Time to receive a request's body once its headers are in. */
  readonly bodyTimeoutMs: number;
}

/** The documented error body: `{"errors":[{"message","extensions":{"code", …}}]}`. */
export function errorBody(message: string, code: ErrorCode, extensions: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/**
 * The HTTP server with the edge's timeouts. Node checks headersTimeout and requestTimeout on a timer
 * (connectionsCheckingInterval, 30 s by default), so the check runs often enough for them to hold;
 * requestTimeout is a backstop behind the body timeout readBody enforces.
 */
export function createHttpServer(timeouts: EdgeTimeouts): http.Server {
  return http.createServer({
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.headersTimeoutMs + timeouts.bodyTimeoutMs + 1_000,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeouts.headersTimeoutMs / 4))),
  });
}

export interface Rejection {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Codes that say the client went away (reset, closed early): nothing to answer, and never the gateway's fault. */
const CLIENT_GONE_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * How the edge answers a request Node could not parse, by the parser's error code; undefined: no
 * answer is possible or useful (the client reset the connection).
 */

export function rejectionFor(errorCode: string | undefined): Rejection | undefined {
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE,
        message: `The request line and headers are larger than ${http.maxHeaderSize} bytes.`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, code: ErrorCode.REQUEST_TIMEOUT, message: 'The request did not arrive in time.' };
    case 'ETIMEDOUT':
      // The client's socket timed out (here, on a clientError; from got it would be the upstream's).
      return undefined;
    default:
      if (errorCode !== undefined && CLIENT_GONE_CODES.has(errorCode)) return undefined;
      // Every other parser error (HPE_*): a request that is not valid HTTP/1.1 framing, such as
      // Content-Length with Transfer-Encoding, a bad chunk, or bytes after a short Content-Length.
      return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'The request is not valid HTTP/1.1 (its framing or headers cannot be read).' };
  }
}

/** A raw HTTP/1.1 answer for a socket that has no ServerResponse (the request never parsed). */
export function rawAnswer(rejection: Rejection): string {
  const body = errorBody(rejection.message, rejection.code);
  return [
    `HTTP/1.1 ${rejection.status} ${STATUS_CODES[rejection.status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Node's own guard: a raw answer must not land in the middle of a response already begun on this socket. */
function responseBegun(socket: Duplex): boolean {
  const message: unknown = Reflect.get(socket, '_httpMessage');
  return message instanceof http.ServerResponse && message.headersSent;
}

/** Answers what Node's parser rejects with the JSON error body, where the socket still takes writes; logs at debug. */
export function handleClientErrors(server: http.Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const rejection = rejectionFor(error.code);
    logger.debug({ code: error.code, status: rejection?.status }, 'client sent a request the gateway cannot read');
    if (rejection === undefined || !socket.writable || responseBegun(socket)) {
      socket.destroy();
      return;
    }
    socket.end(rawAnswer(rejection));
  });
  // An Expect other than 100-continue: Node would answer an empty 417.
  server.on('checkExpectation', (request: http.IncomingMessage, response: http.ServerResponse) => {
    logger.debug({ expect: String(request.headers.expect).slice(0, 40) }, 'client sent an expectation the gateway cannot meet');
    const body = errorBody("The gateway cannot meet the request's Expect header (only 100-continue).", ErrorCode.BAD_REQUEST);
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    response.end(body);
  });
}

/** A request body that could not be read: the status and code the client gets. */
export class RequestBodyError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.name = 'RequestBodyError';
    this.status = status;
    this.code = code;
  }
}

/** The client closed or reset the connection before its body arrived: nobody is left to answer. */
export class ClientGoneError extends Error {
  constructor(options?: ErrorOptions) {
    super('the client went away while sending its request', options);
    this.name = 'ClientGoneError';
  }
}

export interface ReadBodyOptions {
  readonly limitBytes: number;
  readonly timeoutMs: number;
  /** Aborted when the gateway starts draining: a body still arriving is not waited for. */
  readonly drain: AbortSignal;
}

/** Reads a request body within a size limit and a time limit; rejects with RequestBodyError or ClientGoneError. */
export function readBody(request: http.IncomingMessage, options: ReadBodyOptions): Promise<string> {
  const { limitBytes } = options;
  const tooLarge = () => new RequestBodyError(413, ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${limitBytes} bytes.`);
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined) => {
      clearTimeout(timer);
      options.drain.removeEventListener('abort', onDrain);
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks).toString('utf8'));
      else {
        // Nothing more is read: the answer goes out and the connection closes.
        request.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) finish(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => {
      finish(undefined);
    };
    const onError = (error: Error) => {
      finish(new ClientGoneError({ cause: error }));
    };
    const onClose = () => {
      if (!request.complete) finish(new ClientGoneError());
    };
    const onDrain = () => {
      finish(new RequestBodyError(503, ErrorCode.SHUTTING_DOWN, 'The gateway is shutting down; send the request again.'));
    };
    const timer = setTimeout(() => {
      finish(new RequestBodyError(408, ErrorCode.REQUEST_TIMEOUT, `The request body did not arrive within ${options.timeoutMs} ms.`));
    }, options.timeoutMs);
    if (options.drain.aborted) {
      onDrain();
      return;
    }
    options.drain.addEventListener('abort', onDrain, { once: true });
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Errors that only say the client went away or sent garbage: never the gateway's fault. */
export function isClientFault(error: unknown): boolean {
  if (error instanceof ClientGoneError) return true;
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return (code !== undefined && CLIENT_GONE_CODES.has(code)) || (error instanceof Error && error.message === 'aborted');
}

/**
 * Leaving, then draining, on shutdown. Leaving (`leave`): readiness fails so a balancer stops sending,
 * while the listener stays open and serves; every answer from then on carries `Connection: close`, so
 * kept-alive sockets end after an answer, never under a request. Draining (`close`): stop accepting,
 * close the sockets idle between requests, turn away bodies still arriving (503), and wait for the
 * operations already accepted; after `timeoutMs`, close whatever is left.
 */
export class Drain {
  readonly #controller = new AbortController();
  readonly #open = new Set<http.ServerResponse>();
  #leaving = false;
  #idle: (() => void) | undefined;

  /** Aborted when draining starts; readBody listens to it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the instance is on its way out: from `leave` (or `close`) on. */
  get leaving(): boolean {
    return this.#leaving;
  }

  get draining(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Follows a response until it ends; once leaving it carries `Connection: close`. */
  track(response: http.ServerResponse): void {
    if (this.#leaving) response.setHeader('connection', 'close');
    this.#open.add(response);
    response.once('close', () => {
      this.#open.delete(response);
      if (this.#open.size === 0) this.#idle?.();
    });
  }

  /** Starts leaving: every answer not yet begun, and every later one, closes its connection after it. */
  leave(): void {
    this.#leaving = true;
    for (const response of this.#open) if (!response.headersSent) response.setHeader('connection', 'close');
  }

  /** Drains `server`; resolves once every accepted request has been answered, or after `timeoutMs`. */
  async close(server: http.Server, timeoutMs: number): Promise<{ readonly waitedFor: number; readonly forced: number }> {
    this.leave();
    this.#controller.abort();
    server.close();
    server.closeIdleConnections();
    const waitedFor = this.#open.size;
    let forced = 0;
    if (this.#open.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          forced = this.#open.size;
          resolve();
        }, timeoutMs);
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    server.closeAllConnections();
    return { waitedFor, forced };
  }
}
