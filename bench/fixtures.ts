// What every process of the benchmark agrees on: the firewalls, the GraphQL requests (one body per
// operation, sent unchanged to the pass-through and the gateway; the mix's, one per request index)
// and the tokens. No I/O.
import { cursorAt } from '../src/paging/connection.ts';
import { fingerprintOf, connectionKeyOf } from '../src/paging/cursor.ts';
import { generateTask, seededRandom, SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID, type SimulatedFirewall } from '../src/simulator/store.ts';
import { taskIdOf, type CaptureTaskRecord } from '../src/upstream/wire.ts';

export const BENCH_PROJECT_ID = SIMULATOR_PROJECT_ID;
export const BENCH_TOKEN = 'demo-token';

/** Extra default-project firewalls the simulator process adds, so `_entities` has 10 full ones. */
export function extraFirewalls(): SimulatedFirewall[] {
  const random = seededRandom(20_250_101);
  return Array.from({ length: 6 }, (_, index) => ({
    id: `bench000-0000-4000-a000-00000000000${index}`,
    enterpriseProjectId: 'default',
    tasks: Array.from({ length: 120 }, (_unused, serial) => generateTask(random, serial)),
  }));
}

/** The 10 representations of the `_entities` request: default-project firewalls with tasks. */
export const ENTITY_FIREWALLS: readonly string[] = [
  SIMULATOR_FIREWALLS.demo,
  SIMULATOR_FIREWALLS.single,
  SIMULATOR_FIREWALLS.large,
  SIMULATOR_FIREWALLS.huge,
  ...extraFirewalls().map((firewall) => firewall.id),
];

/** Page size of each firewall's connection in the `_entities` request. */
export const ENTITY_PAGE_SIZE = 10;

const CONNECTION_FIELDS =
  'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id name status protocol source { address ipVersion port } destination { address ipVersion port } captureSize captureSizeBytes durationMinutes maxPackets createdAt modifiedAt isDeleted remainingDays } }';

/** The operations measured; the pass-through picks its hand-written answer by `operationName`. */
export const OPERATIONS = {
  Page: {
    label: 'captureTasks(first: 50), every field',
    first: 50,
    body: JSON.stringify({
      operationName: 'Page',
      query: `query Page($fw: ID!) { captureTasks(fwInstanceId: $fw, first: 50) { ${CONNECTION_FIELDS} } }`,
      variables: { fw: SIMULATOR_FIREWALLS.demo },
    }),
  },
  One: {
    label: 'captureTasks(first: 1), every field',
    first: 1,
    body: JSON.stringify({
      operationName: 'One',
      query: `query One($fw: ID!) { captureTasks(fwInstanceId: $fw, first: 1) { ${CONNECTION_FIELDS} } }`,
      variables: { fw: SIMULATOR_FIREWALLS.demo },
    }),
  },
  Entities: {
    label: `_entities: 10 firewalls × captureTasks(first: ${ENTITY_PAGE_SIZE})`,
    first: ENTITY_PAGE_SIZE,
    body: JSON.stringify({
      operationName: 'Entities',
      query: `query Entities($reps: [_Any!]!) { _entities(representations: $reps) { ... on Firewall { id captureTasks(first: ${ENTITY_PAGE_SIZE}) { ${CONNECTION_FIELDS} } } } }`,
      variables: { reps: ENTITY_FIREWALLS.map((id) => ({ __typename: 'Firewall', id })) },
    }),
  },
} as const;

export type OperationName = keyof typeof OPERATIONS;
/** What a bench case drives: one operation's fixed request, or the mix of distinct requests. */
export type Workload = OperationName | 'Mix';

export const MIX_LABEL =
  'the mix: distinct requests (1,000 tokens × 100 firewalls, random pages forward and backward, all-fields and small documents, 10% captureTask)';

export function isOperationName(value: unknown): value is OperationName {
  return value === 'Page' || value === 'One' || value === 'Entities';
}

/** The upstream path and query the gateway sends for a first page of `limit` tasks. */
export function upstreamPathFor(fwInstanceId: string, limit: number): string {
  return `/v1/${BENCH_PROJECT_ID}/capture-task?fw_instance_id=${encodeURIComponent(fwInstanceId)}&limit=${limit}&offset=0`;
}

// The mix: distinct requests, as real traffic is. Each request has its own caller token (1 of
// MIX_TOKENS) and firewall (1 of MIX_FIREWALL_COUNT), a random page (`first`, `first`/`after`,
// `last`, `last`/`before`) of the all-fields or the small document, and about 1 in 10 is a
// `captureTask` read. Request i's (token, firewall) pair is an affine permutation of i over all
// MIX_TOKENS × MIX_FIREWALL_COUNT pairs, so no pair, hence no upstream call, repeats within 100,000
// consecutive requests (half a minute at the fastest BFF's rate). Everything is derived from i: no
// request list is held in memory.

export const MIX_TOKENS = 1_000;
export const MIX_FIREWALL_COUNT = 100;
const MIX_PAIRS = MIX_TOKENS * MIX_FIREWALL_COUNT;
/** Coprime with MIX_PAIRS (neither even nor a multiple of 5): i → pair is a permutation. */
const MIX_STRIDE = 38_431;
const MIX_PAGE_SIZES = [1, 5, 10, 20, 50] as const;

export function mixToken(index: number): string {
  return `bench-token-${String(index).padStart(4, '0')}`;
}

/** Every mix token, for the simulator, which accepts them all (each may read every firewall). */
export function mixTokens(): string[] {
  return Array.from({ length: MIX_TOKENS }, (_, index) => mixToken(index));
}

let mixFirewallsMemo: SimulatedFirewall[] | undefined;

