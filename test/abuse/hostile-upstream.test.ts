// A hostile CFW, through real sockets: a gateway process under --max-old-space-size=256 in front of
// a fake upstream that sends an endless body, a gzip bomb, a dripping body, a 100 MB page and a
// lying Content-Length, four calls at once per case. Each case must end in a typed error, with the
// upstream socket dropped, no retry, and the process's peak RSS (VmHWM) bounded.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../src/config.ts';
import { until } from '../helpers/until.ts';
import { freePort, runNode, type RunningProcess } from '../helpers/process.ts';

const MB = 1024 * 1024;
/** What the Done-when allows a 256 MB-heap gateway. */
const RSS_CEILING = 400 * MB;

type Case = 'endless' | 'bomb' | 'drip' | 'huge' | 'lying' | 'ok';

/** A valid page, then gzip members of 16 MiB of JSON whitespace (16 KB each on the wire) without end: valid JSON at any length. */
function gzipBomb(): { readonly head: Buffer; readonly member: Buffer } {
  return { head: gzipSync('{"data":{"total":0,"records":[]}}'), member: gzipSync(Buffer.alloc(16 * MB, 0x20), { level: 9 }) };
}

function record(index: number): string {
  return JSON.stringify({
    task_id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    name: 'x'.repeat(200),
    status: 1,
    protocol: 6,
    source_address: '10.0.0.1',
    dest_address: '10.0.0.2',
    capture_size: '1mb',
    created_date: '2024/06/04 11:23:50',
  });
}

interface FakeCfw {
  readonly endpoint: string;
  /** Calls received per case, and calls whose socket the gateway closed before the answer ended. */
  readonly calls: Map<Case, number>;
  readonly dropped: Map<Case, number>;
  close(): Promise<void>;
}

