// Apollo Client 4 as a capture console sets it up: an HttpLink for queries and mutations and a
// GraphQLWsLink (graphql-ws, credentials in connection_init) for subscriptions, split by operation
// type; otherwise its defaults. It starts a capture through the gateway, watches it, stops it, and
// sees RUNNING → ENDING → STOPPED, then the subscription completes.
import { describe, expect, it } from '@jest/globals';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { Kind, OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { EMPTY_FIREWALL } from '../helpers/lifecycle.ts';
import { CAPTURE_INPUT } from './live-input.ts';
import { withLive } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';
import { CaptureTaskLiveDocument, StartCaptureDocument, StopCaptureDocument } from './__generated__/graphql.ts';
import { AUTH_HEADERS } from './walk.ts';

describe('Apollo Client: GraphQLWsLink in a split link', () => {
  it('watches a capture it started from RUNNING to STOPPED', async () => {
    await withLive({}, async (harness) => {
      const wsClient = createClient({ url: harness.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { ...AUTH_HEADERS } });
      const link = ApolloLink.split(
        ({ query }) => {
          const definition = getMainDefinition(query);
          return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION;
        },
        new GraphQLWsLink(wsClient),
        new HttpLink({ uri: harness.url, headers: { ...AUTH_HEADERS } }),
      );
      const client = new ApolloClient({ link, cache: new InMemoryCache() });
      try {
        const started = await client.mutate({ mutation: StartCaptureDocument, variables: { input: CAPTURE_INPUT } });
        const id = started.data?.createCaptureTask.captureTask?.id;
        if (id === undefined) throw new Error('no capture started');
        const statuses: (string | undefined)[] = [];
        let completed = false;
        const subscription = client.subscribe({ query: CaptureTaskLiveDocument, variables: { fwInstanceId: EMPTY_FIREWALL, id } }).subscribe({
          next: (result) => statuses.push(result.data?.captureTaskChanged?.status),
          complete: () => {
            completed = true;
          },
        });
        await until(() => statuses.length === 1, 'the first event');
        const stopped = await client.mutate({ mutation: StopCaptureDocument, variables: { input: { fwInstanceId: EMPTY_FIREWALL, id } } });
        expect(stopped.data?.stopCaptureTask.userErrors).toEqual([]);
        await harness.step(1_000);
        await harness.step(10_000);
        await until(() => completed, 'the subscription to complete');
        expect(statuses).toEqual(['RUNNING', 'ENDING', 'STOPPED']);
        subscription.unsubscribe();
      } finally {
        await wsClient.dispose();
      }
    });
  });
});
