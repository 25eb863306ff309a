// The POST retry rule through real HTTP: a create is tried again only when the failure proves CFW
// never applied it (no connection was made; 429; CFW's transient code). A failure after sending
// (a reset, no answer, a 5xx) is never retried: the list says whether the create happened.
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { Hooks } from 'got';
import type { Fault } from '../../src/simulator/faults.ts';
import { CREATE, createdTask, createInput, EMPTY_FIREWALL, errorCodesOf, payloadOf, withLifecycle } from '../helpers/lifecycle.ts';

const CREATE_ROUTE = { method: 'POST', path: '/capture-task' } as const;
const onCreate = (fault: Fault): Fault => ({ ...fault, match: CREATE_ROUTE });

/**
 * Resolves the simulator's made-up host name: to 127.0.0.1 where it listens, or, for the first
 * attempt of each POST, to a failure chosen by the test: 127.0.0.2 (nothing listens there: the
 * connection is refused) or a DNS error.
 */
function failingFirstPostAttempt(failure: 'refused' | 'ENOTFOUND' | 'EAI_AGAIN') {
  let failNext = false;
  const seen: string[] = [];
  const hooks: Partial<Hooks> = {
    beforeRequest: [
      (options, context) => {
        if (options.method === 'POST') failNext = context.retryCount === 0;
      },
    ],
  };
  const dnsLookup: LookupFunction = (hostname, options, callback) => {
    const fail = failNext;
    failNext = false;
    seen.push(fail ? failure : 'ok');
    if (fail && failure !== 'refused') {
      callback(Object.assign(new Error(`getaddrinfo ${failure} ${hostname}`), { code: failure, errno: -3008, syscall: 'getaddrinfo' }), '', 4);
      return;
    }
    const address = fail ? '127.0.0.2' : '127.0.0.1';
    if (options.all === true) {
      const all: LookupAddress[] = [{ address, family: 4 }];
      callback(null, all);
    } else callback(null, address, 4);
  };
  return { hooks, dnsLookup, seen };
}

describe('a create that may have reached CFW is never sent again', () => {
  it('reset after CFW applied it: one create, and the task is found by name and answered', async () => {
    await withLifecycle({ simulator: { faults: [onCreate({ kind: 'reset-after-apply' })] } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(payloadOf(result).userErrors).toEqual([]);
      expect(createdTask(result)).toMatchObject({ name: 'suspicious-flow', status: 'RUNNING' });
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });

  it('reset before CFW applied it: one create, nothing made, and an error that says the outcome was unknown', async () => {
    await withLifecycle({ simulator: { faults: [onCreate({ kind: 'reset' })] } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(errorCodesOf(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(result.body.errors?.[0]?.message).toContain('may or may not have been applied');
      expect(result.body.errors?.[0]?.path).toEqual(['createCaptureTask']);
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks).toHaveLength(0);
    });
  });

  it('no answer after CFW applied it (response timeout): one create, the task answered', async () => {
    await withLifecycle(
      { env: { CFW_RESPONSE_TIMEOUT_MS: '300', CFW_TIMEOUT_MS: '3000' }, simulator: { faults: [onCreate({ kind: 'hang-after-apply' })] } },
      async (harness) => {
        const result = await harness.gql(CREATE, { input: createInput() });
        expect(createdTask(result)).toMatchObject({ name: 'suspicious-flow' });
        expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
      },
    );
  });

  it.each([502, 503, 504])('%i: never retried (a gateway may have passed it on)', async (status) => {
    await withLifecycle({ simulator: { faults: [onCreate({ kind: 'status', status, times: 3 })] } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(errorCodesOf(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(result.body.errors?.[0]?.extensions?.['upstream']).toMatchObject({ status, attempts: 1 });
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });
});

describe('a create that provably never reached CFW is retried', () => {
  it('connection refused on the first attempt: retried, one capture', async () => {
    const failing = failingFirstPostAttempt('refused');
    await withLifecycle({ upstreamHost: 'cfw.test', dnsLookup: failing.dnsLookup, upstreamHooks: failing.hooks }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(createdTask(result)).toMatchObject({ status: 'RUNNING' });
      expect(failing.seen.filter((outcome) => outcome === 'refused')).toHaveLength(1);
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks).toHaveLength(1);
    });
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'] as const)('DNS failure (%s) on the first attempt: retried, one capture', async (code) => {
    const failing = failingFirstPostAttempt(code);
    await withLifecycle({ upstreamHost: 'cfw.test', dnsLookup: failing.dnsLookup, upstreamHooks: failing.hooks }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(createdTask(result)).toMatchObject({ status: 'RUNNING' });
      expect(failing.seen).toContain(code);
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });

  it.each<[string, Fault]>([
    ['429 (APIG throttled it)', { kind: 'rate-limit', retryAfterSeconds: 0 }],
    ['CFW.00109004 (transient, nothing done)', { kind: 'status', status: 400, errorCode: 'CFW.00109004' }],
  ])('%s: retried, one capture', async (_label, fault) => {
    await withLifecycle({ simulator: { faults: [onCreate(fault)] } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(createdTask(result)).toMatchObject({ status: 'RUNNING' });
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(2);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks).toHaveLength(1);
    });
  });
});
