// What every client-library walk shares: the firewall walked, the gateway's credential header, a
// fetch that counts the HTTP requests a library makes (and how), and the check that a walk saw every
// task once, in CFW's order — with tasks that came and went mid-walk allowed to appear or not.
import { expect } from '@jest/globals';
import { DEMO_TOKEN, type Simulator } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS, type SimulatorStore } from '../../src/simulator/store.ts';

/** The 3,500-task firewall. */
export const HUGE = SIMULATOR_FIREWALLS.huge;
export const HUGE_TASKS = 3500;
/** Tasks a page: 7 pages for the whole firewall. */
export const PAGE_SIZE = 500;
/** What a frontend sends to authenticate; any credential header also satisfies CSRF prevention. */
export const AUTH_HEADERS: Readonly<Record<string, string>> = { 'X-Auth-Token': DEMO_TOKEN };

export interface RequestLog {
  /** The fetch to hand the client library. */
  readonly fetch: typeof fetch;
  /** The HTTP method of each GraphQL request the library made, in order. */
  readonly methods: string[];
}

/** A fetch that records each request's method before making it. */
export function countingFetch(): RequestLog {
  const methods: string[] = [];
  return {
    methods,
    fetch: (input, init) => {
      methods.push(init?.method ?? (input instanceof Request ? input.method : 'GET'));
      return fetch(input, init);
    },
  };
}

/** The firewall's task ids as the simulator lists them now. */
export function taskIdsOf(store: SimulatorStore, fw: string): string[] {
  return (store.firewall(fw, undefined)?.tasks ?? []).map((task) => task.task_id);
}

/** Asserts that `seen` is the firewall's whole list, each task once, in order. */
export function expectWholeList(seen: readonly string[], simulator: Simulator, fw: string): void {
  const expected = taskIdsOf(simulator.store, fw);
  expect(seen.length).toBe(expected.length);
  expect(seen).toEqual(expected);
}

export interface Drift {
  /** Every task id that existed before the walk. */
  readonly before: ReadonlySet<string>;
  /** The ids deleted since `recordDrift`. */
  readonly deleted: ReadonlySet<string>;
  /** The ids inserted since `recordDrift`. */
  readonly inserted: ReadonlySet<string>;
  stop(): void;
}

/** Makes the simulator insert and delete tasks at random after every list call, recording which. */
export function startDrift(store: SimulatorStore, fw: string, plan: { insert: number; delete: number }): Drift {
  const before = new Set(taskIdsOf(store, fw));
  const deleted = new Set<string>();
  const inserted = new Set<string>();
  const deleteTasks = store.deleteTasks.bind(store);
  const insertTasks = store.insertTasks.bind(store);
  store.deleteTasks = (firewallId, count, at) => {
    const ids = deleteTasks(firewallId, count, at);
    for (const id of ids) deleted.add(id);
    return ids;
  };
  store.insertTasks = (firewallId, count, at) => {
    const ids = insertTasks(firewallId, count, at);
    for (const id of ids) inserted.add(id);
    return ids;
  };
  store.drift = { ...plan, at: 'random', firewallId: fw };
  return {
    before,
    deleted,
    inserted,
    stop() {
      store.drift = undefined;
      store.deleteTasks = deleteTasks;
      store.insertTasks = insertTasks;
    },
  };
}

/**
 * Asserts the paging guarantee for a walk made while tasks came and went: no task twice, and every
 * task that existed for the whole walk seen, in the order the simulator lists them.
 */
export function expectGuaranteeUnderDrift(seen: readonly string[], store: SimulatorStore, fw: string, drift: Drift): void {
  expect(new Set(seen).size).toBe(seen.length);
  const survivedWholeWalk = (id: string) => drift.before.has(id) && !drift.deleted.has(id);
  expect(seen.filter(survivedWholeWalk)).toEqual(taskIdsOf(store, fw).filter(survivedWholeWalk));
  expect(seen.every((id) => drift.before.has(id) || drift.inserted.has(id))).toBe(true);
  // The walk really ran under change.
  expect(drift.deleted.size).toBeGreaterThan(10);
  expect(drift.inserted.size).toBeGreaterThan(10);
}

export type Direction = 'forward' | 'backward';

/**
 * The walks every client makes of the 3,500 tasks, 500 a page, with the pages and upstream calls
 * each takes: 7 pages both ways; the first `last` page learns the total first, one call more.
 */
export const WHOLE_WALKS = [
  ['forward', 7, 7],
  ['backward', 7, 8],
] as const satisfies readonly (readonly [Direction, number, number])[];

/** What a walk reads of a connection, as any of the client libraries answers it. */
export interface WalkedConnection {
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor?: string | null | undefined;
    readonly endCursor?: string | null | undefined;
  };
  readonly edges: readonly { readonly node: { readonly id: string } }[];
}

/** The task ids a walk ended with, and how many pages it loaded. */
export interface Walked {
  readonly ids: string[];
  readonly pages: number;
}

/**
 * Walks a connection end to end, 100 pages at most: `load(null, undefined)` loads the first page,
 * then `load(cursor, previous)` the next one, after the end cursor (forward) or before the start
 * cursor (backward), until there is no more. With `merged`, the library's cache answers the whole
 * list so far and the last answer is the list; otherwise the pages are stitched here.
 */
export async function walkConnection<C extends WalkedConnection>(
  direction: Direction,
  stitching: 'merged' | 'pages',
  load: (cursor: string | null, previous: C | undefined) => Promise<C>,
): Promise<Walked> {
  const ids: string[] = [];
  let connection: C | undefined;
  for (let pages = 1; pages <= 100; pages++) {
    const cursor = connection === undefined ? null : ((direction === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor) ?? null);
    connection = await load(cursor, connection);
    const pageIds = connection.edges.map((edge) => edge.node.id);
    if (stitching === 'pages' && direction === 'forward') ids.push(...pageIds);
    if (stitching === 'pages' && direction === 'backward') ids.unshift(...pageIds);
    const more = direction === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
    if (!more) return { ids: stitching === 'merged' ? pageIds : ids, pages };
  }
  throw new Error('the walk did not end');
}

/**
 * Asserts a walk of the whole HUGE firewall: every task once, in order, in `pages` pages, each one
 * HTTP request sent as `method`, and `calls` upstream calls since the simulator's counters were reset.
 */
export function expectWholeWalk(
  walked: Walked,
  simulator: Simulator,
  log: RequestLog,
  expected: { readonly pages: number; readonly calls: number; readonly method: 'GET' | 'POST' },
): void {
  expectWholeList(walked.ids, simulator, HUGE);
  expect(walked.ids).toHaveLength(HUGE_TASKS);
  expect(walked.pages).toBe(expected.pages);
  expect(log.methods).toEqual(Array.from({ length: expected.pages }, () => expected.method));
  expect(simulator.callCount).toBe(expected.calls);
}

/** Walks HUGE while the simulator inserts 3 and deletes 2 tasks after every list call, and asserts the paging guarantee. */
export async function expectGuaranteeWhileDrifting(store: SimulatorStore, walk: () => Promise<Walked>): Promise<void> {
  const drift = startDrift(store, HUGE, { insert: 3, delete: 2 });
  try {
    const walked = await walk();
    expectGuaranteeUnderDrift(walked.ids, store, HUGE, drift);
  } finally {
    drift.stop();
  }
}
