// Trusted documents: with PERSISTED_DOCUMENTS set, the gateway runs only the operations of a
// manifest `{ "<id>": "<document>" }` — what GraphQL Code Generator's client preset
// (`persistedDocuments: true`) and relay-compiler's persisted queries write. The edge swaps a
// request's id for the manifest's text before Apollo sees it, so Apollo's APQ store is never
// consulted and cannot register new documents.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ConfigError } from '../config.ts';
import { ErrorCode } from '../errors.ts';

/** The GraphQL-over-HTTP persisted-document id prefix the client preset writes: `sha256:<hex of the text>`. */
const SHA256_PREFIX = 'sha256:';
/** Problems listed at start before "and N more". */
const MAX_PROBLEMS = 10;

export interface TrustedDocuments {
  /** Document text by id, as the manifest has it. */
  readonly byId: ReadonlyMap<string, string>;
  /** Every document text, for PERSISTED_DOCUMENTS_ALLOW_TEXT. */
  readonly texts: ReadonlySet<string>;
  /** Also run a request's `query` when it is exactly one of the texts. */
  readonly allowText: boolean;
}

/** Why a request was refused before execution; served as a GraphQL error with this HTTP status. */
export interface Refusal {
  readonly status: 400;
  readonly code: typeof ErrorCode.PERSISTED_DOCUMENT_NOT_FOUND | typeof ErrorCode.PERSISTED_DOCUMENTS_REQUIRED | typeof ErrorCode.BAD_REQUEST;
  readonly message: string;
}

export type Resolution<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

function shown(id: string): string {
  return JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed manifest (shape, GraphQL, the schema, sha256 ids) and indexes it; throws a ConfigError listing every problem. */
export function trustedDocumentsFrom(manifest: unknown, schema: GraphQLSchema, allowText: boolean, source: string): TrustedDocuments {
  const where = `PERSISTED_DOCUMENTS (${source})`;
  if (!isRecord(manifest)) {
    const got = Array.isArray(manifest) ? 'an array' : manifest === null ? 'null' : `a ${typeof manifest}`;
    throw new ConfigError([`${where} must hold a JSON object mapping document ids to GraphQL documents ({"<id>": "query …"}), got ${got}`]);
  }
  const problems: string[] = [];
  const byId = new Map<string, string>();
  for (const [id, text] of Object.entries(manifest)) {
    const entry = `${where}: entry ${shown(id)}`;
    if (id.trim() === '') {
      problems.push(`${where}: an entry has an empty id`);
      continue;
    }
    if (typeof text !== 'string' || text.trim() === '') {
      problems.push(
        `${entry} must be a GraphQL document (a non-empty string), got ${typeof text === 'string' ? 'an empty string' : text === null ? 'null' : typeof text}`,
      );
      continue;
    }
    if (id.startsWith(SHA256_PREFIX) && createHash('sha256').update(text).digest('hex') !== id.slice(SHA256_PREFIX.length).toLowerCase()) {
      problems.push(`${entry} is not the SHA-256 of its document (the manifest was edited or is damaged; regenerate it)`);
      continue;
    }
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      problems.push(`${entry} does not parse: ${error instanceof GraphQLError ? error.message : String(error)}`);
      continue;
    }
    if (!document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)) {
      problems.push(`${entry} holds no operation`);
      continue;
    }
    const errors = validate(schema, document);
    if (errors.length > 0) {
      problems.push(`${entry} does not validate against the schema: ${errors.map((error) => error.message).join('; ')}`);
      continue;
    }
    byId.set(normalisedId(id), text);
  }
  if (problems.length === 0 && byId.size === 0) problems.push(`${where} holds no documents`);
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) listed.push(`${where}: and ${problems.length - MAX_PROBLEMS} more problems`);
    throw new ConfigError(listed);
  }
  return { byId, texts: new Set(byId.values()), allowText };
}

