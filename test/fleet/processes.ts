// The fleet's processes: Redis, the CFW simulator, the gateways, HAProxy, Prometheus and the load,
// each a child of the harness with its output in a log file of the run, started on loopback ports
// and stopped (or frozen, or killed) on the scenario's word. None outlives the harness.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScriptNodeFlags } from '../../scripts/node-flags.ts';
import { SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { freePort } from '../helpers/process.ts';
import { haproxyConfig, serverStatesFromCsv, type ServerStates } from './haproxy.ts';
import type { FromLoad, LoadPlan, ToLoad } from './load.ts';
import { prometheusConfig } from './prometheus.ts';
import type { RequestRecord } from './stats.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const running = new Set<ChildProcess>();

/** Kills every child still running; synchronous, for process.on('exit'). */
export function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    } catch {
      // gone already
    }
  }
  running.clear();
}

/** Whether `command` runs from PATH. */
export function onPath(command: string, versionFlag = '--version'): boolean {
  return spawnSync(command, [versionFlag], { stdio: 'ignore' }).error === undefined;
}

/** Only what the children need: none picks up the caller's gateway settings. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Settles with the exit code or signal when the process ends. */
  readonly exited: Promise<string>;
  /** Resolves once `pattern` shows in its output (stdout or stderr), or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has ended. */
  stop(graceMs?: number): Promise<string>;
}

interface ChildOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  readonly logDir: string;
  /** An IPC channel as the fourth descriptor (the load). */
  readonly ipc?: boolean;
}

/** Starts a child with its stdout and stderr appended to `<logDir>/<name>.log`. */
export function startChild(options: ChildOptions): Child {
  const log = createWriteStream(path.join(options.logDir, `${options.name}.log`), { flags: 'a' });
  const child = spawn(options.command, options.args, {
    cwd: ROOT,
    env: { ...baseEnv(), ...options.env },
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // The start of its output, where the ready line is; the rest goes only to the log.
  let head = '';
  const waiters = new Set<() => void>();
  const onOutput = (chunk: Buffer) => {
    log.write(chunk);
    if (head.length < 64_000) head += chunk.toString('utf8');
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      log.end(`\n[harness] ${options.name} exited: ${signal ?? `code ${code}`}\n`);
      resolve(signal ?? `code ${code}`);
      for (const waiter of waiters) waiter();
    });
  });
  if (child.pid === undefined) throw new Error(`${options.command} could not be started`);
  const pid = child.pid;
  return {
    name: options.name,
    process: child,
    pid,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(head)) {
            done();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`${options.name} ended before printing ${String(pattern)}: ${head.slice(-1500)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${options.name} printed no ${String(pattern)} within ${timeoutMs} ms: ${head.slice(-1500)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const how = await exited;
        clearTimeout(timer);
        return how;
      }
      return exited;
    },
  };
}

/** Polls `check` every `everyMs` until it holds; rejects naming `what` after `timeoutMs`. */
export async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < Math.ceil(timeoutMs / everyMs) + 1; round++) {
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) break;
    await sleep(everyMs);
  }
  throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
}

/** GET on loopback; the status and body, or undefined when nothing answered. */
export async function getText(url: string, timeoutMs = 2_000): Promise<{ readonly status: number; readonly body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

export class RedisProcess {
  readonly url: string;
  #child: Child;
  readonly #port: number;
  readonly #logDir: string;

  private constructor(port: number, logDir: string, child: Child) {
    this.#port = port;
    this.#logDir = logDir;
    this.#child = child;
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(logDir: string): Promise<RedisProcess> {
    const port = await freePort();
    const redis = new RedisProcess(port, logDir, RedisProcess.#spawn(port, logDir));
    await redis.#child.waitFor(/Ready to accept connections/, 10_000);
    return redis;
  }

  static #spawn(port: number, logDir: string): Child {
    return startChild({
      name: 'redis',
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      logDir,
    });
  }

  /** SIGSTOP: its sockets stay open and nothing answers. */
  freeze(): void {
    this.#child.signal('SIGSTOP');
  }

  thaw(): void {
    this.#child.signal('SIGCONT');
  }

  /** SIGKILL: every connection to it is reset, and the port refuses. */
  async kill(): Promise<void> {
    this.#child.signal('SIGKILL');
    await this.#child.exited;
  }

  /** A fresh, empty Redis on the same port. */
  async restart(): Promise<void> {
    this.#child = RedisProcess.#spawn(this.#port, this.#logDir);
    await this.#child.waitFor(/Ready to accept connections/, 10_000);
  }

  stop(): Promise<string> {
    return this.#child.stop();
  }
}

/** The callers' tokens: each is accepted by the simulator (`--token`), and limited on its own by the gateway. */
export function callerToken(caller: string): string {
  return `fleet-${caller}`;
}

export interface SimulatorSettings {
  readonly timeScale: number;
  readonly latencyMs: number;
  readonly callers: readonly string[];
}

export class SimulatorProcess {
  readonly base: string;
  readonly #child: Child;

  private constructor(base: string, child: Child) {
    this.base = base;
    this.#child = child;
  }

  static async start(logDir: string, settings: SimulatorSettings): Promise<SimulatorProcess> {
    const port = await freePort();
    const tokens = settings.callers.flatMap((caller) => ['--token', callerToken(caller)]);
    const child = startChild({
      name: 'simulator',
      command: process.execPath,
      args: ['src/simulator/main.ts', '--port', String(port), '--time-scale', String(settings.timeScale), '--latency', String(settings.latencyMs), ...tokens],
      logDir,
    });
    await child.waitFor(/CFW simulator at http/, 15_000);
    return new SimulatorProcess(`http://127.0.0.1:${port}`, child);
  }

  /** Queues faults (faults.ts): `[{kind: 'status', status: 503, times: 1e6}]`. */
  async addFaults(faults: readonly Record<string, unknown>[]): Promise<void> {
    const response = await fetch(`${this.base}/_simulator/faults`, { method: 'POST', body: JSON.stringify(faults) });
    if (response.status !== 200) throw new Error(`the simulator refused the faults: ${response.status} ${await response.text()}`);
  }

  async clearFaults(): Promise<void> {
    const response = await fetch(`${this.base}/_simulator/faults`, { method: 'DELETE' });
    if (response.status !== 200) throw new Error(`the simulator did not clear its faults: ${response.status}`);
  }

  /** Calls per `METHOD /path`, since start. */
  async callCounts(): Promise<Readonly<Record<string, number>>> {
    const response = await fetch(`${this.base}/_simulator/state`);
    const state: unknown = await response.json();
    const counts = typeof state === 'object' && state !== null && 'callCounts' in state ? state.callCounts : undefined;
    if (typeof counts !== 'object' || counts === null) throw new Error('the simulator state has no callCounts');
    return Object.fromEntries(Object.entries(counts).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  }

  stop(): Promise<string> {
    return this.#child.stop();
  }
}