/** The mix's 100 default-project firewalls, 20 to 219 tasks each: the same in every process. */
export function mixFirewalls(): readonly SimulatedFirewall[] {
  if (mixFirewallsMemo !== undefined) return mixFirewallsMemo;
  const random = seededRandom(20_251_206);
  mixFirewallsMemo = Array.from({ length: MIX_FIREWALL_COUNT }, (_, index) => {
    const count = 20 + Math.floor(random() * 200);
    return {
      id: `mix00000-0000-4000-a000-${String(index).padStart(12, '0')}`,
      enterpriseProjectId: 'default',
      tasks: Array.from({ length: count }, (_unused, serial) => generateTask(random, serial)),
    };
  });
  return mixFirewallsMemo;
}

const MIX_VARIABLES = '$fw: ID!, $first: Int, $after: String, $last: Int, $before: String';
const MIX_ARGUMENTS = 'fwInstanceId: $fw, first: $first, after: $after, last: $last, before: $before';
const TASK_FIELDS =
  'id name status protocol source { address ipVersion port } destination { address ipVersion port } captureSize captureSizeBytes durationMinutes maxPackets createdAt modifiedAt isDeleted remainingDays';
/** The small document's selection, which the pass-through renders field for field. */
export const MIX_SMALL_FIELDS = 'pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id name status } }';

export const MIX_DOCUMENTS = {
  MixAll: `query MixAll(${MIX_VARIABLES}) { captureTasks(${MIX_ARGUMENTS}) { ${CONNECTION_FIELDS} } }`,
  MixSmall: `query MixSmall(${MIX_VARIABLES}) { captureTasks(${MIX_ARGUMENTS}) { ${MIX_SMALL_FIELDS} } }`,
  MixTask: `query MixTask($fw: ID!, $id: ID!) { captureTask(fwInstanceId: $fw, id: $id) { ${TASK_FIELDS} } }`,
} as const;

export type MixDocument = keyof typeof MIX_DOCUMENTS;

export function isMixDocument(value: unknown): value is MixDocument {
  return value === 'MixAll' || value === 'MixSmall' || value === 'MixTask';
}

/** The distinct kinds of mix request: each is verified byte for byte before measuring. */
export const MIX_KINDS = [
  'MixAll first',
  'MixAll after',
  'MixAll last',
  'MixAll before',
  'MixSmall first',
  'MixSmall after',
  'MixSmall last',
  'MixSmall before',
  'MixTask',
] as const;
export type MixKind = (typeof MIX_KINDS)[number];

export interface MixRequest {
  readonly kind: MixKind;
  readonly token: string;
  readonly body: string;
}

/** A cursor the gateway would have issued for a firewall's task at `index` (nothing has moved since). */
function mixCursor(firewall: SimulatedFirewall, index: number): string {
  const tasks = firewall.tasks;
  const page = { items: tasks, itemsOffset: 0, from: 0, to: tasks.length, total: tasks.length, hasPreviousPage: false, hasNextPage: false, warning: undefined };
  return cursorAt(page, index, connectionKeyOf(firewall.id, undefined), (record: CaptureTaskRecord) => fingerprintOf(taskIdOf(record)));
}

/** Request i of the mix (any integer ≥ 0): the same in every process and every run. */
export function mixRequest(index: number): MixRequest {
  const pair = (index * MIX_STRIDE + 7) % MIX_PAIRS;
  const token = mixToken(pair % MIX_TOKENS);
  const firewall = mixFirewalls()[Math.floor(pair / MIX_TOKENS)];
  if (firewall === undefined) throw new Error(`no mix firewall for pair ${pair}`);
  const random = seededRandom(index ^ 0x3c6ef372);
  const roll = random();
  const tasks = firewall.tasks.length;
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  if (roll < 0.1) {
    const task = firewall.tasks[Math.floor(random() * tasks)];
    if (task === undefined) throw new Error(`mix firewall ${firewall.id} has no tasks`);
    return {
      kind: 'MixTask',
      token,
      body: JSON.stringify({ operationName: 'MixTask', query: MIX_DOCUMENTS.MixTask, variables: { fw: firewall.id, id: taskIdOf(task) } }),
    };
  }
  const document: MixDocument = random() < 0.5 ? 'MixAll' : 'MixSmall';
  const size = pick(MIX_PAGE_SIZES);
  const way = Math.floor(random() * 4);
  let variables: Record<string, string | number>;
  let paging: 'first' | 'after' | 'last' | 'before';
  if (way === 0) {
    paging = 'first';
    variables = { fw: firewall.id, first: size };
  } else if (way === 1) {
    paging = 'after';
    variables = { fw: firewall.id, first: size, after: mixCursor(firewall, Math.floor(random() * (tasks - 1))) };
  } else if (way === 2) {
    paging = 'last';
    variables = { fw: firewall.id, last: size };
  } else {
    paging = 'before';
    variables = { fw: firewall.id, last: size, before: mixCursor(firewall, 1 + Math.floor(random() * (tasks - 1))) };
  }
  return { kind: `${document} ${paging}`, token, body: JSON.stringify({ operationName: document, query: MIX_DOCUMENTS[document], variables }) };
}

/** The first request of each kind from `start` on, and the next `extra` requests: what is verified. */
export function mixSample(start: number, extra: number): MixRequest[] {
  const found = new Map<MixKind, MixRequest>();
  for (let index = start; found.size < MIX_KINDS.length; index++) {
    const request = mixRequest(index);
    if (!found.has(request.kind)) found.set(request.kind, request);
  }
  return [...found.values(), ...Array.from({ length: extra }, (_, offset) => mixRequest(start + offset))];
}
