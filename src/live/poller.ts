// One poller per (credential, firewall, enterprise project): it reads the firewall's whole list once
// per interval for every subscriber of every task on it, and tells each subscriber of its task's state
// when it changed. A passing upstream failure backs the poller off (the interval doubled per failure,
// up to MAX_BACKOFF_FACTOR intervals) and it carries on; a failure that lasts longer than
// `maxFailingMs`, or one that is not passing (credentials refused, a firewall CFW does not know),
// ends every stream of the poller with that error. It stops when its last subscriber leaves.
import type { CaptureTaskRecord } from '../upstream/wire.ts';
import { hasFinalStatus, listedStateOf, type LiveEndReason, type LiveEvent } from './state.ts';
import type { LiveTimers } from './timers.ts';

/** The longest wait between two reads of a failing poller, in intervals. */
export const MAX_BACKOFF_FACTOR = 8;

/** The one `gone` event: every subscriber told so gets the same object. */
const GONE: LiveEvent = { kind: 'gone' };

/**
 * One event object per record read: every subscriber of a task gets the same object from a read, so
 * a transport can work out the answer once for all of them (live-operations.ts shares by it).
 */
const eventsByRecord = new WeakMap<CaptureTaskRecord, LiveEvent>();
function eventOf(record: CaptureTaskRecord): LiveEvent {
  let event = eventsByRecord.get(record);
  if (event === undefined) {
    event = { kind: 'task', record };
    eventsByRecord.set(record, event);
  }
  return event;
}

/** Reads the firewall's whole list (every page), or fails. */
export type ListScan = (signal: AbortSignal) => Promise<readonly CaptureTaskRecord[]>;

export interface PollerOptions {
  readonly intervalMs: number;
  /** How long reads may keep failing (passing failures) before the poller's streams end with the last error. */
  readonly maxFailingMs: number;
  readonly timers: LiveTimers;
  readonly scan: ListScan;
  /** Whether a failed read is passing (5xx, timeout, breaker open): the poller backs off and carries on. */
  readonly isPassing: (error: Error) => boolean;
  /** Told after every read. */
  readonly onPoll?: ((outcome: 'ok' | 'failed') => void) | undefined;
  /** Told when the last subscriber left and the poller stopped. */
  readonly onIdle: () => void;
}

/** Where a subscriber's events go. */
export interface WatchSink {
  /** A state (deduplicated by its key downstream) or the stream's last event. */
  offer(event: LiveEvent, key: string): void;
  /** The stream ends, after `last` when given. */
  end(reason: LiveEndReason, last?: LiveEvent): void;
}

interface Watcher {
  readonly taskId: string;
  readonly sink: WatchSink;
  /** The number of reads started when it joined: a later read may tell it its task is not listed. */
  readonly joinedAt: number;
  /** Whether its task was ever listed to it. */
  seen: boolean;
}

export class FirewallPoller {
  readonly #options: PollerOptions;
  readonly #watchers = new Set<Watcher>();
  /** The last list read, by task id. */
  #snapshot: ReadonlyMap<string, CaptureTaskRecord> | undefined;
  #readsStarted = 0;
  #reading = false;
  /** A read did not list the task of a subscriber that joined while it ran: read again at once. */
  #readAgain = false;
  #timer: unknown;
  #failures = 0;
  #failingSince: number | undefined;
  #stopped = false;
  readonly #controller = new AbortController();

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#watchers.size;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Adds a subscriber of `taskId`; returns how it leaves. Its first event comes from the last read when that lists the task, else from the next read. */
  watch(taskId: string, sink: WatchSink): () => void {
    const watcher: Watcher = { taskId, sink, joinedAt: this.#readsStarted, seen: false };
    this.#watchers.add(watcher);
    const listed = this.#snapshot?.get(taskId);
    if (listed !== undefined) this.#tell(watcher, listed);
    // A read in flight may list it; if it does not, the poller reads again at once.
    else if (!this.#reading) this.#readSoon();
    return () => {
      this.#leave(watcher);
    };
  }

  /** Ends every stream (`reason`) and stops. */
  stop(reason: LiveEndReason, last?: LiveEvent): void {
    for (const watcher of [...this.#watchers]) {
      this.#watchers.delete(watcher);
      watcher.sink.end(reason, last);
    }
    this.#halt();
  }

  #leave(watcher: Watcher): void {
    if (!this.#watchers.delete(watcher)) return;
    if (this.#watchers.size === 0) this.#halt();
  }

  #halt(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller.abort();
    this.#options.onIdle();
  }

  /** A read now (none is running). */
  #readSoon(): void {
    // A failing poller keeps its backoff: newcomers wait for its next read.
    if (this.#stopped || this.#failures > 0) return;
    if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#read();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = undefined;
      void this.#read();
    }, delayMs);
  }

  async #read(): Promise<void> {
    this.#reading = true;
    const started = ++this.#readsStarted;
    let records: readonly CaptureTaskRecord[];
    try {
      records = await this.#options.scan(this.#controller.signal);
    } catch (caught) {
      this.#reading = false;
      if (this.#stopped) return;
      const error = caught instanceof Error ? caught : new Error(String(caught));
      this.#options.onPoll?.('failed');
      this.#failed(error);
      return;
    }
    this.#reading = false;
    if (this.#stopped) return;
    this.#options.onPoll?.('ok');
    this.#failures = 0;
    this.#failingSince = undefined;
    const snapshot = new Map<string, CaptureTaskRecord>();
    for (const record of records) snapshot.set(record.task_id, record);
    this.#snapshot = snapshot;
    for (const watcher of [...this.#watchers]) {
      const record = snapshot.get(watcher.taskId);
      if (record !== undefined) this.#tell(watcher, record);
      // Not listed: told only by a read that started after it joined (a task created just before it
      // subscribed is not yet in an older read), or when it was listed before; else read again now.
      else if (watcher.seen || started > watcher.joinedAt) this.#end(watcher, 'gone', GONE);
      else this.#readAgain = true;
    }
    // Every subscriber may have been told its last event: the poller then stopped.
    if (this.#watchers.size === 0) return;
    if (this.#readAgain) {
      this.#readAgain = false;
      void this.#read();
      return;
    }
    this.#schedule(this.#options.intervalMs);
  }

  #failed(error: Error): void {
    const now = this.#options.timers.now();
    this.#failingSince ??= now;
    this.#failures++;
    if (!this.#options.isPassing(error) || now - this.#failingSince >= this.#options.maxFailingMs) {
      this.stop('error', { kind: 'error', error });
      return;
    }
    this.#readAgain = false;
    this.#schedule(this.#options.intervalMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** this.#failures));
  }

  #tell(watcher: Watcher, record: CaptureTaskRecord): void {
    watcher.seen = true;
    const event = eventOf(record);
    watcher.sink.offer(event, listedStateOf(record));
    if (hasFinalStatus(record)) this.#end(watcher, 'final');
  }

  #end(watcher: Watcher, reason: LiveEndReason, last?: LiveEvent): void {
    this.#watchers.delete(watcher);
    watcher.sink.end(reason, last);
    if (this.#watchers.size === 0) this.#halt();
  }
}
