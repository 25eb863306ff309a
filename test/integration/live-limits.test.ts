// Live capture status's limits and safety through a real gateway: the caps per caller and per
// instance, keep-alives on idle streams (SSE comments, WebSocket pings) on the injected timers, and
// shutdown (WebSocket close 1012, SSE ended without `complete`), with one log line per ended stream.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../src/logger.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { EMPTY_FIREWALL } from '../helpers/lifecycle.ts';
import { collect, startLiveHarness, WATCH, withLive, type LiveHarness, type WatchedShape } from '../helpers/live.ts';
import { memorySink } from '../helpers/log.ts';
import { until } from '../helpers/until.ts';

/** An SSE subscription read raw: every chunk as it arrives, and whether the stream has ended. */
async function rawSse(harness: LiveHarness, token: string, id: string) {
  const response = await fetch(harness.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': token },
    body: JSON.stringify({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }),
  });
  const body = response.body;
  if (body === null) throw new Error('no body');
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const state = { text: '', ended: false };
  const done = (async () => {
    for (let read = await reader.read(); !read.done; read = await reader.read()) state.text += read.value;
    state.ended = true;
  })();
  return { response, state, done };
}

describe('live limits', () => {
  it('refuses a caller over MAX_SUBSCRIPTIONS_PER_CALLER and anyone over MAX_SUBSCRIPTIONS_PER_INSTANCE, typed', async () => {
    const tokens = new Map([
      [DEMO_TOKEN, {}],
      ['other', {}],
      ['third', {}],
    ]);
    await withLive({ env: { MAX_SUBSCRIPTIONS_PER_CALLER: '1', MAX_SUBSCRIPTIONS_PER_INSTANCE: '2' }, simulator: { tokens } }, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const first = await rawSse(harness, DEMO_TOKEN, id);
      await until(() => first.state.text.includes('RUNNING'), 'the first event');
      const again = await rawSse(harness, DEMO_TOKEN, id);
      await again.done;
      expect(again.state.text).toContain('"code":"TOO_MANY_SUBSCRIPTIONS","scope":"caller","limit":1');
      const other = await rawSse(harness, 'other', id);
      await until(() => other.state.text.includes('RUNNING'), 'the other caller');
      const third = await rawSse(harness, 'third', id);
      await third.done;
      expect(third.state.text).toContain('"code":"TOO_MANY_SUBSCRIPTIONS","scope":"instance","limit":2');
      expect(third.state.text).toMatch(/event: complete\ndata:\n\n$/);
    });
  });

  it('keeps idle streams alive: an SSE comment and a WebSocket ping every SUBSCRIPTION_KEEPALIVE_MS', async () => {
    await withLive({ env: { SUBSCRIPTION_KEEPALIVE_MS: '15000', SUBSCRIPTION_POLL_INTERVAL_MS: '60000' } }, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const sse = await rawSse(harness, DEMO_TOKEN, id);
      await until(() => sse.state.text.includes('RUNNING'), 'the first event');
      const socket = new WebSocket(harness.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      let pings = 0;
      socket.on('ping', () => pings++);
      const before = sse.state.text.length;
      harness.timers.advance(14_999);
      for (let turn = 0; turn < 20; turn++) await nextTurn();
      expect(pings).toBe(0);
      expect(sse.state.text.length).toBe(before);
      harness.timers.advance(1);
      await until(() => pings === 1 && sse.state.text.length > before, 'a keep-alive');
      expect(sse.state.text.slice(before)).toBe(':\n\n');
      socket.close();
    });
  });

  it('on shutdown closes WebSockets with 1012 and ends SSE streams without complete, logging each end once with caller, firewall and reason', async () => {
    const log = memorySink();
    const harness = await startLiveHarness({ logger: createLogger('info', log.sink) });
    try {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const sse = await rawSse(harness, DEMO_TOKEN, id);
      const closes: number[] = [];
      const client = createClient({
        url: harness.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { 'x-auth-token': DEMO_TOKEN },
        retryAttempts: 0,
        on: {
          closed: (event) => {
            if (event instanceof Object && 'code' in event) closes.push(Number(event.code));
          },
        },
      });
      const ws = collect(client.iterate<WatchedShape>({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }));
      ws.done.catch(() => undefined);
      await until(() => sse.state.text.includes('RUNNING') && ws.items.length === 1, 'both first events');
      await harness.gateway.close();
      await sse.done;
      await until(() => closes.length === 1, 'the WebSocket to close');
      expect(closes).toEqual([1012]);
      expect(sse.state.text).not.toContain('event: complete');
      const ended = log.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'subscription ended');
      expect(ended).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ who: expect.stringMatching(/^token:/), fwInstanceId: EMPTY_FIREWALL, taskId: id, transport: 'sse', reason: 'draining' }),
          expect.objectContaining({ transport: 'ws', reason: 'draining' }),
        ]),
      );
      expect(ended).toHaveLength(2);
    } finally {
      await harness.simulator.close();
    }
  });
});
