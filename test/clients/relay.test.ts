// Relay (relay-runtime 21, its store and connection handler; artifacts by relay-compiler 21 from the
// client SDL) pages a firewall's tasks as usePaginationFragment does, without React: the @refetchable
// Firewall fragment's pagination query through Query.node, each page's edges merged into the
// @connection by Relay's ConnectionHandler, the whole list read back from the store.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import {
  createOperationDescriptor,
  Environment,
  fetchQuery,
  getSingularSelector,
  Network,
  RecordSource,
  Store,
  type FetchFunction,
  type GraphQLResponse,
} from 'relay-runtime';
import { startHarness, type Harness } from '../helpers/harness.ts';
import FirewallCaptureTasksPaginationQuery, {
  type FirewallCaptureTasksPaginationQuery$variables,
} from './relay/__generated__/FirewallCaptureTasksPaginationQuery.graphql.ts';
import FirewallCaptureTasksFragment, { type FirewallCaptureTasks_firewall$data } from './relay/__generated__/FirewallCaptureTasks_firewall.graphql.ts';
import {
  AUTH_HEADERS,
  countingFetch,
  type Direction,
  expectGuaranteeWhileDrifting,
  expectWholeWalk,
  HUGE,
  PAGE_SIZE,
  type RequestLog,
  walkConnection,
  type Walked,
  WHOLE_WALKS,
} from './walk.ts';

type FirewallCaptureTasks = FirewallCaptureTasks_firewall$data['captureTasks'];

/** The network layer from Relay's documentation: POST the operation text as JSON. */
function networkFor(url: string, log: RequestLog): FetchFunction {
  return async (params, variables) => {
    const response = await log.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query: params.text, variables }),
    });
    const body: unknown = await response.json();
    if (!isGraphQLResponse(body)) throw new Error(`not a GraphQL response: ${JSON.stringify(body).slice(0, 200)}`);
    return body;
  };
}

function isGraphQLResponse(body: unknown): body is GraphQLResponse {
  return typeof body === 'object' && body !== null && ('data' in body || 'errors' in body);
}

function isConnection(value: unknown): value is FirewallCaptureTasks {
  return (
    typeof value === 'object' && value !== null && 'edges' in value && Array.isArray(value.edges) && 'pageInfo' in value && typeof value.pageInfo === 'object'
  );
}

/** The Firewall fragment's connection as the store holds it now, as the component would render it. */
function connectionIn(environment: Environment, variables: FirewallCaptureTasksPaginationQuery$variables): FirewallCaptureTasks {
  const root = environment.lookup(createOperationDescriptor(FirewallCaptureTasksPaginationQuery, variables).fragment).data;
  const fragment = environment.lookup(getSingularSelector(FirewallCaptureTasksFragment, root['node'])).data;
  const connection = fragment['captureTasks'];
  if (!isConnection(connection)) throw new Error('the store holds no captureTasks connection for the firewall');
  return connection;
}

async function walk(url: string, log: RequestLog, direction: Direction, pageSize: number): Promise<Walked> {
  const environment = new Environment({ network: Network.create(networkFor(url, log)), store: new Store(new RecordSource()) });
  const first: FirewallCaptureTasksPaginationQuery$variables = direction === 'forward' ? { id: HUGE, first: pageSize } : { id: HUGE, last: pageSize };
  // What the component's query does: keep the firewall and its connection in the store.
  const retained = environment.retain(createOperationDescriptor(FirewallCaptureTasksPaginationQuery, first));
  try {
    // The connection handler merges each page into the store's connection, read back whole.
    return await walkConnection(direction, 'merged', async (cursor, previous) => {
      // loadNext / loadPrevious: the refetch query with the connection's end or start cursor.
      const next: FirewallCaptureTasksPaginationQuery$variables =
        direction === 'forward'
          ? { id: HUGE, first: pageSize, after: cursor, last: null, before: null }
          : { id: HUGE, last: pageSize, before: cursor, first: null, after: null };
      await fetchQuery(environment, FirewallCaptureTasksPaginationQuery, previous === undefined ? first : next).toPromise();
      return connectionIn(environment, first);
    });
  } finally {
    retained.dispose();
  }
}

describe('Relay: a @refetchable Firewall fragment paged through Query.node by the connection handler', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each(WHOLE_WALKS)('walks all 3,500 tasks %s, 500 a page: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    const log = countingFetch();
    expectWholeWalk(await walk(harness.url, log, direction, PAGE_SIZE), harness.simulator, log, { pages, calls, method: 'POST' });
  });

  it('walks backward while tasks are inserted and deleted after every upstream call', async () => {
    await expectGuaranteeWhileDrifting(harness.simulator.store, () => walk(harness.url, countingFetch(), 'backward', 250));
  });
});
