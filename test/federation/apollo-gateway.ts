// A real Apollo Gateway over the example `firewalls` subgraph and this one (`captures`), composed by
// introspection over loopback HTTP, as the federation suites run it.
import { ApolloServer } from '@apollo/server';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { FormattedExecutionResult } from 'graphql';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';

export interface ApolloGatewayServer {
  /** Runs an operation through the gateway, which fetches from both subgraphs over HTTP. */
  execute(query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult>;
  stop(): Promise<void>;
}

/** Starts a gateway in front of the two subgraphs at these URLs. */
export async function startApolloGateway(urls: { readonly firewalls: string; readonly captures: string }): Promise<ApolloGatewayServer> {
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: 'firewalls', url: urls.firewalls },
        { name: 'captures', url: urls.captures },
      ],
    }),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        // What a router's header propagation does: the caller's token reaches the subgraph.
        willSendRequest({ request }) {
          request.http?.headers.set('x-auth-token', DEMO_TOKEN);
        },
      }),
  });
  const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  await server.start();
  return {
    async execute(query, variables) {
      const response = await server.executeOperation({ query, variables });
      if (response.body.kind !== 'single') throw new Error(`expected a single result, got ${response.body.kind}`);
      return response.body.singleResult;
    },
    stop: () => server.stop(),
  };
}
