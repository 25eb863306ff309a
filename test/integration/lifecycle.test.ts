// The capture lifecycle through real HTTP: gateway ⇄ simulator, both on one hand-driven clock.
// Every user error code, the walk create → poll → stop → result → delete, stop-then-delete of a
// running task, CFW "forgetting" a delete, the double-click race, and the budget.
import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import {
  CREATE,
  createdTask,
  createInput,
  codesOf,
  DELETE,
  EMPTY_FIREWALL,
  errorCodesOf,
  payloadOf,
  startGatewayFor,
  STOP,
  TASK,
  withLifecycle,
  type LifecycleHarness,
} from '../helpers/lifecycle.ts';

const MINUTE = 60_000;

async function create(harness: LifecycleHarness, change: Record<string, unknown> = {}) {
  return harness.gql(CREATE, { input: createInput(change) });
}

/** The task as `captureTask` answers it now. */
async function taskNow(harness: LifecycleHarness, id: string, fw = EMPTY_FIREWALL) {
  const result = await harness.gql(TASK, { fw, id });
  expect(result.body.errors).toBeUndefined();
  return result.body.data?.['captureTask'] as { id: string; status: string; isDeleted: boolean; result: unknown } | null;
}

describe('create → poll → stop → result → delete', () => {
  it('walks a capture through its whole life, answering each step as CFW lists it', async () => {
    await withLifecycle({}, async (harness) => {
      const created = await create(harness, { clientMutationId: 'click-1' });
      expect(created.status).toBe(200);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(payloadOf(created)).toMatchObject({ userErrors: [], clientMutationId: 'click-1' });
      const task = createdTask(created);
      expect(task).toMatchObject({
        name: 'suspicious-flow',
        status: 'RUNNING',
        protocol: 'TCP',
        source: { address: '192.0.2.10', ipVersion: 'IPV4', port: null },
        destination: { address: '198.51.100.7', ipVersion: 'IPV4', port: '443' },
        durationMinutes: 3,
        maxPackets: 100_000,
        isDeleted: false,
      });
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);

      // Poll: still running, so no result and no capture-result call.
      harness.clock.advance(MINUTE);
      expect(await taskNow(harness, task.id)).toMatchObject({ status: 'RUNNING', result: null });
      expect(harness.simulator.callCountOf('GET', '/capture-task/capture-result')).toBe(0);

      const stopped = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id: task.id, clientMutationId: 'stop-1' } });
      expect(payloadOf(stopped)).toMatchObject({ userErrors: [], clientMutationId: 'stop-1', captureTask: { id: task.id, status: 'ENDING' } });

      harness.clock.advance(10_000);
      const finished = await harness.gql(TASK, { fw: EMPTY_FIREWALL, id: task.id });
      expect(finished.body.errors).toBeUndefined();
      expect(finished.headers.get('cache-control')).toBe('no-store');
      const answer = finished.body.data?.['captureTask'] as {
        status: string;
        result: { url: string; accessCode: string; expires: number; requestHost: string; files: unknown[] };
      };
      expect(answer.status).toBe('STOPPED');
      expect(answer.result).toMatchObject({ expires: 300, files: [] });
      expect(answer.result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_simulator\/download\//);
      expect(answer.result.accessCode).toMatch(/^[0-9a-f]{8}$/);
      expect(answer.result.requestHost).toMatch(/^127\.0\.0\.1:\d+$/);
      const download = await fetch(answer.result.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).readUInt32LE(0)).toBe(0xa1b2c3d4);

      const deleted = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id], clientMutationId: 'delete-1' } });
      expect(payloadOf(deleted)).toEqual({ deletedIds: [task.id], userErrors: [], clientMutationId: 'delete-1' });
      expect(await taskNow(harness, task.id)).toMatchObject({ isDeleted: true, result: null });
    });
  });

  it('answers the file_list form, with allowedIps sent as type=1 and repeated ip', async () => {
    await withLifecycle({ simulator: { resultForm: 'file-list' } }, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 1 }));
      harness.clock.advance(2 * MINUTE);
      const result = await harness.gql(TASK, { fw: EMPTY_FIREWALL, id: task.id, ips: ['8.8.8.8', '2400:cb00::/32'] });
      expect(result.body.errors).toBeUndefined();
      const answer = result.body.data?.['captureTask'] as {
        status: string;
        result: { url: string | null; files: { name: string; url: string; path: string }[] };
      };
      expect(answer.status).toBe('SUCCESSFUL');
      expect(answer.result.url).toBeNull();
      expect(answer.result.files).toHaveLength(1);
      expect(answer.result.files[0]?.path).toContain(task.id);
    });
  });
});

