// Where every operation's page reads go, shared by all operations of the process: an optional
// short-TTL page cache and coalescing of identical in-flight calls. Both are keyed on a hash of the
// caller's credential, never on the URL alone, so one caller can never be served another's page.
import { createHash } from 'node:crypto';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { UpstreamCancelledError } from '../errors.ts';
import { listCaptureTasks, type CaptureTaskListQuery, type UpstreamCallEvent } from '../upstream/capture-tasks.ts';
import type { UpstreamCredential, UpstreamHttp } from '../upstream/client.ts';
import { captureTaskListFromBody, type CaptureTaskListAnswer } from '../upstream/wire.ts';

export interface PageSourceOptions {
  readonly upstream: UpstreamHttp;
  readonly timeoutMs: number;
  /** The page cache; undefined or a TTL of 0 turns it off. */
  readonly cache: KeyValueCache | undefined;
  readonly ttlSeconds: number;
  /** Told of cache hits and coalesced reads (metrics). */
  readonly onShared?: (how: 'cache' | 'coalesced') => void;
}

export interface PageRead {
  readonly credential: UpstreamCredential;
  readonly signal?: AbortSignal | undefined;
  /** Told how the upstream call went, when this read made one. */
  readonly onDone?: ((event: UpstreamCallEvent) => void) | undefined;
}

/** A stable, non-reversible key for whose authority a read carries. */
export function credentialKeyOf(credential: UpstreamCredential): string {
  return credential.kind === 'service' ? 'service' : `token:${createHash('sha256').update(credential.token).digest('base64url')}`;
}

interface SharedCall {
  readonly promise: Promise<CaptureTaskListAnswer>;
  readonly controller: AbortController;
  waiters: number;
}

/** Waits for `promise` unless `signal` ends first; then rejects with a cancellation. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    onAbort();
    return Promise.reject(new UpstreamCancelledError(0));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(new UpstreamCancelledError(0));
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export class PageSource {
  readonly #options: PageSourceOptions;
  readonly #inFlight = new Map<string, SharedCall>();

  constructor(options: PageSourceOptions) {
    this.#options = options;
  }

  /** Calls in flight now (tests, metrics). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  async read(query: CaptureTaskListQuery, read: PageRead): Promise<CaptureTaskListAnswer> {
    // An operation that already ended starts nothing.
    if (read.signal?.aborted === true) throw new UpstreamCancelledError(0);
    const key = `${credentialKeyOf(read.credential)}|${query.fwInstanceId}|${query.enterpriseProjectId ?? ''}|${query.offset}|${query.limit}`;
    const { cache, ttlSeconds } = this.#options;
    const cached = cache !== undefined && ttlSeconds > 0 ? await cache.get(`page:${key}`) : undefined;
    if (cached !== undefined) {
      this.#options.onShared?.('cache');
      // Checked like an upstream answer: another gateway version may share this store.
      return captureTaskListFromBody({ data: JSON.parse(cached) as unknown });
    }

    let call = this.#inFlight.get(key);
    // A call every waiter left is being cancelled: a newcomer starts its own.
    if (call?.controller.signal.aborted === true) call = undefined;
    if (call === undefined) {
      const controller = new AbortController();
      const promise = listCaptureTasks(this.#options.upstream, query, { credential: read.credential, timeoutMs: this.#options.timeoutMs, signal: controller.signal, onDone: read.onDone }).finally(() => {
        this.#inFlight.delete(key);
      });
      // Every waiter handles the outcome through its own chain; this keeps a call whose waiters all
      // left from rejecting with nobody listening (which would end the process).
      promise.catch(() => undefined);
      call = { promise, controller, waiters: 0 };
      this.#inFlight.set(key, call);
      if (cache !== undefined && ttlSeconds > 0) {
        promise.then((answer) => cache.set(`page:${key}`, JSON.stringify(answer), { ttl: ttlSeconds })).catch(() => undefined);
      }
    } else {
      this.#options.onShared?.('coalesced');
    }
    const shared = call;
    shared.waiters++;
    // The call is cancelled only when every operation waiting for it has gone.
    return untilAborted(shared.promise, read.signal, () => {
      shared.waiters--;
      if (shared.waiters === 0) shared.controller.abort();
    }).finally(() => {
      if (!read.signal?.aborted) shared.waiters--;
    });
  }
}
