// The control plane under /_simulator/ (the CLI's, on demand): its state, drift and faults.
import type http from 'node:http';
import { isFault, type Fault } from './faults.ts';
import type { SimulatorStore } from './store.ts';

/** What the control plane reads and changes of the simulator, live. */
export interface Controlled {
  readonly store: SimulatorStore;
  readonly callCount: number;
  callCounts(): Record<string, number>;
  /** Faults still to happen, first first. */
  readonly faults: Fault[];
}

/** Whether a path is the control plane's rather than the API's. */
export const isControlPath = (pathname: string): boolean => pathname.startsWith('/_simulator/');

/** GET /_simulator/state, POST /_simulator/drift, POST and DELETE /_simulator/faults: the status and JSON answer. */
export async function control(simulator: Controlled, request: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
  const query = url.searchParams;
  if (url.pathname === '/_simulator/state' && request.method === 'GET') {
    return [
      200,
      {
        callCount: simulator.callCount,
        callCounts: simulator.callCounts(),
        pendingFaults: simulator.faults.length,
        drift: simulator.store.drift ?? null,
        now: new Date(simulator.store.now()).toISOString(),
      },
    ];
  }
  if (url.pathname === '/_simulator/drift' && request.method === 'POST') {
    const fw = query.get('fw') ?? '';
    const count = (name: string) => (/^\d{1,5}$/.test(query.get(name) ?? '') ? Number(query.get(name)) : 0);
    const atRaw = query.get('at') ?? 'random';
    const at = /^\d+$/.test(atRaw) ? Number(atRaw) : atRaw;
    if (at !== 'head' && at !== 'tail' && at !== 'random' && typeof at !== 'number') return [400, { error: 'at must be head, tail, random or an index' }];
    if (simulator.store.firewall(fw, 'all_granted_eps') === undefined) return [404, { error: `no simulated firewall ${JSON.stringify(fw)}` }];
    const deleted = simulator.store.deleteTasks(fw, count('delete'), at);
    const inserted = simulator.store.insertTasks(fw, count('insert'), at);
    return [200, { inserted, deleted }];
  }
  if (url.pathname === '/_simulator/faults' && request.method === 'POST') {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    let faults: unknown;
    try {
      faults = JSON.parse(text);
    } catch {
      return [400, { error: 'the body must be a JSON array of faults' }];
    }
    if (!Array.isArray(faults) || !faults.every(isFault))
      return [
        400,
        {
          error:
            'the body must be a JSON array of faults such as [{"kind":"status","status":503}] or [{"kind":"reset-after-apply","match":{"method":"POST","path":"/capture-task"}}]',
        },
      ];
    simulator.faults.push(...faults);
    return [200, { pendingFaults: simulator.faults.length }];
  }
  if (url.pathname === '/_simulator/faults' && request.method === 'DELETE') {
    // Ends an outage made of faults with a large `times`: the requests still to come are served normally.
    const cleared = simulator.faults.length;
    simulator.faults.length = 0;
    return [200, { cleared, pendingFaults: 0 }];
  }
  return [404, { error: 'unknown simulator control' }];
}
