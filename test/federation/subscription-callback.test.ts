// A supergraph's subscriptions reach this subgraph through Apollo Router's HTTP callback protocol
// (Apollo Server's subscription callback plugin). The router's side is played by a receiver written
// from the published protocol ("HTTP callback protocol for GraphQL subscriptions", callback/1.0):
//   - the router POSTs the subscription with extensions.subscription { callbackUrl, subscriptionId,
//     verifier, heartbeatIntervalMs };
//   - the subgraph sends `check` ({ kind: "subscription", action: "check", id, verifier }, header
//     subscription-protocol: callback/1.0), answered 204 with the same header, before it answers the
//     POST with { data: null };
//   - then `next` ({ …, action: "next", payload }) per event, answered 200; `check` again every
//     heartbeatIntervalMs (heartbeats), answered 204; and `complete` ({ …, action: "complete",
//     errors? }) once, answered 202.
// The capture is watched from RUNNING to STOPPED; the heartbeat interval runs on jest's fake
// setInterval, the pollers on the harness's hand-driven timers.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { EMPTY_FIREWALL, STOP } from '../helpers/lifecycle.ts';
import { withLive } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';

interface CallbackMessage {
  readonly kind: unknown;
  readonly action: unknown;
  readonly id: unknown;
  readonly verifier: unknown;
  readonly payload?: { readonly data?: { readonly captureTaskChanged?: { readonly status?: string } | null } };
  readonly errors?: unknown;
}

/** The router's callback endpoint: checks the id, verifier and protocol header of each message, records it, answers as the protocol says. */
async function startReceiver(id: string, verifier: string) {
  const messages: CallbackMessage[] = [];
  const refused: string[] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const message = JSON.parse(text) as CallbackMessage;
      const path = new URL(request.url ?? '/', 'http://router').pathname;
      if (path !== `/callback/${id}` || message.kind !== 'subscription' || message.id !== id || message.verifier !== verifier) {
        refused.push(text);
        response.writeHead(404).end();
        return;
      }
      messages.push(message);
      switch (message.action) {
        case 'check':
          if (request.headers['subscription-protocol'] !== 'callback/1.0') {
            refused.push(text);
            response.writeHead(400).end();
            return;
          }
          response.writeHead(204, { 'subscription-protocol': 'callback/1.0' }).end();
          return;
        case 'next':
          response.writeHead(200).end();
          return;
        case 'complete':
          response.writeHead(202).end();
          return;
        default:
          refused.push(text);
          response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    messages,
    refused,
    callbackUrl: `http://127.0.0.1:${address.port}/callback/${id}`,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('the router HTTP callback protocol', () => {
  it('checks, sends each event as next, heartbeats with check, and completes after STOPPED', async () => {
    // Only setInterval (the plugin's heartbeats) is faked: timers, I/O and the event loop stay real.
    jest.useFakeTimers({
      doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'],
    });
    await withLive({}, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const subscriptionId = randomUUID();
      const verifier = randomUUID();
      const receiver = await startReceiver(subscriptionId, verifier);
      try {
        const heartbeatIntervalMs = 5_000;
        const response = await fetch(harness.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN },
          body: JSON.stringify({
            query: 'subscription Watch($fw: ID!, $id: ID!) { captureTaskChanged(fwInstanceId: $fw, id: $id) { id status } }',
            variables: { fw: EMPTY_FIREWALL, id },
            extensions: { subscription: { callbackUrl: receiver.callbackUrl, subscriptionId, verifier, heartbeatIntervalMs } },
          }),
        });
        // The POST is answered only once the check went through.
        expect(receiver.messages.map((message) => message.action)).toEqual(['check']);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ data: null });
        await until(() => receiver.messages.length === 2, 'the first next');
        expect(receiver.messages[1]).toEqual({
          kind: 'subscription',
          action: 'next',
          id: subscriptionId,
          verifier,
          payload: { data: { captureTaskChanged: { id, status: 'RUNNING' } } },
        });
        jest.advanceTimersByTime(heartbeatIntervalMs);
        await until(() => receiver.messages.length === 3, 'a heartbeat');
        expect(receiver.messages[2]).toEqual({ kind: 'subscription', action: 'check', id: subscriptionId, verifier });
        expect((await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } })).body.errors).toBeUndefined();
        await harness.step(1_000);
        await harness.step(10_000);
        await until(() => receiver.messages.some((message) => message.action === 'complete'), 'complete');
        const events = receiver.messages.filter((message) => message.action === 'next').map((message) => message.payload?.data?.captureTaskChanged?.status);
        expect(events).toEqual(['RUNNING', 'ENDING', 'STOPPED']);
        expect(receiver.messages.at(-1)).toEqual({ kind: 'subscription', action: 'complete', id: subscriptionId, verifier });
        // No heartbeat after complete.
        const sent = receiver.messages.length;
        jest.advanceTimersByTime(3 * heartbeatIntervalMs);
        await harness.step(0).catch(() => undefined);
        expect(receiver.messages).toHaveLength(sent);
        expect(receiver.refused).toEqual([]);
        const metrics = await harness.gateway.metrics.registry.metrics();
        expect(metrics).toMatch(/live_events_sent_total\{transport="callback"\} 3/);
      } finally {
        await receiver.close();
      }
    });
  });

  it('refuses a subscription sent as a plain POST, without a callback', async () => {
    await withLive({}, async (harness) => {
      const result = await harness.gql('subscription { captureTaskChanged(fwInstanceId: "fw", id: "t") { id } }');
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');
    });
  });
});
