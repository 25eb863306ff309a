// deploy/kubernetes/ as the tests read it: the base and the example overlay rendered, and the facts
// other files must agree with (the gateway's container, its settings, its shutdown timings), read
// from the objects with a message naming the path when one is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, renderKustomization, shown, type Json, type JsonObject, type Rendered } from './kustomize.ts';

export const ROOT = process.cwd();
export const BASE_DIR = join(ROOT, 'deploy/kubernetes/base');
export const OVERLAY_DIR = join(ROOT, 'deploy/kubernetes/overlays/example');

/** The value at `path` under `value`, or an error naming the path. */
export function at(value: Json | undefined, ...path: (string | number)[]): Json {
  let current = value;
  const walked: (string | number)[] = [];
  for (const key of path) {
    walked.push(key);
    if (typeof key === 'number' && Array.isArray(current)) current = current[key];
    else if (typeof key === 'string' && isObject(current)) current = current[key];
    else current = undefined;
    if (current === undefined) throw new Error(`nothing at ${walked.join('.')}`);
  }
  if (current === undefined) throw new Error('nothing there');
  return current;
}

export function objectAt(value: Json | undefined, ...path: (string | number)[]): JsonObject {
  const found = at(value, ...path);
  if (!isObject(found)) throw new Error(`${path.join('.')} is not a mapping: ${JSON.stringify(found)}`);
  return found;
}

export function listAt(value: Json | undefined, ...path: (string | number)[]): Json[] {
  const found = at(value, ...path);
  if (!Array.isArray(found)) throw new Error(`${path.join('.')} is not a list: ${JSON.stringify(found)}`);
  return found;
}

export function numberAt(value: Json | undefined, ...path: (string | number)[]): number {
  const found = at(value, ...path);
  if (typeof found !== 'number') throw new Error(`${path.join('.')} is not a number: ${JSON.stringify(found)}`);
  return found;
}

export function stringAt(value: Json | undefined, ...path: (string | number)[]): string {
  const found = at(value, ...path);
  if (typeof found !== 'string') throw new Error(`${path.join('.')} is not a string: ${JSON.stringify(found)}`);
  return found;
}

/** The one object of `kind` among `objects`. */
export function only(objects: readonly Rendered[], kind: string): JsonObject {
  const found = objects.filter((rendered) => rendered.object['kind'] === kind);
  if (found.length !== 1 || found[0] === undefined) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0].object;
}

/** Every item of a list that is a mapping. */
export function mappings(list: readonly Json[]): JsonObject[] {
  return list.filter(isObject);
}

/** A Kubernetes quantity (`384Mi`, `500m`, `2`) as a number: bytes, or cores. */
export function quantity(value: Json): number {
  const text = shown(value);
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(text);
  if (match === null) throw new Error(`not a quantity this test reads: ${text}`);
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };
  return Number(match[1]) * (match[2] === undefined ? 1 : (units[match[2]] ?? Number.NaN));
}

export interface Deployed {
  readonly objects: readonly Rendered[];
  readonly deployment: JsonObject;
  readonly pod: JsonObject;
  readonly container: JsonObject;
  /** The ConfigMap's settings. */
  readonly settings: Readonly<Record<string, string>>;
}

/** The objects of the kustomization in `directory` and the gateway's pod, container and settings. */
export function deployed(directory: string): Deployed {
  const objects = renderKustomization(directory, ROOT);
  const deployment = only(objects, 'Deployment');
  const pod = objectAt(deployment, 'spec', 'template', 'spec');
  const containers = mappings(listAt(pod, 'containers'));
  const container = containers.find((candidate) => candidate['name'] === 'gateway');
  if (container === undefined || containers.length !== 1) throw new Error('expected one container, named gateway');
  const data = objectAt(only(objects, 'ConfigMap'), 'data');
  const settings = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, shown(value)]));
  return { objects, deployment, pod, container, settings };
}

/** Placeholders for what the Secret holds, shaped as the gateway expects. */
const SECRET_VALUES: Readonly<Record<string, string>> = {
  CLOUD_SDK_AK: 'EXAMPLEACCESSKEY0000',
  CLOUD_SDK_SK: 'example-secret-key',
  CLOUD_SDK_SECURITY_TOKEN: 'example-security-token',
  INBOUND_API_KEYS_SHA256: 'a'.repeat(64),
  INBOUND_WRITE_API_KEYS_SHA256: 'b'.repeat(64),
  REDIS_URL: 'redis://:password@10.0.32.14:6379',
};

/** The variables the container gets from the Secret. */
export function secretVariables(container: JsonObject): string[] {
  return mappings(listAt(container, 'env'))
    .filter((variable) => isObject(variable['valueFrom']) && isObject(variable['valueFrom']['secretKeyRef']))
    .map((variable) => stringAt(variable, 'name'));
}

/** The environment the container starts with: the image's ENV, the ConfigMap, the Secret's keys. */
export function environmentOf(deployment: Deployed): Record<string, string> {
  const secrets = Object.fromEntries(secretVariables(deployment.container).map((name) => [name, SECRET_VALUES[name] ?? '']));
  return { ...dockerEnv(), ...deployment.settings, ...secrets };
}

/** The seconds the preStop hook waits. */
export function preStopSeconds(container: JsonObject): number {
  return numberAt(container, 'lifecycle', 'preStop', 'sleep', 'seconds');
}

/** The Dockerfile's runtime stage (from its last FROM). */
export function dockerRuntimeStage(): string {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  return dockerfile.slice(dockerfile.lastIndexOf('\nFROM ') + 1);
}

/** The ENV of the Dockerfile's runtime stage. */
export function dockerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const stage = dockerRuntimeStage().replaceAll(/\\\n\s*/g, ' ');
  for (const line of stage.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      if (name !== undefined && value.length > 0) env[name] = value.join('=');
    }
  }
  return env;
}

/**
 * The environment variables the gateway reads: the keys of the zod object in src/config.ts (the
 * only reader of process.env), read from its text because the schema itself is not exported.
 */
export function configVariables(): ReadonlySet<string> {
  const source = readFileSync(join(ROOT, 'src/config.ts'), 'utf8');
  const start = source.indexOf('.object({');
  const end = source.indexOf('.transform((e)', start);
  if (start === -1 || end === -1) throw new Error('src/config.ts no longer has its schema as `.object({ … }).transform((e) => …)`: update configVariables');
  const names = new Set([...source.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]*): /gm)].map((match) => match[1] ?? ''));
  for (const name of ['PORT', 'SHUTDOWN_TIMEOUT_MS', 'REDIS_URL']) {
    if (!names.has(name)) throw new Error(`configVariables found no ${name} in src/config.ts's schema: update it`);
  }
  return names;
}
