// What a balancer in front of several replicas relies on: /readyz fails only while starting and
// leaving, never because CFW (shared by every replica) fails; an open breaker closes by itself with
// no traffic; a stop leaves first (readiness 503, still serving, `Connection: close`) and only then
// closes the listener.
import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import type { BreakerState } from '../../src/upstream/resilience.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { PROBE_FIREWALL } from '../../src/upstream/client.ts';
import { startHarness, withHarness, type Harness } from '../helpers/harness.ts';

const LIST = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`;
const BREAKER = { CFW_BREAKER_THRESHOLD: '2', CFW_BREAKER_HALF_OPEN_MS: '100', CFW_RETRIES: '0' };

async function readyz(harness: Harness): Promise<{ status: number; body: { status: string; checks: Record<string, unknown> } }> {
  const response = await fetch(`${harness.origin}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, unknown> } };
}

/** Resolves at the breaker's next move to `state`. */
function breakerMovesTo(harness: Harness, state: BreakerState): Promise<void> {
  return new Promise((resolve) => {
    harness.upstream.guard.onStateChange((now) => {
      if (now === state) resolve();
    });
  });
}

describe('readiness behind a balancer', () => {
  it('closes the breaker after an outage where calls hung: a hanging probe gives up after PROBE_TIMEOUT_MS, not CFW_RESPONSE_TIMEOUT_MS', async () => {
    // A minute's response timeout: were the probe to wait for it, the test would time out.
    await withHarness({ env: { ...BREAKER, CFW_RESPONSE_TIMEOUT_MS: '60000', CFW_TIMEOUT_MS: '60000' } }, async (harness) => {
      harness.simulator.faults.push({ kind: 'status', status: 503, times: 2 }, { kind: 'hang', times: 1 });
      const opened = breakerMovesTo(harness, 'open');
      await harness.gql(LIST);
      await harness.gql(LIST);
      await opened;
      const callsBefore = harness.simulator.callCount;
      await breakerMovesTo(harness, 'closed');
      // The first probe hung and was given up on; the next one, a half-open time later, answered.
      expect(harness.simulator.callCount - callsBefore).toBe(2);
    });
  });

  it('stays 200 while the CFW breaker is open, and shows the breaker', async () => {
    await withHarness({ env: BREAKER }, async (harness) => {
      harness.simulator.faults.push({ kind: 'status', status: 503, times: Infinity });
      const opened = breakerMovesTo(harness, 'open');
      const first = await harness.gql(LIST);
      await harness.gql(LIST);
      await opened;
      expect(first.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
      const during = await readyz(harness);
      expect(during.status).toBe(200);
      expect(during.body).toMatchObject({ status: 'ready', checks: { upstreamBreaker: 'open', draining: false } });
      harness.simulator.faults.length = 0;
    });
  });

  it('closes an open breaker by itself once CFW answers, with no request from any client', async () => {
    await withHarness({ env: BREAKER }, async (harness) => {
      harness.simulator.faults.push({ kind: 'status', status: 503, times: 3 });
      const opened = breakerMovesTo(harness, 'open');
      await harness.gql(LIST);
      await harness.gql(LIST);
      await opened;
      const callsBefore = harness.simulator.callCount;
      const closed = breakerMovesTo(harness, 'closed');
      // No client sends anything from here on: the probe alone closes it (the third 503 fails one probe).
      await closed;
      expect(harness.upstream.guard.state()).toBe('closed');
      expect(harness.simulator.calls.slice(callsBefore).every((call) => call.fwInstanceId === PROBE_FIREWALL)).toBe(true);
      expect(harness.simulator.callCount - callsBefore).toBe(2);
      const after = await harness.gql(LIST);
      expect(after.body.errors).toBeUndefined();
    });
  });
});

/** One GET over a kept-alive agent: its status and whether the gateway said it closes the connection. */
function get(url: string, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent }, (response) => {
      response.resume();
      response.once('end', () => {
        resolve({ status: response.statusCode ?? 0, connection: response.headers.connection });
      });
    });
    request.once('error', reject);
    request.end();
  });
}

describe('leaving before draining', () => {
  it('answers /readyz 503 at once, keeps serving with Connection: close until the delay ends, then closes the listener', async () => {
    const harness = await startHarness({});
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(`${harness.origin}/readyz`, agent)).toEqual({ status: 200, connection: 'keep-alive' });
      // The test says when the instance has been seen to leave: no time is guessed.
      let seenToLeave = () => {};
      let closed = false;
      const closing = harness.gateway.close({ leaving: new Promise<void>((resolve) => (seenToLeave = resolve)) }).then(() => {
        closed = true;
      });
      const during = await get(`${harness.origin}/readyz`, agent);
      expect(during).toEqual({ status: 503, connection: 'close' });
      const served = await harness.gql(LIST);
      expect(served.body.data?.['captureTasks']).toEqual({ totalCount: expect.any(Number) });
      expect(served.headers.get('connection')).toBe('close');
      expect(closed).toBe(false);
      const metrics = await (await fetch(`${harness.origin}/metrics`)).text();
      expect(metrics).toMatch(/^gateway_ready 0$/m);
      expect(metrics).toMatch(/^gateway_draining 1$/m);
      expect(metrics).toMatch(/^gateway_drain_started_timestamp_seconds [1-9]/m);
      expect(closed).toBe(false);
      seenToLeave();
      await closing;
      await expect(fetch(`${harness.origin}/readyz`)).rejects.toThrow();
    } finally {
      agent.destroy();
      await harness.simulator.close();
    }
  });
});
