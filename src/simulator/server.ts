// A faithful stand-in for CFW's capture-task API (test/fixtures/upstream/README.md): the list, and the
// lifecycle calls (create, stop, batch-delete, capture-result) on the simulator's clock; query and
// body validation with CFW-style 400 bodies, APIG-style 401 bodies, X-Request-Id on every answer, and
// seeded data (store.ts). Tests and the CLI steer it with faults (faults.ts), drift and the clock.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { boundedCache } from '../bounded-cache.ts';
import { ApigErrorCode, CfwErrorCode, UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import type { CaptureTaskRecord } from '../upstream/wire.ts';
import { applyFault, isFault, phaseOfFault, statusOfFault, takeFault, type Fault, type FaultKind } from './faults.ts';
import { scaledClock } from './lifecycle.ts';
import { captureResultQueryOf, captureTaskSpecFromBody, CfwRefusal, jsonOfBody, taskIdFromStopBody, taskIdsFromDeleteBody } from './requests.ts';
import { SIMULATOR_PROJECT_ID, SimulatorStore, type CaptureFile, type SimulatedFirewall } from './store.ts';
import { verifySignature } from './verify.ts';

/** The token a newcomer's gateway uses in simulator mode; it may read every firewall. */
export const DEMO_TOKEN = 'demo-token';

/** What a token may read. */
export interface TokenGrant {
  /** Firewall ids it may read; undefined means all. */
  readonly firewalls?: readonly string[];
}

/** How capture-result answers: a URL with an access code, or a list of files. */
export type CaptureResultForm = 'url' | 'file-list';

export interface SimulatorOptions {
  /** The data; default the seeded store. Give the clock and retention to the store when you give one. */
  readonly store?: SimulatorStore;
  readonly projectId?: string;
  /** Accepted IAM tokens; default: DEMO_TOKEN for everything. */
  readonly tokens?: ReadonlyMap<string, TokenGrant>;
  /** Answer in the shape used before late 2024: `data` as a one-element array. */
  readonly legacyShape?: boolean;
  /** Added to every answer. */
  readonly latencyMs?: number;
  readonly faults?: readonly Fault[];
  /** AK → SK pairs accepted for APIG AK/SK signatures; a signed call may read every firewall. */
  readonly accessKeys?: ReadonlyMap<string, string>;
  /** The lifecycle's clock, ms since the epoch (tests inject one); default the wall clock. */
  readonly now?: () => number;
  /** Simulated time runs this many times faster than the wall clock (for humans); default 1. */
  readonly timeScale?: number;
  /** How long deleted tasks stay listed with `is_deleted: 1`, simulated ms; default 60,000. */
  readonly deletedRetentionMs?: number;
  /** capture-result's answer form; default `url`. The `file-list` fault switches one answer. */
  readonly resultForm?: CaptureResultForm;
}

/** One list call as the simulator saw it. */
export interface RecordedCall {
  readonly fwInstanceId: string | null;
  readonly offset: string | null;
  readonly limit: string | null;
  readonly token: string | undefined;
  readonly status: number;
  /** The W3C trace context the caller sent, if any. */
  readonly traceparent: string | undefined;
}

/** The API's calls, by name. */
export type SimulatorEndpoint = 'list' | 'create' | 'stop' | 'batch-delete' | 'capture-result';

/** Method and path (after `/v1/{project_id}`) of each call. */
export const SIMULATOR_ROUTES: Readonly<Record<SimulatorEndpoint, { readonly method: string; readonly path: string }>> = {
  list: { method: 'GET', path: '/capture-task' },
  create: { method: 'POST', path: '/capture-task' },
  stop: { method: 'POST', path: '/capture-task/stop' },
  'batch-delete': { method: 'POST', path: '/capture-task/batch-delete' },
  'capture-result': { method: 'GET', path: '/capture-task/capture-result' },
};
const ENDPOINTS: readonly SimulatorEndpoint[] = ['list', 'create', 'stop', 'batch-delete', 'capture-result'];
const ENDPOINT_BY_ROUTE = new Map(ENDPOINTS.map((endpoint) => [`${SIMULATOR_ROUTES[endpoint].method} ${SIMULATOR_ROUTES[endpoint].path}`, endpoint]));

/** One API request (any call, answered or not) as the simulator saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path after `/v1/{project_id}`, e.g. `/capture-task/stop`. */
  readonly path: string;
  readonly endpoint: SimulatorEndpoint | undefined;
  readonly fwInstanceId: string | null;
  /** The status answered; 0 when no answer was sent (reset, hang). */
  readonly status: number;
  /** The fault this request took, if any. */
  readonly fault: FaultKind | undefined;
  /** Whether it changed the data: a task created, stopped, or deleted. */
  readonly applied: boolean;
}

