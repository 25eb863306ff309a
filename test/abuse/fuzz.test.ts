// Random hostile input through a live gateway in front of a live simulator: arguments as variables,
// headers, and raw request bodies. Whatever comes in, the answer is JSON with coded errors, never a
// stack trace, never HTML, never INTERNAL_SERVER_ERROR, and never the caller's token.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ErrorCode } from '../../src/errors.ts';
import { SANDBOX_ORIGIN } from '../../src/server/edge.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { field, startHarness, type Harness } from '../helpers/harness.ts';

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The errors of a response body (of each result, for a batch). */
function errorsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body.flatMap((result: unknown) => errorsOf(result));
  if (!isRecord(body)) return [];
  const errors: unknown = body['errors'];
  return Array.isArray(errors) ? errors.map((error: unknown) => error) : [];
}

function codesOf(body: unknown): unknown[] {
  return errorsOf(body).map((error) => (isRecord(error) && isRecord(error['extensions']) ? error['extensions']['code'] : undefined));
}

/** Every code a client may see: the gateway's own (but the bug one), Apollo's request codes, the HTTP edge's. */
const CLIENT_CODES = new Set<unknown>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'PAYLOAD_TOO_LARGE',
  'METHOD_NOT_ALLOWED',
]);

/** A Node stack frame as it would read in a body, raw or JSON-escaped. */
const STACK_FRAME = /(^|\n|\\n) {2,}at [\w$.<>[\] ]+\(|(^|\n|\\n) {4}at /;

/** What every answer must be, whatever the request; returns the parsed body. */
function expectWellFormed(response: RawResponse): unknown {
  expect(response.headers.get('content-type')).toMatch(/^application\/(json|graphql-response\+json)\b/);
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new Error(`status ${response.status}, not JSON: ${response.text.slice(0, 300)}`);
  }
  expect(response.text).not.toMatch(/<html|<!doctype/i);
  expect(response.text).not.toMatch(STACK_FRAME);
  expect(response.text).not.toContain('stacktrace');
  const errors = errorsOf(body);
  if (response.status >= 500) expect(errors.length).toBeGreaterThan(0);
  expect(response.status).toBeLessThan(500);
  const codes = codesOf(body);
  expect(codes).not.toContain(ErrorCode.INTERNAL_SERVER_ERROR);
  for (const code of codes) expect(CLIENT_CODES).toContain(code);
  if (!Array.isArray(body)) expect(isRecord(body) && ('data' in body || errors.length > 0)).toBe(true);
  return body;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIDY_REQUEST_ID = /^[\w.:-]{1,128}$/;

const CONNECTION = /* GraphQL */ `
  query Fuzz($fw: ID!, $first: Int, $last: Int, $after: String, $before: String, $ep: String) {
    captureTasks(fwInstanceId: $fw, first: $first, last: $last, after: $after, before: $before, enterpriseProjectId: $ep) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          status
          createdAt
          captureSizeBytes
        }
      }
    }
  }
`;
const DEMO_PAGE = JSON.stringify({ query: `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }` });

/** Anything a JSON client could send where an Int is expected. */
const intLike = fc.oneof(
  fc.integer(),
  fc.integer({ min: -2, max: 1030 }),
  fc.constantFrom(0, 1, 1024, 1025, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e300, -1e300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
);

describe('fuzzing arguments through variables', () => {
  let harness: Harness;
  let cursors: string[];
  beforeAll(async () => {
    harness = await startHarness();
    const pages = await Promise.all([SIMULATOR_FIREWALLS.demo, SIMULATOR_FIREWALLS.edge].map((fw) => harness.gql(CONNECTION, { fw, first: 3 })));
    cursors = pages.flatMap((page) => field<{ edges: { cursor: string }[] }>(page).edges.map((edge) => edge.cursor));
    expect(cursors).toHaveLength(6);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers random first/last/after/before/fwInstanceId/enterpriseProjectId with JSON and coded client errors only', async () => {
    const realCursor = fc.nat().map((index) => cursors[index % cursors.length] ?? '');
    const cursorLike = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.base64String(),
      realCursor,
      // A real cursor with one character changed: damaged, or checksummed wrong.
      fc
        .tuple(realCursor, fc.nat(), fc.constantFrom('A', 'z', '0', '_', '-', '=', '.'))
        .map(([cursor, at, char]) => cursor.slice(0, at % cursor.length) + char + cursor.slice((at % cursor.length) + 1)),
      fc.constant(null),
    );
    const fwLike = fc.oneof(
      fc.constantFrom(...Object.values(SIMULATOR_FIREWALLS)),
      fc.string(),
      fc.uuid(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', '../../', '?limit=1024&offset=0', '%00', 'a/b#c'),
      fc.integer(),
    );
    const seeded = fc.constantFrom(
      SIMULATOR_FIREWALLS.demo,
      SIMULATOR_FIREWALLS.empty,
      SIMULATOR_FIREWALLS.single,
      SIMULATOR_FIREWALLS.edge,
      SIMULATOR_FIREWALLS.large,
      SIMULATOR_FIREWALLS.huge,
    );
    const size = fc.integer({ min: -1, max: 1025 });
    // Mostly plausible requests (one direction, a readable firewall), so the resolvers run too.
    const forward = fc.record({ fw: seeded, first: size, after: cursorLike }, { requiredKeys: ['fw'] });
    const backward = fc.record({ fw: seeded, last: size, before: cursorLike }, { requiredKeys: ['fw'] });
    const wild = fc.record(
      {
        fw: fwLike,
        first: intLike,
        last: intLike,
        after: cursorLike,
        before: cursorLike,
        ep: fc.oneof(fc.constantFrom('default', 'ep-finance', '0', 'all_granted_eps', ''), fc.string(), fc.constant(null)),
      },
      { requiredKeys: ['fw'] },
    );
    const variables = fc.oneof(forward, backward, wild);
    let pages = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(variables, async (given) => {
        const response = await post(harness.url, JSON.stringify({ query: CONNECTION, variables: given }), {
          'content-type': 'application/json',
          'x-auth-token': DEMO_TOKEN,
        });
        const body = expectWellFormed(response);
        // A page, when there is one, holds at most the upstream's page limit.
        const connection = isRecord(body) && isRecord(body['data']) ? body['data']['captureTasks'] : undefined;
        if (isRecord(connection)) {
          pages++;
          expect(Array.isArray(connection['edges']) && connection['edges'].length <= 1024).toBe(true);
        }
        if (codesOf(body).includes('BAD_USER_INPUT')) refusals++;
      }),
      { numRuns: 200 },
    );
    // The run reached both the resolvers and the argument checks, not only one of them.
    expect(pages).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
  });
});

describe('fuzzing headers', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  /** A secret no answer may contain: a fixed prefix and 12 random characters, so only an echo matches. */
  const secret = fc.stringMatching(/^[A-Za-z0-9]{12}$/).map((random) => `LEAK${random}`);
  const printable = fc.string({ maxLength: 40 });

  it('never answers with a 5xx, HTML, a stack trace or the caller token, and echoes only a tidy X-Request-Id', async () => {
    const headers = fc.record(
      {
        token: fc.oneof(
          fc.tuple(printable, secret, printable).map(([before, mark, after]) => ({ value: `${before}${mark}${after}`, mark })),
          fc.constantFrom(DEMO_TOKEN, ` ${DEMO_TOKEN}  `).map((value) => ({ value, mark: undefined })),
        ),
        authorization: fc.oneof(
          printable.map((value) => ({ value, mark: undefined })),
          secret.map((mark) => ({ value: `Bearer ${mark}`, mark })),
          fc
            .tuple(fc.constantFrom('Bearer ', 'bearer  ', 'Basic ', 'Bearer'), printable, secret)
            .map(([scheme, noise, mark]) => ({ value: `${scheme}${noise}${mark}`, mark })),
        ),
        requestId: fc.oneof(printable, fc.stringMatching(/^[\w.:-]{1,128}$/), fc.string({ minLength: 120, maxLength: 140 })),
        origin: fc.oneof(printable, fc.constantFrom(SANDBOX_ORIGIN, 'null', 'https://evil.example.net'), fc.webUrl()),
        contentType: fc.oneof(
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'application/graphql-response+json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/jsonx',
            '',
          ),
          printable,
        ),
      },
      { requiredKeys: ['contentType'] },
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(headers, async (given) => {
        const sent: Record<string, string> = { 'content-type': given.contentType };
        if (given.token !== undefined) sent['x-auth-token'] = given.token.value;
        if (given.authorization !== undefined) sent['authorization'] = given.authorization.value;
        if (given.requestId !== undefined) sent['x-request-id'] = given.requestId;
        if (given.origin !== undefined) sent['origin'] = given.origin;
        const response = await post(harness.url, DEMO_PAGE, sent);
        const body = expectWellFormed(response);
        if (isRecord(body) && isRecord(body['data'])) answered++;
        const marks = [given.token?.mark, given.authorization?.mark].filter((mark) => mark !== undefined);
        const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
        for (const mark of marks) {
          expect(response.text).not.toContain(mark);
          expect(headerText).not.toContain(mark);
        }
        // fetch sends a header value without its surrounding spaces.
        const requestId = given.requestId?.trim();
        const echoed = response.headers.get('x-request-id');
        if (requestId !== undefined && TIDY_REQUEST_ID.test(requestId)) expect(echoed).toBe(requestId);
        else expect(echoed).toMatch(UUID);
      }),
      { numRuns: 200 },
    );
    // Some requests carried the demo token and a JSON content type, and were answered.
    expect(answered).toBeGreaterThan(0);
  });

  it('echoes a tidy X-Request-Id and replaces an untidy one with a generated UUID', async () => {
    const tidy = `req-${randomUUID()}:part.2`;
    const cases = [
      { sent: tidy, echoed: true },
      { sent: 'a'.repeat(128), echoed: true },
      { sent: 'a'.repeat(129), echoed: false },
      { sent: 'has space', echoed: false },
      { sent: '<script>', echoed: false },
      { sent: 'id\u00e9', echoed: false },
    ];
    for (const { sent, echoed } of cases) {
      const response = await post(harness.url, DEMO_PAGE, { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN, 'x-request-id': sent });
      expect(response.status).toBe(200);
      if (echoed) expect(response.headers.get('x-request-id')).toBe(sent);
      else expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
    const none = await post(harness.url, DEMO_PAGE, { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN });
    expect(none.headers.get('x-request-id')).toMatch(UUID);
  });

  it('does not echo a token the upstream rejects, in the body or the headers', async () => {
    const token = `LEAK${randomUUID().replaceAll('-', '')}`;
    harness.simulator.resetCalls();
    const response = await post(harness.url, DEMO_PAGE, { 'content-type': 'application/json', 'x-auth-token': token });
    expect(codesOf(expectWellFormed(response))).toEqual(['UNAUTHENTICATED']);
    expect(response.text).not.toContain(token.slice(4));
    expect([...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')).not.toContain(token.slice(4));
    expect(harness.simulator.calls.map((call) => call.token)).toEqual([token]);
  });
});

/** `[[[…1…]]]`, `depth` arrays deep, as JSON text (JSON.stringify itself overflows the stack on deep values). */
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('fuzzing raw request bodies', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  const OPERATIONS = [
    '{ __typename }',
    CONNECTION,
    `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount nodes { id } } }`,
    'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { id captureTasks(first: 1) { totalCount } } } }',
    'mutation { __typename }',
    'subscription { __typename }',
    '{ __schema { types { name } } }',
  ];

  it('answers any body with well-formed JSON and client error codes', async () => {
    const depth = fc.integer({ min: 1, max: 40_000 });
    const operation = fc
      .record(
        {
          query: fc.oneof(fc.constantFrom(...OPERATIONS), fc.string(), fc.jsonValue()),
          variables: fc.jsonValue(),
          operationName: fc.oneof(fc.constantFrom('Fuzz', 'E', 'Nope', ''), fc.string(), fc.jsonValue()),
          extensions: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value));
    const bodies = fc.oneof(
      { arbitrary: operation, weight: 5 },
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      // Deep nesting as the whole body, in `extensions`, and in a variable no operation declares.
      depth.map((n) => nestedArrays(n)),
      fc.integer({ min: 1, max: 15_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
      depth.map((n) => `{"query":"{ __typename }","extensions":${nestedArrays(n)}}`),
      depth.map((n) => `{"query":"{ __typename }","variables":{"unused":${nestedArrays(n)}}}`),
      // Truncated JSON.
      fc.tuple(fc.constantFrom(...OPERATIONS), fc.nat()).map(([query, cut]) => {
        const text = JSON.stringify({ query });
        return text.slice(0, cut % text.length);
      }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        expectWellFormed(await post(harness.url, body, { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN }));
      }),
      { numRuns: 200 },
    );
  });

  // Found by fuzzing. The compiled executor (src/server/executor.ts) compiles with the operation name
  // Apollo resolved (null when none matched) instead of the one requested, so it runs the document's
  // only operation and Apollo, seeing a result for an operation it did not resolve, fails with a 500.
  it.each([
    ['an anonymous operation', '{ __typename }'],
    ['an operation of another name', 'query Other { __typename }'],
  ])('answers an operationName that names no operation of %s with 400 OPERATION_RESOLUTION_FAILURE', async (_label, query) => {
    const response = await post(harness.url, JSON.stringify({ query, operationName: 'Fuzz' }), {
      'content-type': 'application/json',
      'x-auth-token': DEMO_TOKEN,
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({
      errors: [{ message: 'Unknown operation named "Fuzz".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
  });

  // Found by fuzzing (with GRAPHQL_EXECUTION=standard, and in the default jit mode once the above is
  // fixed). Before the schema had a Subscription type, graphql-js and graphql-jit reported that without
  // a code, so src/server/format-error.ts masked a client's mistake as INTERNAL_SERVER_ERROR; now
  // this one fails validation (a subscription may not select __typename alone), a client error too.
  it.each(['standard', 'jit'])(
    'answers a subscription as a client error, not INTERNAL_SERVER_ERROR, and a bare mutation as data (GRAPHQL_EXECUTION=%s)',
    async (execution) => {
      const gateway = await startHarness({ env: { GRAPHQL_EXECUTION: execution } });
      try {
        const response = await post(gateway.url, JSON.stringify({ query: 'subscription { __typename }' }), {
          'content-type': 'application/json',
          'x-auth-token': DEMO_TOKEN,
        });
        const errors = errorsOf(JSON.parse(response.text));
        expect(errors).toHaveLength(1);
        expect(codesOf(JSON.parse(response.text))).not.toContain(ErrorCode.INTERNAL_SERVER_ERROR);
        expect(JSON.stringify(errors).toLowerCase()).toContain('subscription');
        expect(response.status).toBe(400);
        const mutation = await post(gateway.url, JSON.stringify({ query: 'mutation { __typename }' }), {
          'content-type': 'application/json',
          'x-auth-token': DEMO_TOKEN,
        });
        expect(mutation.status).toBe(200);
        expect(JSON.parse(mutation.text)).toEqual({ data: { __typename: 'Mutation' } });
      } finally {
        await gateway.close();
      }
    },
  );

  // Found by fuzzing. The cost check (src/server/limits.ts, operationCost) JSON.stringifies the raw
  // variable values before GraphQL coerces them; a value a few thousand levels deep overflows the stack.
  it('answers a declared variable nested 5,000 arrays deep with 400 BAD_USER_INPUT, not a 500', async () => {
    harness.simulator.resetCalls();
    const body = `{"query":"query Q($fw: ID!) { captureTasks(fwInstanceId: $fw, first: 1) { totalCount } }","variables":{"fw":${nestedArrays(5_000)}}}`;
    const response = await post(harness.url, body, { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN });
    expect(harness.simulator.callCount).toBe(0);
    expect(response.status).toBe(400);
    expect(codesOf(expectWellFormed(response))).toEqual(['BAD_USER_INPUT']);
  });

  it('answers an entity representation nested 5,000 arrays deep without a 500 or INTERNAL_SERVER_ERROR', async () => {
    harness.simulator.resetCalls();
    const query = 'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { id captureTasks(first: 1) { totalCount } } } }';
    const body = `{"query":${JSON.stringify(query)},"variables":{"r":[{"__typename":"Firewall","id":"${SIMULATOR_FIREWALLS.demo}","extra":${nestedArrays(5_000)}}]}}`;
    const response = await post(harness.url, body, { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN });
    expectWellFormed(response);
  });

  // Found by fuzzing. Apollo's persisted-query errors carry an HTTP status but no code, so
  // src/server/format-error.ts masks a client's mistake as "Internal server error" (and logs it as a bug).
  it('answers a persisted query of an unsupported version as a client error, keeping its message', async () => {
    const response = await post(harness.url, JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } }), {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(400);
    expectWellFormed(response);
    expect(errorsOf(JSON.parse(response.text))).toEqual([{ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } }]);
  });

  it('answers a persisted query whose hash does not match as a client error, keeping its message', async () => {
    const response = await post(harness.url, JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }), {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(400);
    expectWellFormed(response);
    expect(errorsOf(JSON.parse(response.text))).toEqual([{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }]);
  });
});

// Found by fuzzing `_entities`, which any client of the subgraph endpoint may call. @apollo/subgraph
// throws a plain Error for a representation of an unknown type, and Firewall.__resolveReference
// (src/resolvers/firewall.ts) takes `id` unchecked, so a missing or non-string id reaches CFW as
// fw_instance_id=undefined or [object Object].
describe('hostile entity representations', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });
  const ENTITIES = 'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { id captureTasks(first: 1) { totalCount } } } }';

  it.each([
    ['of an unknown type', [{ __typename: 'Nope', id: 'x' }]],
    ['without an id', [{ __typename: 'Firewall' }]],
    ['with an object as id', [{ __typename: 'Firewall', id: { a: 1 } }]],
    ['that is a number', [1]],
    // Not in a list: GraphQL's input coercion makes it one, so it reaches execution unless checked as such.
    ['with a number as id, sent without its list', { __typename: 'Firewall', id: 123 }],
    ['with an object as id, sent without its list', { __typename: 'Firewall', id: { a: [1, 2] } }],
  ])('answers a representation %s as a client error, with no upstream call', async (_label, representations) => {
    harness.simulator.resetCalls();
    const response = await post(harness.url, JSON.stringify({ query: ENTITIES, variables: { r: representations } }), {
      'content-type': 'application/json',
      'x-auth-token': DEMO_TOKEN,
    });
    const calls = harness.simulator.calls.map((call) => call.fwInstanceId);
    expect(calls).toEqual([]);
    const codes = codesOf(expectWellFormed(response));
    expect(codes.length).toBeGreaterThan(0);
  });

  it("answers a representation left to its variable's default as a client error, with no upstream call", async () => {
    harness.simulator.resetCalls();
    const query =
      'query E($r: [_Any!] = [{__typename: "Firewall", id: 123}]) { _entities(representations: $r) { ... on Firewall { id captureTasks(first: 1) { totalCount } } } }';
    const response = await post(harness.url, JSON.stringify({ query, variables: {} }), { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN });
    expect(harness.simulator.calls).toEqual([]);
    expect(codesOf(expectWellFormed(response))).toEqual(['BAD_USER_INPUT']);
  });
});
