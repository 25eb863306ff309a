// The executable subgraph schema, built once at start from schema/capture-gateway.graphql and the resolver map.
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers/index.ts';
import type { GatewayContext } from '../resolvers/context.ts';

export const SCHEMA_FILE = new URL('../../schema/capture-gateway.graphql', import.meta.url);

export function readSchemaSdl(): string {
  return readFileSync(SCHEMA_FILE, 'utf8');
}

export function buildGatewaySchema(): GraphQLSchema {
  const typeDefs = parse(readSchemaSdl());
  return buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<GatewayContext> }]);
}
