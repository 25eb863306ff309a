// The fleet's load, in a process of its own so the harness's work never delays it:
// `node test/fleet/load.ts`, started by fleet.ts with an IPC channel. Each caller (its own IAM
// token, its own keep-alive sockets) sends page reads at a steady rate, and walks captures through
// their lifecycle (create, stop, delete) one step at a time. Every request ends as one record
// (outcome.ts), sent to the harness twice a second. Rates change on the harness's word.
import http from 'node:http';
import { outcomeOf, type Answer } from './outcome.ts';
import { CREATE_TASK, createdTaskIdOf, createInput, DELETE_TASKS, READ_TASKS, STOP_TASK, type GraphQLRequest } from './operations.ts';
import type { Operation, RequestRecord } from './stats.ts';

export interface CallerPlan {
  readonly name: string;
  /** The IAM token it sends (X-Auth-Token): the simulator accepts it, the gateway limits by it. */
  readonly token: string;
  readonly readsPerSecond: number;
  /** Its lifecycle walk: the firewall it starts captures on, and the pause between two steps. */
  readonly lifecycle?: { readonly fwInstanceId: string; readonly pauseMs: number };
}

export interface LoadPlan {
  /** The balancer's GraphQL URL. */
  readonly url: string;
  readonly callers: readonly CallerPlan[];
  /** The pages read, taken in turn. */
  readonly reads: readonly { readonly fwInstanceId: string; readonly first: number }[];
  /** A request not answered by then ends as a `connection` failure (LOAD_TIMEOUT). */
  readonly timeoutMs: number;
  /** Reads of one caller in flight at once; a read due beyond it is skipped and counted. */
  readonly maxInFlightPerCaller: number;
}

/** What the harness tells the load. */
export type ToLoad =
  | { readonly type: 'start'; readonly plan: LoadPlan }
  | { readonly type: 'rate'; readonly caller: string; readonly readsPerSecond: number }
  /** Reads as POST (the default: the balancer never retries one it sent) or GET (retried when a server closes without answering). */
  | { readonly type: 'read-method'; readonly method: 'GET' | 'POST' }
  | { readonly type: 'stop' };

/** What the load tells the harness. */
export type FromLoad =
  { readonly type: 'records'; readonly records: readonly RequestRecord[]; readonly skipped: Readonly<Record<string, number>> } | { readonly type: 'stopped' };

/** Now, ms since the epoch, with the precision of performance.now(): the clock every process of the fleet shares. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

interface Caller {
  readonly plan: CallerPlan;
  readonly agent: http.Agent;
  readsPerSecond: number;
  /** Reads owed since the rate was last set, and sent. */
  rateSince: number;
  sentSince: number;
  inFlight: number;
  skipped: number;
  serial: number;
}

let pending: RequestRecord[] = [];
/** Set on the harness's stop: no new request is sent. */
const run = { stopping: false };
/** Read through a call: a check after an await must see the flag as it is now. */
const stopped = () => run.stopping;
const outstanding = new Set<Promise<unknown>>();

function send(message: FromLoad): void {
  process.send?.(message);
}

/** How reads are sent; mutations are always POSTs. */
const reads: { method: 'GET' | 'POST' } = { method: 'POST' };

/** One request to the GraphQL URL, POST or (a read only) GET; never rejects. */
function post(plan: LoadPlan, caller: Caller, request: GraphQLRequest, method: 'GET' | 'POST' = 'POST'): Promise<Answer> {
  const body = method === 'POST' ? JSON.stringify(request) : '';
  const url =
    method === 'POST' ? plan.url : `${plan.url}?${new URLSearchParams({ query: request.query, variables: JSON.stringify(request.variables) }).toString()}`;
  // A GET carries a header a browser form cannot, as Apollo's CSRF prevention asks.
  const headers =
    method === 'POST' ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : { 'apollo-require-preflight': 'true' };
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const outgoing = http.request(url, { method, agent: caller.agent, headers: { ...headers, 'x-auth-token': caller.plan.token } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error: NodeJS.ErrnoException) => {
        settle({ kind: 'no-response', code: error.code ?? 'RESPONSE_ERROR' });
      });
      response.on('end', () => {
        settle({ kind: 'response', status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      settle({ kind: 'no-response', code: 'LOAD_TIMEOUT' });
    }, plan.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      settle({ kind: 'no-response', code: error.code ?? 'REQUEST_ERROR' });
    });
    outgoing.end(method === 'POST' ? body : undefined);
  });
}