/** Reads and checks the manifest at start. */
export async function loadTrustedDocuments(path: string, schema: GraphQLSchema, allowText: boolean): Promise<TrustedDocuments> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unreadable';
    throw new ConfigError([`PERSISTED_DOCUMENTS must name a readable manifest file, got ${JSON.stringify(path)} (${code})`]);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`PERSISTED_DOCUMENTS (${path}) is not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return trustedDocumentsFrom(manifest, schema, allowText, path);
}

/** An id as the index keys it: a SHA-256 (`sha256:<hex>`, or bare 64 hex digits) in lower case; any other id as it is. */
function normalisedId(id: string): string {
  if (id.startsWith(SHA256_PREFIX)) return `${SHA256_PREFIX}${id.slice(SHA256_PREFIX.length).toLowerCase()}`;
  return /^[0-9a-f]{64}$/i.test(id) ? id.toLowerCase() : id;
}

/** The document an id names: as the manifest spells it (hashes in any case), or with/without the `sha256:` prefix (APQ-style clients send the bare hash). */
function documentFor(id: string, documents: TrustedDocuments): string | undefined {
  const key = normalisedId(id);
  return documents.byId.get(key) ?? documents.byId.get(key.startsWith(SHA256_PREFIX) ? key.slice(SHA256_PREFIX.length) : `${SHA256_PREFIX}${key}`);
}

const refuse = (code: Refusal['code'], message: string): { ok: false; refusal: Refusal } => ({ ok: false, refusal: { status: 400, code, message } });

/**
 * One operation as sent (a POST body object, or a GET's parameters with `extensions` parsed), with
 * the manifest's text as its `query` and the id fields removed; or why it may not run.
 * Ids: `documentId` (GraphQL over HTTP), `doc_id` (Relay), `extensions.persistedQuery.sha256Hash` (APQ-style).
 */
export function trustedOperation(operation: Readonly<Record<string, unknown>>, documents: TrustedDocuments): Resolution<Record<string, unknown>> {
  const { documentId, doc_id: docId, query, extensions, ...rest } = operation;
  const persistedQuery = isRecord(extensions) ? extensions['persistedQuery'] : undefined;
  const hash = isRecord(persistedQuery) ? persistedQuery['sha256Hash'] : undefined;
  const ids: [string, unknown][] = [
    ['documentId', documentId],
    ['doc_id', docId],
    ['extensions.persistedQuery.sha256Hash', hash],
  ];
  const given: [string, string][] = [];
  for (const [name, value] of ids) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value === '') return refuse(ErrorCode.BAD_REQUEST, `\`${name}\` must be a non-empty string.`);
    given.push([name, value]);
  }
  // Two ids may spell one document differently (`sha256:<hex>` and the bare hex): compare what they name.
  const texts = new Set<string>();
  for (const [name, id] of given) {
    const text = documentFor(id, documents);
    if (text === undefined)
      return refuse(
        ErrorCode.PERSISTED_DOCUMENT_NOT_FOUND,
        `No trusted document has the id ${shown(id)} (from \`${name}\`); this gateway runs only the documents of its manifest.`,
      );
    texts.add(text);
  }
  if (texts.size > 1) return refuse(ErrorCode.BAD_REQUEST, `${given.map(([name]) => `\`${name}\``).join(' and ')} name different documents; send one id.`);
  const [first] = given;
  const [text] = texts;
  if (first !== undefined && text !== undefined) {
    const [, id] = first;
    if (query !== undefined && query !== null && query !== text)
      return refuse(ErrorCode.BAD_REQUEST, `\`query\` is not the text of the trusted document ${shown(id)}; send the id alone.`);
    const otherExtensions = isRecord(extensions) ? Object.fromEntries(Object.entries(extensions).filter(([key]) => key !== 'persistedQuery')) : extensions;
    return {
      ok: true,
      value: {
        ...rest,
        query: text,
        ...(otherExtensions === undefined || (isRecord(otherExtensions) && Object.keys(otherExtensions).length === 0) ? {} : { extensions: otherExtensions }),
      },
    };
  }
  if (typeof query === 'string' && query !== '' && documents.allowText) {
    // Without the id fields a client may have sent as null.
    if (documents.texts.has(query)) return { ok: true, value: { ...rest, query, ...(extensions === undefined ? {} : { extensions }) } };
    return refuse(
      ErrorCode.PERSISTED_DOCUMENT_NOT_FOUND,
      'The query is not, character for character, one of the trusted documents; this gateway runs only the documents of its manifest.',
    );
  }
  return refuse(
    ErrorCode.PERSISTED_DOCUMENTS_REQUIRED,
    "This gateway runs only trusted documents: send the document's id as `documentId`, `doc_id` or `extensions.persistedQuery.sha256Hash`, not its text.",
  );
}

/** A POST body (one operation, or a batch: all must be trusted) rewritten to the trusted texts. Other bodies pass, for Apollo to refuse. */
export function trustedBody(body: unknown, documents: TrustedDocuments): Resolution<unknown> {
  if (Array.isArray(body)) {
    const resolved: unknown[] = [];
    for (const operation of body) {
      if (!isRecord(operation)) {
        resolved.push(operation);
        continue;
      }
      const one = trustedOperation(operation, documents);
      if (!one.ok) return one;
      resolved.push(one.value);
    }
    return { ok: true, value: resolved };
  }
  return isRecord(body) ? trustedOperation(body, documents) : { ok: true, value: body };
}

/** A GET's query string rewritten to the trusted text (`?query=…`, without the id parameters). */
export function trustedSearch(search: string, documents: TrustedDocuments): Resolution<string> {
  const params = new URLSearchParams(search);
  const operation: Record<string, unknown> = {};
  for (const name of ['query', 'documentId', 'doc_id']) {
    const value = params.get(name);
    if (value !== null) operation[name] = value;
  }
  const extensions = params.get('extensions');
  if (extensions !== null) {
    try {
      operation['extensions'] = JSON.parse(extensions);
    } catch {
      return refuse(ErrorCode.BAD_REQUEST, 'The `extensions` parameter is not JSON.');
    }
  }
  const resolved = trustedOperation(operation, documents);
  if (!resolved.ok) return resolved;
  params.delete('documentId');
  params.delete('doc_id');
  params.delete('extensions');
  const { query, extensions: kept } = resolved.value;
  if (typeof query === 'string') params.set('query', query);
  if (kept !== undefined) params.set('extensions', JSON.stringify(kept));
  const rewritten = params.toString();
  return { ok: true, value: rewritten === '' ? '' : `?${rewritten}` };
}
