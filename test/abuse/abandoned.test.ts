// A client that leaves mid-operation must never take the process down with it.
import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { withHarness } from '../helpers/harness.ts';
import { until } from '../helpers/until.ts';

const ENTITIES = `query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { captureTasks(first: 5) { totalCount } } } }`;

describe('abandoned operations', () => {
  it('survives clients that abandon _entities fetches wider than the concurrency cap, and logs no failure', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await withHarness({}, async (harness) => {
        const ids = Object.values(SIMULATOR_FIREWALLS).filter((id) => id !== SIMULATOR_FIREWALLS.finance);
        const representations = [...ids, ...ids].map((id, index) => ({ __typename: 'Firewall', id: index < ids.length ? id : `${id.slice(0, -2)}00` }));
        // The client leaves at each stage of the fetch: before any upstream call, with one call in
        // flight, with the concurrency cap (8) in flight, and with answers arriving.
        const stages: ((inFlight: number) => boolean)[] = [() => true, (n) => n >= 1, (n) => n >= 8, (n) => n >= 8];
        for (const [stage, ready] of stages.entries()) {
          const release = harness.simulator.hold();
          const controller = new AbortController();
          const request = fetch(harness.url, {
            method: 'POST',
            signal: controller.signal,
            headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
            body: JSON.stringify({ query: ENTITIES, variables: { r: representations } }),
          });
          await until(() => ready(harness.simulator.inFlight), `stage ${stage}`);
          if (stage === 3) release();
          controller.abort();
          release();
          await request.then(
            (response) => response.text(),
            () => undefined,
          );
          // Every upstream call of the abandoned operation has ended before the next stage.
          await until(() => harness.simulator.inFlight === 0, `stage ${stage}'s upstream calls to end`);
        }
        const after = await harness.gql(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`);
        expect(after.body).toEqual({ data: { captureTasks: { totalCount: 57 } } });
      });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
