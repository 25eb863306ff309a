// What the live transports (SSE and WebSocket) run, checked as Apollo checks a query: trusted
// documents (for WebSocket; the edge resolves an SSE request's body before it arrives here), the token
// limit when parsing, validation with the same depth/alias/directive rules, the cost and upstream
// budget, subscriptions only; then graphql-js's subscribe with the caller's context, and every error
// formatted by the one formatter (format-error.ts).
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  createSourceEventStream,
  execute,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.ts';
import { BudgetExceededError, ErrorCode, GatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import { createFormatError } from './format-error.ts';
import { operationCost, validationRulesFor } from './limits.ts';
import { trustedBody, type TrustedDocuments } from './persisted-documents.ts';

export interface LiveOperationsOptions {
  readonly schema: GraphQLSchema;
  readonly config: Pick<Config, 'limits'>;
  readonly logger: Logger;
  readonly trusted: TrustedDocuments | undefined;
}

/** A subscription ready to run, or the errors that refuse it. */
export type Prepared =
  { readonly ok: true; readonly args: Omit<ExecutionArgs, 'contextValue'> } | { readonly ok: false; readonly errors: readonly GraphQLError[] };

export interface LiveOperations {
  /** Resolves a trusted document's id into its text (WebSocket payloads; the edge does it for HTTP). */
  trusted(payload: unknown): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errors: readonly GraphQLError[] };
  /** Whether a request's operation is a subscription (false when it cannot be read). */
  isSubscription(request: unknown): boolean;
  /** Checks a request ({ query, variables, operationName }) as Apollo checks one. */
  prepare(request: unknown): Prepared;
  /** Runs a prepared subscription with its context: its events, or one result (errors). */
  run(args: Omit<ExecutionArgs, 'contextValue'>, context: GatewayContext): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult>;
  /** format(result) as JSON, written once per result however many subscribers share it. */
  serialize(result: ExecutionResult): string;
  /** A result as the client receives it: errors masked and coded as for queries. */
  format(result: ExecutionResult): FormattedExecutionResult;
  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[];
}

const refusal = (message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extensions } });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Executions shared by the subscribers of one event: by event, document, then variables and rights. */
const shared = new WeakMap<object, WeakMap<DocumentNode, Map<string, Promise<ExecutionResult>>>>();
/** Results already written as JSON. */
const serialized = new WeakMap<ExecutionResult, string>();

