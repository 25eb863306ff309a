// urql (urql 5's core, @urql/core 6) with its defaults — queries as GET within the URL limit — and
// Graphcache's `relayPagination()` with its default options walks the 3,500-task firewall both ways:
// each page's query is sent with the next cursor, and Graphcache hands back the whole list so far.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Client, fetchExchange, type AnyVariables, type OperationResult, type TypedDocumentNode } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { filter, pipe, take, toPromise } from 'wonka';
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

function clientFor(harness: Harness, log: RequestLog): Client {
  return new Client({
    url: harness.url,
    fetch: log.fetch,
    fetchOptions: { headers: { ...AUTH_HEADERS } },
    exchanges: [cacheExchange({ resolvers: { Query: { captureTasks: relayPagination() }, Firewall: { captureTasks: relayPagination() } } }), fetchExchange],
  });
}

/** The first settled (not stale) result of a query: what the UI shows once the page arrived. */
async function settled<Data, Variables extends AnyVariables>(
  client: Client,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data | undefined> {
  const result: OperationResult<Data, Variables> = await pipe(
    client.query(document, variables),
    filter((next) => !next.stale && !next.hasNext),
    take(1),
    toPromise,
  );
  if (result.error !== undefined) throw result.error;
  return result.data;
}

/** One page of Query.captureTasks(fwInstanceId:), or of a firewall's list through Query.node. */
async function listAfterPage(
  client: Client,
  via: 'query' | 'firewall',
  direction: Direction,
  pageSize: number,
  cursor: string | null,
): Promise<WalkedConnection | undefined> {
  const paging = direction === 'forward' ? { first: pageSize, after: cursor } : { last: pageSize, before: cursor };
  if (via === 'query') return (await settled(client, CaptureTasksPageDocument, { fwInstanceId: HUGE, ...paging }))?.captureTasks;
  return (await settled(client, FirewallCaptureTasksPageDocument, { id: HUGE, ...paging }))?.node?.captureTasks;
}

// relayPagination merges every page fetched so far into the list it answers.
function walk(client: Client, direction: Direction, pageSize: number, via: 'query' | 'firewall' = 'query'): Promise<Walked> {
  return walkConnection(direction, 'merged', async (cursor) => {
    const connection = await listAfterPage(client, via, direction, pageSize, cursor);
    if (connection === undefined) throw new Error('no captureTasks in the result');
    return connection;
  });
}

describe('urql with Graphcache relayPagination()', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each(WHOLE_WALKS)('walks all 3,500 tasks %s, 500 a page, with queries sent as GET: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    const log = countingFetch();
    expectWholeWalk(await walk(clientFor(harness, log), direction, PAGE_SIZE), harness.simulator, log, { pages, calls, method: 'GET' });
  });

  it("walks a firewall's list (Query.node, Firewall.captureTasks) forward while tasks are inserted and deleted after every upstream call", async () => {
    await expectGuaranteeWhileDrifting(harness.simulator.store, () => walk(clientFor(harness, countingFetch()), 'forward', 250, 'firewall'));
  });
});
