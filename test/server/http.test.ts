// The HTTP edge through a live gateway in front of a live simulator: routing, body limits, CORS,
// CSRF prevention, the landing page, credentials, and how upstream failures reach the client.
import http from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SANDBOX_ORIGIN } from '../../src/server/edge.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startHarness, withHarness, type GraphQLResult, type Harness } from '../helpers/harness.ts';

const TASKS = /* GraphQL */ `
  query Tasks($fw: ID!, $first: Int, $ep: String) {
    captureTasks(fwInstanceId: $fw, first: $first, enterpriseProjectId: $ep) {
      totalCount
      nodes {
        id
      }
    }
  }
`;
const DEMO = { fw: SIMULATOR_FIREWALLS.demo, first: 5 };
const CONSOLE_ORIGIN = 'https://console.example.com';
const UNKNOWN_ORIGIN = 'https://evil.example.net';
/** What the simulator puts in X-Request-Id. */
const REQUEST_ID = /^[0-9a-f]{32}$/;

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Sends `GET <target>` exactly as given (fetch and node:http would normalise it); resolves with the status and body. */
function rawRequest(origin: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      // Chunked bodies: the JSON between the chunk sizes.
      resolve({ status, body: body.includes('{') ? body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1) : body });
    });
  });
}

/** The response body as JSON, failing with the text when it is not. */
function jsonOf(response: RawResponse): unknown {
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  return JSON.parse(response.text);
}

/** The one error of a result, failing loudly when there is none or more than one. */
function onlyError(result: GraphQLResult) {
  expect(result.body.errors).toHaveLength(1);
  const error = result.body.errors?.[0];
  if (error === undefined) throw new Error(`no error in ${result.text.slice(0, 500)}`);
  return error;
}

function totalCountOf(result: GraphQLResult): unknown {
  const connection = result.body.data?.['captureTasks'];
  return typeof connection === 'object' && connection !== null && 'totalCount' in connection ? connection.totalCount : undefined;
}

/** A request body of exactly `size` bytes that is a valid operation. */
function paddedOperation(size: number): string {
  const head = '{"query":"{ __typename }"';
  return `${head}${' '.repeat(size - head.length - 1)}}`;
}

/**
 * POSTs `chunks` with chunked transfer encoding (no content-length) through `agent`; resolves with
 * "<status> <body>" or how the request failed within 2 s.
 */
function postChunked(url: string, agent: http.Agent, chunks: readonly Buffer[]): Promise<string> {
  return new Promise((resolve) => {
    const outgoing = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: 2_000 });
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => {
        resolve(`${response.statusCode ?? 0} ${body}`);
      });
    });
    outgoing.on('timeout', () => {
      resolve('no answer within 2 s');
      outgoing.destroy();
    });
    outgoing.on('error', (error) => {
      resolve(`failed: ${error.message}`);
    });
    const queue = [...chunks];
    const pump = () => {
      for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
      outgoing.end();
    };
    pump();
  });
}

