// The offline explorer: GraphiQL 3 (its prebuilt UMD bundle) on React 18, both from npm, served by
// the gateway itself, so a browser without internet access gets a working explorer. Nothing here
// touches the disk until createGraphiqlExplorer runs, which the edge calls only for EXPLORER=graphiql.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Config } from '../config.ts';
import { ErrorCode } from '../errors.ts';

/** Where the explorer's files are served; their URLs carry a content hash, so they are immutable. */
export const EXPLORER_ASSET_PREFIX = '/explorer/';

/** The query the start-up banner prints and the explorer opens with (simulator mode). */
export function exampleQueryFor(fwInstanceId: string): string {
  return `query FirstCaptureTasks {
  captureTasks(fwInstanceId: "${fwInstanceId}", first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id name status protocol source { address port } destination { address port } captureSize createdAt }
    }
  }
}`;
}

/**
 * The header the explorer's header editor opens with: the one this gateway authenticates callers
 * by, with a placeholder value (the demo token in simulator mode, where it works as it is).
 */
export function explorerHeaderHint(config: Pick<Config, 'auth' | 'inbound'>, demoToken: string | undefined): Record<string, string> {
  if (config.auth.mode === 'token') return { 'X-Auth-Token': demoToken ?? '<IAM token>' };
  if (config.inbound.apiKeySha256.length > 0) return { 'X-Api-Key': '<API key>' };
  if (config.inbound.jwtJwksUrl !== undefined || config.inbound.jwtPublicKey !== undefined) return { Authorization: 'Bearer <JWT>' };
  return {};
}

/** The quality a browser's Accept header gives a media type (exact match, then type/*, then *\/*). */
function qualityOf(accept: string, mediaType: string): number {
  const [type] = mediaType.split('/');
  let best: { specificity: number; quality: number } | undefined;
  for (const part of accept.split(',')) {
    const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const specificity = range === mediaType ? 3 : range === `${type}/*` ? 2 : range === '*/*' ? 1 : 0;
    if (specificity === 0 || (best !== undefined && best.specificity >= specificity)) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    best = { specificity, quality: Number.isFinite(quality) ? quality : 0 };
  }
  return best?.quality ?? 0;
}

/** Whether a GET wants a page rather than a GraphQL result: HTML preferred to JSON (JSON wins a tie, as in Apollo). */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = qualityOf(accept, 'text/html');
  return html > 0 && html > qualityOf(accept, 'application/json');
}

/** Whether an Accept-Encoding header takes gzip: named with a quality above 0, or else `*` with one. */
export function acceptsGzip(acceptEncoding: string): boolean {
  let gzipQuality: number | undefined;
  let anyQuality: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => /^q\s*=/.test(parameter));
    const quality = q === undefined ? 1 : Number(q.slice(q.indexOf('=') + 1).trim());
    const usable = Number.isFinite(quality) ? quality : 0;
    if (coding === 'gzip') gzipQuality = usable;
    else if (coding === '*') anyQuality = usable;
  }
  return (gzipQuality ?? anyQuality ?? 0) > 0;
}

interface Asset {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzipped: Buffer;
}

