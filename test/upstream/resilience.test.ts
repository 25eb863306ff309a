// The circuit breaker and bulkhead (src/upstream/resilience.ts), tested directly: the calls are
// plain functions the test settles, counted as they start; the breaker's clock is a fake Date
// (cockatiel reads Date.now()), so half-open is reached by setting the time, not waiting for it.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ErrorCode, UnauthenticatedError, UpstreamCancelledError, UpstreamError } from '../../src/errors.ts';
import { createUpstreamGuard, isUpstreamHealthFailure, type BreakerState } from '../../src/upstream/resilience.ts';
import { fakeDateOnly } from '../helpers/clock.ts';

const OPTIONS = { breakerThreshold: 2, halfOpenAfterMs: 5_000, maxConcurrent: 1, maxQueued: 1 };
const unavailable = () => new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'unavailable', { status: 503 });

afterEach(() => {
  jest.useRealTimers();
});

describe('isUpstreamHealthFailure', () => {
  it.each([
    ['a 503', true, unavailable()],
    ['a timeout', true, new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'slow', {})],
    ['a 500', true, new UpstreamError(ErrorCode.UPSTREAM_ERROR, 'failed', { status: 500 })],
    ['a bug (not a GatewayError)', true, new Error('bug')],
    ['a 429 (the upstream answering)', false, new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'limited', { status: 429 })],
    ["CFW's transient 400", false, new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'transient', { status: 400 })],
    ['a 401', false, new UnauthenticatedError('expired')],
    ['no such firewall', false, new UpstreamError(ErrorCode.NOT_FOUND, 'gone', { status: 400 })],
    ['a cancelled call', false, new UpstreamCancelledError(1)],
  ])('%s: %s', (_name, failure, error) => {
    expect(isUpstreamHealthFailure(error)).toBe(failure);
  });
});

describe('the circuit breaker', () => {
  it('opens after breakerThreshold failures, fails fast without calling, probes once half-open, closes on success', async () => {
    fakeDateOnly(1_000_000);
    const guard = createUpstreamGuard(OPTIONS);
    const states: BreakerState[] = [];
    guard.onStateChange((state) => states.push(state));
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(unavailable());
    };
    const succeeding = () => {
      calls++;
      return Promise.resolve('page');
    };
    for (let i = 0; i < 2; i++) await expect(guard.execute(failing)).rejects.toMatchObject({ message: 'unavailable' });
    expect(guard.state()).toBe('open');
    await expect(guard.execute(succeeding)).rejects.toMatchObject({ code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream: { attempts: 0 } });
    expect(calls).toBe(2);
    jest.setSystemTime(1_000_000 + 4_999);
    await expect(guard.execute(succeeding)).rejects.toMatchObject({ message: expect.stringContaining('circuit open') });
    expect(calls).toBe(2);
    jest.setSystemTime(1_000_000 + 5_000);
    await expect(guard.execute(succeeding)).resolves.toBe('page');
    expect(calls).toBe(3);
    expect(guard.state()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it("is not opened by failures that say nothing of the upstream's health", async () => {
    const guard = createUpstreamGuard(OPTIONS);
    for (let i = 0; i < 5; i++)
      await expect(guard.execute(() => Promise.reject(new UnauthenticatedError('expired')))).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(guard.state()).toBe('closed');
  });
});

describe('the bulkhead', () => {
  it('runs maxConcurrent calls, queues maxQueued, refuses the rest at once', async () => {
    const guard = createUpstreamGuard({ ...OPTIONS, breakerThreshold: 100 });
    let inFlight = 0;
    const first = Promise.withResolvers<string>();
    const started: string[] = [];
    const call = (name: string, answer: Promise<string>) => () => {
      started.push(name);
      inFlight++;
      return answer.finally(() => inFlight--);
    };
    const running = guard.execute(call('first', first.promise));
    const queued = guard.execute(call('queued', Promise.resolve('second')));
    await expect(guard.execute(call('refused', Promise.resolve('never')))).rejects.toMatchObject({
      code: ErrorCode.UPSTREAM_UNAVAILABLE,
      message: 'The gateway has too many upstream calls in flight; try again shortly.',
    });
    expect(started).toEqual(['first']);
    expect(inFlight).toBe(1);
    first.resolve('first');
    expect(await running).toBe('first');
    expect(await queued).toBe('second');
    expect(started).toEqual(['first', 'queued']);
  });

  it('fails a queued call whose operation ended as cancelled, and one past its deadline as UPSTREAM_TIMEOUT', async () => {
    const guard = createUpstreamGuard({ ...OPTIONS, maxQueued: 2, breakerThreshold: 100 });
    const first = Promise.withResolvers<string>();
    let calls = 0;
    const running = guard.execute(() => {
      calls++;
      return first.promise;
    });
    const ended = new AbortController();
    const deadline = new AbortController();
    const cancelled = guard.execute(() => Promise.resolve(String(++calls)), ended.signal);
    const timedOut = guard.execute(() => Promise.resolve(String(++calls)), deadline.signal);
    ended.abort();
    deadline.abort(new DOMException('The deadline passed.', 'TimeoutError'));
    first.resolve('first');
    await running;
    await expect(cancelled).rejects.toBeInstanceOf(UpstreamCancelledError);
    await expect(timedOut).rejects.toMatchObject({
      code: ErrorCode.UPSTREAM_TIMEOUT,
      message: 'The upstream call waited too long for a free connection slot.',
    });
    expect(calls).toBe(1);
  });
});
