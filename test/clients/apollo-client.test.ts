// Apollo Client 4 with its defaults (HttpLink: POST, JSON; InMemoryCache) and the type policy a
// frontend pastes — `relayStylePagination` on Query.captureTasks — walks the 3,500-task firewall both
// ways with `fetchMore`, as an infinite list does, and reads the whole list from the cache.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, HttpLink, InMemoryCache, type ObservableQuery } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { filter, firstValueFrom } from 'rxjs';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { CaptureTasksPageDocument, type CaptureTasksPageQuery } from './__generated__/graphql.ts';
import { AUTH_HEADERS, countingFetch, expectGuaranteeUnderDrift, expectWholeList, HUGE, HUGE_TASKS, PAGE_SIZE, startDrift, type RequestLog } from './walk.ts';

function clientFor(harness: Harness, log: RequestLog): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: harness.url, headers: { ...AUTH_HEADERS }, fetch: log.fetch }),
    cache: new InMemoryCache({
      typePolicies: { Query: { fields: { captureTasks: relayStylePagination(['fwInstanceId', 'enterpriseProjectId']) } } },
    }),
  });
}

/** Loads the first page, then `fetchMore` until the end; answers the list as the cache holds it. */
async function walk(client: ApolloClient, direction: 'forward' | 'backward', pageSize: number): Promise<{ ids: string[]; pages: number }> {
  const observable = client.watchQuery({
    query: CaptureTasksPageDocument,
    variables: direction === 'forward' ? { fwInstanceId: HUGE, first: pageSize } : { fwInstanceId: HUGE, last: pageSize },
  });
  const subscription = observable.subscribe(() => undefined);
  try {
    /** The list as the query next emits it with more than `shown` tasks: what a UI renders. */
    const listLongerThan = (shown: number) =>
      firstValueFrom(observable.pipe(filter((result): result is ObservableQuery.Result<CaptureTasksPageQuery, 'complete'> => result.dataState === 'complete' && result.data.captureTasks.edges.length > shown))).then(
        (result) => result.data.captureTasks,
      );
    let connection = await listLongerThan(0);
    let pages = 1;
    while (direction === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage) {
      const longer = listLongerThan(connection.edges.length);
      await observable.fetchMore({ variables: direction === 'forward' ? { after: connection.pageInfo.endCursor } : { before: connection.pageInfo.startCursor } });
      connection = await longer;
      pages++;
      if (pages > 100) throw new Error('the walk did not end');
    }
    return { ids: connection.edges.map((edge) => edge.node.id), pages };
  } finally {
    subscription.unsubscribe();
  }
}

describe('Apollo Client 4 with relayStylePagination', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each([
    ['forward', 7, 7],
    ['backward', 7, 8],
  ] as const)('walks all 3,500 tasks %s, 500 a page, with fetchMore: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    const log = countingFetch();
    const walked = await walk(clientFor(harness, log), direction, PAGE_SIZE);
    expectWholeList(walked.ids, harness.simulator, HUGE);
    expect(walked.ids).toHaveLength(HUGE_TASKS);
    expect(walked.pages).toBe(pages);
    expect(log.methods).toEqual(Array.from({ length: pages }, () => 'POST'));
    expect(harness.simulator.callCount).toBe(calls);
  });

  it('walks forward while tasks are inserted and deleted after every upstream call', async () => {
    const drift = startDrift(harness.simulator.store, HUGE, { insert: 3, delete: 2 });
    try {
      const walked = await walk(clientFor(harness, countingFetch()), 'forward', 250);
      expectGuaranteeUnderDrift(walked.ids, harness.simulator.store, HUGE, drift);
    } finally {
      drift.stop();
    }
  });
});
