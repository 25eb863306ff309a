// What a page on another origin may do, through a live gateway over real HTTP: CSRF prevention that
// lets preflighted requests (a credential header) through on GET — urql's default — and refuses the
// rest, never a mutation on GET; CORS for local dev servers outside production; and the pure
// decisions behind both, tested directly.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { corsAllows, CREDENTIAL_HEADERS, CSRF_REQUEST_HEADERS, isLoopbackOrigin } from '../../src/server/cross-origin.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';

const QUERY = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount } }`;
const ANSWER = { data: { captureTasks: { totalCount: 57 } } };
const CSRF_MESSAGE = expect.stringContaining('This operation has been blocked as a potential Cross-Site Request Forgery (CSRF)');

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

async function get(harness: Harness, query: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(`${harness.url}?query=${encodeURIComponent(query)}`, { headers });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function preflight(harness: Harness, origin: string, url = harness.url): Promise<Headers> {
  const response = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-auth-token' },
  });
  await response.arrayBuffer();
  return response.headers;
}

describe('isLoopbackOrigin', () => {
  it.each(['http://localhost:3000', 'http://localhost', 'https://localhost:8443', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'https://[::1]'])(
    'accepts %s',
    (origin) => {
      expect(isLoopbackOrigin(origin)).toBe(true);
    },
  );

  it.each([
    ['another host', 'https://console.example.com'],
    ['a host that starts with localhost', 'http://localhost.example.com:3000'],
    ['another loopback address than 127.0.0.1', 'http://127.0.0.2:3000'],
    ['a path after the origin', 'http://localhost:3000/app'],
    ['a trailing slash', 'http://localhost:3000/'],
    ['user info', 'http://user@localhost:3000'],
    ['another scheme', 'file://localhost'],
    ['a WebSocket scheme', 'ws://localhost:3000'],
    ['the opaque origin', 'null'],
    ['an empty string', ''],
    ['upper case, which browsers never send', 'http://LOCALHOST:3000'],
  ])('refuses %s (%s)', (_what, origin) => {
    expect(isLoopbackOrigin(origin)).toBe(false);
  });
});

describe('corsAllows', () => {
  it('allows listed origins exactly, and loopback origins only when asked to', () => {
    const development = corsAllows({ origins: ['https://console.example.com'], loopback: true });
    const production = corsAllows({ origins: ['https://console.example.com'], loopback: false });
    expect(['https://console.example.com', 'http://localhost:3000'].map(development)).toEqual([true, true]);
    expect(['https://console.example.com', 'http://localhost:3000'].map(production)).toEqual([true, false]);
    expect(development('https://console.example.com:443')).toBe(false);
  });
});

describe('CSRF_REQUEST_HEADERS', () => {
  it("names every credential header and keeps Apollo's own two", () => {
    expect(CSRF_REQUEST_HEADERS).toEqual(['x-auth-token', 'authorization', 'x-api-key', 'x-apollo-operation-name', 'apollo-require-preflight']);
    expect(CSRF_REQUEST_HEADERS).toEqual(expect.arrayContaining([...CREDENTIAL_HEADERS]));
  });
});

describe('CSRF prevention over HTTP (token mode)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each([
    ['X-Auth-Token', { 'x-auth-token': DEMO_TOKEN }],
    ['Authorization: Bearer', { authorization: `Bearer ${DEMO_TOKEN}` }],
    ["apollo-require-preflight (Apollo's default, kept)", { 'apollo-require-preflight': 'true', 'x-auth-token': DEMO_TOKEN }],
  ])('runs a GET query that carries %s, as urql sends it by default', async (_header, headers) => {
    const response = await get(harness, QUERY, { accept: 'application/graphql-response+json, application/json', ...headers });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(ANSWER);
  });

  it.each([
    ['no header at all', {}],
    ['an empty X-Auth-Token', { 'x-auth-token': '' }],
    ['a simple content type', { 'content-type': 'text/plain' }],
  ])('blocks a GET with %s as a potential CSRF (400), before any upstream call', async (_what, headers) => {
    harness.simulator.resetCalls();
    const response = await get(harness, QUERY, headers);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: CSRF_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] });
    expect(harness.simulator.callCount).toBe(0);
  });

  it('never runs a mutation on GET, even one carrying a credential header (405, Allow: POST)', async () => {
    harness.simulator.resetCalls();
    const response = await get(harness, 'mutation Sneaky { __typename }', { 'x-auth-token': DEMO_TOKEN });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.body).toEqual({
      errors: [{ message: 'GET requests only support query operations, not mutation operations', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(harness.simulator.callCount).toBe(0);
  });

  it('lets a preflight ask for every credential header', async () => {
    const headers = await preflight(harness, 'http://localhost:3000');
    const allowed = (headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining([...CSRF_REQUEST_HEADERS, 'content-type']));
  });
});

describe('CSRF prevention with ALLOW_ANONYMOUS in AK/SK mode, where the gateway acts with its own keys', () => {
  const AK = 'QTWAOYTTINDUT2QVKYUC';
  const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

  it('refuses a GET without a credential header, as a cross-site <img> or form would send it, making no call', async () => {
    await withHarness(
      {
        env: { CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK, ALLOW_ANONYMOUS: 'true' },
        simulator: { accessKeys: new Map([[AK, SK]]), tokens: new Map() },
      },
      async (harness) => {
        const blocked = await get(harness, QUERY);
        expect(blocked.status).toBe(400);
        expect(blocked.body).toEqual({ errors: [{ message: CSRF_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] });
        const form = await fetch(harness.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `query=${encodeURIComponent(QUERY)}`,
        });
        expect(form.status).toBe(415);
        await form.arrayBuffer();
        expect(harness.simulator.callCount).toBe(0);
        // A script that may send headers (so passed a CORS preflight) still reads, as before.
        const preflighted = await get(harness, QUERY, { 'apollo-require-preflight': 'true' });
        expect(preflighted.body).toEqual(ANSWER);
      },
    );
  });
});

describe('CORS outside production', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { NODE_ENV: 'development' } });
  });
  afterAll(() => harness.close());

  it.each(['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'https://localhost:8443'])(
    'allows the local dev server %s in the preflight and the answer',
    async (origin) => {
      const headers = await preflight(harness, origin);
      expect(headers.get('access-control-allow-origin')).toBe(origin);
      expect(headers.get('vary')).toMatch(/origin/i);
      const answer = await harness.gql(QUERY, undefined, { origin, 'x-auth-token': DEMO_TOKEN });
      expect(answer.body).toEqual(ANSWER);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    },
  );

  it.each(['http://localhost.example.com:3000', 'http://127.0.0.2:3000', 'null'])('gives %s no access-control-allow-origin', async (origin) => {
    expect((await preflight(harness, origin)).get('access-control-allow-origin')).toBeNull();
    const answer = await harness.gql(QUERY, undefined, { origin, 'x-auth-token': DEMO_TOKEN });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS in production', () => {
  it('allows no loopback origin unless CORS_ORIGINS names it', async () => {
    await withHarness({ env: { NODE_ENV: 'production', CORS_ORIGINS: 'http://localhost:4200' } }, async (harness) => {
      expect((await preflight(harness, 'http://localhost:3000')).get('access-control-allow-origin')).toBeNull();
      expect((await preflight(harness, 'http://127.0.0.1:5173')).get('access-control-allow-origin')).toBeNull();
      expect((await preflight(harness, 'http://localhost:4200')).get('access-control-allow-origin')).toBe('http://localhost:4200');
    });
  });
});
