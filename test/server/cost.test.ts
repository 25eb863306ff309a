// What the lifecycle adds to an operation's price, before any call: a captureTask is one read per
// firewall, a result one call per task it is asked of, and a mutation at least three calls.
import { describe, expect, it } from '@jest/globals';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { operationCost } from '../../src/server/limits.ts';

function costOf(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation === undefined) throw new Error('no operation');
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return operationCost(operation, fragments, variables);
}

describe('operationCost for the lifecycle', () => {
  it('counts captureTask as one read per firewall, aliases of one firewall once', () => {
    expect(
      costOf(
        '{ a: captureTask(fwInstanceId: "f", id: "1") { id } b: captureTask(fwInstanceId: "f", id: "2") { id } c: captureTask(fwInstanceId: "g", id: "1") { id } }',
      ).reads,
    ).toBe(2);
  });

  it("counts a result once per task it is asked of: one under captureTask, a page's worth under a connection", () => {
    expect(costOf('{ captureTask(fwInstanceId: "f", id: "1") { result { url } } }').reads).toBe(2);
    expect(costOf('{ captureTasks(fwInstanceId: "f", first: 30) { nodes { result { url } } } }').reads).toBe(31);
    expect(
      costOf('query Q($n: Int) { captureTasks(fwInstanceId: "f", first: $n) { edges { node { ...R } } } } fragment R on CaptureTask { result { url } }', {
        n: 5,
      }).reads,
    ).toBe(6);
  });

  it('counts each mutation as at least three calls (read, change, read), a result in its payload as one more', () => {
    expect(costOf('mutation { stopCaptureTask(input: { fwInstanceId: "f", id: "1" }) { clientMutationId } }').reads).toBe(3);
    expect(
      costOf(
        'mutation { a: stopCaptureTask(input: { fwInstanceId: "f", id: "1" }) { clientMutationId } b: stopCaptureTask(input: { fwInstanceId: "f", id: "2" }) { captureTask { result { url } } } }',
      ).reads,
    ).toBe(7);
    expect(costOf('mutation { __typename }').reads).toBe(0);
  });
});
