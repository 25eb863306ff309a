// The /graphql route: CORS preflight, the method, the body (within its size and time limits), trusted
// documents, then admission (who is calling, and whether that caller is within its rate) before
// Apollo runs the operation in a span of its own. Every refusal is the documented JSON error body.
import type http from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { context as otelContext, propagation, SpanKind, trace } from '@opentelemetry/api';
import type { Config } from '../config.ts';
import { ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import { tracer, tracingOn } from '../tracing.ts';
import type { Caller } from './auth.ts';
import { ClientGoneError, errorBody as graphqlErrorBody, readBody, RequestBodyError } from './sockets.ts';
import type { CreateContext } from './context.ts';
import type { GatewayMetrics } from './metrics.ts';
import { trustedBody, trustedSearch, type TrustedDocuments } from './persisted-documents.ts';
import type { CallerRateLimit } from './rate-limit.ts';
import type { SseTransport } from './live-sse.ts';

export const ALLOWED_HEADERS = 'content-type, authorization, x-auth-token, x-api-key, apollo-require-preflight, x-apollo-operation-name, x-request-id';
export const JSON_TYPE = 'application/json; charset=utf-8';
/** Distinct trusted-document refusals logged before the gateway stops logging new ones (the metric still counts them). */
const MAX_REFUSALS_LOGGED = 1_000;

export interface GraphQLRouteOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly authenticate: (request: http.IncomingMessage) => Promise<Caller>;
  readonly createContext: CreateContext;
  /** Undefined when CALLER_RATE_LIMIT_PER_SECOND is 0. */
  readonly rateLimit: CallerRateLimit | undefined;
  /** Undefined without PERSISTED_DOCUMENTS. */
  readonly trusted: TrustedDocuments | undefined;
  /** The CORS headers a request's origin earns (none when it is not allowed). */
  readonly corsHeaders: (request: http.IncomingMessage) => Record<string, string>;
  /** Aborted when the gateway drains: a body still arriving is not waited for. */
  readonly drain: AbortSignal;
  /** Subscriptions over SSE (POST with Accept: text/event-stream), once admitted like any operation. */
  readonly sse?: SseTransport | undefined;
}

export type GraphQLRoute = (request: http.IncomingMessage, response: http.ServerResponse, url: URL, requestId: string) => Promise<void>;

export function createGraphQLRoute(options: GraphQLRouteOptions): GraphQLRoute {
  const { config, logger, metrics, apollo, authenticate, createContext, rateLimit, trusted, corsHeaders } = options;
  const { perSecond, burst } = config.callerRateLimit;
  /** Trusted-document refusals already logged; bounded, as clients choose the ids. */
  const refusalsLogged = new Set<string>();
  return async (request, response, url, requestId) => {
    const cors = corsHeaders(request);
    const sendError = (status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}, extensions: Record<string, unknown> = {}) => {
      response.writeHead(status, { 'content-type': JSON_TYPE, ...cors, ...extra });
      response.end(graphqlErrorBody(message, code, extensions));
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      response.setHeader('allow', 'GET, POST, OPTIONS');
      sendError(405, ErrorCode.METHOD_NOT_ALLOWED, 'Use GET or POST for GraphQL requests.');
      return;
    }
    let body: unknown = undefined;
    if (request.method === 'POST') {
      const contentType = request.headers['content-type'] ?? '';
      const json = /^application\/(json|graphql-response\+json)\b/i.test(contentType);
      let text: string;
      try {
        text = await readBody(request, { limitBytes: config.http.bodyLimitBytes, timeoutMs: config.http.bodyTimeoutMs, drain: options.drain });
      } catch (error) {
        if (error instanceof ClientGoneError) {
          logger.debug({ requestId }, 'the client went away while sending its request');
          response.destroy();
          return;
        }
        if (!(error instanceof RequestBodyError)) throw error;
        logger.debug({ requestId, status: error.status, code: error.code }, 'request body refused');
        // The rest of the body is unread: this connection cannot carry another request.
        sendError(error.status, error.code, error.message, { connection: 'close' });
        response.once('finish', () => request.destroy());
        return;
      }
      if (!json) {
        sendError(415, ErrorCode.BAD_REQUEST, 'POST requests must have the content-type application/json.');
        return;
      }
      try {
        body = JSON.parse(text);
      } catch {
        sendError(400, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.');
        return;
      }
    }
    let search = url.search;
    if (trusted !== undefined) {
      // Trusted documents: the id becomes the manifest's text here, before Apollo (and its APQ) see the request.
      const resolved = request.method === 'GET' ? trustedSearch(search, trusted) : trustedBody(body, trusted);
      if (!resolved.ok) {
        const { code, message } = resolved.refusal;
        metrics.trustedDocumentRefusals.inc({ code });
        // Once per distinct refusal (its message names the id), so a client retrying fills no log.
        if (!refusalsLogged.has(message) && refusalsLogged.size < MAX_REFUSALS_LOGGED) {
          refusalsLogged.add(message);
          logger.info({ requestId, code, reason: message }, 'trusted documents: refused a request (each distinct refusal logged once)');
        }
        sendError(resolved.refusal.status, code, message);
        return;
      }
      if (request.method === 'GET' && typeof resolved.value === 'string') search = resolved.value;
      else body = resolved.value;
    }
    const caller = await authenticate(request);
    if (rateLimit !== undefined) {
      const decision = await rateLimit(caller.who);
      if (!decision.allowed) {
        metrics.callerRateLimited.inc();
        const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        logger.debug({ requestId, who: caller.who, retryAfterMs: decision.retryAfterMs }, 'caller over its rate limit');
        sendError(
          429,
          ErrorCode.RATE_LIMITED,
          `Too many requests from this caller: at most ${perSecond} a second (bursts of ${burst}). Try again in ${retryAfterSeconds} s.`,
          { 'retry-after': String(retryAfterSeconds) },
          { retryAfterSeconds },
        );
        return;
      }
    }
    if (options.sse?.serves(request, body) === true) {
      await options.sse.handle(request, response, body, caller, requestId, cors);
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const controller = new AbortController();
    const abortIfGone = () => {
      if (!response.writableFinished) controller.abort();
    };
    response.once('close', abortIfGone);
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method ?? 'POST', headers, search, body },
        context: () => Promise.resolve(createContext(caller, requestId, controller.signal)),
      });
    let result: Awaited<ReturnType<typeof execute>>;
    if (tracingOn()) {
      // One span per operation, a child of the caller's trace when it sent W3C trace context.
      const parent = propagation.extract(otelContext.active(), request.headers);
      const span = tracer().startSpan(
        'graphql.operation',
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'capture_gateway.request_id': requestId } },
        parent,
      );
      result = await otelContext.with(trace.setSpan(parent, span), execute);
      span.setAttribute('http.response.status_code', result.status ?? 200);
      span.end();
    } else {
      // Tracing off: no span to make, no trace context to read or enter.
      result = await execute();
    }
    const outHeaders: Record<string, string> = { ...cors };
    for (const [name, value] of result.headers) outHeaders[name] = value;
    response.writeHead(result.status ?? 200, outHeaders);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };
}
