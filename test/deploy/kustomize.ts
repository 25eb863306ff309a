// What `kubectl kustomize` makes of deploy/kubernetes/, for the tests, without kubectl: the
// resources a kustomization lists (files, or folders with their own kustomization), then its JSON
// patches (RFC 6902), `namespace` and `images`. It refuses every kustomization field it does not
// apply, a resource that does not exist and a patch whose target matches nothing, so a rendering
// it gives is the one kubectl would.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A JSON value, as YAML parsing gives it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One Kubernetes object and the file it came from. */
export interface Rendered {
  readonly file: string;
  readonly object: JsonObject;
}

/** The fields a kustomization may use here; kubectl knows more, this renderer applies only these. */
const FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
/** Kinds that live in no namespace: `namespace:` leaves them alone. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'PriorityClass',
  'StorageClass',
]);

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a message: a string as it is, anything else as JSON. */
export function shown(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The string at `key` of `object`, or an error naming where. */
function stringAt(object: JsonObject, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw new Error(`${where}: ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** The YAML documents of `file`, each a mapping (comments-only documents skipped). */
export function readYamlObjects(file: string): JsonObject[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${file}: not YAML documents`);
  const objects: JsonObject[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const json = toJson(value, file);
    if (!isObject(json)) throw new Error(`${file}: a document is not a mapping`);
    objects.push(json);
  }
  return objects;
}

/** The one YAML document of `file`, whatever its shape. */
export function readYaml(file: string): Json {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(documents) || documents.length !== 1) throw new Error(`${file}: expected one YAML document`);
  const [document] = documents;
  if (document === undefined || document.errors.length > 0) throw new Error(`${file}: ${document?.errors.map((error) => error.message).join('; ') ?? 'empty'}`);
  return toJson(document.toJS(), file);
}

/** `value` as JSON, refusing what JSON cannot hold (YAML dates, binary, sets, non-string keys). */
function toJson(value: unknown, where: string): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a JSON number`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => toJson(item, where));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]: [string, unknown]) => [key, toJson(item, where)]));
  }
  throw new Error(`${where}: ${Object.prototype.toString.call(value)} is not JSON (a YAML date, binary or set?); quote it`);
}

/** Unescapes one JSON pointer token (RFC 6901). */
function pointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** `pointer` split into tokens; `''` is the whole document. */
function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must start with /`);
  return pointer.slice(1).split('/').map(pointerToken);
}

/** The array index `token` names in `array`; `-` (one past the end) only when `append` is allowed. */
function arrayIndex(array: Json[], token: string, append: boolean, pointer: string): number {
  if (append && token === '-') return array.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`${pointer}: ${JSON.stringify(token)} is not an array index`);
  const index = Number(token);
  if (index > array.length || (!append && index === array.length)) throw new Error(`${pointer}: index ${index} is past the end of an array of ${array.length}`);
  return index;
}

/** The value at `tokens` under `root`, or an error naming `pointer`. */
function valueAt(root: Json, tokens: readonly string[], pointer: string): Json {
  let value = root;
  for (const token of tokens) {
    if (Array.isArray(value)) value = value[arrayIndex(value, token, false, pointer)] ?? null;
    else if (isObject(value) && Object.hasOwn(value, token)) value = value[token] ?? null;
    else throw new Error(`${pointer}: nothing at ${JSON.stringify(token)}`);
  }
  return value;
}

/** The operations of a JSON patch: the ones kustomize's documents use. */
type PatchOperation =
  { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: Json } | { readonly op: 'remove'; readonly path: string };

function patchOperationFrom(json: Json, where: string): PatchOperation {
  if (!isObject(json)) throw new Error(`${where}: a JSON patch operation must be a mapping`);
  const op = stringAt(json, 'op', where);
  const path = stringAt(json, 'path', where);
  if (!['add', 'replace', 'test', 'remove'].includes(op))
    throw new Error(`${where}: op ${JSON.stringify(op)} is not applied here (add, remove, replace, test)`);
  const extra = Object.keys(json).filter((key) => !['op', 'path', 'value'].includes(key));
  if (extra.length > 0) throw new Error(`${where}: ${op} takes no ${extra.join(', ')}`);
  switch (op) {
    case 'add':
    case 'replace':
    case 'test': {
      const value = json['value'];
      if (value === undefined) throw new Error(`${where}: ${op} ${path} needs a value`);
      return { op, path, value };
    }
    case 'remove':
      return { op, path };
    default:
      throw new Error(`${where}: op ${JSON.stringify(op)} is not applied here (add, remove, replace, test)`);
  }
}

