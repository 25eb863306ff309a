// Live capture status through a real gateway and simulator: the simulator on a hand-driven clock (a
// capture runs to its end without sleeping) and the gateway's pollers on hand-driven timers, so a test
// moves the capture on, then lets the pollers read once.
import { CREATE, createInput, createdTask, startLifecycleHarness, type LifecycleHarness } from './lifecycle.ts';
import type { HarnessOptions } from './harness.ts';
import { ManualTimers } from './live-timers.ts';
import { until } from './until.ts';

export interface LiveHarness extends LifecycleHarness {
  readonly timers: ManualTimers;
  /** Moves the capture's clock on by `ms`, then lets every poller read once (and waits for the reads). */
  step(ms: number): Promise<void>;
  /** Creates a running capture on the empty firewall through the gateway; its id. */
  startCapture(change?: Record<string, unknown>): Promise<string>;
}

/** The task's live fields; what the client tests select. */
export const WATCH = `subscription Watch($fw: ID!, $id: ID!) {
  captureTaskChanged(fwInstanceId: $fw, id: $id) { id status captureSize isDeleted }
}`;

export interface WatchedShape {
  readonly captureTaskChanged: { readonly id: string; readonly status: string; readonly captureSize: string | null; readonly isDeleted: boolean } | null;
}

export async function startLiveHarness(options: HarnessOptions = {}): Promise<LiveHarness> {
  const timers = new ManualTimers();
  const harness = await startLifecycleHarness({ ...options, liveTimers: timers });
  const interval = harness.config.live.pollIntervalMs;
  const sum = async (name: string) => {
    const metric = await harness.gateway.metrics.registry.getSingleMetric(name)?.get();
    return (metric?.values ?? []).reduce((total, value) => total + value.value, 0);
  };
  const polls = () => sum('live_polls_total');
  return Object.assign(harness, {
    timers,
    async step(ms: number) {
      const before = await polls();
      harness.clock.advance(ms);
      // Every poller is waiting out its interval between two steps (none backs off here).
      const pending = await sum('live_pollers_active');
      timers.advance(interval);
      // Each poller reads once, and has dealt with what it read.
      await until(async () => (await polls()) >= before + pending, 'the pollers to read');
    },
    async startCapture(change: Record<string, unknown> = {}) {
      return createdTask(await harness.gql(CREATE, { input: createInput(change) })).id;
    },
  });
}

export async function withLive<T>(options: HarnessOptions, test: (harness: LiveHarness) => Promise<T>): Promise<T> {
  const harness = await startLiveHarness(options);
  try {
    return await test(harness);
  } finally {
    await harness.close();
  }
}

/** Reads an async iterator into an array as its items come; `done` once it ends. */
export function collect<T>(iterator: AsyncIterable<T>): { readonly items: T[]; readonly done: Promise<void>; readonly ended: boolean } {
  const items: T[] = [];
  const flags = { ended: false };
  const done = (async () => {
    for await (const item of iterator) items.push(item);
    flags.ended = true;
  })();
  return {
    items,
    done,
    get ended() {
      return flags.ended;
    },
  };
}
