// Scalars from graphql-scalars, with two changes. Only their behaviour is taken: the schema's own
// descriptions stay (buildSubgraphSchema copies every defined property of a resolver scalar over
// the SDL's, so graphql-scalars' descriptions and @specifiedBy would show in introspection but not
// in the SDL). And DateTime hands the response its ISO string instead of a Date, which
// JSON.stringify handles several times slower (the same text either way).
import { GraphQLScalarType, type GraphQLScalarTypeConfig } from 'graphql';
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { isCanonicalIsoInstant } from './values.ts';

/** A scalar's behaviour without its documentation: the schema's SDL documents it. */
function behaviourOf<Internal, External>(scalar: GraphQLScalarType<Internal, External>): GraphQLScalarTypeConfig<Internal, External> {
  const { name, serialize, parseValue, parseLiteral } = scalar.toConfig();
  return { name, serialize, parseValue, parseLiteral };
}

export const DateTime = new GraphQLScalarType({
  ...behaviourOf(DateTimeResolver),
  // An ISO text the resolver already made (values.ts) is sent as it is.
  serialize: (value) => {
    if (typeof value === 'string' && isCanonicalIsoInstant(value)) return value;
    return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : DateTimeResolver.serialize(value);
  },
});

export const SafeInt = new GraphQLScalarType(behaviourOf(SafeIntResolver));
