// The gateway as a process: start-up checks, the quick start's banner, --print-config, shutdown.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { Simulator } from '../../src/simulator/server.ts';
import { SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { freePort, runNode } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

describe('the gateway process', () => {
  it('refuses to start on bad configuration, listing every problem, with exit code 2', async () => {
    const run = runNode(['src/main.ts'], { PORT: 'eighty', CFW_TIMEZONE: 'Mars/Olympus', CFW_ENDPOINT: 'https://cfw.example.com' });
    expect(await run.exited).toBe(2);
    const stderr = run.stderr();
    expect(stderr).toContain('capture-gateway cannot start.');
    expect(stderr).toContain('PORT must be a whole number from 0 to 65535, got a 6-character value (not shown: it could be a secret)');
    expect(stderr).toContain('CFW_TIMEZONE must be an IANA time zone such as UTC or Asia/Shanghai, got "Mars/Olympus"');
    expect(stderr).toContain('CFW_PROJECT_ID is required when CFW_ENDPOINT is set');
    expect(stderr).not.toContain('    at ');
  });

  it('says in one line that PORT is taken, with exit code 2 and no stack', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const run = runNode(['src/main.ts'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toBe(
        `capture-gateway cannot start.\nInvalid configuration:\n  - PORT ${port} on HOST 127.0.0.1 is already in use (another process listens there): stop it, or set PORT to a free port\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('says in one line that HOST does not resolve, with exit code 2 and no stack', async () => {
    const run = runNode(['src/main.ts'], { PORT: '0', HOST: 'no-such-host.invalid', LOG_LEVEL: 'warn' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(
      /^capture-gateway cannot start\.\nInvalid configuration:\n {2}- HOST no-such-host\.invalid does not resolve to an address \(E[A-Z_]+\): set HOST to an address such as 127\.0\.0\.1 or 0\.0\.0\.0, or a resolvable name\n$/,
    );
  });

  it('--print-config shows the effective configuration with secrets redacted', async () => {
    const run = runNode(['src/main.ts', '--print-config'], {
      CFW_AUTH_MODE: 'aksk',
      CLOUD_SDK_AK: 'AKIDEXAMPLE12345',
      CLOUD_SDK_SK: 'sk-very-secret-value',
      CFW_ENDPOINT: 'https://cfw.example.com',
      CFW_PROJECT_ID: 'p1',
      ALLOW_ANONYMOUS: 'true',
    });
    expect(await run.exited).toBe(0);
    const printed = JSON.parse(run.stdout()) as { auth: unknown; upstream: { endpoint: string } };
    expect(printed.auth).toEqual({ mode: 'aksk', serviceKeys: { accessKey: '[redacted]', secretKey: '[redacted]' } });
    expect(printed.upstream.endpoint).toBe('https://cfw.example.com');
    expect(run.stdout()).not.toContain('sk-very-secret-value');
    expect(run.stdout()).not.toContain('AKIDEXAMPLE12345');
  });

  it('--print-config warns of deprecated variables, and shows a Redis URL with its password as [redacted]', async () => {
    const run = runNode(['src/main.ts', '--print-config'], { UPSTREAM_CONCURRENCY: '7', REDIS_URL: 'redis://cache:hunter2@redis.internal:6379/0' });
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('warning: UPSTREAM_CONCURRENCY is deprecated: rename it to OPERATION_UPSTREAM_CONCURRENCY (same meaning and values)\n');
    const printed = JSON.parse(run.stdout()) as { cache: { redisUrl: string } };
    expect(printed.cache.redisUrl).toBe('redis://[redacted]:[redacted]@redis.internal:6379/0');
    expect(run.stdout()).not.toContain('hunter2');
  });

  it('starts on the embedded simulator with no configuration, and the printed query works as pasted', async () => {
    const port = await freePort();
    const run = runNode(['src/main.ts'], { PORT: String(port), LOG_LEVEL: 'warn' });
    try {
      const [, url] = await run.waitFor(/capture-gateway ready at (http:\/\/\S+)/);
      expect(run.stdout()).toContain(`Apollo Sandbox: open ${url ?? ''} in a browser (it loads from Apollo's CDN; EXPLORER=graphiql works offline).`);
      const banner = run.stdout();
      const query = banner.slice(banner.indexOf('query FirstCaptureTasks'), banner.indexOf('\n}\n', banner.indexOf('query FirstCaptureTasks')) + 2);
      const response = await fetch(url ?? '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const body = (await response.json()) as { data?: { captureTasks: { totalCount: number; edges: unknown[] } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.captureTasks.totalCount).toBe(57);
      expect(body.data?.captureTasks.edges).toHaveLength(5);
      const sandbox = await fetch(url ?? '', { headers: { accept: 'text/html' } });
      expect(sandbox.status).toBe(200);
      expect(await sandbox.text()).toContain('<!DOCTYPE html>');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it("runs the README's curl example as pasted (in simulator mode)", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /From the command line[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(block).toContain('curl -s http://127.0.0.1:4000/graphql');
    const port = await freePort();
    const run = runNode(['src/main.ts'], { PORT: String(port), LOG_LEVEL: 'warn' });
    try {
      await run.waitFor(/capture-gateway ready at/);
      // The example's shell text as it stands, on this test's port.
      const curl = spawnSync('sh', ['-c', block.replace('127.0.0.1:4000', `127.0.0.1:${port}`)], { encoding: 'utf8' });
      expect(curl.status).toBe(0);
      const body = JSON.parse(curl.stdout) as { data?: { captureTasks: { totalCount: number; nodes: unknown[] } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.captureTasks.totalCount).toBe(57);
      expect(body.data?.captureTasks.nodes).toHaveLength(3);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM stops accepting, finishes in-flight operations, then exits 0', async () => {
    const simulator = new Simulator();
    const endpoint = await simulator.listen();
    const port = await freePort();
    const run = runNode(['src/main.ts'], { PORT: String(port), LOG_LEVEL: 'info', CFW_ENDPOINT: endpoint, CFW_PROJECT_ID: SIMULATOR_PROJECT_ID });
    // The operation's upstream call is held until the gateway has begun shutting down.
    const release = simulator.hold();
    try {
      const [, url] = await run.waitFor(/capture-gateway ready at (http:\/\/\S+)/);
      const inFlight = fetch(url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
        body: JSON.stringify({ query: '{ captureTasks(fwInstanceId: "ebf891cd-2163-48a0-9963-6309f99dd3c4", first: 1) { totalCount } }' }),
      });
      await until(() => simulator.inFlight === 1, "the operation's upstream call");
      run.child.kill('SIGTERM');
      await run.waitFor(/shutting down: finishing in-flight operations/);
      release();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { captureTasks: { totalCount: 57 } } });
      expect(await run.exited).toBe(0);
      await expect(fetch(url ?? '')).rejects.toThrow();
    } finally {
      release();
      run.child.kill('SIGKILL');
      await simulator.close();
    }
  });

  it('on SIGTERM with DRAIN_DELAY_MS leaves first: /readyz 503 while it still serves, then the listener closes and it exits 0', async () => {
    const simulator = new Simulator();
    const endpoint = await simulator.listen();
    const port = await freePort();
    // Long enough to be seen, and never waited on: the process exits on its own once it has passed.
    const run = runNode(['src/main.ts'], {
      PORT: String(port),
      LOG_LEVEL: 'info',
      CFW_ENDPOINT: endpoint,
      CFW_PROJECT_ID: SIMULATOR_PROJECT_ID,
      DRAIN_DELAY_MS: '1500',
    });
    try {
      const [, url] = await run.waitFor(/capture-gateway ready at (http:\/\/\S+)/);
      const origin = new URL(url ?? '').origin;
      expect((await fetch(`${origin}/readyz`)).status).toBe(200);
      run.child.kill('SIGTERM');
      await run.waitFor(/"leaveDelayMs":1500/);
      const readiness = await fetch(`${origin}/readyz`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({ status: 'not ready', checks: { draining: true } });
      const served = await fetch(url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
        body: JSON.stringify({ query: '{ captureTasks(fwInstanceId: "ebf891cd-2163-48a0-9963-6309f99dd3c4", first: 1) { totalCount } }' }),
      });
      expect(served.headers.get('connection')).toBe('close');
      expect(await served.json()).toEqual({ data: { captureTasks: { totalCount: 57 } } });
      expect(await run.exited).toBe(0);
      await expect(fetch(url ?? '')).rejects.toThrow();
    } finally {
      run.child.kill('SIGKILL');
      await simulator.close();
    }
  });
});
