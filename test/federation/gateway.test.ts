// A real Apollo Gateway in front of two real subgraphs over loopback HTTP: the example `firewalls`
// subgraph (owns Firewall) and this one (contributes Firewall.captureTasks) ⇄ the CFW simulator.
// Each firewall the supergraph resolves costs one upstream call, however many come in one fetch.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormattedExecutionResult } from 'graphql';
import { DEFAULT_ENTERPRISE_PROJECT, generateTask, seededRandom, SIMULATOR_FIREWALLS, type SimulatorStore } from '../../src/simulator/store.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { until } from '../helpers/until.ts';
import { startApolloGateway, type ApolloGatewayServer } from './apollo-gateway.ts';
import { startFirewallsSubgraph, type FirewallRecord, type FirewallsSubgraph, type FirewallsSubgraphOptions } from './firewalls-subgraph.ts';

const FIREWALLS_WITH_TASKS = `{
  firewalls { id name captureTasks(first: 3) { totalCount edges { node { id status } } } }
}`;

const ENTITIES = `query Entities($r: [_Any!]!) {
  _entities(representations: $r) { ... on Firewall { id captureTasks(first: 2) { totalCount } } }
}`;

/** The seeded firewalls of the default enterprise project, which any token here may read. */
const SEEDED: readonly FirewallRecord[] = (['demo', 'empty', 'single', 'edge', 'large', 'huge'] as const).map((role) => ({
  id: SIMULATOR_FIREWALLS[role],
  name: role,
}));

/** A firewall id the simulator does not know: CFW answers CFW.00200005. */
const GHOST: FirewallRecord = { id: 'no-such-firewall', name: 'ghost' };

