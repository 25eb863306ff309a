// npm run bench: the gateway against the limit a Node BFF can reach, in the same run.
//
// Each server runs in its own process, so CPU and RSS are its own and none shares an event loop
// with the load generator: (a) the CFW simulator called directly, (b) bench/pass-through.ts
// (node:http, no GraphQL library, the same upstream calls and the same JSON out) and (c) the
// gateway started as users start it (`node src/main.ts`). Per upstream latency (0 ms, 20 ms) the
// three are measured interleaved, A B C A B C …, and the medians of the rounds are reported with
// each ratio to (b), then the targets, PASS or FAIL (a FAIL is reported, not a failing exit).
//
// BENCH_DURATION_S (5), BENCH_ROUNDS (3), BENCH_WARMUP_S (1), BENCH_CONNECTIONS (32) shorten or
// lengthen a run; BENCH_CASES (e.g. `0:Page,20:Page:4`: latency:operation[:connections]) keeps only
// some cases and BENCH_COLD_STARTS (3; 0 skips them) sets the cold starts, for iterating on one
// figure. The committed results use the defaults.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SIMULATOR_FIREWALLS } from '../src/simulator/store.ts';
import {
  BENCH_PROJECT_ID,
  BENCH_TOKEN,
  ENTITY_FIREWALLS,
  MIX_KINDS,
  mixRequest,
  mixSample,
  OPERATIONS,
  upstreamPathFor,
  type MixKind,
  type OperationName,
  type Workload,
} from './fixtures.ts';
import { request } from './http-client.ts';
import { measure, type Measurement } from './load.ts';
import {
  baseEnv,
  freePort,
  gatewayEnv,
  GATEWAY_NODE_FLAGS,
  killAll,
  memoryKbOf,
  ROOT,
  startServer,
  urlFromGatewayBanner,
  urlFromJsonLine,
  type Server,
  startSimulator,
} from './processes.ts';
import {
  COLD_START_KINDS,
  median,
  noColdStarts,
  renderMarkdown,
  SERVER_LABELS,
  summarise,
  type BenchReport,
  type ColdStartKind,
  type CrashRecord,
  type Row,
  type ServerKind,
} from './report.ts';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

const DURATION_S = setting('BENCH_DURATION_S', 5);
const ROUNDS = Math.max(1, Math.round(setting('BENCH_ROUNDS', 3)));
const WARMUP_S = setting('BENCH_WARMUP_S', 1);
const CONNECTIONS = Math.round(setting('BENCH_CONNECTIONS', 32));
const LIGHT_CONNECTIONS = 4;
const COLD_STARTS = process.env['BENCH_COLD_STARTS'] === '0' ? 0 : Math.round(setting('BENCH_COLD_STARTS', 3));
/** `latency:operation[:connections]` entries; undefined keeps every case. */
const ONLY_CASES = process.env['BENCH_CASES']
  ?.split(',')
  .map((entry) => entry.trim())
  .filter((entry) => entry !== '');

function wanted(latencyMs: number, c: Case): boolean {
  if (ONLY_CASES === undefined || ONLY_CASES.length === 0) return true;
  return ONLY_CASES.some((entry) => {
    const [latency, operation, connections] = entry.split(':');
    return Number(latency) === latencyMs && operation === c.operation && (connections === undefined || Number(connections) === c.connections);
  });
}
const RESULTS = path.join(ROOT, 'bench', 'results');

/** What is measured at one upstream latency: an operation, at a concurrency, on some servers. */
interface Case {
  readonly operation: Workload;
  readonly connections: number;
  /** The servers measured. */
  readonly servers: readonly ServerKind[];
}

/**
 * Each phase: an upstream latency and its cases (the whole run stays within about 4 minutes). At
 * 20 ms, first: 50 is also measured at 4 connections, where neither BFF saturates its core: what
 * the gateway adds by itself, not queued behind a wave of 32 requests that arrive together.
 */
