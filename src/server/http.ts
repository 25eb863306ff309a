// The HTTP edge: node:http in front of Apollo Server 5. It routes /graphql, /healthz and /readyz,
// reads bodies within a size limit, answers CORS, turns malformed requests into GraphQL-shaped JSON
// errors, builds each operation's context (credential, loaders, deadline) and drains on shutdown.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type GraphQLRequestContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { UpstreamCredential, UpstreamHttp } from '../upstream/client.ts';
import type { GatewayContext } from './context.ts';
import { createFormatError } from './format-error.ts';
import { createPageLoader } from './loaders.ts';
import { buildGatewaySchema } from './schema.ts';

/** The hosted Sandbox, allowed as a CORS origin outside production so it can reach a local gateway. */
export const SANDBOX_ORIGIN = 'https://studio.apollographql.com';
const ALLOWED_HEADERS = 'content-type, authorization, x-auth-token, apollo-require-preflight, x-apollo-operation-name, x-request-id';

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly upstream: UpstreamHttp;
  /** Used when a request carries no token: the simulator's demo token in simulator mode. */
  readonly fallbackToken?: string | undefined;
  /** The query the Sandbox landing page opens with. */
  readonly exampleQuery?: string | undefined;
}

export interface Gateway {
  /** Starts listening; resolves with the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, lets in-flight operations finish, closes upstream sockets. */
  close(): Promise<void>;
  readonly httpServer: http.Server;
}

/** Reads the caller's IAM token from `X-Auth-Token` or `Authorization: Bearer …`. */
export function tokenFrom(headers: http.IncomingHttpHeaders): string | undefined {
  const direct = headers['x-auth-token'];
  if (typeof direct === 'string' && direct.trim() !== '') return direct.trim();
  const authorization = headers.authorization;
  const bearer = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1];
}

function graphqlErrorBody(message: string, code: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}

class RequestBodyError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function readBody(request: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new RequestBodyError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new RequestBodyError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const httpServer = http.createServer();
  const production = config.nodeEnv === 'production';
  const allowedOrigins = new Set([...config.http.corsOrigins, ...(production ? [] : [SANDBOX_ORIGIN])]);

  const apollo = new ApolloServer<GatewayContext>({
    schema: buildGatewaySchema(),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    formatError: createFormatError(logger),
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated tracing (ftv1) costs every operation; only GraphOS usage reporting reads it.
      ApolloServerPluginInlineTraceDisabled(),
      config.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false, ...(options.exampleQuery === undefined ? {} : { document: options.exampleQuery }) })
        : ApolloServerPluginLandingPageDisabled(),
      {
        // Paging warnings travel in the response's extensions, never silently dropped.
        requestDidStart: () =>
          Promise.resolve({
            willSendResponse: ({ contextValue, response }: GraphQLRequestContext<GatewayContext>) => {
              if (contextValue.warnings.length > 0 && response.body?.kind === 'single') {
                const result = response.body.singleResult;
                result.extensions = { ...result.extensions, warnings: contextValue.warnings };
              }
              return Promise.resolve();
            },
          }),
      },
    ],
  });
  await apollo.start();

  const onUnknownCode = unknownCodeLogger(logger);
  const contextFor = (request: http.IncomingMessage, signal: AbortSignal): GatewayContext => {
    const token = tokenFrom(request.headers) ?? options.fallbackToken;
    const credential: UpstreamCredential | undefined = token === undefined ? undefined : { kind: 'token', token };
    return {
      config,
      logger,
      credential,
      pages: createPageLoader({
        upstream: options.upstream,
        credential,
        timeoutMs: config.upstream.timeoutMs,
        concurrency: config.upstream.concurrency,
        budget: config.upstream.callBudget,
        signal,
      }),
      onUnknownCode,
      warnings: [],
    };
  };

  const corsHeaders = (request: http.IncomingMessage): Record<string, string> => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowedOrigins.has(origin)) return {};
    return { 'access-control-allow-origin': origin, vary: 'origin', 'access-control-allow-credentials': 'true' };
  };

  const handleGraphQL = async (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => {
    const cors = corsHeaders(request);
    const sendError = (status: number, code: string, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...cors });
      response.end(graphqlErrorBody(message, code));
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': ALLOWED_HEADERS, 'access-control-max-age': '600' });
      response.end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      response.setHeader('allow', 'GET, POST, OPTIONS');
      sendError(405, 'METHOD_NOT_ALLOWED', 'Use GET or POST for GraphQL requests.');
      return;
    }
    let body: unknown = undefined;
    if (request.method === 'POST') {
      const contentType = request.headers['content-type'] ?? '';
      const json = /^application\/(json|graphql-response\+json)\b/i.test(contentType);
      let text: string;
      try {
        text = await readBody(request, config.http.bodyLimitBytes);
      } catch (error) {
        if (!(error instanceof RequestBodyError)) throw error;
        sendError(error.status, error.code, error.message);
        return;
      }
      if (!json) {
        sendError(415, 'BAD_REQUEST', 'POST requests must have the content-type application/json.');
        return;
      }
      try {
        body = JSON.parse(text);
      } catch {
        sendError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
        return;
      }
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
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: url.search, body },
      context: () => Promise.resolve(contextFor(request, controller.signal)),
    });
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

  httpServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const handle = async () => {
      switch (url.pathname) {
        case '/graphql':
          return handleGraphQL(request, response, url);
        case '/healthz':
        case '/readyz':
          response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
          response.end('{"status":"ok"}');
          return;
        default:
          response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
          response.end(graphqlErrorBody(`Nothing at ${url.pathname}; GraphQL is served at /graphql.`, 'NOT_FOUND'));
      }
    };
    handle().catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
      } else response.destroy();
    });
  });

  return {
    httpServer,
    async listen(port = config.port, host = config.host) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shown}:${address.port}/graphql`;
    },
    async close() {
      await apollo.stop();
      options.upstream.close();
    },
  };
}

/** Logs each unknown upstream code once per (field, value), however often it comes back. */
function unknownCodeLogger(logger: Logger) {
  const seen = new Set<string>();
  return (field: string, value: unknown) => {
    const key = `${field}:${typeof value}:${String(value)}`;
    // Bounded: a hostile upstream inventing codes must not grow memory without end.
    if (seen.has(key) || seen.size >= 1000) return;
    seen.add(key);
    logger.warn({ field, value: typeof value === 'number' ? value : String(value).slice(0, 40) }, 'the upstream sent a code the gateway does not know; it is served as UNKNOWN');
  };
}
