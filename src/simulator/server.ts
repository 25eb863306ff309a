// A faithful stand-in for CFW's list API (test/fixtures/upstream/README.md): the same path, query
// validation with CFW-style 400 bodies, APIG-style 401 bodies, X-Request-Id on every answer, and
// seeded data (store.ts). Tests and the CLI steer it with faults (faults.ts) and drift (store.ts).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedCache } from '../bounded-cache.ts';
import { ApigErrorCode, CfwErrorCode, UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import { applyFault, faultPassesThrough, isFault, statusOfFault, takeFault, type Fault } from './faults.ts';
import { SIMULATOR_PROJECT_ID, SimulatorStore } from './store.ts';
import { verifySignature } from './verify.ts';

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
  /** AK → SK pairs accepted for APIG AK/SK signatures; a signed call may read every firewall. */
  readonly accessKeys?: ReadonlyMap<string, string>;
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
  readonly accessKeys: ReadonlyMap<string, string>;
  legacyShape: boolean;
  latencyMs: number;
  /** Faults still to happen, first first; see faults.ts. */
  faults: Fault[];
  /** The last list calls, newest last (bounded). */
  readonly calls: RecordedCall[] = [];
  /** All list calls since start or the last reset. */
  callCount = 0;
  /** Requests whose client went away before the answer was complete. */
  abandonedCount = 0;
  /** API requests being answered now: arrived, neither answered nor abandoned. */
  inFlight = 0;
  /** The most API requests in flight at once since start or the last resetCalls. */
  peakInFlight = 0;
  /** While set, API requests wait for it before they are answered (hold). */
  #held: { readonly promise: Promise<undefined>; readonly release: () => void } | undefined;
  readonly #server: http.Server;
  readonly #sockets = new Set<import('node:net').Socket>();
  /** Serialised pages, reused while no task changed. */
  readonly #pageCache = boundedCache<string, string>(5_000);
  #pageCacheVersion = -1;

  constructor(options: SimulatorOptions = {}) {
    this.store = options.store ?? new SimulatorStore();
    this.projectId = options.projectId ?? SIMULATOR_PROJECT_ID;
    this.tokens = options.tokens ?? new Map([[DEMO_TOKEN, {}]]);
    this.accessKeys = options.accessKeys ?? new Map();
    this.legacyShape = options.legacyShape ?? false;
    this.latencyMs = options.latencyMs ?? 0;
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

  /** Forgets recorded calls. */
  resetCalls(): void {
    this.calls.length = 0;
    this.callCount = 0;
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
    if (url.pathname.startsWith('/_simulator/')) {
      const [status, body] = await this.#control(request, url);
      send(status, JSON.stringify(body));
      return;
    }
    const match = /^\/v1\/([^/]+)\/capture-task\/?$/.exec(url.pathname);
    if (request.method !== 'GET' || match === null) {
      send(404, errorBody(ApigErrorCode.NO_SUCH_API, 'The API does not exist or has not been published in the environment', id));
      return;
    }
    const query = url.searchParams;
    const tokenHeader = request.headers['x-auth-token'];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    const record = (status: number) => {
      const traceparent = request.headers.traceparent;
      this.#record({ fwInstanceId: query.get('fw_instance_id'), offset: query.get('offset'), limit: query.get('limit'), token, status, traceparent: typeof traceparent === 'string' ? traceparent : undefined });
    };

    if (this.#held !== undefined) await this.#held.promise;
    const fault = takeFault(this.faults);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (fault !== undefined) {
      await applyFault(fault, request, response, id);
      if (!faultPassesThrough(fault)) {
        record(statusOfFault(fault));
        return;
      }
    }

    const rejection = this.#rejectionOf(match[1] ?? '', query, token, request, url);
    if (rejection !== undefined) {
      const [status, code, message] = rejection;
      record(status);
      // CFW's business errors carry no request_id in the body; APIG's do.
      send(status, errorBody(code, message, code.startsWith('APIG') ? id : undefined));
      return;
    }
    const firewall = this.store.firewall(query.get('fw_instance_id') ?? '', query.get('enterprise_project_id') ?? undefined);
    if (firewall === undefined) return;
    record(200);
    send(200, this.#page(firewall.id, firewall.tasks, Number(query.get('offset')), Number(query.get('limit'))));
    this.store.afterList(firewall.id);
  }

  /** Why a list call cannot be served, as [status, error code, message], checked in CFW's order. */
  #rejectionOf(projectId: string, query: URLSearchParams, token: string | undefined, request: http.IncomingMessage, url: URL): [number, string, string] | undefined {
    const signed = request.headers.authorization?.startsWith('SDK-HMAC-SHA256') === true;
    let grant = token === undefined ? undefined : this.tokens.get(token);
    if (signed) {
      const verdict = verifySignature(
        { method: request.method ?? 'GET', url: new URL(url.pathname + url.search, `http://${request.headers.host ?? 'localhost'}`), headers: request.headers, body: '' },
        (accessKey) => this.accessKeys.get(accessKey),
        new Date(),
      );
      if (verdict !== 'ok') return [401, ApigErrorCode.UNAUTHENTICATED, `Incorrect IAM authentication information: verify aksk signature fail (${verdict})`];
      if (request.headers['x-project-id'] !== this.projectId) return [401, ApigErrorCode.UNAUTHENTICATED, 'Incorrect IAM authentication information: X-Project-Id does not match the project'];
      grant = {};
    }
    if (grant === undefined) {
      return [401, ApigErrorCode.UNAUTHENTICATED, `Incorrect IAM authentication information: ${token === undefined ? 'the X-Auth-Token header is missing' : 'decrypt token fail'}`];
    }
    if (decodeURIComponent(projectId) !== this.projectId) return [403, ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this project'];
    for (const name of ['fw_instance_id', 'limit', 'offset']) {
      if ((query.get(name) ?? '') === '') return [400, CfwErrorCode.EMPTY_PARAMETER, `Empty parameter: ${name}`];
    }
    const limit = query.get('limit') ?? '';
    if (!INTEGER.test(limit) || Number(limit) < 1 || Number(limit) > UPSTREAM_MAX_LIMIT) {
      return [400, CfwErrorCode.INVALID_PARAMETER, `Invalid parameter: limit must be an integer from 1 to ${UPSTREAM_MAX_LIMIT}`];
    }
    if (!INTEGER.test(query.get('offset') ?? '')) return [400, CfwErrorCode.INVALID_PARAMETER, 'Invalid parameter: offset must be an integer no less than 0'];
    const firewall = this.store.firewall(query.get('fw_instance_id') ?? '', query.get('enterprise_project_id') ?? undefined);
    if (firewall === undefined) return [400, CfwErrorCode.OBJECT_NOT_FOUND, 'Operation content does not exist'];
    if (grant.firewalls !== undefined && !grant.firewalls.includes(firewall.id)) return [403, ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this firewall'];
    return undefined;
  }

  /** On-demand control from the command line: drift, faults and counters. */
  async #control(request: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
    const query = url.searchParams;
    if (url.pathname === '/_simulator/state' && request.method === 'GET') {
      return [200, { callCount: this.callCount, pendingFaults: this.faults.length, drift: this.store.drift ?? null }];
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
      if (!Array.isArray(faults) || !faults.every(isFault)) return [400, { error: 'the body must be a JSON array of faults such as [{"kind":"status","status":503}]' }];
      this.faults.push(...faults);
      return [200, { pendingFaults: this.faults.length }];
    }
    return [404, { error: 'unknown simulator control' }];
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
    this.#pageCache.set(key, body);
    return body;
  }
}
