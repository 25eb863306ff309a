// A change CFW applied is answered as applied, whatever happens after it: a failed read of the list
// after a 200, or a 502/503/504 from a gateway that passed the change on. Through real HTTP, the
// simulator's faults queued per call (`match`), and the mutation's log line.
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.ts';
import type { Fault } from '../../src/simulator/faults.ts';
import {
  CREATE,
  createdTask,
  createInput,
  DELETE,
  EMPTY_FIREWALL,
  errorCodesOf,
  payloadOf,
  STOP,
  withLifecycle,
  type LifecycleHarness,
} from '../helpers/lifecycle.ts';
import { memorySink } from '../helpers/log.ts';

const LIST = { method: 'GET', path: '/capture-task' } as const;

/** Faults that let the first `pass` list reads through and fail the next one with a 500. */
function failListReadAfter(pass: number): Fault[] {
  return [...Array.from({ length: pass }, (): Fault => ({ kind: 'latency', ms: 0, match: LIST })), { kind: 'status', status: 500, match: LIST }];
}

/** A log sink whose `mutation` lines can be read back. */
function mutationLog() {
  const { lines, sink } = memorySink();
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'mutation');
  return { logger: createLogger('info', sink), logged };
}

const warningsOf = (result: { body: { extensions?: Record<string, unknown> } }) => result.body.extensions?.['warnings'];

async function runningTask(harness: LifecycleHarness): Promise<string> {
  return createdTask(await harness.gql(CREATE, { input: createInput() })).id;
}

async function stoppedTask(harness: LifecycleHarness): Promise<string> {
  const id = await runningTask(harness);
  await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
  harness.clock.advance(60_000);
  return id;
}

describe('the read after a change fails: the change is still answered as made', () => {
  it("create: captureTask null, TASK_NOT_LISTED_YET, logged ok with the POST's request id", async () => {
    const log = mutationLog();
    await withLifecycle({ logger: log.logger, simulator: { faults: failListReadAfter(1) } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(result.body.errors).toBeUndefined();
      expect(payloadOf(result)).toMatchObject({ captureTask: null, userErrors: [] });
      expect(warningsOf(result)).toEqual([
        { code: 'TASK_NOT_LISTED_YET', path: ['createCaptureTask'], message: expect.stringContaining('could not be read after it') },
      ]);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks).toHaveLength(1);
      expect(log.logged()).toEqual([
        expect.objectContaining({ mutation: 'createCaptureTask', outcome: 'ok', upstreamRequestIds: [expect.stringMatching(/^[0-9a-f]{32}$/)] }),
      ]);
    });
  });

  it('stop: no task, no failure, CHANGE_NOT_CONFIRMED; the task is stopping', async () => {
    const log = mutationLog();
    await withLifecycle({ logger: log.logger }, async (harness) => {
      const id = await runningTask(harness);
      harness.simulator.faults.push(...failListReadAfter(1));
      const result = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
      expect(result.body.errors).toBeUndefined();
      expect(payloadOf(result)).toMatchObject({ captureTask: null, userErrors: [] });
      expect(warningsOf(result)).toEqual([
        { code: 'CHANGE_NOT_CONFIRMED', path: ['stopCaptureTask'], message: expect.stringContaining(`CFW accepted the stop of task ${id}`) },
      ]);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks.find((task) => task.task_id === id)?.status).toBe(5);
      expect(log.logged()[1]).toMatchObject({
        mutation: 'stopCaptureTask',
        outcome: 'ok',
        taskIds: [id],
        upstreamRequestIds: [expect.stringMatching(/^[0-9a-f]{32}$/)],
      });
    });
  });

  it('delete: the accepted ids are neither deleted nor refused, CHANGE_NOT_CONFIRMED names them', async () => {
    const log = mutationLog();
    await withLifecycle({ logger: log.logger }, async (harness) => {
      const id = await stoppedTask(harness);
      harness.simulator.faults.push(...failListReadAfter(1));
      const result = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [id] } });
      expect(result.body.errors).toBeUndefined();
      expect(payloadOf(result)).toMatchObject({ deletedIds: [], userErrors: [] });
      expect(warningsOf(result)).toEqual([
        { code: 'CHANGE_NOT_CONFIRMED', path: ['deleteCaptureTasks'], message: expect.stringContaining(`CFW accepted the delete of ${id}`) },
      ]);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks.find((task) => task.task_id === id)?.is_deleted).toBe(1);
      expect(log.logged()[2]).toMatchObject({
        mutation: 'deleteCaptureTasks',
        outcome: 'ok',
        taskIds: [id],
        upstreamRequestIds: [expect.stringMatching(/^[0-9a-f]{32}$/)],
      });
    });
  });
});

