// The issue's events, one function each, run against a fleet under load: each does its event,
// counts the load's records in the event's window and holds them to the issue's criteria.
import { setTimeout as sleep } from 'node:timers/promises';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { epochNow } from './load.ts';
import { CREATE_TASK, createInput, READ_TASKS, STOP_TASK, createdTaskIdOf, taskNamesOf } from './operations.ts';
import { ANSWERED, GRAPHQL_ANSWERS, outcomeOf, type OutcomeClass } from './outcome.ts';
import { alertStateOf, metricSum, UPSTREAM_ALERT, type AlertState } from './prometheus.ts';
import {
  callerToken,
  pollUntil,
  type BalancerProcess,
  type GatewayProcess,
  type LoadProcess,
  type PrometheusProcess,
  type RedisProcess,
  type SimulatorProcess,
} from './processes.ts';
import { failuresOf, inFlightAt, overlaps, recoveredAt, successRate, summarize, type RequestRecord, type Window } from './stats.ts';
import { criterion, type Criterion, type EventResult } from './verdicts.ts';

export interface Fleet {
  readonly redis: RedisProcess;
  readonly simulator: SimulatorProcess;
  readonly gateways: readonly GatewayProcess[];
  readonly balancer: BalancerProcess;
  readonly prometheus: PrometheusProcess | undefined;
  readonly load: LoadProcess;
  /** The caller of the load sent over its share in the fairness event. */
  readonly greedy: string;
  /** Reads per second of each caller. */
  readonly readsPerSecond: number;
  /** The caller the harness's own checks use (not part of the load). */
  readonly probe: string;
  readonly breakerHalfOpenMs: number;
  /** The firewall the load's callers walk captures on. */
  readonly lifecycleFirewall: string;
  /** CALLER_RATE_LIMIT_PER_SECOND and CALLER_RATE_LIMIT_BURST of every gateway. */
  readonly callerRateLimit: { readonly perSecond: number; readonly burst: number };
}

const failed = (record: RequestRecord) => !ANSWERED.has(record.class);

/** The load's requests in flight at any time during the window. */
function inWindowOf(fleet: Fleet, window: Window): RequestRecord[] {
  return fleet.load.records.filter((record) => overlaps(record, window));
}

