// Trusted documents (PERSISTED_DOCUMENTS): the manifest checks at start, the id → text decision as
// pure functions, and a live gateway running only the operations of a manifest that GraphQL Code
// Generator's client preset generates here from examples/documents/, sent as its clients send them.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate } from '@graphql-codegen/cli';
import { preset as clientPreset } from '@graphql-codegen/client-preset';
import fc from 'fast-check';
import { printSchema } from 'graphql';
import { ConfigError } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import {
  loadTrustedDocuments,
  trustedBody,
  trustedDocumentsFrom,
  trustedOperation,
  trustedSearch,
  type Resolution,
} from '../../src/server/persisted-documents.ts';
import { buildGatewaySchema } from '../../src/server/schema.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { runNode } from '../helpers/process.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';
import { memorySink } from '../helpers/log.ts';

const schema = buildGatewaySchema();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const TYPENAME = 'query Typename { __typename }';
const FIRST = 'query First($fw: ID!) { captureTasks(fwInstanceId: $fw, first: 2) { totalCount } }';
/** A small manifest in the client preset's format: `sha256:<hex of the text>` → text. */
const SMALL = { [`sha256:${sha256(TYPENAME)}`]: TYPENAME, [`sha256:${sha256(FIRST)}`]: FIRST };
const small = (allowText = false) => trustedDocumentsFrom(SMALL, schema, allowText, 'manifest.json');

/** The problems a manifest is refused for; fails the test when it is accepted. */
function problemsOf(manifest: unknown): readonly string[] {
  try {
    trustedDocumentsFrom(manifest, schema, false, 'manifest.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

interface GeneratedFile {
  readonly filename: string;
  readonly content: string;
}

/** codegen's generate() is typed loosely; its answer without writing is a list of files. */
function filesOf(value: unknown): GeneratedFile[] {
  const isFile = (file: unknown): file is GeneratedFile =>
    typeof file === 'object' &&
    file !== null &&
    'filename' in file &&
    typeof file.filename === 'string' &&
    'content' in file &&
    typeof file.content === 'string';
  if (!Array.isArray(value) || !value.every(isFile)) throw new Error('codegen did not answer with a list of files');
  return value;
}

function valueOf<T>(resolution: Resolution<T>): T {
  if (!resolution.ok) throw new Error(`refused: ${resolution.refusal.code} ${resolution.refusal.message}`);
  return resolution.value;
}

function refusalOf(resolution: Resolution<unknown>) {
  if (resolution.ok) throw new Error(`not refused: ${JSON.stringify(resolution.value)}`);
  return resolution.refusal;
}

describe('the manifest, checked at start', () => {
  it('indexes a valid manifest', () => {
    const documents = small(true);
    expect([...documents.byId.keys()]).toEqual(Object.keys(SMALL));
    expect(documents.texts.has(FIRST)).toBe(true);
    expect(documents.allowText).toBe(true);
  });

  it('accepts ids of any form, as Relay writes them', () => {
    expect(trustedDocumentsFrom({ [md5(TYPENAME)]: TYPENAME, 'my-query-1': FIRST }, schema, false, 'relay.json').byId.size).toBe(2);
  });

  it.each([
    [[], 'PERSISTED_DOCUMENTS (manifest.json) must hold a JSON object mapping document ids to GraphQL documents ({"<id>": "query …"}), got an array'],
    [null, 'PERSISTED_DOCUMENTS (manifest.json) must hold a JSON object mapping document ids to GraphQL documents ({"<id>": "query …"}), got null'],
    [
      'query { x }',
      'PERSISTED_DOCUMENTS (manifest.json) must hold a JSON object mapping document ids to GraphQL documents ({"<id>": "query …"}), got a string',
    ],
    [{}, 'PERSISTED_DOCUMENTS (manifest.json) holds no documents'],
  ])('refuses %j', (manifest, problem) => {
    expect(problemsOf(manifest)).toEqual([problem]);
  });

  it('lists every bad entry at once, naming it', () => {
    expect(
      problemsOf({
        a: 42,
        b: '',
        c: 'query {',
        d: '{ unknownField }',
        e: 'fragment F on Query { __typename }',
        [`sha256:${sha256('something else')}`]: TYPENAME,
        ' ': TYPENAME,
        ok: TYPENAME,
      }),
    ).toEqual([
      'PERSISTED_DOCUMENTS (manifest.json): entry "a" must be a GraphQL document (a non-empty string), got number',
      'PERSISTED_DOCUMENTS (manifest.json): entry "b" must be a GraphQL document (a non-empty string), got an empty string',
      'PERSISTED_DOCUMENTS (manifest.json): entry "c" does not parse: Syntax Error: Expected Name, found <EOF>.',
      'PERSISTED_DOCUMENTS (manifest.json): entry "d" does not validate against the schema: Cannot query field "unknownField" on type "Query".',
      'PERSISTED_DOCUMENTS (manifest.json): entry "e" holds no operation',
      `PERSISTED_DOCUMENTS (manifest.json): entry "sha256:${sha256('something else')}" is not the SHA-256 of its document (the manifest was edited or is damaged; regenerate it)`,
      'PERSISTED_DOCUMENTS (manifest.json): an entry has an empty id',
    ]);
  });

  it('lists ten problems, then how many more', () => {
    const problems = problemsOf(Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`q${i}`, 1])));
    expect(problems).toHaveLength(11);
    expect(problems[10]).toBe('PERSISTED_DOCUMENTS (manifest.json): and 3 more problems');
  });

  describe('read from a file', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'capture-gateway-manifest-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('names a missing file', async () => {
      const missing = path.join(dir, 'missing.json');
      await expect(loadTrustedDocuments(missing, schema, false)).rejects.toMatchObject({
        problems: [`PERSISTED_DOCUMENTS must name a readable manifest file, got ${JSON.stringify(missing)} (ENOENT)`],
      });
    });

    it('says when it is not JSON', async () => {
      const file = path.join(dir, 'broken.json');
      writeFileSync(file, '{ "a": ');
      await expect(loadTrustedDocuments(file, schema, false)).rejects.toMatchObject({
        problems: [expect.stringMatching(new RegExp(`^PERSISTED_DOCUMENTS \\(${file}\\) is not JSON: `))],
      });
    });

    it('stops the gateway process with exit code 2 and the problem', async () => {
      const file = path.join(dir, 'stale.json');
      writeFileSync(file, JSON.stringify({ old: '{ captureTaskById(id: "1") { id } }' }));
      const run = runNode(['src/main.ts'], { PORT: '0', LOG_LEVEL: 'silent', PERSISTED_DOCUMENTS: file });
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toContain('capture-gateway cannot start.');
      expect(run.stderr()).toContain(
        `PERSISTED_DOCUMENTS (${file}): entry "old" does not validate against the schema: Cannot query field "captureTaskById" on type "Query".`,
      );
      expect(run.stderr()).not.toContain('    at ');
    });
  });
});