/** A JSON error answer, as the edge gives its own 404s and 405s. */
function sendError(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** The page's own start-up script: reads its settings from a JSON block (no inline script, so the CSP can forbid them). */
const START_SCRIPT = `'use strict';
(function () {
  // GraphiQL's storage, minus headers: its history and favourites save each run's headers (tokens
  // included) whatever shouldPersistHeaders says, so every "headers" field of a stored entry is
  // dropped on the way into localStorage. Keys are GraphiQL's own ("graphiql:…").
  function withoutHeaders(value) {
    var parsed;
    try { parsed = JSON.parse(value); } catch (error) { return value; }
    if (typeof parsed !== 'object' || parsed === null) return value;
    Object.keys(parsed).forEach(function (key) {
      if (Array.isArray(parsed[key])) parsed[key].forEach(function (entry) { if (typeof entry === 'object' && entry !== null) delete entry.headers; });
    });
    return JSON.stringify(parsed);
  }
  var storage = {
    getItem: function (key) { return localStorage.getItem(key); },
    setItem: function (key, value) { localStorage.setItem(key, withoutHeaders(value)); },
    removeItem: function (key) { localStorage.removeItem(key); },
    clear: function () { Object.keys(localStorage).forEach(function (key) { if (key.indexOf('graphiql:') === 0) localStorage.removeItem(key); }); },
    get length() { return Object.keys(localStorage).filter(function (key) { return key.indexOf('graphiql:') === 0; }).length; },
  };
  // Subscriptions over WebSocket at the same URL; the header editor's headers go in connection_init.
  var graphiqlFetcher = GraphiQL.createFetcher({ url: window.location.pathname, subscriptionUrl: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname });
  // GraphiQL tells its fetcher which operation to run, and whether it subscribes, from the editor's
  // last parsed document, which trails the text by a 100 ms debounce: a subscription run right after
  // it was typed or pasted went out as a plain POST (the gateway refuses it) or under the previous
  // text's operation name. Both are taken here from the very text being sent, by GraphiQL's own rule
  // (the operation named if the text has it, else the first). A text that does not parse goes over
  // HTTP as it is, and the gateway says what is wrong with it.
  function fetcher(params, options) {
    var documentAST;
    try { documentAST = GraphiQL.GraphQL.parse(params.query); } catch (error) { return graphiqlFetcher(params, options); }
    var names = documentAST.definitions
      .filter(function (definition) { return definition.kind === 'OperationDefinition'; })
      .map(function (operation) { return operation.name ? operation.name.value : undefined; });
    var operationName = names.indexOf(params.operationName) !== -1 ? params.operationName : names[0];
    return graphiqlFetcher(Object.assign({}, params, { operationName: operationName }), Object.assign({}, options, { documentAST: documentAST }));
  }
  var settings = JSON.parse(document.getElementById('explorer-settings').textContent);
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      // The page is served at the GraphQL URL itself (behind a proxy's prefix too).
      fetcher: fetcher,
      defaultQuery: settings.query,
      headers: settings.headers,
      defaultHeaders: settings.headers,
      // Tokens typed into the header editor stay in this tab, never in localStorage (the storage
      // above keeps them out of the history too).
      shouldPersistHeaders: false,
      storage: storage,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
`;

const PAGE_STYLE = `html, body, #graphiql { height: 100%; margin: 0; }
`;

/** Scripts only from the gateway, fetches only to it; inline styles because GraphiQL's dialogs inject them. */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** JSON safe inside a <script> element: no "</script>" or "<!--" can close or confuse it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026');
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

export interface ExplorerOptions {
  /** The operation the query editor opens with. */
  readonly defaultQuery?: string | undefined;
  /** The header editor's content (see explorerHeaderHint). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface Explorer {
  /** The GraphiQL version served. */
  readonly version: string;
  /** The path segment that versions the assets (a hash of their contents). */
  readonly assetPath: string;
  /** Answers the request and returns true when it is the explorer's (the page, or one of its files). */
  handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL, graphqlPath: string): boolean;
}

