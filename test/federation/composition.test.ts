// This subgraph composed into a supergraph with @apollo/composition (what Rover and the gateway
// run): with the example `firewalls` subgraph that owns Firewall, with a third subgraph that has a
// PageInfo of its own, and the SDL the supergraph reads through `_service`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices, type CompositionResult } from '@apollo/composition';
import { Kind, parse, print, type ConstDirectiveNode, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';
import { readSchemaSdl } from '../../src/server/schema.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';
import { readFirewallsSdl } from './firewalls-subgraph.ts';

/** A third subgraph with its own Relay PageInfo, as any paginating subgraph would have. */
function auditSubgraphSdl(pageInfoDirectives: string): string {
  return `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
    type Query { auditEvents(first: Int, after: String): AuditEventConnection! }
    type AuditEventConnection { nodes: [AuditEvent!]! pageInfo: PageInfo! }
    type AuditEvent { id: ID! action: String! }
    type PageInfo ${pageInfoDirectives} { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  `;
}

function compose(extra: readonly { name: string; sdl: string }[] = []): CompositionResult {
  return composeServices([
    { name: 'captures', url: 'http://captures.test/graphql', typeDefs: parse(readSchemaSdl()) },
    { name: 'firewalls', url: 'http://firewalls.test/graphql', typeDefs: parse(readFirewallsSdl()) },
    ...extra.map(({ name, sdl }) => ({ name, url: `http://${name}.test/graphql`, typeDefs: parse(sdl) })),
  ]);
}

/** The supergraph SDL of a composition that must have succeeded; its errors otherwise. */
function supergraphOf(result: CompositionResult): DocumentNode {
  if (result.errors !== undefined) throw new Error(`composition failed:\n${result.errors.map((error) => error.message).join('\n')}`);
  return parse(result.supergraphSdl);
}

function objectType(document: DocumentNode, name: string): ObjectTypeDefinitionNode {
  const found = document.definitions.find(
    (definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === name,
  );
  if (found === undefined) throw new Error(`no type ${name} in the supergraph`);
  return found;
}

/** A directive's arguments as printed values, e.g. `{ graph: 'CAPTURES', key: '"id"' }`. */
function argumentsOf(directive: ConstDirectiveNode): Record<string, string> {
  return Object.fromEntries((directive.arguments ?? []).map((argument) => [argument.name.value, print(argument.value)]));
}

function directives(node: { readonly directives?: readonly ConstDirectiveNode[] | undefined }, name: string): Record<string, string>[] {
  return (node.directives ?? []).filter((directive) => directive.name.value === name).map(argumentsOf);
}

/** The graphs `@join__field` says resolve `Type.field`. */
function graphsOf(document: DocumentNode, typeName: string, fieldName: string): string[] {
  const field = objectType(document, typeName).fields?.find((candidate) => candidate.name.value === fieldName);
  if (field === undefined) throw new Error(`no field ${typeName}.${fieldName} in the supergraph`);
  return directives(field, 'join__field').map((join) => join.graph ?? '');
}

/** What buildSubgraphSchema adds to `_service.sdl` beyond the subgraph's own definitions. */
const FEDERATION_MACHINERY =
  /^(directive @(link|key|shareable|federation__\w+)\b|(scalar|enum) (link|federation)__\w+|type _Service \{|scalar _Any$|union _Entity = |extend type Query \{\n {2}_entities\b)/;

/** Every type, directive and schema definition of an SDL, printed alike whatever the formatting. */
function definitionsOf(sdl: string): string[] {
  return parse(sdl).definitions.map((definition) => print(definition));
}

describe('composition with the example firewalls subgraph', () => {
  const result = compose();

  it('composes without errors', () => {
    expect(result.errors).toBeUndefined();
    expect(result.supergraphSdl).toEqual(expect.any(String));
  });

  it('joins Firewall on its id in both subgraphs: name from firewalls, captureTasks from captures', () => {
    const supergraph = supergraphOf(result);
    expect(directives(objectType(supergraph, 'Firewall'), 'join__type')).toEqual([
      { graph: 'CAPTURES', key: '"id"' },
      { graph: 'FIREWALLS', key: '"id"' },
    ]);
    expect(graphsOf(supergraph, 'Firewall', 'captureTasks')).toEqual(['CAPTURES']);
    expect(graphsOf(supergraph, 'Firewall', 'name')).toEqual(['FIREWALLS']);
    expect(graphsOf(supergraph, 'Query', 'firewalls')).toEqual(['FIREWALLS']);
    expect(graphsOf(supergraph, 'CaptureTask', 'firewall')).toEqual([]);
  });

  it("keeps this subgraph's descriptions in the supergraph", () => {
    const captureTasks = objectType(supergraphOf(result), 'Firewall').fields?.find((field) => field.name.value === 'captureTasks');
    expect(captureTasks?.description?.value).toBe("This firewall's packet capture tasks; the arguments work as on `Query.captureTasks`.");
  });
});

describe('composition with a third subgraph that has its own PageInfo', () => {
  it('composes when that PageInfo is @shareable too, both subgraphs resolving it', () => {
    const supergraph = supergraphOf(compose([{ name: 'audit', sdl: auditSubgraphSdl('@shareable') }]));
    expect(directives(objectType(supergraph, 'PageInfo'), 'join__type').map((join) => join.graph)).toEqual(['AUDIT', 'CAPTURES']);
    expect(graphsOf(supergraph, 'Query', 'auditEvents')).toEqual(['AUDIT']);
  });

  it('fails with INVALID_FIELD_SHARING on every PageInfo field when that PageInfo is not @shareable', () => {
    const result = compose([{ name: 'audit', sdl: auditSubgraphSdl('') }]);
    expect(result.supergraphSdl).toBeUndefined();
    const errors = (result.errors ?? []).map((error) => ({ code: error.extensions['code'], message: error.message }));
    expect(errors).toEqual(
      ['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'].map((field) => ({
        code: 'INVALID_FIELD_SHARING',
        message: `Non-shareable field "PageInfo.${field}" is resolved from multiple subgraphs: it is resolved from subgraphs "audit" and "captures" and defined as non-shareable in subgraph "audit"`,
      })),
    );
  });
});

/** `_service.sdl` as the running subgraph serves it to Rover and the gateway. */
async function servedSdl(harness: Harness): Promise<string> {
  const result = await harness.gql('{ _service { sdl } }');
  expect(result.body.errors).toBeUndefined();
  const service: unknown = result.body.data?.['_service'];
  if (typeof service !== 'object' || service === null || !('sdl' in service) || typeof service.sdl !== 'string')
    throw new Error(`no _service.sdl in ${result.text.slice(0, 200)}`);
  return service.sdl;
}

describe('_service { sdl } of the running subgraph', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it("is the schema file's SDL, descriptions included", async () => {
    const sdl = await servedSdl(harness);
    const served = definitionsOf(sdl);
    const own = definitionsOf(readSchemaSdl());
    expect(served).toEqual(expect.arrayContaining(own));
    expect(served.filter((definition) => !own.includes(definition) && !FEDERATION_MACHINERY.test(definition))).toEqual([]);
    expect(sdl).toContain('"""\nAn instant in time, serialised as an ISO-8601 string in UTC');
  });

  it('is served in production too, where introspection is off, so Rover and IntrospectAndCompose can read it', async () => {
    await withHarness({ env: { NODE_ENV: 'production' } }, async (production) => {
      expect(await servedSdl(production)).toContain('type Firewall implements Node @key(fields: "id")');
      const introspection = await production.gql('{ __schema { queryType { name } } }');
      expect(introspection.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });
});

describe('npm run supergraph', () => {
  const run = promisify(execFile);
  const script = fileURLToPath(new URL('../../scripts/supergraph.ts', import.meta.url));
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'supergraph-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('prints the same supergraph as composing the two subgraphs here', async () => {
    const { stdout, stderr } = await run(process.execPath, [
      script,
      '--captures-url',
      'http://captures.test/graphql',
      '--firewalls-url',
      'http://firewalls.test/graphql',
    ]);
    expect(stderr).toBe('');
    expect(stdout).toBe(`${compose().supergraphSdl ?? 'no supergraph'}\n`);
  });

  it('prints the errors to stderr and exits 1 when composition fails', async () => {
    const audit = join(scratch, 'audit.graphql');
    await writeFile(audit, auditSubgraphSdl(''));
    const failure: unknown = await run(process.execPath, [script, audit]).then(
      () => new Error('the script succeeded'),
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('[INVALID_FIELD_SHARING] Non-shareable field "PageInfo.hasNextPage"'),
    });
    expect(failure).toMatchObject({ stderr: expect.stringContaining('composition failed with 4 error(s)') });
  });
});