/** The gateway's settings shared by every instance (each adds its PORT). */
export function gatewayEnv(settings: {
  readonly simulator: string;
  readonly redisUrl: string;
  readonly extra: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    CFW_ENDPOINT: settings.simulator,
    CFW_PROJECT_ID: SIMULATOR_PROJECT_ID,
    REDIS_URL: settings.redisUrl,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ...settings.extra,
  };
}

export class GatewayProcess {
  readonly name: string;
  readonly port: number;
  readonly #env: Record<string, string>;
  readonly #logDir: string;
  #child: Child | undefined;
  /** How many times it has been started. */
  starts = 0;

  constructor(name: string, port: number, env: Record<string, string>, logDir: string) {
    this.name = name;
    this.port = port;
    this.#env = env;
    this.#logDir = logDir;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** `node <npm start's flags> src/main.ts`; resolves once it printed that it is ready. */
  async start(): Promise<void> {
    this.starts++;
    this.#child = startChild({
      name: this.name,
      command: process.execPath,
      args: [...startScriptNodeFlags(ROOT), 'src/main.ts'],
      env: { ...this.#env, PORT: String(this.port) },
      logDir: this.#logDir,
    });
    await this.#child.waitFor(/capture-gateway ready at/, 20_000);
  }

  /** SIGTERM and wait for its exit, however long its drain takes (SIGKILL after `graceMs`). */
  async terminate(graceMs = 30_000): Promise<string> {
    const child = this.#child;
    if (child === undefined) return 'not running';
    return child.stop(graceMs);
  }

  async kill(): Promise<string> {
    const child = this.#child;
    if (child === undefined) return 'not running';
    child.signal('SIGKILL');
    return child.exited;
  }

  /** Its /metrics page, or '' when nothing answers. */
  async metrics(): Promise<string> {
    const answer = await getText(`http://127.0.0.1:${this.port}/metrics`);
    return answer?.status === 200 ? answer.body : '';
  }

  /** GET /readyz: the status, or 0 when nothing answers. */
  async readiness(): Promise<number> {
    return (await getText(`http://127.0.0.1:${this.port}/readyz`, 1_000))?.status ?? 0;
  }
}

