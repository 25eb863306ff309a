// The shared key-value store behind automatic persisted queries and the optional page cache:
// in memory (bounded LRU) by default, Redis when REDIS_URL is set so that several gateway
// instances share it. A store that fails is a miss, never a failed operation.
import { ErrorsAreMissesCache, InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  readonly cache: KeyValueCache;
  close(): Promise<void>;
}

/** KeyValueCache over ioredis, failing fast (no offline queue, short command timeout) when Redis is down. */
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

/** Logs store failures at most once a minute: a Redis outage must not flood the log. */
function throttledWarnings(logger: Logger) {
  let last = 0;
  const warn = (message: string) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    logger.warn({ cache: 'redis' }, `${message}; caching is bypassed until Redis is back`);
  };
  return { debug: () => undefined, info: () => undefined, warn, error: warn };
}

export function createCacheStore(options: { readonly redisUrl: string | undefined; readonly maxMemoryBytes: number; readonly logger: Logger }): CacheStore {
  if (options.redisUrl === undefined) {
    return { kind: 'memory', cache: new InMemoryLRUCache<string>({ maxSize: options.maxMemoryBytes }), close: () => Promise.resolve() };
  }
  const client = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 250, 5_000),
    lazyConnect: false,
  });
  const warnings = throttledWarnings(options.logger);
  client.on('error', (error: Error) => {
    warnings.warn(`Redis error (${error.message.slice(0, 80)})`);
  });
  return {
    kind: 'redis',
    cache: new ErrorsAreMissesCache(new RedisKeyValueCache(client), warnings),
    async close() {
      client.disconnect();
      return Promise.resolve();
    },
  };
}