/** Applies a JSON patch (RFC 6902: add, remove, replace, test) to a copy of `document`. */
export function applyJsonPatch(document: JsonObject, operations: readonly Json[], where = 'patch'): JsonObject {
  const result = structuredClone(document);
  operations.forEach((json, index) => {
    const operation = patchOperationFrom(json, `${where}[${index}]`);
    const tokens = pointerTokens(operation.path);
    const last = tokens.at(-1);
    if (last === undefined) throw new Error(`${where}[${index}]: ${operation.op} of the whole document is not supported`);
    if (operation.op === 'test') {
      const found = valueAt(result, tokens, operation.path);
      if (JSON.stringify(found) !== JSON.stringify(operation.value))
        throw new Error(`${where}[${index}]: test ${operation.path} expected ${JSON.stringify(operation.value)}, found ${JSON.stringify(found)}`);
      return;
    }
    const parent = valueAt(result, tokens.slice(0, -1), operation.path);
    if (Array.isArray(parent)) {
      const at = arrayIndex(parent, last, operation.op === 'add', operation.path);
      if (operation.op === 'add') parent.splice(at, 0, structuredClone(operation.value));
      else if (operation.op === 'replace') parent[at] = structuredClone(operation.value);
      else parent.splice(at, 1);
      return;
    }
    if (!isObject(parent)) throw new Error(`${where}[${index}]: ${operation.path}: its parent is not an object or array`);
    if (operation.op !== 'add' && !Object.hasOwn(parent, last)) throw new Error(`${where}[${index}]: ${operation.op} ${operation.path}: nothing there`);
    if (operation.op === 'remove') Reflect.deleteProperty(parent, last);
    else parent[last] = structuredClone(operation.value);
  });
  return result;
}

/** The group, version, kind and name of an object, as a patch target selects them. */
function identity(object: JsonObject, where: string): { group: string; version: string; kind: string; name: string } {
  const apiVersion = stringAt(object, 'apiVersion', where);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const metadata = object['metadata'];
  if (!isObject(metadata)) throw new Error(`${where}: no metadata`);
  return { group: group ?? '', version: version ?? '', kind: stringAt(object, 'kind', where), name: stringAt(metadata, 'name', where) };
}

/** Whether `object` is one that `target` (a patch's group, version, kind, name) selects. */
function targets(target: JsonObject, object: JsonObject, where: string): boolean {
  const unknown = Object.keys(target).filter((key) => !['group', 'version', 'kind', 'name'].includes(key));
  if (unknown.length > 0) throw new Error(`${where}: target ${unknown.join(', ')} is not applied here (group, version, kind, name)`);
  const id = identity(object, where);
  return (['group', 'version', 'kind', 'name'] as const).every((key) => target[key] === undefined || target[key] === id[key]);
}

/** Sets every container image named `name` to `newName`/`newTag`/`digest` (kustomize `images`). */
function withImages(object: JsonObject, images: readonly Json[], where: string): JsonObject {
  const spec = object['spec'];
  const template = isObject(spec) ? spec['template'] : undefined;
  const podSpec = isObject(template) ? template['spec'] : undefined;
  if (!isObject(podSpec)) return object;
  const result = structuredClone(object);
  const resultPod = valueAt(result, ['spec', 'template', 'spec'], '/spec/template/spec');
  if (!isObject(resultPod)) return result;
  for (const list of ['initContainers', 'containers']) {
    const containers = resultPod[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isObject(container) || typeof container['image'] !== 'string') continue;
      const image = container['image'];
      const name = image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
      for (const override of images) {
        if (!isObject(override) || override['name'] !== name) continue;
        const unknown = Object.keys(override).filter((key) => !['name', 'newName', 'newTag', 'digest'].includes(key));
        if (unknown.length > 0) throw new Error(`${where}: images ${unknown.join(', ')} is not applied here`);
        const newName = typeof override['newName'] === 'string' ? override['newName'] : name;
        const tag = image.slice(name.length);
        const suffix =
          typeof override['digest'] === 'string' ? `@${override['digest']}` : typeof override['newTag'] === 'string' ? `:${override['newTag']}` : tag;
        container['image'] = `${newName}${suffix}`;
      }
    }
  }
  return result;
}

