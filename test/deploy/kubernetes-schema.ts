// Kubernetes objects checked without a cluster, against one pinned Kubernetes release: the OpenAPI
// schema of Kubernetes 1.36.0 as kubernetes-models 5.1.0 compiles it (package.json pins that exact
// version; its CHANGELOG: "Update to Kubernetes v1.36.0"), and its TypeScript types for the fields
// the schema lets through: the OpenAPI schema allows unknown fields, so a misspelt one
// (`maxUnavailble`) passes it, while kubectl's strict field validation refuses it.
import path from 'node:path';
import ts from 'typescript';
import { isObject, shown, type JsonObject, type Rendered } from './kustomize.ts';

/** The Kubernetes release whose schema and types the manifests are checked against. */
export const KUBERNETES_VERSION = '1.36.0';
/** The kubernetes-models release generated from it. */
export const KUBERNETES_MODELS_VERSION = '5.1.0';

/** A kubernetes-models class: built from an object's data, it validates that data against the schema. */
type ModelClass = new (data: JsonObject) => { validate(): void };

function isModelClass(value: unknown): value is ModelClass {
  return (
    typeof value === 'function' && 'prototype' in value && typeof value.prototype === 'object' && value.prototype !== null && 'validate' in value.prototype
  );
}

/** The module of kubernetes-models that holds `apiVersion`'s `kind` (`v1/Service`, `apps/v1/Deployment`). */
function modelModule(object: JsonObject): { specifier: string; kind: string } {
  const apiVersion = object['apiVersion'];
  const kind = object['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Za-z]+$/.test(kind) || !/^([a-z0-9.-]+\/)?v\d+\w*$/.test(apiVersion)) {
    throw new Error(`not a Kubernetes object: apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)}`);
  }
  return { specifier: `kubernetes-models/${apiVersion}/${kind}`, kind };
}

/** What the Kubernetes schema says is wrong with `object`: [] when it validates. */
export async function schemaProblems(object: JsonObject): Promise<string[]> {
  const { specifier, kind } = modelModule(object);
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch {
    return [`Kubernetes ${KUBERNETES_VERSION} has no ${shown(object['apiVersion'])} ${kind} (no ${specifier})`];
  }
  const Model: unknown = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, kind) : undefined;
  if (!isModelClass(Model)) return [`${specifier} exports no model class ${kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/**
 * Fields the Kubernetes types do not have, and values of the wrong type, in every object: each
 * object is type-checked as an object literal of its kind's interface (TypeScript reports a field
 * an interface lacks as an excess property), in a program of in-memory files.
 */
export function typeProblems(objects: readonly Rendered[], root: string): string[] {
  const files = new Map<string, { source: string; from: Rendered }>();
  objects.forEach((rendered, index) => {
    const { specifier, kind } = modelModule(rendered.object);
    const fileName = path.join(root, 'test', 'deploy', `__manifest_${index}__.ts`);
    const source = `import type { I${kind} as Kind } from '${specifier}';\nexport const manifest: Kind = ${JSON.stringify(rendered.object, null, 2)};\n`;
    files.set(fileName, { source, from: rendered });
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2024,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const virtual = (name: string) => files.get(path.resolve(name));
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => virtual(name) !== undefined || fileExists(name);
  host.readFile = (name) => virtual(name)?.source ?? readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const file = virtual(name);
    return file === undefined ? getSourceFile(name, language, ...rest) : ts.createSourceFile(name, file.source, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const file = diagnostic.file === undefined ? undefined : virtual(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (file === undefined || diagnostic.file === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const metadata = file.from.object['metadata'];
    const name = isObject(metadata) ? metadata['name'] : undefined;
    const context = file.source.split('\n')[line]?.trim() ?? '';
    return `${file.from.file} ${shown(file.from.object['kind'])}/${shown(name)}: ${message} (at ${context})`;
  });
}
