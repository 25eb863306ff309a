// Fairness across callers: in AK/SK mode every caller spends the same CFW account's rate limit, so
// one caller who floods could starve the rest. Each caller (auth.ts's `who`: a token's hash, an API
// key's hash, a JWT subject) has a token bucket, shared by the fleet through Redis; while Redis is
// down or absent, each instance keeps its own buckets at the same rate. A caller over its share is
// refused at the edge, before any upstream call.
import { boundedCache } from '../bounded-cache.ts';
import type { CacheStore } from '../cache/stores.ts';
import { takeToken, type BucketDecision, type BucketLimits, type BucketState } from '../cache/token-bucket.ts';

/** Callers whose local buckets are kept; the least recently seen go first (a full bucket is the default anyway). */
const LOCAL_BUCKETS = 10_000;

export type CallerRateLimit = (who: string) => Promise<BucketDecision>;

export function createCallerRateLimit(limits: BucketLimits, store: Pick<CacheStore, 'takeSharedToken'>, now: () => number = Date.now): CallerRateLimit {
  const local = boundedCache<string, BucketState>(LOCAL_BUCKETS);
  const takeLocal = (who: string): BucketDecision => {
    const taken = takeToken(local.get(who), now(), limits);
    local.set(who, taken.state);
    return taken.decision;
  };
  const shared = store.takeSharedToken;
  if (shared === undefined) return (who) => Promise.resolve(takeLocal(who));
  return async (who) => (await shared(`capture-gateway:rate:${who}`, limits)) ?? takeLocal(who);
}
