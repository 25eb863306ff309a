// Two gateways side by side, at the same time, under the same kind of traffic: this tree's and
// another commit's (checked out into a temporary git worktree that borrows our node_modules), each
// sent the same fixed rate of requests, to one simulator. CPU time per answer is read from /proc for
// both over the same windows, so a machine that speeds up or slows down (other tenants, frequency)
// moves both alike and their ratio holds where two runs one after the other disagree by ±20%.
// A change too small to show here is too small to claim.
//   node bench/ab.ts <commit> [--windows 8] [--seconds 3] [--rate 200] [--page] [--env NAME=VALUE …]
//   (--page: every request the same, captureTasks(first: 50); the default is the bench's mix;
//   --env: set for this tree's gateway only, to compare a setting against the other commit's default)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { startScriptNodeFlags } from '../scripts/node-flags.ts';
import { BENCH_PROJECT_ID, BENCH_TOKEN, mixRequest, OPERATIONS } from './fixtures.ts';
import { cpuMsOf, freePort, gatewayEnv, killAll, ROOT, startServer, urlFromGatewayBanner, type Server, startSimulator } from './processes.ts';
import { median } from './report.ts';

const USAGE = 'usage: node bench/ab.ts <commit> [--windows 8] [--seconds 3] [--rate 200] [--page] [--env NAME=VALUE …]';

class UsageError extends Error {}

interface Options {
  readonly commit: string;
  readonly windows: number;
  readonly seconds: number;
  /** Requests a second sent to each side. */
  readonly rate: number;
  /** Every request the same (first: 50) rather than the mix. */
  readonly identical: boolean;
  /** For this tree's gateway only. */
  readonly env: Record<string, string>;
}

