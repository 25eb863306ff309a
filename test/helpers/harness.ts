// A real gateway in front of a real simulator, both on loopback ports, talking over real HTTP with
// the real got client. Tests state their upstream scenario inline through the options.
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createGateway, type Gateway } from '../../src/server/edge.ts';
import { DEMO_TOKEN, Simulator, type SimulatorOptions } from '../../src/simulator/server.ts';
import { SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { createUpstreamHttp, retryDelayFor, upstreamOptionsFrom, type UpstreamHttp } from '../../src/upstream/client.ts';
import type { LookupFunction } from 'node:net';
import type { Hooks } from 'got';
import type { LifecycleClock } from '../../src/lifecycle/mutations.ts';
import type { LiveTimers } from '../../src/live/timers.ts';

export interface GraphQLResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: readonly { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    readonly extensions?: Record<string, unknown>;
  };
  readonly text: string;
}

export interface Harness {
  readonly simulator: Simulator;
  readonly config: Config;
  readonly gateway: Gateway;
  /** The gateway's upstream client: its guard tells the breaker's state. */
  readonly upstream: UpstreamHttp;
  /** Each retry delay the gateway's retry policy asked for, in ms (0: no retry), oldest first. */
  readonly retryDelays: readonly number[];
  /** The gateway's GraphQL URL. */
  readonly url: string;
  /** The gateway's base URL (no path). */
  readonly origin: string;
  /** POSTs an operation; sends the demo token unless `headers` says otherwise. */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly simulator?: SimulatorOptions;
  /** Environment for the gateway's config, on top of quiet test defaults. */
  readonly env?: Record<string, string>;
  /** Token used when a request has none (the simulator mode's behaviour); default none. */
  readonly fallbackToken?: string;
  readonly logger?: Logger;
  /** The query an explorer opens with (main.ts gives the banner's in simulator mode). */
  readonly exampleQuery?: string;
  /** Upstream retry backoff, small in tests. */
  readonly backoffBaseMs?: number;
  /** The clock deleteCaptureTasks waits by (a test advances the simulator's clock instead of sleeping). */
  readonly lifecycleClock?: LifecycleClock;
  /** The clock the Redis store's breaker reads (a test moves it past REDIS_BREAKER_OPEN_MS instead of waiting). */
  readonly storeClock?: () => number;
  /** Reach the simulator by this host name instead of 127.0.0.1 (with `dnsLookup`). */
  readonly upstreamHost?: string;
  /** How the gateway resolves the upstream's host name. */
  readonly dnsLookup?: LookupFunction;
  /** got hooks on the gateway's upstream client. */
  readonly upstreamHooks?: Partial<Hooks>;
  /**
   * Retry after 1 ms whatever the policy asks (retryDelays still records what it asked): a test of
   * Retry-After asserts the delay chosen instead of waiting it out on the clock.
   */
  readonly skipRetryWaits?: boolean;
  /** The timers the live pollers run by (test/helpers/live-timers.ts), so a test fires their reads. */
  readonly liveTimers?: LiveTimers;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const simulator = new Simulator(options.simulator);
  const listening = await simulator.listen();
  const endpoint = options.upstreamHost === undefined ? listening : listening.replace('127.0.0.1', options.upstreamHost);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', CFW_ENDPOINT: endpoint, CFW_PROJECT_ID: SIMULATOR_PROJECT_ID, ...options.env });
  const logger = options.logger ?? createLogger(config.logLevel);
  // Retries back off briefly in tests, so fault scenarios stay fast.
  const upstreamOptions = {
    ...upstreamOptionsFrom(config, endpoint, SIMULATOR_PROJECT_ID),
    backoffBaseMs: options.backoffBaseMs ?? 5,
    backoffCapMs: 50,
    dnsLookup: options.dnsLookup,
  };
  const upstream = createUpstreamHttp(upstreamOptions, options.upstreamHooks);
  const policy = retryDelayFor(upstreamOptions);
  const retryDelays: number[] = [];
  const recorded: UpstreamHttp = {
    ...upstream,
    got: upstream.got.extend({
      retry: {
        calculateDelay: (retry) => {
          const delay = policy(retry);
          retryDelays.push(delay);
          return options.skipRetryWaits === true && delay > 0 ? 1 : delay;
        },
      },
    }),
  };
  const gateway: Gateway = await createGateway({
    config,
    logger,
    upstream: recorded,
    fallbackToken: options.fallbackToken,
    exampleQuery: options.exampleQuery,
    lifecycleClock: options.lifecycleClock,
    storeClock: options.storeClock,
    liveTimers: options.liveTimers,
  });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    simulator,
    config,
    gateway,
    upstream: recorded,
    retryDelays,
    url,
    origin: new URL(url).origin,
    async gql(query, variables, headers = { 'x-auth-token': DEMO_TOKEN }) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResult['body'], text };
    },
    async close() {
      await gateway.close();
      await simulator.close();
    },
  };
}

/** Runs `test` against a fresh harness and always closes it. */
export async function withHarness<T>(options: HarnessOptions, test: (harness: Harness) => Promise<T>): Promise<T> {
  const harness = await startHarness(options);
  try {
    return await test(harness);
  } finally {
    await harness.close();
  }
}

/**
 * Reads `data.captureTasks` (or another top-level field) of a result, failing loudly if absent.
 * T is the shape the test's own query selected: GraphQL guarantees it once the field is present.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function field<T = Record<string, unknown>>(result: GraphQLResult, name = 'captureTasks'): T {
  const value = result.body.data?.[name];
  if (value === undefined || value === null) throw new Error(`no data.${name} in ${result.text.slice(0, 500)}`);
  return value as T;
}

/** The gateway's count of page reads served without a call of their own (`cache` or `coalesced`). */
export async function sharedReads(harness: Harness, how: 'cache' | 'coalesced'): Promise<number> {
  const metric = await harness.gateway.metrics.sharedReads.get();
  return metric.values.find((value) => value.labels['how'] === how)?.value ?? 0;
}
