// The lifecycle's safety through real HTTP: download links (secrets) never reach a cache, a log, a
// trace or a metric; the page cache forgets a firewall after a change; AK/SK mode lets only callers
// with the write scope change anything; one log line and metrics per mutation.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createLogger } from '../../src/logger.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startTracing, type Tracing } from '../../src/tracing.ts';
import {
  CREATE,
  createdTask,
  createInput,
  EMPTY_FIREWALL,
  errorCodesOf,
  payloadOf,
  STOP,
  TASK,
  withLifecycle,
  type LifecycleHarness,
} from '../helpers/lifecycle.ts';
import { describeWithRedis, type RedisServer } from '../helpers/redis.ts';
import { memorySink } from '../helpers/log.ts';
import { until } from '../helpers/until.ts';

/** A finished task with packets, seeded on the demo firewall. */
function finishedTask(harness: LifecycleHarness): string {
  const task = harness.simulator.store
    .firewall(SIMULATOR_FIREWALLS.demo, undefined)
    ?.tasks.find((record) => record.status === 1 && record.is_deleted === 0 && /^[1-9]/.test(String(record.capture_size)));
  if (task === undefined) throw new Error('the seed has no finished task with packets');
  return task.task_id;
}

interface ResultShape {
  readonly url: string;
  readonly accessCode: string;
}

/** POSTs `TASK` as an automatic persisted query (hash and query; later the hash alone would do). */
async function persistedTaskQuery(harness: LifecycleHarness, fw: string, id: string): Promise<{ result: ResultShape; cacheControl: string | null }> {
  const sha256Hash = createHash('sha256').update(TASK).digest('hex');
  const response = await fetch(harness.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
    body: JSON.stringify({ query: TASK, variables: { fw, id }, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
  });
  const body = (await response.json()) as { data: { captureTask: { result: ResultShape } } };
  return { result: body.data.captureTask.result, cacheControl: response.headers.get('cache-control') };
}

describeWithRedis('download links (secrets) stay out of caches, logs, traces and metrics', (startRedis) => {
  let redis: RedisServer;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();
  beforeAll(async () => {
    redis = await startRedis();
    tracing = await startTracing({ processor: new SimpleSpanProcessor({ exporter }) });
  });
  afterAll(async () => {
    await tracing.shutdown();
    await redis.stop();
  });

  it('with the page cache and persisted queries in Redis, trace logging and tracing on', async () => {
    const { lines, sink } = memorySink();
    // Secrets are under test, not Redis's timeout or breaker: commands sent while the gateway still
    // connects, or on a loaded machine, must not turn the store off for the test.
    const env = { REDIS_URL: redis.url, CACHE_TTL_SECONDS: '60', LOG_LEVEL: 'trace', REDIS_COMMAND_TIMEOUT_MS: '5000', REDIS_BREAKER_THRESHOLD: '1000' };
    await withLifecycle({ env, logger: createLogger('trace', sink) }, async (harness) => {
      const id = finishedTask(harness);
      exporter.reset();
      const first = await persistedTaskQuery(harness, SIMULATOR_FIREWALLS.demo, id);
      const second = await persistedTaskQuery(harness, SIMULATOR_FIREWALLS.demo, id);
      expect(first.cacheControl).toBe('no-store');
      expect(first.result.url).toMatch(/^http:\/\//);
      expect(first.result.accessCode).toMatch(/^[0-9a-f]{8}$/);
      // Never cached: each answer is CFW's own, fetched again.
      expect(harness.simulator.callCountOf('GET', '/capture-task/capture-result')).toBe(2);
      const secrets = [first.result.url, first.result.accessCode, second.result.url, second.result.accessCode];

      const client = new Redis(redis.url);
      try {
        // Apollo stores a persisted query without waiting for it: read the keys until it is there.
        let keys: string[] = [];
        await until(async () => (keys = await client.keys('*')).some((key) => key.startsWith('apq:')), 'the persisted query in Redis', 10_000);
        expect(keys.some((key) => key.startsWith('apq:'))).toBe(true);
        expect(keys.some((key) => key.startsWith('page:'))).toBe(true);
        const stored = (await Promise.all(keys.map(async (key) => `${key} ${(await client.get(key)) ?? ''}`))).join('\n');
        for (const secret of secrets) expect(stored).not.toContain(secret);
      } finally {
        client.disconnect();
      }
      const metrics = await (await fetch(`${harness.origin}/metrics`)).text();
      const spans = JSON.stringify(exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })));
      expect(spans).toContain('capture-task/capture-result');
      for (const secret of secrets) {
        expect(lines.join('')).not.toContain(secret);
        expect(metrics).not.toContain(secret);
        expect(spans).not.toContain(secret);
      }
      expect(lines.some((line) => line.includes('"call":"capture-result"'))).toBe(true);
    });
  });
});

