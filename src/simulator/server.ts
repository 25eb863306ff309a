// A faithful stand-in for CFW's list API (../shared/upstream/README.md): the same path, query
// validation with CFW-style 400 bodies, APIG-style 401 bodies, X-Request-Id on every answer, and
// seeded data (store.ts). Tests and the CLI steer it with faults (faults.ts) and drift (store.ts).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import { applyFault, faultPassesThrough, statusOfFault, takeFault, type Fault } from './faults.ts';
import { SIMULATOR_PROJECT_ID, SimulatorStore } from './store.ts';

/** The token a newcomer's gateway uses in simulator mode; it may read every firewall. */
export const DEMO_TOKEN = 'demo-token';

/** What a token may read. */
export interface TokenGrant {
  /** Firewall ids it may read; undefined means all. */
  readonly firewalls?: readonly string[];
}

export interface SimulatorOptions {
  readonly store?: SimulatorStore;
  readonly projectId?: string;
  /** Accepted IAM tokens; default: DEMO_TOKEN for everything. */
  readonly tokens?: ReadonlyMap<string, TokenGrant>;
  /** Answer in the shape used before late 2024: `data` as a one-element array. */
  readonly legacyShape?: boolean;
  /** Added to every answer. */
  readonly latencyMs?: number;
  readonly faults?: readonly Fault[];
}

/** One list call as the simulator saw it. */
export interface RecordedCall {
  readonly fwInstanceId: string | null;
  readonly offset: string | null;
  readonly limit: string | null;
  readonly token: string | undefined;
  readonly status: number;
}

function requestId(): string {
  return randomBytes(16).toString('hex');
}

function errorBody(errorCode: string, errorMsg: string, id?: string): string {
  return JSON.stringify(id === undefined ? { error_code: errorCode, error_msg: errorMsg } : { error_code: errorCode, error_msg: errorMsg, request_id: id });
}

const INTEGER = /^(0|[1-9]\d{0,9})$/;

export class Simulator {
  readonly store: SimulatorStore;
  readonly projectId: string;
  readonly tokens: ReadonlyMap<string, TokenGrant>;
  legacyShape: boolean;
  latencyMs: number;
  /** Faults still to happen, first first; see faults.ts. */
  faults: Fault[];
  /** The last list calls, newest last (bounded). */
  readonly calls: RecordedCall[] = [];
  /** All list calls since start or the last reset. */
  callCount = 0;
  readonly #server: http.Server;
  readonly #sockets = new Set<import('node:net').Socket>();
  /** Serialised pages, reused while no task changed. */
  readonly #pageCache = new Map<string, string>();
  #pageCacheVersion = -1;

  constructor(options: SimulatorOptions = {}) {
    this.store = options.store ?? new SimulatorStore();
    this.projectId = options.projectId ?? SIMULATOR_PROJECT_ID;
    this.tokens = options.tokens ?? new Map([[DEMO_TOKEN, {}]]);
    this.legacyShape = options.legacyShape ?? false;
    this.latencyMs = options.latencyMs ?? 0;
    this.faults = [...(options.faults ?? [])];
    this.#server = http.createServer((request, response) => {
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
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shown}:${address.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Forgets recorded calls. */
  resetCalls(): void {
    this.calls.length = 0;
    this.callCount = 0;
  }

  #record(call: RecordedCall): void {
    this.callCount++;
    this.calls.push(call);
    if (this.calls.length > 10_000) this.calls.splice(0, this.calls.length - 10_000);
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const id = requestId();
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'x-request-id': id, 'content-length': Buffer.byteLength(body), ...headers });
      response.end(body);
    };
    const url = new URL(request.url ?? '/', 'http://simulator');
    const match = /^\/v1\/([^/]+)\/capture-task\/?$/.exec(url.pathname);
    if (request.method !== 'GET' || match === null) {
      send(404, errorBody('APIGW.0101', 'The API does not exist or has not been published in the environment', id));
      return;
    }
    const query = url.searchParams;
    const tokenHeader = request.headers['x-auth-token'];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    const record = (status: number) => this.#record({ fwInstanceId: query.get('fw_instance_id'), offset: query.get('offset'), limit: query.get('limit'), token, status });

    const fault = takeFault(this.faults);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (fault !== undefined) {
      await applyFault(fault, request, response, id);
      if (!faultPassesThrough(fault)) return void record(statusOfFault(fault));
    }

    const grant = token === undefined ? undefined : this.tokens.get(token);
    if (grant === undefined) {
      record(401);
      send(401, errorBody('APIG.0301', `Incorrect IAM authentication information: ${token === undefined ? 'the X-Auth-Token header is missing' : 'decrypt token fail'}`, id));
      return;
    }
    if (decodeURIComponent(match[1] ?? '') !== this.projectId) {
      record(403);
      send(403, errorBody('APIG.0302', 'The IAM token has no permission for this project', id));
      return;
    }
    const fwInstanceId = query.get('fw_instance_id');
    const limit = query.get('limit');
    const offset = query.get('offset');
    if (fwInstanceId === null || fwInstanceId === '') return void (record(400), send(400, errorBody('CFW.00200001', 'Empty parameter: fw_instance_id')));
    if (limit === null || limit === '') return void (record(400), send(400, errorBody('CFW.00200001', 'Empty parameter: limit')));
    if (offset === null || offset === '') return void (record(400), send(400, errorBody('CFW.00200001', 'Empty parameter: offset')));
    if (!INTEGER.test(limit) || Number(limit) < 1 || Number(limit) > UPSTREAM_MAX_LIMIT) {
      return void (record(400), send(400, errorBody('CFW.00200002', `Invalid parameter: limit must be an integer from 1 to ${UPSTREAM_MAX_LIMIT}`)));
    }
    if (!INTEGER.test(offset)) return void (record(400), send(400, errorBody('CFW.00200002', 'Invalid parameter: offset must be an integer no less than 0')));

    const enterpriseProjectId = query.get('enterprise_project_id') ?? undefined;
    const firewall = this.store.firewall(fwInstanceId, enterpriseProjectId);
    if (firewall === undefined) return void (record(400), send(400, errorBody('CFW.00200005', 'Operation content does not exist')));
    if (grant.firewalls !== undefined && !grant.firewalls.includes(firewall.id)) {
      return void (record(403), send(403, errorBody('APIG.0302', 'The IAM token has no permission for this firewall', id)));
    }

    record(200);
    send(200, this.#page(firewall.id, firewall.tasks, Number(offset), Number(limit)));
    this.store.afterList(firewall.id);
  }

  #page(firewallId: string, tasks: readonly object[], offset: number, limit: number): string {
    if (this.#pageCacheVersion !== this.store.version) {
      this.#pageCache.clear();
      this.#pageCacheVersion = this.store.version;
    }
    const key = `${firewallId}|${offset}|${limit}|${this.legacyShape}`;
    const cached = this.#pageCache.get(key);
    if (cached !== undefined) return cached;
    const page = { limit, offset, total: tasks.length, records: tasks.slice(offset, offset + limit) };
    const body = JSON.stringify({ data: this.legacyShape ? [{ ...page, object_id: firewallId, project_id: this.projectId }] : page });
    if (this.#pageCache.size < 5_000) this.#pageCache.set(key, body);
    return body;
  }
}
