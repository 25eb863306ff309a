// What /healthz and /readyz answer, and why each fails. Liveness fails only when the process is
// wedged (liveness.ts); readiness only while starting and from the moment the instance starts leaving,
// never because of a dependency every replica shares: an open CFW breaker or an unreachable Redis
// would take the whole fleet out at once. Those are shown in the answer (and /metrics), not acted on.
import type { StoreBreakerState } from '../cache/breaker.ts';
import type { BreakerState } from '../upstream/resilience.ts';
import { LoopDelayWatch } from './liveness.ts';

/** How often liveness samples the event loop. */
const LOOP_SAMPLE_MS = 1_000;

export interface ProbeSources {
  readonly listening: () => boolean;
  readonly leaving: () => boolean;
  readonly upstreamBreaker: () => BreakerState;
  /** The Redis store's breaker; 'memory' without Redis. */
  readonly cacheStore: () => StoreBreakerState | 'memory';
  /** A turn of the event loop longer than this fails liveness. */
  readonly maxLoopDelayMs: number;
  /** Warnings every health answer carries (ALLOW_ANONYMOUS). */
  readonly warnings: readonly string[];
}

export interface ProbeAnswer {
  readonly status: 200 | 503;
  readonly body: Record<string, unknown>;
}

export interface Probes {
  /** /healthz: cheap and unauthenticated; says nothing sensitive. */
  health(): ProbeAnswer;
  /** /readyz. */
  readiness(): ProbeAnswer;
  ready(): boolean;
  /** Stops sampling the event loop. */
  close(): void;
}

export function createProbes(sources: ProbeSources): Probes {
  const loop = new LoopDelayWatch({ intervalMs: LOOP_SAMPLE_MS, maxDelayMs: sources.maxLoopDelayMs }, performance.now());
  const timer = setInterval(() => {
    loop.tick(performance.now());
  }, LOOP_SAMPLE_MS);
  timer.unref();
  const ready = () => sources.listening() && !sources.leaving();
  return {
    health() {
      const now = performance.now();
      const live = loop.live(now);
      return {
        status: live ? 200 : 503,
        body: {
          status: live ? 'ok' : 'wedged',
          eventLoopDelayMs: Math.round(loop.delayMs(now)),
          ...(sources.warnings.length === 0 ? {} : { warnings: sources.warnings }),
        },
      };
    },
    readiness() {
      const isReady = ready();
      return {
        status: isReady ? 200 : 503,
        body: {
          status: isReady ? 'ready' : 'not ready',
          checks: {
            config: 'ok',
            listening: sources.listening(),
            draining: sources.leaving(),
            upstreamBreaker: sources.upstreamBreaker(),
            cacheStore: sources.cacheStore(),
          },
        },
      };
    },
    ready,
    close() {
      clearInterval(timer);
    },
  };
}