/** Seconds a capture-result URL stays valid, as its `expires` says (the unit is the simulator's assumption). */
export const CAPTURE_RESULT_EXPIRES_SECONDS = 300;
/** The largest request body the simulator reads. */
const MAX_BODY_BYTES = 64 * 1024;

function requestId(): string {
  return randomBytes(16).toString('hex');
}

function errorBody(errorCode: string, errorMsg: string, id?: string): string {
  return JSON.stringify(id === undefined ? { error_code: errorCode, error_msg: errorMsg } : { error_code: errorCode, error_msg: errorMsg, request_id: id });
}

const INTEGER = /^(0|[1-9]\d{0,9})$/;
const SAFE_HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;

/** An answer before it is sent: status, body, and what it did. */
interface Outcome {
  readonly status: number;
  readonly body: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  readonly applied?: boolean;
  /** A list answer: drift runs after it. */
  readonly listed?: string;
}

type Rejection = readonly [status: number, code: string, message: string];

/** A download link handed out by capture-result. */
interface Download {
  readonly file: CaptureFile;
  readonly fileName: string;
  readonly expiresAt: number;
}

/** A small but real pcap file: the global header and up to 16 empty Ethernet frames. */
function pcapOf(file: CaptureFile, startSeconds: number): Uint8Array {
  const frames = Math.min(16, file.packets);
  const frameBytes = 60;
  const buffer = Buffer.alloc(24 + frames * (16 + frameBytes));
  buffer.writeUInt32LE(0xa1b2c3d4, 0);
  buffer.writeUInt16LE(2, 4);
  buffer.writeUInt16LE(4, 6);
  buffer.writeUInt32LE(65535, 16);
  buffer.writeUInt32LE(1, 20);
  for (let i = 0; i < frames; i++) {
    const at = 24 + i * (16 + frameBytes);
    buffer.writeUInt32LE((startSeconds + i) >>> 0, at);
    buffer.writeUInt32LE(frameBytes, at + 8);
    buffer.writeUInt32LE(frameBytes, at + 12);
    buffer.writeUInt16BE(0x0800, at + 16 + 12);
  }
  return buffer;
}

export class Simulator {
  readonly store: SimulatorStore;
  readonly projectId: string;
  readonly tokens: ReadonlyMap<string, TokenGrant>;
  readonly accessKeys: ReadonlyMap<string, string>;
  legacyShape: boolean;
  latencyMs: number;
  /** capture-result's answer form; the `file-list` fault switches one answer. */
  resultForm: CaptureResultForm;
  /** Faults still to happen, first first; see faults.ts. */
  faults: Fault[];
  /** The last list calls, newest last (bounded). */
  readonly calls: RecordedCall[] = [];
  /** All list calls since start or the last reset. */
  callCount = 0;
  /** The last API requests of every call, newest last (bounded). */
  readonly requests: RecordedRequest[] = [];
  /** Requests whose client went away before the answer was complete. */
  abandonedCount = 0;
  /** API requests being answered now: arrived, neither answered nor abandoned. */
  inFlight = 0;
  /** The most API requests in flight at once since start or the last resetCalls. */
  peakInFlight = 0;
  /** While set, API requests wait for it before they are answered (hold). */
  #held: { readonly promise: Promise<undefined>; readonly release: () => void } | undefined;
  readonly #callCounts = new Map<string, number>();
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  /** Serialised pages, reused while the firewall's list is unchanged. */
  readonly #pageCache = boundedCache<string, string>(5_000);
  /** Download links handed out by capture-result, newest kept. */
  readonly #downloads = boundedCache<string, Download>(1_000);
  #address: { readonly port: number; readonly host: string } | undefined;
  #refusing = false;

