// urql (@urql/core 6) with its defaults and subscriptionExchange, once forwarding subscriptions over
// graphql-sse (distinct connections) and once over graphql-ws: it starts a capture through the
// gateway, watches it, stops it, and sees RUNNING → ENDING → STOPPED before the stream ends.
import { describe, expect, it } from '@jest/globals';
import { Client, fetchExchange, subscriptionExchange, type SubscriptionForwarder } from '@urql/core';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { pipe, subscribe } from 'wonka';
import WebSocket from 'ws';
import { EMPTY_FIREWALL } from '../helpers/lifecycle.ts';
import { CAPTURE_INPUT } from './live-input.ts';
import { withLive, type LiveHarness } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';
import { CaptureTaskLiveDocument, StartCaptureDocument, StopCaptureDocument } from './__generated__/graphql.ts';
import { AUTH_HEADERS } from './walk.ts';

/** forwardSubscription over graphql-sse, as urql's documentation writes it. */
function overSse(harness: LiveHarness): { forward: SubscriptionForwarder; dispose: () => void } {
  const sse = createSseClient({ url: harness.url, headers: { ...AUTH_HEADERS } });
  return {
    forward: (request) => ({
      subscribe: (sink) => ({ unsubscribe: sse.subscribe({ ...request, query: request.query ?? '' }, sink) }),
    }),
    dispose: () => {
      sse.dispose();
    },
  };
}

/** forwardSubscription over graphql-ws, as urql's documentation writes it. */
function overWs(harness: LiveHarness): { forward: SubscriptionForwarder; dispose: () => void } {
  const ws = createWsClient({ url: harness.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { ...AUTH_HEADERS } });
  return {
    forward: (request) => ({
      subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
    }),
    dispose: () => {
      void ws.dispose();
    },
  };
}

describe('urql: subscriptionExchange', () => {
  it.each([
    ['graphql-sse', overSse],
    ['graphql-ws', overWs],
  ])('watches a capture it started from RUNNING to STOPPED over %s', async (_label, transport) => {
    await withLive({}, async (harness) => {
      const { forward, dispose } = transport(harness);
      const client = new Client({
        url: harness.url,
        fetchOptions: { headers: { ...AUTH_HEADERS } },
        exchanges: [fetchExchange, subscriptionExchange({ forwardSubscription: forward })],
      });
      try {
        const started = await client.mutation(StartCaptureDocument, { input: CAPTURE_INPUT }).toPromise();
        const id = started.data?.createCaptureTask.captureTask?.id;
        if (id === undefined) throw new Error(`no capture started: ${started.error?.message ?? ''}`);
        const statuses: (string | undefined)[] = [];
        let completed = false;
        const subscription = pipe(
          client.subscription(CaptureTaskLiveDocument, { fwInstanceId: EMPTY_FIREWALL, id }),
          subscribe((result) => {
            // urql hands each event with hasNext, and the last one again, without it, once the stream completes.
            if (result.hasNext) statuses.push(result.data?.captureTaskChanged?.status);
            else completed = true;
          }),
        );
        await until(() => statuses.length === 1, 'the first event');
        const stopped = await client.mutation(StopCaptureDocument, { input: { fwInstanceId: EMPTY_FIREWALL, id } }).toPromise();
        expect(stopped.data?.stopCaptureTask.userErrors).toEqual([]);
        await harness.step(1_000);
        await harness.step(10_000);
        await until(() => completed, 'the stream to complete');
        expect(statuses).toEqual(['RUNNING', 'ENDING', 'STOPPED']);
        subscription.unsubscribe();
      } finally {
        dispose();
      }
    });
  });
});
