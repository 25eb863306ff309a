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