describe('CaptureTask.result(allowedIps)', () => {
  it('refuses a private address or a fourth entry as BAD_USER_INPUT naming the argument, with no capture-result call', async () => {
    await withLifecycle({}, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 1 }));
      harness.clock.advance(2 * MINUTE);
      for (const [ips, message] of [
        [['10.0.0.1'], '`allowedIps` entry "10.0.0.1" is not a public address or range (downloads come from the internet)'],
        [['8.8.8.8', '1.1.1.1', '9.9.9.9', '8.8.4.4'], '`allowedIps` may hold at most 3 addresses or ranges, got 4'],
        [['::127.0.0.1'], '`allowedIps` entry "::127.0.0.1" is not a public address or range (downloads come from the internet)'],
        [['8.8.8.7/24'], '`allowedIps` entry "8.8.8.7/24" has bits set after its /24 prefix: give the range\'s first address'],
        [['8.8.8.0/024'], '`allowedIps` entry "8.8.8.0/024" has a prefix length that is not a number from 0 to 32 without leading zeros'],
        [['8.8.8.8', '8.8.8.8/32'], '`allowedIps` entry "8.8.8.8/32" repeats an earlier entry'],
      ] as const) {
        const result = await harness.gql(TASK, { fw: EMPTY_FIREWALL, id: task.id, ips });
        expect(result.body.errors?.map((error) => [error.message, error.extensions?.['code'], error.extensions?.['argumentName'], error.path])).toEqual([
          [message, 'BAD_USER_INPUT', 'allowedIps', ['captureTask', 'result']],
        ]);
      }
      expect(harness.simulator.callCountOf('GET', '/capture-task/capture-result')).toBe(0);
    });
  });
});

