// Where a server's memory goes under the mix: RSS every 250 ms and, for the gateway, its V8 heap by
// space (from its /metrics), while the bench's mix drives it; one server at a time.
//   node bench/memory.ts [gateway|got|undici] [--duration 8] [--latency-ms 0] [--connections 32] [--node-flag=…]
import { BENCH_PROJECT_ID, mixRequest } from './fixtures.ts';
import { request } from './http-client.ts';
import { measure } from './load.ts';
import {
  baseEnv,
  freePort,
  gatewayEnv,
  GATEWAY_NODE_FLAGS,
  killAll,
  memoryKbOf,
  startServer,
  urlFromGatewayBanner,
  urlFromJsonLine,
  type Server,
  startSimulator,
} from './processes.ts';

const args = process.argv.slice(2);
const which = args.find((arg) => arg === 'gateway' || arg === 'got' || arg === 'undici') ?? 'gateway';
const numberAfter = (flag: string, fallback: number) => {
  const index = args.indexOf(flag);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const extraFlags = args.filter((arg) => arg.startsWith('--node-flag=')).map((arg) => arg.slice('--node-flag='.length));
const durationS = numberAfter('--duration', 8);
const latencyMs = numberAfter('--latency-ms', 0);
const connections = numberAfter('--connections', 32);

async function heapSpacesMb(server: Server): Promise<string> {
  const metrics = await request(server.url.replace(/\/graphql$/, '/metrics'), { method: 'GET', headers: {} });
  const spaces = [...metrics.body.matchAll(/^nodejs_heap_space_size_(used|total)_bytes\{space="(\w+)"\} (\S+)$/gm)];
  const gcs = [...metrics.body.matchAll(/^nodejs_gc_duration_seconds_(count|sum)\{kind="(\w+)"\} (\S+)$/gm)].map(
    (m) => `${m[2]} ${m[1]} ${Number(m[3]).toFixed(m[1] === 'sum' ? 2 : 0)}`,
  );
  const wanted = new Set(['new', 'old', 'code', 'large_object', 'trusted']);
  const few = (kind: string) =>
    spaces
      .filter((m) => m[1] === kind && wanted.has(m[2] ?? ''))
      .map((m) => `${m[2]} ${(Number(m[3]) / 2 ** 20).toFixed(0)}`)
      .join(', ');
  return `used: ${few('used')} | total: ${few('total')} | GC so far: ${gcs.join(', ')}`;
}

const servers: Server[] = [];
try {
  const simulator = await startSimulator(latencyMs);
  servers.push(simulator);
  const port = String(await freePort());
  const server =
    which === 'gateway'
      ? await startServer({
          name: 'gateway',
          args: [...GATEWAY_NODE_FLAGS, ...extraFlags, 'src/main.ts'],
          env: gatewayEnv(simulator.url, BENCH_PROJECT_ID, Number(port)),
          urlFrom: urlFromGatewayBanner,
          timeoutMs: 30_000,
        })
      : await startServer({
          name: `pass-through (${which})`,
          args: [...extraFlags, 'bench/pass-through.ts'],
          env: { ...baseEnv(), UPSTREAM_URL: simulator.url, PORT: port, PASS_THROUGH_CLIENT: which },
          urlFrom: urlFromJsonLine,
        });
  servers.push(server);
  process.stdout.write(
    `${which} at rest: RSS ${(memoryKbOf(server.pid, 'VmRSS') / 1024).toFixed(0)} MB${which === 'gateway' ? `; heap MB ${await heapSpacesMb(server)}` : ''}\n`,
  );
  let index = 20_000;
  const next = () => {
    const mix = mixRequest(index++);
    return { headers: { 'content-type': 'application/json', 'x-auth-token': mix.token }, body: mix.body };
  };
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(memoryKbOf(server.pid, 'VmRSS')), 250);
  const m = await measure({
    url: server.url,
    method: 'POST',
    headers: {},
    next,
    verifyBody: (body) => body.startsWith('{"data":'),
    connections,
    durationS,
    pid: server.pid,
    helperPids: [simulator.pid],
  });
  clearInterval(timer);
  process.stdout.write(
    `${which} under the mix: ${m.rps.toFixed(0)} req/s, ${m.cpuUsPerRequest.toFixed(0)} µs CPU/req, peak RSS ${(m.peakRssKb / 1024).toFixed(0)} MB, bad ${m.mismatches + m.non2xx + m.errors}; RSS MB every 250 ms: ${samples.map((kb) => (kb / 1024).toFixed(0)).join(' ')}\n`,
  );
  if (which === 'gateway') process.stdout.write(`gateway right after: heap MB ${await heapSpacesMb(server)}\n`);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  if (which === 'gateway' && extraFlags.some((flag) => flag.startsWith('--heapsnapshot-signal'))) {
    // A heap snapshot starts with a full GC: what is used afterwards is what the gateway retains.
    process.kill(server.pid, 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    process.stdout.write(
      `gateway after the snapshot's full GC: RSS ${(memoryKbOf(server.pid, 'VmRSS') / 1024).toFixed(0)} MB; heap MB ${await heapSpacesMb(server)}\n`,
    );
  }
  process.stdout.write(
    `${which} 3 s later: RSS ${(memoryKbOf(server.pid, 'VmRSS') / 1024).toFixed(0)} MB${which === 'gateway' ? `; heap MB ${await heapSpacesMb(server)}` : ''}\n`,
  );
} finally {
  for (const server of servers.reverse()) await server.stop();
  killAll();
}