describe('the page cache after a change', () => {
  it("drops a firewall's cached pages when a mutation on it succeeds, so the next read sees it", async () => {
    await withLifecycle({ env: { CACHE_TTL_SECONDS: '60' } }, async (harness) => {
      const list = `{ captureTasks(fwInstanceId: "${EMPTY_FIREWALL}", first: 5) { totalCount nodes { status } } }`;
      expect((await harness.gql(list)).body.data).toEqual({ captureTasks: { totalCount: 0, nodes: [] } });
      harness.simulator.resetCalls();
      expect((await harness.gql(list)).body.data).toEqual({ captureTasks: { totalCount: 0, nodes: [] } });
      expect(harness.simulator.callCount).toBe(0);
      const task = createdTask(await harness.gql(CREATE, { input: createInput() }));
      expect((await harness.gql(list)).body.data).toEqual({ captureTasks: { totalCount: 1, nodes: [{ status: 'RUNNING' }] } });
      await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id: task.id } });
      expect((await harness.gql(list)).body.data).toEqual({ captureTasks: { totalCount: 1, nodes: [{ status: 'ENDING' }] } });
    });
  });
});

describe('one log line and metrics per mutation', () => {
  it("logs who, which firewall, which task, the outcome and CFW's request id, never the token", async () => {
    const { lines, sink } = memorySink();
    await withLifecycle({ env: { LOG_LEVEL: 'info' }, logger: createLogger('info', sink) }, async (harness) => {
      const token = 'demo-token';
      const task = createdTask(await harness.gql(CREATE, { input: createInput() }, { 'x-auth-token': token }));
      await harness.gql(CREATE, { input: createInput({ name: 'other' }) }, { 'x-auth-token': token });
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'mutation');
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatchObject({
        mutation: 'createCaptureTask',
        who: `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`,
        fwInstanceId: EMPTY_FIREWALL,
        taskIds: [task.id],
        outcome: 'ok',
      });
      expect(logged[0]?.['upstreamRequestIds']).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
      expect(logged[1]).toMatchObject({ mutation: 'createCaptureTask', outcome: 'user-error', userErrorCodes: ['CAPTURE_IN_PROGRESS'] });
      expect(lines.join('')).not.toContain(token);
      const metrics = await (await fetch(`${harness.origin}/metrics`)).text();
      expect(metrics).toContain('graphql_mutations_total{mutation="createCaptureTask",outcome="ok"} 1');
      expect(metrics).toContain('graphql_mutations_total{mutation="createCaptureTask",outcome="user-error"} 1');
    });
  });
});