/** The operations of one `patches` entry: its file or its inline text, a JSON patch either way. */
function patchOperations(entry: JsonObject, directory: string, where: string): Json[] {
  const unknown = Object.keys(entry).filter((key) => !['path', 'patch', 'target'].includes(key));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} is not applied here (path, patch, target)`);
  const path = entry['path'];
  const inline = entry['patch'];
  let document: Json;
  if (typeof path === 'string') {
    const file = join(directory, path);
    if (!existsSync(file)) throw new Error(`${where}: patch file ${path} does not exist`);
    document = readYaml(file);
  } else if (typeof inline === 'string') {
    const [parsed] = parseAllDocuments(inline);
    const value: unknown = parsed?.toJS();
    document = toJson(value ?? null, where);
  } else throw new Error(`${where}: a patch needs path or patch`);
  if (!Array.isArray(document)) throw new Error(`${where}: only JSON patches (a list of operations) are applied here, not strategic-merge patches`);
  return document;
}

/** Renders the kustomization in `directory` as kubectl would: its objects, each with its file. */
export function renderKustomization(directory: string, root = directory): Rendered[] {
  const file = join(directory, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${relative(root, directory) || '.'}: no kustomization.yaml`);
  const where = relative(root, file);
  const kustomization = readYaml(file);
  if (!isObject(kustomization)) throw new Error(`${where}: not a mapping`);
  const unknown = Object.keys(kustomization).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} is not applied by test/deploy/kustomize.ts (it applies ${[...FIELDS].join(', ')})`);
  if (kustomization['apiVersion'] !== 'kustomize.config.k8s.io/v1beta1' || kustomization['kind'] !== 'Kustomization')
    throw new Error(`${where}: not a kustomize.config.k8s.io/v1beta1 Kustomization`);
  const resources = kustomization['resources'] ?? [];
  if (!Array.isArray(resources)) throw new Error(`${where}: resources must be a list`);
  let rendered: Rendered[] = [];
  for (const resource of resources) {
    if (typeof resource !== 'string') throw new Error(`${where}: a resource must be a path`);
    const path = join(directory, resource);
    if (!existsSync(path)) throw new Error(`${where}: resource ${resource} does not exist`);
    if (statSync(path).isDirectory()) rendered.push(...renderKustomization(path, root));
    else rendered.push(...readYamlObjects(path).map((object) => ({ file: relative(root, path), object })));
  }
  const patches = kustomization['patches'] ?? [];
  if (!Array.isArray(patches)) throw new Error(`${where}: patches must be a list`);
  patches.forEach((entry, index) => {
    const at = `${where} patches[${index}]`;
    if (!isObject(entry)) throw new Error(`${at}: not a mapping`);
    const target = entry['target'];
    if (!isObject(target)) throw new Error(`${at}: a JSON patch needs a target`);
    const operations = patchOperations(entry, directory, at);
    let matched = 0;
    rendered = rendered.map((item) => {
      if (!targets(target, item.object, at)) return item;
      matched++;
      return { file: item.file, object: applyJsonPatch(item.object, operations, at) };
    });
    if (matched === 0) throw new Error(`${at}: its target ${JSON.stringify(target)} matches no object`);
  });
  const namespace = kustomization['namespace'];
  if (namespace !== undefined) {
    if (typeof namespace !== 'string') throw new Error(`${where}: namespace must be a string`);
    rendered = rendered.map(({ file: from, object }) => {
      const { kind, name } = identity(object, from);
      // kustomize treats a Namespace object of another name in its own way; these files never need it.
      if (kind === 'Namespace' && name !== namespace) throw new Error(`${where}: Namespace ${name} is not the kustomization's namespace ${namespace}`);
      if (CLUSTER_SCOPED.has(kind)) return { file: from, object };
      const metadata = object['metadata'];
      return { file: from, object: { ...object, metadata: { ...(isObject(metadata) ? metadata : {}), namespace } } };
    });
  }
  const images = kustomization['images'] ?? [];
  if (!Array.isArray(images)) throw new Error(`${where}: images must be a list`);
  if (images.length > 0) rendered = rendered.map(({ file: from, object }) => ({ file: from, object: withImages(object, images, where) }));
  return rendered;
}