/** Sends one request and records how it ended; resolves with the answer. */
async function measured(plan: LoadPlan, caller: Caller, op: Operation, request: GraphQLRequest, taskName?: string): Promise<Answer> {
  const start = epochNow();
  const answer = await post(plan, caller, request, op === 'read' ? reads.method : 'POST');
  const outcome = outcomeOf(answer);
  pending.push({ caller: caller.plan.name, op, start, end: epochNow(), class: outcome.class, code: outcome.code, taskName });
  return answer;
}

function track(promise: Promise<unknown>): void {
  outstanding.add(promise);
  void promise.finally(() => outstanding.delete(promise));
}

function sendRead(plan: LoadPlan, caller: Caller): void {
  const target = plan.reads[caller.serial++ % plan.reads.length];
  if (target === undefined) return;
  caller.inFlight++;
  track(
    measured(plan, caller, 'read', { query: READ_TASKS, variables: { fw: target.fwInstanceId, first: target.first } }).finally(() => {
      caller.inFlight--;
    }),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A caller's captures, one step at a time: create, stop, delete; the next create after a pause. */
async function walkLifecycle(plan: LoadPlan, caller: Caller, lifecycle: NonNullable<CallerPlan['lifecycle']>): Promise<void> {
  const fw = lifecycle.fwInstanceId;
  for (let cycle = 0; !stopped(); cycle++) {
    const name = `fleet-${caller.plan.name}-${process.pid}-${cycle}`;
    const created = await measured(plan, caller, 'create', { query: CREATE_TASK, variables: { input: createInput(fw, name) } }, name);
    const id = created.kind === 'response' ? createdTaskIdOf(created.body) : undefined;
    await pause(lifecycle.pauseMs);
    if (id !== undefined && !stopped()) {
      await measured(plan, caller, 'stop', { query: STOP_TASK, variables: { input: { fwInstanceId: fw, id } } });
      await pause(lifecycle.pauseMs);
      if (stopped()) break;
      await measured(plan, caller, 'delete', { query: DELETE_TASKS, variables: { input: { fwInstanceId: fw, ids: [id] } } });
    }
    await pause(lifecycle.pauseMs);
  }
}

function start(plan: LoadPlan): void {
  const callers = plan.callers.map((callerPlan): Caller => ({
    plan: callerPlan,
    // Idle sockets are closed by the load long before HAProxy's keep-alive timeout, never raced.
    agent: new http.Agent({ keepAlive: true, maxSockets: plan.maxInFlightPerCaller + 4, timeout: 5_000 }),
    readsPerSecond: callerPlan.readsPerSecond,
    rateSince: epochNow(),
    sentSince: 0,
    inFlight: 0,
    skipped: 0,
    serial: 0,
  }));
  const byName = new Map(callers.map((caller) => [caller.plan.name, caller]));
  // Reads at a steady rate: every 5 ms each caller sends what it owes (a late tick catches up).
  const ticker = setInterval(() => {
    const now = epochNow();
    for (const caller of callers) {
      const owed = Math.floor(((now - caller.rateSince) / 1000) * caller.readsPerSecond) - caller.sentSince;
      for (let i = 0; i < owed; i++) {
        caller.sentSince++;
        if (caller.inFlight >= plan.maxInFlightPerCaller) caller.skipped++;
        else sendRead(plan, caller);
      }
    }
  }, 5);
  const flusher = setInterval(() => {
    flush(callers);
  }, 500);
  for (const caller of callers) if (caller.plan.lifecycle !== undefined) track(walkLifecycle(plan, caller, caller.plan.lifecycle));
  process.on('message', (message: ToLoad) => {
    if (message.type === 'rate') {
      const caller = byName.get(message.caller);
      if (caller === undefined) return;
      caller.readsPerSecond = message.readsPerSecond;
      caller.rateSince = epochNow();
      caller.sentSince = 0;
    } else if (message.type === 'read-method') {
      reads.method = message.method;
    } else if (message.type === 'stop') {
      run.stopping = true;
      clearInterval(ticker);
      // What is in flight is waited for (each ends by its timeout at the latest), then reported.
      void Promise.allSettled([...outstanding]).then(() => {
        clearInterval(flusher);
        flush(callers);
        send({ type: 'stopped' });
        for (const caller of callers) caller.agent.destroy();
        process.disconnect();
      });
    }
  });
}

function flush(callers: readonly Caller[]): void {
  const records = pending;
  pending = [];
  send({ type: 'records', records, skipped: Object.fromEntries(callers.map((caller) => [caller.plan.name, caller.skipped])) });
}

process.once('message', (message: ToLoad) => {
  if (message.type === 'start') start(message.plan);
});
// The harness holds the channel: when it goes away, so does the load.
process.on('disconnect', () => {
  process.exit(0);
});