const after = (status: number, path: string): Fault => ({ kind: 'status-after-apply', status, match: { method: 'POST', path } });

describe('a 502/503/504 on a change: maybe applied, so the list decides (simulator fault status-after-apply)', () => {
  it.each([502, 503, 504])('create, %i after CFW created it: one create, the task found by name and answered', async (status) => {
    await withLifecycle({ env: { CACHE_TTL_SECONDS: '60' } }, async (harness) => {
      // A cached empty page must not hide the task: the cache is dropped before the read.
      expect((await harness.gql(`{ captureTasks(fwInstanceId: "${EMPTY_FIREWALL}") { totalCount } }`)).body.data).toEqual({ captureTasks: { totalCount: 0 } });
      harness.simulator.faults.push(after(status, '/capture-task'));
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(payloadOf(result).userErrors).toEqual([]);
      expect(createdTask(result)).toMatchObject({ name: 'suspicious-flow', status: 'RUNNING' });
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });

  it('create, 503 and nothing made: one create, and the error says it may or may not have been applied', async () => {
    await withLifecycle({ simulator: { faults: [{ kind: 'status', status: 503, match: { method: 'POST', path: '/capture-task' } }] } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      expect(errorCodesOf(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(result.body.errors?.[0]?.message).toContain('may or may not have been applied');
      expect(result.body.errors?.[0]?.message).not.toContain('try again shortly');
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
      // Read before and after the create.
      expect(harness.simulator.callCountOf('GET', '/capture-task')).toBe(2);
    });
  });

  it('stop, 502 after CFW stopped it: answered as stopping, no error', async () => {
    await withLifecycle({}, async (harness) => {
      const id = await runningTask(harness);
      harness.simulator.faults.push(after(502, '/capture-task/stop'));
      const result = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
      expect(payloadOf(result)).toMatchObject({ userErrors: [], captureTask: { id, status: 'ENDING' } });
      expect(harness.simulator.callCountOf('POST', '/capture-task/stop')).toBe(1);
    });
  });

  it('stop, 503 and nothing stopped: the error says it may or may not have been applied', async () => {
    await withLifecycle({}, async (harness) => {
      const id = await runningTask(harness);
      harness.simulator.faults.push({ kind: 'status', status: 503, match: { method: 'POST', path: '/capture-task/stop' } });
      const result = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
      expect(errorCodesOf(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(result.body.errors?.[0]?.message).toContain('may or may not have been applied');
    });
  });

  it('delete, 504 after CFW deleted it: the list confirms it deleted', async () => {
    await withLifecycle({}, async (harness) => {
      const id = await stoppedTask(harness);
      harness.simulator.faults.push(after(504, '/capture-task/batch-delete'));
      const result = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [id] } });
      expect(payloadOf(result)).toMatchObject({ deletedIds: [id], userErrors: [] });
      expect(harness.simulator.callCountOf('POST', '/capture-task/batch-delete')).toBe(1);
    });
  });
});

describe("the mutation log line keeps CFW's request id on refusals and top-level errors", () => {
  const onCreate = (fault: Fault): Fault => ({ ...fault, match: { method: 'POST', path: '/capture-task' } });
  const REQUEST_ID = /^[0-9a-f]{32}$/;

  it.each<[string, Fault, string]>([
    ['QUOTA_EXCEEDED', onCreate({ kind: 'status', status: 400, errorCode: 'CFW.00200024' }), 'user-error'],
    ["CAPTURE_IN_PROGRESS (CFW's code)", onCreate({ kind: 'status', status: 400, errorCode: 'CFW.00200016' }), 'user-error'],
    ['REJECTED', onCreate({ kind: 'status', status: 400, errorCode: 'CFW.00200002' }), 'user-error'],
    ['403', onCreate({ kind: 'status', status: 403 }), 'error'],
    ['503', onCreate({ kind: 'status', status: 503 }), 'error'],
  ])('%s', async (_label, fault, outcome) => {
    const log = mutationLog();
    await withLifecycle({ logger: log.logger, simulator: { faults: [fault] } }, async (harness) => {
      const result = await harness.gql(CREATE, { input: createInput() });
      const [line] = log.logged();
      expect(line).toMatchObject({ mutation: 'createCaptureTask', outcome, upstreamRequestIds: [expect.stringMatching(REQUEST_ID)] });
      const requestId = (line?.['upstreamRequestIds'] as string[])[0];
      if (outcome === 'error') expect(result.body.errors?.[0]?.extensions?.['upstream']).toMatchObject({ requestId });
      else expect(payloadOf(result).userErrors).toHaveLength(1);
    });
  });

  it("REJECTED says CFW's code and request id, the one logged", async () => {
    const log = mutationLog();
    await withLifecycle(
      { logger: log.logger, simulator: { faults: [onCreate({ kind: 'status', status: 400, errorCode: 'CFW.00200002' })] } },
      async (harness) => {
        const result = await harness.gql(CREATE, { input: createInput() });
        const requestId = (log.logged()[0]?.['upstreamRequestIds'] as string[])[0] ?? 'none';
        expect(payloadOf(result).userErrors).toEqual([
          {
            field: null,
            code: 'REJECTED',
            message: `CFW refused the capture (CFW.00200002, CFW request id ${requestId}); check the input against CFW's rules.`,
          },
        ]);
      },
    );
  });

  it('a stop refused by CFW logs its request id too', async () => {
    const log = mutationLog();
    await withLifecycle({ logger: log.logger }, async (harness) => {
      const id = await runningTask(harness);
      harness.simulator.faults.push({ kind: 'status', status: 400, errorCode: 'CFW.00200002', match: { method: 'POST', path: '/capture-task/stop' } });
      const result = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } });
      expect(payloadOf(result).userErrors).toEqual([
        { field: ['input', 'id'], code: 'REJECTED', message: expect.stringMatching(/^CFW refused the stop \(CFW\.00200002, CFW request id [0-9a-f]{32}\)\.$/) },
      ]);
      expect(log.logged()[1]).toMatchObject({ mutation: 'stopCaptureTask', outcome: 'user-error', upstreamRequestIds: [expect.stringMatching(REQUEST_ID)] });
    });
  });
});

describe('a 403 names what was refused', () => {
  it('a change: "may not change", a read: "may not read"', async () => {
    await withLifecycle({ simulator: { faults: [{ kind: 'status', status: 403, match: { method: 'POST', path: '/capture-task' } }] } }, async (harness) => {
      const change = await harness.gql(CREATE, { input: createInput() });
      expect(errorCodesOf(change)).toEqual(['FORBIDDEN']);
      expect(change.body.errors?.[0]?.message).toBe("The credentials may not change this firewall's capture tasks.");
      harness.simulator.faults.push({ kind: 'status', status: 403, match: LIST });
      const read = await harness.gql(`{ captureTasks(fwInstanceId: "${EMPTY_FIREWALL}") { totalCount } }`);
      expect(read.body.errors?.[0]?.message).toBe("The credentials may not read this firewall's capture tasks.");
    });
  });
});