describe('AK/SK mode: changes need the write scope', () => {
  const AK = 'QTWAOYTTINDUT2QVKYUC';
  const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
  const simulator = { accessKeys: new Map([[AK, SK]]), tokens: new Map() };
  const readKey = 'reader-key';
  const writeKey = 'writer-key';
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const aksk = {
    CFW_AUTH_MODE: 'aksk',
    CLOUD_SDK_AK: AK,
    CLOUD_SDK_SK: SK,
    INBOUND_API_KEYS_SHA256: sha(readKey),
    INBOUND_WRITE_API_KEYS_SHA256: sha(writeKey),
  };

  it('a read-only API key may list but not create (FORBIDDEN, no upstream call); a write key creates, signed over its body', async () => {
    await withLifecycle({ env: aksk, simulator }, async (harness) => {
      const read = await harness.gql(`{ captureTasks(fwInstanceId: "${EMPTY_FIREWALL}") { totalCount } }`, undefined, { 'x-api-key': readKey });
      expect(read.body).toEqual({ data: { captureTasks: { totalCount: 0 } } });
      harness.simulator.resetCalls();
      const refused = await harness.gql(CREATE, { input: createInput() }, { 'x-api-key': readKey });
      expect(errorCodesOf(refused)).toEqual(['FORBIDDEN']);
      expect(refused.body.errors?.[0]?.message).toBe(
        'This API key may read capture tasks but not change them: use a key listed in INBOUND_WRITE_API_KEYS_SHA256.',
      );
      expect(harness.simulator.requests).toHaveLength(0);
      const created = await harness.gql(CREATE, { input: createInput() }, { 'x-api-key': writeKey });
      expect(createdTask(created)).toMatchObject({ status: 'RUNNING' });
      expect(harness.simulator.requests.filter((request) => request.endpoint === 'create').map((request) => request.status)).toEqual([200]);
    });
  });

  it('anonymous callers (ALLOW_ANONYMOUS) may list but neither change tasks nor see download links', async () => {
    await withLifecycle({ env: { CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK, ALLOW_ANONYMOUS: 'true' }, simulator }, async (harness) => {
      const refused = await harness.gql(CREATE, { input: createInput() }, {});
      expect(errorCodesOf(refused)).toEqual(['UNAUTHENTICATED']);
      const seeded = harness.simulator.store.firewall('9e4f6a8b-0c2d-4e1f-a3b5-c7d9e1f3a560', undefined)?.tasks.find((task) => task.status === 1);
      const result = await harness.gql(TASK, { fw: '9e4f6a8b-0c2d-4e1f-a3b5-c7d9e1f3a560', id: seeded?.task_id ?? '' }, {});
      expect(errorCodesOf(result)).toEqual(['UNAUTHENTICATED']);
      expect(result.body.errors?.[0]?.path).toEqual(['captureTask', 'result']);
      expect(harness.simulator.callCountOf('GET', '/capture-task/capture-result')).toBe(0);
    });
  });

  it('a JWT writes only with the write scope (in `scope` or `scp`)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ sub: 'operator', ...claims }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const env = {
      CFW_AUTH_MODE: 'aksk',
      CLOUD_SDK_AK: AK,
      CLOUD_SDK_SK: SK,
      INBOUND_JWT_PUBLIC_KEY: await exportSPKI(publicKey),
      INBOUND_JWT_ALGORITHM: 'ES256',
    };
    await withLifecycle({ env, simulator }, async (harness) => {
      const reader = await harness.gql(CREATE, { input: createInput() }, { authorization: `Bearer ${await sign({ scope: 'capture-tasks:read' })}` });
      expect(errorCodesOf(reader)).toEqual(['FORBIDDEN']);
      expect(reader.body.errors?.[0]?.message).toBe('This JWT may read capture tasks but not change them: its scope lacks "capture-tasks:write".');
      const writer = await harness.gql(
        CREATE,
        { input: createInput() },
        { authorization: `Bearer ${await sign({ scope: 'capture-tasks:read capture-tasks:write' })}` },
      );
      expect(payloadOf(writer).userErrors).toEqual([]);
      const scp = await harness.gql(
        STOP,
        { input: { fwInstanceId: EMPTY_FIREWALL, id: createdTask(writer).id } },
        { authorization: `Bearer ${await sign({ scp: ['capture-tasks:write'] })}` },
      );
      expect(payloadOf(scp)).toMatchObject({ userErrors: [], captureTask: { status: 'ENDING' } });
    });
  });
});