function classesOf(records: readonly RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const record of records) {
    const key = `${record.op} ${record.class}${record.code === undefined ? '' : `:${record.code}`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts.size === 0 ? 'none' : [...counts].map(([key, count]) => `${count} ${key}`).join(', ');
}

/** The window's records, once the load has sent them. */
async function closeWindow(fleet: Fleet, from: number): Promise<Window> {
  const to = epochNow();
  await fleet.load.settle();
  return { from, to };
}

function result(fleet: Fleet, name: string, window: Window, criteria: readonly Criterion[], notes: readonly string[] = []): EventResult {
  return { name, window, summary: summarize(fleet.load.records, window), criteria, notes };
}

function zeroFailures(fleet: Fleet, window: Window, what = '0 failed requests'): Criterion {
  const records = inWindowOf(fleet, window);
  const failures = records.filter(failed);
  return criterion(what, failures.length === 0, `${records.length} requests, ${failures.length} failed (${classesOf(failures)})`);
}

/** Steady load, nothing happening: the reference the other events are read against. */
export async function steady(fleet: Fleet, seconds: number): Promise<EventResult> {
  const from = epochNow();
  await sleep(seconds * 1000);
  const window = await closeWindow(fleet, from);
  return result(fleet, 'steady load', window, [zeroFailures(fleet, window)]);
}

/** One GraphQL POST straight to a gateway (not through the balancer), as the probe caller. */
async function graphql(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ readonly status: number; readonly body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Across instances, on a firewall the load leaves alone: the same create sent to two instances at
 * once starts one capture; a create through one instance is listed at once by a read through another
 * (that had the list cached a moment before).
 */
export async function acrossInstances(fleet: Fleet): Promise<EventResult> {
  const from = epochNow();
  const [one, two, three] = fleet.gateways;
  if (one === undefined || two === undefined || three === undefined) throw new Error('the fleet has three gateways');
  const token = callerToken(fleet.probe);
  const fw = SIMULATOR_FIREWALLS.empty;
  const list = async (gateway: GatewayProcess) => taskNamesOf((await graphql(gateway.url, token, READ_TASKS, { fw, first: 100 })).body) ?? [];
  const criteria: Criterion[] = [];
  const notes: string[] = [];

  const twin = `fleet-twin-${process.pid}`;
  const answers = await Promise.all([one, two].map((gateway) => graphql(gateway.url, token, CREATE_TASK, { input: createInput(fw, twin) })));
  const outcomes = answers.map((answer) => outcomeOf({ kind: 'response', status: answer.status, body: answer.body }));
  const listed = (await list(three)).filter((name) => name === twin).length;
  const created = answers.map((answer) => createdTaskIdOf(answer.body)).filter((id): id is string => id !== undefined);
  criteria.push(
    criterion(
      'the same createCaptureTask sent to two instances at once makes one capture upstream',
      listed === 1 && created.length === 1,
      `listed ${listed} task(s) named ${twin} through a third instance; answers: ${outcomes.map((outcome) => `${outcome.class}${outcome.code === undefined ? '' : `:${outcome.code}`}`).join(', ')}`,
    ),
  );
  for (const id of created) await graphql(one.url, token, STOP_TASK, { input: { fwInstanceId: fw, id } });

  const seen = `fleet-seen-${process.pid}`;
  await list(two);
  const made = await graphql(one.url, token, CREATE_TASK, { input: createInput(fw, seen) });
  const madeId = createdTaskIdOf(made.body);
  const visible = (await list(two)).includes(seen);
  criteria.push(
    criterion(
      'a mutation made through one instance is visible at once in a list read through another',
      madeId !== undefined && visible,
      madeId === undefined
        ? `the create was not applied: ${made.body.slice(0, 200)}`
        : `created through ${one.name}, ${visible ? '' : 'not '}listed by ${two.name} right after (its list was read, and cached, just before)`,
    ),
  );
  if (madeId !== undefined) await graphql(one.url, token, STOP_TASK, { input: { fwInstanceId: fw, id: madeId } });
  const window = await closeWindow(fleet, from);
  return result(fleet, 'across instances', window, criteria, notes);
}

/** Waits until HAProxy sees every gateway UP. */
function allUp(fleet: Fleet, timeoutMs: number): Promise<void> {
  return fleet.balancer.waitForStates(
    (states) => fleet.gateways.every((gateway) => states.get(gateway.name) === 'UP'),
    'every gateway UP in HAProxy',
    timeoutMs,
  );
}

/** SIGTERM each instance in turn, start it again, wait until it is ready (and UP): 0 failed requests. */
export async function rollingRestart(fleet: Fleet): Promise<EventResult> {
  const from = epochNow();
  const notes: string[] = [];
  const exits: string[] = [];
  for (const gateway of fleet.gateways) {
    const signalled = epochNow();
    const exit = await gateway.terminate();
    exits.push(exit);
    const stopped = epochNow();
    await gateway.start();
    await pollUntil(async () => (await gateway.readiness()) === 200, `${gateway.name} ready`, 20_000);
    await allUp(fleet, 20_000);
    notes.push(
      `${gateway.name}: SIGTERM → exit (${exit}) in ${((stopped - signalled) / 1000).toFixed(1)} s, ready and UP again ${((epochNow() - stopped) / 1000).toFixed(1)} s later`,
    );
  }
  const window = await closeWindow(fleet, from);
  return result(
    fleet,
    'rolling restart',
    window,
    [
      zeroFailures(fleet, window),
      criterion(
        'every instance exits 0 after its drain',
        exits.every((exit) => exit === 'code 0'),
        exits.join(', '),
      ),
    ],
    notes,
  );
}

/**
 * kill -9 of one instance: only requests in flight on it may fail, and no read (sent as GET for
 * this event, which the balancer retries on another server when one closes without answering);
 * then it is started again. CFW answers slowly (500 ms) around the kill, so that requests, mutations
 * included, are surely in flight on the victim when it dies.
 */
export async function killOne(fleet: Fleet): Promise<EventResult> {
  const victim = fleet.gateways[1];
  if (victim === undefined) throw new Error('the fleet has three gateways');
  fleet.load.setReadMethod('GET');
  const from = epochNow();
  await sleep(1_000);
  await fleet.simulator.addFaults([{ kind: 'latency', ms: 500, times: 1_000_000 }]);
  await sleep(1_000);
  const killedAt = epochNow();
  await victim.kill();
  await fleet.simulator.clearFaults();
  // Down long enough for HAProxy to notice (2 failed checks a second apart), then back.
  await fleet.balancer.waitForStates((states) => states.get(victim.name)?.startsWith('DOWN') === true, `${victim.name} DOWN in HAProxy`, 10_000);
  const downAt = epochNow();
  await victim.start();
  await allUp(fleet, 20_000);
  const window = await closeWindow(fleet, from);
  fleet.load.setReadMethod('POST');
  const inWindow = inWindowOf(fleet, window);
  const inFlight = new Set(inFlightAt(fleet.load.records, killedAt));
  const failures = inWindow.filter(failed);
  const notInFlight = failures.filter((record) => !inFlight.has(record));
  const reads = failures.filter((record) => record.op === 'read');
  const mutations = failures.filter((record) => record.op !== 'read');
  const inFlightMutations = [...inFlight].filter((record) => record.op !== 'read');
  // A create that got no answer may still have started its capture: the list says.
  const lostCreates = mutations.filter((record) => record.op === 'create' && record.taskName !== undefined);
  const survivor = fleet.gateways[0];
  const listed =
    lostCreates.length === 0 || survivor === undefined
      ? []
      : (taskNamesOf((await graphql(survivor.url, callerToken(fleet.probe), READ_TASKS, { fw: fleet.lifecycleFirewall, first: 1024 })).body) ?? []);
  const applied = lostCreates.filter((record) => record.taskName !== undefined && listed.includes(record.taskName)).length;
  return result(
    fleet,
    'kill -9 one instance',
    window,
    [
      criterion(
        'only requests in flight at the kill may fail',
        notInFlight.length === 0,
        `${inFlight.size} in flight (all instances) at the kill, ${failures.length} failed, ${notInFlight.length} of them not in flight (${classesOf(notInFlight)})`,
      ),
      criterion('0 failed reads', reads.length === 0, `${reads.length} failed (${classesOf(reads)})`),
    ],
    [
      `HAProxy marked ${victim.name} DOWN ${((downAt - killedAt) / 1000).toFixed(1)} s after the kill`,
      `mutations in flight at the kill: ${inFlightMutations.length} (${classesOf(inFlightMutations)}); mutations failed in the window: ${mutations.length} (${classesOf(mutations)})`,
      ...(lostCreates.length === 0
        ? []
        : [
            `of the ${lostCreates.length} creates that got no answer, ${applied} started their capture anyway (listed afterwards): the client cannot tell which, and must read the list before sending the create again`,
          ]),
    ],
  );
}

/** Prometheus's view of the upstream alert, sampled once a second while `during` runs. */
async function watchAlert(prometheus: PrometheusProcess | undefined, during: Promise<unknown>): Promise<AlertState[]> {
  if (prometheus === undefined) {
    await during;
    return [];
  }
  const states: AlertState[] = [];
  const watch = { done: false };
  void during.finally(() => {
    watch.done = true;
  });
  for (let round = 0; round < 600 && !watch.done; round++) {
    states.push(alertStateOf(await prometheus.alerts(), UPSTREAM_ALERT));
    await Promise.race([sleep(1_000), during]);
  }
  await during;
  return states;
}

/**
 * Simulator faults make every CFW call fail (`fault`) for `seconds`; then the fault is cleared.
 * With Prometheus, its upstream alert must fire during the outage and resolve after it (waited for
 * up to `resolveTimeoutMs` after the event's window, so the next event starts with it inactive).
 */
export async function cfwOutage(fleet: Fleet, name: string, fault: Record<string, unknown>, seconds: number, resolveTimeoutMs = 90_000): Promise<EventResult> {
  const from = epochNow();
  const outage = (async () => {
    await fleet.simulator.addFaults([{ ...fault, times: 1_000_000 }]);
    await sleep(seconds * 1000);
    await fleet.simulator.clearFaults();
  })();
  const alert = await watchAlert(fleet.prometheus, outage);
  const endedAt = epochNow();
  // Recovery: wait the breaker's half-open time and a few seconds more, then look at when normal answers came back.
  await sleep(fleet.breakerHalfOpenMs + 5_000);
  const window = await closeWindow(fleet, from);
  const inWindow = inWindowOf(fleet, window);
  const notGraphQL = inWindow.filter((record) => !GRAPHQL_ANSWERS.has(record.class));
  const reads = fleet.load.records.filter((record) => record.op === 'read' && record.start < window.to);
  const normalSince = recoveredAt(reads, endedAt, ANSWERED);
  const recovery = normalSince === undefined ? undefined : Math.max(0, normalSince - endedAt);
  const bound = fleet.breakerHalfOpenMs + 1_000;
  const criteria = [
    criterion(
      'every answer is a GraphQL answer with a typed error: no balancer page, no connection error',
      notGraphQL.length === 0,
      `${inWindow.length} requests, ${notGraphQL.length} not GraphQL (${classesOf(notGraphQL)}); errors: ${classesOf(inWindow.filter(failed))}`,
    ),
    criterion(
      `normal answers resume within the breaker's half-open time + 1 s (${bound / 1000} s) after the outage`,
      recovery !== undefined && recovery <= bound,
      recovery === undefined
        ? 'reads still failing at the end of the window'
        : `reads all answered normally from ${(recovery / 1000).toFixed(1)} s after the outage ended`,
    ),
  ];
  if (fleet.prometheus !== undefined) {
    criteria.push(
      criterion(`Prometheus fires ${UPSTREAM_ALERT} during the outage`, alert.includes('firing'), `states sampled each second: ${alert.join(' ')}`),
    );
    criteria.push(await alertResolves(fleet.prometheus, endedAt, resolveTimeoutMs));
  }
  return result(fleet, name, window, criteria);
}