describe('trustedOperation', () => {
  const id = `sha256:${sha256(FIRST)}`;
  const variables = { fw: 'x' };

  it('swaps an id for its text, wherever the client put it, keeping the rest', () => {
    const expected = { query: FIRST, variables, operationName: 'First' };
    expect(valueOf(trustedOperation({ documentId: id, variables, operationName: 'First' }, small()))).toEqual(expected);
    expect(valueOf(trustedOperation({ doc_id: id, variables, operationName: 'First' }, small()))).toEqual(expected);
    expect(valueOf(trustedOperation({ extensions: { persistedQuery: { version: 1, sha256Hash: id } }, variables, operationName: 'First' }, small()))).toEqual(
      expected,
    );
  });

  it('finds an id with or without the sha256: prefix', () => {
    expect(valueOf(trustedOperation({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(FIRST) } } }, small()))).toEqual({ query: FIRST });
    const bare = trustedDocumentsFrom({ [sha256(FIRST)]: FIRST }, schema, false, 'apq.json');
    expect(valueOf(trustedOperation({ documentId: id }, bare))).toEqual({ query: FIRST });
  });

  it('compares the documents two ids name, not their spelling; a hash in any case', () => {
    expect(valueOf(trustedOperation({ documentId: id, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(FIRST) } } }, small()))).toEqual({
      query: FIRST,
    });
    expect(valueOf(trustedOperation({ doc_id: id.toUpperCase().replace('SHA256:', 'sha256:') }, small()))).toEqual({ query: FIRST });
    expect(refusalOf(trustedOperation({ documentId: id, doc_id: `sha256:${sha256(TYPENAME)}` }, small()))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: '`documentId` and `doc_id` name different documents; send one id.',
    });
    expect(refusalOf(trustedOperation({ documentId: id, doc_id: 'nope' }, small()))).toMatchObject({ code: 'PERSISTED_DOCUMENT_NOT_FOUND' });
  });

  it('keeps other extensions and drops only persistedQuery', () => {
    expect(valueOf(trustedOperation({ extensions: { persistedQuery: { version: 1, sha256Hash: id }, trace: true } }, small()))).toEqual({
      query: FIRST,
      extensions: { trace: true },
    });
  });

  it('accepts the text sent with its own id, and refuses another text', () => {
    expect(valueOf(trustedOperation({ documentId: id, query: FIRST }, small()))).toEqual({ query: FIRST });
    expect(refusalOf(trustedOperation({ documentId: id, query: TYPENAME }, small()))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: `\`query\` is not the text of the trusted document "${id}"; send the id alone.`,
    });
  });

  it('refuses an unknown id with PERSISTED_DOCUMENT_NOT_FOUND, naming where it came from', () => {
    expect(refusalOf(trustedOperation({ doc_id: 'nope' }, small()))).toEqual({
      status: 400,
      code: 'PERSISTED_DOCUMENT_NOT_FOUND',
      message: 'No trusted document has the id "nope" (from `doc_id`); this gateway runs only the documents of its manifest.',
    });
  });

  it('refuses text with PERSISTED_DOCUMENTS_REQUIRED unless text is allowed', () => {
    const required = {
      status: 400,
      code: 'PERSISTED_DOCUMENTS_REQUIRED',
      message:
        "This gateway runs only trusted documents: send the document's id as `documentId`, `doc_id` or `extensions.persistedQuery.sha256Hash`, not its text.",
    };
    expect(refusalOf(trustedOperation({ query: FIRST }, small()))).toEqual(required);
    expect(refusalOf(trustedOperation({}, small()))).toEqual(required);
    expect(refusalOf(trustedOperation({ query: '' }, small(true)))).toEqual(required);
  });

  it('with text allowed, runs exactly a manifest text and nothing else, not even the same query spaced differently', () => {
    expect(valueOf(trustedOperation({ query: FIRST, variables }, small(true)))).toEqual({ query: FIRST, variables });
    expect(valueOf(trustedOperation({ query: TYPENAME, documentId: null, doc_id: null }, small(true)))).toEqual({ query: TYPENAME });
    expect(refusalOf(trustedOperation({ query: `${FIRST} ` }, small(true)))).toMatchObject({ code: 'PERSISTED_DOCUMENT_NOT_FOUND' });
    expect(refusalOf(trustedOperation({ query: '{ __typename }' }, small(true)))).toMatchObject({ code: 'PERSISTED_DOCUMENT_NOT_FOUND' });
  });

  it.each([
    [{ documentId: 42 }, '`documentId` must be a non-empty string.'],
    [{ doc_id: '' }, '`doc_id` must be a non-empty string.'],
    [{ extensions: { persistedQuery: { sha256Hash: ['a'] } } }, '`extensions.persistedQuery.sha256Hash` must be a non-empty string.'],
    [{ documentId: id, doc_id: sha256(TYPENAME) }, '`documentId` and `doc_id` name different documents; send one id.'],
  ])('refuses a malformed id %j as BAD_REQUEST', (operation, message) => {
    expect(refusalOf(trustedOperation(operation, small()))).toEqual({ status: 400, code: 'BAD_REQUEST', message });
  });
});

