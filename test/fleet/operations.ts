// The GraphQL documents the load sends, and the values it reads back from their answers. Pure.

export const READ_TASKS =
  'query FleetTasks($fw: ID!, $first: Int) { captureTasks(fwInstanceId: $fw, first: $first) { totalCount edges { cursor node { id name status } } } }';

export const CREATE_TASK =
  'mutation FleetCreate($input: CreateCaptureTaskInput!) { createCaptureTask(input: $input) { captureTask { id name status } userErrors { code message } } }';

export const STOP_TASK =
  'mutation FleetStop($input: StopCaptureTaskInput!) { stopCaptureTask(input: $input) { captureTask { id status } userErrors { code message } } }';

export const DELETE_TASKS =
  'mutation FleetDelete($input: DeleteCaptureTasksInput!) { deleteCaptureTasks(input: $input) { deletedIds userErrors { code message } } }';

/** A create's input: a one-hour TCP capture, so that the stop that follows finds it running. */
export function createInput(fwInstanceId: string, name: string): Record<string, unknown> {
  return {
    fwInstanceId,
    name,
    durationMinutes: 60,
    maxPackets: 1000,
    protocol: 'TCP',
    source: { address: '192.0.2.10' },
    destination: { address: '198.51.100.7', port: '443' },
  };
}

export interface GraphQLRequest {
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `data.createCaptureTask.captureTask.id` of an answer body, if the create made a task. */
export function createdTaskIdOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const data = isRecord(parsed) ? parsed['data'] : undefined;
  const payload = isRecord(data) ? data['createCaptureTask'] : undefined;
  const task = isRecord(payload) ? payload['captureTask'] : undefined;
  const id = isRecord(task) ? task['id'] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The names of the tasks in a `captureTasks` answer body (READ_TASKS), or undefined when it has none. */
export function taskNamesOf(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const data = isRecord(parsed) ? parsed['data'] : undefined;
  const connection = isRecord(data) ? data['captureTasks'] : undefined;
  const edges = isRecord(connection) ? connection['edges'] : undefined;
  if (!Array.isArray(edges)) return undefined;
  return edges.flatMap((edge: unknown) => {
    const node = isRecord(edge) ? edge['node'] : undefined;
    const name = isRecord(node) ? node['name'] : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}
