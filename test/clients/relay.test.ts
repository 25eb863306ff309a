// Relay (relay-runtime 21, its store and connection handler; artifacts by relay-compiler 21 from the
// client SDL) pages a firewall's tasks as usePaginationFragment does, without React: the @refetchable
// Firewall fragment's pagination query through Query.node, each page's edges merged into the
// @connection by Relay's ConnectionHandler, the whole list read back from the store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOperationDescriptor, Environment, fetchQuery, getSingularSelector, Network, RecordSource, Store, type FetchFunction, type GraphQLResponse } from 'relay-runtime';
import { startHarness, type Harness } from '../helpers/harness.ts';
import FirewallCaptureTasksPaginationQuery, { type FirewallCaptureTasksPaginationQuery$variables } from './relay/__generated__/FirewallCaptureTasksPaginationQuery.graphql.ts';
import FirewallCaptureTasksFragment, { type FirewallCaptureTasks_firewall$data } from './relay/__generated__/FirewallCaptureTasks_firewall.graphql.ts';
import { AUTH_HEADERS, countingFetch, expectGuaranteeUnderDrift, expectWholeList, HUGE, HUGE_TASKS, PAGE_SIZE, startDrift, type RequestLog } from './walk.ts';

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
  return typeof value === 'object' && value !== null && 'edges' in value && Array.isArray(value.edges) && 'pageInfo' in value && typeof value.pageInfo === 'object';
}

/** The Firewall fragment's connection as the store holds it now, as the component would render it. */
function connectionIn(environment: Environment, variables: FirewallCaptureTasksPaginationQuery$variables): FirewallCaptureTasks {
  const root = environment.lookup(createOperationDescriptor(FirewallCaptureTasksPaginationQuery, variables).fragment).data;
  const fragment = environment.lookup(getSingularSelector(FirewallCaptureTasksFragment, root['node'])).data;
  const connection = fragment['captureTasks'];
  if (!isConnection(connection)) throw new Error('the store holds no captureTasks connection for the firewall');
  return connection;
}

async function walk(url: string, log: RequestLog, direction: 'forward' | 'backward', pageSize: number): Promise<{ ids: string[]; pages: number }> {
  const environment = new Environment({ network: Network.create(networkFor(url, log)), store: new Store(new RecordSource()) });
  const first: FirewallCaptureTasksPaginationQuery$variables = direction === 'forward' ? { id: HUGE, first: pageSize } : { id: HUGE, last: pageSize };
  // What the component's query does: keep the firewall and its connection in the store.
  const retained = environment.retain(createOperationDescriptor(FirewallCaptureTasksPaginationQuery, first));
  try {
    await fetchQuery(environment, FirewallCaptureTasksPaginationQuery, first).toPromise();
    let connection = connectionIn(environment, first);
    let pages = 1;
    // loadNext / loadPrevious: the refetch query with the connection's end or start cursor.
    while (direction === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage) {
      const next: FirewallCaptureTasksPaginationQuery$variables =
        direction === 'forward' ? { id: HUGE, first: pageSize, after: connection.pageInfo.endCursor, last: null, before: null } : { id: HUGE, last: pageSize, before: connection.pageInfo.startCursor, first: null, after: null };
      await fetchQuery(environment, FirewallCaptureTasksPaginationQuery, next).toPromise();
      connection = connectionIn(environment, first);
      pages++;
      if (pages > 100) throw new Error('the walk did not end');
    }
    return { ids: connection.edges.map((edge) => edge.node.id), pages };
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

  it.each([
    ['forward', 7, 7],
    ['backward', 7, 8],
  ] as const)('walks all 3,500 tasks %s, 500 a page: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    const log = countingFetch();
    const walked = await walk(harness.url, log, direction, PAGE_SIZE);
    expectWholeList(walked.ids, harness.simulator, HUGE);
    expect(walked.ids).toHaveLength(HUGE_TASKS);
    expect(walked.pages).toBe(pages);
    expect(log.methods).toEqual(Array.from({ length: pages }, () => 'POST'));
    expect(harness.simulator.callCount).toBe(calls);
  });

  it('walks backward while tasks are inserted and deleted after every upstream call', async () => {
    const drift = startDrift(harness.simulator.store, HUGE, { insert: 3, delete: 2 });
    try {
      const walked = await walk(harness.url, countingFetch(), 'backward', 250);
      expectGuaranteeUnderDrift(walked.ids, harness.simulator.store, HUGE, drift);
    } finally {
      drift.stop();
    }
  });
});
