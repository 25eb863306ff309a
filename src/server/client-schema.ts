// The API as plain SDL for client tooling (relay-compiler, GraphQL Code Generator, linters): the
// subgraph's SDL — the schema file or `_service { sdl }` — without what Federation adds: no
// `@link`, no federation directives or their definitions, no `_service`/`_entities`/`_Any`/
// `_Entity`/`FieldSet`/`link__*`, printed by graphql-js as introspection describes it.
// `npm run codegen` writes it to schema/client.graphql; GET /schema.graphql serves it.
import { buildASTSchema, Kind, parse, printSchema, specifiedDirectives, visit, type DefinitionNode, type DirectiveNode, type DocumentNode } from 'graphql';

export const CLIENT_SCHEMA_FILE = new URL('../../schema/client.graphql', import.meta.url);

export const CLIENT_SCHEMA_HEADER =
  '# The capture-gateway API as plain SDL for client tooling. Generated from schema/capture-gateway.graphql\n# by `npm run codegen`; do not edit.\n';

/** Federation 2's directives (imported under their own names or as `federation__name`). */
const FEDERATION_DIRECTIVES = new Set([
  'link',
  'key',
  'shareable',
  'external',
  'requires',
  'provides',
  'inaccessible',
  'override',
  'tag',
  'extends',
  'interfaceObject',
  'composeDirective',
  'authenticated',
  'requiresScopes',
  'policy',
  'context',
  'fromContext',
  'cost',
  'listSize',
]);
const FEDERATION_TYPE = /^(_Any|_Entity|_Service|FieldSet|link__\w+|federation__\w+)$/;
const FEDERATION_ROOT_FIELDS = new Set(['_service', '_entities']);

const isFederationDirective = (name: string) => FEDERATION_DIRECTIVES.has(name) || name.startsWith('federation__');

function nameOf(definition: DefinitionNode): string | undefined {
  return 'name' in definition ? definition.name?.value : undefined;
}

/** The document without federation's schema extension, directives, types and root fields. */
export function withoutFederation(document: DocumentNode): DocumentNode {
  const definitions = document.definitions.filter((definition) => {
    const name = nameOf(definition);
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) return !isFederationDirective(definition.name.value);
    return name === undefined || !FEDERATION_TYPE.test(name);
  });
  const defined = new Set([
    ...specifiedDirectives.map((directive) => directive.name),
    ...definitions.flatMap((definition) => (definition.kind === Kind.DIRECTIVE_DEFINITION ? [definition.name.value] : [])),
  ]);
  const kept = (directive: DirectiveNode) => defined.has(directive.name.value);
  const stripped = visit(
    { ...document, definitions },
    {
      Directive: (directive) => (kept(directive) ? undefined : null),
      FieldDefinition: (field) => (FEDERATION_ROOT_FIELDS.has(field.name.value) ? null : undefined),
    },
  );
  return {
    ...stripped,
    definitions: stripped.definitions.filter((definition) => {
      if (definition.kind === Kind.SCHEMA_EXTENSION || definition.kind === Kind.SCHEMA_DEFINITION) return (definition.operationTypes ?? []).length > 0;
      // A `extend type Query` that only held _service/_entities is now empty.
      if (definition.kind === Kind.OBJECT_TYPE_EXTENSION) return (definition.fields ?? []).length > 0 || (definition.interfaces ?? []).length > 0;
      return true;
    }),
  };
}

/** The client SDL of a subgraph SDL. */
export function clientSdlFrom(subgraphSdl: string): string {
  return `${CLIENT_SCHEMA_HEADER}\n${printSchema(buildASTSchema(withoutFederation(parse(subgraphSdl))))}\n`;
}
