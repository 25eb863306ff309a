// Per-upstream-host protection, from cockatiel: a circuit breaker that stops calling a failing CFW
// for a while (so clients fail fast instead of piling up behind timeouts), and a bulkhead that
// caps concurrent upstream calls per process with a bounded queue. Retries stay in got, one layer.
// An open breaker recovers by itself: once its half-open time has passed, a probe call goes through
// it, so a balancer that sends no traffic, or a page cache that answers every read, never leaves it
// open.
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  TaskCancelledError,
  ConsecutiveBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { Config } from '../config.ts';
import { ErrorCode, GatewayError, UpstreamCancelledError, UpstreamError } from '../errors.ts';
import type { ThrottleGate } from './throttle.ts';

/** Its slice of the configuration (config.ts says what each setting means). */
export type ResilienceOptions = Config['upstream']['resilience'];

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Failures that say the upstream itself is unwell; a 401 or a missing firewall says nothing of it. */
export function isUpstreamHealthFailure(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return true;
  if (error instanceof UpstreamCancelledError) return false;
  // A 4xx (429 rate limiting, CFW's transient 400) is the upstream answering, not failing.
  const status = error instanceof UpstreamError ? error.upstream.status : undefined;
  if (status !== undefined && status < 500) return false;
  return error.code === ErrorCode.UPSTREAM_UNAVAILABLE || error.code === ErrorCode.UPSTREAM_TIMEOUT || error.code === ErrorCode.UPSTREAM_ERROR;
}

export interface UpstreamGuard {
  execute<T>(call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly state: () => BreakerState;
  /** Told of each state change (metrics, logs). */
  onStateChange(listener: (state: BreakerState) => void): void;
  /** Stops the recovery probe's timer. */
  close(): void;
}

/** One cheap call that tells whether the upstream answers: resolves when it does, throws when it does not. */
export type UpstreamProbe = (signal: AbortSignal) => Promise<void>;

/** How soon after a probe found the circuit still open (a moment too early) it tries again. */
const PROBE_RETRY_MS = 50;

const STATE_NAMES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export function createUpstreamGuard(options: ResilienceOptions, probe?: UpstreamProbe, throttle?: ThrottleGate): UpstreamGuard {
  const breaker = circuitBreaker(handleWhen(isUpstreamHealthFailure), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold),
  });
  const limiter = bulkhead(options.maxConcurrent, options.maxQueued);
  const policy: IPolicy = wrap(limiter, breaker);
  let probeTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const scheduleProbe = (afterMs: number) => {
    if (probe === undefined || closed) return;
    clearTimeout(probeTimer);
    probeTimer = setTimeout(() => {
      // Straight through the breaker (not the bulkhead: a full queue must not delay recovery). When
      // the circuit is still open, try again shortly; a failed probe reopens it, which schedules the next.
      breaker
        .execute(({ signal }) => probe(signal))
        .catch((error: unknown) => {
          if (error instanceof BrokenCircuitError && breaker.state === CircuitState.Open) scheduleProbe(PROBE_RETRY_MS);
        });
    }, afterMs);
    probeTimer.unref();
  };
  breaker.onStateChange((state) => {
    if (state === CircuitState.Open) scheduleProbe(options.halfOpenAfterMs);
  });
  return {
    close() {
      closed = true;
      clearTimeout(probeTimer);
    },
    async execute(call, signal) {
      // CFW said 429 a moment ago: no attempt leaves until the time it asked for has passed (throttle.ts).
      const heldOff = throttle?.refusal();
      if (heldOff !== undefined) throw heldOff;
      try {
        return await policy.execute(({ signal: policySignal }) => call(policySignal), signal);
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw new UpstreamError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            'The upstream has been failing, so the gateway is not calling it for a few seconds (circuit open); try again shortly.',
            { attempts: 0 },
            { cause: error },
          );
        }
        if (error instanceof TaskCancelledError) {
          // Aborted while queued for a slot: by the deadline, or because the operation ended.
          const timedOut = signal?.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
          throw timedOut
            ? new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'The upstream call waited too long for a free connection slot.', { attempts: 0 }, { cause: error })
            : new UpstreamCancelledError(0, { cause: error });
        }
        if (error instanceof BulkheadRejectedError) {
          throw new UpstreamError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            'The gateway has too many upstream calls in flight; try again shortly.',
            { attempts: 0 },
            { cause: error },
          );
        }
        throw error;
      }
    },
    state: () => STATE_NAMES[breaker.state],
    onStateChange(listener) {
      breaker.onStateChange((state) => {
        listener(STATE_NAMES[state]);
      });
    },
  };
}
