// The shared pollers: one read per firewall and interval for every subscriber, events only on change,
// the stream's ends, and failures (passing ones backed off, the rest ending the streams). The list
// reads are a test double here; test/integration/live-*.test.ts read through the real page read.
import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ErrorCode, UnauthenticatedError, UpstreamError } from '../../src/errors.ts';
import { LiveHub, type PollScope, type Watch } from '../../src/live/hub.ts';
import { MAX_BACKOFF_FACTOR, type ListScan } from '../../src/live/poller.ts';
import type { LiveEvent } from '../../src/live/state.ts';
import { isPassingFailure } from '../../src/live/upstream-scan.ts';
import { CaptureTaskStatusCodes } from '../../src/upstream/codes.ts';
import type { CaptureTaskRecord } from '../../src/upstream/wire.ts';
import { ManualTimers } from '../helpers/live-timers.ts';

const { RUNNING, STOPPED, ENDING } = CaptureTaskStatusCodes.code;
const INTERVAL = 5_000;

const task = (id: string, change: Partial<CaptureTaskRecord> = {}): CaptureTaskRecord => ({
  task_id: id,
  name: id,
  status: RUNNING,
  capture_size: '0kb',
  remaining_days: 7,
  is_deleted: 0,
  modified_date: '2026-01-05 09:00:00',
  ...change,
});

/** A firewall whose list the test sets, counting reads; failing with `failWith` while it is set. */
class FakeFirewall {
  records: CaptureTaskRecord[] = [];
  reads = 0;
  failWith: Error | undefined;
  readonly scan: ListScan = () => {
    this.reads++;
    return this.failWith === undefined ? Promise.resolve([...this.records]) : Promise.reject(this.failWith);
  };
}

function setup(maxFailingMs = 60_000) {
  const timers = new ManualTimers();
  const firewalls = new Map<string, FakeFirewall>();
  const firewall = (id: string) => {
    let found = firewalls.get(id);
    if (found === undefined) {
      found = new FakeFirewall();
      firewalls.set(id, found);
    }
    return found;
  };
  const polls: string[] = [];
  const hub = new LiveHub<PollScope>({
    intervalMs: INTERVAL,
    maxFailingMs,
    timers,
    scanFor: (scope) => firewall(scope.fwInstanceId).scan,
    isPassing: isPassingFailure,
    onPoll: (outcome) => polls.push(outcome),
  });
  const scope = (fwInstanceId: string, credentialKey = 'token:a'): PollScope => ({ credentialKey, fwInstanceId, enterpriseProjectId: undefined });
  return { timers, hub, firewall, scope, polls };
}

/** Everything a watch yields until it ends, with the reason; the time is moved on while it waits. */
async function collect(watch: Watch, timers: ManualTimers, stepMs = INTERVAL, maxSteps = 100): Promise<{ events: LiveEvent[]; reason: string | undefined }> {
  const events: LiveEvent[] = [];
  const state = { done: false };
  const reading = (async () => {
    for await (const event of watch) events.push(event);
    state.done = true;
  })();
  for (let step = 0; step < maxSteps && !state.done; step++) {
    await nextTurn();
    timers.advance(stepMs);
  }
  await reading;
  return { events, reason: watch.endReason };
}

const statusOf = (event: LiveEvent | undefined) => (event?.kind === 'task' ? event.record.status : event?.kind);