export class BalancerProcess {
  readonly url: string;
  readonly #statsUrl: string;
  readonly #child: Child;

  private constructor(port: number, statsPort: number, child: Child) {
    this.url = `http://127.0.0.1:${port}/graphql`;
    this.#statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;
    this.#child = child;
  }

  static async start(logDir: string, gateways: readonly GatewayProcess[]): Promise<BalancerProcess> {
    const [port, statsPort] = [await freePort(), await freePort()];
    const file = path.join(logDir, 'haproxy.cfg');
    writeFileSync(file, haproxyConfig({ port, statsPort, servers: gateways.map((gateway) => ({ name: gateway.name, port: gateway.port })) }));
    const child = startChild({ name: 'haproxy', command: 'haproxy', args: ['-f', file, '-db'], logDir });
    const balancer = new BalancerProcess(port, statsPort, child);
    await balancer.waitForStates((states) => gateways.every((gateway) => states.get(gateway.name) === 'UP'), 'every gateway UP in HAProxy', 15_000);
    return balancer;
  }

  async states(): Promise<ServerStates> {
    const answer = await getText(this.#statsUrl);
    if (answer?.status !== 200) throw new Error(`HAProxy's stats page answered ${answer?.status ?? 'nothing'}`);
    return serverStatesFromCsv(answer.body);
  }

  waitForStates(holds: (states: ServerStates) => boolean, what: string, timeoutMs: number): Promise<void> {
    return pollUntil(async () => holds(await this.states()), what, timeoutMs, 100);
  }

  stop(): Promise<string> {
    return this.#child.stop();
  }
}

export class PrometheusProcess {
  readonly url: string;
  readonly #child: Child;

  private constructor(url: string, child: Child) {
    this.url = url;
    this.#child = child;
  }

  static async start(logDir: string, targets: readonly string[], rulesFile: string): Promise<PrometheusProcess> {
    const port = await freePort();
    const file = path.join(logDir, 'prometheus.yml');
    const data = path.join(logDir, 'prometheus-data');
    mkdirSync(data, { recursive: true });
    writeFileSync(file, prometheusConfig({ targets, rulesFile, intervalSeconds: 1 }));
    const child = startChild({
      name: 'prometheus',
      command: 'prometheus',
      args: [`--config.file=${file}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      logDir,
    });
    const url = `http://127.0.0.1:${port}`;
    await pollUntil(async () => (await getText(`${url}/-/ready`))?.status === 200, 'Prometheus ready', 30_000, 200);
    return new PrometheusProcess(url, child);
  }

  async alerts(): Promise<unknown> {
    const answer = await getText(`${this.url}/api/v1/alerts`);
    if (answer?.status !== 200) throw new Error(`Prometheus /api/v1/alerts answered ${answer?.status ?? 'nothing'}`);
    return JSON.parse(answer.body) as unknown;
  }

  stop(): Promise<string> {
    return this.#child.stop();
  }
}

/** The load process, and every record it has sent so far. */
export class LoadProcess {
  readonly records: RequestRecord[] = [];
  skipped: Readonly<Record<string, number>> = {};
  readonly #child: Child;
  readonly #stopped: Promise<void>;

  private constructor(child: Child) {
    this.#child = child;
    this.#stopped = new Promise((resolve) => {
      child.process.on('message', (message: FromLoad) => {
        if (message.type === 'records') {
          this.records.push(...message.records);
          this.skipped = message.skipped;
        } else resolve();
      });
      void child.exited.then(() => {
        resolve();
      });
    });
  }

  static start(logDir: string, plan: LoadPlan): LoadProcess {
    const child = startChild({ name: 'load', command: process.execPath, args: ['test/fleet/load.ts'], logDir, ipc: true });
    const load = new LoadProcess(child);
    load.#tell({ type: 'start', plan });
    return load;
  }

  #tell(message: ToLoad): void {
    this.#child.process.send(message);
  }

  setRate(caller: string, readsPerSecond: number): void {
    this.#tell({ type: 'rate', caller, readsPerSecond });
  }

  setReadMethod(method: 'GET' | 'POST'): void {
    this.#tell({ type: 'read-method', method });
  }

  /** Stops sending, waits for what is in flight, and for the last records. */
  async stop(): Promise<void> {
    this.#tell({ type: 'stop' });
    await this.#stopped;
  }

  /** Waits for the records of requests answered until now (the load sends them twice a second). */
  async settle(): Promise<void> {
    await sleep(1_200);
  }
}
