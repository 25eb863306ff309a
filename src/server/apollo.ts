// The GraphQL server: Apollo Server 5 over the subgraph schema, with its executor (graphql-jit or
// graphql-js), the operation limits, automatic persisted queries, error masking and the gateway's
// plugins. The HTTP edge (edge.ts) hands it each request; createContext (context.ts) builds what
// its resolvers receive.
import type { GraphQLSchema } from 'graphql';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginSubscriptionCallback } from '@apollo/server/plugin/subscriptionCallback';
import { PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import { CSRF_REQUEST_HEADERS } from './cross-origin.ts';
import { compiledExecution } from './executor.ts';
import { createFormatError } from './format-error.ts';
import { costLimitPlugin, validationRulesFor } from './limits.ts';
import type { GatewayMetrics } from './metrics.ts';
import { noStorePlugin, operationLogPlugin, warningsPlugin } from './plugins.ts';

export interface ApolloOptions {
  readonly config: Pick<Config, 'execution' | 'introspection' | 'explorer' | 'production' | 'http' | 'limits' | 'cache'>;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** The subgraph schema (buildGatewaySchema), built once by the edge, which checks trusted documents against it. */
  readonly schema: GraphQLSchema;
  /** The store behind automatic persisted queries. */
  readonly store: KeyValueCache;
  /** The query the Sandbox landing page opens with. */
  readonly exampleQuery?: string | undefined;
  /** The headers Sandbox opens with (explorerHeaderHint). */
  readonly explorerHeaders?: Readonly<Record<string, string>>;
}

/** Builds and starts the GraphQL server. */
export async function createApollo(options: ApolloOptions): Promise<ApolloServer<GatewayContext>> {
  const { config, logger } = options;
  const { schema } = options;
  const apollo = new ApolloServer<GatewayContext>({
    ...(config.execution === 'jit' ? { gateway: compiledExecution(schema) } : { schema }),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    allowBatchedHttpRequests: config.http.allowBatchedRequests,
    // Apollo's own token limit: a syntax error stays a 400 (GraphQL Armor's max-tokens made it a 500).
    parseOptions: { maxLexicalTokens: config.limits.maxTokens },
    validationRules: validationRulesFor(config.limits),
    csrfPrevention: { requestHeaders: [...CSRF_REQUEST_HEADERS] },
    persistedQueries: config.cache.persistedQueries ? { cache: new PrefixingKeyValueCache(options.store, 'apq:') } : false,
    // main.ts owns SIGTERM/SIGINT: it drains, closes the simulator and flushes traces, in order.
    stopOnTerminationSignals: false,
    formatError: createFormatError(logger),
    logger,
    plugins: [
      // Federated tracing (ftv1) costs every operation; only GraphOS usage reporting reads it.
      ApolloServerPluginInlineTraceDisabled(),
      // Cache-control hints wrap every field resolver (a sixth of a 50-task page's CPU) and nothing
      // here sets or reads them: the page cache has its own TTL.
      ApolloServerPluginCacheControlDisabled(),
      // Sandbox is Apollo's landing page; GraphiQL is served by the edge (explorer.ts).
      config.explorer === 'sandbox'
        ? ApolloServerPluginLandingPageLocalDefault({
            embed: true,
            includeCookies: false,
            headers: { ...options.explorerHeaders },
            ...(options.exampleQuery === undefined ? {} : { document: options.exampleQuery }),
          })
        : ApolloServerPluginLandingPageDisabled(),
      costLimitPlugin(config.limits),
      // A supergraph's subscriptions: Apollo Router's HTTP callback protocol (check, next, complete, heartbeats).
      ApolloServerPluginSubscriptionCallback({ logger }),
      warningsPlugin(),
      noStorePlugin(),
      operationLogPlugin(options.metrics, logger),
    ],
  });
  await apollo.start();
  return apollo;
}
