// graphql-request 7 with its defaults (POST, JSON) walks the 3,500-task firewall both ways over real
// HTTP with the typed document the client preset generated from the client SDL.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { GraphQLClient } from 'graphql-request';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { CaptureTasksPageDocument, type CaptureTasksPageQueryVariables } from './__generated__/graphql.ts';
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

/** Each page on its own (no cache): the walk stitches them. */
function walk(client: GraphQLClient, direction: Direction, pageSize: number): Promise<Walked> {
  return walkConnection(direction, 'pages', async (cursor) => {
    const variables: CaptureTasksPageQueryVariables =
      direction === 'forward' ? { fwInstanceId: HUGE, first: pageSize, after: cursor } : { fwInstanceId: HUGE, last: pageSize, before: cursor };
    return (await client.request(CaptureTasksPageDocument, variables)).captureTasks;
  });
}

describe('graphql-request', () => {
  let harness: Harness;
  let log: RequestLog;
  let client: GraphQLClient;
  beforeAll(async () => {
    harness = await startHarness();
    log = countingFetch();
    client = new GraphQLClient(harness.url, { headers: { ...AUTH_HEADERS }, fetch: log.fetch });
  });
  afterAll(() => harness.close());

  it.each(WHOLE_WALKS)('walks all 3,500 tasks %s, 500 a page: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    log.methods.length = 0;
    expectWholeWalk(await walk(client, direction, PAGE_SIZE), harness.simulator, log, { pages, calls, method: 'POST' });
  });

  it('walks forward while tasks are inserted and deleted after every upstream call', async () => {
    await expectGuaranteeWhileDrifting(harness.simulator.store, () => walk(client, 'forward', 250));
  });
});
