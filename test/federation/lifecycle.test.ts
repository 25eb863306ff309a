// The capture lifecycle through a supergraph: a real Apollo Gateway composes the example `firewalls`
// subgraph (owns Firewall) with this one, which owns the mutations. The whole cycle, create → poll →
// stop → result → delete, runs through the gateway over loopback HTTP, on the simulator's clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormattedExecutionResult } from 'graphql';
import { createInput, EMPTY_FIREWALL, startLifecycleHarness, type LifecycleHarness } from '../helpers/lifecycle.ts';
import { startApolloGateway, type ApolloGatewayServer } from './apollo-gateway.ts';
import { startFirewallsSubgraph, type FirewallsSubgraph } from './firewalls-subgraph.ts';

const CREATE = `mutation Create($input: CreateCaptureTaskInput!) {
  createCaptureTask(input: $input) { captureTask { id name status firewall { id name } } userErrors { code } clientMutationId }
}`;
const POLL = `query Poll($fw: ID!, $id: ID!) {
  captureTask(fwInstanceId: $fw, id: $id) { id status firewall { name } result { url accessCode expires requestHost } }
}`;
const STOP = `mutation Stop($input: StopCaptureTaskInput!) {
  stopCaptureTask(input: $input) { captureTask { id status } userErrors { code } }
}`;
const DELETE = `mutation Delete($input: DeleteCaptureTasksInput!) {
  deleteCaptureTasks(input: $input) { deletedIds userErrors { code } }
}`;
const FIREWALL_TASKS = `{ firewalls { id name captureTasks(first: 5) { totalCount nodes { id status isDeleted } } } }`;

describe('the capture lifecycle through a supergraph (Apollo Gateway, firewalls + captures)', () => {
  let harness: LifecycleHarness;
  let firewalls: FirewallsSubgraph;
  let server: ApolloGatewayServer;
  const execute = (query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult> => server.execute(query, variables);

  beforeAll(async () => {
    harness = await startLifecycleHarness();
    firewalls = await startFirewallsSubgraph();
    firewalls.serve([{ id: EMPTY_FIREWALL, name: 'lab-edge' }]);
    server = await startApolloGateway({ firewalls: firewalls.url, captures: harness.url });
  });
  afterAll(async () => {
    await server.stop();
    await firewalls.close();
    await harness.close();
  });

  it("creates, polls, stops, reads the result and deletes, with the firewall's name from its owner", async () => {
    const created = await execute(CREATE, { input: createInput({ name: 'federated-capture', clientMutationId: 'fed-1' }) });
    expect(created.errors).toBeUndefined();
    const payload = created.data?.['createCaptureTask'] as { captureTask: { id: string }; userErrors: unknown[]; clientMutationId: string };
    expect(payload).toMatchObject({
      userErrors: [],
      clientMutationId: 'fed-1',
      captureTask: { name: 'federated-capture', status: 'RUNNING', firewall: { id: EMPTY_FIREWALL, name: 'lab-edge' } },
    });
    const id = payload.captureTask.id;

    const listed = await execute(FIREWALL_TASKS);
    expect(listed.data).toEqual({
      firewalls: [{ id: EMPTY_FIREWALL, name: 'lab-edge', captureTasks: { totalCount: 1, nodes: [{ id, status: 'RUNNING', isDeleted: false }] } }],
    });

    harness.clock.advance(30_000);
    expect((await execute(POLL, { fw: EMPTY_FIREWALL, id })).data).toEqual({
      captureTask: { id, status: 'RUNNING', firewall: { name: 'lab-edge' }, result: null },
    });

    const stopped = await execute(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
    expect(stopped.data).toEqual({ stopCaptureTask: { captureTask: { id, status: 'ENDING' }, userErrors: [] } });

    harness.clock.advance(10_000);
    const finished = await execute(POLL, { fw: EMPTY_FIREWALL, id });
    expect(finished.errors).toBeUndefined();
    expect(finished.data?.['captureTask']).toMatchObject({
      id,
      status: 'STOPPED',
      result: { expires: 300, url: expect.stringContaining('/_simulator/download/'), accessCode: expect.stringMatching(/^[0-9a-f]{8}$/) },
    });

    const deleted = await execute(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [id] } });
    expect(deleted.data).toEqual({ deleteCaptureTasks: { deletedIds: [id], userErrors: [] } });
    expect((await execute(FIREWALL_TASKS)).data).toEqual({
      firewalls: [{ id: EMPTY_FIREWALL, name: 'lab-edge', captureTasks: { totalCount: 1, nodes: [{ id, status: 'STOPPED', isDeleted: true }] } }],
    });
    expect(harness.simulator.callCounts()).toMatchObject({
      'POST /capture-task': 1,
      'POST /capture-task/stop': 1,
      'POST /capture-task/batch-delete': 1,
      'GET /capture-task/capture-result': 1,
    });
  });

  it('passes user errors through the gateway as data', async () => {
    const refused = await execute(CREATE, { input: createInput({ name: 'bad name', durationMinutes: 0 }) });
    expect(refused.errors).toBeUndefined();
    expect(refused.data).toEqual({ createCaptureTask: { captureTask: null, userErrors: [{ code: 'INVALID' }, { code: 'INVALID' }], clientMutationId: null } });
  });
});
