// Relay (relay-runtime 21): requestSubscription with the compiled CaptureTaskLiveSubscription, the
// network layer's subscribe function over graphql-ws as Relay's documentation writes it. The capture
// is started and stopped through the gateway; Relay sees RUNNING → ENDING → STOPPED, and the task's
// record in the store ends STOPPED.
import { describe, expect, it } from '@jest/globals';
import { createClient } from 'graphql-ws';
import {
  Environment,
  Network,
  Observable,
  RecordSource,
  requestSubscription,
  Store,
  type FetchFunction,
  type GraphQLResponse,
  type SubscribeFunction,
} from 'relay-runtime';
import WebSocket from 'ws';
import { CREATE, createInput, createdTask, EMPTY_FIREWALL, STOP } from '../helpers/lifecycle.ts';
import { withLive } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';
import CaptureTaskLiveSubscription, { type CaptureTaskLiveSubscription$data } from './relay/__generated__/CaptureTaskLiveSubscription.graphql.ts';
import { AUTH_HEADERS } from './walk.ts';

function isGraphQLResponse(body: unknown): body is GraphQLResponse {
  return typeof body === 'object' && body !== null && ('data' in body || 'errors' in body);
}

const unusedFetch: FetchFunction = () => {
  throw new Error('this test sends no query through Relay');
};

describe('Relay: requestSubscription over graphql-ws', () => {
  it('watches a capture from RUNNING to STOPPED', async () => {
    await withLive({}, async (harness) => {
      const ws = createClient({ url: harness.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { ...AUTH_HEADERS } });
      const subscribe: SubscribeFunction = (operation, variables) =>
        Observable.create<GraphQLResponse>((sink) => {
          const query = operation.text;
          if (query === null) throw new Error('Relay handed no operation text');
          return ws.subscribe(
            { operationName: operation.name, query, variables },
            {
              next: (value) => {
                if (isGraphQLResponse(value)) sink.next(value);
              },
              error: (error: unknown) => {
                sink.error(error instanceof Error ? error : new Error(JSON.stringify(error)));
              },
              complete: () => {
                sink.complete();
              },
            },
          );
        });
      const environment = new Environment({ network: Network.create(unusedFetch, subscribe), store: new Store(new RecordSource()) });
      try {
        const id = createdTask(await harness.gql(CREATE, { input: createInput({ durationMinutes: 30 }) })).id;
        const statuses: (string | undefined)[] = [];
        let completed = false;
        const disposable = requestSubscription<{ variables: { fwInstanceId: string; id: string }; response: CaptureTaskLiveSubscription$data }>(environment, {
          subscription: CaptureTaskLiveSubscription,
          variables: { fwInstanceId: EMPTY_FIREWALL, id },
          onNext: (response) => statuses.push(response?.captureTaskChanged?.status),
          onCompleted: () => {
            completed = true;
          },
        });
        await until(() => statuses.length === 1, 'the first event');
        expect((await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } })).body.errors).toBeUndefined();
        await harness.step(1_000);
        await harness.step(10_000);
        await until(() => completed, 'the subscription to complete');
        expect(statuses).toEqual(['RUNNING', 'ENDING', 'STOPPED']);
        expect(environment.getStore().getSource().get(id)?.['status']).toBe('STOPPED');
        disposable.dispose();
      } finally {
        await ws.dispose();
      }
    });
  });
});
