// The shared key-value store behind automatic persisted queries and the optional page cache:
// in memory (bounded LRU) by default, Redis when REDIS_URL is set so that several gateway
// instances share it. A store that fails is a miss, never a failed operation, and a store that stops
// answering is bypassed by a breaker (breaker.ts) instead of slowing every operation down.
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { createHash } from 'node:crypto';
import { StoreBreaker } from './breaker.ts';
import { TOKEN_BUCKET_SCRIPT, type BucketDecision, type BucketLimits } from './token-bucket.ts';

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  readonly cache: KeyValueCache;
  /** Redis only: the breaker that bypasses a store that stopped answering. */
  readonly breaker: StoreBreaker | undefined;
  /**
   * Redis only: takes a token from the bucket at `key`, shared by every instance; undefined when
   * Redis did not answer (or is bypassed), so the caller decides locally.
   */
  readonly takeSharedToken: ((key: string, limits: BucketLimits) => Promise<BucketDecision | undefined>) | undefined;
  close(): Promise<void>;
}

const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

/** Runs the token-bucket script by its hash, loading it once when Redis does not know it yet. */
async function runTokenBucket(client: Redis, key: string, limits: BucketLimits): Promise<BucketDecision> {
  const args = [1, key, limits.perSecond, limits.burst] as const;
  let reply: unknown;
  try {
    reply = await client.evalsha(TOKEN_BUCKET_SHA, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    reply = await client.eval(TOKEN_BUCKET_SCRIPT, ...args);
  }
  if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number')
    throw new Error('the token-bucket script answered in an unknown shape');
  return reply[0] === 1 ? { allowed: true } : { allowed: false, retryAfterMs: reply[1] };
}

/** KeyValueCache over ioredis, failing fast (no offline queue, short command timeout) when Redis is down; it throws, GuardedKeyValueCache does not. */
class RedisKeyValueCache implements KeyValueCache {
  readonly #client: Redis;
  constructor(client: Redis) {
    this.#client = client;
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.#client.get(key)) ?? undefined;
  }
  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    if (typeof ttl === 'number' && ttl > 0) await this.#client.set(key, value, 'EX', Math.ceil(ttl));
    else await this.#client.set(key, value);
  }
  async delete(key: string): Promise<boolean> {
    return (await this.#client.del(key)) > 0;
  }
}

/** A store that never throws and never waits on a store that stopped answering: failures are misses. */
export class GuardedKeyValueCache implements KeyValueCache {
  readonly #inner: KeyValueCache;
  readonly #breaker: StoreBreaker;
  constructor(inner: KeyValueCache, breaker: StoreBreaker) {
    this.#inner = inner;
    this.#breaker = breaker;
  }
  async #run<T>(command: () => Promise<T>, bypassed: T): Promise<T> {
    if (!this.#breaker.allow()) return bypassed;
    try {
      const result = await command();
      this.#breaker.succeeded();
      return result;
    } catch {
      this.#breaker.failed();
      return bypassed;
    }
  }
  get(key: string): Promise<string | undefined> {
    return this.#run(() => this.#inner.get(key), undefined);
  }
  set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    return this.#run(() => this.#inner.set(key, value, options), undefined);
  }
  delete(key: string): Promise<boolean> {
    return this.#run(async () => (await this.#inner.delete(key)) === true, false);
  }
}

export interface RedisStoreOptions {
  /** Per-command timeout: a frozen Redis costs at most this per command until the breaker opens. */
  readonly commandTimeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerOpenMs: number;
}

/** ioredis is loaded only when REDIS_URL is set. */
export async function createCacheStore(options: {
  readonly redisUrl: string | undefined;
  readonly maxMemoryBytes: number;
  readonly logger: Logger;
  readonly redis: RedisStoreOptions;
  readonly now?: () => number;
}): Promise<CacheStore> {
  if (options.redisUrl === undefined) {
    return {
      kind: 'memory',
      cache: new InMemoryLRUCache<string>({ maxSize: options.maxMemoryBytes }),
      breaker: undefined,
      takeSharedToken: undefined,
      close: () => Promise.resolve(),
    };
  }
  const { logger, redis } = options;
  const { Redis } = await import('ioredis');
  const client = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: redis.commandTimeoutMs,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 250, 5_000),
    lazyConnect: false,
  });
  const breaker = new StoreBreaker({
    threshold: redis.breakerThreshold,
    openMs: redis.breakerOpenMs,
    now: options.now ?? Date.now,
    onStateChange(state, previous) {
      // One warning when caching stops, one line when it is back; the probes in between are debug.
      if (state === 'open' && previous === 'closed')
        logger.warn(
          { cache: 'redis', breaker: state },
          `Redis did not answer ${redis.breakerThreshold} commands in a row; caching is bypassed, with a probe every ${redis.breakerOpenMs} ms`,
        );
      else if (state === 'closed') logger.info({ cache: 'redis', breaker: state }, 'Redis answers again; caching is back');
      else logger.debug({ cache: 'redis', breaker: state }, 'Redis store breaker');
    },
  });
  // The connection's own errors repeat on every reconnection attempt: one warning until it is ready again.
  let connectionWarned = false;
  client.on('error', (error: Error) => {
    if (connectionWarned) return;
    connectionWarned = true;
    logger.warn({ cache: 'redis', reason: error.message.slice(0, 80) }, 'Redis connection failed; reconnecting, and caching is bypassed while it is down');
  });
  client.on('ready', () => {
    if (connectionWarned) logger.info({ cache: 'redis' }, 'Redis connection ready');
    connectionWarned = false;
  });
  return {
    kind: 'redis',
    cache: new GuardedKeyValueCache(new RedisKeyValueCache(client), breaker),
    breaker,
    async takeSharedToken(key, limits) {
      // Through the same breaker as the cache: a Redis that stopped answering costs no wait here either.
      if (!breaker.allow()) return undefined;
      try {
        const decision = await runTokenBucket(client, key, limits);
        breaker.succeeded();
        return decision;
      } catch {
        breaker.failed();
        return undefined;
      }
    },
    async close() {
      client.disconnect();
      return Promise.resolve();
    },
  };
}
