// A real Redis for the tests: REDIS_URL's when it is set, otherwise Debian's redis-server started
// on a loopback port of its own, with nothing written to disk. With neither, and CI not set, the
// Redis suite does not run and says so in one line; under CI a missing Redis fails the run.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { describe } from '@jest/globals';
import { isCi } from './ci.ts';
import { freePort } from './process.ts';

export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** A redis-server the suite started itself, so it may stop the process in its tracks. */
export interface OwnRedisServer extends RedisServer {
  /** SIGSTOP: the socket stays open and nothing answers, as with a Redis stuck in a long command or swapped out. */
  freeze(): void;
  /** SIGCONT after freeze. */
  thaw(): void;
}

/** Where the Redis suite gets its Redis, decided once per test file. */
export type RedisPlan =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'spawn' }
  | { readonly kind: 'missing'; readonly message: string }
  | { readonly kind: 'not-run'; readonly line: string };

export const REDIS_INSTALL_HINT = 'apt-get install redis-server';

/** The plan for an environment and whether `redis-server` runs from PATH; pure. */
export function redisPlanFor(
  env: { readonly REDIS_URL?: string | undefined; readonly CI?: string | undefined },
  serverOnPath: boolean,
  suite: string,
): RedisPlan {
  const url = env.REDIS_URL?.trim();
  if (url !== undefined && url !== '') return { kind: 'url', url };
  if (serverOnPath) return { kind: 'spawn' };
  if (isCi(env.CI)) {
    return {
      kind: 'missing',
      message: `redis-server is not on PATH and REDIS_URL is not set: under CI the Redis suite (${suite}) must run (${REDIS_INSTALL_HINT}; .ci/run does it)`,
    };
  }
  return { kind: 'not-run', line: `Not run: ${suite} (no redis-server on PATH, no REDIS_URL). To run it: ${REDIS_INSTALL_HINT}` };
}

function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function spawnRedis(): Promise<OwnRedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // Ready when it says so on stdout (no polling of the port); a give-up bound for a stuck start.
  await new Promise<void>((resolve, reject) => {
    let printed = '';
    const fail = () => {
      done();
      reject(new Error(`redis-server did not start on port ${port}: ${printed.slice(-500)}`));
    };
    const timer = setTimeout(fail, 10_000);
    const onData = (chunk: Buffer) => {
      printed += chunk.toString();
      if (!printed.includes('Ready to accept connections')) return;
      done();
      resolve();
    };
    const done = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', fail);
      // Keep draining its log so it never blocks on a full pipe.
      child.stdout.resume();
    };
    child.stdout.on('data', onData);
    child.once('exit', fail);
  });
  if (!(await accepts(port))) throw new Error(`redis-server said it was ready but refuses port ${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze() {
      child.kill('SIGSTOP');
    },
    thaw() {
      child.kill('SIGCONT');
    },
    async stop() {
      child.kill('SIGCONT');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `describe` for the suite that needs a real Redis: it runs with REDIS_URL's Redis or a
 * redis-server of its own; without either it is skipped with one line on stderr, or, under CI,
 * runs and fails on `startRedis`. The body receives `startRedis`.
 */
export function describeWithRedis(name: string, body: (startRedis: () => Promise<RedisServer>) => void): void {
  describeUnderPlan(name, redisPlanFor(process.env, redisServerOnPath(), `"${name}"`), body, async (plan) => {
    switch (plan.kind) {
      case 'url':
        // Someone else's Redis: used as it is, never stopped or flushed.
        return { url: plan.url, stop: () => Promise.resolve() };
      case 'spawn':
        return spawnRedis();
      case 'missing':
        throw new Error(plan.message);
    }
  });
}

/**
 * `describe` for a suite that freezes its Redis: always a redis-server of its own (REDIS_URL's is
 * someone else's and is never signalled); without redis-server it is skipped with one line, or,
 * under CI, runs and fails on `startRedis`.
 */
export function describeWithOwnRedis(name: string, body: (startRedis: () => Promise<OwnRedisServer>) => void): void {
  describeUnderPlan(name, redisPlanFor({ CI: process.env['CI'] }, redisServerOnPath(), `"${name}"`), body, async (plan) => {
    if (plan.kind === 'missing') throw new Error(plan.message);
    return spawnRedis();
  });
}

/** The suite under `plan`: skipped with its one line on stderr when not run, else a `describe` whose `startRedis` is `start`. */
function describeUnderPlan<Server>(
  name: string,
  plan: RedisPlan,
  body: (startRedis: () => Promise<Server>) => void,
  start: (plan: Exclude<RedisPlan, { readonly kind: 'not-run' }>) => Promise<Server>,
): void {
  if (plan.kind === 'not-run') {
    process.stderr.write(`${plan.line}\n`);
    describe.skip(name, () => {
      body(() => Promise.reject(new Error(plan.line)));
    });
    return;
  }
  describe(name, () => {
    body(() => start(plan));
  });
}
