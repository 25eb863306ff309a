// The page cache: two tiers under one key. The shared store (Redis, or this process's memory) holds
// each page as JSON for CACHE_TTL_SECONDS; when the store is the process's own memory, the page is
// also kept parsed (the very object read), so a hit costs no JSON.parse. A firewall's pages are
// forgotten at once after a change through a generation that is part of every key.
import { createHash, randomUUID } from 'node:crypto';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { boundedCache, type BoundedCache } from '../bounded-cache.ts';
import type { CaptureTaskListAnswer, CaptureTaskRecord } from './wire.ts';

/** A page this process read itself, kept parsed until its TTL ends. */
interface LocalPage {
  readonly page: CaptureTaskListAnswer;
  /** performance.now() when the TTL ends. */
  readonly expires: number;
}

/**
 * Pages kept parsed in the process, per cache key, besides the shared store: a hit hands back the
 * very object read (no JSON.parse of the stored text, and the task values and fingerprints worked
 * out from its records are reused). Bounded in pages; a 50-task page is ~50 kB of objects.
 */
const LOCAL_PAGES = 256;

/** Bumped whenever CaptureTaskListAnswer changes shape: a shared store never serves an older one. */
const CACHE_FORMAT = 'page:v1:';

/** Where a firewall's page cache generation is kept, shared by every instance using the store. */
function generationKeyOf(fwInstanceId: string): string {
  return `pagegen:${createHash('sha256').update(fwInstanceId).digest('base64url')}`;
}

/**
 * Forgets every cached page of a firewall, for every caller and every instance sharing the store:
 * its generation, part of each page's cache key, changes, so older entries are never read again
 * (they expire with their TTL). Called after a mutation on the firewall succeeds.
 */
export async function firewallChanged(cache: PageCache | undefined, fwInstanceId: string): Promise<void> {
  if (cache === undefined) return;
  // Outlives every page stored under the old generation, so an expiry never brings one back.
  await cache.store.set(generationKeyOf(fwInstanceId), randomUUID(), { ttl: Math.max(cache.ttlSeconds * 4, 60) });
}

interface CachedPage {
  readonly total: number;
  readonly records: readonly CaptureTaskRecord[];
}

/**
 * A page this gateway's format version stored: its records were checked (wire.ts) before they were
 * stored, so only the envelope is looked at, not every record again.
 */
function isCachedPage(value: unknown): value is CachedPage {
  if (typeof value !== 'object' || value === null) return false;
  const total: unknown = Reflect.get(value, 'total');
  return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 && Array.isArray(Reflect.get(value, 'records'));
}

/** The page cache: the store, its TTL, and the parsed tier when the store is this process's memory. */
export interface PageCache {
  readonly store: KeyValueCache;
  readonly ttlSeconds: number;
  readonly local: BoundedCache<string, LocalPage> | undefined;
}

export function createPageCache(store: KeyValueCache, ttlSeconds: number, keepParsed: boolean): PageCache {
  return { store, ttlSeconds, local: keepParsed ? boundedCache<string, LocalPage>(LOCAL_PAGES) : undefined };
}

/** The firewall's current generation, part of each of its pages' keys. */
export async function generationOf(cache: PageCache, fwInstanceId: string): Promise<string> {
  return (await cache.store.get(generationKeyOf(fwInstanceId))) ?? '0';
}

/** A cached page under `key`: the parsed one this process read, else the stored one; undefined on a miss. */
export async function cachedPage(cache: PageCache, key: string): Promise<CaptureTaskListAnswer | CachedPage | undefined> {
  const local = cache.local?.get(key);
  if (local !== undefined && local.expires > performance.now()) return local.page;
  const stored = await cache.store.get(CACHE_FORMAT + key);
  const page: unknown = stored === undefined ? undefined : JSON.parse(stored);
  return isCachedPage(page) ? page : undefined;
}

/** Keeps a page just read under `key`, in both tiers. */
export async function storePage(cache: PageCache, key: string, page: CaptureTaskListAnswer): Promise<void> {
  cache.local?.set(key, { page, expires: performance.now() + cache.ttlSeconds * 1000 });
  await cache.store.set(CACHE_FORMAT + key, JSON.stringify(page), { ttl: cache.ttlSeconds });
}