describe('the HTTP edge outside production (NODE_ENV=test)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers GET /healthz with 200 {"status":"ok"}', async () => {
    const response = await request(`${harness.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(jsonOf(response)).toEqual({ status: 'ok', eventLoopDelayMs: expect.any(Number) });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers GET /readyz with 200 and its checks while listening with the breaker closed', async () => {
    const response = await request(`${harness.origin}/readyz`);
    expect(response.status).toBe(200);
    expect(jsonOf(response)).toEqual({
      status: 'ready',
      checks: { config: 'ok', listening: true, draining: false, upstreamBreaker: 'closed', cacheStore: 'memory' },
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown path with a 404 GraphQL-shaped NOT_FOUND', async () => {
    const response = await request(`${harness.origin}/graphq1`);
    expect(response.status).toBe(404);
    expect(jsonOf(response)).toEqual({ errors: [{ message: 'Nothing at /graphq1; GraphQL is served at /graphql.', extensions: { code: 'NOT_FOUND' } }] });
  });

  it('reads a request target that starts with // as a path, not as a host', async () => {
    const doubled = await rawRequest(harness.origin, '//graphql');
    expect(doubled.status).toBe(404);
    expect(JSON.parse(doubled.body)).toEqual({
      errors: [{ message: 'Nothing at //graphql; GraphQL is served at /graphql.', extensions: { code: 'NOT_FOUND' } }],
    });
    // The absolute form a proxy may send is read for its path; one that is no URL gets a 404, not a crash.
    const absolute = await rawRequest(harness.origin, `${harness.origin}/healthz`);
    expect(absolute.status).toBe(200);
    expect((await rawRequest(harness.origin, 'http://[bad/healthz')).status).toBe(404);
    expect((await request(`${harness.origin}/healthz`)).status).toBe(200);
  });

  it('answers malformed JSON with a 400 BAD_REQUEST, no stack trace and no HTML', async () => {
    const response = await request(harness.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ __typename }"' });
    expect(response.status).toBe(400);
    expect(jsonOf(response)).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
    expect(response.text).not.toMatch(/stack|<html|SyntaxError|at JSON\.parse/i);
  });

  it('answers a text/plain POST with 415', async () => {
    const response = await request(harness.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(415);
    expect(jsonOf(response)).toEqual({
      errors: [{ message: 'POST requests must have the content-type application/json.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers PUT with 405 and the allowed methods', async () => {
    const response = await request(harness.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
    expect(jsonOf(response)).toEqual({ errors: [{ message: 'Use GET or POST for GraphQL requests.', extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
  });

  it('serves the Sandbox landing page to a browser', async () => {
    const response = await request(harness.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(response.text).toMatch(/^\s*<!DOCTYPE html>/i);
    expect(response.text).toContain('embeddable-sandbox');
  });

  it('answers introspection', async () => {
    const result = await harness.gql('{ __schema { queryType { name } } }');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('echoes the Sandbox origin in a CORS preflight', async () => {
    const response = await request(harness.url, {
      method: 'OPTIONS',
      headers: { origin: SANDBOX_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-auth-token' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('x-auth-token'));
  });

  it('gives an unknown origin no access-control-allow-origin, in the preflight or the answer', async () => {
    const preflight = await request(harness.url, { method: 'OPTIONS', headers: { origin: UNKNOWN_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await harness.gql('{ __typename }', undefined, { origin: UNKNOWN_ORIGIN, 'x-auth-token': DEMO_TOKEN });
    expect(answer.body).toEqual({ data: { __typename: 'Query' } });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('blocks a simple GET query as a potential CSRF with 400', async () => {
    const response = await request(`${harness.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
    expect(jsonOf(response)).toEqual({
      errors: [{ message: expect.stringContaining('Cross-Site Request Forgery'), extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers the same GET query once it carries apollo-require-preflight', async () => {
    const response = await request(`${harness.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(jsonOf(response)).toEqual({ data: { __typename: 'Query' } });
  });

  it.each([
    ['X-Auth-Token', { 'x-auth-token': DEMO_TOKEN }],
    ['Authorization: Bearer', { authorization: `Bearer ${DEMO_TOKEN}` }],
  ])('reads the token from %s and forwards it upstream', async (_header, headers) => {
    harness.simulator.resetCalls();
    const result = await harness.gql(TASKS, DEMO, headers);
    expect(result.body.errors).toBeUndefined();
    expect(totalCountOf(result)).toBe(57);
    expect(harness.simulator.calls.map((call) => call.token)).toEqual([DEMO_TOKEN]);
  });

  it('turns a token the upstream rejects into UNAUTHENTICATED without echoing the token', async () => {
    const attempts: Record<string, string>[] = [{ 'x-auth-token': 'nope-secret-token-123' }, { authorization: 'Bearer nope-secret-token-123' }];
    for (const headers of attempts) {
      const result = await harness.gql(TASKS, DEMO, headers);
      expect(result.status).toBe(200);
      expect(result.body.data).toBeNull();
      expect(onlyError(result)).toEqual({
        message: 'The upstream rejected the credentials: sign in again (the IAM token may have expired) or check the AK/SK.',
        locations: [{ line: 3, column: 5 }],
        path: ['captureTasks'],
        extensions: { code: 'UNAUTHENTICATED', upstream: { status: 401, errorCode: 'APIG.0301', requestId: expect.stringMatching(REQUEST_ID), attempts: 1 } },
      });
      expect(result.text).not.toContain('nope-secret-token-123');
      expect(result.text).not.toMatch(/stack/i);
      expect(result.text).not.toContain('decrypt token fail');
    }
  });

  it('turns an unknown firewall into NOT_FOUND with the CFW error code', async () => {
    const result = await harness.gql(TASKS, { fw: '00000000-0000-4000-8000-000000000000', first: 5 });
    expect(result.body.data).toBeNull();
    expect(onlyError(result)).toEqual({
      message: 'No such firewall in this project and enterprise project: check fwInstanceId and enterpriseProjectId.',
      locations: [{ line: 3, column: 5 }],
      path: ['captureTasks'],
      extensions: { code: 'NOT_FOUND', upstream: { status: 400, errorCode: 'CFW.00200005', requestId: expect.stringMatching(REQUEST_ID), attempts: 1 } },
    });
    expect(result.text).not.toContain('Operation content does not exist');
  });
});

describe('the body limit (BODY_LIMIT_BYTES=1000)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { BODY_LIMIT_BYTES: '1000' } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('accepts a body of exactly the limit', async () => {
    const body = paddedOperation(1000);
    expect(Buffer.byteLength(body)).toBe(1000);
    const response = await request(harness.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    expect(jsonOf(response)).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a declared body one byte over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await request(harness.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: paddedOperation(1001) });
    expect(response.status).toBe(413);
    expect(jsonOf(response)).toEqual({ errors: [{ message: 'The request body is larger than 1000 bytes.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('answers a streamed body without content-length over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(600));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"'));
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('}'));
        controller.close();
      },
    });
    const response = await request(harness.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' });
    expect(response.status).toBe(413);
    expect(jsonOf(response)).toEqual({ errors: [{ message: 'The request body is larger than 1000 bytes.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('keeps a kept-alive connection usable after refusing a streamed body over the limit', async () => {
    // One socket at most: when the 413 says keep-alive, the second request reuses its connection
    // (closing it instead would be fine too, as long as the second request is answered).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const oversized = Array.from({ length: 16 }, () => Buffer.alloc(16 * 1024, ' '));
      const first = await postChunked(harness.url, agent, [Buffer.from('{"query":"{ __typename }"'), ...oversized, Buffer.from('}')]);
      expect(first).toBe('413 {"errors":[{"message":"The request body is larger than 1000 bytes.","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}');
      const second = await postChunked(harness.url, agent, [Buffer.from('{"query":"{ __typename }"}')]);
      expect(second).toBe('200 {"data":{"__typename":"Query"}}\n');
    } finally {
      agent.destroy();
    }
  });
});

describe('the HTTP edge in production (NODE_ENV=production)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { NODE_ENV: 'production', CORS_ORIGINS: CONSOLE_ORIGIN } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('refuses introspection with GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await harness.gql('{ __schema { queryType { name } } }');
    expect(result.body.data).toBeUndefined();
    expect(onlyError(result)).toMatchObject({
      message: expect.stringContaining('introspection is not allowed'),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('still answers ordinary operations', async () => {
    const result = await harness.gql(TASKS, DEMO);
    expect(result.body.errors).toBeUndefined();
    expect(totalCountOf(result)).toBe(57);
  });

  it.each([
    // Without the page, a browser's GET is an operation: blocked as CSRF, or refused for its Accept.
    ['a browser', { accept: 'text/html' }, 400],
    ['a browser sending apollo-require-preflight', { accept: 'text/html', 'apollo-require-preflight': 'true' }, 406],
  ])('serves no landing page to %s', async (_who, headers, status) => {
    const response = await request(harness.url, { headers });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(response.text).not.toMatch(/<!DOCTYPE|<html|embeddable-sandbox/i);
  });

  it('allows only the CORS_ORIGINS origins, not the Sandbox', async () => {
    const preflight = (origin: string) => request(harness.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight(CONSOLE_ORIGIN)).headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect((await preflight(SANDBOX_ORIGIN)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(UNKNOWN_ORIGIN)).headers.get('access-control-allow-origin')).toBeNull();
    const answer = await harness.gql('{ __typename }', undefined, { origin: CONSOLE_ORIGIN, 'x-auth-token': DEMO_TOKEN });
    expect(answer.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
  });
});

describe('credentials and upstream failures, each against its own simulator', () => {
  it('makes no upstream call when the request has no token and there is no fallback', async () => {
    await withHarness({}, async (harness) => {
      const result = await harness.gql(TASKS, DEMO, {});
      expect(result.body.data).toBeNull();
      expect(onlyError(result)).toEqual({
        message: 'No credentials: send an IAM token in the X-Auth-Token header or as Authorization: Bearer <token>.',
        locations: [{ line: 3, column: 5 }],
        path: ['captureTasks'],
        extensions: { code: 'UNAUTHENTICATED' },
      });
      expect(harness.simulator.callCount).toBe(0);
    });
  });

  it('uses the fallback token when the request has none', async () => {
    await withHarness({ fallbackToken: DEMO_TOKEN }, async (harness) => {
      const result = await harness.gql(TASKS, DEMO, {});
      expect(result.body.errors).toBeUndefined();
      expect(totalCountOf(result)).toBe(57);
      expect(harness.simulator.calls.map((call) => call.token)).toEqual([DEMO_TOKEN]);
    });
  });

  it('turns a token without a grant for the firewall into FORBIDDEN', async () => {
    const tokens = new Map([
      [DEMO_TOKEN, {}],
      ['limited', { firewalls: [SIMULATOR_FIREWALLS.finance] }],
    ]);
    await withHarness({ simulator: { tokens } }, async (harness) => {
      const denied = await harness.gql(TASKS, DEMO, { 'x-auth-token': 'limited' });
      expect(denied.body.data).toBeNull();
      expect(onlyError(denied)).toEqual({
        message: "The credentials may not read this firewall's capture tasks.",
        locations: [{ line: 3, column: 5 }],
        path: ['captureTasks'],
        extensions: { code: 'FORBIDDEN', upstream: { status: 403, errorCode: 'APIG.0302', requestId: expect.stringMatching(REQUEST_ID), attempts: 1 } },
      });
      const granted = await harness.gql(TASKS, { fw: SIMULATOR_FIREWALLS.finance, first: 5, ep: 'ep-finance' }, { 'x-auth-token': 'limited' });
      expect(granted.body.errors).toBeUndefined();
      expect(totalCountOf(granted)).toBe(12);
    });
  });

  it('turns an upstream 500 into UPSTREAM_ERROR with its status and request id but not its body', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'status', status: 500 }] } }, async (harness) => {
      const result = await harness.gql(TASKS, DEMO);
      expect(result.body.data).toBeNull();
      expect(onlyError(result)).toEqual({
        message: 'The upstream failed with HTTP 500.',
        locations: [{ line: 3, column: 5 }],
        path: ['captureTasks'],
        extensions: { code: 'UPSTREAM_ERROR', upstream: { status: 500, errorCode: 'CFW.00100001', requestId: expect.stringMatching(REQUEST_ID), attempts: 1 } },
      });
      expect(result.text).not.toContain('System busy');
      expect(result.text).not.toMatch(/stack|127\.0\.0\.1|capture-task\?/i);
      expect(harness.simulator.callCount).toBe(1);
    });
  });

  it('turns an upstream body that is not JSON into UPSTREAM_BAD_RESPONSE', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'malformed-json' }] } }, async (harness) => {
      const result = await harness.gql(TASKS, DEMO);
      expect(result.body.data).toBeNull();
      expect(onlyError(result)).toEqual({
        message: 'The upstream sent a body that is not valid JSON.',
        locations: [{ line: 3, column: 5 }],
        path: ['captureTasks'],
        extensions: { code: 'UPSTREAM_BAD_RESPONSE', upstream: { status: 200, requestId: expect.stringMatching(REQUEST_ID), attempts: 1 } },
      });
      expect(result.text).not.toMatch(/<html|502 Bad Gateway|stack/i);
      expect(harness.simulator.callCount).toBe(1);
    });
  });
});
