// The instance's live pollers: one per (credential identity, firewall, enterprise project), made for
// the first subscriber of any task on that firewall and stopped when its last subscriber leaves. A
// subscription is a LatestChannel fed by its poller.
import { FirewallPoller, type ListScan } from './poller.ts';
import { LatestChannel } from './latest.ts';
import type { LiveEndReason, LiveEvent } from './state.ts';
import type { LiveTimers } from './timers.ts';

/** What a poller reads: whose authority, which firewall, which enterprise project. */
export interface PollScope {
  /** A stable, non-reversible key for the credential (read.ts credentialKeyOf). */
  readonly credentialKey: string;
  readonly fwInstanceId: string;
  readonly enterpriseProjectId: string | undefined;
}

export interface LiveHubOptions<S extends PollScope> {
  readonly intervalMs: number;
  readonly maxFailingMs: number;
  readonly timers: LiveTimers;
  /** How a poller of this scope reads the whole list. */
  readonly scanFor: (scope: S) => ListScan;
  readonly isPassing: (error: Error) => boolean;
  readonly onPoll?: ((outcome: 'ok' | 'failed') => void) | undefined;
  /** Told the number of pollers whenever it changes. */
  readonly onPollers?: ((count: number) => void) | undefined;
}

/** A subscription: its events, and how it ended once it has. */
export interface Watch extends AsyncIterableIterator<LiveEvent> {
  /** Undefined while it runs. */
  readonly endReason: LiveEndReason | undefined;
  /** The consumer leaves. */
  return(): Promise<IteratorResult<LiveEvent>>;
  /** Ends the stream with `error` as its last event (the caller's credentials expired). */
  expire(error: Error): void;
  /** Called once when it ends, whichever side ends it, with the error that ended it if one did. */
  onEnd(listener: (reason: LiveEndReason, error: Error | undefined) => void): void;
}

/** A subscription's channel, which remembers why it ended. */
class HubWatch extends LatestChannel<LiveEvent> implements Watch {
  #endReason: LiveEndReason | undefined;
  #error: Error | undefined;
  readonly #listeners: ((reason: LiveEndReason, error: Error | undefined) => void)[] = [];

  readonly #leave: () => void;

  constructor(leave: () => void, leaving: () => boolean) {
    super(() => {
      leave();
      // A consumer that leaves while the instance shuts down is ended by the shutdown.
      this.#ended(leaving() ? 'draining' : 'client');
    });
    this.#leave = leave;
  }

  expire(error: Error): void {
    if (this.ended) return;
    this.#leave();
    this.finish('error', { kind: 'error', error });
  }

  get endReason(): LiveEndReason | undefined {
    return this.#endReason;
  }

  onEnd(listener: (reason: LiveEndReason, error: Error | undefined) => void): void {
    if (this.#endReason !== undefined) listener(this.#endReason, this.#error);
    else this.#listeners.push(listener);
  }

  /** The producer's end: after what is pending, then `last`. */
  finish(reason: LiveEndReason, last?: LiveEvent): void {
    this.end(last);
    if (last?.kind === 'error') this.#error = last.error;
    this.#ended(reason);
  }

  #ended(reason: LiveEndReason): void {
    if (this.#endReason !== undefined) return;
    this.#endReason = reason;
    for (const listener of this.#listeners.splice(0)) listener(reason, this.#error);
  }
}

const scopeKeyOf = (scope: PollScope) => `${scope.credentialKey}\u0000${scope.fwInstanceId}\u0000${scope.enterpriseProjectId ?? ''}`;

export class LiveHub<S extends PollScope> {
  readonly #options: LiveHubOptions<S>;
  readonly #pollers = new Map<string, FirewallPoller>();
  #closed = false;
  #leaving = false;

  constructor(options: LiveHubOptions<S>) {
    this.#options = options;
  }

  /** Pollers running now. */
  get pollers(): number {
    return this.#pollers.size;
  }

  /** Watches one task; the stream runs until the task ends, fails, the consumer leaves or the hub closes. */
  watch(scope: S, taskId: string): Watch {
    const key = scopeKeyOf(scope);
    let poller = this.#pollers.get(key);
    if (poller === undefined || poller.stopped) {
      const made: FirewallPoller = new FirewallPoller({
        intervalMs: this.#options.intervalMs,
        maxFailingMs: this.#options.maxFailingMs,
        timers: this.#options.timers,
        scan: this.#options.scanFor(scope),
        isPassing: this.#options.isPassing,
        onPoll: this.#options.onPoll,
        onIdle: () => {
          if (this.#pollers.get(key) === made) this.#pollers.delete(key);
          this.#options.onPollers?.(this.#pollers.size);
        },
      });
      poller = made;
      this.#pollers.set(key, made);
      this.#options.onPollers?.(this.#pollers.size);
    }
    let leave = (): void => undefined;
    const watch = new HubWatch(
      () => {
        leave();
      },
      () => this.#leaving || this.#closed,
    );
    if (this.#closed) watch.finish('draining');
    else
      leave = poller.watch(taskId, {
        offer: (event, stateKey) => {
          watch.offer(event, stateKey);
        },
        end: (reason, last) => {
          watch.finish(reason, last);
        },
      });
    return watch;
  }

  /** The instance is shutting down: streams its transports end from now on end as `draining`. */
  leave(): void {
    this.#leaving = true;
  }

  /** Ends every stream (draining) and stops every poller; later watches end at once. */
  close(): void {
    this.#closed = true;
    for (const poller of [...this.#pollers.values()]) poller.stop('draining');
    this.#pollers.clear();
    this.#options.onPollers?.(0);
  }
}