describe('every user error code, through real HTTP', () => {
  it('INVALID: refused before any upstream call, every field at its path', async () => {
    await withLifecycle({}, async (harness) => {
      harness.simulator.resetCalls();
      const result = await create(harness, {
        source: { address: '10.0.0.300' },
        destination: { address: '2001:db8::1', port: '80' },
        protocol: 'ICMP',
        maxPackets: 2_000_000,
        durationMinutes: 0,
        clientMutationId: 'm',
      });
      expect(payloadOf(result)).toMatchObject({ captureTask: null, clientMutationId: 'm' });
      expect(payloadOf(result).userErrors.map((error) => [error.field?.join('.'), error.code])).toEqual([
        ['input.durationMinutes', 'INVALID'],
        ['input.maxPackets', 'INVALID'],
        ['input.source.address', 'INVALID'],
        ['input.destination.port', 'INVALID'],
        ['input.protocol', 'INVALID'],
      ]);
      expect(harness.simulator.callCount).toBe(0);
      expect(harness.simulator.requests).toHaveLength(0);
    });
  });

  it('INVALID for a stop or delete: an empty or over-long id, an empty fwInstanceId; no upstream call, the id never echoed whole', async () => {
    await withLifecycle({}, async (harness) => {
      harness.simulator.resetCalls();
      const long = 'x'.repeat(129);
      const cases: [string, Record<string, unknown>, string[][]][] = [
        [STOP, { fwInstanceId: EMPTY_FIREWALL, id: '' }, [['input', 'id']]],
        [STOP, { fwInstanceId: EMPTY_FIREWALL, id: long }, [['input', 'id']]],
        [STOP, { fwInstanceId: '', id: 't-1' }, [['input', 'fwInstanceId']]],
        [DELETE, { fwInstanceId: '', ids: ['t-1'] }, [['input', 'fwInstanceId']]],
        [DELETE, { fwInstanceId: EMPTY_FIREWALL, ids: [long] }, [['input', 'ids', '0']]],
      ];
      for (const [mutation, input, fields] of cases) {
        const result = await harness.gql(mutation, { input });
        expect(payloadOf(result).userErrors.map((error) => [error.field, error.code])).toEqual(fields.map((field) => [field, 'INVALID']));
        expect(result.text).not.toContain(long);
      }
      expect(harness.simulator.callCount).toBe(0);
    });
  });

  it('INVALID: unspecified, broadcast and multicast-source addresses are no capture ends; a multicast destination is', async () => {
    await withLifecycle({}, async (harness) => {
      harness.simulator.resetCalls();
      const refused = await create(harness, { source: { address: '224.0.0.251' }, destination: { address: '255.255.255.255' } });
      expect(payloadOf(refused).userErrors.map((error) => [error.field?.join('.'), error.code])).toEqual([
        ['input.source.address', 'INVALID'],
        ['input.destination.address', 'INVALID'],
      ]);
      expect(harness.simulator.callCount).toBe(0);
      const unspecified = await create(harness, { source: { address: '2001:db8::1' }, destination: { address: '::' } });
      expect(payloadOf(unspecified).userErrors.map((error) => error.field?.join('.'))).toEqual(['input.destination.address']);
      expect(harness.simulator.callCount).toBe(0);
      expect(createdTask(await create(harness, { destination: { address: '239.1.2.3', port: '5353' }, protocol: 'UDP' }))).toMatchObject({
        destination: { address: '239.1.2.3' },
      });
    });
  });

  it('NAME_TAKEN: names compare in Unicode NFC, so a decomposed "café" is the composed one', async () => {
    await withLifecycle({}, async (harness) => {
      const first = createdTask(await create(harness, { name: 'cafe\u0301' }));
      expect(first.name).toBe('caf\u00e9');
      const second = await create(harness, { name: 'caf\u00e9' });
      expect(payloadOf(second).userErrors).toEqual([expect.objectContaining({ field: ['input', 'name'], code: 'NAME_TAKEN' })]);
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });

  it('NAME_TAKEN: a name listed on the firewall', async () => {
    await withLifecycle({}, async (harness) => {
      const first = createdTask(await create(harness, { durationMinutes: 1 }));
      harness.clock.advance(2 * MINUTE);
      const second = await create(harness, { durationMinutes: 1 });
      expect(payloadOf(second).userErrors).toEqual([
        { field: ['input', 'name'], code: 'NAME_TAKEN', message: `Task ${first.id} of this firewall is already named "suspicious-flow": choose another name.` },
      ]);
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });

  it('CAPTURE_IN_PROGRESS: seen in the list before calling, or refused by CFW', async () => {
    await withLifecycle({}, async (harness) => {
      const running = createdTask(await create(harness));
      const second = await create(harness, { name: 'another' });
      expect(codesOf(second)).toEqual(['CAPTURE_IN_PROGRESS']);
      expect(payloadOf(second).userErrors[0]?.message).toContain(running.id);
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
      // CFW's own refusal (a capture started elsewhere between the check and the create).
      harness.simulator.faults.push({
        kind: 'status',
        status: 400,
        errorCode: 'CFW.00200016',
        errorMsg: 'Instance status error',
        match: { method: 'POST', path: '/capture-task' },
      });
      harness.clock.advance(10 * MINUTE);
      const refused = await create(harness, { name: 'third' });
      expect(payloadOf(refused).userErrors).toEqual([
        {
          field: null,
          code: 'CAPTURE_IN_PROGRESS',
          message: 'CFW refused the capture (CFW.00200016): a capture is running or stopping on this firewall; stop it or wait for it to end.',
        },
      ]);
    });
  });

  it('QUOTA_EXCEEDED: the 21st capture of a day', async () => {
    await withLifecycle({}, async (harness) => {
      for (let n = 0; n < 20; n++) {
        expect(payloadOf(await create(harness, { name: `capture-${n}`, durationMinutes: 1 })).userErrors).toEqual([]);
        harness.clock.advance(MINUTE + 10_000);
      }
      const result = await create(harness, { name: 'capture-20', durationMinutes: 1 });
      expect(payloadOf(result).userErrors).toEqual([
        {
          field: null,
          code: 'QUOTA_EXCEEDED',
          message: "CFW refused the capture (CFW.00200024): the firewall's captures for today (20) are used up; try again tomorrow.",
        },
      ]);
    });
  });

  it("REJECTED: another CFW refusal, with CFW's code in the message", async () => {
    await withLifecycle(
      {
        simulator: {
          faults: [{ kind: 'status', status: 400, errorCode: 'CFW.00200002', errorMsg: 'Invalid parameter', match: { method: 'POST', path: '/capture-task' } }],
        },
      },
      async (harness) => {
        const result = await create(harness);
        expect(payloadOf(result).userErrors).toEqual([
          {
            field: null,
            code: 'REJECTED',
            message: expect.stringMatching(/^CFW refused the capture \(CFW\.00200002, CFW request id [0-9a-f]{32}\); check the input against CFW's rules\.$/),
          },
        ]);
        expect(result.text).not.toContain('Invalid parameter');
      },
    );
  });

  it('NOT_FOUND and NOT_RUNNING for a stop; a second stop of a stopping task answers it', async () => {
    await withLifecycle({}, async (harness) => {
      const missing = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id: 'no-such-task' } });
      expect(payloadOf(missing)).toMatchObject({ captureTask: null, userErrors: [{ field: ['input', 'id'], code: 'NOT_FOUND' }] });
      const task = createdTask(await create(harness));
      const first = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id: task.id } });
      const second = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id: task.id } });
      expect(payloadOf(first)).toMatchObject({ userErrors: [], captureTask: { status: 'ENDING' } });
      expect(payloadOf(second)).toMatchObject({ userErrors: [], captureTask: { status: 'ENDING' } });
      expect(harness.simulator.callCountOf('POST', '/capture-task/stop')).toBe(1);
      harness.clock.advance(10_000);
      const third = await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id: task.id } });
      expect(payloadOf(third)).toMatchObject({ userErrors: [{ code: 'NOT_RUNNING', field: ['input', 'id'] }], captureTask: { status: 'STOPPED' } });
    });
  });

  it('NOT_FOUND for a delete of an id never listed; an id listed as deleted is reported deleted', async () => {
    await withLifecycle({}, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 1 }));
      harness.clock.advance(2 * MINUTE);
      expect(payloadOf(await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id] } })).deletedIds).toEqual([task.id]);
      const again = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id, 'ghost'] } });
      expect(payloadOf(again)).toEqual({
        deletedIds: [task.id],
        userErrors: [{ field: ['input', 'ids', '1'], code: 'NOT_FOUND', message: "No task ghost in this firewall's list." }],
        clientMutationId: null,
      });
      expect(harness.simulator.callCountOf('POST', '/capture-task/batch-delete')).toBe(1);
    });
  });
});

