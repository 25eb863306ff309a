// `npm run test:fleet`: a fleet of three gateways behind HAProxy, over one Redis and the CFW
// simulator, under constant load from a process of its own, put through the issue's events
// (scenarios.ts). Prints a table, writes docs/fleet-results.md, and exits 1 when a criterion fails.
//   node test/fleet/fleet.ts [--only steady,across,rolling,kill,outage,fairness,throttle,redis]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { isCi } from '../helpers/ci.ts';
import { freePort } from '../helpers/process.ts';
import type { LoadPlan } from './load.ts';
import { ALERT_RULES_FILE, TEST_FOR_SECONDS, withShortFor } from './prometheus.ts';
import {
  BalancerProcess,
  callerToken,
  GatewayProcess,
  gatewayEnv,
  killAll,
  LoadProcess,
  onPath,
  PrometheusProcess,
  RedisProcess,
  ROOT,
  SimulatorProcess,
} from './processes.ts';
import { criteriaLines, markdownReport, textTable } from './report.ts';
import { acrossInstances, cfwOutage, cfwThrottles, fairness, killOne, redisTrouble, repair, rollingRestart, steady, type Fleet } from './scenarios.ts';
import { summarize } from './stats.ts';
import { criterion, tally, type EventResult } from './verdicts.ts';

const TOOLS = [
  { command: 'redis-server', flag: '--version', apt: 'redis-server' },
  { command: 'haproxy', flag: '-v', apt: 'haproxy' },
  { command: 'prometheus', flag: '--version', apt: 'prometheus' },
] as const;

/** The load's callers: each its own token; `d` is sent over its share in the fairness event. */
const CALLERS = ['a', 'b', 'c', 'd'] as const;
const GREEDY = 'd';
const PROBE = 'probe';
const READS_PER_SECOND = 15;
const OUTAGE_SECONDS = 20;
const REDIS_FROZEN_SECONDS = 15;
const BREAKER_HALF_OPEN_MS = 5_000;
/** Simulated time runs this much faster: a one-hour capture lasts half a second, CFW's day (its quota of 20 captures) 12 s. */
const TIME_SCALE = 7_200;
const SIMULATOR_LATENCY_MS = 20;
/** Where callers a to c walk captures (no capture runs there at first); the across-instances checks use another. */
const LIFECYCLE_FIREWALL = SIMULATOR_FIREWALLS.lab;

/** Per caller, per second and burst: a caller of the load sends about 18 requests a second. */
const CALLER_RATE_LIMIT = 40;

const GATEWAY_SETTINGS: Readonly<Record<string, string>> = {
  CACHE_TTL_SECONDS: '2',
  DRAIN_DELAY_MS: '3000',
  SHUTDOWN_TIMEOUT_MS: '10000',
  CFW_BREAKER_THRESHOLD: '5',
  CFW_BREAKER_HALF_OPEN_MS: String(BREAKER_HALF_OPEN_MS),
  CALLER_RATE_LIMIT_PER_SECOND: String(CALLER_RATE_LIMIT),
  CALLER_RATE_LIMIT_BURST: String(CALLER_RATE_LIMIT),
};

const EVENTS = ['steady', 'across', 'rolling', 'kill', 'outage', 'fairness', 'throttle', 'redis'] as const;
type EventName = (typeof EVENTS)[number];

function selectedEvents(argv: readonly string[]): ReadonlySet<EventName> {
  const index = argv.indexOf('--only');
  if (index === -1) return new Set(EVENTS);
  const names = (argv[index + 1] ?? '').split(',');
  const unknown = names.filter((name) => !EVENTS.some((event) => event === name));
  if (unknown.length > 0) {
    process.stderr.write(`--only takes ${EVENTS.join(',')}; got ${unknown.join(',')}\n`);
    process.exit(2);
  }
  return new Set(EVENTS.filter((name) => names.includes(name)));
}