const PHASES: readonly { readonly latencyMs: number; readonly cases: readonly Case[] }[] = [
  {
    latencyMs: 0,
    cases: [
      { operation: 'Page', connections: CONNECTIONS, servers: ['upstream', 'passThrough', 'passThroughGot', 'gateway', 'gatewayCached'] },
      { operation: 'One', connections: CONNECTIONS, servers: ['upstream', 'passThrough', 'gateway'] },
      { operation: 'Entities', connections: CONNECTIONS, servers: ['passThrough', 'gateway'] },
      { operation: 'Mix', connections: CONNECTIONS, servers: ['passThrough', 'passThroughGot', 'gateway'] },
    ],
  },
  {
    latencyMs: 20,
    cases: [
      { operation: 'Page', connections: CONNECTIONS, servers: ['upstream', 'passThrough', 'gateway', 'gatewayCached'] },
      { operation: 'Page', connections: LIGHT_CONNECTIONS, servers: ['passThrough', 'gateway'] },
      { operation: 'Mix', connections: CONNECTIONS, servers: ['passThrough', 'passThroughGot', 'gateway'] },
      { operation: 'Mix', connections: LIGHT_CONNECTIONS, servers: ['passThrough', 'passThroughGot', 'gateway'] },
    ],
  },
];

const CLIENT_HEADERS = { 'content-type': 'application/json', 'x-auth-token': BENCH_TOKEN };

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function startPassThrough(upstreamUrl: string, port?: number, launch: 'node' | 'npm' = 'node', client: 'undici' | 'got' = 'undici'): Promise<Server> {
  const env = { ...baseEnv(), UPSTREAM_URL: upstreamUrl, PORT: String(port ?? (await freePort())), PASS_THROUGH_CLIENT: client };
  const how = launch === 'npm' ? { command: 'npm', args: ['run', '--silent', 'bench:pass-through'] } : { args: ['bench/pass-through.ts'] };
  return startServer({ name: client === 'got' ? 'pass-through (got)' : 'pass-through', ...how, env, urlFrom: urlFromJsonLine });
}

/** How a server is launched for a cold start: as users start it, each way they may. */
export type Launch = 'node src' | 'npm start' | 'node dist';
const GATEWAY_LAUNCH: Record<Launch, { readonly command?: string; readonly args: readonly string[] }> = {
  'node src': { args: [...GATEWAY_NODE_FLAGS, 'src/main.ts'] },
  'npm start': { command: 'npm', args: ['start', '--silent'] },
  'node dist': { args: [...GATEWAY_NODE_FLAGS, 'dist/main.js'] },
};

/** Exactly as users start it: `node src/main.ts` (or `npm start`, or the build), configured by the environment alone. */
async function startGateway(upstreamUrl: string, port?: number, extra: Record<string, string> = {}, launch: Launch = 'node src'): Promise<Server> {
  const env = gatewayEnv(upstreamUrl, BENCH_PROJECT_ID, port ?? (await freePort()), extra);
  return startServer({
    name: extra['CACHE_TTL_SECONDS'] === undefined ? 'gateway' : 'gateway + page cache',
    ...GATEWAY_LAUNCH[launch],
    env,
    urlFrom: urlFromGatewayBanner,
    timeoutMs: 30_000,
  });
}

/** A server under test, started again when it dies: a crash costs a note in the report, not the run. */
class Slot {
  server: Server;
  readonly #start: () => Promise<Server>;
  readonly #crashes: CrashRecord[];
  /** The last measurement made on this server, to which a crash found later belongs. */
  #last = 'its start';

  constructor(server: Server, start: () => Promise<Server>, crashes: CrashRecord[]) {
    this.server = server;
    this.#start = start;
    this.#crashes = crashes;
  }

  /** Whether the server is gone; waits for its exit to be seen when it is. */
  async died(): Promise<boolean> {
    try {
      process.kill(this.server.pid, 0);
      return false;
    } catch {
      await this.server.exited;
      return true;
    }
  }

  /** Notes the measurement about to run on this server. */
  measuring(where: string): void {
    this.#last = where;
  }

  /**
   * When the server died, records how (blaming the last measurement made on it: a crash on the
   * requests autocannon abandons when it stops is often seen only later) and puts a warmed-up new
   * one in its place. Says whether it had died.
   */
  async recover(warmUp: () => Promise<unknown>): Promise<boolean> {
    const crash = this.server.crash();
    if (crash === undefined) return false;
    this.#crashes.push({
      server: this.server.name,
      where: `during or right after ${this.#last}`,
      exit: crash.exit,
      stderr: crash.stderr.slice(0, 3000),
      stdoutTail: crash.stdoutTail,
    });
    log(`!! ${this.server.name} died during or right after ${this.#last} (${crash.exit}); starting a new one`);
    this.server = await this.#start();
    this.#last = 'its start';
    await warmUp();
    return true;
  }
}