describe('LiveHub', () => {
  it('starts with the task as it stands, sends only changes, never a repeat, and completes after a final status', async () => {
    const { timers, hub, firewall, scope } = setup();
    const fw = firewall('fw-1');
    fw.records = [task('t1')];
    const watch = hub.watch(scope('fw-1'), 't1');
    await nextTurn();
    expect(await watch.next()).toMatchObject({ value: { kind: 'task', record: { status: RUNNING } } });
    // The same state read twice makes no event; a larger capture does.
    timers.advance(INTERVAL);
    await nextTurn();
    fw.records = [task('t1', { capture_size: '10kb' })];
    timers.advance(INTERVAL);
    await nextTurn();
    expect(await watch.next()).toMatchObject({ value: { record: { capture_size: '10kb' } } });
    fw.records = [task('t1', { capture_size: '10kb', status: ENDING })];
    timers.advance(INTERVAL);
    await nextTurn();
    fw.records = [task('t1', { capture_size: '10kb', status: STOPPED })];
    const rest = await collect(watch, timers);
    expect(rest.events.map(statusOf)).toEqual([ENDING, STOPPED]);
    expect(rest.reason).toBe('final');
    expect(hub.pollers).toBe(0);
    expect(timers.pending).toBe(0);
  });

  it('answers null and completes when the task is not listed', async () => {
    const { timers, hub, firewall, scope } = setup();
    firewall('fw-1').records = [task('other')];
    const { events, reason } = await collect(hub.watch(scope('fw-1'), 'missing'), timers);
    expect(events).toEqual([{ kind: 'gone' }]);
    expect(reason).toBe('gone');
  });

  it('answers null once a listed task is gone', async () => {
    const { timers, hub, firewall, scope } = setup();
    const fw = firewall('fw-1');
    fw.records = [task('t1')];
    const watch = hub.watch(scope('fw-1'), 't1');
    await nextTurn();
    await watch.next();
    fw.records = [];
    const { events, reason } = await collect(watch, timers);
    expect(events).toEqual([{ kind: 'gone' }]);
    expect(reason).toBe('gone');
  });

  it('reads again for a subscriber whose task the last read did not list (created just before it subscribed)', async () => {
    const { hub, firewall, scope } = setup();
    const fw = firewall('fw-1');
    fw.records = [task('t1')];
    const first = hub.watch(scope('fw-1'), 't1');
    await nextTurn();
    await first.next();
    fw.records = [task('t1'), task('t2')];
    const second = hub.watch(scope('fw-1'), 't2');
    await nextTurn();
    expect(await second.next()).toMatchObject({ value: { kind: 'task', record: { task_id: 't2' } } });
    expect(fw.reads).toBe(2);
    await first.return();
    await second.return();
  });

  it('reads each firewall once per interval for every subscriber of every task on it, per credential', async () => {
    const { timers, hub, firewall, scope } = setup();
    const watches: Watch[] = [];
    for (let f = 0; f < 10; f++) {
      firewall(`fw-${f}`).records = Array.from({ length: 10 }, (_, t) => task(`t${t}`));
      for (let s = 0; s < 100; s++) watches.push(hub.watch(scope(`fw-${f}`), `t${s % 10}`));
    }
    watches.push(hub.watch(scope('fw-0', 'token:b'), 't0'));
    await nextTurn();
    expect(hub.pollers).toBe(11);
    for (let round = 0; round < 5; round++) {
      timers.advance(INTERVAL);
      await nextTurn();
    }
    // The first read, then one per interval: the joiners of a running poller were served from its last read.
    expect(firewall('fw-3').reads).toBe(6);
    expect(firewall('fw-0').reads).toBe(12);
    await Promise.all(watches.map((watch) => watch.return()));
    expect(hub.pollers).toBe(0);
    expect(timers.pending).toBe(0);
  });

  it('stops polling when the last subscriber of a firewall leaves', async () => {
    const { timers, hub, firewall, scope } = setup();
    firewall('fw-1').records = [task('t1'), task('t2')];
    const a = hub.watch(scope('fw-1'), 't1');
    const b = hub.watch(scope('fw-1'), 't2');
    await nextTurn();
    await a.return();
    expect(hub.pollers).toBe(1);
    expect(a.endReason).toBe('client');
    await b.return();
    expect(hub.pollers).toBe(0);
    timers.advance(10 * INTERVAL);
    expect(firewall('fw-1').reads).toBe(1);
  });

  it('backs off through passing upstream failures and carries on, without ending the stream', async () => {
    const { timers, hub, firewall, scope, polls } = setup(600_000);
    const fw = firewall('fw-1');
    fw.records = [task('t1')];
    const watch = hub.watch(scope('fw-1'), 't1');
    await nextTurn();
    await watch.next();
    fw.failWith = new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream is unavailable.', { status: 503 });
    const gaps: (number | undefined)[] = [];
    for (let failure = 0; failure < 5; failure++) {
      timers.fireNext();
      await nextTurn();
      gaps.push(timers.nextInMs);
    }
    expect(gaps).toEqual([2, 4, 8, 8, 8].map((factor) => Math.min(factor, MAX_BACKOFF_FACTOR) * INTERVAL));
    fw.failWith = undefined;
    fw.records = [task('t1', { status: STOPPED })];
    const { events, reason } = await collect(watch, timers);
    expect(events.map(statusOf)).toEqual([STOPPED]);
    expect(reason).toBe('final');
    expect(polls.filter((outcome) => outcome === 'failed')).toHaveLength(5);
  });

  it('ends the stream with the last error once failures outlast the failure limit (60 s here)', async () => {
    const { timers, hub, firewall, scope } = setup();
    const fw = firewall('fw-1');
    fw.records = [task('t1')];
    const watch = hub.watch(scope('fw-1'), 't1');
    await nextTurn();
    await watch.next();
    const unavailable = new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'The upstream did not answer in time.', {});
    fw.failWith = unavailable;
    const { events, reason } = await collect(watch, timers, 1_000, 1_000);
    expect(events).toEqual([{ kind: 'error', error: unavailable }]);
    expect(reason).toBe('error');
    expect(timers.now()).toBeGreaterThanOrEqual(60_000);
    expect(timers.now()).toBeLessThan(60_000 + (MAX_BACKOFF_FACTOR + 2) * INTERVAL);
  });

  it.each([
    ['credentials CFW refuses', new UnauthenticatedError('The upstream rejected the credentials.', { status: 401 })],
    ['a firewall CFW does not know', new UpstreamError(ErrorCode.NOT_FOUND, 'No such firewall.', { status: 404 })],
  ])('ends every stream of the poller at once with %s', async (_label, error) => {
    const { timers, hub, firewall, scope } = setup();
    const fw = firewall('fw-1');
    fw.records = [task('t1'), task('t2')];
    const a = hub.watch(scope('fw-1'), 't1');
    const b = hub.watch(scope('fw-1'), 't2');
    await nextTurn();
    fw.failWith = error;
    const [first, second] = await Promise.all([collect(a, timers), collect(b, timers)]);
    expect(first.events.map((event) => event.kind)).toEqual(['task', 'error']);
    expect(second.events.at(-1)).toEqual({ kind: 'error', error });
    expect(first.reason).toBe('error');
    expect(hub.pollers).toBe(0);
  });

  it('ends every stream when it closes (draining), and any later one at once', async () => {
    const { timers, hub, firewall, scope } = setup();
    firewall('fw-1').records = [task('t1')];
    const watch = hub.watch(scope('fw-1'), 't1');
    await nextTurn();
    hub.close();
    const { events, reason } = await collect(watch, timers);
    expect(events.map(statusOf)).toEqual([RUNNING]);
    expect(reason).toBe('draining');
    const late = await collect(hub.watch(scope('fw-1'), 't1'), timers);
    expect(late).toEqual({ events: [], reason: 'draining' });
    expect(timers.pending).toBe(0);
  });
});

describe('isPassingFailure', () => {
  it.each([
    [new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'x', { status: 503 }), true],
    [new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'x', {}), true],
    [new UpstreamError(ErrorCode.UPSTREAM_ERROR, 'x', { status: 500 }), true],
    [new UpstreamError(ErrorCode.UPSTREAM_ERROR, 'x', { status: 400 }), false],
    [new UpstreamError(ErrorCode.FORBIDDEN, 'x', { status: 403 }), false],
    [new UnauthenticatedError('x', { status: 401 }), false],
    [new Error('a bug'), false],
  ])('%s → %s', (error, passing) => {
    expect(isPassingFailure(error)).toBe(passing);
  });
});