/** The command line, checked: a bad one is a UsageError naming what is wrong. */
function optionsFrom(args: readonly string[]): Options {
  const [commit] = args;
  if (commit === undefined || commit.startsWith('--')) throw new UsageError('name the commit to compare with');
  const positive = (flag: string, fallback: number): number => {
    const index = args.indexOf(flag);
    if (index === -1) return fallback;
    const raw = args[index + 1] ?? '';
    if (!/^\d{1,6}$/.test(raw) || Number(raw) === 0) throw new UsageError(`${flag} takes a whole number above 0, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const env: Record<string, string> = {};
  args.forEach((arg, index) => {
    if (arg !== '--env') return;
    const setting = args[index + 1] ?? '';
    const equals = setting.indexOf('=');
    if (equals < 1) throw new UsageError(`--env takes NAME=VALUE, got ${JSON.stringify(setting)}`);
    env[setting.slice(0, equals)] = setting.slice(equals + 1);
  });
  return {
    commit,
    windows: positive('--windows', 8),
    seconds: positive('--seconds', 3),
    rate: positive('--rate', 200),
    identical: args.includes('--page'),
    env,
  };
}

const CONNECTIONS_EACH = 16;
/** A side this far behind has stalled or cannot keep up: what would go beyond it is counted as not sent. */
const MAX_IN_FLIGHT = 64;
const TICK_MS = 5;

/** `commit` checked out beside us, sharing our node_modules; `remove` may run more than once. */
function worktreeOf(commit: string): { readonly dir: string; readonly remove: () => void } {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    throw new UsageError(`no commit ${JSON.stringify(commit)} in this repository`);
  }
  const parent = mkdtempSync(path.join(os.tmpdir(), 'capture-gateway-ab-'));
  const dir = path.join(parent, 'tree');
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT, stdio: 'ignore' });
    } catch {
      // never added, or gone already
    }
    rmSync(parent, { recursive: true, force: true });
  };
  try {
    execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: ROOT, stdio: 'ignore' });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/** Whether the two commits ask for different packages: the other one runs on ours regardless. */
function lockfilesDiffer(commit: string): boolean {
  try {
    execFileSync('git', ['diff', '--quiet', commit, '--', 'package-lock.json'], { cwd: ROOT, stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

interface Side {
  readonly name: string;
  readonly server: Server;
  answers: number;
  bad: number;
  notSent: number;
}

/**
 * Sends `rate` requests a second to one side, on a fixed schedule, until `stopped()`: both sides at
 * the same load, below saturation. (Closed-loop load, as many as each can take, let the side that
 * got more CPU batch more work per wake-up and so spend less per answer: ±15% between two copies of
 * the same code.) An answer that is not data without errors, or no answer, counts as bad.
 */
async function drive(side: Side, options: Options, firstIndex: number, stopped: () => boolean): Promise<void> {
  const url = new URL(side.server.url);
  const pool = new Pool(url.origin, { connections: CONNECTIONS_EACH });
  let index = firstIndex;
  const inFlight = new Set<Promise<void>>();
  const send = async () => {
    const { token, body } = options.identical ? { token: BENCH_TOKEN, body: OPERATIONS.Page.body } : mixRequest(index++);
    try {
      const answer = await pool.request({ method: 'POST', path: url.pathname, headers: { 'content-type': 'application/json', 'x-auth-token': token }, body });
      const text = await answer.body.text();
      if (answer.statusCode !== 200 || text.includes('"errors"')) side.bad++;
    } catch {
      side.bad++;
    }
    side.answers++;
  };
  const started = performance.now();
  let sent = 0;
  while (!stopped()) {
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
    for (; sent < due; sent++) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        side.notSent++;
        continue;
      }
      const request = send().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(inFlight);
  await pool.close();
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function compare(options: Options, other: { readonly dir: string }): Promise<void> {
  if (lockfilesDiffer(options.commit))
    process.stdout.write(`!! package-lock.json differs from ${options.commit}'s: its gateway runs on this tree's node_modules all the same\n`);
  const simulator = await startSimulator(0);
  // Each as its own start script starts it, V8 flags included.
  const start = async (name: string, root: string, extra: Record<string, string>): Promise<Side> => ({
    name,
    server: await startServer({
      name,
      args: [...startScriptNodeFlags(root), path.join(root, 'src/main.ts')],
      env: gatewayEnv(simulator.url, BENCH_PROJECT_ID, await freePort(), extra),
      urlFrom: urlFromGatewayBanner,
      timeoutMs: 30_000,
    }),
    answers: 0,
    bad: 0,
    notSent: 0,
  });
  const sides = [await start(options.commit, other.dir, {}), await start('this tree', ROOT, options.env)];
  const crashed = () => sides.find((side) => side.server.crash() !== undefined);
  let stop = false;
  // Distinct request sequences, so that the two never share the simulator's work either.
  const driving = sides.map((side, at) => drive(side, options, 10_000 + at * 5_000_000, () => stop));
  await wait(2_000);
  const ratios: number[] = [];
  const width = Math.max(...sides.map((side) => side.name.length));
  process.stdout.write(
    `${options.identical ? 'captureTasks(first: 50), every request the same' : 'the mix, every request distinct'}; ${options.rate} requests a second to each, ${options.windows} windows of ${options.seconds} s\n`,
  );
  for (let window = 1; window <= options.windows && crashed() === undefined; window++) {
    const cpuBefore = sides.map((side) => cpuMsOf(side.server.pid));
    const answersBefore = sides.map((side) => side.answers);
    const notSentBefore = sides.reduce((sum, side) => sum + side.notSent, 0);
    await wait(options.seconds * 1000);
    if (crashed() !== undefined) break;
    const perAnswer = sides.map(
      (side, at) => ((cpuMsOf(side.server.pid) - (cpuBefore[at] ?? 0)) * 1000) / Math.max(1, side.answers - (answersBefore[at] ?? 0)),
    );
    const [otherUs = Number.NaN, ourUs = Number.NaN] = perAnswer;
    const notSent = sides.reduce((sum, side) => sum + side.notSent, 0) - notSentBefore;
    ratios.push(ourUs / otherUs);
    process.stdout.write(
      `window ${window}: ${sides.map((side, at) => `${side.name.padEnd(width)} ${(perAnswer[at] ?? 0).toFixed(0)} µs/answer`).join('  ')}  this ÷ other ${(ourUs / otherUs).toFixed(3)}${notSent > 0 ? `  (${notSent} not sent)` : ''}\n`,
    );
  }
  stop = true;
  await Promise.all(driving);
  const dead = crashed();
  if (dead !== undefined) throw new Error(`${dead.name}'s gateway exited during the run (${dead.server.crash()?.exit ?? 'unknown'}); no ratio`);
  const bad = sides.reduce((sum, side) => sum + side.bad, 0);
  if (sides.some((side) => side.notSent > 0))
    process.stdout.write(
      `!! requests not sent, ${MAX_IN_FLIGHT} being in flight already: ${sides.map((side) => `${side.name} ${side.notSent}`).join(', ')}. A side stalled or could not keep up with ${options.rate}/s: the load was not equal in those windows\n`,
    );
  process.stdout.write(
    `CPU per answer, this tree ÷ ${options.commit}: median ${median(ratios).toFixed(3)} over ${ratios.length} windows (from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)}); ${bad} bad answers\n`,
  );
  if (bad > 0) process.exitCode = 1;
}

async function main(): Promise<void> {
  const options = optionsFrom(process.argv.slice(2));
  const other = worktreeOf(options.commit);
  // Ctrl-C or a kill: no gateway, simulator or worktree is left behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAll();
      other.remove();
      process.exit(130);
    });
  }
  try {
    await compare(options, other);
  } finally {
    killAll();
    other.remove();
  }
}

process.on('exit', killAll);
try {
  await main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`ab: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ab failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
