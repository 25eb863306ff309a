// The metrics of live capture status, in the gateway's registry: subscriptions open by transport,
// events sent, pollers running and their upstream polls.
import { Counter, Gauge, type Registry } from 'prom-client';

/** How a subscriber is connected. */
export type LiveTransport = 'sse' | 'ws' | 'callback';

export class LiveMetrics {
  readonly subscriptions: Gauge<'transport'>;
  readonly events: Counter<'transport'>;
  readonly pollers: Gauge;
  readonly polls: Counter<'outcome'>;
  readonly ended: Counter<'transport' | 'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.subscriptions = new Gauge({
      name: 'live_subscriptions_active',
      help: 'Subscriptions open now, by transport (sse, ws, callback).',
      labelNames: ['transport'] as const,
      registers,
    });
    this.events = new Counter({
      name: 'live_events_sent_total',
      help: 'Subscription events handed to their transport, by transport.',
      labelNames: ['transport'] as const,
      registers,
    });
    this.pollers = new Gauge({
      name: 'live_pollers_active',
      help: 'Pollers running now: one per credential, firewall and enterprise project watched.',
      registers,
    });
    this.polls = new Counter({
      name: 'live_polls_total',
      help: "Pollers' reads of a firewall's list, by outcome (ok, failed).",
      labelNames: ['outcome'] as const,
      registers,
    });
    this.ended = new Counter({
      name: 'live_subscriptions_ended_total',
      help: 'Subscriptions ended, by transport and reason (final, gone, error, client, draining).',
      labelNames: ['transport', 'reason'] as const,
      registers,
    });
    for (const transport of ['sse', 'ws', 'callback'] as const) this.subscriptions.set({ transport }, 0);
  }
}
