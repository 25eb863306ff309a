// Subscriptions under the gateway's other auth mode (AK/SK: callers prove themselves with an API key
// or a JWT, the gateway signs its CFW calls): an API key in a WebSocket's connection_init, and a JWT
// that expires mid-stream, which ends the stream with UNAUTHENTICATED on the live timers.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import WebSocket from 'ws';
import { CREATE, createdTask, createInput, EMPTY_FIREWALL } from '../helpers/lifecycle.ts';
import { collect, WATCH, withLive, type WatchedShape } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';

const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const simulator = { accessKeys: new Map([[AK, SK]]), tokens: new Map() };
const aksk = { CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK };

describe('live status in AK/SK mode', () => {
  it('takes an API key from connection_init (any case) and refuses an unknown one with 4403', async () => {
    const key = 'live-api-key-0123456789';
    const env = { ...aksk, INBOUND_WRITE_API_KEYS_SHA256: createHash('sha256').update(key).digest('hex') };
    await withLive({ env, simulator }, async (harness) => {
      const id = createdTask(await harness.gql(CREATE, { input: createInput({ durationMinutes: 30 }) }, { 'x-api-key': key })).id;
      const ws = createWsClient({
        url: harness.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { 'X-API-KEY': key },
        retryAttempts: 0,
      });
      const stream = collect(ws.iterate<WatchedShape>({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }));
      await until(() => stream.items.length === 1, 'the first event');
      expect(stream.items[0]?.data?.captureTaskChanged?.status).toBe('RUNNING');
      stream.done.catch(() => undefined);
      await ws.dispose();
      const closes: number[] = [];
      const refused = createWsClient({
        url: harness.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { 'x-api-key': 'guess' },
        retryAttempts: 0,
        on: {
          closed: (event) => {
            if (event instanceof Object && 'code' in event) closes.push(Number(event.code));
          },
        },
      });
      await expect(collect(refused.iterate({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } })).done).rejects.toBeDefined();
      expect(closes).toEqual([4403]);
    });
  });

  it('ends a stream with UNAUTHENTICATED when the caller’s JWT expires', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const env = { ...aksk, INBOUND_JWT_PUBLIC_KEY: await exportSPKI(publicKey), INBOUND_JWT_ALGORITHM: 'ES256' };
    const jwt = await new SignJWT({ sub: 'operator', scope: 'capture-tasks:write' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(privateKey);
    await withLive({ env, simulator }, async (harness) => {
      const headers = { authorization: `Bearer ${jwt}` };
      const id = createdTask(await harness.gql(CREATE, { input: createInput({ durationMinutes: 30 }) }, headers)).id;
      const sse = createSseClient({ url: harness.url, headers, retryAttempts: 0 });
      const stream = collect(sse.iterate<WatchedShape>({ query: WATCH, variables: { fw: EMPTY_FIREWALL, id } }));
      await until(() => stream.items.length === 1, 'the first event');
      harness.timers.advance(30_000);
      expect(stream.ended).toBe(false);
      harness.timers.advance(31_000);
      await stream.done;
      expect(stream.items.at(-1)).toEqual({
        data: { captureTaskChanged: null },
        errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })],
      });
    });
  });
});