/** The upstream alert resolves (inactive in /api/v1/alerts) within `timeoutMs`; how long after `endedAt` it took. */
async function alertResolves(prometheus: PrometheusProcess, endedAt: number, timeoutMs: number): Promise<Criterion> {
  const deadline = epochNow() + timeoutMs;
  let state: AlertState = alertStateOf(await prometheus.alerts(), UPSTREAM_ALERT);
  for (let round = 0; round < timeoutMs / 1000 && state !== 'inactive' && epochNow() < deadline; round++) {
    await sleep(1_000);
    state = alertStateOf(await prometheus.alerts(), UPSTREAM_ALERT);
  }
  return criterion(
    `Prometheus resolves ${UPSTREAM_ALERT} after the outage`,
    state === 'inactive',
    state === 'inactive'
      ? `inactive ${((epochNow() - endedAt) / 1000).toFixed(0)} s after the outage ended`
      : `still ${state} ${((epochNow() - endedAt) / 1000).toFixed(0)} s after the outage ended`,
  );
}

/**
 * After an event: every gateway back UP in HAProxy. One that is not within `graceMs` is restarted,
 * so the next event starts from a whole fleet; returns the names restarted.
 */
export async function repair(fleet: Fleet, graceMs = 3_000): Promise<string[]> {
  try {
    await allUp(fleet, graceMs);
    return [];
  } catch {
    const states = await fleet.balancer.states();
    const down = fleet.gateways.filter((gateway) => states.get(gateway.name) !== 'UP');
    for (const gateway of down) {
      await gateway.terminate(15_000);
      await gateway.start();
    }
    await allUp(fleet, 20_000);
    return down.map((gateway) => gateway.name);
  }
}

