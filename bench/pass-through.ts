// The limit a Node BFF can reach: node:http in, keep-alive out, no GraphQL library. It does not
// parse GraphQL: it reads the JSON body, picks a hand-written answer by `operationName`, makes the
// same upstream calls as the gateway, and maps each record by hand into the same JSON the gateway
// returns, cursors included (the gateway's own pure paging and value functions). The mix's
// documents (fixtures.ts) read their page arguments with the gateway's pageRequestFromArgs.
// PASS_THROUGH_CLIENT picks the upstream client: `undici` (the default: the fastest Node client,
// the honest limit), `got` (the gateway's client class, to show what got itself costs) or `http`
// (a node:http keep-alive Agent, what this pass-through used before).
//   UPSTREAM_URL=http://127.0.0.1:9100 PORT=0 node bench/pass-through.ts   → prints {"url": …}
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import got from 'got';
import { Pool } from 'undici';
import { cursorAt, pageInfoOf } from '../src/paging/connection.ts';
import { fingerprintOf, connectionKeyOf } from '../src/paging/cursor.ts';
import { pageRequestFromArgs, type ConnectionArgs, type PageRequest } from '../src/paging/page-request.ts';
import { readOnePage, type Page } from '../src/paging/walk.ts';
import { hasId, scanTasks } from '../src/lifecycle/tasks.ts';
import {
  captureProtocolFromCode,
  captureSizeBytesFrom,
  captureSizeFrom,
  captureTaskStatusFromCode,
  dateTimeIsoFromCfw,
  ipVersionFromCode,
  isDeletedFrom,
  optionalInt,
  optionalNonEmptyString,
  optionalString,
} from '../src/resolvers/values.ts';
import { captureTaskListFromBody, taskIdOf, type CaptureTaskListAnswer, type CaptureTaskRecord } from '../src/upstream/wire.ts';
import { BENCH_PROJECT_ID, isMixDocument, isOperationName, OPERATIONS } from './fixtures.ts';

const upstreamUrl = new URL(process.env['UPSTREAM_URL'] ?? 'http://127.0.0.1:9100');
const port = Number(process.env['PORT'] ?? '0');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' });
const CLIENTS = ['undici', 'got', 'http'] as const;
type Client = (typeof CLIENTS)[number];
const isClient = (value: string | undefined): value is Client => CLIENTS.some((client) => client === value);
const clientName = process.env['PASS_THROUGH_CLIENT'] ?? 'undici';
if (!isClient(clientName)) throw new Error(`PASS_THROUGH_CLIENT must be one of ${CLIENTS.join(', ')}, got ${clientName}`);
const client: Client = clientName;
const pool = new Pool(upstreamUrl.origin, { connections: 64, pipelining: 1 });
const gotClient = got.extend({ prefixUrl: upstreamUrl.origin, agent: { http: agent }, retry: { limit: 0 }, responseType: 'text', throwHttpErrors: false });
const JSON_TYPE = 'application/json; charset=utf-8';
const DRIFT_WINDOW = 200;
const ignoreUnknownCode = () => undefined;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const UPSTREAM_HEADERS = { 'user-agent': 'capture-gateway', accept: 'application/json' };

function answerFrom(status: number, text: string): CaptureTaskListAnswer {
  if (status !== 200) throw new HttpError(502, `upstream answered ${status}`);
  return captureTaskListFromBody(JSON.parse(text));
}

