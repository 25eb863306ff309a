// package.json's scripts as users run them: each that runs the gateway (or the simulator) checks the
// Node.js version first and runs node in place of npm's shell (`exec`), so a SIGTERM to `npm start`
// reaches node and no node is left orphaned; and `npm start` itself, stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { freePort } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
const scripts = manifest.scripts;
const CHECK = 'node scripts/check-node.cjs';

/** Whether `name` checks the Node.js version before it runs: in its pre hook or its own first command. */
function checksNode(name: string): boolean {
  return scripts[`pre${name}`] === CHECK || (scripts[name] ?? '').startsWith(`${CHECK} && `);
}

/** Every process under `pid` (Linux's /proc). */
function descendantsOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  const children = readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe("package.json's scripts", () => {
  it.each(['start', 'dev', 'simulator', 'start:prod'])('%s runs node in place of the shell (exec)', (name) => {
    expect(scripts[name]).toMatch(/(^|&& )exec node /);
  });

  // Every bench script, as the README says, whichever are added later.
  const benchScripts = Object.keys(scripts).filter((name) => name === 'bench' || name.startsWith('bench:'));
  it.each(['start', 'dev', 'simulator', 'test', 'test:image', ...benchScripts, 'supergraph'])('%s checks the Node.js version first', (name) => {
    expect(checksNode(name)).toBe(true);
  });

  it('npm start stopped with SIGTERM leaves no process behind', async () => {
    const port = await freePort();
    // npm's own node must be this one: the pre hook refuses an older one.
    const npm = spawn('npm', ['start'], {
      env: {
        PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
        HOME: process.env['HOME'] ?? '/tmp',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
    });
    let out = '';
    npm.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<void>((resolve) =>
      npm.once('exit', () => {
        resolve();
      }),
    );
    const stdoutClosed = new Promise<void>((resolve) =>
      npm.stdout.once('close', () => {
        resolve();
      }),
    );
    let below: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = () => {
          if (out.includes('capture-gateway ready at')) resolve();
        };
        npm.stdout.on('data', onData);
        npm.once('exit', () => {
          reject(new Error(`npm start exited before it was ready: ${out}`));
        });
      });
      const pid = npm.pid ?? 0;
      below = descendantsOf(pid);
      expect(below.length).toBeGreaterThan(0);
      npm.kill('SIGTERM');
      await exited;
      // The gateway drains and exits on SIGTERM; the shell of a script without exec would die alone.
      // Every process below npm writes to npm's stdout, so the pipe ends once the last of them has
      // exited (a process left behind keeps it open: the test then fails at its timeout); a moment
      // later the system has reaped them.
      await stdoutClosed;
      await until(() => !below.some(alive), "npm start's processes to be gone");
      expect(below.filter(alive)).toEqual([]);
    } finally {
      npm.kill('SIGKILL');
      // What this test started and a failure left running.
      for (const pid of below.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  }, 30_000);
});