/** Reads GraphiQL's and React's browser bundles from node_modules and serves them with a page that starts GraphiQL. */
export async function createGraphiqlExplorer(options: ExplorerOptions): Promise<Explorer> {
  const require = createRequire(import.meta.url);
  const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
  const files: readonly (readonly [name: string, file: string])[] = [
    ['react.production.min.js', path.join(packageDir('react'), 'umd', 'react.production.min.js')],
    ['react-dom.production.min.js', path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js')],
    ['graphiql.min.js', path.join(packageDir('graphiql'), 'graphiql.min.js')],
    ['graphiql.min.css', path.join(packageDir('graphiql'), 'graphiql.min.css')],
  ];
  const read = await Promise.all(files.map(async ([name, file]) => ({ name, body: await readFile(file) })));
  const graphiqlPackage: unknown = JSON.parse(await readFile(path.join(packageDir('graphiql'), 'package.json'), 'utf8'));
  const version =
    typeof graphiqlPackage === 'object' && graphiqlPackage !== null && 'version' in graphiqlPackage && typeof graphiqlPackage.version === 'string'
      ? graphiqlPackage.version
      : 'unknown';
  read.push({ name: 'start.js', body: Buffer.from(START_SCRIPT) }, { name: 'page.css', body: Buffer.from(PAGE_STYLE) });

  const hash = createHash('sha256');
  for (const { name, body } of read) hash.update(name).update(body);
  const assetPath = hash.digest('hex').slice(0, 16);
  // Compressed once, here, off the event loop (zlib's thread pool): ~1 MB of GraphiQL takes tens of ms.
  const gzipAsync = promisify(gzip);
  const zipped = await Promise.all(read.map(async ({ body }) => gzipAsync(body)));
  const assets = new Map<string, Asset>(
    read.map(({ name, body }, index) => [
      name,
      { name, body, gzipped: zipped[index] ?? body, contentType: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8' },
    ]),
  );

  // Relative URLs: the page lives at the GraphQL URL, so a proxy's path prefix carries over.
  const asset = (name: string) => `explorer/${assetPath}/${name}`;
  const settings = {
    query: options.defaultQuery ?? '# Write a query, then press the run button (Ctrl-Enter).\n',
    headers: JSON.stringify(options.headers, null, 2),
  };
  const page = Buffer.from(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>capture-gateway · GraphiQL</title>
<link rel="stylesheet" href="${escapeHtml(asset('graphiql.min.css'))}">
<link rel="stylesheet" href="${escapeHtml(asset('page.css'))}">
</head>
<body>
<div id="graphiql">Loading GraphiQL ${escapeHtml(version)}…</div>
<script type="application/json" id="explorer-settings">${scriptJson(settings)}</script>
<script src="${escapeHtml(asset('react.production.min.js'))}"></script>
<script src="${escapeHtml(asset('react-dom.production.min.js'))}"></script>
<script src="${escapeHtml(asset('graphiql.min.js'))}"></script>
<script src="${escapeHtml(asset('start.js'))}"></script>
</body>
</html>
`);

  const send = (request: http.IncomingMessage, response: http.ServerResponse, headers: Record<string, string>, body: Buffer) => {
    response.writeHead(200, { ...headers, 'content-length': String(body.length), 'x-content-type-options': 'nosniff' });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  return {
    version,
    assetPath,
    handle(request, response, url, graphqlPath) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        if (!url.pathname.startsWith(EXPLORER_ASSET_PREFIX)) return false;
        sendError(request, response, 405, ErrorCode.METHOD_NOT_ALLOWED, "The explorer's files are read with GET.", { allow: 'GET, HEAD' });
        return true;
      }
      if (url.pathname === graphqlPath) {
        // A GET carrying an operation is an operation, whatever the browser accepts.
        if (url.searchParams.has('query') || !prefersHtml(request.headers.accept)) return false;
        send(
          request,
          response,
          {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-cache',
            'content-security-policy': EXPLORER_CSP,
            'referrer-policy': 'no-referrer',
          },
          page,
        );
        return true;
      }
      if (!url.pathname.startsWith(EXPLORER_ASSET_PREFIX)) return false;
      const [version, name, ...rest] = url.pathname.slice(EXPLORER_ASSET_PREFIX.length).split('/');
      const found = version === assetPath && rest.length === 0 && name !== undefined ? assets.get(name) : undefined;
      if (found === undefined) {
        sendError(request, response, 404, ErrorCode.NOT_FOUND, `No explorer file at ${url.pathname}.`);
        return true;
      }
      const headers = { 'content-type': found.contentType, 'cache-control': IMMUTABLE, vary: 'accept-encoding' };
      if (acceptsGzip(request.headers['accept-encoding'] ?? '')) send(request, response, { ...headers, 'content-encoding': 'gzip' }, found.gzipped);
      else send(request, response, headers, found.body);
      return true;
    },
  };
}
