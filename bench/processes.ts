// Child processes of the benchmark: start one and wait for its URL, read its CPU time and memory
// from /proc, and make sure none outlives the runner.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startScriptNodeFlags } from '../scripts/node-flags.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** The V8 settings the gateway is started with (`npm start`'s): the bench runs the gateway as it ships. */
export const GATEWAY_NODE_FLAGS: readonly string[] = startScriptNodeFlags(ROOT);

/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export const CLOCK_TICKS = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

const running = new Set<ChildProcess>();
/** Children that lead a process group (a launcher and the server it runs). */
const groups = new Set<ChildProcess>();
let killingAll = false;

/** Kills every child still running; safe to call from process.on('exit'), so synchronous. */
export function killAll(): void {
  killingAll = true;
  for (const child of groups) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
  groups.clear();
}

/** A free TCP port on 127.0.0.1: bound, read, released (the child binds it right after). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Only what node needs: a server under test must not pick up the caller's gateway settings. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * A gateway's environment as production configures it (NODE_ENV=production, LOG_LEVEL=warn, no
 * introspection) against `upstreamUrl` on `port`, and nothing of the caller's; `extra` last.
 */
export function gatewayEnv(upstreamUrl: string, projectId: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...baseEnv(),
    CFW_ENDPOINT: upstreamUrl,
    CFW_PROJECT_ID: projectId,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    INTROSPECTION: 'false',
    ...extra,
  };
}

export interface Server {
  readonly name: string;
  readonly pid: number;
  /** Base URL (simulator) or GraphQL URL. */
  readonly url: string;
  /** When it was spawned (performance.now()). */
  readonly spawnedAt: number;
  /** How it ended when it ended without being stopped; undefined while it runs or after stop(). */
  crash(): Crash | undefined;
  /** Settles when the process has ended, however it ended. */
  readonly exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` (3 s) if it is still running. */
  stop(graceMs?: number): Promise<void>;
}

export interface Crash {
  readonly exit: string;
  /** Its stderr from the start (an uncaught error's message and stack), up to 16 kB. */
  readonly stderr: string;
  /** The end of its stdout (the gateway logs there). */
  readonly stdoutTail: string;
}

export interface StartOptions {
  readonly name: string;
  /** What to run: node (the runner's own) unless said, e.g. `npm` for `npm start`. */
  readonly command?: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** Reads the URL from one line of stdout, or undefined when the line is not it. */
  readonly urlFrom: (line: string) => string | undefined;
  readonly timeoutMs?: number;
}

/** `node <args>` in the project root; resolves once it printed its URL. */
export function startServer(options: StartOptions): Promise<Server> {
  const spawnedAt = performance.now();
  // A launcher (npm) runs the server as its child: both go in a process group of their own, which
  // is signalled whole.
  const launcher = options.command !== undefined;
  const child = spawn(options.command ?? process.execPath, options.args, { cwd: ROOT, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: launcher });
  const sendSignal = (name: NodeJS.Signals) => {
    if (launcher && child.pid !== undefined) {
      try {
        process.kill(-child.pid, name);
        return;
      } catch {
        // the group is gone already
      }
    }
    child.kill(name);
  };
  if (launcher) groups.add(child);
  running.add(child);
  const pid = child.pid;
  // For when it dies: stderr from its start (where an uncaught error is), stdout's end (its logs).
  let stderr = '';
  let stdoutTail = '';
  child.stderr.setEncoding('utf8');
  child.stdout.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 16_000) stderr = (stderr + text).slice(0, 16_000);
  });
  child.stdout.on('data', (text: string) => {
    stdoutTail = (stdoutTail + text).slice(-2000);
  });
  let stopping = false;
  let crash: Crash | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      groups.delete(child);
      if (!stopping && !killingAll) {
        crash = { exit: signal ?? `exit code ${code}`, stderr, stdoutTail };
        process.stderr.write(
          `\n!! ${options.name} (pid ${pid}) exited unexpectedly (${crash.exit}); its stderr:\n${stderr.slice(0, 3000)}\nthe end of its stdout:\n${stdoutTail}\n`,
        );
      }
      resolve();
    });
  });
  const stop = async (graceMs = 3000) => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      sendSignal('SIGTERM');
      const timer = setTimeout(() => {
        sendSignal('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise<Server>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${options.name} printed no URL within ${options.timeoutMs ?? 15_000} ms; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${signal ?? `code ${code}`}) before it was ready; stderr:\n${stderr}`));
    });
    child.stdout.on('data', (text: string) => {
      buffered += text;
      for (;;) {
        const newline = buffered.indexOf('\n');
        if (newline === -1) break;
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const url = options.urlFrom(line);
        if (url !== undefined && pid !== undefined) {
          clearTimeout(timer);
          resolve({ name: options.name, pid, url, spawnedAt, stop, exited, crash: () => crash });
        }
      }
    });
  });
}

/** A `{"url": …}` line, as bench/simulator-process.ts and bench/pass-through.ts print. */
export function urlFromJsonLine(line: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && 'url' in parsed && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

/** The bench's upstream: the CFW simulator in its own process (simulator-process.ts), answering after `latencyMs`. */
export function startSimulator(latencyMs: number): Promise<Server> {
  return startServer({
    name: `simulator (${latencyMs} ms)`,
    args: ['bench/simulator-process.ts', '--latency-ms', String(latencyMs)],
    env: baseEnv(),
    urlFrom: urlFromJsonLine,
  });
}

/** The gateway's banner: `capture-gateway ready at http://HOST:PORT/graphql`. */
export function urlFromGatewayBanner(line: string): string | undefined {
  return /^capture-gateway ready at (http:\/\/\S+)$/.exec(line)?.[1];
}

/** CPU time (user + system) the process has used, in ms. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** CPU time the whole machine has spent busy (all cores, steal included), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / CLOCK_TICKS;
}

/** A `Vm…:  123 kB` line of /proc/<pid>/status, in kB. */
export function memoryKbOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

export interface ProcessUsage {
  /** Highest VmRSS seen, in kB. */
  readonly peakRssKb: number;
  /** CPU time used since sampling began, in ms. */
  readonly cpuMs: number;
}

/**
 * Samples VmRSS and CPU time every `everyMs` until stopped. A process that dies meanwhile keeps
 * its last sample (at most `everyMs` of CPU time unseen), so the measurement still counts.
 */
export function sampleProcess(pid: number, everyMs = 100): () => ProcessUsage {
  const cpuAtStart = cpuMsOf(pid);
  let peakRssKb = memoryKbOf(pid, 'VmRSS');
  let cpuMs = 0;
  const sample = () => {
    try {
      peakRssKb = Math.max(peakRssKb, memoryKbOf(pid, 'VmRSS'));
      cpuMs = cpuMsOf(pid) - cpuAtStart;
    } catch {
      // it ended; the runner reports the crash
    }
  };
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return { peakRssKb, cpuMs };
  };
}
