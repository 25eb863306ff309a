// Two gateways side by side, at the same time, under the same kind of traffic: this tree's and
// another commit's (checked out into a temporary git worktree that borrows our node_modules), each
// sent the same fixed rate of requests, to one simulator. CPU time per answer is read from /proc for both
// over the same windows, so a machine that speeds up or slows down (other tenants, frequency)
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
import { BENCH_PROJECT_ID, BENCH_TOKEN, mixRequest, OPERATIONS } from './fixtures.ts';
import { startScriptNodeFlags } from '../scripts/node-flags.ts';
import { baseEnv, cpuMsOf, freePort, killAll, ROOT, startServer, urlFromGatewayBanner, urlFromJsonLine, type Server } from './processes.ts';

const args = process.argv.slice(2);
const valueAfter = (flag: string): string | undefined => {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
};
const commit = args[0];
if (commit === undefined || commit.startsWith('--')) {
  process.stderr.write('usage: node bench/ab.ts <commit> [--windows 8] [--seconds 3] [--rate 200] [--page] [--env NAME=VALUE …]\n');
  process.exit(2);
}
const windows = Number(valueAfter('--windows') ?? 8);
const seconds = Number(valueAfter('--seconds') ?? 3);
const identical = args.includes('--page');
const extraEnv = Object.fromEntries(
  args.flatMap((arg, index) => (args[index - 1] === '--env' && arg.includes('=') ? [[arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]] : [])),
);
const rate = Number(valueAfter('--rate') ?? 200);
const CONNECTIONS_EACH = 16;
/** A side that falls this far behind is saturated: requests beyond it are counted as skipped, not sent. */
const MAX_IN_FLIGHT = 64;
const TICK_MS = 5;

/** `commit` checked out beside us, sharing our node_modules; removed at the end. */
function worktreeOf(ref: string): { readonly dir: string; readonly remove: () => void } {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'capture-gateway-ab-')), 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return {
    dir,
    remove: () => {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT, stdio: 'ignore' });
      rmSync(path.dirname(dir), { recursive: true, force: true });
    },
  };
}

interface Side {
  readonly name: string;
  readonly server: Server;
  answers: number;
  bad: number;
  skipped: number;
}

/**
 * Sends `rate` requests a second to one side, on a fixed schedule, until `stopped()`: both sides at
 * the same load, below saturation. (Closed-loop load, as many as each can take, let the side that
 * got more CPU batch more work per wake-up and so spend less per answer: ±15% between two copies of
 * the same code.) Every answer must be data without errors.
 */
async function drive(side: Side, firstIndex: number, stopped: () => boolean): Promise<void> {
  const url = new URL(side.server.url);
  const pool = new Pool(url.origin, { connections: CONNECTIONS_EACH });
  let index = firstIndex;
  const page = OPERATIONS.Page.body;
  const inFlight = new Set<Promise<void>>();
  const send = async () => {
    const { token, body } = identical ? { token: BENCH_TOKEN, body: page } : mixRequest(index++);
    const answer = await pool.request({ method: 'POST', path: url.pathname, headers: { 'content-type': 'application/json', 'x-auth-token': token }, body });
    const text = await answer.body.text();
    if (answer.statusCode !== 200 || text.includes('"errors"')) side.bad++;
    side.answers++;
  };
  const started = performance.now();
  let sent = 0;
  while (!stopped()) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        side.skipped++;
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

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const other = worktreeOf(commit as string);
  try {
    const simulator = await startServer({
      name: 'simulator',
      args: ['bench/simulator-process.ts', '--latency-ms', '0'],
      env: baseEnv(),
      urlFrom: urlFromJsonLine,
    });
    const gatewayEnv = async (extra: Record<string, string>) => ({
      ...baseEnv(),
      CFW_ENDPOINT: simulator.url,
      CFW_PROJECT_ID: BENCH_PROJECT_ID,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      INTROSPECTION: 'false',
      ...extra,
    });
    // Each as its own start script starts it, V8 flags included.
    const start = async (name: string, root: string, extra: Record<string, string>): Promise<Side> => ({
      name,
      server: await startServer({
        name,
        args: [...startScriptNodeFlags(root), path.join(root, 'src/main.ts')],
        env: await gatewayEnv(extra),
        urlFrom: urlFromGatewayBanner,
        timeoutMs: 30_000,
      }),
      answers: 0,
      bad: 0,
      skipped: 0,
    });
    const sides = [await start(commit as string, other.dir, {}), await start('this tree', ROOT, extraEnv)];
    let stop = false;
    // Distinct request sequences, so that the two never share the simulator's work either.
    const driving = sides.map((side, at) => drive(side, 10_000 + at * 5_000_000, () => stop));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const ratios: number[] = [];
    const label = (side: Side) => side.name.padEnd(Math.max(...sides.map((s) => s.name.length)));
    process.stdout.write(
      `${identical ? 'captureTasks(first: 50), every request the same' : 'the mix, every request distinct'}; ${rate} requests a second to each, ${windows} windows of ${seconds} s\n`,
    );
    for (let window = 0; window < windows; window++) {
      const cpuBefore = sides.map((side) => cpuMsOf(side.server.pid));
      const answersBefore = sides.map((side) => side.answers);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const perAnswer = sides.map((side, at) => ((cpuMsOf(side.server.pid) - (cpuBefore[at] ?? 0)) * 1000) / (side.answers - (answersBefore[at] ?? 0)));
      const [otherUs = Number.NaN, ourUs = Number.NaN] = perAnswer;
      ratios.push(ourUs / otherUs);
      process.stdout.write(
        `window ${window + 1}: ${sides.map((side, at) => `${label(side)} ${(perAnswer[at] ?? 0).toFixed(0)} µs/answer`).join('  ')}  this ÷ other ${(ourUs / otherUs).toFixed(3)}\n`,
      );
    }
    stop = true;
    await Promise.all(driving);
    const bad = sides.reduce((sum, side) => sum + side.bad, 0);
    const skipped = sides.reduce((sum, side) => sum + side.skipped, 0);
    if (skipped > 0)
      process.stdout.write(
        `!! requests not sent, ${MAX_IN_FLIGHT} being in flight already: ${sides.map((side) => `${side.name} ${side.skipped}`).join(', ')} (a side that stalled or could not keep up with ${rate}/s)\n`,
      );
    process.stdout.write(
      `CPU per answer, this tree ÷ ${commit}: median ${median(ratios).toFixed(3)} (windows from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)}); ${bad} bad answers\n`,
    );
    if (bad > 0) process.exitCode = 1;
  } finally {
    killAll();
    other.remove();
  }
}

process.on('exit', killAll);
await main();
