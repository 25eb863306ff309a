// The capture lifecycle through a real gateway and simulator: both on one hand-driven clock, so a
// delete that waits for a stop advances simulated time instead of sleeping.
import { createLogger } from '../../src/logger.ts';
import { createGateway } from '../../src/server/edge.ts';
import { ManualClock } from '../../src/simulator/timeline.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { createUpstreamHttp, upstreamOptionsFrom } from '../../src/upstream/client.ts';
import { startHarness, type GraphQLResult, type Harness, type HarnessOptions } from './harness.ts';

/** A firewall of the seeded simulator with no tasks: every lifecycle test starts from it. */
export const EMPTY_FIREWALL = '3f1a0b9e-5c2d-4e7f-8a61-0c9d2b4e6f10';

export interface LifecycleHarness extends Harness {
  readonly clock: ManualClock;
}

export async function startLifecycleHarness(options: HarnessOptions = {}): Promise<LifecycleHarness> {
  const clock = new ManualClock();
  const harness = await startHarness({
    ...options,
    simulator: { now: clock.now, ...options.simulator },
    lifecycleClock: options.lifecycleClock ?? {
      now: clock.now,
      sleep: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
    },
  });
  return Object.assign(harness, { clock });
}

/** A second gateway instance over the same simulator (another replica behind a load balancer). */
export async function startGatewayFor(harness: LifecycleHarness): Promise<Pick<Harness, 'gql' | 'close'>> {
  const endpoint = harness.config.upstream.endpoint;
  if (endpoint === undefined) throw new Error('the harness has no upstream endpoint');
  const upstream = createUpstreamHttp({ ...upstreamOptionsFrom(harness.config, endpoint, SIMULATOR_PROJECT_ID), backoffBaseMs: 5, backoffCapMs: 50 });
  const gateway = await createGateway({ config: harness.config, logger: createLogger('silent'), upstream, defaultMetrics: false });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    async gql(query, variables, headers = { 'x-auth-token': DEMO_TOKEN }) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResult['body'], text };
    },
    close: () => gateway.close(),
  };
}

export async function withLifecycle<T>(options: HarnessOptions, test: (harness: LifecycleHarness) => Promise<T>): Promise<T> {
  const harness = await startLifecycleHarness(options);
  try {
    return await test(harness);
  } finally {
    await harness.close();
  }
}

export const TASK_FIELDS =
  'id name status protocol source { address ipVersion port } destination { address ipVersion port } durationMinutes maxPackets isDeleted';
const USER_ERRORS = 'userErrors { field message code }';

export const CREATE = `mutation Create($input: CreateCaptureTaskInput!) {
  createCaptureTask(input: $input) { captureTask { ${TASK_FIELDS} } ${USER_ERRORS} clientMutationId }
}`;
export const STOP = `mutation Stop($input: StopCaptureTaskInput!) {
  stopCaptureTask(input: $input) { captureTask { ${TASK_FIELDS} } ${USER_ERRORS} clientMutationId }
}`;
export const DELETE = `mutation Delete($input: DeleteCaptureTasksInput!) {
  deleteCaptureTasks(input: $input) { deletedIds ${USER_ERRORS} clientMutationId }
}`;
export const TASK = `query Task($fw: ID!, $id: ID!, $ips: [String!]) {
  captureTask(fwInstanceId: $fw, id: $id) { ${TASK_FIELDS} result(allowedIps: $ips) { url accessCode expires requestHost files { name url path } } }
}`;

/** A createCaptureTask input on the empty firewall; `change` overrides fields. */
export function createInput(change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    fwInstanceId: EMPTY_FIREWALL,
    name: 'suspicious-flow',
    durationMinutes: 3,
    maxPackets: 100_000,
    protocol: 'TCP',
    source: { address: '192.0.2.10' },
    destination: { address: '198.51.100.7', port: '443' },
    ...change,
  };
}

export interface UserErrorShape {
  readonly field: string[] | null;
  readonly message: string;
  readonly code: string;
}

export interface TaskShape {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly isDeleted: boolean;
  readonly [field: string]: unknown;
}

export interface PayloadShape {
  readonly captureTask?: TaskShape | null;
  readonly deletedIds?: string[];
  readonly userErrors: UserErrorShape[];
  readonly clientMutationId: string | null;
}

/** The payload of the one mutation of a result, failing loudly when there is none. */
export function payloadOf(result: GraphQLResult): PayloadShape {
  const data = result.body.data;
  const payload = data === null || data === undefined ? undefined : Object.values(data)[0];
  if (typeof payload !== 'object' || payload === null) throw new Error(`no payload in ${result.text.slice(0, 500)}`);
  return payload as PayloadShape;
}

/** The task a createCaptureTask made, failing loudly when it made none. */
export function createdTask(result: GraphQLResult): TaskShape {
  const task = payloadOf(result).captureTask;
  if (task === undefined || task === null) throw new Error(`no task created: ${result.text.slice(0, 500)}`);
  return task;
}

export const codesOf = (result: GraphQLResult): string[] => payloadOf(result).userErrors.map((error) => error.code);
export const errorCodesOf = (result: GraphQLResult): unknown[] => (result.body.errors ?? []).map((error) => error.extensions?.['code']);
