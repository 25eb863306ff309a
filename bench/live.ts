// npm run bench:live — live capture status at scale, on one instance: 10,000 GraphQL-over-SSE
// subscribers (their own process, bench/live-clients.ts) watching 100 RUNNING captures across 10
// firewalls of the simulator (its own process, bench/live-simulator.ts), the gateway as it ships
// (node src/main.ts with npm start's V8 flags, NODE_ENV=production). Prints each target PASS/FAIL
// and writes results/live.md:
//   - upstream list calls: 1 per firewall per interval, read from the simulator's counters;
//   - memory per 1,000 open subscriptions (the gateway's RSS with them open, less at rest);
//   - p99 from a change in the simulator to the event at the client ≤ interval + 100 ms;
//   - query throughput beside those subscriptions ≥ 90% of that without them.
// BENCH_LIVE_SUBSCRIBERS, BENCH_LIVE_ROUNDS, BENCH_DURATION_S shorten a run while working on it.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_TOKEN, OPERATIONS } from './fixtures.ts';
import { request } from './http-client.ts';
import { LIVE_FIREWALL_COUNT, LIVE_PROJECT_ID } from './live-fixtures.ts';
import type { ClientCommand, ClientReport } from './live-clients.ts';
import { measure, quantile } from './load.ts';
import { baseEnv, freePort, gatewayEnv, GATEWAY_NODE_FLAGS, killAll, memoryKbOf, ROOT, startServer, urlFromGatewayBanner } from './processes.ts';