/** What one server is asked in one case, and the only answer it may give. */
interface Target {
  readonly kind: ServerKind;
  readonly slot: Slot;
  /** The simulator, busy during every measurement: its CPU is the bench's, not foreign load. */
  readonly simulator: Slot;
  /** Appended to the server's URL: the upstream path for (a), nothing for (b) and (c). */
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** The one acceptable answer; undefined for the mix, whose answers differ per request. */
  readonly expectBody: string | undefined;
  /** The mix: each request's headers and body, in the mix's order. */
  readonly next?: () => { readonly headers: Record<string, string>; readonly body: string };
}

/**
 * Asks (b) and (c) every operation once and fails loudly unless their answers are deep-equal and
 * free of errors: the comparison is only honest when both do the same work. Returns the answers.
 */
async function verify(operation: OperationName, passThrough: Server, gateway: Server): Promise<{ body: string; identical: 'bytes' | 'deep-equal' }> {
  const ask = (server: Server) => request(server.url, { method: 'POST', headers: CLIENT_HEADERS, body: OPERATIONS[operation].body });
  const [fromPassThrough, fromGateway] = await Promise.all([ask(passThrough), ask(gateway)]);
  const parsed = [fromPassThrough, fromGateway].map((answer, index) => {
    const name = index === 0 ? 'pass-through' : 'gateway';
    if (answer.status !== 200) throw new Error(`${name} answered ${operation} with HTTP ${answer.status}: ${answer.body.slice(0, 500)}`);
    const json: unknown = JSON.parse(answer.body);
    if (typeof json !== 'object' || json === null || 'errors' in json || !('data' in json))
      throw new Error(`${name} answered ${operation} with errors: ${answer.body.slice(0, 500)}`);
    return json;
  });
  if (fromPassThrough.body === fromGateway.body) return { body: fromGateway.body, identical: 'bytes' };
  if (!isDeepStrictEqual(parsed[0], parsed[1])) {
    let at = 0;
    while (fromPassThrough.body[at] === fromGateway.body[at]) at++;
    throw new Error(
      `the pass-through and the gateway answer ${operation} differently: the comparison would not be honest.\n` +
        `  first difference at character ${at}:\n  pass-through: …${fromPassThrough.body.slice(Math.max(0, at - 80), at + 80)}\n  gateway:      …${fromGateway.body.slice(Math.max(0, at - 80), at + 80)}`,
    );
  }
  return { body: fromGateway.body, identical: 'deep-equal' };
}

async function targetsFor(operation: OperationName, slots: Record<ServerKind, Slot>): Promise<{ targets: Target[]; identical: 'bytes' | 'deep-equal' }> {
  const { body: answer, identical } = await verify(operation, slots.passThrough.server, slots.gateway.server);
  const withGot = await verify(operation, slots.passThroughGot.server, slots.gateway.server);
  if (withGot.body !== answer) throw new Error(`the pass-through with got answers ${operation} unlike the one with undici`);
  const targets: Target[] = [];
  if (operation !== 'Entities') {
    const path = upstreamPathFor(SIMULATOR_FIREWALLS.demo, OPERATIONS[operation].first);
    const headers = { 'x-auth-token': BENCH_TOKEN, accept: 'application/json' };
    const direct = await request(`${slots.upstream.server.url}${path}`, { method: 'GET', headers });
    if (direct.status !== 200) throw new Error(`the simulator answered ${path} with HTTP ${direct.status}: ${direct.body.slice(0, 300)}`);
    targets.push({ kind: 'upstream', slot: slots.upstream, simulator: slots.upstream, path, method: 'GET', headers, body: undefined, expectBody: direct.body });
  }
  const body = OPERATIONS[operation].body;
  // The servers that answer the operation's GraphQL body, each expected to give the same bytes.
  for (const kind of ['passThrough', 'passThroughGot', 'gateway', 'gatewayCached'] as const) {
    targets.push({ kind, slot: slots[kind], simulator: slots.upstream, path: '', method: 'POST', headers: CLIENT_HEADERS, body, expectBody: answer });
  }
  return { targets, identical };
}

/** Mix requests verified before measuring: the first of each kind, and this many more. */
const MIX_VERIFIED_EXTRA = 40;
/** Where measurements start in the mix's sequence, past the verified requests; it runs on from there. */
let mixNext = 10_000;

