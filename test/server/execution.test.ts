// Compiled execution (graphql-jit, the default) must answer exactly as graphql-js does.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const EVERY_FIELD = `query Page($fw: ID!, $first: Int) {
  captureTasks(fwInstanceId: $fw, first: $first) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name status protocol source { address ipVersion port } destination { address ipVersion port }
      captureSize captureSizeBytes durationMinutes maxPackets createdAt modifiedAt isDeleted remainingDays firewall { id } } }
    nodes { id }
  }
}`;

describe('compiled and standard execution', () => {
  let jit: Harness;
  let standard: Harness;
  beforeAll(async () => {
    jit = await startHarness({ env: { GRAPHQL_EXECUTION: 'jit' } });
    standard = await startHarness({ env: { GRAPHQL_EXECUTION: 'standard' } });
  });
  afterAll(async () => {
    await jit.close();
    await standard.close();
  });

  it.each([
    ['the edge firewall, with unreadable values and their field errors', SIMULATOR_FIREWALLS.edge, 50],
    ['an ordinary page', SIMULATOR_FIREWALLS.demo, 20],
    ['an empty firewall', SIMULATOR_FIREWALLS.empty, 5],
    ['an unknown firewall (NOT_FOUND)', 'no-such-firewall', 5],
  ])('answer byte for byte the same for %s', async (_name, fw, first) => {
    const [compiled, interpreted] = await Promise.all([jit.gql(EVERY_FIELD, { fw, first }), standard.gql(EVERY_FIELD, { fw, first })]);
    expect(compiled.status).toBe(interpreted.status);
    // Each simulator makes its own request ids; everything else must match to the byte.
    const withoutRequestIds = (text: string) => text.replace(/"requestId":"[0-9a-f]+"/g, '"requestId":"…"');
    expect(withoutRequestIds(compiled.text)).toBe(withoutRequestIds(interpreted.text));
  });

  const ENTITIES =
    'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { id captureTasks(first: 2) { totalCount edges { node { id status } } } } } }';
  it.each([
    ['a firewall by its id', [{ __typename: 'Firewall', id: SIMULATOR_FIREWALLS.demo }]],
    // String, Int, Boolean, ID and enum values are written as resolvers hand them (no serializer):
    // a representation's id is not checked by GraphQL, so it must come out as the ID it would be.
    ['a firewall whose id is a number', [{ __typename: 'Firewall', id: 123 }]],
    ['a firewall whose id is a fraction', [{ __typename: 'Firewall', id: 1.5 }]],
  ])('answer _entities byte for byte the same for %s', async (_name, representations) => {
    const [compiled, interpreted] = await Promise.all([jit.gql(ENTITIES, { r: representations }), standard.gql(ENTITIES, { r: representations })]);
    const withoutRequestIds = (text: string) => text.replace(/"requestId":"[0-9a-f]+"/g, '"requestId":"…"');
    expect(withoutRequestIds(compiled.text)).toBe(withoutRequestIds(interpreted.text));
  });

  it.each([
    ['first: "ten"', { fw: SIMULATOR_FIREWALLS.demo, first: 'ten' }],
    ['no fwInstanceId', { first: 1 }],
  ])('both reject variables that cannot be coerced (%s) with 400 BAD_USER_INPUT', async (_name, variables) => {
    for (const harness of [jit, standard]) {
      const result = await harness.gql(EVERY_FIELD, variables);
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(result.body.data).toBeUndefined();
    }
  });
});