describe('trustedBody and trustedSearch', () => {
  const id = `sha256:${sha256(TYPENAME)}`;

  it('resolves each operation of a batch, and refuses the batch when one is not trusted', () => {
    expect(valueOf(trustedBody([{ documentId: id }, { doc_id: id }], small()))).toEqual([{ query: TYPENAME }, { query: TYPENAME }]);
    expect(refusalOf(trustedBody([{ documentId: id }, { query: TYPENAME }], small()))).toMatchObject({ code: 'PERSISTED_DOCUMENTS_REQUIRED' });
  });

  it('passes a body that is no operation, for Apollo to refuse', () => {
    expect(valueOf(trustedBody('text', small()))).toBe('text');
  });

  it('rewrites a GET to ?query=<text>, keeping the other parameters', () => {
    const search = `?documentId=${encodeURIComponent(id)}&variables=%7B%7D&operationName=Typename`;
    const params = new URLSearchParams(valueOf(trustedSearch(search, small())));
    expect(Object.fromEntries(params)).toEqual({ variables: '{}', operationName: 'Typename', query: TYPENAME });
    const apq = `?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(TYPENAME) } }))}`;
    expect(Object.fromEntries(new URLSearchParams(valueOf(trustedSearch(apq, small()))))).toEqual({ query: TYPENAME });
  });

  it('refuses a GET with text, or with extensions that are not JSON', () => {
    expect(refusalOf(trustedSearch(`?query=${encodeURIComponent(TYPENAME)}`, small()))).toMatchObject({ code: 'PERSISTED_DOCUMENTS_REQUIRED' });
    expect(refusalOf(trustedSearch('?extensions=%7Bnope', small()))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'The `extensions` parameter is not JSON.',
    });
  });
});