/** Redis frozen (SIGSTOP) for `frozenSeconds`, then killed and started again, empty: 0 failed requests. */
export async function redisTrouble(fleet: Fleet, frozenSeconds: number): Promise<EventResult> {
  const from = epochNow();
  fleet.redis.freeze();
  await sleep(frozenSeconds * 1000);
  const frozenUntil = epochNow();
  await fleet.redis.kill();
  await sleep(2_000);
  await fleet.redis.restart();
  await sleep(8_000);
  const window = await closeWindow(fleet, from);
  const frozen = summarize(fleet.load.records, { from, to: frozenUntil });
  return result(
    fleet,
    'Redis frozen, killed, restarted',
    window,
    [zeroFailures(fleet, window)],
    [`while frozen: ${frozen.requests} requests, p99 ${frozen.p99?.toFixed(0) ?? '–'} ms`],
  );
}

/** One caller at 10× its share for `seconds`: it is limited (RATE_LIMITED), the others' success rate is unchanged. */
export async function fairness(fleet: Fleet, seconds: number): Promise<EventResult> {
  const others = (record: RequestRecord) => record.caller !== fleet.greedy;
  const greedy = (record: RequestRecord) => record.caller === fleet.greedy;
  // The reference: the others' requests sent in the moment before (none left over from an earlier event).
  const before: Window = { from: epochNow() - seconds * 1000, to: epochNow() };
  const othersBefore = summarize(fleet.load.records, before, (record) => others(record) && record.start >= before.from);
  const from = epochNow();
  fleet.load.setRate(fleet.greedy, fleet.readsPerSecond * 10);
  await sleep(seconds * 1000);
  fleet.load.setRate(fleet.greedy, fleet.readsPerSecond);
  const window = await closeWindow(fleet, from);
  const allowed: ReadonlySet<OutcomeClass> = ANSWERED;
  const othersDuring = summarize(fleet.load.records, window, others);
  const greedyDuring = summarize(fleet.load.records, window, greedy);
  const rate = (value: number) => `${(value * 100).toFixed(2)} %`;
  return result(
    fleet,
    'one caller at 10× its share',
    window,
    [
      // Unchanged, and whole: a fleet failing everyone alike would pass the first test alone.
      criterion(
        "the others' success rate is unchanged",
        successRate(othersDuring, allowed) >= Math.min(successRate(othersBefore, allowed), 0.999) && othersBefore.requests > 0,
        `others: ${rate(successRate(othersBefore, allowed))} of ${othersBefore.requests} before, ${rate(successRate(othersDuring, allowed))} of ${othersDuring.requests} during (p99 ${othersBefore.p99?.toFixed(0) ?? '–'} → ${othersDuring.p99?.toFixed(0) ?? '–'} ms)`,
      ),
      criterion(
        'the greedy caller is held to its rate limit (RATE_LIMITED)',
        greedyDuring.byClass['rate-limited'] > 0,
        `${fleet.greedy}: ${greedyDuring.requests} requests, ${greedyDuring.byClass.ok} ok, ${greedyDuring.byClass['rate-limited']} rate limited, ${failuresOf(greedyDuring, GRAPHQL_ANSWERS)} not GraphQL`,
      ),
    ],
    [
      `${fleet.greedy} answered ok at ${(greedyDuring.byClass.ok / seconds).toFixed(0)}/s while sending ${(greedyDuring.requests / seconds).toFixed(0)}/s, against a limit of ${fleet.callerRateLimit.perSecond}/s with a burst of ${fleet.callerRateLimit.burst} shared by the ${fleet.gateways.length} instances`,
    ],
  );
}

