// Compiled execution: graphql-jit turns each distinct operation into a JavaScript function once and
// runs that instead of graphql-js's interpreter (about twice as fast on a 50-task page). It plugs in
// through Apollo Server's gateway interface, whose executor hook is the one place Apollo lets a
// server replace execution; parsing, validation, plugins and error formatting stay Apollo's.
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { boundedCache } from '../bounded-cache.ts';
import { ErrorCode } from '../errors.ts';
import { GraphQLError, printSchema, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/**
 * `disableLeafSerialization`: String, Int, Boolean, ID and enum values are written as the resolvers
 * hand them, already serialized (the contract: resolvers/serialized.ts); the serializer calls
 * allocated each field's error path eagerly (figures: bench/results/caches.md). Custom scalars
 * (DateTime, SafeInt) are still serialized.
 */
const COMPILE_OPTIONS = { disablingCapturingStackErrors: true, disableLeafSerialization: true } as const;

/** Compiled operations kept; a client sending ever new documents cannot grow memory without end. */
const MAX_COMPILED = 500;

export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const compiled = boundedCache<string, CompiledQuery>(MAX_COMPILED);
  let onSchema: GatewaySchemaLoadOrUpdateCallback | undefined;

  const executor: GatewayExecutor = async (request) => {
    // Apollo found no operation for the name asked (or the document has several and none was named):
    // answer with graphql-js's error, which Apollo turns into OPERATION_RESOLUTION_FAILURE (400).
    // Typed as always present, but undefined at run time when nothing matched.
    const operation: OperationDefinitionNode | undefined = request.operation;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the interface's type is wrong here
    if (operation === undefined) {
      const asked = request.request.operationName;
      return {
        errors: [
          new GraphQLError(asked === undefined ? 'Must provide operation name if query contains multiple operations.' : `Unknown operation named "${asked}".`),
        ],
      };
    }
    const operationName = operation.name?.value;
    const key = `${request.queryHash}\u0000${operationName ?? ''}`;
    let query = compiled.get(key);
    if (query === undefined) {
      const result = compileQuery(schema, request.document, operationName, COMPILE_OPTIONS);
      if (!isCompiledQuery(result)) return result;
      query = result;
      compiled.set(key, query);
    }
    const result = await query.query(undefined, request.context, request.request.variables ?? {});
    if (!('data' in result) && result.errors !== undefined) {
      // No data at all: the variables could not be coerced, a client error as graphql-js reports it.
      return {
        errors: result.errors.map(
          (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } }),
        ),
      };
    }
    return result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      onSchema = callback;
      return () => {
        onSchema = undefined;
      };
    },
    load() {
      onSchema?.({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return Promise.resolve({ executor });
    },
    stop: () => Promise.resolve(),
  };
}