function nextMixRequest(): { headers: Record<string, string>; body: string } {
  const { token, body } = mixRequest(mixNext++);
  return { headers: { 'content-type': 'application/json', 'x-auth-token': token }, body };
}

/** Under load a mix answer is checked for data and no errors (each was compared byte for byte before). */
const mixAnswerIsData = (body: string) => body.startsWith('{"data":{"captureTask') && !body.includes('"errors"');

/**
 * Asks (b), (b′) and (c) each kind of mix request (and more, from the same sequence) and fails
 * loudly unless all three answer each with the same bytes and no errors.
 */
async function verifyMix(slots: Record<ServerKind, Slot>): Promise<Set<MixKind>> {
  const checked = new Set<MixKind>();
  for (const mix of mixSample(0, MIX_VERIFIED_EXTRA)) {
    const headers = { 'content-type': 'application/json', 'x-auth-token': mix.token };
    const answers = await Promise.all(
      (['passThrough', 'passThroughGot', 'gateway'] as const).map(async (kind) => ({
        kind,
        answer: await request(slots[kind].server.url, { method: 'POST', headers, body: mix.body }),
      })),
    );
    const [reference, ...others] = answers;
    if (reference === undefined) continue;
    for (const { kind, answer } of answers) {
      if (answer.status !== 200 || !mixAnswerIsData(answer.body))
        throw new Error(`${SERVER_LABELS[kind]} answered the mix request ${mix.body} with HTTP ${answer.status}: ${answer.body.slice(0, 500)}`);
    }
    for (const { kind, answer } of others) {
      if (answer.body === reference.answer.body) continue;
      let at = 0;
      while (answer.body[at] === reference.answer.body[at]) at++;
      throw new Error(
        `${SERVER_LABELS[kind]} and ${SERVER_LABELS[reference.kind]} answer the mix request (${mix.kind}) ${mix.body} differently: the comparison would not be honest.\n` +
          `  first difference at character ${at}:\n  ${reference.kind}: …${reference.answer.body.slice(Math.max(0, at - 80), at + 80)}\n  ${kind}: …${answer.body.slice(Math.max(0, at - 80), at + 80)}`,
      );
    }
    checked.add(mix.kind);
  }
  const missing = MIX_KINDS.filter((kind) => !checked.has(kind));
  if (missing.length > 0) throw new Error(`the mix's sample lacks ${missing.join(', ')}`);
  return checked;
}

function mixTargets(slots: Record<ServerKind, Slot>): Target[] {
  return (['passThrough', 'passThroughGot', 'gateway'] as const).map((kind) => ({
    kind,
    slot: slots[kind],
    simulator: slots.upstream,
    path: '',
    method: 'POST',
    headers: CLIENT_HEADERS,
    body: undefined,
    expectBody: undefined,
    next: nextMixRequest,
  }));
}

/**
 * The gateway's event-loop delay (perf_hooks.monitorEventLoopDelay, as prom-client reports it in
 * /metrics: each scrape gives the figures since the previous one and starts afresh), in ms.
 */
async function loopDelayOf(server: Server): Promise<{ p99Ms: number; maxMs: number }> {
  const metrics = await request(server.url.replace(/\/graphql$/, '/metrics'), { method: 'GET', headers: {} });
  const read = (name: string) => 1000 * Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.body)?.[1] ?? Number.NaN);
  return { p99Ms: read('nodejs_eventloop_lag_p99_seconds'), maxMs: read('nodejs_eventloop_lag_max_seconds') };
}

async function run(target: Target, connections: number, durationS: number): Promise<Measurement> {
  const gateway = target.kind === 'gateway' || target.kind === 'gatewayCached';
  // A scrape right before starts the gateway's event-loop delay histogram afresh.
  if (gateway) await loopDelayOf(target.slot.server);
  const measurement = await measure({
    url: `${target.slot.server.url}${target.path}`,
    method: target.method,
    headers: target.headers,
    body: target.body,
    ...(target.expectBody === undefined ? {} : { expectBody: target.expectBody }),
    ...(target.next === undefined ? {} : { next: target.next, verifyBody: mixAnswerIsData }),
    connections,
    durationS,
    pid: target.slot.server.pid,
    helperPids: [target.simulator.server.pid],
  });
  return gateway ? { ...measurement, loopDelay: await loopDelayOf(target.slot.server) } : measurement;
}

