// `npm run test:image`: builds the unchanged Dockerfile with podman FROM a local stand-in for the
// official node image, runs it as an operator would (uid 1000, read-only root, no capabilities) with
// the simulator from the same image as its upstream, checks what it serves, how it stops and what
// it holds, and prints its size and its layers' sizes. CI runs it; a machine without podman, runc,
// debootstrap or root says so in one line and passes, except under CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID } from '../src/simulator/store.ts';
import { DEMO_TOKEN } from '../src/simulator/server.ts';
import { freePort } from '../test/helpers/process.ts';
import { APP_DIR, devDependenciesKept, HOME_DIRS, mustBeAbsent, NOT_SHIPPED, npmrcCredentials, offendingFiles, secretLikeEnv } from './image/contents.ts';
import { run } from './image/exec.ts';
import { IMAGE_TOOLS, imageCheckPlan } from './image/plan.ts';
import { buildArgs, gatewayEnv, podmanArgs, runArgs, simulatorCommand, stopArgs, stopGraceSeconds, type GatewaySettings } from './image/podman.ts';
import { layersOf, sizeReport } from './image/sizes.ts';
import { ensureStandIn } from './image/stand-in.ts';

const IMAGE = 'localhost/capture-gateway:image-check';
const root = process.cwd();
const say = (line: string) => process.stdout.write(`${line}\n`);

const onPath = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error === undefined;
const plan = imageCheckPlan(process.env['CI'], { root: process.getuid?.() === 0, missing: IMAGE_TOOLS.filter((tool) => !onPath(tool)) });
if (plan.kind === 'not-run') {
  say(plan.line);
  process.exit(0);
}
if (plan.kind === 'missing') {
  process.stderr.write(`${plan.message}\nimage: 0 passed, 1 failed\n`);
  process.exit(1);
}

const started = performance.now();
const elapsed = (since: number) => `${Math.round((performance.now() - since) / 1000)} s`;
const results: { name: string; problem?: string }[] = [];

/** One check: passes unless `body` throws; its message says what was found instead. */
async function check(name: string, body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
    results.push({ name });
    say(`  ok    ${name}`);
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    results.push({ name, problem });
    say(`  FAIL  ${name}\n        ${problem.replace(/\n/g, '\n        ')}`);
  }
}

function expect(condition: boolean, problem: string): asserts condition {
  if (!condition) throw new Error(problem);
}

const podman = (...args: string[]) => run('podman', podmanArgs(...args));

/** `podman inspect` of one container or image, parsed. */
async function inspect(kind: 'container' | 'image', name: string): Promise<Record<string, unknown>> {
  const [first] = JSON.parse((await podman(kind, 'inspect', name)).stdout) as [Record<string, unknown>];
  return first;
}

const field = (object: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), object);

/** Waits until `probe` resolves true, or gives up after `timeoutMs` saying what was awaited. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}

/** PID 1's /proc status lines of a running container, by name (Uid, Gid, CapEff, …). */
async function pidOneStatus(container: string): Promise<Map<string, string>> {
  const status = (await podman('exec', container, 'cat', '/proc/1/status')).stdout;
  return new Map(status.split('\n').map((line) => [line.split(':')[0] ?? '', line.slice(line.indexOf(':') + 1).trim()]));
}

