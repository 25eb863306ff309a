// DateTime and SafeInt: graphql-scalars' behaviour only (the schema's SDL documents them:
// buildSubgraphSchema copies every defined property of a resolver scalar over the SDL's, so
// graphql-scalars' descriptions and @specifiedBy would show in introspection but not in the SDL),
// with fast paths for the values the resolvers give: an ISO text dateTimeIsoFromCfw made is sent as
// it is (graphql-scalars would hand JSON.stringify a Date: the same text, several times slower), a
// safe integer as it is. Anything else, and the input side, which this schema never uses, goes to
// graphql-scalars itself, loaded the first time it is needed: loading the whole library at start
// cost ~70 ms and ~5 MB for two scalars.
import { createRequire } from 'node:module';
import { GraphQLScalarType, type ValueNode } from 'graphql';
import { isCanonicalIsoInstant } from './values.ts';

type GraphQLScalars = typeof import('graphql-scalars');

let loaded: GraphQLScalars | undefined;

/** graphql-scalars, loaded synchronously on first use (its CommonJS build, on the same graphql). */
function graphqlScalars(): GraphQLScalars {
  loaded ??= createRequire(import.meta.url)('graphql-scalars') as GraphQLScalars;
  return loaded;
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => {
    if (typeof value === 'string' && isCanonicalIsoInstant(value)) return value;
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    return graphqlScalars().DateTimeResolver.serialize(value);
  },
  parseValue: (value) => graphqlScalars().DateTimeResolver.parseValue(value),
  parseLiteral: (node: ValueNode, variables) => graphqlScalars().DateTimeResolver.parseLiteral(node, variables),
});

export const SafeInt = new GraphQLScalarType({
  name: 'SafeInt',
  serialize: (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : graphqlScalars().SafeIntResolver.serialize(value)),
  parseValue: (value) => graphqlScalars().SafeIntResolver.parseValue(value),
  parseLiteral: (node: ValueNode, variables) => graphqlScalars().SafeIntResolver.parseLiteral(node, variables),
});