async function startFakeCfw(): Promise<FakeCfw> {
  const calls = new Map<Case, number>();
  const dropped = new Map<Case, number>();
  const bomb = gzipBomb();
  // Made once: the fake upstream must outpace the gateway, or the case would test its own slowness.
  const hundredRecords = Buffer.from(Array.from({ length: 100 }, (_, index) => `,${record(index + 1)}`).join(''));
  const server = http.createServer((request, response) => {
    const firewall = new URL(request.url ?? '/', 'http://cfw').searchParams.get('fw_instance_id') ?? '';
    const kind = (['endless', 'bomb', 'drip', 'huge', 'lying', 'ok'] as const).find((name) => firewall.startsWith(name)) ?? 'ok';
    calls.set(kind, (calls.get(kind) ?? 0) + 1);
    response.once('close', () => {
      if (!response.writableFinished) dropped.set(kind, (dropped.get(kind) ?? 0) + 1);
    });
    /** Writes `next()` chunks as fast as the gateway reads them, until it returns undefined or the socket closes. */
    const pump = (next: () => Buffer | string | undefined) => {
      const step = () => {
        while (!response.destroyed) {
          const chunk = next();
          if (chunk === undefined) {
            response.end();
            return;
          }
          if (!response.write(chunk)) {
            response.once('drain', step);
            return;
          }
        }
      };
      step();
    };
    switch (kind) {
      case 'endless': {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        response.write('{"data":{"total":1,"records":[');
        pump(() => chunk);
        return;
      }
      case 'bomb': {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.write(bomb.head);
        pump(() => bomb.member);
        return;
      }
      case 'drip': {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{');
        // A byte every 50 ms, forever: no timeout between bytes ever fires, only the call's deadline.
        const timer = setInterval(() => {
          response.write(' ');
        }, 50);
        response.once('close', () => {
          clearInterval(timer);
        });
        return;
      }
      case 'huge': {
        response.writeHead(200, { 'content-type': 'application/json' });
        let written = 0;
        response.write(`{"data":{"total":1000000,"records":[${record(0)}`);
        pump(() => {
          if (written > 100 * MB) return written === Number.POSITIVE_INFINITY ? undefined : ((written = Number.POSITIVE_INFINITY), ']}}');
          written += hundredRecords.length;
          return hundredRecords;
        });
        return;
      }
      case 'lying': {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 * MB) });
        response.write('{"data":');
        return;
      }
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: { total: 1, records: [JSON.parse(record(1)) as unknown] } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    dropped,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The process's peak and current resident set, from /proc; `reset` starts a new peak (Linux ≥ 4.0). */
function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { peak: kib('VmHWM'), current: kib('VmRSS') };
}
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

describe('a gateway under --max-old-space-size=256 against a hostile upstream', () => {
  let fake: FakeCfw;
  let gateway: RunningProcess;
  let url: string;
  const peaks = new Map<Case, number>();

  /** A gateway process in front of the fake CFW; `timeoutMs` is its call deadline (CFW_TIMEOUT_MS). */
  const startGateway = async (timeoutMs: number) => {
    const port = await freePort();
    const child = runNode(['--max-old-space-size=256', 'src/main.ts'], {
      NODE_ENV: 'production',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      CFW_ENDPOINT: fake.endpoint,
      CFW_PROJECT_ID: 'p1',
      CFW_TIMEOUT_MS: String(timeoutMs),
      // A hostile answer must not trip the breaker for the other cases of this suite.
      CFW_BREAKER_THRESHOLD: '1000',
    });
    return { child, url: (await child.waitFor(/capture-gateway ready at (http:\/\/\S+)/))[1] ?? '' };
  };

  beforeAll(async () => {
    fake = await startFakeCfw();
    // The default deadline: the size bound, not the clock, must end these calls however loaded the machine is.
    ({ child: gateway, url } = await startGateway(10_000));
    peaks.set('ok', memoryOf(gateway.child.pid ?? 0).peak);
  });
  afterAll(async () => {
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await fake.close();
    process.stdout.write(
      `peak RSS at start (ok) and per hostile case (MB): ${JSON.stringify(Object.fromEntries([...peaks].map(([kind, bytes]) => [kind, Math.round(bytes / MB)])))}\n`,
    );
  });

  const ask = async (firewall: string, at = url) => {
    const response = await fetch(at, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 'a-token' },
      body: JSON.stringify({ query: `{ captureTasks(fwInstanceId: "${firewall}", first: 5) { totalCount } }` }),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
  };

  it.each<[Case, string]>([
    ['endless', 'UPSTREAM_BAD_RESPONSE'],
    ['bomb', 'UPSTREAM_BAD_RESPONSE'],
    ['huge', 'UPSTREAM_BAD_RESPONSE'],
    ['lying', 'UPSTREAM_BAD_RESPONSE'],
    ['drip', 'UPSTREAM_TIMEOUT'],
  ])('%s: four calls at once each end in %s, once each (no retry), socket dropped, RSS bounded', async (kind, code) => {
    // Only the call's deadline ends a drip: that case gets a gateway of its own with a short one.
    const dripping = kind === 'drip' ? await startGateway(1_500) : undefined;
    const target = dripping ?? { child: gateway, url };
    const pid = target.child.child.pid ?? 0;
    resetPeak(pid);
    const before = fake.calls.get(kind) ?? 0;
    const results = await Promise.all([1, 2, 3, 4].map((n) => ask(`${kind}-${n}`, target.url)));
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
      expect(result.body.data).toBeNull();
    }
    if (code === 'UPSTREAM_BAD_RESPONSE') expect(results[0]?.body.errors?.[0]?.message).toContain(`larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes`);
    expect((fake.calls.get(kind) ?? 0) - before).toBe(4);
    // The server side sees the socket close before its answer ended (the close event may trail the answer by a tick).
    await until(() => (fake.dropped.get(kind) ?? 0) >= 4, 'the fake CFW to see four sockets close');
    expect(fake.dropped.get(kind)).toBe(4);
    const { peak } = memoryOf(pid);
    peaks.set(kind, peak);
    dripping?.child.child.kill('SIGKILL');
    expect(peak).toBeLessThan(RSS_CEILING);
  });

  it('serves a sound page afterwards, and its memory came back down', async () => {
    const result = await ask('ok-1');
    expect(result.body).toEqual({ data: { captureTasks: { totalCount: 1 } } });
    expect(memoryOf(gateway.child.pid ?? 0).current).toBeLessThan(RSS_CEILING);
    expect(gateway.stdout()).not.toMatch(/"level":50/);
  });
});
