// Limits on what one operation may ask for, so one crafted query cannot fan out into hundreds of
// upstream calls or burn CPU: token count (Apollo's parser), depth, aliases and directives
// (GraphQL Armor's validation rules), and, once variables are known, a cost in which a connection
// costs its page size, and a count of the distinct connections (each at least one upstream read),
// both refused before any call is made; further reads are counted by the loader's budget.
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getVariableValues,
  GraphQLError,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type FieldNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { boundedCache, type BoundedCache } from '../bounded-cache.ts';
import { BudgetExceededError, ErrorCode } from '../errors.ts';
import { isFirewallId } from '../lifecycle/input.ts';
import { DEFAULT_PAGE_SIZE } from '../paging/page-request.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import type { Config } from '../config.ts';

/** Its slice of the configuration (config.ts says what each limit means). */
export type OperationLimits = Config['limits'];

export function validationRulesFor(limits: OperationLimits): ValidationRule[] {
  // Reported as validation errors (400); thrown, they would escape validate() as a 500.
  const common = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(error);
      },
    ],
  };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth, ignoreIntrospection: true }),
    maxAliasesRule({ ...common, n: limits.maxAliases }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives }),
  ] as ValidationRule[];
}

const CONNECTION_FIELD = 'captureTasks';
/** One capture task, found in the list: one read of 1,024 (more only for longer lists). */
const TASK_FIELD = 'captureTask';
/** A capture result: one upstream call per task it is asked of. */
const RESULT_FIELD = 'result';
/** The fewest upstream calls each mutation makes: a list read, the change, a list read to answer. */
const MUTATION_MIN_CALLS = 3;

/** What an operation's connections would cost: their page sizes, and the distinct page reads. */
export interface OperationCost {
  readonly cost: number;
  /** The fewest upstream calls it makes: distinct page reads, capture results, mutations' own calls. */
  readonly reads: number;
  /** Whether it resolves entity representations (a supergraph's fetch). */
  readonly entities: boolean;
  /** What is wrong with representations that cannot be firewalls. */
  readonly invalid: readonly string[];
}

type Variables = Readonly<Record<string, unknown>>;

/** A key for a value not yet checked by GraphQL: absurd nesting must not overflow the stack here. */
function keyOf(value: unknown): string {
  try {
    // Values here come from JSON, where only a missing one stringifies to nothing.
    return value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    return 'unreadable';
  }
}

/** Why an `_entities` representation cannot be a firewall, or undefined when it can. */
function representationProblem(representation: unknown): string | undefined {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) return 'is not an object';
  const { __typename: typename, id } = representation as Record<string, unknown>;
  if (typename !== 'Firewall') return `has __typename ${keyOf(typename).slice(0, 40)}; this subgraph resolves Firewall only`;
  if (!isFirewallId(id)) return 'needs an id: a non-empty string of at most 128 characters';
  return undefined;
}

function argumentValue(field: FieldNode, name: string, variables: Variables): unknown {
  const argument = field.arguments?.find((candidate) => candidate.name.value === name);
  return argument === undefined ? undefined : valueFromASTUntyped(argument.value, variables);
}

/**
 * Walks the operation (through fragments) and prices every `captureTasks`: its page size, times the
 * number of entity representations when it hangs under `_entities`. Distinct reads are counted by
 * their arguments, since identical ones are read once (DataLoader).
 */
export function operationCost(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, variables: Variables): OperationCost {
  let cost = 0;
  let entities = false;
  let calls = 0;
  const invalid: string[] = [];
  const reads = new Set<string>();
  const mutation = operation.operation === OperationTypeNode.MUTATION;
  // `multiplier`: how many objects each selection here is resolved for (the tasks of a page, say).
  const visit = (selectionSet: SelectionSetNode, parents: readonly string[], seen: ReadonlySet<string>, multiplier: number, root: boolean) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // A fragment that spreads itself is invalid GraphQL; never loop on one.
        if (fragment !== undefined && !seen.has(fragment.name.value))
          visit(fragment.selectionSet, parents, new Set([...seen, fragment.name.value]), multiplier, root);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, parents, seen, multiplier, root);
        continue;
      }
      let nestedMultiplier = multiplier;
      if (root && mutation && !selection.name.value.startsWith('__')) calls += MUTATION_MIN_CALLS;
      // Query.captureTask reads the list; a mutation payload's `captureTask` field reads nothing.
      if (selection.name.value === TASK_FIELD && root && !mutation) {
        const args = keyOf(['fwInstanceId', 'enterpriseProjectId'].map((name) => argumentValue(selection, name, variables)));
        for (const parent of parents) reads.add(`${parent}|task|${args}`);
      }
      if (selection.name.value === RESULT_FIELD) calls += multiplier * parents.length;
      if (selection.name.value === CONNECTION_FIELD) {
        const first = argumentValue(selection, 'first', variables);
        const last = argumentValue(selection, 'last', variables);
        const size = typeof first === 'number' ? first : typeof last === 'number' ? last : DEFAULT_PAGE_SIZE;
        const args = keyOf(
          ['first', 'last', 'after', 'before', 'enterpriseProjectId', 'fwInstanceId'].map((name) => argumentValue(selection, name, variables)),
        );
        for (const parent of parents) {
          cost += Math.max(1, size);
          reads.add(`${parent}|${args}`);
        }
        nestedMultiplier = multiplier * Math.max(0, size);
      }
      if (selection.selectionSet !== undefined) {
        let nested = parents;
        if (selection.name.value === '_entities') {
          entities = true;
          const representations = argumentValue(selection, 'representations', variables);
          if (Array.isArray(representations)) {
            representations.forEach((representation, index) => {
              const problem = representationProblem(representation);
              if (problem !== undefined) invalid.push(`representation ${index} ${problem}`);
            });
            nested = representations.map(keyOf);
          }
        }
        visit(selection.selectionSet, nested, seen, nestedMultiplier, false);
      }
    }
  };
  visit(operation.selectionSet, ['root'], new Set(), 1, true);
  return { cost, reads: reads.size + calls, entities, invalid };
}

