// What every process of the benchmark agrees on: the firewalls, the GraphQL requests (one body per
// operation, sent unchanged to the pass-through and the gateway) and the token. No I/O.
import { generateTask, seededRandom, SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID, type SimulatedFirewall } from '../src/simulator/store.ts';

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

export function isOperationName(value: unknown): value is OperationName {
  return value === 'Page' || value === 'One' || value === 'Entities';
}

/** The upstream path and query the gateway sends for a first page of `limit` tasks. */
export function upstreamPathFor(fwInstanceId: string, limit: number): string {
  return `/v1/${BENCH_PROJECT_ID}/capture-task?fw_instance_id=${encodeURIComponent(fwInstanceId)}&limit=${limit}&offset=0`;
}
