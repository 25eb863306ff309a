// A faithful stand-in for CFW's capture-task API (test/fixtures/upstream/README.md), served over
// HTTP: sockets, holding and counting requests in flight, faults in their phase, and each request
// dispatched to the download links, the control plane or the API's handlers (handlers.ts).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApigErrorCode, CfwErrorCode } from '../upstream/codes.ts';
import { errorBody, requestId } from './answers.ts';
import { demoTokens, type TokenGrant } from './auth.ts';
import { control, isControlPath } from './control.ts';
import { Downloads, DOWNLOAD_PATH } from './downloads.ts';
import { applyFault, phaseOfFault, statusOfFault, takeFault, type Fault } from './faults.ts';
import { Handlers, type CaptureResultForm } from './handlers.ts';
import { Recorder, type RecordedCall, type RecordedRequest } from './recorder.ts';
import { CfwRefusal } from './requests.ts';
import { endpointOf } from './routes.ts';
import { SIMULATOR_PROJECT_ID, SimulatorStore } from './store.ts';
import { scaledClock } from './timeline.ts';

export { DEMO_TOKEN, type TokenGrant } from './auth.ts';
export { CAPTURE_RESULT_EXPIRES_SECONDS } from './downloads.ts';
export type { CaptureResultForm } from './handlers.ts';
export type { RecordedCall, RecordedRequest } from './recorder.ts';
export { SIMULATOR_ROUTES, type SimulatorEndpoint } from './routes.ts';

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

/** The largest request body the simulator reads. */
const MAX_BODY_BYTES = 64 * 1024;

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
  /** Requests whose client went away before the answer was complete. */
  abandonedCount = 0;
  /** API requests being answered now: arrived, neither answered nor abandoned. */
  inFlight = 0;
  /** The most API requests in flight at once since start or the last resetCalls. */
  peakInFlight = 0;
  /** While set, API requests wait for it before they are answered (hold). */
  #held: { readonly promise: Promise<undefined>; readonly release: () => void } | undefined;
  readonly #recorder = new Recorder();
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #downloads: Downloads;
  readonly #handlers: Handlers;
  #address: { readonly port: number; readonly host: string } | undefined;
  #refusing = false;

  constructor(options: SimulatorOptions = {}) {
    const clockGiven = options.now !== undefined || options.timeScale !== undefined || options.deletedRetentionMs !== undefined;
    if (options.store !== undefined && clockGiven) throw new TypeError('give now, timeScale and deletedRetentionMs to the SimulatorStore when you pass one');
    if (options.now !== undefined && options.timeScale !== undefined)
      throw new TypeError('timeScale speeds up the wall clock; an injected clock (now) keeps its own time');
    this.store =
      options.store ??
      new SimulatorStore({
        now: options.now ?? (options.timeScale === undefined ? Date.now : scaledClock(options.timeScale)),
        ...(options.deletedRetentionMs === undefined ? {} : { deletedRetentionMs: options.deletedRetentionMs }),
      });
    this.projectId = options.projectId ?? SIMULATOR_PROJECT_ID;
    this.tokens = options.tokens ?? demoTokens();
    this.accessKeys = options.accessKeys ?? new Map();
    this.legacyShape = options.legacyShape ?? false;
    this.latencyMs = options.latencyMs ?? 0;
    this.resultForm = options.resultForm ?? 'url';
    this.faults = [...(options.faults ?? [])];
    this.#downloads = new Downloads(() => this.store.now());
    this.#handlers = new Handlers(this, this.#downloads, () => this.#address?.port ?? 0);
    this.#server = http.createServer((request, response) => {
      const api = !isControlPath(request.url ?? '');
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
    this.#recorder.reset();
    this.peakInFlight = this.inFlight;
  }

  /** The last list calls, newest last (bounded). */
  get calls(): RecordedCall[] {
    return this.#recorder.calls;
  }

  /** All list calls since start or the last resetCalls(). */
  get callCount(): number {
    return this.#recorder.callCount;
  }

  /** The last API requests of every call, newest last (bounded). */
  get requests(): RecordedRequest[] {
    return this.#recorder.requests;
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
    return this.#recorder.callCountOf(method, path);
  }

  /** Every count callCountOf() knows, keyed `METHOD /path`. */
  callCounts(): Record<string, number> {
    return this.#recorder.callCounts();
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
    if (url.pathname.startsWith(DOWNLOAD_PATH) && method === 'GET') {
      const outcome = this.#downloads.answer(url);
      send(outcome.status, outcome.body, outcome.headers);
      return;
    }
    if (isControlPath(url.pathname)) {
      const [status, body] = await control(this, request, url);
      send(status, JSON.stringify(body));
      return;
    }
    const api = /^\/v1\/([^/]+)(\/.*)$/.exec(url.pathname);
    const path = api === null ? url.pathname : (api[2] ?? '').replace(/(.)\/$/, '$1');
    const endpoint = api === null ? undefined : endpointOf(method, path);
    const query = url.searchParams;
    const tokenHeader = request.headers['x-auth-token'];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    const record = (status: number, fault?: Fault, applied = false) => {
      if (endpoint === 'list') {
        const traceparent = request.headers.traceparent;
        this.#recorder.call({
          fwInstanceId: query.get('fw_instance_id'),
          offset: query.get('offset'),
          limit: query.get('limit'),
          token,
          status,
          traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        });
      }
      this.#recorder.request({ method, path, endpoint, fwInstanceId: query.get('fw_instance_id'), status, fault: fault?.kind, applied });
    };
    this.#recorder.count(method, path);
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
    const outcome = this.#handlers.serve(endpoint, { requestId: id, projectId: api[1] ?? '', request, url, token, body, fault: takenFault?.kind });
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
      if (size > MAX_BODY_BYTES)
        return new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, `Invalid parameter: the request body is larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(bytes);
    }
    return Buffer.concat(chunks);
  }
}
