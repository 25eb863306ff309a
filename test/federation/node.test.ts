// Relay's Global Object Identification in this subgraph: Query.node answers a Firewall for its id
// without an upstream call, and the subgraph still composes and serves through a real Apollo
// Gateway with the example owner — whether the owner declares Node and Query.node too or not.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices, type CompositionResult } from '@apollo/composition';
import {
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type DocumentNode,
  type FormattedExecutionResult,
  type InterfaceTypeDefinitionNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { nodeFromId } from '../../src/resolvers/node.ts';
import { readSchemaSdl } from '../../src/server/schema.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { field, startHarness, type Harness } from '../helpers/harness.ts';
import { startApolloGateway } from './apollo-gateway.ts';
import { firewallsWithNodeSdl, readFirewallsSdl, startFirewallsSubgraph, type FirewallsSubgraph } from './firewalls-subgraph.ts';

const DEMO = SIMULATOR_FIREWALLS.demo;
const NODE_QUERY = `query Node($id: ID!) { node(id: $id) { __typename id ... on Firewall { captureTasks(first: 2) { totalCount } } } }`;

describe('nodeFromId', () => {
  it('reads any non-blank id as a firewall id, a blank one as nothing', () => {
    expect(nodeFromId(DEMO)).toEqual({ id: DEMO });
    expect(nodeFromId('not-a-uuid')).toEqual({ id: 'not-a-uuid' });
    expect(nodeFromId('')).toBeNull();
    expect(nodeFromId('  ')).toBeNull();
  });
});

describe('Query.node on the subgraph itself', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('answers the Firewall with that id, and its captureTasks', async () => {
    const result = await harness.gql(NODE_QUERY, { id: DEMO });
    expect(result.body).toEqual({ data: { node: { __typename: 'Firewall', id: DEMO, captureTasks: { totalCount: 57 } } } });
  });

  it('makes no upstream call for the node alone, as an entity reference', async () => {
    harness.simulator.resetCalls();
    const result = await harness.gql('query Node($id: ID!) { node(id: $id) { id __typename } }', { id: SIMULATOR_FIREWALLS.huge });
    expect(field(result, 'node')).toEqual({ id: SIMULATOR_FIREWALLS.huge, __typename: 'Firewall' });
    expect(harness.simulator.callCount).toBe(0);
  });

  it('answers null for an empty id', async () => {
    const result = await harness.gql(NODE_QUERY, { id: '' });
    expect(result.body).toEqual({ data: { node: null } });
  });

  it('reports a firewall the upstream does not know as NOT_FOUND at its captureTasks', async () => {
    const result = await harness.gql(NODE_QUERY, { id: 'no-such-firewall' });
    expect(result.body.data).toEqual({ node: null });
    expect(result.body.errors?.map((error) => ({ path: error.path, code: error.extensions?.['code'] }))).toEqual([
      { path: ['node', 'captureTasks'], code: 'NOT_FOUND' },
    ]);
  });
});

function compose(firewallsSdl: string): CompositionResult {
  return composeServices([
    { name: 'captures', url: 'http://captures.test/graphql', typeDefs: parse(readSchemaSdl()) },
    { name: 'firewalls', url: 'http://firewalls.test/graphql', typeDefs: parse(firewallsSdl) },
  ]);
}

function supergraphOf(result: CompositionResult): DocumentNode {
  if (result.errors !== undefined) throw new Error(`composition failed:\n${result.errors.map((error) => error.message).join('\n')}`);
  return parse(result.supergraphSdl);
}

function definition(
  document: DocumentNode,
  kind: Kind.OBJECT_TYPE_DEFINITION | Kind.INTERFACE_TYPE_DEFINITION,
  name: string,
): ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode {
  const found = document.definitions.find(
    (candidate): candidate is ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode => candidate.kind === kind && candidate.name.value === name,
  );
  if (found === undefined) throw new Error(`no ${kind} ${name} in the supergraph`);
  return found;
}

