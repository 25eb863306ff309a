// A token bucket: `burst` tokens at most, refilled at `perSecond`; each admitted operation takes one.
// Pure: the state and the time come in, the decision and the next state go out. The Redis script in
// stores.ts runs the same arithmetic inside Redis, so the fleet shares one bucket per caller.

export interface BucketLimits {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** The bucket's size: how many operations may come at once after a quiet spell. */
  readonly burst: number;
}

export interface BucketState {
  readonly tokens: number;
  /** When `tokens` was counted, in ms. */
  readonly at: number;
}

export type BucketDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Takes one token from `state` (undefined: a full bucket) at `now`. */
export function takeToken(
  state: BucketState | undefined,
  now: number,
  limits: BucketLimits,
): { readonly decision: BucketDecision; readonly state: BucketState } {
  const elapsed = state === undefined ? 0 : Math.max(0, now - state.at);
  const tokens = state === undefined ? limits.burst : Math.min(limits.burst, state.tokens + (elapsed * limits.perSecond) / 1000);
  if (tokens >= 1) return { decision: { allowed: true }, state: { tokens: tokens - 1, at: now } };
  return { decision: { allowed: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / limits.perSecond) }, state: { tokens, at: now } };
}

/**
 * The same arithmetic in Redis, atomic per key, on Redis's own clock (so instances' clocks need not
 * agree). KEYS[1] the caller's bucket; ARGV perSecond, burst. Returns {allowed (0/1), retryAfterMs}.
 * The key expires once the bucket would be full again.
 */
export const TOKEN_BUCKET_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1])
local at = tonumber(saved[2])
if tokens == nil or at == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
`;
