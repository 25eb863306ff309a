// Apollo Client 4 with its defaults (HttpLink: POST, JSON; InMemoryCache) and the type policies a
// frontend pastes — `relayStylePagination` on Query.captureTasks and Firewall.captureTasks — walks
// the 3,500-task firewall both ways with `fetchMore`, as an infinite list does, reading the whole
// list as the query emits it from the cache.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { filter, firstValueFrom, map, type Observable } from 'rxjs';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { CaptureTasksPageDocument, FirewallCaptureTasksPageDocument } from './__generated__/graphql.ts';
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
  type WalkedConnection,
  WHOLE_WALKS,
} from './walk.ts';

/** One infinite list: the connection as the watched query emits it, and how to load more. */
interface InfiniteList {
  readonly lists: Observable<WalkedConnection>;
  fetchMore(cursor: string | null): Promise<unknown>;
  stop(): void;
}

function clientFor(harness: Harness, log: RequestLog): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: harness.url, headers: { ...AUTH_HEADERS }, fetch: log.fetch }),
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { captureTasks: relayStylePagination(['fwInstanceId', 'enterpriseProjectId']) } },
        Firewall: { fields: { captureTasks: relayStylePagination(['enterpriseProjectId']) } },
      },
    }),
  });
}

/** Query.captureTasks(fwInstanceId:). */
function rootList(client: ApolloClient, direction: Direction, pageSize: number): InfiniteList {
  const observable = client.watchQuery({
    query: CaptureTasksPageDocument,
    variables: direction === 'forward' ? { fwInstanceId: HUGE, first: pageSize } : { fwInstanceId: HUGE, last: pageSize },
  });
  const subscription = observable.subscribe(() => undefined);
  return {
    lists: observable.pipe(
      filter((result) => result.dataState === 'complete'),
      map((result) => result.data.captureTasks),
    ),
    fetchMore: (cursor) => observable.fetchMore({ variables: direction === 'forward' ? { after: cursor } : { before: cursor } }),
    stop: () => {
      subscription.unsubscribe();
    },
  };
}

/** node(id:) { ... on Firewall { captureTasks } }: a firewall's list, as a Relay app would page it. */
function firewallList(client: ApolloClient, direction: Direction, pageSize: number): InfiniteList {
  const observable = client.watchQuery({
    query: FirewallCaptureTasksPageDocument,
    variables: direction === 'forward' ? { id: HUGE, first: pageSize } : { id: HUGE, last: pageSize },
  });
  const subscription = observable.subscribe(() => undefined);
  return {
    lists: observable.pipe(
      filter((result) => result.dataState === 'complete'),
      map((result) => result.data.node?.captureTasks),
      filter((connection) => connection !== undefined),
    ),
    fetchMore: (cursor) => observable.fetchMore({ variables: direction === 'forward' ? { after: cursor } : { before: cursor } }),
    stop: () => {
      subscription.unsubscribe();
    },
  };
}

/** Loads the first page, then `fetchMore` until the end; answers the list as the UI would render it. */
async function walk(list: InfiniteList, direction: Direction): Promise<Walked> {
  /** The list as the query next emits it with more than `shown` tasks. */
  const longerThan = (shown: number) => firstValueFrom(list.lists.pipe(filter((connection) => connection.edges.length > shown)));
  try {
    return await walkConnection(direction, 'merged', async (cursor, previous) => {
      if (previous === undefined) return longerThan(0);
      const longer = longerThan(previous.edges.length);
      await list.fetchMore(cursor);
      return longer;
    });
  } finally {
    list.stop();
  }
}

describe('Apollo Client 4 with relayStylePagination', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each(WHOLE_WALKS)('walks all 3,500 tasks %s, 500 a page, with fetchMore: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    const log = countingFetch();
    expectWholeWalk(await walk(rootList(clientFor(harness, log), direction, PAGE_SIZE), direction), harness.simulator, log, { pages, calls, method: 'POST' });
  });

  it("walks a firewall's list (Query.node, Firewall.captureTasks) forward while tasks are inserted and deleted after every upstream call", async () => {
    await expectGuaranteeWhileDrifting(harness.simulator.store, () => walk(firewallList(clientFor(harness, countingFetch()), 'forward', 250), 'forward'));
  });
});
