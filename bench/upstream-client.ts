// What one upstream list call costs the caller's CPU, client by client: undici, node:http, got as
// the pass-through (b′) calls it, got as the gateway configures it, and the gateway's whole call
// path (listCaptureTasks: the guard, signals, retry policy, error conversion, its event). One
// process, the simulator in another at 0 ms; 32 calls in flight, each for a distinct (token,
// firewall) pair of the mix; rounds interleaved, medians. Only this process's CPU is counted.
//   node bench/upstream-client.ts [--calls 6000] [--rounds 5]
import http from 'node:http';
import got from 'got';
import { Pool } from 'undici';
import { loadConfig } from '../src/config.ts';
import { listCaptureTasks } from '../src/upstream/capture-tasks.ts';
import { createUpstreamHttp, upstreamOptionsFrom } from '../src/upstream/client.ts';
import { captureTaskListFromBody } from '../src/upstream/wire.ts';
import { BENCH_PROJECT_ID, mixFirewalls, mixTokens } from './fixtures.ts';
import { killAll, startSimulator } from './processes.ts';
import { median } from './report.ts';

const args = process.argv.slice(2);
const numberAfter = (flag: string, fallback: number) => {
  const index = args.indexOf(flag);
  if (index === -1) return fallback;
  const raw = args[index + 1] ?? '';
  if (!/^\d{1,7}$/.test(raw) || Number(raw) === 0) {
    process.stderr.write(
      `upstream-client: ${flag} takes a whole number above 0, got ${JSON.stringify(raw)}\nusage: node bench/upstream-client.ts [--calls 6000] [--rounds 5]\n`,
    );
    process.exit(2);
  }
  return Number(raw);
};
const CALLS = numberAfter('--calls', 6000);
const ROUNDS = numberAfter('--rounds', 5);
const IN_FLIGHT = 32;
const LIMIT = 21;

process.on('exit', killAll);
const origin = new URL((await startSimulator(0)).url).origin;

const firewalls = mixFirewalls().map((firewall) => firewall.id);
const tokens = [...mixTokens()];
const HEADERS = { 'user-agent': 'capture-gateway', accept: 'application/json' };
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' });
const pool = new Pool(origin, { connections: 64 });
const bare = got.extend({
  prefixUrl: `${origin}/v1/${BENCH_PROJECT_ID}/`,
  agent: { http: agent },
  retry: { limit: 0 },
  responseType: 'text',
  throwHttpErrors: false,
});
const config = loadConfig({ CFW_ENDPOINT: origin, CFW_PROJECT_ID: BENCH_PROJECT_ID, NODE_ENV: 'production' });
const gateway = createUpstreamHttp(upstreamOptionsFrom(config, origin, BENCH_PROJECT_ID));

/** The call's firewall, token and path (the same query the gateway sends). */
function callOf(index: number) {
  const fwInstanceId = firewalls[index % firewalls.length] as string;
  const token = tokens[(index * 7) % tokens.length] as string;
  return { fwInstanceId, token, path: `capture-task?fw_instance_id=${fwInstanceId}&limit=${LIMIT}&offset=0` };
}

function viaNodeHttp(path: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get({ agent, host: '127.0.0.1', port: new URL(origin).port, path, headers: { ...HEADERS, 'x-auth-token': token } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        resolve(captureTaskListFromBody(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      });
    });
    request.on('error', reject);
  });
}

const CLIENTS: Record<string, { readonly about: string; readonly call: (index: number) => Promise<unknown> }> = {
  undici: {
    about: 'undici Pool, body text, JSON.parse',
    call: async (index) => {
      const { path, token } = callOf(index);
      const response = await pool.request({ method: 'GET', path: `/v1/${BENCH_PROJECT_ID}/${path}`, headers: { ...HEADERS, 'x-auth-token': token } });
      return captureTaskListFromBody(JSON.parse(await response.body.text()));
    },
  },
  'node:http': {
    about: 'http.get on a keep-alive Agent',
    call: (index) => {
      const { path, token } = callOf(index);
      return viaNodeHttp(`/v1/${BENCH_PROJECT_ID}/${path}`, token);
    },
  },
  'got, as (b′)': {
    about: 'got.extend({prefixUrl, agent, retry 0, text}).get(path, {headers})',
    call: async (index) => {
      const { path, token } = callOf(index);
      return captureTaskListFromBody(JSON.parse((await bare.get(path, { headers: { ...HEADERS, 'x-auth-token': token } })).body));
    },
  },
  'got, as the gateway': {
    about: "the gateway's got instance (timeouts, retry policy, hooks, response bound, JSON), with searchParams, token and a signal",
    call: async (index) => {
      const { fwInstanceId, token } = callOf(index);
      const searchParams = new URLSearchParams({ fw_instance_id: fwInstanceId, limit: String(LIMIT), offset: '0' });
      const response = await gateway.got.get('capture-task', { searchParams, headers: { 'x-auth-token': token }, signal: AbortSignal.timeout(10_000) });
      return captureTaskListFromBody(response.body);
    },
  },
  'the gateway': {
    about: 'listCaptureTasks: the above through the guard (throttle, breaker, bulkhead), with error conversion and its event',
    call: (index) => {
      const { fwInstanceId, token } = callOf(index);
      return listCaptureTasks(
        gateway,
        { fwInstanceId, enterpriseProjectId: undefined, offset: 0, limit: LIMIT },
        { credential: { kind: 'token', token }, signal: AbortSignal.timeout(10_000) },
      );
    },
  },
};

/** CPU µs per call of one client over CALLS calls. */
async function measure(call: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < CALLS) await call(next++);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
}

try {
  const names = Object.keys(CLIENTS);
  for (const name of names) await measure((CLIENTS[name] as (typeof CLIENTS)[string]).call);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) samples.get(name)?.push(await measure((CLIENTS[name] as (typeof CLIENTS)[string]).call));
  }
  const undici = median(samples.get('undici') ?? []);
  const lines = [
    `CPU per upstream list call (${LIMIT} records), ${IN_FLIGHT} in flight, ${CALLS} calls × ${ROUNDS} rounds, medians; Node ${process.version}`,
    '',
    '| client | µs per call | × undici | rounds | what |',
    '|---|---:|---:|---|---|',
    ...names.map((name) => {
      const values = samples.get(name) ?? [];
      return `| ${name} | ${median(values).toFixed(0)} | ${(median(values) / undici).toFixed(2)}× | ${values.map((value) => value.toFixed(0)).join(', ')} | ${CLIENTS[name]?.about ?? ''} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  gateway.close();
  agent.destroy();
  await pool.close();
  killAll();
}