  constructor(options: SimulatorOptions = {}) {
    const clockGiven = options.now !== undefined || options.timeScale !== undefined || options.deletedRetentionMs !== undefined;
    if (options.store !== undefined && clockGiven) throw new TypeError('give now, timeScale and deletedRetentionMs to the SimulatorStore when you pass one');
    if (options.now !== undefined && options.timeScale !== undefined) throw new TypeError('timeScale speeds up the wall clock; an injected clock (now) keeps its own time');
    this.store =
      options.store ??
      new SimulatorStore({
        now: options.now ?? (options.timeScale === undefined ? Date.now : scaledClock(options.timeScale)),
        ...(options.deletedRetentionMs === undefined ? {} : { deletedRetentionMs: options.deletedRetentionMs }),
      });
    this.projectId = options.projectId ?? SIMULATOR_PROJECT_ID;
    this.tokens = options.tokens ?? new Map([[DEMO_TOKEN, {}]]);
    this.accessKeys = options.accessKeys ?? new Map();
    this.legacyShape = options.legacyShape ?? false;
    this.latencyMs = options.latencyMs ?? 0;
    this.resultForm = options.resultForm ?? 'url';
    this.faults = [...(options.faults ?? [])];
    this.#server = http.createServer((request, response) => {
      const api = request.url?.startsWith('/_simulator/') !== true;
      if (api) {
        this.inFlight++;
        this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      }
      response.once('close', () => {
        if (api) this.inFlight--;
        if (!response.writableFinished) this.abandonedCount++;
      });
      this.#handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    this.#server.keepAliveTimeout = 30_000;
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts listening; resolves with the base URL (e.g. http://127.0.0.1:40123). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#address = { port: address.port, host };
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shown}:${address.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  /**
   * Stops listening, so new connections are refused (ECONNREFUSED) until acceptConnections(); idle
   * kept-alive connections are closed, so a client must connect afresh. Answers in progress finish.
   */
  refuseConnections(): void {
    if (this.#address === undefined) throw new Error('the simulator is not listening');
    if (this.#refusing) return;
    this.#refusing = true;
    this.#server.close();
    this.#server.closeIdleConnections();
  }

  /** Listens again on the same address and port, after refuseConnections(). */
  async acceptConnections(): Promise<void> {
    const address = this.#address;
    if (!this.#refusing || address === undefined) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(address.port, address.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#refusing = false;
  }

  /** Forgets recorded calls and counts. */
  resetCalls(): void {
    this.calls.length = 0;
    this.callCount = 0;
    this.requests.length = 0;
    this.#callCounts.clear();
    this.peakInFlight = this.inFlight;
  }

  /**
   * Holds every API request from now on before it is answered, until the returned function is
   * called: tests make calls overlap by holding them (and counting inFlight), never by sleeping.
   */
  hold(): () => void {
    if (this.#held === undefined) {
      const { promise, resolve } = Promise.withResolvers<undefined>();
      this.#held = {
        promise,
        release: () => {
          this.#held = undefined;
          resolve(undefined);
        },
      };
    }
    return this.#held.release;
  }

  /**
   * Requests for one method and path (after `/v1/{project_id}`) since start or resetCalls(), faulted
   * ones included: `callCountOf('POST', '/capture-task')` counts creates.
   */
  callCountOf(method: string, path: string): number {
    return this.#callCounts.get(`${method.toUpperCase()} ${path}`) ?? 0;
  }

  /** Every count callCountOf() knows, keyed `METHOD /path`. */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.#callCounts);
  }

  #record(call: RecordedCall): void {
    this.callCount++;
    this.calls.push(call);
    if (this.calls.length > 10_000) this.calls.splice(0, this.calls.length - 10_000);
  }

  #recordRequest(request: RecordedRequest): void {
    this.requests.push(request);
    if (this.requests.length > 10_000) this.requests.splice(0, this.requests.length - 10_000);
  }

  #count(method: string, path: string): void {
    // Known calls are counted by path; anything else under one key, so junk paths cannot grow the map.
    const key = ENDPOINT_BY_ROUTE.has(`${method} ${path}`) ? `${method} ${path}` : 'other';
    this.#callCounts.set(key, (this.#callCounts.get(key) ?? 0) + 1);
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const id = requestId();
    const send = (status: number, body: string | Uint8Array, headers: Readonly<Record<string, string>> = {}) => {
      response.writeHead(status, {
        'content-type': 'application/json;charset=UTF-8',
        'x-request-id': id,
        'content-length': String(Buffer.byteLength(body)),
        ...(this.#refusing ? { connection: 'close' } : {}),
        ...headers,
      });
      response.end(body);
    };
    const url = new URL(request.url ?? '/', 'http://simulator');
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith('/_simulator/download/') && method === 'GET') {
      const outcome = this.#download(url);
      send(outcome.status, outcome.body, outcome.headers);
      return;
    }
    if (url.pathname.startsWith('/_simulator/')) {
      const [status, body] = await this.#control(request, url);
      send(status, JSON.stringify(body));
      return;
    }
    const api = /^\/v1\/([^/]+)(\/.*)$/.exec(url.pathname);
    const path = api === null ? url.pathname : (api[2] ?? '').replace(/(.)\/$/, '$1');
    const endpoint = api === null ? undefined : ENDPOINT_BY_ROUTE.get(`${method} ${path}`);
    const query = url.searchParams;
    const tokenHeader = request.headers['x-auth-token'];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    const record = (status: number, fault?: Fault, applied = false) => {
      if (endpoint === 'list') {
        const traceparent = request.headers.traceparent;
        this.#record({ fwInstanceId: query.get('fw_instance_id'), offset: query.get('offset'), limit: query.get('limit'), token, status, traceparent: typeof traceparent === 'string' ? traceparent : undefined });
      }
      this.#recordRequest({ method, path, endpoint, fwInstanceId: query.get('fw_instance_id'), status, fault: fault?.kind, applied });
    };
    this.#count(method, path);
    if (endpoint === undefined || api === null) {
      send(404, errorBody(ApigErrorCode.NO_SUCH_API, 'The API does not exist or has not been published in the environment', id));
      record(404);
      return;
    }

    if (this.#held !== undefined) await this.#held.promise;
    const takenFault = takeFault(this.faults, { method, path });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const phase = takenFault === undefined ? undefined : phaseOfFault(takenFault);
    if (takenFault !== undefined && (phase === 'instead' || phase === 'delay')) {
      await applyFault(takenFault, request, response, id);
      if (phase === 'instead') {
        record(statusOfFault(takenFault), takenFault);
        return;
      }
    }

    const body = await this.#bodyOf(request);
    this.store.tick();
    const outcome = this.#serve(endpoint, { requestId: id, projectId: api[1] ?? '', request, url, token, body, fault: takenFault?.kind });
    if (takenFault !== undefined && phase === 'after-apply') {
      await applyFault(takenFault, request, response, id);
      record(statusOfFault(takenFault), takenFault, outcome.applied);
      return;
    }
    send(outcome.status, outcome.body, outcome.headers);
    record(outcome.status, takenFault, outcome.applied);
    if (outcome.listed !== undefined) this.store.afterList(outcome.listed);
  }

  /** The request body's exact bytes (the signature covers them), or a refusal when it is too large. */
  async #bodyOf(request: http.IncomingMessage): Promise<Buffer | CfwRefusal> {
    // Most calls are list GETs without a body: skip the stream (the list is the hot path).
    if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += bytes.length;
      if (size > MAX_BODY_BYTES) return new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, `Invalid parameter: the request body is larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(bytes);
    }
    return Buffer.concat(chunks);
  }

  #serve(endpoint: SimulatorEndpoint, call: ApiCall): Outcome {
    const rejection = this.#authenticate(call);
    if (rejection !== undefined) return rejected(rejection, call.requestId);
    if (endpoint === 'list') return this.#list(call);
    const fwInstanceId = call.url.searchParams.get('fw_instance_id') ?? '';
    if (fwInstanceId === '') return refused(new CfwRefusal(CfwErrorCode.EMPTY_PARAMETER, 'Empty parameter: fw_instance_id'));
    const firewall = this.#firewallFor(call, fwInstanceId);
    if (!('id' in firewall)) return rejected(firewall, call.requestId);
    if (call.body instanceof CfwRefusal) return refused(call.body);
    const json = jsonOfBody(call.body.toString('utf8'));
    switch (endpoint) {
      case 'create': {
        const spec = captureTaskSpecFromBody(json);
        const created = spec instanceof CfwRefusal ? spec : this.store.createTask(firewall.id, spec);
        return created instanceof CfwRefusal ? refused(created) : firewallAnswer(firewall);
      }
      case 'stop': {
        const taskId = taskIdFromStopBody(json);
        const stopped = taskId instanceof CfwRefusal ? taskId : this.store.stopTask(firewall.id, taskId);
        return stopped instanceof CfwRefusal ? refused(stopped) : firewallAnswer(firewall);
      }
      case 'batch-delete': {
        const taskIds = taskIdsFromDeleteBody(json);
        const deleted = taskIds instanceof CfwRefusal ? taskIds : this.store.deleteTasksById(firewall.id, taskIds, { forget: call.fault === 'forget-delete' });
        if (deleted instanceof CfwRefusal) return refused(deleted);
        return { ...firewallAnswer(firewall), applied: deleted.length > 0 };
      }
      case 'capture-result':
        return this.#captureResult(call, firewall);
    }
  }

  /** Token or AK/SK signature (over the exact body), then the project: as APIG checks before CFW sees the call. */
  #authenticate(call: ApiCall): Rejection | undefined {
    const { request, url, token } = call;
    const signed = request.headers.authorization?.startsWith('SDK-HMAC-SHA256') === true;
    let grant = token === undefined ? undefined : this.tokens.get(token);
    if (signed) {
      const verdict = verifySignature(
        { method: request.method ?? 'GET', url: new URL(url.pathname + url.search, `http://${request.headers.host ?? 'localhost'}`), headers: request.headers, body: call.body instanceof CfwRefusal ? '' : call.body },
        (accessKey) => this.accessKeys.get(accessKey),
        // APIG checks X-Sdk-Date against real time, whatever the lifecycle's clock says.
        new Date(),
      );
      if (verdict !== 'ok') return [401, ApigErrorCode.UNAUTHENTICATED, `Incorrect IAM authentication information: verify aksk signature fail (${verdict})`];
      if (request.headers['x-project-id'] !== this.projectId) return [401, ApigErrorCode.UNAUTHENTICATED, 'Incorrect IAM authentication information: X-Project-Id does not match the project'];
      grant = {};
    }
    if (grant === undefined) {
      return [401, ApigErrorCode.UNAUTHENTICATED, `Incorrect IAM authentication information: ${token === undefined ? 'the X-Auth-Token header is missing' : 'decrypt token fail'}`];
    }
    if (decodedOrRaw(call.projectId) !== this.projectId) return [403, ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this project'];
    call.grant = grant;
    return undefined;
  }

  /** The firewall a call names, if it exists in the call's enterprise project and the caller may use it. */
  #firewallFor(call: ApiCall, fwInstanceId: string): SimulatedFirewall | Rejection {
    const firewall = this.store.firewall(fwInstanceId, call.url.searchParams.get('enterprise_project_id') ?? undefined);
    if (firewall === undefined) return [400, CfwErrorCode.OBJECT_NOT_FOUND, 'Operation content does not exist'];
    if (call.grant?.firewalls !== undefined && !call.grant.firewalls.includes(firewall.id)) return [403, ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this firewall'];
    return firewall;
  }

  /** GET capture-task: parameters checked in CFW's order, then a page. */
  #list(call: ApiCall): Outcome {
    const query = call.url.searchParams;
    for (const name of ['fw_instance_id', 'limit', 'offset']) {
      if ((query.get(name) ?? '') === '') return refused(new CfwRefusal(CfwErrorCode.EMPTY_PARAMETER, `Empty parameter: ${name}`));
    }
    const limit = query.get('limit') ?? '';
    if (!INTEGER.test(limit) || Number(limit) < 1 || Number(limit) > UPSTREAM_MAX_LIMIT) {
      return refused(new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, `Invalid parameter: limit must be an integer from 1 to ${UPSTREAM_MAX_LIMIT}`));
    }
    if (!INTEGER.test(query.get('offset') ?? '')) return refused(new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, 'Invalid parameter: offset must be an integer no less than 0'));
    const firewall = this.#firewallFor(call, query.get('fw_instance_id') ?? '');
    if (!('id' in firewall)) return rejected(firewall, call.requestId);
    return { status: 200, body: this.#page(firewall.id, firewall.tasks, Number(query.get('offset')), Number(query.get('limit'))), listed: firewall.id };
  }

  /** GET capture-task/capture-result: a download link for a finished task's file, in the configured form. */
  #captureResult(call: ApiCall, firewall: SimulatedFirewall): Outcome {
    const query = captureResultQueryOf(call.url.searchParams);
    if (query instanceof CfwRefusal) return refused(query);
    const file = this.store.captureFileOf(firewall.id, query.taskId);
    if (file instanceof CfwRefusal) return refused(file);
    const now = this.store.now();
    const key = randomBytes(24).toString('base64url');
    const fileName = `${file.name.replace(/[^\w.-]/g, '_').slice(0, 100)}.pcap`;
    this.#downloads.set(key, { file, fileName, expiresAt: now + CAPTURE_RESULT_EXPIRES_SECONDS * 1000 });
    const hostHeader = call.request.headers.host ?? '';
    const host = SAFE_HOST.test(hostHeader) ? hostHeader : `127.0.0.1:${this.#address?.port ?? 0}`;
    const downloadUrl = `http://${host}/_simulator/download/${key}/${encodeURIComponent(fileName)}`;
    const fileList = call.fault === 'file-list' || this.resultForm === 'file-list';
    const data = fileList
      ? { file_list: [{ file_name: fileName, url: downloadUrl, file_path: `/${firewall.id}/${file.taskId}/${fileName}` }] }
      : { url: downloadUrl, captcha: randomBytes(4).toString('hex'), expires: CAPTURE_RESULT_EXPIRES_SECONDS, request_header: { Host: host } };
    return { status: 200, body: JSON.stringify({ data }) };
  }

  /** GET /_simulator/download/{key}/{file}: the pcap a capture-result link points at, until it expires. */
  #download(url: URL): Outcome {
    const key = url.pathname.split('/')[3] ?? '';
    const download = this.#downloads.get(key);
    if (download === undefined) return { status: 404, body: JSON.stringify({ error: 'no such download link' }) };
    if (this.store.now() >= download.expiresAt) return { status: 403, body: JSON.stringify({ error: 'the download link has expired' }) };
    return {
      status: 200,
      body: pcapOf(download.file, Math.floor(this.store.now() / 1000)),
      headers: { 'content-type': 'application/vnd.tcpdump.pcap', 'content-disposition': `attachment; filename="${download.fileName}"` },
    };
  }

  /** On-demand control from the command line: drift, faults and counters. */
  async #control(request: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
    const query = url.searchParams;
    if (url.pathname === '/_simulator/state' && request.method === 'GET') {
      return [200, { callCount: this.callCount, callCounts: this.callCounts(), pendingFaults: this.faults.length, drift: this.store.drift ?? null, now: new Date(this.store.now()).toISOString() }];
    }
    if (url.pathname === '/_simulator/drift' && request.method === 'POST') {
      const fw = query.get('fw') ?? '';
      const count = (name: string) => (/^\d{1,5}$/.test(query.get(name) ?? '') ? Number(query.get(name)) : 0);
      const atRaw = query.get('at') ?? 'random';
      const at = /^\d+$/.test(atRaw) ? Number(atRaw) : atRaw;
      if (at !== 'head' && at !== 'tail' && at !== 'random' && typeof at !== 'number') return [400, { error: 'at must be head, tail, random or an index' }];
      if (this.store.firewall(fw, 'all_granted_eps') === undefined) return [404, { error: `no simulated firewall ${JSON.stringify(fw)}` }];
      const deleted = this.store.deleteTasks(fw, count('delete'), at);
      const inserted = this.store.insertTasks(fw, count('insert'), at);
      return [200, { inserted, deleted }];
    }
    if (url.pathname === '/_simulator/faults' && request.method === 'POST') {
      let text = '';
      for await (const chunk of request) text += String(chunk);
      let faults: unknown;
      try {
        faults = JSON.parse(text);
      } catch {
        return [400, { error: 'the body must be a JSON array of faults' }];
      }
      if (!Array.isArray(faults) || !faults.every(isFault)) return [400, { error: 'the body must be a JSON array of faults such as [{"kind":"status","status":503}] or [{"kind":"reset-after-apply","match":{"method":"POST","path":"/capture-task"}}]' }];
      this.faults.push(...faults);
      return [200, { pendingFaults: this.faults.length }];
    }
    if (url.pathname === '/_simulator/faults' && request.method === 'DELETE') {
      // Ends an outage made of faults with a large `times`: the requests still to come are served normally.
      const cleared = this.faults.length;
      this.faults.length = 0;
      return [200, { cleared, pendingFaults: 0 }];
    }
    return [404, { error: 'unknown simulator control' }];
  }

  #page(firewallId: string, tasks: readonly CaptureTaskRecord[], offset: number, limit: number): string {
    const key = `${firewallId}|${this.store.versionOf(firewallId)}|${offset}|${limit}|${this.legacyShape}`;
    const cached = this.#pageCache.get(key);
    if (cached !== undefined) return cached;
    const page = { limit, offset, total: tasks.length, records: tasks.slice(offset, offset + limit) };
    const body = JSON.stringify({ data: this.legacyShape ? [{ ...page, object_id: firewallId, project_id: this.projectId }] : page });
    this.#pageCache.set(key, body);
    return body;
  }
}

/** One API call being served. */
interface ApiCall {
  /** The X-Request-Id of the answer; APIG's error bodies repeat it. */
  readonly requestId: string;
  readonly projectId: string;
  readonly request: http.IncomingMessage;
  readonly url: URL;
  readonly token: string | undefined;
  readonly body: Buffer | CfwRefusal;
  readonly fault: FaultKind | undefined;
  /** What the credential may use, once authenticated. */
  grant?: TokenGrant;
}

/** A path segment decoded; one that does not decode (`%zz`) stays as it is and matches nothing. */
function decodedOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** CFW's business errors carry no request_id in the body; APIG's do. */
function rejected([status, code, message]: Rejection, requestId: string): Outcome {
  return { status, body: errorBody(code, message, code.startsWith('APIG') ? requestId : undefined) };
}

function refused(refusal: CfwRefusal): Outcome {
  return { status: 400, body: errorBody(refusal.code, refusal.message) };
}

/** create, stop and batch-delete answer with the firewall's id and name (as CFW documents for create). */
function firewallAnswer(firewall: SimulatedFirewall): Outcome {
  return { status: 200, body: JSON.stringify({ data: { id: firewall.id, name: firewall.name ?? firewall.id } }), applied: true };
}
