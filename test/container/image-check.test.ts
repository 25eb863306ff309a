// The decisions of `npm run test:image` (scripts/image-check.ts), directly: what the stand-in base
// is made of, podman's command lines, when the check runs, what must not be in the image, and the
// size report. The podman run itself is `npm run test:image`, which CI runs after `npm test`.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { devDependenciesKept, mustBeAbsent, npmrcCredentials, offendingFiles, secretLikeEnv } from '../../scripts/image/contents.ts';
import { imageCheckPlan } from '../../scripts/image/plan.ts';
import { buildArgs, gatewayEnv, runArgs, simulatorCommand, stopArgs, stopGraceSeconds } from '../../scripts/image/podman.ts';
import {
  baseImageOf,
  debianMirrorOf,
  dpkgSlimConfig,
  ENTRYPOINT_SCRIPT,
  nodeVersionOf,
  npmVersionOf,
  recipeHash,
  standInContainerfile,
  type RecipeInputs,
} from '../../scripts/image/recipe.ts';
import { formatBytes, instructionOf, layersOf, sizeReport, type Layer } from '../../scripts/image/sizes.ts';

const root = process.cwd();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

describe('the stand-in base image', () => {
  it("is the Dockerfile's FROM node:${NODE_VERSION}, at the ARG's default tag", () => {
    expect(baseImageOf(dockerfile)).toEqual({
      tag: '24-bookworm-slim',
      reference: 'docker.io/library/node:24-bookworm-slim',
      nodeMajor: 24,
      suite: 'bookworm',
    });
  });

  it('refuses a tag it cannot stand in for, naming the ARG and what it got', () => {
    expect(() => baseImageOf('ARG NODE_VERSION=24-alpine\nFROM node:${NODE_VERSION} AS build\n')).toThrow(
      'the Dockerfile\'s ARG NODE_VERSION must be <major>-<debian suite>-slim, got "24-alpine"',
    );
    expect(() => baseImageOf('ARG NODE_VERSION\nFROM node:${NODE_VERSION}\n')).toThrow("the Dockerfile's ARG NODE_VERSION has no default");
    expect(() => baseImageOf('FROM node:24-bookworm-slim\n')).toThrow('the Dockerfile has no `FROM node:${ARG}` stage');
  });

  it("takes the Node.js version CI installs, whose major is the Dockerfile's", () => {
    const version = nodeVersionOf(readFileSync(join(root, '.ci/run'), 'utf8'));
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(version.split('.')[0])).toBe(baseImageOf(dockerfile).nodeMajor);
    expect(() => nodeVersionOf('NODE_PACKAGE_VERSION=24\n')).toThrow('.ci/run sets no NODE_PACKAGE_VERSION=X.Y.Z');
  });

  it("takes the npm a Node.js release bundles from Node's changelog: the newest upgrade at or below its entry", () => {
    const changelog = [
      '<a id="24.22.3"></a>',
      '* **deps**: update zlib to 1.3.2.1',
      '<a id="24.22.0"></a>',
      '* \\[[`9f0d905286`](https://github.com/nodejs/node/commit/9f0d905286)] - **deps**: upgrade npm to 11.19.1 (npm team)',
      '<a id="24.21.0"></a>',
      '* **deps**: upgrade npm to 11.19.0 (npm team)',
      '<a id="24.20.0"></a>',
    ].join('\n');
    expect(npmVersionOf(changelog, '24.22.3')).toBe('11.19.1');
    expect(npmVersionOf(changelog, '24.22.0')).toBe('11.19.1');
    expect(npmVersionOf(changelog, '24.21.0')).toBe('11.19.0');
    expect(() => npmVersionOf(changelog, '24.20.0')).toThrow("Node.js's changelog names no npm upgrade at or before 24.20.0");
    expect(() => npmVersionOf(changelog, '24.99.0')).toThrow("Node.js's changelog has no entry for 24.99.0");
  });

  it("finds apt's mirror for the suite, in deb822 and one-line sources", () => {
    const deb822 = [
      'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main',
      'Types: deb-src\nURIs: http://source.example/debian\nSuites: bookworm\nComponents: main',
      'Types: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\nURIs: http://deb.debian.org/debian/\nSuites: bookworm bookworm-updates\nComponents: main',
    ].join('\n\n');
    expect(debianMirrorOf([deb822], 'bookworm')).toBe('http://deb.debian.org/debian');
    expect(
      debianMirrorOf(
        ['deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n', 'deb [signed-by=/k.gpg] http://mirror.example/debian bookworm main\n'],
        'bookworm',
      ),
    ).toBe('http://mirror.example/debian');
    expect(debianMirrorOf([deb822], 'trixie')).toBeUndefined();
  });

  it('stays slim: dpkg keeps documentation, manuals and translations out, copyright files in', () => {
    const config = dpkgSlimConfig();
    for (const path of ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/locale/*']) expect(config).toContain(`path-exclude ${path}\n`);
    expect(config).toContain('path-include /usr/share/doc/*/copyright\n');
  });

  it("is layered as the official image: Debian, the node user 1000:1000, Node.js in /usr/local, the machine's CA bundle, the entrypoint", () => {
    expect(standInContainerfile('24.22.3').split('\n')).toEqual([
      'FROM scratch',
      'ADD debian.tar /',
      'RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
      'ENV NODE_VERSION=24.22.3',
      'COPY usr-local/ /usr/local/',
      'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      'COPY docker-entrypoint.sh /usr/local/bin/',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["node"]',
      '',
    ]);
  });

  describe('its entrypoint, run by sh', () => {
    const folder = mkdtempSync(join(tmpdir(), 'capture-gateway-entrypoint-'));
    const script = join(folder, 'docker-entrypoint.sh');
    writeFileSync(script, ENTRYPOINT_SCRIPT);
    chmodSync(script, 0o755);
    writeFileSync(join(folder, 'hello.js'), 'console.log("hello from node")\n');
    afterAll(() => {
      rmSync(folder, { recursive: true, force: true });
    });
    const entrypoint = (...args: string[]) =>
      spawnSync('sh', [script, ...args], { cwd: folder, encoding: 'utf8', env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` } });

    it('runs a command as it is (the Dockerfile\'s CMD ["node", "dist/main.js"])', () => {
      expect(entrypoint('echo', 'as is').stdout).toBe('as is\n');
    });

    it('runs node with an option, or with a file that is not a command', () => {
      expect(entrypoint('--version').stdout).toBe(`${process.version}\n`);
      expect(entrypoint('hello.js').stdout).toBe('hello from node\n');
    });
  });

  it('is rebuilt when anything it is made of changes, and reused otherwise', () => {
    const inputs: RecipeInputs = {
      base: baseImageOf(dockerfile),
      nodeVersion: '24.22.3',
      mirror: 'http://deb.debian.org/debian',
      caBundle: Buffer.from('CA 1'),
      assembler: 'steps',
    };
    const hash = recipeHash(inputs);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(recipeHash({ ...inputs })).toBe(hash);
    for (const changed of [
      { nodeVersion: '24.22.4' },
      { mirror: 'http://mirror.example/debian' },
      { caBundle: Buffer.from('CA 2') },
      { assembler: 'other steps' },
    ]) {
      expect(recipeHash({ ...inputs, ...changed })).not.toBe(hash);
    }
  });
});

describe("podman's command lines", () => {
  it('build from local images only, in Docker format (OCI drops HEALTHCHECK), with the flags this machine needs', () => {
    expect(buildArgs({ tag: 'localhost/capture-gateway:image-check', context: '/repo', labels: { 'a.b': 'c' } })).toEqual([
      '--runtime',
      'runc',
      '--cgroup-manager=cgroupfs',
      'build',
      '--pull=never',
      '--format',
      'docker',
      '--network=host',
      '--ulimit',
      'nofile=1024:1024',
      '--ulimit',
      'nproc=1024:1024',
      '--label',
      'a.b=c',
      '--tag',
      'localhost/capture-gateway:image-check',
      '/repo',
    ]);
  });

  it('run the image read-only (no writable /tmp either), with every capability dropped, on the host network', () => {
    expect(runArgs({ name: 'sim', image: 'img', env: { PORT: '4001' }, command: simulatorCommand(9101) })).toEqual([
      '--runtime',
      'runc',
      '--cgroup-manager=cgroupfs',
      'run',
      '--detach',
      '--name',
      'sim',
      '--network=host',
      '--read-only',
      '--read-only-tmpfs=false',
      '--cap-drop=ALL',
      '--ulimit',
      'nofile=1024:1024',
      '--ulimit',
      'nproc=1024:1024',
      '--env',
      'PORT=4001',
      'img',
      'node',
      'dist/simulator/main.js',
      '--host',
      '127.0.0.1',
      '--port',
      '9101',
    ]);
  });

  it('point the gateway at the simulator container on loopback, and wait out its drain and shutdown before SIGKILL', () => {
    const settings = { port: 4100, simulatorPort: 9100, projectId: 'p', drainDelayMs: 1000, shutdownTimeoutMs: 10_000 };
    expect(gatewayEnv(settings)).toEqual({
      HOST: '127.0.0.1',
      PORT: '4100',
      CFW_ENDPOINT: 'http://127.0.0.1:9100',
      CFW_PROJECT_ID: 'p',
      DRAIN_DELAY_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    expect(stopGraceSeconds(settings)).toBe(13);
    expect(stopGraceSeconds({ drainDelayMs: 0, shutdownTimeoutMs: 10_500 })).toBe(13);
    expect(stopArgs('gw', 13)).toEqual(['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'stop', '--time', '13', 'gw']);
  });
});

describe('whether the image check runs', () => {
  it('runs as root with podman, runc and debootstrap', () => {
    expect(imageCheckPlan(undefined, { root: true, missing: [] })).toEqual({ kind: 'run' });
    expect(imageCheckPlan('true', { root: true, missing: [] })).toEqual({ kind: 'run' });
  });

  it('outside CI, says in one line what is missing and how to get it, and passes', () => {
    expect(imageCheckPlan(undefined, { root: true, missing: ['podman', 'debootstrap'] })).toEqual({
      kind: 'not-run',
      line: 'image check not run: no podman, debootstrap on PATH. To run it: apt-get install podman runc debootstrap',
    });
    expect(imageCheckPlan('false', { root: false, missing: [] })).toEqual({
      kind: 'not-run',
      line: 'image check not run: not root (debootstrap and podman run as root here). To run it: run it as root',
    });
  });

  it('under CI, fails instead', () => {
    expect(imageCheckPlan('true', { root: true, missing: ['debootstrap'] })).toEqual({
      kind: 'missing',
      message: 'image check: no debootstrap on PATH: under CI it must run (apt-get install podman runc debootstrap; .ci/run does it)',
    });
  });
});

describe('what must not be in the image', () => {
  const lockfile = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'capture-gateway' },
      'node_modules/got': {},
      'node_modules/jest': { dev: true },
      'node_modules/a/node_modules/b': { dev: true, optional: true },
      'node_modules/@types/node': { devOptional: true },
    },
  };

  it("lists every package the lockfile marks dev, and the repository's other folders, under /app", () => {
    const absent = mustBeAbsent(lockfile);
    expect(absent).toEqual(
      expect.arrayContaining([
        '/app/src',
        '/app/test',
        '/app/bench',
        '/app/scripts',
        '/app/.git',
        '/app/node_modules/jest',
        '/app/node_modules/a/node_modules/b',
      ]),
    );
    expect(absent).not.toContain('/app/node_modules/got');
    expect(absent).not.toContain('/app/node_modules/@types/node');
  });

  it("lists the project's own development tools from its lockfile, and none of its runtime dependencies", () => {
    const absent = mustBeAbsent(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')));
    expect(absent).toEqual(
      expect.arrayContaining(['/app/node_modules/jest', '/app/node_modules/typescript', '/app/node_modules/eslint', '/app/node_modules/@swc/core']),
    );
    for (const runtime of ['@apollo/server', 'got', 'graphql', 'pino']) expect(absent).not.toContain(`/app/node_modules/${runtime}`);
  });

  it('names the devDependencies npm keeps because a production package needs them too', () => {
    expect(devDependenciesKept({ devDependencies: { jest: '^30', '@types/node': '^24', missing: '1' } }, lockfile)).toEqual(['@types/node']);
  });

  it('refuses a lockfile without packages', () => {
    expect(() => mustBeAbsent({ lockfileVersion: 1, dependencies: {} })).toThrow('package-lock.json has no "packages" (lockfileVersion 2 or 3 is needed)');
  });

  it('finds TypeScript sources outside node_modules and credentials files by name or place', () => {
    const files = [
      '/app/dist/main.js',
      '/app/dist/main.js.map',
      '/app/dist/main.d.ts',
      '/app/src/main.ts',
      '/app/node_modules/graphql-language-service/src/parser/api.ts',
      '/app/.env.production',
      '/app/node_modules/some-package/test/server.key',
      '/root/.npmrc',
      '/home/node/.ssh/known_hosts',
      '/home/node/.docker/config.json',
      '/home/node/.bashrc',
    ];
    expect(offendingFiles(files)).toEqual([
      { path: '/app/src/main.ts', reason: 'a TypeScript source' },
      { path: '/app/.env.production', reason: 'a credentials file' },
      { path: '/app/node_modules/some-package/test/server.key', reason: 'a credentials file' },
      { path: '/root/.npmrc', reason: 'a credentials file' },
      { path: '/home/node/.ssh/known_hosts', reason: 'a credentials file' },
      { path: '/home/node/.docker/config.json', reason: 'a credentials file' },
    ]);
  });

  it('finds npm credentials in an npmrc, not its CA setting or comments', () => {
    const npmrc =
      'cafile=/etc/ssl/certs/ca-certificates.crt\n; _authToken=commented\n//registry.npmjs.org/:_authToken=abc\nregistry=https://registry.npmjs.org/\n_auth = xyz\n';
    expect(npmrcCredentials(npmrc)).toEqual(['//registry.npmjs.org/:_authToken', '_auth']);
    expect(npmrcCredentials('cafile=/etc/ssl/certs/ca-certificates.crt\n')).toEqual([]);
  });

  it('finds secret-like names in the environment, not the ones the image sets', () => {
    const env = [
      'PATH=/usr/local/bin:/usr/bin',
      'NODE_VERSION=24.22.3',
      'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      'NODE_ENV=production',
      'NODE_OPTIONS=--max-semi-space-size=16',
      'NPM_TOKEN=x',
      'CFW_SECRET_KEY=y',
    ];
    expect(secretLikeEnv(env)).toEqual(['NPM_TOKEN', 'CFW_SECRET_KEY']);
  });
});

describe('the size report', () => {
  // `podman history --format json` as podman 4.3 prints it, newest first (shortened).
  const history = JSON.stringify([
    { id: '29b5a7f53db0', CreatedBy: '/bin/sh -c #(nop) CMD ["node"]', size: 0 },
    {
      id: '<missing>',
      CreatedBy: '/bin/sh -c #(nop) COPY file:2fa71e795894c8699957e3f02129fef17fcd3f6969576db74c50752f267edd17 in /usr/local/bin/ ',
      size: 3584,
    },
    {
      id: 'c20305f07448',
      CreatedBy: '/bin/sh -c #(nop) COPY dir:f850389e9d922649ea8499ac468e16020737c6814667fa5c9b2932645828c340 in /usr/local/ ',
      size: 147077632,
    },
    { id: '<missing>', CreatedBy: '/bin/sh -c groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node', size: 23040 },
    { id: '69023627ec91', CreatedBy: '/bin/sh -c #(nop) ADD file:885f446b272a231fb2b2b8f0101e6e1e91f7c69dffb74c84eadef6a7e15a267b in / ', size: 77985792 },
  ]);

  it("reads podman's history oldest first, each layer with its instruction and size", () => {
    expect(layersOf(history)).toEqual([
      { instruction: 'ADD /', bytes: 77985792 },
      { instruction: 'RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node', bytes: 23040 },
      { instruction: 'COPY /usr/local/', bytes: 147077632 },
      { instruction: 'COPY /usr/local/bin/', bytes: 3584 },
      { instruction: 'CMD ["node"]', bytes: 0 },
    ]);
    expect(instructionOf('/bin/sh -c #(nop) ENV NODE_ENV=production     HOST=0.0.0.0')).toBe('ENV NODE_ENV=production HOST=0.0.0.0');
    expect(() => layersOf('{}')).toThrow('podman history --format json did not print a list');
  });

  it('prints sizes in decimal units, as podman and Docker do', () => {
    expect([0, 999, 3584, 23040, 147077632, 333326987, 1_020_000_000].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '3.6 kB',
      '23.0 kB',
      '147.1 MB',
      '333.3 MB',
      '1.0 GB',
    ]);
  });

  it('sets the image against its base: the total, what the Dockerfile adds, and each layer that holds files', () => {
    const base = layersOf(history);
    const own: Layer[] = [
      { instruction: 'WORKDIR /app', bytes: 0 },
      { instruction: 'COPY ./node_modules', bytes: 107_000_000 },
      { instruction: 'COPY ./dist', bytes: 786_000 },
    ];
    const report = sizeReport(
      { reference: 'localhost/capture-gateway:image-check', bytes: 225_090_048 + 107_786_000, layers: [...base, ...own] },
      { reference: 'docker.io/library/node:24-bookworm-slim', note: 'the stand-in base', bytes: 225_090_048, layers: base },
    );
    expect(report).toEqual([
      'localhost/capture-gateway:image-check: 332.9 MB (332876048 bytes), 8 layers, 6 with files',
      'docker.io/library/node:24-bookworm-slim (the stand-in base): 225.1 MB; the Dockerfile adds 107.8 MB in 2 layers',
      '    78.0 MB  base        ADD /',
      // Instructions longer than 90 characters are cut.
      '    23.0 kB  base        RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-…',
      '   147.1 MB  base        COPY /usr/local/',
      '     3.6 kB  base        COPY /usr/local/bin/',
      '   107.0 MB  Dockerfile  COPY ./node_modules',
      '   786.0 kB  Dockerfile  COPY ./dist',
    ]);
    expect(() => sizeReport({ reference: 'x', bytes: 1, layers: own }, { reference: 'base', bytes: 1, layers: base })).toThrow(
      'x does not start with the layers of base',
    );
  });
});
