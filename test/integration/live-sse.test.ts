// Subscription.captureTaskChanged over GraphQL over SSE (graphql-sse's client, distinct connections),
// against a real gateway and simulator: a capture created through the gateway watched from RUNNING
// to STOPPED, the shared poller, the stream's ends and errors as the contract says.
import { describe, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-sse';
import type { ExecutionResult } from 'graphql-sse';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { EMPTY_FIREWALL, STOP } from '../helpers/lifecycle.ts';
import { collect, WATCH, withLive, type LiveHarness, type WatchedShape } from '../helpers/live.ts';
import { until } from '../helpers/until.ts';

const sseClient = (harness: LiveHarness, headers: Record<string, string> = { 'x-auth-token': DEMO_TOKEN }): Client =>
  createClient({ url: harness.url, headers, retryAttempts: 0 });

function watch(client: Client, id: string, fw = EMPTY_FIREWALL) {
  return collect(client.iterate<WatchedShape>({ query: WATCH, variables: { fw, id } }));
}

const statuses = (items: readonly ExecutionResult<WatchedShape, unknown>[]) => items.map((item) => item.data?.captureTaskChanged?.status ?? null);

describe('captureTaskChanged over SSE', () => {
  it('follows a capture from RUNNING to its end (SUCCESSFUL when its duration is up): one event per listed change, then completes', async () => {
    await withLive({}, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 3 });
      const stream = watch(sseClient(harness), id);
      await until(() => stream.items.length === 1, 'the first event');
      expect(stream.items[0]).toEqual({ data: { captureTaskChanged: expect.objectContaining({ id, status: 'RUNNING', isDeleted: false }) } });
      // The captured size grows while it runs: an event; a read that lists the same state: none.
      await harness.step(60_000);
      await until(() => stream.items.length === 2, 'the size to change');
      await harness.step(0);
      expect(stream.items).toHaveLength(2);
      await harness.step(3 * 60_000);
      await stream.done;
      expect(statuses(stream.items)).toEqual(['RUNNING', 'RUNNING', 'SUCCESSFUL']);
      expect(stream.items[0]?.data?.captureTaskChanged?.captureSize).not.toEqual(stream.items[1]?.data?.captureTaskChanged?.captureSize);
    });
  });

  it('sees a stop made through the gateway within one interval, and reads each firewall once per interval for all its subscribers', async () => {
    await withLive({}, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const streams = Array.from({ length: 5 }, () => watch(sseClient(harness), id));
      await until(() => streams.every((stream) => stream.items.length === 1), 'every first event');
      const before = harness.simulator.callCount;
      await harness.step(0);
      await harness.step(0);
      expect(harness.simulator.callCount - before).toBe(2);
      expect(harness.gateway.metrics.registry.getSingleMetric('live_pollers_active')).toBeDefined();
      const stopped = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
      expect(stopped.body.errors).toBeUndefined();
      await harness.step(10_000);
      await harness.step(10_000);
      await Promise.all(streams.map((stream) => stream.done));
      for (const stream of streams) expect(statuses(stream.items).at(-1)).toBe('STOPPED');
      const metrics = await harness.gateway.metrics.registry.metrics();
      expect(metrics).toMatch(/live_pollers_active 0/);
      expect(metrics).toMatch(/live_subscriptions_active\{transport="sse"\} 0/);
      expect(metrics).toMatch(/live_events_sent_total\{transport="sse"\} \d+/);
    });
  });

  it('answers null and completes for a task the firewall does not list', async () => {
    await withLive({}, async (harness) => {
      const stream = watch(sseClient(harness), 'no-such-task');
      await stream.done;
      expect(stream.items).toEqual([{ data: { captureTaskChanged: null } }]);
    });
  });

  it('refuses a caller without credentials with UNAUTHENTICATED, as Query.captureTask does', async () => {
    await withLive({}, async (harness) => {
      const errors = await new Promise<unknown>((resolve) => {
        sseClient(harness, {}).subscribe(
          { query: WATCH, variables: { fw: EMPTY_FIREWALL, id: 'any' } },
          {
            next: (value) => {
              resolve(value.errors);
            },
            error: resolve,
            complete: () => undefined,
          },
        );
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    });
  });

  it('carries on through passing upstream failures (503) and ends with UNAUTHENTICATED once CFW refuses the token', async () => {
    const tokens = new Map([
      ['short-lived', {}],
      [DEMO_TOKEN, {}],
    ]);
    await withLive({ simulator: { tokens } }, async (harness) => {
      const id = await harness.startCapture({ durationMinutes: 30 });
      const stream = watch(sseClient(harness, { 'x-auth-token': 'short-lived' }), id);
      await until(() => stream.items.length === 1, 'the first event');
      harness.simulator.faults.push({ kind: 'status', status: 503, times: 10 });
      const failedBefore = harness.simulator.callCount;
      harness.timers.advance(harness.config.live.pollIntervalMs);
      await until(() => harness.simulator.callCount > failedBefore && harness.simulator.inFlight === 0 && harness.timers.pending === 1, 'a failed read');
      expect(stream.ended).toBe(false);
      harness.simulator.faults.length = 0;
      // The token expires: CFW answers 401.
      tokens.delete('short-lived');
      harness.timers.advance(harness.timers.nextInMs ?? 0);
      await stream.done;
      expect(stream.items).toHaveLength(2);
      expect(stream.items[1]).toEqual({
        data: { captureTaskChanged: null },
        errors: [expect.objectContaining({ path: ['captureTaskChanged'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })],
      });
    });
  });

  it('refuses queries on the stream and checks subscriptions as queries are checked (validation, depth)', async () => {
    await withLive({ env: { MAX_QUERY_DEPTH: '3' } }, async (harness) => {
      const first = (query: string) =>
        new Promise<ExecutionResult<Record<string, unknown>, unknown>>((resolve, reject) => {
          sseClient(harness).subscribe({ query, variables: { fw: EMPTY_FIREWALL, id: 'x' } }, { next: resolve, error: reject, complete: () => undefined });
        });
      expect((await first('query { __typename }')).errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
      expect((await first('subscription W($fw: ID!, $id: ID!) { captureTaskChanged(fwInstanceId: $fw, id: $id) { nope } }')).errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) }),
      ]);
      const deep =
        'subscription W($fw: ID!, $id: ID!) { captureTaskChanged(fwInstanceId: $fw, id: $id) { firewall { captureTasks(first: 1) { edges { node { id } } } } } }';
      expect((await first(deep)).errors?.[0]?.message).toMatch(/depth/i);
    });
  });
});