/** The graphs `@join__field` names for Query.node; the graph `@join__type` names for Node. */
function joins(document: DocumentNode) {
  const graphOf = (directive: ConstDirectiveNode) => {
    const graph = directive.arguments?.find((argument) => argument.name.value === 'graph');
    return graph === undefined ? '' : print(graph.value);
  };
  const node = definition(document, Kind.OBJECT_TYPE_DEFINITION, 'Query').fields?.find((candidate) => candidate.name.value === 'node');
  return {
    nodeField: (node?.directives ?? []).filter((directive) => directive.name.value === 'join__field').map(graphOf),
    nodeInterface: (definition(document, Kind.INTERFACE_TYPE_DEFINITION, 'Node').directives ?? [])
      .filter((directive) => directive.name.value === 'join__type')
      .map(graphOf),
    firewallImplements: (definition(document, Kind.OBJECT_TYPE_DEFINITION, 'Firewall').interfaces ?? []).map((type) => type.name.value),
  };
}

describe('composition with the example owner', () => {
  it('composes when the owner declares no Node: Query.node and Node come from this subgraph alone', () => {
    const result = compose(readFirewallsSdl());
    expect(joins(supergraphOf(result))).toEqual({ nodeField: ['CAPTURES'], nodeInterface: ['CAPTURES'], firewallImplements: ['Node'] });
  });

  it('composes when the owner declares Node and a @shareable Query.node too: both resolve it', () => {
    const result = compose(firewallsWithNodeSdl());
    // No @join__field on Query.node: every subgraph with a Query resolves it.
    expect(joins(supergraphOf(result))).toEqual({ nodeField: [], nodeInterface: ['CAPTURES', 'FIREWALLS'], firewallImplements: ['Node'] });
  });

  it('lets an owner with Node types of its own take Query.node over with @override(from: "captures")', () => {
    const owner = firewallsWithNodeSdl()
      .replace('import: ["@key", "@shareable"]', 'import: ["@key", "@shareable", "@override"]')
      .replace('node(id: ID!): Node @shareable', 'node(id: ID!): Node @override(from: "captures")')
      .concat('\n"A firewall rule."\ntype Rule implements Node @key(fields: "id") {\n  "The rule\'s id."\n  id: ID!\n}\n');
    const supergraph = supergraphOf(compose(owner));
    const node = definition(supergraph, Kind.OBJECT_TYPE_DEFINITION, 'Query').fields?.find((candidate) => candidate.name.value === 'node');
    expect(node?.directives?.map((directive) => print(directive))).toEqual(['@join__field(graph: FIREWALLS, override: "captures")']);
    expect(definition(supergraph, Kind.OBJECT_TYPE_DEFINITION, 'Rule').interfaces?.map((type) => type.name.value)).toEqual(['Node']);
  });
});

interface Supergraph {
  readonly harness: Harness;
  readonly firewalls: FirewallsSubgraph;
  execute(query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult>;
  close(): Promise<void>;
}

async function startSupergraph(declaresNode: boolean): Promise<Supergraph> {
  const harness = await startHarness();
  const firewalls = await startFirewallsSubgraph({ declaresNode });
  const server = await startApolloGateway({ firewalls: firewalls.url, captures: harness.url });
  return {
    harness,
    firewalls,
    execute: (query, variables) => server.execute(query, variables),
    async close() {
      await server.stop();
      await firewalls.close();
      await harness.close();
    },
  };
}

describe.each([
  ['declares no Node', false],
  ['declares Node and Query.node too', true],
])('a supergraph whose owner %s', (_owner, declaresNode) => {
  let supergraph: Supergraph;
  beforeAll(async () => {
    supergraph = await startSupergraph(declaresNode);
    supergraph.firewalls.serve([{ id: DEMO, name: 'demo' }]);
  });
  afterAll(() => supergraph.close());

  it('refetches a Firewall by id with its name from the owner and its captureTasks from here', async () => {
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(`query Node($id: ID!) { node(id: $id) { id ... on Firewall { name captureTasks(first: 2) { totalCount } } } }`, {
      id: DEMO,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ node: { id: DEMO, name: 'demo', captureTasks: { totalCount: 57 } } });
    expect(supergraph.harness.simulator.callCount).toBe(1);
  });
});