/**
 * One measurement, on a live server: one found dead (after an earlier measurement) is replaced
 * first; one that dies during this one is replaced after it, and the measurement, which ran its
 * course, counts. Says whether the server died during it, as far as seen by its end.
 */
async function measureOn(target: Target, connections: number, durationS: number, where: string): Promise<{ measurement: Measurement; died: boolean }> {
  const warmUp = () => run(target, connections, WARMUP_S);
  await target.slot.recover(warmUp);
  target.slot.measuring(where);
  let measurement: Measurement;
  try {
    measurement = await run(target, connections, durationS);
  } catch (error) {
    // It died as the measurement began: replace it and measure again.
    if (!(await target.slot.died())) throw error;
    await target.slot.recover(warmUp);
    target.slot.measuring(where);
    measurement = await run(target, connections, durationS);
  }
  return { measurement, died: await target.slot.recover(warmUp) };
}

/** The gateway's V8 heap (process.memoryUsage() as its /metrics reports it), in kB. */
async function heapOf(gateway: Server): Promise<{ usedKb: number; totalKb: number; externalKb: number }> {
  const metrics = await request(gateway.url.replace(/\/graphql$/, '/metrics'), { method: 'GET', headers: {} });
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.body)?.[1] ?? Number.NaN) / 1024;
  return { usedKb: read('nodejs_heap_size_used_bytes'), totalKb: read('nodejs_heap_size_total_bytes'), externalKb: read('nodejs_external_memory_bytes') };
}