describe('deleting a running task', () => {
  it('stops it, waits for ENDING to pass on the injected clock, deletes it once and confirms', async () => {
    await withLifecycle({}, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 30 }));
      harness.simulator.resetCalls();
      const started = harness.clock.now();
      const result = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id] } });
      expect(payloadOf(result)).toEqual({ deletedIds: [task.id], userErrors: [], clientMutationId: null });
      expect(harness.simulator.callCountOf('POST', '/capture-task/stop')).toBe(1);
      expect(harness.simulator.callCountOf('POST', '/capture-task/batch-delete')).toBe(1);
      // Polled every DELETE_STOP_POLL_MS (2 s) until ENDING (5 s) had passed: 3 polls.
      expect(harness.clock.now() - started).toBe(6_000);
      expect(harness.simulator.callCountOf('GET', '/capture-task')).toBe(1 + 3 + 1);
    });
  });

  it('gives up within the bounded wait: CAPTURE_IN_PROGRESS says it is still stopping, nothing deleted', async () => {
    await withLifecycle({ env: { DELETE_STOP_WAIT_MS: '3000' } }, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 30 }));
      const result = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id] } });
      expect(payloadOf(result)).toEqual({
        deletedIds: [],
        userErrors: [
          {
            field: ['input', 'ids', '0'],
            code: 'CAPTURE_IN_PROGRESS',
            message: `Task ${task.id} is still stopping; it was not deleted. Try again in a few seconds.`,
          },
        ],
        clientMutationId: null,
      });
      expect(harness.simulator.callCountOf('POST', '/capture-task/batch-delete')).toBe(0);
      expect(await taskNow(harness, task.id)).toMatchObject({ status: 'ENDING', isDeleted: false });
    });
  });

  it('never waits beyond the budget: it keeps the calls the delete and its confirmation need', async () => {
    await withLifecycle({ env: { OPERATION_UPSTREAM_BUDGET: '5', DELETE_STOP_WAIT_MS: '60000' } }, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 30 }));
      harness.simulator.resetCalls();
      const result = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id] } });
      expect(codesOf(result)).toEqual(['CAPTURE_IN_PROGRESS']);
      expect(harness.simulator.requests.length).toBeLessThanOrEqual(5);
    });
  });
});

