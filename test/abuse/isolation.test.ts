// No caller ever sees another's result: two tokens with different grants, requests overlapping in
// time (simulator latency 50 ms; where overlap is asserted, the simulator holds its answers until
// every request has joined a call) through the per-request loaders, the process-wide coalescing
// of identical in-flight calls and the page cache, each keyed by credential.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_TOKEN, type SimulatorOptions } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { sharedReads, startHarness, type GraphQLResult, type Harness } from '../helpers/harness.ts';
import { until } from '../helpers/until.ts';

const TENANT_B = 'tenant-b';
const SIMULATOR: SimulatorOptions = {
  tokens: new Map([
    [DEMO_TOKEN, {}],
    [TENANT_B, { firewalls: [SIMULATOR_FIREWALLS.finance] }],
  ]),
  latencyMs: 50,
};

const TASKS = /* GraphQL */ `
  query Tasks($fw: ID!, $ep: String) {
    captureTasks(fwInstanceId: $fw, first: 5, enterpriseProjectId: $ep) {
      totalCount
      nodes {
        id
        name
      }
    }
  }
`;
const DEMO = { fw: SIMULATOR_FIREWALLS.demo };
const FINANCE = { fw: SIMULATOR_FIREWALLS.finance, ep: 'ep-finance' };

type Caller = typeof DEMO_TOKEN | typeof TENANT_B;

/** `count` requests alternating demo-token, tenant-b, …, all started at once. */
function interleaved(harness: Harness, count: number, variablesFor: (caller: Caller) => Record<string, unknown>) {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const caller: Caller = index % 2 === 0 ? DEMO_TOKEN : TENANT_B;
      const result = await harness.gql(TASKS, variablesFor(caller), { 'x-auth-token': caller });
      return { caller, result };
    }),
  );
}

/** The first five tasks of a firewall as the query selects them, from the simulator's store. */
function firstTasks(harness: Harness, fw: string, ep?: string) {
  const tasks = harness.simulator.store.firewall(fw, ep)?.tasks ?? [];
  expect(tasks.length).toBeGreaterThan(5);
  return { totalCount: tasks.length, nodes: tasks.slice(0, 5).map((task) => ({ id: task.task_id, name: task.name })) };
}

function expectForbidden(result: GraphQLResult, tasks: { nodes: readonly { id: string }[] }) {
  expect(result.status).toBe(200);
  expect(result.body.data).toBeNull();
  expect(result.body.errors?.map((error) => ({ code: error.extensions?.['code'], path: error.path }))).toEqual([{ code: 'FORBIDDEN', path: ['captureTasks'] }]);
  // Not a single task of the forbidden firewall, anywhere in the answer.
  for (const node of tasks.nodes) expect(result.text).not.toContain(node.id);
}

describe('two callers with different grants, concurrently (simulator latency 50 ms)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ simulator: SIMULATOR });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers 20 interleaved requests for the demo firewall: data for demo-token, FORBIDDEN for tenant-b, never the other', async () => {
    const demo = firstTasks(harness, DEMO.fw);
    harness.simulator.resetCalls();
    const coalesced = await sharedReads(harness, 'coalesced');
    const release = harness.simulator.hold();
    let results: Awaited<ReturnType<typeof interleaved>>;
    try {
      const answers = interleaved(harness, 20, () => DEMO);
      // They overlap: all twenty wait at once, on one call per caller (two in flight, 18 joined).
      await until(
        async () => harness.simulator.inFlight === 2 && (await sharedReads(harness, 'coalesced')) === coalesced + 18,
        'all twenty requests to wait at once',
      );
      release();
      results = await answers;
    } finally {
      release();
    }
    expect(harness.simulator.callCount).toBe(2);
    for (const { caller, result } of results) {
      if (caller === DEMO_TOKEN) {
        expect(result.status).toBe(200);
        expect(result.body.errors).toBeUndefined();
        expect(result.body.data).toEqual({ captureTasks: demo });
        expect(demo.totalCount).toBe(57);
      } else {
        expectForbidden(result, demo);
      }
    }
    expect(results.filter(({ caller }) => caller === TENANT_B)).toHaveLength(10);
  });

  it('shows the upstream each caller’s own token: every 200 carried demo-token, every 403 carried tenant-b', async () => {
    harness.simulator.resetCalls();
    await interleaved(harness, 20, () => DEMO);
    const calls = harness.simulator.calls.map((call) => ({ token: call.token, status: call.status, fw: call.fwInstanceId }));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((call) => call.token === TENANT_B).length).toBeGreaterThan(0);
    expect(calls.filter((call) => call.token === DEMO_TOKEN).length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.fw).toBe(DEMO.fw);
      expect(call).toEqual(call.token === TENANT_B ? { token: TENANT_B, status: 403, fw: DEMO.fw } : { token: DEMO_TOKEN, status: 200, fw: DEMO.fw });
    }
  });

  it('answers each caller its own firewall when both read at once: 57 demo tasks for demo-token, 12 finance tasks for tenant-b', async () => {
    const demo = firstTasks(harness, DEMO.fw);
    const finance = firstTasks(harness, FINANCE.fw, FINANCE.ep);
    expect(finance.totalCount).toBe(12);
    const results = await interleaved(harness, 20, (caller) => (caller === DEMO_TOKEN ? DEMO : FINANCE));
    for (const { caller, result } of results) {
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data).toEqual({ captureTasks: caller === DEMO_TOKEN ? demo : finance });
    }
  });

  it('reads a page both may see once per caller, never sharing one caller’s call with the other', async () => {
    // Both ask for the very same page at the same moment: coalescing must not merge the two callers.
    const finance = firstTasks(harness, FINANCE.fw, FINANCE.ep);
    harness.simulator.resetCalls();
    const results = await interleaved(harness, 20, () => FINANCE);
    for (const { result } of results) expect(result.body.data).toEqual({ captureTasks: finance });
    const tokens = new Set(harness.simulator.calls.map((call) => call.token));
    expect(tokens).toEqual(new Set([DEMO_TOKEN, TENANT_B]));
  });
});

describe('two callers with the page cache on (CACHE_TTL_SECONDS=60)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ simulator: SIMULATOR, env: { CACHE_TTL_SECONDS: '60' } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('does not serve tenant-b the demo page demo-token just cached', async () => {
    const demo = firstTasks(harness, DEMO.fw);
    const first = await harness.gql(TASKS, DEMO, { 'x-auth-token': DEMO_TOKEN });
    expect(first.body.data).toEqual({ captureTasks: demo });
    harness.simulator.resetCalls();
    const cached = await harness.gql(TASKS, DEMO, { 'x-auth-token': DEMO_TOKEN });
    expect(cached.body.data).toEqual({ captureTasks: demo });
    expect(harness.simulator.callCount).toBe(0);
    const other = await harness.gql(TASKS, DEMO, { 'x-auth-token': TENANT_B });
    expectForbidden(other, demo);
    expect(harness.simulator.calls.map((call) => ({ token: call.token, status: call.status }))).toEqual([{ token: TENANT_B, status: 403 }]);
  });

  it('keeps the answers apart under concurrency with the cache on', async () => {
    const demo = firstTasks(harness, DEMO.fw);
    const results = await interleaved(harness, 20, () => DEMO);
    for (const { caller, result } of results) {
      if (caller === DEMO_TOKEN) expect(result.body.data).toEqual({ captureTasks: demo });
      else expectForbidden(result, demo);
    }
  });
});
