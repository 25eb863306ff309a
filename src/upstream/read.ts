// The process-wide page read. Every page an operation reads (operation.ts: credential, budget, its
// own dedup) then comes through here, in this order:
//   1. the optional page cache (page-cache.ts);
//   2. sharing of an identical call already in flight, which is cancelled only when every operation
//      waiting for it has gone;
//   3. the call itself (capture-tasks.ts) under ONE deadline, set here, that counts time queued for a
//      connection slot and every retry.
// The page key is built once per read (pageKeyOf); caching and sharing add the credential's hash to
// it, never the URL alone, so one caller is never served another caller's page.
import { createHash } from 'node:crypto';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { UpstreamCancelledError } from '../errors.ts';
import { listCaptureTasks, type CaptureTaskListQuery, type UpstreamCallEvent } from './capture-tasks.ts';
import type { UpstreamCredential, UpstreamHttp } from './client.ts';
import { cachedPage, createPageCache, firewallChanged as forgetFirewall, generationOf, storePage, type PageCache } from './page-cache.ts';
import type { CaptureTaskListAnswer } from './wire.ts';

export interface PageReadsOptions {
  readonly upstream: UpstreamHttp;
  /** The whole-call deadline: queueing for a slot and retries included. */
  readonly timeoutMs: number;
  /** The page cache; undefined or a TTL of 0 turns it off. */
  readonly cache: KeyValueCache | undefined;
  readonly ttlSeconds: number;
  /**
   * Whether pages this process read are also kept parsed in it (LOCAL_PAGES): only when the store
   * is the process's own memory. A shared store (Redis) stays the one source of cached pages, so a
   * Redis that is down means no cache, as documented.
   */
  readonly keepParsed?: boolean | undefined;
  /** Told of cache hits and shared reads (metrics). */
  readonly onShared?: ((how: 'cache' | 'coalesced') => void) | undefined;
  /** Makes a call's deadline signal; AbortSignal.timeout unless a test fires deadlines itself. */
  readonly deadline?: ((timeoutMs: number) => AbortSignal) | undefined;
}

interface SharedCall {
  readonly promise: Promise<CaptureTaskListAnswer>;
  readonly controller: AbortController;
  /** Operations waiting for this call now; the call is cancelled when the last one leaves. */
  waiters: number;
}

/** What the process shares between operations: calls in flight and the page cache. */
export interface PageReads {
  readonly options: PageReadsOptions;
  readonly inFlight: Map<string, SharedCall>;
  /** Undefined when the page cache is off. */
  readonly cache: PageCache | undefined;
}

export function createPageReads(options: PageReadsOptions): PageReads {
  const store = options.ttlSeconds > 0 ? options.cache : undefined;
  return { options, inFlight: new Map(), cache: store === undefined ? undefined : createPageCache(store, options.ttlSeconds, options.keepParsed === true) };
}

/**
 * Forgets every cached page of a firewall, for every caller and every instance sharing the store.
 * Called after a mutation on the firewall succeeds.
 */
export function firewallChanged(reads: PageReads, fwInstanceId: string): Promise<void> {
  return forgetFirewall(reads.cache, fwInstanceId);
}

export interface PageRead {
  readonly credential: UpstreamCredential;
  /** A stable, non-reversible key for the credential (credentialKeyOf), computed once per operation. */
  readonly credentialKey: string;
  readonly signal?: AbortSignal | undefined;
  /** Read the upstream now: skip the cache and calls in flight (the answer is still cached). */
  readonly fresh?: boolean | undefined;
  /** Told how the upstream call went, when this read made one. */
  readonly onDone?: ((event: UpstreamCallEvent) => void) | undefined;
}

/** The key of one page of one connection; the only place it is built. */
export function pageKeyOf(query: CaptureTaskListQuery): string {
  return `${query.fwInstanceId}\u0000${query.enterpriseProjectId ?? ''}\u0000${query.offset}\u0000${query.limit}`;
}

/** A stable, non-reversible key for whose authority a read carries. */
export function credentialKeyOf(credential: UpstreamCredential): string {
  return credential.kind === 'service' ? 'service' : `token:${createHash('sha256').update(credential.token).digest('base64url')}`;
}

/** Waits for `promise` unless `signal` ends first; then calls `onAbort` and rejects with a cancellation. */
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

/** Reads one page: from the cache, by joining an identical call in flight, or by making the call. */
export async function readCaptureTaskPage(reads: PageReads, query: CaptureTaskListQuery, pageKey: string, read: PageRead): Promise<CaptureTaskListAnswer> {
  // An operation that already ended starts nothing.
  if (read.signal?.aborted === true) throw new UpstreamCancelledError(0);
  const { upstream, timeoutMs, onShared } = reads.options;
  const cache = reads.cache;
  // The firewall's generation is part of the key: a change through a mutation starts a new one.
  const generation = cache === undefined ? '' : await generationOf(cache, query.fwInstanceId);
  const key = `${read.credentialKey}\u0000${pageKey}\u0000${generation}`;
  if (cache !== undefined && read.fresh !== true) {
    const page = await cachedPage(cache, key);
    if (page !== undefined) {
      onShared?.('cache');
      return page;
    }
  }

  // A fresh read never joins a call in flight, and is never joined: it must see the upstream now.
  let call = read.fresh === true ? undefined : reads.inFlight.get(key);
  // A call every waiter left is being cancelled: a newcomer starts its own.
  if (call?.controller.signal.aborted === true) call = undefined;
  if (call === undefined) {
    const controller = new AbortController();
    // The deadline runs from here, so time spent queued in the bulkhead counts against it.
    const signal = AbortSignal.any([(reads.options.deadline ?? AbortSignal.timeout)(timeoutMs), controller.signal]);
    const promise = listCaptureTasks(upstream, query, { credential: read.credential, signal, onDone: read.onDone }).finally(() => {
      if (reads.inFlight.get(key)?.promise === promise) reads.inFlight.delete(key);
    });
    // Every waiter handles the outcome through its own chain; this keeps a call whose waiters all
    // left from rejecting with nobody listening (which would end the process).
    promise.catch(() => undefined);
    call = { promise, controller, waiters: 0 };
    if (read.fresh !== true) reads.inFlight.set(key, call);
    if (cache !== undefined) promise.then((answer) => storePage(cache, key, answer)).catch(() => undefined);
  } else {
    onShared?.('coalesced');
  }
  const shared = call;
  shared.waiters++;
  // Each waiter leaves exactly once, when its operation ends first or when the call settles, so
  // `waiters` counts only operations still waiting and the call is cancelled only when the last of
  // them leaves early; leaving again on settle after an abort must not count twice.
  let waiting = true;
  const leave = () => {
    if (!waiting) return;
    waiting = false;
    shared.waiters--;
  };
  return untilAborted(shared.promise, read.signal, () => {
    leave();
    if (shared.waiters === 0) shared.controller.abort();
  }).finally(leave);
}