/** Spawn to the first correct answer to the first:1 query, in ms, and the server's RSS right then (kB). */
async function coldStart(start: (port: number) => Promise<Server>, expectBody: string): Promise<{ ms: number; rssKb: number }> {
  const port = await freePort();
  const spawned = performance.now();
  const starting = start(port);
  // A start-up failure must surface here, not as an unhandled rejection while we poll.
  let failure: unknown;
  starting.catch((error: unknown) => {
    failure = error;
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = spawned + 30_000;
  try {
    for (;;) {
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error('start-up failed', { cause: failure });
      try {
        const answer = await request(url, { method: 'POST', headers: CLIENT_HEADERS, body: OPERATIONS.One.body });
        if (answer.status === 200 && answer.body === expectBody) {
          const ms = performance.now() - spawned;
          const server = await starting;
          return { ms, rssKb: memoryKbOf(server.pid, 'VmRSS') };
        }
        throw new Error(`cold start: the first answer was HTTP ${answer.status}, not the expected first:1 page: ${answer.body.slice(0, 300)}`);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED')) throw error;
      }
      if (performance.now() > deadline) throw new Error(`cold start: no answer on port ${port} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await (await starting.catch(() => undefined))?.stop();
  }
}

function describe(m: Measurement): string {
  const problems = m.errors + m.non2xx + m.mismatches > 0 ? `  !! errors ${m.errors}, non-2xx ${m.non2xx}, mismatches ${m.mismatches}` : '';
  const foreign = m.foreignCpuShare > 0.05 ? `  !! other processes used ${(100 * m.foreignCpuShare).toFixed(0)}% of the machine` : '';
  return `${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  CPU ${m.cpuUsPerRequest.toFixed(0)} µs/req  RSS ${(m.peakRssKb / 1024).toFixed(0)} MB${problems}${foreign}`;
}

function environment() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    if (dirty) commit += ' (src/ modified)';
  } catch {
    // not a git checkout
  }
  return { date: new Date().toISOString(), node: process.version, cpuModel, cpus: os.availableParallelism(), os: `${os.type()} ${os.release()}`, commit };
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows: Row[] = [];
  const coldStarts = noColdStarts();
  const firstAnswerRssKb: Partial<Record<ColdStartKind, number>> = {};
  const identical: Partial<Record<Workload, 'bytes' | 'deep-equal'>> = {};
  const restRssKb: BenchReport['restRssKb'][number][] = [];
  const crashes: CrashRecord[] = [];
  log(
    `capture-gateway bench: ${CONNECTIONS} connections (and ${LIGHT_CONNECTIONS} for one light-load case), ${DURATION_S} s per measurement, ${ROUNDS} rounds, ${WARMUP_S} s warm-up; ${os.availableParallelism()} CPUs`,
  );

  // The build is what the Dockerfile runs: its cold start and its footprint at rest are measured.
  log('building dist/ (npm run build) for `node dist/main.js`');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const phases = PHASES.map((phase) => ({ ...phase, cases: phase.cases.filter((c) => wanted(phase.latencyMs, c)) })).filter(
    (phase) => phase.cases.length > 0 || (phase.latencyMs === 0 && COLD_STARTS > 0),
  );
  for (const phase of phases) {
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const simulator = await startSimulator(phase.latencyMs);
      cleanups.push(() => simulator.stop());
      log(`\n[${phase.latencyMs} ms upstream] simulator at ${simulator.url}`);

      if (phase.latencyMs === 0 && COLD_STARTS > 0) {
        // On a quiet machine, before any load: spawn → first correct answer, interleaved, each
        // server launched every way users launch it (npm costs its own start-up: the pass-through
        // is launched through npm too, for a like-for-like ratio).
        const reference = await startGateway(simulator.url);
        const expected = await request(reference.url, { method: 'POST', headers: CLIENT_HEADERS, body: OPERATIONS.One.body });
        await reference.stop();
        const starters: Record<ColdStartKind, (port: number) => Promise<Server>> = {
          'gateway: node src/main.ts': (port) => startGateway(simulator.url, port),
          'gateway: node dist/main.js': (port) => startGateway(simulator.url, port, {}, 'node dist'),
          'gateway: npm start': (port) => startGateway(simulator.url, port, {}, 'npm start'),
          'pass-through: node': (port) => startPassThrough(simulator.url, port),
          'pass-through: npm run': (port) => startPassThrough(simulator.url, port, 'npm'),
        };
        for (let i = 0; i < COLD_STARTS; i++) {
          for (const kind of COLD_START_KINDS) {
            const { ms, rssKb } = await coldStart(starters[kind], expected.body);
            coldStarts[kind].push(ms);
            // A launcher's pid is npm's own: the server's footprint is read only when node is the process.
            if (!kind.includes('npm')) firstAnswerRssKb[kind] = Math.max(firstAnswerRssKb[kind] ?? 0, rssKb);
          }
        }
        for (const kind of COLD_START_KINDS) log(`cold start (spawn → first answer), ${kind}: ${coldStarts[kind].map((ms) => ms.toFixed(0)).join(', ')} ms`);
      }

      const passThrough = await startPassThrough(simulator.url);
      const startWithGot = () => startPassThrough(simulator.url, undefined, 'node', 'got');
      const passThroughGot = await startWithGot();
      const gateway = await startGateway(simulator.url);
      // (d): the same gateway with the page cache on; coalescing of identical in-flight calls is on in both.
      const startCached = () => startGateway(simulator.url, undefined, { CACHE_TTL_SECONDS: '2' });
      const gatewayCached = await startCached();
      const slots: Record<ServerKind, Slot> = {
        upstream: new Slot(simulator, () => Promise.reject(new Error('the simulator died: the BFFs would have lost their upstream')), crashes),
        passThrough: new Slot(passThrough, () => startPassThrough(simulator.url), crashes),
        passThroughGot: new Slot(passThroughGot, startWithGot, crashes),
        gateway: new Slot(gateway, () => startGateway(simulator.url), crashes),
        gatewayCached: new Slot(gatewayCached, startCached, crashes),
      };
      // The slots' servers are stopped at the end of the phase, whichever they are by then.
      cleanups.push(
        () => slots.gateway.server.stop(),
        () => slots.gatewayCached.server.stop(),
        () => slots.passThrough.server.stop(),
        () => slots.passThroughGot.server.stop(),
      );
      // Footprint at rest: started, nothing asked yet; the build too, started for this alone.
      const built = await startGateway(simulator.url, undefined, {}, 'node dist');
      const builtAtRest = { gatewayBuilt: memoryKbOf(built.pid, 'VmRSS'), gatewayBuiltHeap: await heapOf(built) };
      await built.stop();
      const rest = {
        latencyMs: phase.latencyMs,
        passThrough: memoryKbOf(passThrough.pid, 'VmRSS'),
        gateway: memoryKbOf(gateway.pid, 'VmRSS'),
        gatewayHeap: await heapOf(gateway),
        ...builtAtRest,
      };
      restRssKb.push(rest);
      log(
        `pass-through pid ${passThrough.pid} at ${passThrough.url} (RSS at rest ${(rest.passThrough / 1024).toFixed(0)} MB); gateway pid ${gateway.pid} at ${gateway.url} (RSS at rest ${(rest.gateway / 1024).toFixed(0)} MB; as \`node dist/main.js\` ${(rest.gatewayBuilt / 1024).toFixed(0)} MB)`,
      );

      const targetsByOperation = new Map<Workload, Target[]>();
      for (const operation of new Set(phase.cases.map((c) => c.operation))) {
        if (operation === 'Mix') {
          const kinds = await verifyMix(slots);
          identical.Mix = 'bytes';
          log(`verified: (b), (b′) and the gateway answer every kind of mix request byte-identically (${[...kinds].join(', ')}; ${MIX_VERIFIED_EXTRA} more)`);
          targetsByOperation.set(operation, mixTargets(slots));
          continue;
        }
        const { targets, identical: how } = await targetsFor(operation, slots);
        identical[operation] = how;
        log(`verified: pass-through and gateway answer ${operation} ${how === 'bytes' ? 'byte-identically' : 'with deep-equal JSON'}`);
        targetsByOperation.set(operation, targets);
      }
      const cases = phase.cases.map((c) => ({
        ...c,
        targets: (targetsByOperation.get(c.operation) ?? []).filter((target) => c.servers.includes(target.kind)),
      }));

      for (const { operation, connections, targets } of cases) {
        for (const target of targets)
          await measureOn(target, connections, WARMUP_S, `the ${operation} warm-up at ${connections} connections, ${phase.latencyMs} ms upstream`);
        log(`warmed up: ${operation} at ${connections} connections`);
      }

      const measured = new Map<string, Measurement[]>();
      const crashedCases = new Map<string, number>();
      for (let round = 1; round <= ROUNDS; round++) {
        for (const { operation, connections, targets } of cases) {
          for (const target of targets) {
            const where = `${operation} at ${connections} connections, ${phase.latencyMs} ms upstream, round ${round}`;
            const { measurement: m, died } = await measureOn(target, connections, DURATION_S, where);
            const key = `${operation}|${connections}|${target.kind}`;
            measured.set(key, [...(measured.get(key) ?? []), m]);
            if (died) crashedCases.set(key, (crashedCases.get(key) ?? 0) + 1);
            log(`round ${round}/${ROUNDS}  ${operation.padEnd(8)} c=${String(connections).padEnd(3)} ${SERVER_LABELS[target.kind].padEnd(20)} ${describe(m)}`);
          }
        }
      }

      for (const { operation, connections, targets } of cases) {
        for (const target of targets) {
          const runs = measured.get(`${operation}|${connections}|${target.kind}`) ?? [];
          rows.push({
            latencyMs: phase.latencyMs,
            operation,
            connections,
            server: target.kind,
            rps: median(runs.map((m) => m.rps)),
            p50Ms: median(runs.map((m) => m.p50Ms)),
            p99Ms: median(runs.map((m) => m.p99Ms)),
            cpuUsPerRequest: median(runs.map((m) => m.cpuUsPerRequest)),
            peakRssKb: Math.max(...runs.map((m) => m.peakRssKb)),
            problems: runs.reduce((sum, m) => sum + m.errors + m.non2xx + m.mismatches, 0),
            crashes: crashedCases.get(`${operation}|${connections}|${target.kind}`) ?? 0,
            ...(runs.some((m) => m.loopDelay !== undefined)
              ? {
                  loopDelay: { p99Ms: median(runs.map((m) => m.loopDelay?.p99Ms ?? Number.NaN)), maxMs: Math.max(...runs.map((m) => m.loopDelay?.maxMs ?? 0)) },
                }
              : {}),
            runs,
          });
        }
      }
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  }

  const report: BenchReport = {
    ...environment(),
    settings: {
      connections: CONNECTIONS,
      lightConnections: LIGHT_CONNECTIONS,
      durationS: DURATION_S,
      rounds: ROUNDS,
      warmupS: WARMUP_S,
      entityFirewalls: ENTITY_FIREWALLS.length,
    },
    identical,
    rows,
    coldStartMs: coldStarts,
    firstAnswerRssKb,
    restRssKb,
    crashes,
    targets: [],
    elapsedS: 0,
  };
  report.targets.push(...summarise(report));
  report.elapsedS = Math.round((performance.now() - started) / 100) / 10;
  const markdown = renderMarkdown(report);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'latest.md'), markdown);
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  log(`\n${markdown}`);
  log(`written: bench/results/latest.md, bench/results/latest.json (${report.elapsedS} s)`);
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  killAll();
}