describe('whatever a client sends', () => {
  const ids = [...Object.keys(SMALL), sha256(TYPENAME), 'nope', ''];
  const anyId = fc.oneof(fc.constantFrom(...ids), fc.string(), fc.jsonValue());
  const operation = fc.record(
    {
      query: fc.oneof(fc.constantFrom(TYPENAME, FIRST, `${FIRST}\n`), fc.string(), fc.jsonValue()),
      documentId: anyId,
      doc_id: anyId,
      extensions: fc.oneof(fc.record({ persistedQuery: fc.record({ version: fc.constant(1), sha256Hash: anyId }) }), fc.jsonValue()),
      variables: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  it('never throws, and what it lets through runs only a manifest text, without the id fields', () => {
    for (const allowText of [false, true]) {
      const documents = small(allowText);
      fc.assert(
        fc.property(fc.oneof(operation, fc.array(operation, { maxLength: 3 }), fc.jsonValue()), (body) => {
          const resolved = trustedBody(body, documents);
          if (!resolved.ok) return ['BAD_REQUEST', 'PERSISTED_DOCUMENT_NOT_FOUND', 'PERSISTED_DOCUMENTS_REQUIRED'].includes(resolved.refusal.code);
          const operations: unknown[] = Array.isArray(resolved.value) ? resolved.value : [resolved.value];
          // Anything that is not an operation object goes on for Apollo to refuse; no operation runs another text.
          return operations.every(
            (one) =>
              typeof one !== 'object' ||
              one === null ||
              Array.isArray(one) ||
              ('query' in one && typeof one.query === 'string' && documents.texts.has(one.query) && !('documentId' in one) && !('doc_id' in one)),
          );
        }),
        { numRuns: 500 },
      );
    }
  });
});

describe('a gateway with a manifest from the client preset', () => {
  let dir: string;
  let manifestPath: string;
  let manifest: Record<string, string>;
  /** The ids the generated client code carries (`__meta__.hash`), by operation name. */
  const ids = new Map<string, string>();
  let harness: Harness;

  beforeAll(async () => {
    // What a frontend's build runs: codegen's client preset over its documents, against this API.
    // The preset is imported, not named: codegen loads a named preset's CommonJS build, which
    // require()s ES modules, and Jest allows that only from Node 24.9 (package.json allows 22.18).
    const generated: unknown = await generate(
      {
        schema: printSchema(schema),
        documents: ['examples/documents/*.graphql'],
        silent: true,
        generates: { 'gql/': { preset: clientPreset, presetConfig: { persistedDocuments: true } } },
      },
      false,
    );
    const files = filesOf(generated);
    const manifestFile = files.find((file) => file.filename.endsWith('persisted-documents.json'));
    const generatedCode = files.find((file) => file.filename.endsWith('graphql.ts'))?.content ?? '';
    if (manifestFile === undefined) throw new Error(`the client preset wrote no manifest: ${files.map((file) => file.filename).join(', ')}`);
    manifest = JSON.parse(manifestFile.content) as Record<string, string>;
    for (const match of generatedCode.matchAll(/export const (\w+)Document = .*?"__meta__":\{"hash":"([^"]+)"\}/g)) ids.set(match[1] ?? '', match[2] ?? '');
    dir = mkdtempSync(path.join(tmpdir(), 'capture-gateway-manifest-'));
    manifestPath = path.join(dir, 'persisted-documents.json');
    writeFileSync(manifestPath, manifestFile.content);
    harness = await startHarness({ env: { PERSISTED_DOCUMENTS: manifestPath, ALLOW_BATCHED_REQUESTS: 'true' } });
  }, 60_000);

  afterAll(async () => {
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: unknown) => {
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: { captureTasks?: { totalCount: number; nodes?: unknown[] } };
        errors?: { message: string; extensions?: { code?: string } }[];
      },
    };
  };
  const idOf = (operation: string) => {
    const id = ids.get(operation);
    if (id === undefined) throw new Error(`no generated ${operation}Document with a hash: ${[...ids.keys()].join(', ')}`);
    return id;
  };
  const variables = { fwInstanceId: SIMULATOR_FIREWALLS.demo, first: 3 };

  it('holds the example operations, keyed as the generated code sends them', () => {
    expect([...ids.keys()].sort()).toEqual(['FirstCaptureTasks', 'NextCaptureTasks']);
    expect(Object.keys(manifest).sort()).toEqual([...ids.values()].sort());
    for (const id of ids.values()) expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("runs an operation sent by documentId (GraphQL over HTTP, the client preset's id)", async () => {
    const result = await post({ documentId: idOf('FirstCaptureTasks'), variables });
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.captureTasks?.totalCount).toBe(57);
  });

  it('runs an operation sent APQ-style, with or without the sha256: prefix', async () => {
    const id = idOf('FirstCaptureTasks');
    for (const sha256Hash of [id, id.slice('sha256:'.length)]) {
      const result = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } }, variables });
      expect(result.body.data?.captureTasks?.totalCount).toBe(57);
    }
  });

  it('runs one sent with the same id in two places, prefixed and bare, in either case', async () => {
    const id = idOf('FirstCaptureTasks');
    const hex = id.slice('sha256:'.length);
    for (const body of [
      { documentId: id, extensions: { persistedQuery: { version: 1, sha256Hash: hex } }, variables },
      { documentId: `sha256:${hex.toUpperCase()}`, variables },
      { extensions: { persistedQuery: { version: 1, sha256Hash: hex.toUpperCase() } }, variables },
    ]) {
      const result = await post(body);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.captureTasks?.totalCount).toBe(57);
    }
  });

  it('runs one with a fragment, by GET', async () => {
    const first = await post({ documentId: idOf('FirstCaptureTasks'), variables });
    expect(first.body.data?.captureTasks?.totalCount).toBe(57);
    const cursor = await post({ documentId: idOf('FirstCaptureTasks'), variables: { ...variables, first: 2 } });
    const after = JSON.stringify(cursor.body.data?.captureTasks).match(/"endCursor":"([^"]+)"/)?.[1] ?? '';
    const search = new URLSearchParams({
      documentId: idOf('NextCaptureTasks'),
      variables: JSON.stringify({ fwInstanceId: SIMULATOR_FIREWALLS.demo, first: 2, after }),
    });
    const response = await fetch(`${harness.url}?${search.toString()}`, { headers: { 'x-auth-token': DEMO_TOKEN, 'apollo-require-preflight': 'true' } });
    const body = (await response.json()) as { data?: { captureTasks: { nodes: { name: string }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.captureTasks.nodes.map((node) => node.name)).toEqual(['capture-0002', 'capture-0003']);
  });

  it('refuses the same operation sent as text: PERSISTED_DOCUMENTS_REQUIRED', async () => {
    const text = manifest[idOf('FirstCaptureTasks')];
    const result = await post({ query: text, variables });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENTS_REQUIRED');
    expect(result.body.data).toBeUndefined();
  });

  it('lets no client register a new document through APQ', async () => {
    const query = '{ __schema { types { name } } }';
    const register = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(register.status).toBe(400);
    expect(register.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_NOT_FOUND');
    const again = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_NOT_FOUND');
  });

  it('runs a batch of trusted ids, and refuses a batch with one untrusted operation', async () => {
    const ok = await post([
      { documentId: idOf('FirstCaptureTasks'), variables },
      { doc_id: idOf('FirstCaptureTasks'), variables: { ...variables, first: 1 } },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([
      { data: { captureTasks: expect.objectContaining({ totalCount: 57 }) } },
      { data: { captureTasks: expect.objectContaining({ totalCount: 57 }) } },
    ]);
    const refused = await post([{ documentId: idOf('FirstCaptureTasks'), variables }, { query: '{ __typename }' }]);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENTS_REQUIRED');
  });

  it('still serves health and metrics', async () => {
    expect((await fetch(`${harness.origin}/healthz`)).status).toBe(200);
  });
});

describe('a gateway with a Relay manifest and PERSISTED_DOCUMENTS_ALLOW_TEXT', () => {
  it('runs doc_id as Relay sends it, and exact texts, and refuses other texts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'capture-gateway-manifest-'));
    const file = path.join(dir, 'persisted_queries.json');
    // relay-compiler's local persistence: md5 of the text → the text.
    writeFileSync(file, JSON.stringify({ [md5(FIRST)]: FIRST }));
    try {
      await withHarness({ env: { PERSISTED_DOCUMENTS: file, PERSISTED_DOCUMENTS_ALLOW_TEXT: 'true' } }, async (harness) => {
        const empty = await harness.gql('', undefined);
        expect(empty.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_DOCUMENTS_REQUIRED');
        const relay = await fetch(harness.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN },
          body: JSON.stringify({ doc_id: md5(FIRST), variables: { fw: SIMULATOR_FIREWALLS.demo } }),
        });
        expect(await relay.json()).toEqual({ data: { captureTasks: { totalCount: 57 } } });
        const text = await harness.gql(FIRST, { fw: SIMULATOR_FIREWALLS.demo });
        expect(text.body).toEqual({ data: { captureTasks: { totalCount: 57 } } });
        const other = await harness.gql('{ __typename }');
        expect(other.status).toBe(400);
        expect(other.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_DOCUMENT_NOT_FOUND');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refusals, seen by an operator', () => {
  it('counts each refusal by code in /metrics, and logs each distinct one once at info', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'capture-gateway-manifest-'));
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, JSON.stringify(SMALL));
    const { lines, sink } = memorySink();
    try {
      await withHarness({ env: { PERSISTED_DOCUMENTS: file }, logger: createLogger('info', sink) }, async (harness) => {
        const send = async (body: unknown) =>
          (
            await fetch(harness.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN },
              body: JSON.stringify(body),
            })
          ).status;
        expect(await send({ documentId: 'sha256:unknown-one' })).toBe(400);
        expect(await send({ documentId: 'sha256:unknown-one' })).toBe(400);
        expect(await send({ documentId: 'sha256:unknown-two' })).toBe(400);
        expect(await send({ query: TYPENAME })).toBe(400);
        const metrics = await (await fetch(`${harness.origin}/metrics`)).text();
        expect(metrics).toContain('trusted_document_refusals_total{code="PERSISTED_DOCUMENT_NOT_FOUND"} 3');
        expect(metrics).toContain('trusted_document_refusals_total{code="PERSISTED_DOCUMENTS_REQUIRED"} 1');
        const refusals = lines
          .map((line) => JSON.parse(line) as { level: number; msg: string; code?: string; reason?: string })
          .filter((line) => line.msg.startsWith('trusted documents: refused'));
        expect(refusals.map(({ level, code, reason }) => ({ level, code, id: /"([^"]+)"/.exec(reason ?? '')?.[1] }))).toEqual([
          { level: 30, code: 'PERSISTED_DOCUMENT_NOT_FOUND', id: 'sha256:unknown-one' },
          { level: 30, code: 'PERSISTED_DOCUMENT_NOT_FOUND', id: 'sha256:unknown-two' },
          { level: 30, code: 'PERSISTED_DOCUMENTS_REQUIRED', id: undefined },
        ]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