export function createLiveOperations(options: LiveOperationsOptions): LiveOperations {
  const { schema, config } = options;
  const rules: ValidationRule[] = [...specifiedRules, ...validationRulesFor(config.limits)];
  const formatError = createFormatError(options.logger);
  /** Parsed and validated documents by text: clients send the same few. */
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const MAX_DOCUMENTS = 200;

  const documentOf = (query: string): DocumentNode | readonly GraphQLError[] => {
    const known = documents.get(query);
    if (known !== undefined) return known;
    let document: DocumentNode;
    let checked: DocumentNode | readonly GraphQLError[];
    try {
      document = parse(query, { maxLexicalTokens: config.limits.maxTokens });
      const errors = validate(schema, document, rules);
      checked =
        errors.length === 0
          ? document
          : errors.map(
              (error) =>
                new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED } }),
            );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      checked = [refusal(message, ErrorCode.GRAPHQL_PARSE_FAILED)];
    }
    if (documents.size >= MAX_DOCUMENTS) documents.clear();
    documents.set(query, checked);
    return checked;
  };

  // A refusal raised outside execution carries its GatewayError as originalError, with no path to unwrap it by.
  const formatErrors = (errors: readonly GraphQLError[]) =>
    errors.map((error) => formatError(error.toJSON(), error.path === undefined && error.originalError instanceof GatewayError ? error.originalError : error));

  return {
    trusted(payload) {
      if (options.trusted === undefined) return { ok: true, value: payload };
      const resolved = trustedBody(payload, options.trusted);
      return resolved.ok ? resolved : { ok: false, errors: [refusal(resolved.refusal.message, resolved.refusal.code)] };
    },
    isSubscription(request) {
      if (!isRecord(request) || typeof request['query'] !== 'string') return false;
      const operationName = request['operationName'];
      const document = documentOf(request['query']);
      if (!('kind' in document)) return false;
      return getOperationAST(document, typeof operationName === 'string' ? operationName : undefined)?.operation === OperationTypeNode.SUBSCRIPTION;
    },
    prepare(request) {
      if (!isRecord(request) || typeof request['query'] !== 'string')
        return { ok: false, errors: [refusal('Send the subscription as { "query": "subscription …" }.', ErrorCode.BAD_REQUEST)] };
      const { query, variables, operationName } = request;
      if (variables !== undefined && variables !== null && !isRecord(variables))
        return { ok: false, errors: [refusal('`variables` must be an object.', ErrorCode.BAD_REQUEST)] };
      if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
        return { ok: false, errors: [refusal('`operationName` must be a string.', ErrorCode.BAD_REQUEST)] };
      const document = documentOf(query);
      if (!('kind' in document)) return { ok: false, errors: document };
      const operation = getOperationAST(document, operationName ?? undefined);
      if (operation === null || operation === undefined)
        return {
          ok: false,
          errors: [
            refusal(
              operationName === undefined || operationName === null
                ? 'Must provide operation name if query contains multiple operations.'
                : `Unknown operation named "${operationName}".`,
              ErrorCode.OPERATION_RESOLUTION_FAILURE,
            ),
          ],
        };
      if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
        return {
          ok: false,
          errors: [refusal('This stream serves subscriptions; send queries and mutations as POST with content-type application/json.', ErrorCode.BAD_REQUEST)],
        };
      }
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 5 });
      if (coerced.errors !== undefined)
        return {
          ok: false,
          errors: coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } })),
        };
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      const cost = operationCost(operation, fragments, coerced.coerced);
      if (cost.cost > config.limits.maxCost) {
        return {
          ok: false,
          errors: [
            refusal(
              `This operation asks for ${cost.cost} tasks in all, above the limit of ${config.limits.maxCost}; ask for smaller pages or fewer connections.`,
              ErrorCode.BAD_USER_INPUT,
              { cost: cost.cost, maxCost: config.limits.maxCost },
            ),
          ],
        };
      }
      if (cost.reads > config.limits.upstreamBudget) {
        const error = new BudgetExceededError(config.limits.upstreamBudget);
        return { ok: false, errors: [refusal(error.message, error.code, { ...error.extensions })] };
      }
      return { ok: true, args: { schema, document, variableValues: variables ?? {}, operationName: operationName ?? undefined } };
    },
    async run(args, context) {
      let source: AsyncIterable<unknown> | ExecutionResult;
      try {
        source = await createSourceEventStream({ ...args, contextValue: context });
      } catch (error) {
        // createSourceEventStream reports its own errors as results; a throw is a bug, shown masked.
        return {
          errors: [
            error instanceof GraphQLError
              ? error
              : new GraphQLError('Internal server error', { originalError: error instanceof Error ? error : new Error(String(error)) }),
          ],
        };
      }
      if (!(Symbol.asyncIterator in source)) return source;
      const events = source[Symbol.asyncIterator]();
      // What graphql-js's subscribe does (execute the operation with each event as its root), except
      // that subscribers of one event with the same document, variables and right to secrets share
      // one execution: 100 people watching a capture cost one, not 100.
      const shareKey = `${JSON.stringify(args.variableValues ?? {})}\u0000${args.operationName ?? ''}\u0000${context.maySeeSecrets === true ? 'secrets' : ''}`;
      const resultOf = (event: unknown): Promise<ExecutionResult> => {
        if (typeof event !== 'object' || event === null) return Promise.resolve(execute({ ...args, rootValue: event, contextValue: context }));
        let byDocument = shared.get(event);
        if (byDocument === undefined) {
          byDocument = new WeakMap();
          shared.set(event, byDocument);
        }
        let byKey = byDocument.get(args.document);
        if (byKey === undefined) {
          byKey = new Map();
          byDocument.set(args.document, byKey);
        }
        let result = byKey.get(shareKey);
        if (result === undefined) {
          result = Promise.resolve(execute({ ...args, rootValue: event, contextValue: context }));
          byKey.set(shareKey, result);
        }
        return result;
      };
      const iterator: AsyncGenerator<ExecutionResult, void, void> = {
        async next() {
          const step = await events.next();
          if (step.done === true) return { value: undefined, done: true };
          return { value: await resultOf(step.value), done: false };
        },
        async return() {
          await events.return?.();
          return { value: undefined, done: true };
        },
        async throw(error: unknown) {
          await events.return?.();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return this;
        },
        async [Symbol.asyncDispose]() {
          await events.return?.();
        },
      };
      return iterator;
    },
    serialize(result) {
      let text = serialized.get(result);
      if (text === undefined) {
        text = JSON.stringify(this.format(result));
        serialized.set(result, text);
      }
      return text;
    },
    format(result) {
      return {
        ...(result.errors === undefined ? {} : { errors: formatErrors(result.errors) }),
        ...(result.data === undefined ? {} : { data: result.data }),
        ...(result.extensions === undefined ? {} : { extensions: result.extensions }),
      };
    },
    formatErrors,
  };
}

/** A refusal the transports raise themselves (a cap, say), as a GraphQL error. */
export function graphqlErrorOf(error: GatewayError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error });
}
