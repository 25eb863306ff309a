// The example `firewalls` subgraph (schema/examples/firewalls.graphql) as a real Apollo Server on a
// loopback port: it owns Firewall and lists whatever firewalls the test gives it.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, parseType, visit, type DocumentNode } from 'graphql';

export const FIREWALLS_SDL_FILE = new URL('../../schema/examples/firewalls.graphql', import.meta.url);

export function readFirewallsSdl(): string {
  return readFileSync(FIREWALLS_SDL_FILE, 'utf8');
}

/**
 * The example SDL with `Query.firewalls: [Firewall]!`: a list whose items may be null, so that one
 * firewall whose capture tasks fail nulls only itself (Firewall.captureTasks is non-null).
 */
function withNullableItems(document: DocumentNode): DocumentNode {
  return visit(document, {
    FieldDefinition(node) {
      return node.name.value === 'firewalls' ? { ...node, type: parseType('[Firewall]!') } : undefined;
    },
  });
}

/**
 * The example SDL as an owner that declares Relay's Node too: `interface Node`, implemented by its
 * Firewall, and a `Query.node` shared (@shareable) with this subgraph's.
 */
export function firewallsWithNodeSdl(): string {
  const sdl = readFirewallsSdl()
    .replace('import: ["@key"]', 'import: ["@key", "@shareable"]')
    .replace('type Firewall @key(fields: "id")', 'type Firewall implements Node @key(fields: "id")');
  return `${sdl}
"An object with an id (Relay)."
interface Node {
  "The object's id."
  id: ID!
}

extend type Query {
  "The object with this id."
  node(id: ID!): Node @shareable
}
`;
}

export interface FirewallRecord {
  readonly id: string;
  readonly name: string;
}

export interface FirewallsSubgraphOptions {
  /** `Query.firewalls` items: non-null as in the example SDL (default), or nullable. */
  readonly listItems?: 'non-null' | 'nullable';
  /** Whether the owner declares Relay's Node and Query.node too (firewallsWithNodeSdl). */
  readonly declaresNode?: boolean;
}

export interface FirewallsSubgraph {
  /** The subgraph's GraphQL URL. */
  readonly url: string;
  /** What `Query.firewalls` answers from now on, in this order. */
  serve(firewalls: readonly FirewallRecord[]): void;
  close(): Promise<void>;
}

export async function startFirewallsSubgraph(options: FirewallsSubgraphOptions = {}): Promise<FirewallsSubgraph> {
  let firewalls: readonly FirewallRecord[] = [];
  const sdl = parse(options.declaresNode === true ? firewallsWithNodeSdl() : readFirewallsSdl());
  const byId = (id: string) => firewalls.find((firewall) => firewall.id === id) ?? null;
  const server = new ApolloServer({
    schema: buildSubgraphSchema([
      {
        typeDefs: options.listItems === 'nullable' ? withNullableItems(sdl) : sdl,
        resolvers: {
          Query: { firewalls: () => firewalls, ...(options.declaresNode === true ? { node: (_root: unknown, args: { id: string }) => byId(args.id) } : {}) },
          Firewall: { __resolveReference: (reference: { id: string }) => byId(reference.id) },
          ...(options.declaresNode === true ? { Node: { __resolveType: () => 'Firewall' } } : {}),
        },
      },
    ]),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  // startStandaloneServer adds the drain plugin, so stop() also closes the HTTP server.
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return {
    url,
    serve(next) {
      firewalls = next;
    },
    close: () => server.stop(),
  };
}