/** Adds firewalls with 1 to 4 tasks each to the simulator, so there are `count` in all with SEEDED. */
function firewallsInAll(store: SimulatorStore, count: number): FirewallRecord[] {
  const added = Array.from({ length: Math.max(0, count - SEEDED.length) }, (_, index): FirewallRecord => {
    const id = `f3d00000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    const random = seededRandom(index + 1);
    store.addFirewall({
      id,
      enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT,
      tasks: Array.from({ length: 1 + (index % 4) }, (_task, serial) => generateTask(random, serial)),
    });
    return { id, name: `added-${index}` };
  });
  return [...SEEDED, ...added].slice(0, count);
}

/** CFW status codes as the contract names them. */
function statusName(code: unknown): string {
  const names: Readonly<Record<number, string>> = { 0: 'ABNORMAL', 1: 'SUCCESSFUL', 2: 'RUNNING', 4: 'STOPPED', 5: 'ENDING' };
  return (typeof code === 'number' ? names[code] : undefined) ?? 'UNKNOWN';
}

/** What `FIREWALLS_WITH_TASKS` must answer for a firewall, read from the simulator's store. */
function expectedFirewall(store: SimulatorStore, firewall: FirewallRecord) {
  const tasks = store.firewall(firewall.id, undefined)?.tasks;
  if (tasks === undefined) throw new Error(`the simulator has no firewall ${firewall.id}`);
  const edges = tasks.slice(0, 3).map((task) => ({ node: { id: task.task_id, status: statusName(task.status) } }));
  return { id: firewall.id, name: firewall.name, captureTasks: { totalCount: tasks.length, edges } };
}

/** The firewall ids of the upstream calls made since the last reset, sorted. */
function calledFirewalls(harness: Harness): (string | null)[] {
  return harness.simulator.calls.map((call) => call.fwInstanceId).sort();
}

function errorsOf(result: FormattedExecutionResult): { path: readonly (string | number)[] | undefined; code: unknown }[] {
  return (result.errors ?? []).map((error) => ({ path: error.path, code: error.extensions?.['code'] }));
}

interface Supergraph {
  readonly harness: Harness;
  readonly firewalls: FirewallsSubgraph;
  /** Runs an operation through the gateway, which fetches from both subgraphs over HTTP. */
  execute(query: string): Promise<FormattedExecutionResult>;
  close(): Promise<void>;
}

async function startSupergraph(options: { readonly harness?: HarnessOptions; readonly firewalls?: FirewallsSubgraphOptions } = {}): Promise<Supergraph> {
  const harness = await startHarness(options.harness);
  const firewalls = await startFirewallsSubgraph(options.firewalls).catch(async (error: unknown) => {
    await harness.close();
    throw error;
  });
  let server: ApolloGatewayServer;
  try {
    server = await startApolloGateway({ firewalls: firewalls.url, captures: harness.url });
  } catch (error) {
    await firewalls.close();
    await harness.close();
    throw error;
  }
  return {
    harness,
    firewalls,
    execute: (query) => server.execute(query),
    async close() {
      try {
        await server.stop();
      } finally {
        try {
          await firewalls.close();
        } finally {
          await harness.close();
        }
      }
    },
  };
}

describe('a supergraph of firewalls and captures, default budget (20 upstream calls an operation)', () => {
  let supergraph: Supergraph;
  let store: SimulatorStore;
  beforeAll(async () => {
    supergraph = await startSupergraph();
    store = supergraph.harness.simulator.store;
  });
  afterAll(() => supergraph.close());

  it.each([1, 10])('resolves captureTasks of %i firewall representation(s) with one upstream call each', async (count) => {
    const firewalls = firewallsInAll(store, count);
    supergraph.firewalls.serve(firewalls);
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(FIREWALLS_WITH_TASKS);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ firewalls: firewalls.map((firewall) => expectedFirewall(store, firewall)) });
    expect(supergraph.harness.simulator.callCount).toBe(count);
    expect(calledFirewalls(supergraph.harness)).toEqual(firewalls.map((firewall) => firewall.id).sort());
    expect(supergraph.harness.simulator.calls.every((call) => call.offset === '0' && call.limit === '3')).toBe(true);
  });

  it('reports an unknown firewall as NOT_FOUND at its own path; with [Firewall!]! that nulls the whole list', async () => {
    const good = firewallsInAll(store, 2);
    supergraph.firewalls.serve([...good.slice(0, 1), GHOST, ...good.slice(1)]);
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(FIREWALLS_WITH_TASKS);
    expect(errorsOf(result)).toEqual([{ path: ['firewalls', 1, 'captureTasks'], code: 'NOT_FOUND' }]);
    expect(result.errors?.[0]?.extensions?.['serviceName']).toBe('captures');
    // Firewall.captureTasks is non-null, so the null climbs to the nearest nullable position.
    expect(result.data).toBeNull();
    expect(supergraph.harness.simulator.callCount).toBe(3);
  });

  it("resolves CaptureTask.firewall to the firewalls subgraph's Firewall, name included", async () => {
    supergraph.firewalls.serve(firewallsInAll(store, 1));
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { nodes { id firewall { id name } } } }`);
    expect(result.errors).toBeUndefined();
    const tasks = store.firewall(SIMULATOR_FIREWALLS.demo, undefined)?.tasks.slice(0, 2) ?? [];
    expect(result.data).toEqual({
      captureTasks: { nodes: tasks.map((task) => ({ id: task.task_id, firewall: { id: SIMULATOR_FIREWALLS.demo, name: 'demo' } })) },
    });
    expect(tasks).toHaveLength(2);
    expect(supergraph.harness.simulator.callCount).toBe(1);
  });

  it('answers _entities sent straight to the subgraph with one upstream call per distinct firewall', async () => {
    const { demo, single } = SIMULATOR_FIREWALLS;
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.harness.gql(ENTITIES, { r: [demo, single, demo].map((id) => ({ __typename: 'Firewall', id })) });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({
      _entities: [
        { id: demo, captureTasks: { totalCount: 57 } },
        { id: single, captureTasks: { totalCount: 1 } },
        { id: demo, captureTasks: { totalCount: 57 } },
      ],
    });
    expect(supergraph.harness.simulator.callCount).toBe(2);
    expect(calledFirewalls(supergraph.harness)).toEqual([demo, single].sort());
  });
});