const SUBSCRIBERS = Number(process.env['BENCH_LIVE_SUBSCRIBERS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_LIVE_ROUNDS'] ?? 6);
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 10);
const INTERVAL_MS = 5_000;
const CONNECTIONS = 32;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  say(`# bench:live — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}`);
  say(`load average at start (1/5/15 min): ${loadAverage()}`);
  const simulator = await startServer({
    name: 'live simulator',
    args: ['bench/live-simulator.ts'],
    env: baseEnv(),
    urlFrom: (line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === 'object' &&
          parsed !== null &&
          'url' in parsed &&
          'control' in parsed &&
          typeof parsed.url === 'string' &&
          typeof parsed.control === 'string'
          ? `${parsed.url} ${parsed.control}`
          : undefined;
      } catch {
        return undefined;
      }
    },
  });
  const [upstreamUrl = '', controlUrl = ''] = simulator.url.split(' ');
  const port = await freePort();
  const gateway = await startServer({
    name: 'gateway',
    args: [...GATEWAY_NODE_FLAGS, 'src/main.ts'],
    env: gatewayEnv(upstreamUrl, LIVE_PROJECT_ID, port, {
      SUBSCRIPTION_POLL_INTERVAL_MS: String(INTERVAL_MS),
      MAX_SUBSCRIPTIONS_PER_CALLER: String(SUBSCRIBERS * 2),
      MAX_SUBSCRIPTIONS_PER_INSTANCE: String(SUBSCRIBERS * 2),
    }),
    urlFrom: urlFromGatewayBanner,
    timeoutMs: 30_000,
  });
  const upstreamCalls = async () => {
    const state: unknown = JSON.parse((await request(`${upstreamUrl}/_simulator/state`, { method: 'GET', headers: {} })).body);
    return typeof state === 'object' && state !== null && 'callCount' in state && typeof state.callCount === 'number' ? state.callCount : Number.NaN;
  };
  const page = OPERATIONS.Page;
  const headers = { 'content-type': 'application/json', 'x-auth-token': BENCH_TOKEN };
  const expected = await request(gateway.url, { method: 'POST', headers, body: page.body });
  if (expected.status !== 200 || expected.body.includes('"errors"')) throw new Error(`the query failed: ${expected.body.slice(0, 300)}`);
  const throughput = () =>
    measure({
      url: gateway.url,
      method: 'POST',
      headers,
      body: page.body,
      expectBody: expected.body,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      pid: gateway.pid,
      helperPids: [simulator.pid],
    });

  // 1. Queries alone, and the gateway's memory at rest after them.
  await throughput();
  const alone = await throughput();
  await sleep(2_000);
  const rssBeforeKb = memoryKbOf(gateway.pid, 'VmRSS');
  say(
    `queries alone: ${alone.rps.toFixed(0)} req/s (p99 ${alone.p99Ms.toFixed(1)} ms, other CPU ${(alone.foreignCpuShare * 100).toFixed(0)}%); gateway RSS ${(rssBeforeKb / 1024).toFixed(1)} MB`,
  );

  // 2. The subscribers.
  const startClients = () => {
    const clients = fork(path.join(ROOT, 'bench/live-clients.ts'), [], { cwd: ROOT, env: baseEnv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const reply = (kind: ClientReport['kind']) =>
      new Promise<ClientReport>((resolve) => {
        const listener = (message: ClientReport) => {
          if (message.kind !== kind) return;
          clients.off('message', listener);
          resolve(message);
        };
        clients.on('message', listener);
      });
    const tell = (command: ClientCommand) => clients.send(command);
    const exited = new Promise((resolve) => clients.once('exit', resolve));
    return { reply, tell, exited };
  };
  const { reply, tell, exited } = startClients();
  const openedAt = performance.now();
  const opened = reply('opened');
  tell({ kind: 'open', url: gateway.url, count: SUBSCRIBERS });
  const openReport = await opened;
  if (openReport.kind !== 'opened') throw new Error('no open report');
  say(
    `opened ${openReport.streams} SSE subscriptions in ${((performance.now() - openedAt) / 1000).toFixed(1)} s: ${openReport.firstEvents} first events, ${openReport.failed} failed`,
  );
  await sleep(3_000);
  const rssOpenKb = memoryKbOf(gateway.pid, 'VmRSS');
  const perThousandMb = ((rssOpenKb - rssBeforeKb) / 1024) * (1000 / SUBSCRIBERS);

  // 3. Upstream list calls over whole intervals, subscriptions idle (no query meanwhile).
  const intervals = 4;
  const callsBefore = await upstreamCalls();
  await sleep(intervals * INTERVAL_MS);
  const callsPerFirewallInterval = ((await upstreamCalls()) - callsBefore) / (LIVE_FIREWALL_COUNT * intervals);

  // 4. Changes in the simulator, at random moments of the interval; each reaches every subscriber of its capture.
  const latencies: number[] = [];
  let missing = 0;
  const changes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    await sleep(Math.floor(Math.random() * INTERVAL_MS));
    const changed: unknown = JSON.parse((await request(`${controlUrl}/?round=${round}`, { method: 'POST', headers: {} })).body);
    const at = typeof changed === 'object' && changed !== null && 'at' in changed && typeof changed.at === 'number' ? changed.at : Number.NaN;
    changes.push(at);
    await sleep(INTERVAL_MS + 1_500);
  }
  await sleep(INTERVAL_MS);
  const reported = reply('report');
  tell({ kind: 'report' });
  const report = await reported;
  if (report.kind !== 'report') throw new Error('no report');
  changes.forEach((at, index) => {
    const arrived = report.arrivals[String(index + 1)] ?? [];
    missing += Math.max(0, SUBSCRIBERS - arrived.length);
    for (const time of arrived) latencies.push(time - at);
  });
  latencies.sort((a, b) => a - b);
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);

  // 5. Queries beside the open subscriptions and alone, interleaved (the subscriptions closed and
  // opened again between runs), so a machine whose load drifts weighs on both sides alike; medians.
  const besideRuns: number[] = [];
  const aloneRuns: number[] = [alone.rps];
  let clients = { tell, exited };
  for (let round = 0; round < 3; round++) {
    const beside = await throughput();
    besideRuns.push(beside.rps);
    say(
      `queries beside ${SUBSCRIBERS} subscriptions: ${beside.rps.toFixed(0)} req/s (p99 ${beside.p99Ms.toFixed(1)} ms, other CPU ${(beside.foreignCpuShare * 100).toFixed(0)}%)`,
    );
    clients.tell({ kind: 'close' });
    await clients.exited;
    await sleep(3_000);
    const aloneAgain = await throughput();
    aloneRuns.push(aloneAgain.rps);
    say(
      `queries alone: ${aloneAgain.rps.toFixed(0)} req/s (p99 ${aloneAgain.p99Ms.toFixed(1)} ms, other CPU ${(aloneAgain.foreignCpuShare * 100).toFixed(0)}%)`,
    );
    if (round === 2) break;
    const next = startClients();
    const reopened = next.reply('opened');
    next.tell({ kind: 'open', url: gateway.url, count: SUBSCRIBERS });
    await reopened;
    await sleep(2_000);
    clients = next;
  }
  const median = (values: readonly number[]) =>
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  const ratio = median(besideRuns) / median(aloneRuns);
  say(`load average at the end (1/5/15 min): ${loadAverage()}`);
  say('');
  say('| target | figure | limit | |');
  say('|---|---|---|---|');
  say(
    `| upstream list calls per firewall per interval | ${callsPerFirewallInterval.toFixed(2)} | 1 (≤ 1.10 with the window's edges) | ${verdict(callsPerFirewallInterval <= 1.1)} |`,
  );
  say(
    `| memory per 1,000 open subscriptions | ${perThousandMb.toFixed(1)} MB (RSS ${(rssBeforeKb / 1024).toFixed(0)} → ${(rssOpenKb / 1024).toFixed(0)} MB) | ≤ 25 MB | ${verdict(perThousandMb <= 25)} |`,
  );
  say(
    `| change → event at the client, p99 (p50) | ${p99.toFixed(0)} ms (${p50.toFixed(0)} ms), ${latencies.length} events, ${missing} missing | ≤ ${INTERVAL_MS + 100} ms, none missing | ${verdict(p99 <= INTERVAL_MS + 100 && missing === 0)} |`,
  );
  say(
    `| query throughput beside the subscriptions | ${(ratio * 100).toFixed(1)}% of alone (medians: ${median(besideRuns).toFixed(0)} vs ${median(aloneRuns).toFixed(0)} req/s) | ≥ 90% | ${verdict(ratio >= 0.9)} |`,
  );
  say(`\nstreams still open at the end: ${report.open}, ended: ${report.ended}, unreadable events: ${report.errors}`);

  await gateway.stop();
  await simulator.stop();
  writeFileSync(path.join(ROOT, 'bench/results/live.md'), `${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAll();
  process.exit(1);
});
