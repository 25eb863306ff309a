// A real Redis server for the tests, on a loopback port of its own, with nothing written to disk.
// .ci/run installs Debian's redis-server; on a developer machine: apt-get install redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './process.ts';

export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
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

export async function startRedis(): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error !== undefined) {
    throw new Error('redis-server is not installed: the cache tests run against a real Redis (apt-get install redis-server; .ci/run does it)');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: 'ignore' });
  for (let waited = 0; !(await accepts(port)); waited += 25) {
    if (waited > 5_000 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