describe('a supergraph whose firewalls list has nullable items, default budget', () => {
  let supergraph: Supergraph;
  let store: SimulatorStore;
  beforeAll(async () => {
    supergraph = await startSupergraph({ firewalls: { listItems: 'nullable' } });
    store = supergraph.harness.simulator.store;
  });
  afterAll(() => supergraph.close());

  it('nulls only an unknown firewall, with NOT_FOUND at its path, and answers the others', async () => {
    const good = firewallsInAll(store, 4);
    const listed = [...good.slice(0, 2), GHOST, ...good.slice(2)];
    supergraph.firewalls.serve(listed);
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(FIREWALLS_WITH_TASKS);
    expect(errorsOf(result)).toEqual([{ path: ['firewalls', 2, 'captureTasks'], code: 'NOT_FOUND' }]);
    expect(result.data).toEqual({ firewalls: listed.map((firewall) => (firewall === GHOST ? null : expectedFirewall(store, firewall))) });
    expect(supergraph.harness.simulator.callCount).toBe(5);
  });

  it('answers 20 representations, exactly the budget, with 20 upstream calls', async () => {
    const firewalls = firewallsInAll(store, 20);
    supergraph.firewalls.serve(firewalls);
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(FIREWALLS_WITH_TASKS);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ firewalls: firewalls.map((firewall) => expectedFirewall(store, firewall)) });
    expect(supergraph.harness.simulator.callCount).toBe(20);
  });

  // An entity fetch is not refused whole: the budget answers each representation at its own path.
  it('answers the first 20 of 100 representations and gives the other 80 OPERATION_BUDGET_EXCEEDED at their own paths', async () => {
    const firewalls = firewallsInAll(store, 100);
    supergraph.firewalls.serve(firewalls);
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(FIREWALLS_WITH_TASKS);
    expect(result.data).toEqual({ firewalls: firewalls.map((firewall, index) => (index < 20 ? expectedFirewall(store, firewall) : null)) });
    expect(errorsOf(result)).toEqual(
      firewalls.slice(20).map((_firewall, index) => ({ path: ['firewalls', index + 20, 'captureTasks'], code: 'OPERATION_BUDGET_EXCEEDED' })),
    );
    expect(supergraph.harness.simulator.callCount).toBe(20);
    supergraph.harness.simulator.resetCalls();
    const direct = await supergraph.harness.gql(ENTITIES, { r: firewalls.map((firewall) => ({ __typename: 'Firewall', id: firewall.id })) });
    expect(direct.status).toBe(200);
    expect(direct.body.errors).toHaveLength(80);
    expect(direct.body.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_BUDGET_EXCEEDED', budget: 20 });
    expect(supergraph.harness.simulator.callCount).toBe(20);
  });
});

describe('a supergraph with OPERATION_UPSTREAM_BUDGET=200', () => {
  let supergraph: Supergraph;
  beforeAll(async () => {
    supergraph = await startSupergraph({ harness: { env: { OPERATION_UPSTREAM_BUDGET: '200' } } });
  });
  afterAll(() => supergraph.close());

  it('resolves captureTasks of 100 firewall representations with 100 upstream calls', async () => {
    const store = supergraph.harness.simulator.store;
    const firewalls = firewallsInAll(store, 100);
    supergraph.firewalls.serve(firewalls);
    supergraph.harness.simulator.resetCalls();
    const result = await supergraph.execute(FIREWALLS_WITH_TASKS);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ firewalls: firewalls.map((firewall) => expectedFirewall(store, firewall)) });
    expect(supergraph.harness.simulator.callCount).toBe(100);
    expect(new Set(calledFirewalls(supergraph.harness)).size).toBe(100);
  });
});

describe('upstream concurrency of one _entities fetch', () => {
  const representations = SEEDED.map((firewall) => ({ __typename: 'Firewall', id: firewall.id }));

  /**
   * Resolves the six seeded firewalls while the simulator holds its answers until `concurrent`
   * calls are in flight at once; returns the calls made and the most in flight at once.
   */
  async function sixFirewalls(env: Record<string, string>, concurrent: number): Promise<{ calls: number; peak: number }> {
    const harness = await startHarness({ env });
    try {
      await harness.gql(ENTITIES, { r: representations.slice(0, 1) });
      harness.simulator.resetCalls();
      const release = harness.simulator.hold();
      try {
        const answer = harness.gql(ENTITIES, { r: representations });
        await until(() => harness.simulator.inFlight === concurrent, `${concurrent} calls in flight`);
        release();
        const result = await answer;
        expect(result.body.errors).toBeUndefined();
      } finally {
        release();
      }
      return { calls: harness.simulator.callCount, peak: harness.simulator.peakInFlight };
    } finally {
      await harness.close();
    }
  }

  it('runs at most OPERATION_UPSTREAM_CONCURRENCY=2 calls at once: six firewalls, two at a time', async () => {
    const { calls, peak } = await sixFirewalls({ OPERATION_UPSTREAM_CONCURRENCY: '2' }, 2);
    expect(calls).toBe(6);
    expect(peak).toBe(2);
  });

  it('runs six calls at once under the default concurrency of 8', async () => {
    const { calls, peak } = await sixFirewalls({}, 6);
    expect(calls).toBe(6);
    expect(peak).toBe(6);
  });
});