describe('when CFW forgets a delete (simulator fault forget-delete)', () => {
  it('reports only what the list confirms: the forgotten id gets REJECTED, none is in deletedIds', async () => {
    await withLifecycle({}, async (harness) => {
      const task = createdTask(await create(harness, { durationMinutes: 1 }));
      harness.clock.advance(2 * MINUTE);
      harness.simulator.faults.push({ kind: 'forget-delete' });
      const result = await harness.gql(DELETE, { input: { fwInstanceId: EMPTY_FIREWALL, ids: [task.id] } });
      expect(payloadOf(result)).toEqual({
        deletedIds: [],
        userErrors: [
          { field: ['input', 'ids', '0'], code: 'REJECTED', message: `CFW answered the delete but still lists task ${task.id} as not deleted; try again.` },
        ],
        clientMutationId: null,
      });
      expect(await taskNow(harness, task.id)).toMatchObject({ isDeleted: false });
    });
  });
});

describe('the double-click race', () => {
  it('two identical creates at once start one capture; the other gets NAME_TAKEN naming it', async () => {
    await withLifecycle({}, async (harness) => {
      const [a, b] = await Promise.all([create(harness, { clientMutationId: 'a' }), create(harness, { clientMutationId: 'b' })]);
      const payloads = [payloadOf(a), payloadOf(b)];
      const winner = payloads.find((payload) => payload.captureTask !== null);
      const loser = payloads.find((payload) => payload.captureTask === null);
      expect(winner?.userErrors).toEqual([]);
      expect(loser?.userErrors.map((error) => error.code)).toEqual(['NAME_TAKEN']);
      expect(loser?.userErrors[0]?.message).toContain(winner?.captureTask?.id ?? 'a winner');
      expect(harness.simulator.callCountOf('POST', '/capture-task')).toBe(1);
      expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks).toHaveLength(1);
    });
  });

  it('across two gateway instances on one CFW: still one capture, the other NAME_TAKEN', async () => {
    await withLifecycle({}, async (harness) => {
      const other = await startGatewayFor(harness);
      try {
        const [a, b] = await Promise.all([create(harness, { clientMutationId: 'a' }), other.gql(CREATE, { input: createInput({ clientMutationId: 'b' }) })]);
        const payloads = [payloadOf(a), payloadOf(b)];
        expect(payloads.filter((payload) => payload.captureTask !== null)).toHaveLength(1);
        expect(payloads.flatMap((payload) => payload.userErrors.map((error) => error.code))).toEqual(['NAME_TAKEN']);
        expect(harness.simulator.store.firewall(EMPTY_FIREWALL, undefined)?.tasks).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });
});

describe('mutations and the operation budget', () => {
  it("counts a mutation's calls before any is made: three creates in one operation need 9 > 6", async () => {
    await withLifecycle({ env: { OPERATION_UPSTREAM_BUDGET: '6' } }, async (harness) => {
      const input = createInput();
      const result = await harness.gql(
        `mutation { a: createCaptureTask(input: ${graphqlInput(input, 'a')}) { clientMutationId } b: createCaptureTask(input: ${graphqlInput(input, 'b')}) { clientMutationId } c: createCaptureTask(input: ${graphqlInput(input, 'c')}) { clientMutationId } }`,
      );
      expect(errorCodesOf(result)).toEqual(['OPERATION_BUDGET_EXCEEDED']);
      expect(harness.simulator.requests).toHaveLength(0);
    });
  });

  it('are never served over GET', async () => {
    await withLifecycle({}, async (harness) => {
      const query = encodeURIComponent(`mutation { createCaptureTask(input: ${graphqlInput(createInput(), 'x')}) { clientMutationId } }`);
      const response = await fetch(`${harness.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true', 'x-auth-token': 'demo-token' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors.map((error) => [error.message, error.extensions.code])).toEqual([
        ['GET requests only support query operations, not mutation operations', 'BAD_REQUEST'],
      ]);
      expect(harness.simulator.requests).toHaveLength(0);
    });
  });

  it("are refused without CSRF protection headers over a simple GET too (Apollo's CSRF prevention)", async () => {
    await withLifecycle({}, async (harness) => {
      const query = encodeURIComponent('mutation { __typename }');
      const response = await fetch(`${harness.url}?query=${query}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('CSRF');
    });
  });
});

describe('captureTask', () => {
  it('reads one page of 1,024 for a firewall that fits in it, and shares it with a 1,024-task page of the same operation', async () => {
    await withLifecycle({}, async (harness) => {
      const tasks = harness.simulator.store.firewall(SIMULATOR_FIREWALLS.demo, undefined)?.tasks ?? [];
      const last = tasks.at(-1);
      if (last === undefined) throw new Error('no seeded tasks');
      harness.simulator.resetCalls();
      const result = await harness.gql(
        `{ captureTask(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", id: "${last.task_id}") { id name } captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1024) { totalCount } }`,
      );
      expect(result.body).toEqual({ data: { captureTask: { id: last.task_id, name: last.name }, captureTasks: { totalCount: 57 } } });
      expect(harness.simulator.calls.map((call) => [call.offset, call.limit])).toEqual([['0', '1024']]);
    });
  });

  it('reads further pages only while the total says more follow, and answers null for an unknown id', async () => {
    await withLifecycle({}, async (harness) => {
      const tasks = harness.simulator.store.firewall(SIMULATOR_FIREWALLS.huge, undefined)?.tasks ?? [];
      harness.simulator.resetCalls();
      const found = await harness.gql(`{ captureTask(fwInstanceId: "${SIMULATOR_FIREWALLS.huge}", id: "${tasks[2000]?.task_id ?? ''}") { id } }`);
      expect(found.body).toEqual({ data: { captureTask: { id: tasks[2000]?.task_id } } });
      expect(harness.simulator.calls.map((call) => call.offset)).toEqual(['0', '1023']);
      harness.simulator.resetCalls();
      const missing = await harness.gql(`{ captureTask(fwInstanceId: "${SIMULATOR_FIREWALLS.huge}", id: "nope") { id } }`);
      expect(missing.body).toEqual({ data: { captureTask: null } });
      expect(harness.simulator.calls.map((call) => call.offset)).toEqual(['0', '1023', '2046', '3069']);
    });
  });
});

/** An input object as a GraphQL literal (keys unquoted). */
function graphqlInput(input: Record<string, unknown>, clientMutationId: string): string {
  const literal = (value: unknown): string => {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number') return String(value);
    if (typeof value === 'object' && value !== null)
      return `{ ${Object.entries(value)
        .map(([key, item]) => `${key}: ${key === 'protocol' ? String(item) : literal(item)}`)
        .join(', ')} }`;
    return 'null';
  };
  return literal({ ...input, clientMutationId });
}
