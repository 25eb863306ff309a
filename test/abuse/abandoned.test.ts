// A client that leaves mid-operation must never take the process down with it.
import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { withHarness } from '../helpers/harness.ts';

const ENTITIES = `query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { captureTasks(first: 5) { totalCount } } } }`;

describe('abandoned operations', () => {
  it('survives clients that abandon _entities fetches wider than the concurrency cap, and logs no failure', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await withHarness({ simulator: { latencyMs: 40 } }, async (harness) => {
        const ids = Object.values(SIMULATOR_FIREWALLS).filter((id) => id !== SIMULATOR_FIREWALLS.finance);
        const representations = [...ids, ...ids].map((id, index) => ({ __typename: 'Firewall', id: index < ids.length ? id : `${id.slice(0, -2)}00` }));
        for (const delay of [0, 5, 30, 60]) {
          const controller = new AbortController();
          const request = fetch(harness.url, {
            method: 'POST',
            signal: controller.signal,
            headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' },
            body: JSON.stringify({ query: ENTITIES, variables: { r: representations } }),
          });
          setTimeout(() => {
            controller.abort();
          }, delay);
          await request.then(
            (response) => response.text(),
            () => undefined,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        const after = await harness.gql(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`);
        expect(after.body).toEqual({ data: { captureTasks: { totalCount: 57 } } });
      });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
