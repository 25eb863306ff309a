// Prometheus metrics (prom-client), one registry per gateway so tests and several gateways in one
// process never mix their counts. Served at /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreBreaker, StoreBreakerState } from '../cache/breaker.ts';
import type { BreakerState } from '../upstream/resilience.ts';
import type { UpstreamCallEvent } from '../upstream/capture-tasks.ts';

const BREAKER_VALUES: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };
const STORE_BREAKER_VALUES: Readonly<Record<StoreBreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };
/** Operation names come from clients: only tidy names, and not too many, become labels. */
const MAX_OPERATION_NAMES = 100;

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #operationNames = new Set<string>();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name and outcome (ok, error, partial).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation latency by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'upstream_calls_total',
    help: 'Upstream CFW calls by final HTTP status (0: no answer) and gateway error code.',
    labelNames: ['status', 'code'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'upstream_call_duration_seconds',
    help: 'Upstream CFW call latency, retries included.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({ name: 'upstream_retries_total', help: 'Upstream attempts beyond the first.', registers: [this.registry] });
  readonly breakerState = new Gauge({
    name: 'upstream_breaker_state',
    help: 'Upstream circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated.',
    registers: [this.registry],
  });
  readonly loaderDedupHits = new Counter({
    name: 'loader_dedup_hits_total',
    help: 'Page reads served by another identical read of the same operation instead of an upstream call.',
    registers: [this.registry],
  });
  readonly mutations = new Counter({
    name: 'graphql_mutations_total',
    help: 'Capture lifecycle mutations by mutation and outcome (ok, user-error, error).',
    labelNames: ['mutation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly trustedDocumentRefusals = new Counter({
    name: 'trusted_document_refusals_total',
    help: 'Requests refused by PERSISTED_DOCUMENTS before execution, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly sharedReads = new Counter({
    name: 'page_reads_shared_total',
    help: 'Page reads served without an upstream call of their own: from the page cache, or by joining an identical call in flight.',
    labelNames: ['how'] as const,
    registers: [this.registry],
  });

  readonly callerRateLimited = new Counter({
    name: 'caller_rate_limited_total',
    help: 'Operations refused with RATE_LIMITED because their caller was over CALLER_RATE_LIMIT_PER_SECOND.',
    registers: [this.registry],
  });
  readonly drainStarted = new Gauge({
    name: 'gateway_drain_started_timestamp_seconds',
    help: 'When this instance started leaving (SIGTERM), as a Unix time; 0 while it serves.',
    registers: [this.registry],
  });
  #ready: () => boolean = () => false;
  #leaving: () => boolean = () => false;
  readonly ready = new Gauge({
    name: 'gateway_ready',
    help: 'What /readyz says: 1 ready, 0 starting or leaving.',
    registers: [this.registry],
    collect: () => {
      this.ready.set(this.#ready() ? 1 : 0);
    },
  });
  readonly draining = new Gauge({
    name: 'gateway_draining',
    help: '1 from SIGTERM until the process exits, 0 otherwise.',
    registers: [this.registry],
    collect: () => {
      this.draining.set(this.#leaving() ? 1 : 0);
    },
  });

  #storeBreaker: StoreBreaker | undefined;
  #storeBypassedSeen = 0;
  readonly storeBreakerState = new Gauge({
    name: 'cache_store_breaker_state',
    help: 'Redis store breaker: 0 closed, 1 half-open, 2 open (bypassed); absent without Redis.',
    registers: [this.registry],
    collect: () => {
      const breaker = this.#storeBreaker;
      if (breaker !== undefined) this.storeBreakerState.set(STORE_BREAKER_VALUES[breaker.state]);
    },
  });
  readonly storeBypassed = new Counter({
    name: 'cache_store_bypassed_total',
    help: 'Store commands not sent to Redis because its breaker was open: each a cache miss.',
    registers: [this.registry],
    collect: () => {
      const bypassed = this.#storeBreaker?.bypassed ?? 0;
      if (bypassed > this.#storeBypassedSeen) this.storeBypassed.inc(bypassed - this.#storeBypassedSeen);
      this.#storeBypassedSeen = bypassed;
    },
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  operationLabel(name: string | null | undefined): string {
    if (name === null || name === undefined || name === '') return 'anonymous';
    if (this.#operationNames.has(name)) return name;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || this.#operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.#operationNames.add(name);
    return name;
  }

  observeUpstream(event: UpstreamCallEvent): void {
    this.upstreamCalls.inc({ status: String(event.status ?? 0), code: event.code ?? 'OK' });
    this.upstreamDuration.observe({ outcome: event.outcome }, event.durationMs / 1000);
    if (event.attempts > 1) this.upstreamRetries.inc(event.attempts - 1);
  }

  /** Reports readiness and leaving in /metrics, as /readyz decides them. */
  observeReadiness(ready: () => boolean, leaving: () => boolean): void {
    this.#ready = ready;
    this.#leaving = leaving;
  }

  /** Reports the Redis store's breaker in /metrics. */
  observeStore(breaker: StoreBreaker | undefined): void {
    this.#storeBreaker = breaker;
  }

  observeBreaker(state: BreakerState): void {
    this.breakerState.set(BREAKER_VALUES[state]);
  }
}