/** The sum of a counter over every gateway's /metrics. */
async function fleetCounter(fleet: Fleet, name: string): Promise<number> {
  const pages = await Promise.all(fleet.gateways.map((gateway) => gateway.metrics()));
  return pages.reduce((sum, page) => sum + metricSum(page, name), 0);
}

/**
 * CFW throttles (429 APIGW.0308 with Retry-After: 1) every call for `seconds`: the fleet backs off
 * rather than multiplying retries, i.e. it calls CFW no more often while throttled than it did just
 * before (when part of its reads came from the page cache), and every answer is still GraphQL.
 */
export async function cfwThrottles(fleet: Fleet, seconds: number): Promise<EventResult> {
  const upstreamCalls = async () => Object.values(await fleet.simulator.callCounts()).reduce((sum, count) => sum + count, 0);
  const baselineFrom = epochNow();
  const baselineStart = await upstreamCalls();
  await sleep(seconds * 1000);
  const baselineCalls = (await upstreamCalls()) - baselineStart;
  const baselineWindow: Window = { from: baselineFrom, to: epochNow() };
  const from = epochNow();
  const [throttledStart, retriesStart] = [await upstreamCalls(), await fleetCounter(fleet, 'upstream_retries_total')];
  await fleet.simulator.addFaults([{ kind: 'rate-limit', retryAfterSeconds: 1, times: 1_000_000 }]);
  await sleep(seconds * 1000);
  await fleet.simulator.clearFaults();
  const [throttledCalls, retries] = [(await upstreamCalls()) - throttledStart, (await fleetCounter(fleet, 'upstream_retries_total')) - retriesStart];
  const window = await closeWindow(fleet, from);
  const during = summarize(fleet.load.records, window);
  const baseline = summarize(fleet.load.records, baselineWindow);
  const inWindow = inWindowOf(fleet, window);
  const notGraphQL = inWindow.filter((record) => !GRAPHQL_ANSWERS.has(record.class));
  return result(fleet, 'CFW throttles (429)', window, [
    criterion(
      'the fleet backs off rather than multiplying retries: no more CFW calls while throttled than just before',
      baselineCalls > 0 && throttledCalls <= baselineCalls,
      `${throttledCalls} CFW calls in ${seconds} s throttled (${retries} of them retries, for ${during.requests} requests) against ${baselineCalls} in ${seconds} s before (for ${baseline.requests} requests)`,
    ),
    criterion(
      'every answer is a GraphQL answer',
      notGraphQL.length === 0,
      `${notGraphQL.length} not GraphQL (${classesOf(notGraphQL)}); errors: ${classesOf(inWindow.filter(failed))}`,
    ),
  ]);
}
