// graphql-request 7 with its defaults (POST, JSON) walks the 3,500-task firewall both ways over real
// HTTP with the typed document the client preset generated from the client SDL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLClient } from 'graphql-request';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { CaptureTasksPageDocument, type CaptureTasksPageQueryVariables } from './__generated__/graphql.ts';
import { AUTH_HEADERS, countingFetch, expectGuaranteeUnderDrift, expectWholeList, HUGE, HUGE_TASKS, PAGE_SIZE, startDrift, type RequestLog } from './walk.ts';

async function walk(client: GraphQLClient, direction: 'forward' | 'backward', pageSize: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 100; pages++) {
    const variables: CaptureTasksPageQueryVariables = direction === 'forward' ? { fwInstanceId: HUGE, first: pageSize, after: cursor } : { fwInstanceId: HUGE, last: pageSize, before: cursor };
    const { captureTasks } = await client.request(CaptureTasksPageDocument, variables);
    const pageIds = captureTasks.edges.map((edge) => edge.node.id);
    if (direction === 'forward') ids.push(...pageIds);
    else ids.unshift(...pageIds);
    const more = direction === 'forward' ? captureTasks.pageInfo.hasNextPage : captureTasks.pageInfo.hasPreviousPage;
    if (!more) return { ids, pages };
    cursor = direction === 'forward' ? captureTasks.pageInfo.endCursor ?? null : captureTasks.pageInfo.startCursor ?? null;
  }
  throw new Error('the walk did not end');
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

  it.each([
    ['forward', 7, 7],
    // The first `last` page learns the total first: one call more.
    ['backward', 7, 8],
  ] as const)('walks all 3,500 tasks %s, 500 a page: every task once, in order', async (direction, pages, calls) => {
    harness.simulator.resetCalls();
    log.methods.length = 0;
    const walked = await walk(client, direction, PAGE_SIZE);
    expectWholeList(walked.ids, harness.simulator, HUGE);
    expect(walked.ids).toHaveLength(HUGE_TASKS);
    expect(walked.pages).toBe(pages);
    expect(log.methods).toEqual(Array.from({ length: pages }, () => 'POST'));
    expect(harness.simulator.callCount).toBe(calls);
  });

  it('walks forward while tasks are inserted and deleted after every upstream call', async () => {
    const drift = startDrift(harness.simulator.store, HUGE, { insert: 3, delete: 2 });
    try {
      const walked = await walk(client, 'forward', 250);
      expectGuaranteeUnderDrift(walked.ids, harness.simulator.store, HUGE, drift);
    } finally {
      drift.stop();
    }
  });
});
