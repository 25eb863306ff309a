// What can be proven of the container image without a Docker engine: the Dockerfile's shape, and
// that its start command (`node dist/main.js`) runs the built output with production dependencies
// alone.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Simulator } from '../../src/simulator/server.ts';
import { SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { startScriptNodeFlags } from '../../scripts/node-flags.ts';
import { freePort, runNode } from '../helpers/process.ts';

const root = process.cwd();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the Dockerfile', () => {
  it('builds in stages and ships production dependencies only', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build .*\/app\/dist \.\/dist/);
  });

  it('runs as a non-root user, in production mode, with node itself as PID 1 and a health check', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toMatch(/HEALTHCHECK .*\/healthz/s);
    // Exec form: SIGTERM goes to node, not to a shell or npm.
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('starts node with the V8 settings npm start uses (package.json is their one source)', () => {
    const flags = startScriptNodeFlags(root).join(' ');
    expect(flags).toBe('--max-semi-space-size=16');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(/NODE_OPTIONS=(\S+)/.exec(runtime)?.[1]).toBe(flags);
  });

  it('keeps node_modules, tests and git out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', 'test', 'dist']) expect(ignored).toContain(entry);
  });
});

describe("the image's start command", () => {
  let app: string;
  let simulator: Simulator;
  let endpoint: string;

  beforeAll(async () => {
    // The runtime stage's layout: dist/, schema/, package.json and production dependencies.
    app = mkdtempSync(join(tmpdir(), 'capture-gateway-image-'));
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], {
      stdio: 'inherit',
    });
    cpSync(join(root, 'schema'), join(app, 'schema'), { recursive: true });
    cpSync(join(root, 'package.json'), join(app, 'package.json'));
    const production = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .map((path) => relative(join(root, 'node_modules'), path))
      .filter((path) => path !== '' && !path.startsWith('..') && !path.includes('node_modules'));
    for (const name of production) {
      if (name.includes('/')) mkdirSync(join(app, 'node_modules', name.split('/')[0] ?? ''), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name));
    }
    simulator = new Simulator();
    endpoint = await simulator.listen();
  }, 60_000);

  afterAll(async () => {
    await simulator.close();
    rmSync(app, { recursive: true, force: true });
  });

  it('imports no development dependency from the built output', () => {
    const devOnly = Object.keys(packageJson.devDependencies).filter((name) => !(name in packageJson.dependencies));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.js')) files.push(path);
      }
    };
    walk(join(app, 'dist'));
    expect(files.length).toBeGreaterThan(20);
    const imported = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^import .* from ['"]([^'".][^'"]*)['"];$/gm)) imported.add(match[1] ?? '');
    }
    const offenders = [...imported].filter((specifier) => devOnly.some((name) => specifier === name || specifier.startsWith(`${name}/`)));
    expect(offenders).toEqual([]);
    expect(imported.has('@apollo/server')).toBe(true);
  });

  it('starts with production dependencies only, serves a query, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const run = runNode(
      ['dist/main.js'],
      { NODE_ENV: 'production', PORT: String(port), LOG_LEVEL: 'warn', CFW_ENDPOINT: endpoint, CFW_PROJECT_ID: SIMULATOR_PROJECT_ID },
      app,
    );
    try {
      const [, url] = await run.waitFor(/capture-gateway ready at (http:\/\/\S+)/);
      const response = await fetch(url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
        body: JSON.stringify({ query: '{ captureTasks(fwInstanceId: "ebf891cd-2163-48a0-9963-6309f99dd3c4", first: 1) { totalCount } }' }),
      });
      expect(await response.json()).toEqual({ data: { captureTasks: { totalCount: 57 } } });
      const health = await fetch(`${new URL(url ?? '').origin}/healthz`);
      expect(health.status).toBe(200);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
