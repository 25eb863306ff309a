// The explorer settings through a live gateway: what a browser gets at /graphql with EXPLORER=graphiql,
// sandbox and off, and the GraphiQL files (types, caching, compression, nothing from outside the
// gateway). test/browser/ runs the page itself in Chromium.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.ts';
import { acceptsGzip, EXPLORER_CSP, explorerHeaderHint, prefersHtml } from '../../src/server/explorer.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const AKSK = { CFW_ENDPOINT: 'https://cfw.example.com', CFW_PROJECT_ID: 'p1', CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: 'ak', CLOUD_SDK_SK: 'sk' };

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly text: string;
}

/** A raw response over node:http: fetch would undo gzip, so bodies come back exactly as sent. */
async function get(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'identity', ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
          resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body, text: body.toString('utf8') });
        });
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Every URL a page or stylesheet refers to: src/href attributes, url(…) and @import. */
function referencesIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)) found.push(match[1] ?? '');
  for (const match of text.matchAll(/url\(\s*["']?([^"')]*)["']?\s*\)/gi)) found.push(match[1] ?? '');
  for (const match of text.matchAll(/@import\s+["']([^"']*)["']/gi)) found.push(match[1] ?? '');
  return found;
}

/** A reference that stays on the gateway: relative, or inline data. */
function isLocal(reference: string): boolean {
  return reference.startsWith('data:') || !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(reference);
}

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['GZIP;q=0.5', true],
    ['*', true],
    ['br, *;q=0.1', true],
    ['gzip;q=0', false],
    ['gzip; q=0.000', false],
    ['gzip;q=0, *', false],
    ['*;q=0', false],
    ['identity', false],
    ['x-gzip-ish', false],
    ['', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('explorerHeaderHint', () => {
  it('names the header each authentication mode reads, with a placeholder value', () => {
    expect(explorerHeaderHint(loadConfig({}), undefined)).toEqual({ 'X-Auth-Token': '<IAM token>' });
    expect(explorerHeaderHint(loadConfig({ ...AKSK, INBOUND_API_KEYS_SHA256: 'a'.repeat(64) }), undefined)).toEqual({ 'X-Api-Key': '<API key>' });
    expect(explorerHeaderHint(loadConfig({ ...AKSK, INBOUND_JWT_JWKS_URL: 'https://idp.example.com/jwks' }), undefined)).toEqual({
      Authorization: 'Bearer <JWT>',
    });
    expect(explorerHeaderHint(loadConfig({ ...AKSK, ALLOW_ANONYMOUS: 'true' }), undefined)).toEqual({});
  });

  it('fills in the demo token in simulator mode, where it works as it is', () => {
    expect(explorerHeaderHint(loadConfig({}), DEMO_TOKEN)).toEqual({ 'X-Auth-Token': DEMO_TOKEN });
  });
});

describe('prefersHtml', () => {
  it.each([
    [BROWSER_ACCEPT, true],
    ['text/html', true],
    ['text/html;q=0.9, application/json;q=0.5', true],
    ['application/json', false],
    ['application/graphql-response+json, application/json;q=0.9', false],
    ['*/*', false],
    ['application/json, text/html', false],
    ['text/html;q=0, */*', false],
    ['text/*', true],
    ['', false],
  ])('%j → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });

  it('is false without an Accept header', () => {
    expect(prefersHtml(undefined)).toBe(false);
  });
});

describe('EXPLORER=graphiql', () => {
  let harness: Harness;
  let page: RawResponse;
  beforeAll(async () => {
    harness = await startHarness({ env: { EXPLORER: 'graphiql' }, fallbackToken: DEMO_TOKEN });
    page = await get(harness.url, { accept: BROWSER_ACCEPT });
  });
  afterAll(async () => {
    await harness.close();
  });

  const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(explorer\/[^"]+)"/g)].map((match) => new URL(match[1] ?? '', harness.url).href);

  it('serves GraphiQL at the GraphQL URL to a browser, with a CSP that keeps scripts and requests on the gateway', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(EXPLORER_CSP).toContain("script-src 'self'");
    expect(EXPLORER_CSP).toContain("connect-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.text).toMatch(/^<!DOCTYPE html>/);
    expect(page.text).toContain('GraphiQL 3.9.0');
  });

  it('refers to nothing outside the gateway, not even in text', () => {
    expect(page.text).not.toMatch(/https?:\/\//i);
    expect(referencesIn(page.text).length).toBeGreaterThanOrEqual(6);
    expect(referencesIn(page.text).filter((reference) => !isLocal(reference))).toEqual([]);
  });

  it('has no inline script: its settings travel as JSON, with the demo token header', () => {
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(
      scripts.filter(
        ([, attributes, body]) => !/\bsrc=/.test(attributes ?? '') && !/type="application\/json"/.test(attributes ?? '') && (body ?? '').trim() !== '',
      ),
    ).toEqual([]);
    const json = /<script type="application\/json" id="explorer-settings">([^<]*)<\/script>/.exec(page.text)?.[1] ?? '';
    const settings = JSON.parse(json) as { query: string; headers: string };
    expect(JSON.parse(settings.headers)).toEqual({ 'X-Auth-Token': DEMO_TOKEN });
    expect(settings.query).toContain('# Write a query');
  });

  it('serves its scripts and styles with their types, immutable under a content hash', async () => {
    const assets = assetsOf(page.text);
    expect(assets.map((url) => url.slice(url.lastIndexOf('/') + 1)).sort()).toEqual([
      'graphiql.min.css',
      'graphiql.min.js',
      'page.css',
      'react-dom.production.min.js',
      'react.production.min.js',
      'start.js',
    ]);
    for (const url of assets) {
      expect(new URL(url).origin).toBe(harness.origin);
      expect(new URL(url).pathname).toMatch(/^\/explorer\/[0-9a-f]{16}\/[\w.-]+$/);
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.body.length).toBeGreaterThan(20);
    }
  });

  it('loads its fonts from data: URLs only: the stylesheets refer to nothing outside the gateway', async () => {
    for (const url of assetsOf(page.text).filter((asset) => asset.endsWith('.css'))) {
      const css = (await get(url)).text;
      expect(css).not.toMatch(/@import/i);
      expect(referencesIn(css).filter((reference) => !isLocal(reference))).toEqual([]);
      // Outside data: URLs (whose SVGs name their XML namespace) no http(s) address appears at all.
      expect(css.replaceAll(/url\(\s*["']?data:[^)]*\)/g, '')).not.toMatch(/https?:\/\//i);
    }
  });

  it('sends the same bytes gzipped to a browser that accepts it', async () => {
    const url = assetsOf(page.text).find((asset) => asset.endsWith('graphiql.min.js')) ?? '';
    const plain = await get(url);
    const zipped = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('accept-encoding');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });

  it('sends the file as it is to a browser that refuses gzip (q=0)', async () => {
    const url = assetsOf(page.text).find((asset) => asset.endsWith('start.js')) ?? '';
    const plain = await get(url);
    for (const refusal of ['gzip;q=0', 'br, gzip; q=0', 'gzip;q=0.0, *;q=1']) {
      const response = await get(url, { 'accept-encoding': refusal });
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(response.body.equals(plain.body)).toBe(true);
    }
  });

  it('refuses a POST to one of its files with 405, as JSON', async () => {
    const url = assetsOf(page.text).find((asset) => asset.endsWith('start.js')) ?? '';
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ errors: [{ message: "The explorer's files are read with GET.", extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
  });

  it('answers 404 for another version or an unknown file', async () => {
    const url = assetsOf(page.text)[0] ?? '';
    const version = new URL(url).pathname.split('/')[2] ?? '';
    for (const path of [
      '/explorer/0123456789abcdef/graphiql.min.js',
      `/explorer/${version}/package.json`,
      `/explorer/${version}/..%2f..%2fpackage.json`,
      `/explorer/${version}/graphiql.min.js/x`,
      '/explorer/',
    ]) {
      const response = await get(`${harness.origin}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
      // As JSON, as every other 404 of the gateway.
      expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
      expect(JSON.parse(response.text)).toEqual({
        errors: [{ message: `No explorer file at ${new URL(`${harness.origin}${path}`).pathname}.`, extensions: { code: 'NOT_FOUND' } }],
      });
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(harness.url, { method: 'HEAD', headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('leaves operations alone: a POST, and a GET that carries a query, are GraphQL', async () => {
    const result = await harness.gql('{ __typename }');
    expect(result.body).toEqual({ data: { __typename: 'Query' } });
    const response = await get(`${harness.url}?query=${encodeURIComponent('{ __typename }')}`, { accept: BROWSER_ACCEPT, 'apollo-require-preflight': 'true' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(JSON.parse(response.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('is not the Sandbox page', () => {
    expect(page.text).not.toContain('embeddable-sandbox');
  });
});

describe('EXPLORER=graphiql with CFW_ENDPOINT set (no demo token)', () => {
  it('prefills the token header with a placeholder and opens with a blank query', async () => {
    await withHarness({ env: { EXPLORER: 'graphiql' } }, async (harness) => {
      const page = await get(harness.url, { accept: BROWSER_ACCEPT });
      const json = /id="explorer-settings">([^<]*)</.exec(page.text)?.[1] ?? '';
      const settings = JSON.parse(json) as { query: string; headers: string };
      expect(JSON.parse(settings.headers)).toEqual({ 'X-Auth-Token': '<IAM token>' });
      // The placeholder's angle brackets are escaped inside the HTML.
      expect(json).toContain('\\u003cIAM token\\u003e');
    });
  });
});

describe('EXPLORER=sandbox', () => {
  it('serves Apollo Sandbox with the token header prefilled, and no GraphiQL files', async () => {
    await withHarness({ env: { EXPLORER: 'sandbox' }, fallbackToken: DEMO_TOKEN }, async (harness) => {
      const page = await get(harness.url, { accept: BROWSER_ACCEPT });
      expect(page.status).toBe(200);
      expect(page.text).toContain('embeddable-sandbox');
      expect(page.text).toContain(`"X-Auth-Token":"${DEMO_TOKEN}"`);
      expect((await get(`${harness.origin}/explorer/0123456789abcdef/graphiql.min.js`)).status).toBe(404);
    });
  });
});

describe('EXPLORER=off', () => {
  it('serves no page, while introspection stays on outside production', async () => {
    await withHarness({ env: { EXPLORER: 'off' } }, async (harness) => {
      const page = await get(harness.url, { accept: BROWSER_ACCEPT });
      expect(page.headers.get('content-type')).toMatch(/^application\/json\b/);
      expect(page.text).not.toMatch(/<html|embeddable-sandbox|graphiql/i);
      const introspection = await harness.gql('{ __schema { queryType { name } } }');
      expect(introspection.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  });
});
