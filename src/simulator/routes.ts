// The simulated API's calls: each one's method and path (after `/v1/{project_id}`), and the call a
// request names.

/** The API's calls, by name. */
export type SimulatorEndpoint = 'list' | 'create' | 'stop' | 'batch-delete' | 'capture-result';

/** Method and path (after `/v1/{project_id}`) of each call. */
export const SIMULATOR_ROUTES: Readonly<Record<SimulatorEndpoint, { readonly method: string; readonly path: string }>> = {
  list: { method: 'GET', path: '/capture-task' },
  create: { method: 'POST', path: '/capture-task' },
  stop: { method: 'POST', path: '/capture-task/stop' },
  'batch-delete': { method: 'POST', path: '/capture-task/batch-delete' },
  'capture-result': { method: 'GET', path: '/capture-task/capture-result' },
};
const ENDPOINTS: readonly SimulatorEndpoint[] = ['list', 'create', 'stop', 'batch-delete', 'capture-result'];
const ENDPOINT_BY_ROUTE = new Map(ENDPOINTS.map((endpoint) => [`${SIMULATOR_ROUTES[endpoint].method} ${SIMULATOR_ROUTES[endpoint].path}`, endpoint]));

/** The call a method and path (after `/v1/{project_id}`) name, or undefined for none. */
export function endpointOf(method: string, path: string): SimulatorEndpoint | undefined {
  return ENDPOINT_BY_ROUTE.get(`${method} ${path}`);
}