/**
 * Costs already worked out, per operation (the node Apollo's document cache hands every request of
 * the same text) and variables: a repeated operation is priced once, not walked on every request.
 */
const costsByOperation = new WeakMap<OperationDefinitionNode, BoundedCache<string, OperationCost>>();
const COSTS_PER_OPERATION = 64;

/**
 * The variables as execution will see them: defaults filled in, and a single value where a list is
 * expected made a list (GraphQL's input coercion). Read as sent, an omitted variable's default and a
 * representation sent without its list went unpriced and unchecked. Variables that cannot be
 * coerced are read as sent: execution refuses them anyway.
 */
function coercedVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Variables): Variables {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  return result.coerced ?? variables;
}

/** The operation's cost for these variables as sent: remembered by them, worked out on their coerced form. */
function costOf(schema: GraphQLSchema, operation: OperationDefinitionNode, document: DocumentNode, variables: Variables): OperationCost {
  let known = costsByOperation.get(operation);
  if (known === undefined) {
    known = boundedCache<string, OperationCost>(COSTS_PER_OPERATION);
    costsByOperation.set(operation, known);
  }
  const key = keyOf(variables);
  const remembered = known.get(key);
  if (remembered !== undefined) return remembered;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const cost = operationCost(operation, fragments, coercedVariables(schema, operation, variables));
  // Variables that cannot be written out have no key of their own: priced each time.
  if (key !== 'unreadable') known.set(key, cost);
  return cost;
}

/** Refuses, before any upstream call, an operation over the cost limit or the upstream call budget. */
export function costLimitPlugin(limits: OperationLimits): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ operation, document, request, schema }) => {
          if (operation === undefined) return Promise.resolve();
          // Over HTTP a subscription runs only through a router's callback (request.extensions.subscription);
          // frontends subscribe over SSE or WebSocket (live-sse.ts, live-ws.ts).
          if (operation.operation === OperationTypeNode.SUBSCRIPTION && request.extensions?.['subscription'] === undefined) {
            return Promise.reject(
              new GraphQLError(
                "A subscription is served over SSE (POST with Accept: text/event-stream) or WebSocket (graphql-transport-ws) at this path, or through a router's HTTP callbacks; not as a plain POST.",
                { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } },
              ),
            );
          }
          const { cost, reads, entities, invalid } = costOf(schema, operation, document, request.variables ?? {});
          if (invalid.length > 0) {
            return Promise.reject(
              new GraphQLError(
                `Invalid entity representations: ${invalid.slice(0, 3).join('; ')}${invalid.length > 3 ? ` (and ${invalid.length - 3} more)` : ''}.`,
                { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 200 } } },
              ),
            );
          }
          // Status 200, as for any GraphQL error: a router relays it to the client as it is, where a
          // 4xx from a subgraph would become an opaque failure of the whole fetch.
          if (cost > limits.maxCost) {
            return Promise.reject(
              new GraphQLError(
                `This operation asks for ${cost} tasks in all, above the limit of ${limits.maxCost}; ask for smaller pages or fewer connections.`,
                {
                  extensions: { code: ErrorCode.BAD_USER_INPUT, cost, maxCost: limits.maxCost, http: { status: 200 } },
                },
              ),
            );
          }
          // Entity fetches are not refused whole: the loader's budget answers each representation at
          // its own path, so the firewalls within the budget still answer.
          if (!entities && reads > limits.upstreamBudget) {
            const error = new BudgetExceededError(limits.upstreamBudget);
            return Promise.reject(new GraphQLError(error.message, { extensions: { code: error.code, ...error.extensions, http: { status: 200 } } }));
          }
          return Promise.resolve();
        },
      }),
  };
}
