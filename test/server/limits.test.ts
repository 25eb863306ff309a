// operationCost (src/server/limits.ts), the price of an operation before any upstream call,
// tested directly on parsed documents: page sizes summed, multiplied under `_entities`, distinct
// reads counted by their arguments, fragments followed once, bad representations named.
import { describe, expect, it } from '@jest/globals';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../../src/paging/page-request.ts';
import { operationCost } from '../../src/server/limits.ts';

function costOf(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operation = definition;
  }
  if (operation === undefined) throw new Error('no operation');
  return operationCost(operation, fragments, variables);
}

const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Firewall { captureTasks(first: 5) { totalCount } } } }';

describe('operationCost', () => {
  it('prices a connection at its page size: first, else last, else the default', () => {
    expect(costOf('{ captureTasks(fwInstanceId: "a", first: 7) { totalCount } }')).toEqual({ cost: 7, reads: 1, entities: false, invalid: [] });
    expect(costOf('{ captureTasks(fwInstanceId: "a", last: 3) { totalCount } }').cost).toBe(3);
    expect(costOf('{ captureTasks(fwInstanceId: "a") { totalCount } }').cost).toBe(DEFAULT_PAGE_SIZE);
    expect(costOf('query ($n: Int) { captureTasks(fwInstanceId: "a", first: $n) { totalCount } }', { n: 40 }).cost).toBe(40);
    // A page of 0 still costs a read.
    expect(costOf('{ captureTasks(fwInstanceId: "a", first: 0) { totalCount } }').cost).toBe(1);
  });

  it('sums aliased connections, and counts identical ones as one read', () => {
    const cost = costOf(
      '{ a: captureTasks(fwInstanceId: "a", first: 5) { totalCount } b: captureTasks(fwInstanceId: "a", first: 5) { totalCount } c: captureTasks(fwInstanceId: "b", first: 5) { totalCount } }',
    );
    expect(cost).toMatchObject({ cost: 15, reads: 2 });
  });

  it('follows named and inline fragments, and never loops on one that spreads itself', () => {
    expect(costOf('{ ...F } fragment F on Query { ... on Query { captureTasks(fwInstanceId: "a", first: 4) { totalCount } } }')).toMatchObject({
      cost: 4,
      reads: 1,
    });
    expect(costOf('{ ...F } fragment F on Query { ...F captureTasks(fwInstanceId: "a", first: 4) { totalCount } }')).toMatchObject({ cost: 4, reads: 1 });
  });

  it('multiplies a connection under _entities by the representations, one read each', () => {
    const r = [1, 2, 3].map((n) => ({ __typename: 'Firewall', id: `fw-${n}` }));
    expect(costOf(ENTITIES, { r })).toEqual({ cost: 15, reads: 3, entities: true, invalid: [] });
    // Identical representations are one read.
    expect(costOf(ENTITIES, { r: [...r, ...r] })).toMatchObject({ cost: 30, reads: 3 });
  });

  it('names every representation that cannot be a firewall', () => {
    const { invalid } = costOf(ENTITIES, {
      r: [
        { __typename: 'Firewall', id: 'ok' },
        'text',
        { __typename: 'User', id: 'u' },
        { __typename: 'Firewall', id: '' },
        { __typename: 'Firewall', id: 'x'.repeat(129) },
      ],
    });
    expect(invalid).toEqual([
      'representation 1 is not an object',
      'representation 2 has __typename "User"; this subgraph resolves Firewall only',
      'representation 3 needs an id: a non-empty string of at most 128 characters',
      'representation 4 needs an id: a non-empty string of at most 128 characters',
    ]);
  });
});