/** GET /v1/{project}/capture-task, the same call (path, query order, token) the gateway makes. */
async function listCaptureTasks(fwInstanceId: string, offset: number, limit: number, token: string): Promise<CaptureTaskListAnswer> {
  const path = `/v1/${BENCH_PROJECT_ID}/capture-task?fw_instance_id=${encodeURIComponent(fwInstanceId)}&limit=${limit}&offset=${offset}`;
  const headers = { ...UPSTREAM_HEADERS, 'x-auth-token': token };
  if (client === 'undici') {
    const response = await pool.request({ method: 'GET', path, headers });
    return answerFrom(response.statusCode, await response.body.text());
  }
  if (client === 'got') {
    const response = await gotClient.get(path.slice(1), { headers });
    return answerFrom(response.statusCode, response.body);
  }
  return new Promise((resolve, reject) => {
    const request = http.get({ agent, host: upstreamUrl.hostname, port: upstreamUrl.port, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        try {
          resolve(answerFrom(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    request.on('error', reject);
  });
}

const fingerprintOfRecord = (record: CaptureTaskRecord) => fingerprintOf(taskIdOf(record));

function endpointJson(record: CaptureTaskRecord, side: 'source' | 'dest') {
  const source = side === 'source';
  return {
    address: optionalNonEmptyString(`${side}_address`, source ? record.source_address : record.dest_address),
    ipVersion: ipVersionFromCode(`${side}_address_type`, source ? record.source_address_type : record.dest_address_type),
    port: optionalNonEmptyString(`${side}_port`, source ? record.source_port : record.dest_port),
  };
}

/** One task, fields in the query's order, values as the gateway's resolvers and scalars give them. */
function taskJson(record: CaptureTaskRecord) {
  return {
    id: taskIdOf(record),
    name: optionalString('name', record.name),
    status: captureTaskStatusFromCode(record.status, ignoreUnknownCode),
    protocol: captureProtocolFromCode(record.protocol, ignoreUnknownCode),
    source: endpointJson(record, 'source'),
    destination: endpointJson(record, 'dest'),
    captureSize: captureSizeFrom(record.capture_size),
    captureSizeBytes: captureSizeBytesFrom(record.capture_size),
    durationMinutes: optionalInt('duration', record.duration),
    maxPackets: optionalInt('max_packets', record.max_packets),
    createdAt: dateTimeIsoFromCfw('created_date', record.created_date, 'UTC'),
    modifiedAt: dateTimeIsoFromCfw('modified_date', record.modified_date, 'UTC'),
    isDeleted: isDeletedFrom(record.is_deleted),
    remainingDays: optionalInt('remaining_days', record.remaining_days),
  };
}

/** A page of a firewall's tasks (`request`: the connection arguments as the gateway reads them). */
function pageOf(fwInstanceId: string, request: PageRequest, token: string): Promise<Page<CaptureTaskRecord>> {
  return readOnePage(
    request,
    async (offset, limit) => {
      const answer = await listCaptureTasks(fwInstanceId, offset, limit, token);
      return { total: answer.total, items: answer.records };
    },
    { fingerprint: fingerprintOfRecord, driftWindow: DRIFT_WINDOW },
  );
}

/** A page of tasks as the gateway's connection JSON, every field. */
async function connectionJson(fwInstanceId: string, request: PageRequest, token: string) {
  const connectionKey = connectionKeyOf(fwInstanceId, undefined);
  const page = await pageOf(fwInstanceId, request, token);
  const edges = [];
  for (let index = page.from; index < page.to; index++) {
    edges.push({ cursor: cursorAt(page, index, connectionKey, fingerprintOfRecord), node: taskJson(page.items[index] as CaptureTaskRecord) });
  }
  return { totalCount: page.total, pageInfo: pageInfoOf(page, connectionKey, fingerprintOfRecord), edges };
}

/** A page of tasks as the gateway's JSON for the mix's small document (fixtures.ts MIX_SMALL_FIELDS). */
async function smallConnectionJson(fwInstanceId: string, request: PageRequest, token: string) {
  const connectionKey = connectionKeyOf(fwInstanceId, undefined);
  const page = await pageOf(fwInstanceId, request, token);
  const { hasNextPage, hasPreviousPage, endCursor } = pageInfoOf(page, connectionKey, fingerprintOfRecord);
  const edges = [];
  for (let index = page.from; index < page.to; index++) {
    const record = page.items[index] as CaptureTaskRecord;
    edges.push({
      node: { id: taskIdOf(record), name: optionalString('name', record.name), status: captureTaskStatusFromCode(record.status, ignoreUnknownCode) },
    });
  }
  return { pageInfo: { hasNextPage, hasPreviousPage, endCursor }, edges };
}

const firstPage = (count: number): PageRequest => ({ direction: 'forward', count, after: undefined });

interface RequestBody {
  readonly operationName?: unknown;
  readonly variables?: {
    readonly fw?: unknown;
    readonly reps?: unknown;
    readonly id?: unknown;
    readonly first?: unknown;
    readonly after?: unknown;
    readonly last?: unknown;
    readonly before?: unknown;
  };
}

/** The connection arguments of a mix request, as GraphQL would coerce its variables. */
function connectionArgsOf(variables: RequestBody['variables']): ConnectionArgs {
  const int = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { first: int(variables?.first), after: text(variables?.after), last: int(variables?.last), before: text(variables?.before) };
}

/** The mix's documents (fixtures.ts MIX_DOCUMENTS). */
async function mixAnswer(document: 'MixAll' | 'MixSmall' | 'MixTask', variables: RequestBody['variables'], token: string): Promise<unknown> {
  const fw = variables?.fw;
  if (typeof fw !== 'string') throw new HttpError(400, 'variables.fw must be a string');
  if (document === 'MixTask') {
    const id = variables?.id;
    if (typeof id !== 'string') throw new HttpError(400, 'variables.id must be a string');
    const { match } = await scanTasks((offset, limit) => listCaptureTasks(fw, offset, limit, token), hasId(id));
    return { data: { captureTask: match === undefined ? null : taskJson(match) } };
  }
  const request = pageRequestFromArgs(connectionArgsOf(variables), connectionKeyOf(fw, undefined));
  return { data: { captureTasks: document === 'MixAll' ? await connectionJson(fw, request, token) : await smallConnectionJson(fw, request, token) } };
}

async function answer(body: RequestBody, token: string): Promise<unknown> {
  const operation = body.operationName;
  if (isMixDocument(operation)) return mixAnswer(operation, body.variables, token);
  if (!isOperationName(operation)) throw new HttpError(400, 'unknown operationName');
  if (operation === 'Entities') {
    const reps = body.variables?.reps;
    if (!Array.isArray(reps)) throw new HttpError(400, 'variables.reps must be an array');
    const entities = await Promise.all(
      reps.map(async (rep: unknown) => {
        const id = typeof rep === 'object' && rep !== null && 'id' in rep && typeof rep.id === 'string' ? rep.id : undefined;
        if (id === undefined) throw new HttpError(400, 'a representation has no id');
        return { id, captureTasks: await connectionJson(id, firstPage(OPERATIONS.Entities.first), token) };
      }),
    );
    return { data: { _entities: entities } };
  }
  const fw = body.variables?.fw;
  if (typeof fw !== 'string') throw new HttpError(400, 'variables.fw must be a string');
  return { data: { captureTasks: await connectionJson(fw, firstPage(OPERATIONS[operation].first), token) } };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const server = http.createServer((request, response) => {
  const fail = (status: number, message: string) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(status, { 'content-type': JSON_TYPE });
    response.end(JSON.stringify({ errors: [{ message }] }));
  };
  const handle = async () => {
    if (request.method !== 'POST' || request.url !== '/graphql') throw new HttpError(404, 'POST /graphql only');
    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string') throw new HttpError(401, 'X-Auth-Token is required');
    const body = JSON.parse(await readBody(request)) as RequestBody;
    // Apollo ends its JSON with a newline; so do we, for byte-identical answers.
    const json = `${JSON.stringify(await answer(body, token))}\n`;
    response.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
    response.end(json);
  };
  handle().catch((error: unknown) => {
    fail(error instanceof HttpError ? error.status : 500, error instanceof Error ? error.message : 'failed');
  });
});
server.keepAliveTimeout = 30_000;

server.listen(port, '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/graphql` })}\n`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
