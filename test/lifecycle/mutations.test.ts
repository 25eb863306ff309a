// The mutations' decisions where the simulator cannot lead them: CFW accepting a create it does not
// list yet, a stop whose answer was lost, a delete CFW refuses, and the wait on an injected clock.
// The port is scripted here (a list and the answers of each call); everything else is the real code.
import { describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../../src/errors.ts';
import { createCaptureTask, deleteCaptureTasks, stopCaptureTask, type LifecycleDeps } from '../../src/lifecycle/mutations.ts';
import type { CaptureTaskRecord } from '../../src/upstream/wire.ts';

const FW = 'fw-1';
const input = {
  fwInstanceId: FW,
  name: 'cap',
  durationMinutes: 1,
  maxPackets: 10,
  protocol: 'TCP' as const,
  source: { address: '192.0.2.1' },
  destination: { address: '192.0.2.2' },
};
const ok = () => Promise.resolve({ value: undefined, requestId: 'req-1' });
const lostAnswer = () =>
  new UpstreamError('UPSTREAM_TIMEOUT', 'The upstream did not answer in time (response timeout).', { attempts: 1 }, { outcomeUnknown: true });
const refusedWith = (errorCode: string) => new UpstreamError('BAD_USER_INPUT', 'refused', { status: 400, errorCode, attempts: 1 });

/** A port over a list the test changes through `on*` handlers; counts reads and time slept. */
function scriptedPort(tasks: CaptureTaskRecord[], handlers: Partial<Pick<LifecycleDeps, 'create' | 'stop' | 'batchDelete'>> = {}) {
  let now = 0;
  const calls = { reads: 0, slept: [] as number[] };
  let budget = 20;
  const port: LifecycleDeps = {
    read: () => (offset, limit) => {
      calls.reads++;
      budget--;
      return Promise.resolve({ total: tasks.length, records: tasks.slice(offset, offset + limit) });
    },
    create: handlers.create ?? ok,
    stop: handlers.stop ?? ok,
    batchDelete: handlers.batchDelete ?? ok,
    changed: () => Promise.resolve(),
    remainingCalls: () => budget,
    exclusive: (_key, work) => work(),
    clock: {
      now: () => now,
      sleep: (ms) => {
        calls.slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    },
    stopWait: { maxMs: 10_000, pollMs: 2_000 },
  };
  return { port, calls };
}

describe('createCaptureTask', () => {
  it('CFW accepted it but does not list it yet: no task, no user error, and it says so', async () => {
    const { port } = scriptedPort([]);
    expect(await createCaptureTask(port, input)).toMatchObject({
      task: null,
      userErrors: [],
      requestIds: ['req-1'],
      warnings: [{ code: 'TASK_NOT_LISTED_YET', message: expect.any(String) }],
    });
  });

  it('an answer lost after sending, and the list shows the task: answered as created, never sent again', async () => {
    const tasks: CaptureTaskRecord[] = [];
    let creates = 0;
    const { port } = scriptedPort(tasks, {
      create: () => {
        creates++;
        tasks.push({ task_id: 't-new', name: 'cap', status: 2 });
        return Promise.reject(lostAnswer());
      },
    });
    expect(await createCaptureTask(port, input)).toMatchObject({ task: { task_id: 't-new' }, userErrors: [] });
    expect(creates).toBe(1);
  });

  it('a failure that proves nothing was sent is passed on as it is', async () => {
    const refused = new UpstreamError('UPSTREAM_UNAVAILABLE', 'The upstream could not be reached (ECONNREFUSED).', { attempts: 3 });
    const { port } = scriptedPort([], { create: () => Promise.reject(refused) });
    await expect(createCaptureTask(port, input)).rejects.toBe(refused);
  });
});

describe('stopCaptureTask', () => {
  it('an answer lost after sending, and the list shows ENDING: the stop went through', async () => {
    const tasks: CaptureTaskRecord[] = [{ task_id: 't1', status: 2 }];
    const { port } = scriptedPort(tasks, {
      stop: () => {
        tasks[0] = { task_id: 't1', status: 5 };
        return Promise.reject(lostAnswer());
      },
    });
    expect(await stopCaptureTask(port, { fwInstanceId: FW, id: 't1' })).toMatchObject({ task: { status: 5 }, userErrors: [] });
  });

  it('an answer lost, and the task still runs: an error saying the stop may or may not have happened', async () => {
    const { port } = scriptedPort([{ task_id: 't1', status: 2 }], { stop: () => Promise.reject(lostAnswer()) });
    await expect(stopCaptureTask(port, { fwInstanceId: FW, id: 't1' })).rejects.toThrow('The stop may or may not have been applied');
  });

  it('CFW says the task is not running (it ended meanwhile): NOT_RUNNING, with the task as listed', async () => {
    const tasks: CaptureTaskRecord[] = [{ task_id: 't1', status: 2 }];
    const { port } = scriptedPort(tasks, {
      stop: () => {
        tasks[0] = { task_id: 't1', status: 1 };
        return Promise.reject(refusedWith('CFW.00200016'));
      },
    });
    expect(await stopCaptureTask(port, { fwInstanceId: FW, id: 't1' })).toMatchObject({ task: { status: 1 }, userErrors: [{ code: 'NOT_RUNNING' }] });
  });
});

describe('deleteCaptureTasks', () => {
  it('waits on the injected clock, polling every pollMs, until the stopped task has ended', async () => {
    const tasks: CaptureTaskRecord[] = [{ task_id: 't1', status: 2 }];
    const { port, calls } = scriptedPort(tasks, {
      stop: () => {
        tasks[0] = { task_id: 't1', status: 5 };
        return ok();
      },
      batchDelete: () => {
        tasks.length = 0;
        return ok();
      },
    });
    // It ends after the second poll.
    const read = port.read;
    let polls = 0;
    const counting: LifecycleDeps = {
      ...port,
      read: (scope) => (offset, limit) => {
        if (calls.slept.length > 0 && ++polls === 2) tasks[0] = { task_id: 't1', status: 4 };
        return read(scope)(offset, limit);
      },
    };
    expect(await deleteCaptureTasks(counting, { fwInstanceId: FW, ids: ['t1'] })).toMatchObject({ deletedIds: ['t1'], userErrors: [] });
    expect(calls.slept).toEqual([2_000, 2_000]);
  });

  it("CFW refusing the batch-delete: CAPTURE_IN_PROGRESS for an id still listed, with CFW's code", async () => {
    const { port } = scriptedPort([{ task_id: 't1', status: 1 }], { batchDelete: () => Promise.reject(refusedWith('CFW.00200016')) });
    expect(await deleteCaptureTasks(port, { fwInstanceId: FW, ids: ['t1'] })).toEqual({
      task: null,
      deletedIds: [],
      userErrors: [
        {
          field: ['input', 'ids', '0'],
          code: 'CAPTURE_IN_PROGRESS',
          message: 'CFW refused the delete (CFW.00200016): a task of the call is running or stopping; try again when it has stopped.',
        },
      ],
      taskIds: ['t1'],
      requestIds: [],
    });
  });

  it('a lost answer: the list decides, and a task gone from it is deleted', async () => {
    const tasks: CaptureTaskRecord[] = [
      { task_id: 't1', status: 4 },
      { task_id: 't2', status: 1 },
    ];
    const { port } = scriptedPort(tasks, {
      batchDelete: () => {
        tasks.splice(0, 1);
        return Promise.reject(lostAnswer());
      },
    });
    expect(await deleteCaptureTasks(port, { fwInstanceId: FW, ids: ['t1', 't2'] })).toMatchObject({
      deletedIds: ['t1'],
      userErrors: [{ field: ['input', 'ids', '1'], code: 'REJECTED' }],
    });
  });
});