function* filesUnder(folder: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

const work = mkdtempSync(join(tmpdir(), 'capture-gateway-image-'));
const suffix = String(process.pid);
const containers = {
  simulator: `capture-gateway-check-simulator-${suffix}`,
  gateway: `capture-gateway-check-gateway-${suffix}`,
  idle: `capture-gateway-check-idle-${suffix}`,
};
let failedToRun: unknown;
let sizes: string[] = [];
let timings = '';
try {
  say(
    `image check: ${(await run('podman', ['--version'])).stdout.trim()}, ${(await run('runc', ['--version'])).stdout.split('\n')[0] ?? ''}, ${(await run('debootstrap', ['--version'])).stdout.trim()}`,
  );

  // 1. The base: the stand-in for node:<the ARG's tag>, built here or reused.
  const standIn = await ensureStandIn(root, work, say);
  say(`base ${standIn.base.reference}: ${standIn.description} (${standIn.seconds} s)`);

  // 2. The unchanged Dockerfile.
  const buildStarted = performance.now();
  const buildLog = join(work, 'build.log');
  say(`build: podman build --pull=never ${IMAGE} (log: ${buildLog})`);
  await run('podman', buildArgs({ tag: IMAGE, context: root }), { log: buildLog });
  const buildTime = elapsed(buildStarted);
  say(`build: done in ${buildTime}`);
  const checksStarted = performance.now();
  const image = await inspect('image', IMAGE);
  const config = field(image, 'Config');

  // 3. What the image holds, read from its filesystem.
  const lockfile: unknown = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const mount = (await podman('image', 'mount', IMAGE)).stdout.trim();
  try {
    const absent = mustBeAbsent(lockfile);
    await check(
      `holds no development package (${absent.length - NOT_SHIPPED.length} the lockfile marks dev) and none of ${NOT_SHIPPED.map((folder) => `${folder}/`).join(', ')}`,
      () => {
        const present = absent.filter((path) => existsSync(join(mount, path)));
        expect(present.length === 0, `present: ${present.join(', ')}`);
        expect(
          existsSync(join(mount, APP_DIR, 'node_modules/@apollo/server/package.json')),
          `${APP_DIR}/node_modules has no @apollo/server: the listing would prove nothing`,
        );
      },
    );
    const files = [APP_DIR, ...HOME_DIRS].flatMap((folder) => [...filesUnder(join(mount, folder))].map((path) => path.slice(mount.length)));
    await check(
      `holds no TypeScript source outside node_modules and no credentials file (${files.length} files under ${[APP_DIR, ...HOME_DIRS].join(', ')})`,
      () => {
        const offences = offendingFiles(files);
        expect(offences.length === 0, offences.map((offence) => `${offence.path}: ${offence.reason}`).join('\n'));
        expect(
          files.some((path) => path === `${APP_DIR}/dist/main.js`),
          `no ${APP_DIR}/dist/main.js in the listing: it would prove nothing`,
        );
      },
    );
    await check('carries no npm credentials and no secret-like environment variable', () => {
      const npmrcs = ['/usr/local/etc/npmrc', '/etc/npmrc', `${APP_DIR}/.npmrc`, ...HOME_DIRS.map((home) => `${home}/.npmrc`)].filter((path) =>
        existsSync(join(mount, path)),
      );
      const keys = npmrcs.flatMap((path) => npmrcCredentials(readFileSync(join(mount, path), 'utf8')).map((key) => `${path}: ${key}`));
      expect(keys.length === 0, `npm credentials: ${keys.join(', ')}`);
      const env = field(config, 'Env');
      const secrets = secretLikeEnv(Array.isArray(env) ? env.map(String) : []);
      expect(secrets.length === 0, `environment: ${secrets.join(', ')}`);
    });
    const kept = devDependenciesKept(manifest, lockfile).filter((name) => existsSync(join(mount, APP_DIR, 'node_modules', name)));
    if (kept.length > 0)
      say(
        `        note: inside, though in devDependencies: ${kept.join(', ')} (a production package lists it as an optional peer; npm ci --omit=dev keeps such packages, the lockfile's devOptional)`,
      );
  } finally {
    await podman('image', 'unmount', IMAGE);
  }

  // 4. The simulator and the gateway from the image, on loopback ports.
  const [simulatorPort, gatewayPort, idlePort] = [await freePort(), await freePort(), await freePort()];
  const settings: GatewaySettings = { port: gatewayPort, simulatorPort, projectId: SIMULATOR_PROJECT_ID, drainDelayMs: 1000, shutdownTimeoutMs: 10_000 };
  const simulator = `http://127.0.0.1:${simulatorPort}`;
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  await run('podman', runArgs({ name: containers.simulator, image: IMAGE, command: simulatorCommand(simulatorPort) }));
  await until('the simulator container answers', async () => (await fetch(`${simulator}/_simulator/state`)).ok);
  await run('podman', runArgs({ name: containers.gateway, image: IMAGE, env: gatewayEnv(settings) }));
  await until('the gateway container is ready', async () => (await fetch(`${gateway}/readyz`)).ok);

  await check('runs as uid 1000: USER node, and PID 1 has uid and gid 1000 (real, effective, saved, filesystem)', async () => {
    expect(field(config, 'User') === 'node', `USER is ${JSON.stringify(field(config, 'User'))}`);
    const status = await pidOneStatus(containers.gateway);
    for (const name of ['Uid', 'Gid']) expect(/^1000\s+1000\s+1000\s+1000$/.test(status.get(name) ?? ''), `${name}: ${status.get(name) ?? 'missing'}`);
  });
  await check(`runs with a read-only root filesystem (--read-only, no tmpfs: writing to ${APP_DIR} or /tmp fails)`, async () => {
    expect(field(await inspect('container', containers.gateway), 'HostConfig', 'ReadonlyRootfs') === true, 'the container is not read-only');
    for (const folder of [APP_DIR, '/tmp']) {
      const write = await run('podman', podmanArgs('exec', containers.gateway, 'touch', `${folder}/.write-probe`), { allowFailure: true });
      expect(write.code !== 0 && write.stderr.includes('Read-only file system'), `writing to ${folder} gave exit ${write.code}: ${write.stderr.trim()}`);
    }
  });
  await check('runs with every capability dropped (--cap-drop=ALL: PID 1 has none)', async () => {
    const status = await pidOneStatus(containers.gateway);
    for (const name of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
      expect(status.get(name) === '0000000000000000', `${name}: ${status.get(name) ?? 'missing'}`);
  });
  await check('PID 1 is node dist/main.js, so the stop signal reaches the gateway', async () => {
    const cmdline = (await podman('exec', containers.gateway, 'cat', '/proc/1/cmdline')).stdout.split('\0').filter(Boolean).join(' ');
    expect(cmdline === 'node dist/main.js', `PID 1 is ${JSON.stringify(cmdline)}`);
  });

  const firewall = SIMULATOR_FIREWALLS.demo;
  const query = JSON.stringify({ query: `{ captureTasks(fwInstanceId: "${firewall}", first: 3) { totalCount nodes { id name } } }` });
  const ask = async () => {
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN },
      body: query,
    });
    return { status: response.status, body: await response.text() };
  };
  const upstream = (await (
    await fetch(`${simulator}/v1/${SIMULATOR_PROJECT_ID}/capture-task?fw_instance_id=${firewall}&offset=0&limit=3`, { headers: { 'x-auth-token': DEMO_TOKEN } })
  ).json()) as { data: { total: number; records: { task_id: string; name: string }[] } };
  const expected = JSON.stringify({
    data: { captureTasks: { totalCount: upstream.data.total, nodes: upstream.data.records.map((record) => ({ id: record.task_id, name: record.name })) } },
  });
  /** Whether an answer is the whole of the expected GraphQL response (a cut-off body does not parse). */
  const isExpected = (answer: { status: number; body: string }) => {
    try {
      return answer.status === 200 && JSON.stringify(JSON.parse(answer.body)) === expected;
    } catch {
      return false;
    }
  };
  await check(`answers a query from the simulator container (${upstream.data.total} tasks on the demo firewall)`, async () => {
    const answer = await ask();
    expect(isExpected(answer), `${answer.status} ${answer.body.trim()}, expected 200 ${expected}`);
  });
  await check('serves /healthz, /readyz and /metrics', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${gateway}${path}`);
      return { status: response.status, body: await response.text() };
    };
    const health = await get('/healthz');
    expect(health.status === 200 && health.body.startsWith('{"status":"ok"'), `/healthz: ${health.status} ${health.body}`);
    const ready = await get('/readyz');
    expect(ready.status === 200 && ready.body.startsWith('{"status":"ready"'), `/readyz: ${ready.status} ${ready.body}`);
    const metrics = await get('/metrics');
    expect(
      metrics.status === 200 && metrics.body.includes('http_requests_total{route="/graphql",method="POST",status="200"}'),
      `/metrics: ${metrics.status} without the query's count`,
    );
  });
  await check("the image's HEALTHCHECK exits 0 on the running gateway", async () => {
    const health = await run('podman', podmanArgs('healthcheck', 'run', containers.gateway), { allowFailure: true });
    expect(health.code === 0, `exit ${health.code}: ${health.stdout.trim()} ${health.stderr.trim()}`);
  });
  await check("the image's HEALTHCHECK exits non-zero, within its own timeout, on a gateway that stopped answering (PID 1 frozen with SIGSTOP)", async () => {
    // From the host: inside its namespace, PID 1 takes no signal it has no handler for, SIGSTOP included.
    const signal = (name: 'SIGSTOP' | 'SIGCONT') => run('podman', podmanArgs('kill', '--signal', name, containers.gateway));
    await signal('SIGSTOP');
    const started = Date.now();
    const health = await run('podman', podmanArgs('healthcheck', 'run', containers.gateway), { allowFailure: true });
    const tookMs = Date.now() - started;
    await signal('SIGCONT');
    expect(health.code !== 0 && health.stdout.trim() === 'unhealthy', `exit ${health.code}: ${health.stdout.trim()} ${health.stderr.trim()}`);
    expect(tookMs < 10_000, `the health check took ${tookMs} ms`);
  });
  await check("the image's HEALTHCHECK exits non-zero when no gateway answers on PORT (a container of the image running something else)", async () => {
    await run(
      'podman',
      runArgs({
        name: containers.idle,
        image: IMAGE,
        env: { HOST: '127.0.0.1', PORT: String(idlePort) },
        command: ['node', '-e', 'setInterval(() => {}, 2 ** 30)'],
      }),
    );
    const health = await run('podman', podmanArgs('healthcheck', 'run', containers.idle), { allowFailure: true });
    expect(health.code !== 0 && health.stdout.trim() === 'unhealthy', `exit ${health.code}: ${health.stdout.trim()} ${health.stderr.trim()}`);
  });

  // 5. podman stop while an operation is in flight: the simulator holds the gateway's call.
  const grace = stopGraceSeconds(settings);
  const latencyMs = 3000;
  const fault = await fetch(`${simulator}/_simulator/faults`, { method: 'POST', body: JSON.stringify([{ kind: 'latency', ms: latencyMs }]) });
  expect(fault.ok, `the simulator refused the latency fault: ${fault.status}`);
  const inFlight = ask();
  await until(
    'the gateway calls the simulator',
    async () => ((await (await fetch(`${simulator}/_simulator/state`)).json()) as { pendingFaults: number }).pendingFaults === 0,
    10_000,
  );
  const stopStarted = Date.now();
  const stopping = run('podman', stopArgs(containers.gateway, grace), { allowFailure: true });
  // Leaving: /readyz turns 503 at SIGTERM while the listener still serves (DRAIN_DELAY_MS).
  let readyWhileLeaving = 0;
  await until(
    '/readyz to answer 503 while the gateway leaves',
    async () => (readyWhileLeaving = (await fetch(`${gateway}/readyz`)).status) === 503,
    settings.drainDelayMs + 2_000,
  ).catch(() => undefined);
  const stop = await stopping;
  const answer = await inFlight.catch((error: unknown) => ({ status: 0, body: String(error) }));
  const stopped = await inspect('container', containers.gateway);
  const logs = await run('podman', podmanArgs('logs', containers.gateway));
  await check('podman stop sends SIGTERM to PID 1 (STOPSIGNAL SIGTERM; the gateway logs it)', () => {
    expect(field(config, 'StopSignal') === 'SIGTERM', `STOPSIGNAL is ${JSON.stringify(field(config, 'StopSignal'))}`);
    expect(logs.stdout.includes('"signal":"SIGTERM"'), `no SIGTERM in the gateway's log: ${logs.stdout.slice(-1000)}`);
  });
  await check('answers /readyz with 503 from SIGTERM on, while still listening (DRAIN_DELAY_MS)', () => {
    expect(readyWhileLeaving === 503, `/readyz answered ${readyWhileLeaving} while the gateway was leaving`);
  });
  await check(`answers the operation in flight when stopped (its upstream call held ${latencyMs} ms)`, () => {
    expect(isExpected(answer), `${answer.status} ${answer.body.trim()}, expected 200 ${expected}`);
  });
  const finishedMs = Date.parse(String(field(stopped, 'State', 'FinishedAt'))) - stopStarted;
  await check(
    `exits 0 within the grace period: ${(finishedMs / 1000).toFixed(1)} s after podman stop began (-t ${grace}: DRAIN_DELAY_MS ${settings.drainDelayMs} + SHUTDOWN_TIMEOUT_MS ${settings.shutdownTimeoutMs}, 2 s to spare)`,
    () => {
      expect(stop.code === 0, `podman stop exited ${stop.code}: ${stop.stderr.trim()}`);
      const exitCode = field(stopped, 'State', 'ExitCode');
      expect(exitCode === 0, `exit code ${String(exitCode)}`);
      expect(finishedMs < grace * 1000, `exited ${finishedMs} ms after podman stop began`);
    },
  );

  // 6. Sizes.
  const base = await inspect('image', standIn.base.reference);
  const history = async (reference: string) => layersOf((await podman('history', '--format', 'json', reference)).stdout);
  sizes = sizeReport(
    { reference: IMAGE, bytes: Number(field(image, 'Size')), layers: await history(IMAGE) },
    {
      reference: standIn.base.reference,
      note: standIn.source === 'foreign' ? 'the base found under that tag' : 'the stand-in base',
      bytes: Number(field(base, 'Size')),
      layers: await history(standIn.base.reference),
    },
  );
  timings = `base ${standIn.seconds} s (${standIn.source}), build ${buildTime}, checks ${elapsed(checksStarted)}`;
} catch (error) {
  failedToRun = error;
} finally {
  for (const name of Object.values(containers)) await run('podman', podmanArgs('rm', '--force', '--time', '0', '--ignore', name), { allowFailure: true });
}

if (failedToRun !== undefined) {
  const message = failedToRun instanceof Error ? failedToRun.message : JSON.stringify(failedToRun);
  say(`  FAIL  the image check could not go on: ${message.replace(/\n/g, '\n        ')}`);
  results.push({ name: 'the image check ran to its end', problem: message });
}
if (sizes.length > 0) say(`sizes (uncompressed):\n  ${sizes.join('\n  ')}`);
const failed = results.filter((result) => result.problem !== undefined).length;
if (failed === 0) rmSync(work, { recursive: true, force: true });
else say(`logs kept in ${work}`);
say(`image check took ${elapsed(started)}${timings === '' ? '' : ` (${timings})`}`);
say(`image: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
