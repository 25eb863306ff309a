// What must not be inside the image — development packages, the repository's other folders,
// TypeScript sources, credentials — and finding it in a listing of the image's files: pure.
import { posix } from 'node:path';

/** Where the Dockerfile puts the application. */
export const APP_DIR = '/app';

/** The repository's folders that are not the runtime's (the runtime stage copies dist/, schema/, package.json and node_modules/ only). */
export const NOT_SHIPPED = ['src', 'test', 'bench', 'scripts', 'examples', 'coverage', '.git', '.ci'];

/** Folders an operator's or a builder's credentials would be left in. */
export const HOME_DIRS = ['/root', '/home/node'];

interface LockPackage {
  readonly dev?: boolean;
}

function packagesOf(lockfile: unknown): Record<string, LockPackage> {
  if (typeof lockfile !== 'object' || lockfile === null || !('packages' in lockfile) || typeof lockfile.packages !== 'object' || lockfile.packages === null) {
    throw new Error('package-lock.json has no "packages" (lockfileVersion 2 or 3 is needed)');
  }
  return lockfile.packages as Record<string, LockPackage>;
}

/**
 * Paths that must not exist in the image: every package the lockfile marks `dev` (what
 * `npm ci --omit=dev` leaves out) and the folders in NOT_SHIPPED, under APP_DIR.
 */
export function mustBeAbsent(lockfile: unknown): string[] {
  const dev = Object.entries(packagesOf(lockfile))
    .filter(([path, entry]) => path !== '' && entry.dev === true)
    .map(([path]) => posix.join(APP_DIR, path));
  return [...NOT_SHIPPED.map((folder) => posix.join(APP_DIR, folder)), ...dev];
}

/**
 * The package.json devDependencies npm keeps with `--omit=dev`: the lockfile does not mark them
 * `dev` because a production package needs them too (`devOptional`: an optional peer, for one).
 */
export function devDependenciesKept(manifest: { readonly devDependencies?: Readonly<Record<string, string>> }, lockfile: unknown): string[] {
  const packages = packagesOf(lockfile);
  return Object.keys(manifest.devDependencies ?? {}).filter((name) => {
    const entry = packages[`node_modules/${name}`];
    return entry !== undefined && entry.dev !== true;
  });
}

const TYPESCRIPT_SOURCE = /\.(?:c|m)?ts$/;
const DECLARATION = /\.d\.(?:c|m)?ts$/;
const CREDENTIAL_NAMES = [
  /^\.env(?:\..+)?$/,
  /^\.npmrc$/,
  /^\.netrc$/,
  /^\.git-credentials$/,
  /^\.pgpass$/,
  /^id_(?:rsa|dsa|ecdsa|ed25519)$/,
  /\.(?:pem|key|p12|pfx)$/,
];
const CREDENTIAL_PATHS = [/\/\.aws\/credentials$/, /\/\.docker\/config\.json$/, /\/\.ssh\//, /\/\.config\/gcloud\//, /\/\.kube\/config$/];

export interface Offence {
  readonly path: string;
  readonly reason: string;
}

/**
 * Among the image's files (absolute paths, as listed under APP_DIR and HOME_DIRS): TypeScript
 * sources outside node_modules, and files that hold credentials by their name or place.
 */
export function offendingFiles(files: readonly string[]): Offence[] {
  const offences: Offence[] = [];
  for (const path of files) {
    const name = posix.basename(path);
    const inApp = path.startsWith(`${APP_DIR}/`);
    const inDependencies = path.startsWith(`${APP_DIR}/node_modules/`);
    if (inApp && !inDependencies && TYPESCRIPT_SOURCE.test(name) && !DECLARATION.test(name)) offences.push({ path, reason: 'a TypeScript source' });
    else if (CREDENTIAL_NAMES.some((pattern) => pattern.test(name)) || CREDENTIAL_PATHS.some((pattern) => pattern.test(path)))
      offences.push({ path, reason: 'a credentials file' });
  }
  return offences;
}

/** npm configuration keys that carry credentials (`_authToken`, also scoped as `//host/:_authToken`). */
export function npmrcCredentials(npmrc: string): string[] {
  return npmrc
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'))
    .map((line) => (line.split('=')[0] ?? '').trim())
    .filter((key) => /(?:^|:)(?:_auth|_authToken|_password|username|password|certfile|keyfile)$/.test(key));
}

/** Names among the image's environment (`NAME=value`) that look like secrets. */
export function secretLikeEnv(env: readonly string[]): string[] {
  return env
    .map((entry) => entry.split('=')[0] ?? '')
    .filter((name) => /TOKEN|SECRET|PASSW(?:OR)?D|CREDENTIAL|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|_AUTH$/i.test(name));
}
