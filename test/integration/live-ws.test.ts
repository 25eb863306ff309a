// Subscription.captureTaskChanged over WebSocket (graphql-transport-ws, graphql-ws's client over
// `ws`), against a real gateway and simulator: credentials in connection_init, the origin check on
// the upgrade, the per-connection cap, and a capture watched until a stop through the gateway.
import { describe, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { EMPTY_FIREWALL, STOP } from '../helpers/lifecycle.ts';
import { collect, WATCH, withLive, type LiveHarness, type WatchedShape } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';

const wsUrl = (harness: LiveHarness) => harness.url.replace(/^http/, 'ws');

function wsClient(harness: LiveHarness, connectionParams: Record<string, string>, closes: { code: number; reason: string }[] = []): Client {
  return createClient({
    url: wsUrl(harness),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        if (event instanceof Object && 'code' in event && 'reason' in event) closes.push({ code: Number(event.code), reason: String(event.reason) });
      },
    },
  });
}

/** The status code an upgrade is answered with, or 101 when it is accepted. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', origin === undefined ? {} : { origin });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (!error.message.includes('Unexpected server response')) reject(error);
    });
  });
}

describe('captureTaskChanged over WebSocket', () => {
  it('follows a capture from RUNNING to STOPPED with credentials in connection_init (names in any case)', async () => {
    await withLive({}, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const client = wsClient(harness, { 'X-Auth-Token': DEMO_TOKEN });
      const stream = collect(client.iterate<WatchedShape>({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }));
      await until(() => stream.items.length === 1, 'the first event');
      expect(stream.items[0]?.data?.captureTaskChanged).toMatchObject({ id, status: 'RUNNING' });
      expect((await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } })).body.errors).toBeUndefined();
      await harness.step(1_000);
      await harness.step(10_000);
      await stream.done;
      expect(stream.items.map((item) => item.data?.captureTaskChanged?.status)).toEqual(['RUNNING', 'ENDING', 'STOPPED']);
      const metrics = await harness.gateway.metrics.registry.metrics();
      expect(metrics).toMatch(/live_events_sent_total\{transport="ws"\} 3/);
      await client.dispose();
    });
  });

  it('closes a connection without a credential with 4403', async () => {
    await withLive({}, async (harness) => {
      const closes: { code: number; reason: string }[] = [];
      const client = wsClient(harness, {}, closes);
      const stream = collect(client.iterate({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id: 'x' } }));
      await expect(stream.done).rejects.toBeDefined();
      expect(closes).toEqual([{ code: 4403, reason: 'Forbidden' }]);
    });
  });

  it('refuses the upgrade with 403 for an origin CORS does not allow, and accepts loopback origins outside production', async () => {
    await withLive({}, async (harness) => {
      expect(await upgradeStatus(wsUrl(harness), 'https://evil.example')).toBe(403);
      expect(await upgradeStatus(wsUrl(harness), 'http://localhost:5173')).toBe(101);
      expect(await upgradeStatus(wsUrl(harness), undefined)).toBe(101);
      expect(await upgradeStatus(wsUrl(harness).replace('/graphql', '/elsewhere'), undefined)).toBe(404);
    });
    await withLive({ env: { NODE_ENV: 'production', CORS_ORIGINS: 'https://console.example.com' } }, async (harness) => {
      expect(await upgradeStatus(wsUrl(harness), 'http://localhost:5173')).toBe(403);
      expect(await upgradeStatus(wsUrl(harness), 'https://console.example.com')).toBe(101);
    });
  });

  it('refuses a subscription over the per-connection cap with TOO_MANY_SUBSCRIPTIONS, the first still served', async () => {
    await withLive({ env: { MAX_SUBSCRIPTIONS_PER_CONNECTION: '1' } }, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const client = wsClient(harness, { 'x-auth-token': DEMO_TOKEN });
      const first = collect(client.iterate<WatchedShape>({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }));
      await until(() => first.items.length === 1, 'the first event');
      const second = collect(client.iterate({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }));
      const refusal: unknown = await second.done.then(
        () => 'completed',
        (error: unknown) => error,
      );
      expect(refusal).toEqual([
        expect.objectContaining({
          message: 'Too many subscriptions: at most 1 open at once per connection; end one first.',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', scope: 'connection', limit: 1 },
        }),
      ]);
      expect(first.ended).toBe(false);
      // The gateway's shutdown ends it (1012) after the test.
      first.done.catch(() => undefined);
      await client.dispose();
    });
  });
});
