// The API as plain SDL for client tooling (relay-compiler, GraphQL Code Generator, linters): the
// subgraph's SDL without what Federation adds — no `@link`, no federation directives, no
// `_service`/`_entities`/`_Any`/`FieldSet`/`link__*` — printed by graphql-js as introspection
// would describe it. `npm run codegen` writes it to schema/client.graphql; /schema.graphql serves it.
import { buildASTSchema, Kind, parse, printSchema, specifiedDirectives, visit, type DirectiveNode, type DocumentNode } from 'graphql';

export const CLIENT_SCHEMA_FILE = new URL('../../schema/client.graphql', import.meta.url);

export const CLIENT_SCHEMA_HEADER = '# The capture-gateway API as plain SDL for client tooling. Generated from schema/capture-gateway.graphql\n# by `npm run codegen`; do not edit.\n';

/** The document without federation: the `@link` schema extension and every directive it does not define. */
export function withoutFederation(document: DocumentNode): DocumentNode {
  const defined = new Set([
    ...specifiedDirectives.map((directive) => directive.name),
    ...document.definitions.flatMap((definition) => (definition.kind === Kind.DIRECTIVE_DEFINITION ? [definition.name.value] : [])),
  ]);
  const kept = (directive: DirectiveNode) => defined.has(directive.name.value);
  const stripped = visit(document, {
    Directive: (directive) => (kept(directive) ? undefined : null),
  });
  return {
    ...stripped,
    definitions: stripped.definitions.filter(
      (definition) => !((definition.kind === Kind.SCHEMA_EXTENSION || definition.kind === Kind.SCHEMA_DEFINITION) && (definition.operationTypes ?? []).length === 0),
    ),
  };
}

/** The client SDL of a subgraph SDL. */
export function clientSdlFrom(subgraphSdl: string): string {
  return `${CLIENT_SCHEMA_HEADER}\n${printSchema(buildASTSchema(withoutFederation(parse(subgraphSdl))))}\n`;
}