function versionOf(command: string, flag: string): string {
  try {
    return (
      execFileSync(command, [flag], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')[0]
        ?.trim() ?? command
    );
  } catch {
    return `${command} (version unknown)`;
  }
}

function commitOf(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const only = selectedEvents(process.argv.slice(2));
  const missing = TOOLS.filter((tool) => !onPath(tool.command, tool.flag));
  if (missing.length > 0) {
    const line = `the fleet test needs ${missing.map((tool) => tool.command).join(', ')} on PATH (apt-get install ${missing.map((tool) => tool.apt).join(' ')}; .ci/run does it)`;
    if (isCi(process.env['CI'])) {
      process.stderr.write(`fleet: ${line}\n`);
      return 1;
    }
    process.stdout.write(`Not run: ${line}\n`);
    return 0;
  }
  const loadAtStart = os.loadavg()[0] ?? 0;
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'capture-gateway-fleet-'));
  process.stdout.write(`fleet: logs in ${logDir}\n`);

  const redis = await RedisProcess.start(logDir);
  const simulator = await SimulatorProcess.start(logDir, { timeScale: TIME_SCALE, latencyMs: SIMULATOR_LATENCY_MS, callers: [...CALLERS, PROBE] });
  const env = gatewayEnv({ simulator: simulator.base, redisUrl: redis.url, extra: GATEWAY_SETTINGS });
  const gateways: GatewayProcess[] = [];
  for (const name of ['gw1', 'gw2', 'gw3']) gateways.push(new GatewayProcess(name, await freePort(), env, logDir));
  await Promise.all(gateways.map((gateway) => gateway.start()));
  const balancer = await BalancerProcess.start(logDir, gateways);
  const rulesFile = path.join(logDir, 'alerts.yaml');
  writeFileSync(rulesFile, withShortFor(readFileSync(path.join(ROOT, ALERT_RULES_FILE), 'utf8'), TEST_FOR_SECONDS));
  const prometheus = await PrometheusProcess.start(
    logDir,
    gateways.map((gateway) => `127.0.0.1:${gateway.port}`),
    rulesFile,
  );
  const plan: LoadPlan = {
    url: balancer.url,
    callers: CALLERS.map((caller) => ({
      name: caller,
      token: callerToken(caller),
      readsPerSecond: READS_PER_SECOND,
      ...(caller === GREEDY ? {} : { lifecycle: { fwInstanceId: LIFECYCLE_FIREWALL, pauseMs: 150 } }),
    })),
    reads: [
      { fwInstanceId: SIMULATOR_FIREWALLS.demo, first: 20 },
      { fwInstanceId: SIMULATOR_FIREWALLS.edge, first: 20 },
      { fwInstanceId: SIMULATOR_FIREWALLS.demo, first: 5 },
      { fwInstanceId: SIMULATOR_FIREWALLS.large, first: 50 },
      { fwInstanceId: SIMULATOR_FIREWALLS.lab, first: 10 },
      { fwInstanceId: SIMULATOR_FIREWALLS.huge, first: 20 },
    ],
    timeoutMs: 40_000,
    maxInFlightPerCaller: 64,
  };
  const load = LoadProcess.start(logDir, plan);
  const fleet: Fleet = {
    redis,
    simulator,
    gateways,
    balancer,
    prometheus,
    load,
    greedy: GREEDY,
    readsPerSecond: READS_PER_SECOND,
    probe: PROBE,
    breakerHalfOpenMs: BREAKER_HALF_OPEN_MS,
    lifecycleFirewall: LIFECYCLE_FIREWALL,
    callerRateLimit: { perSecond: CALLER_RATE_LIMIT, burst: CALLER_RATE_LIMIT },
  };
  // Warm-up: pages cached, sockets open; not counted.
  await sleep(3_000);

  const events: EventResult[] = [];
  const run = async (name: EventName, label: string, event: () => Promise<EventResult>) => {
    if (!only.has(name)) return;
    process.stdout.write(`fleet: ${label}…\n`);
    const from = performance.timeOrigin + performance.now();
    try {
      events.push(await event());
    } catch (error) {
      const window = { from, to: performance.timeOrigin + performance.now() };
      events.push({
        name: label,
        window,
        summary: summarize(load.records, window),
        criteria: [criterion('the event ran to its end', false, error instanceof Error ? error.message : String(error))],
        notes: [],
      });
    }
    const last = events.at(-1);
    if (last !== undefined) for (const line of [...criteriaLines([last]), ...last.notes.map((note) => `note: ${note}`)]) process.stdout.write(`  ${line}\n`);
    // The next event starts from a whole fleet, whatever this one left behind (and says so).
    const restarted = await repair(fleet);
    if (restarted.length > 0 && last !== undefined) {
      const note = `not all UP in HAProxy after the event: restarted ${restarted.join(', ')} before the next one`;
      events[events.length - 1] = { ...last, notes: [...last.notes, note] };
      process.stdout.write(`  (${note})\n`);
    }
  };
  await run('steady', 'steady load', () => steady(fleet, 10));
  await run('across', 'across instances', () => acrossInstances(fleet));
  await run('rolling', 'rolling restart', () => rollingRestart(fleet));
  await run('kill', 'kill -9 one instance', () => killOne(fleet));
  await run('outage', 'CFW outage: every call 503', () => cfwOutage(fleet, 'CFW outage: every call 503', { kind: 'status', status: 503 }, OUTAGE_SECONDS));
  await run('outage', 'CFW outage: every call hangs', () => cfwOutage(fleet, 'CFW outage: every call hangs', { kind: 'hang' }, OUTAGE_SECONDS));
  await run('fairness', 'one caller at 10× its share', () => fairness(fleet, 10));
  await run('throttle', 'CFW throttles (429)', () => cfwThrottles(fleet, 10));
  // Last: a Redis started afresh is empty, and the gateways' store breakers take a moment to close.
  await run('redis', 'Redis frozen, killed, restarted', () => redisTrouble(fleet, REDIS_FROZEN_SECONDS));

  await load.stop();
  await Promise.all([prometheus.stop(), balancer.stop(), ...gateways.map((gateway) => gateway.terminate(15_000))]);
  await Promise.all([simulator.stop(), redis.stop()]);
  // The logs stay for reading; Prometheus's database is of no use after the run.
  rmSync(path.join(logDir, 'prometheus-data'), { recursive: true, force: true });

  const skipped = Object.entries(load.skipped).filter(([, count]) => count > 0);
  const command = `npm run test:fleet${only.size === EVENTS.length ? '' : ` -- --only ${[...only].join(',')}`}`;
  const cpus = os.cpus();
  const report = markdownReport(events, {
    command,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    // The machine's load average says how much else ran beside the fleet (other work shares the cores).
    machine: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end`,
    commit: commitOf(),
    versions: [`Node ${process.version}`, ...TOOLS.map((tool) => versionOf(tool.command, tool.flag))].join(', '),
    settings: [
      `gateways: ${Object.entries(GATEWAY_SETTINGS)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')} (the rest as shipped; NODE_ENV=production, LOG_LEVEL=warn)`,
      `simulator: --time-scale ${TIME_SCALE} --latency ${SIMULATOR_LATENCY_MS}`,
      `load: callers ${CALLERS.join(', ')} at ${READS_PER_SECOND} reads/s each (up to 64 in flight each), callers ${CALLERS.filter((caller) => caller !== GREEDY).join(', ')} also walking captures on one firewall (create, stop, delete, 150 ms apart); ${GREEDY} at 10× in the fairness event${skipped.length === 0 ? '' : `; reads skipped because 64 were in flight: ${skipped.map(([caller, count]) => `${caller} ${count}`).join(', ')}`}`,
      `alert rules: ${ALERT_RULES_FILE} with every for: at ${TEST_FOR_SECONDS} s, scraped and evaluated every 1 s`,
    ],
  });
  process.stdout.write(`\n${textTable(events)}\n\n${criteriaLines(events).join('\n')}\n`);
  if (only.size === EVENTS.length) writeFileSync(path.join(ROOT, 'docs', 'fleet-results.md'), report);
  else writeFileSync(path.join(logDir, 'fleet-results.md'), report);
  const { passed, failed } = tally(events);
  process.stdout.write(`fleet: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`fleet: could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
killAll();
// Nothing is left to wait for: an idle socket of a health check must not hold the run open.
process.exit();
