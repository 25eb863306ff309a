// The simulator's capture lifecycle over real HTTP on loopback: create, stop, batch-delete and
// capture-result with CFW's answers and refusals, time moved by an injected clock (never slept on),
// auth as for the list, and the faults and counters the gateway's tests use.
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ManualClock, ENDING_MS, DAY_MS } from '../../src/simulator/timeline.ts';
import { DEMO_TOKEN, Simulator, type SimulatorOptions } from '../../src/simulator/server.ts';
import {
  DEFAULT_ENTERPRISE_PROJECT,
  generateTask,
  seededRandom,
  SIMULATOR_FIREWALLS,
  SIMULATOR_PROJECT_ID,
  SimulatorStore,
} from '../../src/simulator/store.ts';
import { authorizationFor, sdkDateOf } from '../../src/upstream/signing.ts';
import { captureTaskListFromBody } from '../../src/upstream/wire.ts';
import { until } from '../helpers/until.ts';

const LAB = SIMULATOR_FIREWALLS.lab;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MINUTE = 60_000;

const Record_ = z.record(z.string(), z.unknown());
const ListBody = z.strictObject({ data: z.strictObject({ limit: z.number(), offset: z.number(), total: z.number(), records: z.array(Record_) }) });
const ErrorBody = z.strictObject({ error_code: z.string(), error_msg: z.string(), request_id: z.string().optional() });
const UrlResult = z.strictObject({
  data: z.strictObject({ url: z.string(), captcha: z.string(), expires: z.number(), request_header: z.strictObject({ Host: z.string() }) }),
});
const FileListResult = z.strictObject({
  data: z.strictObject({ file_list: z.array(z.strictObject({ file_name: z.string(), url: z.string(), file_path: z.string() })) }),
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: unknown;
  /** null sends no token. */
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly rawBody?: string;
}

function urlOf(base: string, path: string, query: CallOptions['query'] = {}): URL {
  const url = new URL(`/v1/${SIMULATOR_PROJECT_ID}${path}`, base);
  for (const [name, value] of Object.entries(query)) for (const one of typeof value === 'string' ? [value] : value) url.searchParams.append(name, one);
  return url;
}

async function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const token = options.token === undefined ? DEMO_TOKEN : options.token;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(urlOf(base, path, { fw_instance_id: LAB, ...options.query }), {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(token === null ? {} : { 'X-Auth-Token': token }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function createBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'suspicious-flow',
    duration: 3,
    max_packets: 1_000_000,
    source: { address: '10.0.0.1', address_type: 0, type: 0 },
    destination: { address: '10.0.0.2', address_type: 0, type: 0 },
    service: { protocol: 6, source_port: '', dest_port: '443' },
    ...overrides,
  };
}

const create = (base: string, overrides: Record<string, unknown> = {}, query: CallOptions['query'] = {}) =>
  call(base, '/capture-task', { body: createBody(overrides), query });
const stop = (base: string, taskId: string) => call(base, '/capture-task/stop', { body: { task_id: taskId } });
const batchDelete = (base: string, taskIds: readonly string[]) => call(base, '/capture-task/batch-delete', { body: { task_ids: taskIds } });
const result = (base: string, taskId: string, query: CallOptions['query'] = {}) =>
  call(base, '/capture-task/capture-result', { query: { task_id: taskId, ...query } });

async function listed(base: string, fw: string = LAB): Promise<Record<string, unknown>[]> {
  const answer = await call(base, '/capture-task', { query: { fw_instance_id: fw, limit: '1024', offset: '0' } });
  expect(answer.status).toBe(200);
  return ListBody.parse(JSON.parse(answer.text)).data.records;
}

async function taskNamed(base: string, name: string, fw: string = LAB): Promise<Record<string, unknown>> {
  const task = (await listed(base, fw)).find((record) => record['name'] === name);
  if (task === undefined) throw new Error(`no listed task named ${name}`);
  return task;
}

const idOf = (task: Record<string, unknown>): string => z.string().parse(task['task_id']);

function refusalOf(answer: Answer): z.infer<typeof ErrorBody> {
  expect(answer.status).toBe(answer.status >= 400 ? answer.status : 400);
  return ErrorBody.parse(JSON.parse(answer.text));
}

function expectRefused(answer: Answer, code: string, message?: string): void {
  expect(answer.status).toBe(400);
  const body = refusalOf(answer);
  expect(body.error_code).toBe(code);
  if (message !== undefined) expect(body.error_msg).toBe(message);
  // CFW's business errors have no request_id in the body; the header always has one.
  expect(body.request_id).toBeUndefined();
  expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
}

/** Runs `test` against a fresh simulator on a manual clock and always closes it. */
async function withSimulator<T>(options: SimulatorOptions, test: (base: string, simulator: Simulator, clock: ManualClock) => Promise<T>): Promise<T> {
  const clock = new ManualClock(T0);
  const simulator = new Simulator({ now: clock.now, ...options });
  const base = await simulator.listen();
  try {
    return await test(base, simulator, clock);
  } finally {
    await simulator.close();
  }
}

/** Creates a capture and lets it run to SUCCESSFUL; returns its id. */
async function finishedTask(base: string, clock: ManualClock, name = 'suspicious-flow'): Promise<string> {
  expect((await create(base, { name, duration: 1 })).status).toBe(200);
  clock.advance(MINUTE + ENDING_MS);
  const task = await taskNamed(base, name);
  expect(task['status']).toBe(1);
  return idOf(task);
}

describe('POST capture-task (create)', () => {
  it('answers the firewall id and name, and lists the new task first with every field of a real record', async () => {
    await withSimulator({}, async (base) => {
      const answer = await create(base, { service: { protocol: 6, source_port: '1024-2048', dest_port: 443 } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.parse(answer.text)).toEqual({ data: { id: LAB, name: 'cfw-lab' } });
      const [task, ...others] = await listed(base);
      expect(others).toEqual([]);
      expect(task).toEqual({
        task_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
        name: 'suspicious-flow',
        status: 2,
        protocol: 6,
        source_address: '10.0.0.1',
        source_address_type: 0,
        source_port: '1024-2048',
        dest_address: '10.0.0.2',
        dest_address_type: 0,
        dest_port: '443',
        capture_size: '--',
        duration: 3,
        max_packets: 1_000_000,
        created_date: '2026/01/05 09:00:00',
        modified_date: '2026/01/05 09:00:00',
        is_deleted: 0,
        remaining_days: 7,
      });
    });
  });

  it('puts new tasks at the head of a list, which the wire reader accepts', async () => {
    const store = new SimulatorStore({ now: new ManualClock(T0).now });
    const finished = Array.from({ length: 3 }, (_, serial) => ({ ...generateTask(seededRandom(serial), serial), status: 1 }));
    store.addFirewall({ id: 'fw-finished', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: [...finished] });
    const simulator = new Simulator({ store });
    const base = await simulator.listen();
    try {
      expect((await create(base, { name: 'newest' }, { fw_instance_id: 'fw-finished' })).status).toBe(200);
      const records = await listed(base, 'fw-finished');
      expect(records.map((record) => record['name'])).toEqual(['newest', ...finished.map((task) => task.name)]);
      const answer = await call(base, '/capture-task', { query: { fw_instance_id: 'fw-finished', limit: '2', offset: '0' } });
      expect(captureTaskListFromBody(JSON.parse(answer.text)).total).toBe(4);
      // A firewall without a name answers with its id.
      const deleted = await call(base, '/capture-task/batch-delete', { body: { task_ids: ['unknown'] }, query: { fw_instance_id: 'fw-finished' } });
      expect(JSON.parse(deleted.text)).toEqual({ data: { id: 'fw-finished', name: 'fw-finished' } });
    } finally {
      await simulator.close();
    }
  });

  it('refuses CFW.00200016 while a capture runs or ends on the firewall, and takes one again after', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      expect((await create(base, { name: 'one', duration: 1 })).status).toBe(200);
      expectRefused(await create(base, { name: 'two' }), 'CFW.00200016', 'Instance status error: a capture task is already running on this firewall');
      clock.advance(MINUTE);
      expect((await taskNamed(base, 'one'))['status']).toBe(5);
      expectRefused(await create(base, { name: 'two' }), 'CFW.00200016');
      clock.advance(ENDING_MS);
      expect((await create(base, { name: 'two' })).status).toBe(200);
    });
  });

  it('starts one capture for two identical creates racing: the other is refused CFW.00200016 (running is checked before the name)', async () => {
    await withSimulator({}, async (base, simulator) => {
      const answers = await Promise.all([create(base), create(base)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
      expect(answers.map((answer) => (answer.status === 400 ? refusalOf(answer).error_code : 'created')).sort()).toEqual(['CFW.00200016', 'created']);
      expect((await listed(base)).map((record) => record['name'])).toEqual(['suspicious-flow']);
      expect(simulator.callCountOf('POST', '/capture-task')).toBe(2);
    });
  });

  it('refuses CFW.00200016 on a seeded firewall that lists a RUNNING or ENDING task (demo), as the list shows', async () => {
    await withSimulator({}, async (base) => {
      const statuses = (await listed(base, SIMULATOR_FIREWALLS.demo)).map((record) => record['status']);
      expect(statuses.some((status) => status === 2 || status === 5)).toBe(true);
      expectRefused(await create(base, {}, { fw_instance_id: SIMULATOR_FIREWALLS.demo }), 'CFW.00200016');
    });
  });

  it('refuses CFW.00200024 after 20 creates on one UTC day, whatever was deleted, and takes more the next day', async () => {
    await withSimulator({ deletedRetentionMs: 0 }, async (base, simulator, clock) => {
      clock.advance(14 * 60 * MINUTE - 21 * (MINUTE + ENDING_MS)); // 23:00 less the time the 20 take
      for (let n = 1; n <= 20; n++) {
        expect((await create(base, { name: `capture-${n}`, duration: 1 })).status).toBe(200);
        clock.advance(MINUTE + ENDING_MS);
      }
      expect(simulator.store.createdToday(LAB)).toBe(20);
      const ids = (await listed(base)).map(idOf);
      expect((await batchDelete(base, ids)).status).toBe(200);
      expect(await listed(base)).toEqual([]);
      expectRefused(await create(base, { name: 'capture-21' }), 'CFW.00200024', 'Exceeded maximum quantity limit: at most 20 capture tasks a day');
      clock.advance(DAY_MS - (14 * 60 * MINUTE - MINUTE - ENDING_MS)); // past 00:00 UTC
      expect(simulator.store.createdToday(LAB)).toBe(0);
      expect((await create(base, { name: 'capture-21' })).status).toBe(200);
    });
  });

  it('refuses CFW.00200007 for a name any listed task has, deleted ones included, until it vanishes', async () => {
    await withSimulator({ deletedRetentionMs: 30_000 }, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock, 'taken');
      expectRefused(await create(base, { name: 'taken' }), 'CFW.00200007', 'Name conflict: a capture task with this name exists');
      expect((await batchDelete(base, [id])).status).toBe(200);
      expectRefused(await create(base, { name: 'taken' }), 'CFW.00200007');
      clock.advance(30_000);
      expect((await create(base, { name: 'taken' })).status).toBe(200);
    });
  });

  it("checks the body (CFW.00200001/00200002) before the firewall's state", async () => {
    await withSimulator({}, async (base) => {
      expectRefused(await create(base, { max_packets: 1_000_001 }), 'CFW.00200002', 'Invalid parameter: max_packets must be an integer from 1 to 1000000');
      expectRefused(await create(base, { duration: 61 }), 'CFW.00200002', 'Invalid parameter: duration must be an integer from 1 to 60');
      expectRefused(await create(base, { name: '' }), 'CFW.00200001', 'Empty parameter: name');
      expectRefused(await call(base, '/capture-task', { rawBody: '{"name":' }), 'CFW.00200002', 'Invalid parameter: the request body is not JSON');
      expectRefused(await call(base, '/capture-task', { method: 'POST' }), 'CFW.00200001', 'Empty parameter: name');
      expectRefused(
        await call(base, '/capture-task', { rawBody: JSON.stringify({ ...createBody(), name: 'x'.repeat(70_000) }) }),
        'CFW.00200002',
        'Invalid parameter: the request body is larger than 65536 bytes',
      );
      expect(await listed(base)).toEqual([]);
    });
  });

  it('refuses CFW.00200005 for an unknown firewall or one of another enterprise project, CFW.00200001 without one', async () => {
    await withSimulator({}, async (base) => {
      expectRefused(await create(base, {}, { fw_instance_id: '00000000-0000-4000-a000-000000000000' }), 'CFW.00200005', 'Operation content does not exist');
      expectRefused(await create(base, {}, { fw_instance_id: SIMULATOR_FIREWALLS.finance }), 'CFW.00200005');
      expectRefused(await create(base, {}, { fw_instance_id: '' }), 'CFW.00200001', 'Empty parameter: fw_instance_id');
      // In its enterprise project the finance firewall is found: the next check (task_id) answers.
      expectRefused(
        await call(base, '/capture-task/capture-result', { query: { fw_instance_id: SIMULATOR_FIREWALLS.finance, enterprise_project_id: 'ep-finance' } }),
        'CFW.00200001',
        'Empty parameter: task_id',
      );
      expectRefused(await call(base, '/capture-task/capture-result', { query: { fw_instance_id: SIMULATOR_FIREWALLS.finance } }), 'CFW.00200005');
    });
  });
});

describe('the lifecycle on the clock', () => {
  it('RUNNING for `duration` minutes with a growing size, ENDING for a few seconds, then SUCCESSFUL; remaining_days counts down', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      await create(base, { duration: 3, max_packets: 1_000_000 });
      const seen = async () => {
        const task = await taskNamed(base, 'suspicious-flow');
        return [task['status'], task['capture_size'], task['modified_date'], task['remaining_days']];
      };
      expect(await seen()).toEqual([2, '--', '2026/01/05 09:00:00', 7]);
      clock.advance(1_000);
      expect(await seen()).toEqual([2, '25kb', '2026/01/05 09:00:00', 7]);
      clock.advance(59_000);
      expect(await seen()).toEqual([2, '1.5mb', '2026/01/05 09:00:00', 7]);
      clock.advance(2 * MINUTE);
      expect(await seen()).toEqual([5, '4.4mb', '2026/01/05 09:03:00', 7]);
      clock.advance(ENDING_MS);
      expect(await seen()).toEqual([1, '4.4mb', '2026/01/05 09:03:05', 7]);
      clock.advance(DAY_MS);
      expect(await seen()).toEqual([1, '4.4mb', '2026/01/05 09:03:05', 6]);
      clock.advance(6 * DAY_MS);
      expect(await seen()).toEqual([1, '4.4mb', '2026/01/05 09:03:05', 0]);
    });
  });

  it('stops growing at max_packets', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      await create(base, { max_packets: 100 });
      clock.advance(30_000);
      expect((await taskNamed(base, 'suspicious-flow'))['capture_size']).toBe('50kb');
    });
  });

  it("leaves other firewalls' pages untouched (their serialised pages stay valid)", async () => {
    await withSimulator({}, async (base, simulator, clock) => {
      const demoVersion = simulator.store.versionOf(SIMULATOR_FIREWALLS.demo);
      const labVersion = simulator.store.versionOf(LAB);
      await create(base);
      for (let second = 0; second < 5; second++) {
        clock.advance(1_000);
        await listed(base, SIMULATOR_FIREWALLS.demo);
        await listed(base);
      }
      expect(simulator.store.versionOf(SIMULATOR_FIREWALLS.demo)).toBe(demoVersion);
      expect(simulator.store.versionOf(LAB)).toBeGreaterThan(labVersion + 5);
    });
  });
});

describe('POST capture-task/stop', () => {
  it('moves a RUNNING task to ENDING at once and to STOPPED a few seconds later', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      await create(base);
      clock.advance(10_000);
      const id = idOf(await taskNamed(base, 'suspicious-flow'));
      const answer = await stop(base, id);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ data: { id: LAB, name: 'cfw-lab' } });
      expect(await taskNamed(base, 'suspicious-flow')).toMatchObject({ status: 5, capture_size: '250kb', modified_date: '2026/01/05 09:00:10' });
      expectRefused(await stop(base, id), 'CFW.00200016', 'Instance status error: the capture task is not running');
      clock.advance(ENDING_MS);
      expect(await taskNamed(base, 'suspicious-flow')).toMatchObject({ status: 4, capture_size: '250kb', modified_date: '2026/01/05 09:00:15' });
      expectRefused(await stop(base, id), 'CFW.00200016');
    });
  });

  it('refuses a finished task CFW.00200016, an unknown one CFW.00200005, none CFW.00200001', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      expectRefused(await stop(base, id), 'CFW.00200016');
      expectRefused(await stop(base, 'no-such-task'), 'CFW.00200005', 'Operation content does not exist');
      expectRefused(await call(base, '/capture-task/stop', { body: {} }), 'CFW.00200001', 'Empty parameter: task_id');
      expectRefused(await call(base, '/capture-task/stop', { body: { task_id: id }, query: { fw_instance_id: SIMULATOR_FIREWALLS.empty } }), 'CFW.00200005');
    });
  });

  it('stops a seeded RUNNING task too', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const running = (await listed(base, SIMULATOR_FIREWALLS.demo)).find((record) => record['status'] === 2 && record['is_deleted'] === 0);
      if (running === undefined) throw new Error('the demo firewall has no running task');
      const answer = await call(base, '/capture-task/stop', { body: { task_id: idOf(running) }, query: { fw_instance_id: SIMULATOR_FIREWALLS.demo } });
      expect(answer.status).toBe(200);
      clock.advance(ENDING_MS);
      const after = (await listed(base, SIMULATOR_FIREWALLS.demo)).find((record) => record['task_id'] === running['task_id']);
      expect(after).toEqual({ ...running, status: 4, modified_date: '2026/01/05 09:00:05' });
    });
  });
});

describe('POST capture-task/batch-delete', () => {
  it('keeps deleted tasks listed with is_deleted 1 for the retention, then they vanish', async () => {
    await withSimulator({ deletedRetentionMs: 10_000 }, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      const before = await taskNamed(base, 'suspicious-flow');
      const answer = await batchDelete(base, [id, 'unknown-id']);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ data: { id: LAB, name: 'cfw-lab' } });
      expect(await listed(base)).toEqual([{ ...before, is_deleted: 1, modified_date: '2026/01/05 09:01:05' }]);
      clock.advance(9_999);
      expect(await listed(base)).toHaveLength(1);
      clock.advance(1);
      expect(await listed(base)).toEqual([]);
    });
  });

  it('deletes the default retention of 60 s later', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      await batchDelete(base, [id]);
      clock.advance(59_999);
      expect((await listed(base)).map((record) => record['is_deleted'])).toEqual([1]);
      clock.advance(1);
      expect(await listed(base)).toEqual([]);
    });
  });

  it('refuses CFW.00200016 and deletes nothing when one task runs or ends', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const done = await finishedTask(base, clock, 'done');
      await create(base, { name: 'running' });
      const running = idOf(await taskNamed(base, 'running'));
      expectRefused(await batchDelete(base, [done, running]), 'CFW.00200016', `Instance status error: capture task ${running} is running`);
      await stop(base, running);
      expectRefused(await batchDelete(base, [done, running]), 'CFW.00200016');
      expect((await listed(base)).map((record) => record['is_deleted'])).toEqual([0, 0]);
      clock.advance(ENDING_MS);
      expect((await batchDelete(base, [done, running])).status).toBe(200);
      expect((await listed(base)).map((record) => record['is_deleted'])).toEqual([1, 1]);
    });
  });

  it('ignores unknown and already deleted ids; refuses an empty list CFW.00200001', async () => {
    await withSimulator({}, async (base, simulator, clock) => {
      const id = await finishedTask(base, clock);
      expect((await batchDelete(base, ['nothing-like-it'])).status).toBe(200);
      expect((await batchDelete(base, [id])).status).toBe(200);
      clock.advance(30_000);
      expect((await batchDelete(base, [id])).status).toBe(200);
      clock.advance(30_000);
      // Deleted once, at the first call: gone 60 s after it.
      expect(await listed(base)).toEqual([]);
      expect(simulator.requests.filter((request) => request.endpoint === 'batch-delete').map((request) => request.applied)).toEqual([false, true, false]);
      expectRefused(await batchDelete(base, []), 'CFW.00200001', 'Empty parameter: task_ids');
    });
  });
});

describe('GET capture-task/capture-result', () => {
  it('answers a URL, an access code, expires in seconds and the Host to send; the URL serves a pcap until it expires', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      const answer = await result(base, id);
      expect(answer.status).toBe(200);
      const { data } = UrlResult.parse(JSON.parse(answer.text));
      expect(data.expires).toBe(300);
      expect(data.captcha).toMatch(/^[0-9a-f]{8}$/);
      expect(data.request_header.Host).toBe(new URL(base).host);
      expect(data.url).toMatch(new RegExp(`^${base}/_simulator/download/[\\w-]{32}/suspicious-flow\\.pcap$`));
      const file = await fetch(data.url, { headers: { Host: data.request_header.Host } });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('application/vnd.tcpdump.pcap');
      expect(Buffer.from(await file.arrayBuffer()).readUInt32LE(0)).toBe(0xa1b2c3d4);
      clock.advance(300_000);
      expect((await fetch(data.url)).status).toBe(403);
      expect((await fetch(`${base}/_simulator/download/unknown/x.pcap`)).status).toBe(404);
    });
  });

  it('answers each call with a new URL and code', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      const first = UrlResult.parse(JSON.parse((await result(base, id)).text)).data;
      const second = UrlResult.parse(JSON.parse((await result(base, id)).text)).data;
      expect(second.url).not.toBe(first.url);
      expect(second.captcha).not.toBe(first.captcha);
    });
  });

  it('answers the file_list form with resultForm: file-list', async () => {
    await withSimulator({ resultForm: 'file-list' }, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      const { data } = FileListResult.parse(JSON.parse((await result(base, id, { type: '1', ip: ['203.0.113.7', '198.51.100.0/24'] })).text));
      expect(data.file_list).toEqual([
        { file_name: 'suspicious-flow.pcap', url: expect.stringContaining('/_simulator/download/'), file_path: `/${LAB}/${id}/suspicious-flow.pcap` },
      ]);
      expect((await fetch(data.file_list[0]?.url ?? '')).status).toBe(200);
    });
  });

  it('refuses a running or ending task CFW.00200016, and a stopped one with no packets CFW.00200005', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      await create(base);
      const id = idOf(await taskNamed(base, 'suspicious-flow'));
      expectRefused(await result(base, id), 'CFW.00200016', 'Instance status error: the capture task is still running');
      await stop(base, id);
      expectRefused(await result(base, id), 'CFW.00200016');
      clock.advance(ENDING_MS);
      expect((await taskNamed(base, 'suspicious-flow'))['capture_size']).toBe('0kb');
      expectRefused(await result(base, id), 'CFW.00200005', 'Operation content does not exist');
    });
  });

  it('answers a STOPPED task with packets', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      await create(base);
      clock.advance(5_000);
      const id = idOf(await taskNamed(base, 'suspicious-flow'));
      await stop(base, id);
      clock.advance(ENDING_MS);
      expect(UrlResult.safeParse(JSON.parse((await result(base, id)).text)).success).toBe(true);
    });
  });

  it('refuses unknown, deleted and expired tasks CFW.00200005', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      expectRefused(await result(base, 'no-such-task'), 'CFW.00200005');
      const id = await finishedTask(base, clock, 'old');
      clock.advance(7 * DAY_MS);
      expect((await taskNamed(base, 'old'))['remaining_days']).toBe(0);
      expectRefused(await result(base, id), 'CFW.00200005');
      const other = await finishedTask(base, clock, 'deleted');
      await batchDelete(base, [other]);
      expectRefused(await result(base, other), 'CFW.00200005');
    });
  });

  it('refuses type=1 without ip, more than 3 ips, and no task_id, CFW.00200002/00200001', async () => {
    await withSimulator({}, async (base, _simulator, clock) => {
      const id = await finishedTask(base, clock);
      expectRefused(await result(base, id, { type: '1' }), 'CFW.00200002', 'Invalid parameter: ip is required with type 1');
      expectRefused(
        await result(base, id, { type: '1', ip: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] }),
        'CFW.00200002',
        'Invalid parameter: ip may be given at most 3 times',
      );
      expectRefused(await call(base, '/capture-task/capture-result'), 'CFW.00200001', 'Empty parameter: task_id');
    });
  });

  it('serves a seeded finished task with a size', async () => {
    await withSimulator({}, async (base) => {
      const seeded = (await listed(base, SIMULATOR_FIREWALLS.demo)).find(
        (record) =>
          record['status'] === 1 && record['is_deleted'] === 0 && /^[1-9]/.test(String(record['capture_size'])) && Number(record['remaining_days']) > 0,
      );
      if (seeded === undefined) throw new Error('the demo firewall has no finished task with a size');
      const answer = await result(base, idOf(seeded), { fw_instance_id: SIMULATOR_FIREWALLS.demo });
      expect(answer.status).toBe(200);
    });
  });
});

describe('authentication on the lifecycle calls', () => {
  const calls: readonly [string, (base: string, token: string | null) => Promise<Answer>][] = [
    ['create', (base, token) => call(base, '/capture-task', { body: createBody(), token })],
    ['stop', (base, token) => call(base, '/capture-task/stop', { body: { task_id: 'x' }, token })],
    ['batch-delete', (base, token) => call(base, '/capture-task/batch-delete', { body: { task_ids: ['x'] }, token })],
    ['capture-result', (base, token) => call(base, '/capture-task/capture-result', { query: { task_id: 'x' }, token })],
  ];

  it.each(calls)('%s: 401 APIG.0301 without a token or with an unknown one, with the request id in the body', async (_, send) => {
    await withSimulator({}, async (base) => {
      for (const [token, message] of [
        [null, 'Incorrect IAM authentication information: the X-Auth-Token header is missing'],
        ['forged', 'Incorrect IAM authentication information: decrypt token fail'],
      ] as const) {
        const answer = await send(base, token);
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.text)).toEqual({ error_code: 'APIG.0301', error_msg: message, request_id: answer.headers.get('x-request-id') });
      }
    });
  });

  it.each(calls)('%s: 403 APIG.0302 for a token limited to other firewalls', async (_, send) => {
    await withSimulator({ tokens: new Map([['narrow', { firewalls: [SIMULATOR_FIREWALLS.demo] }]]) }, async (base) => {
      const answer = await send(base, 'narrow');
      expect(answer.status).toBe(403);
      expect(ErrorBody.parse(JSON.parse(answer.text)).error_code).toBe('APIG.0302');
    });
  });

  it('403 APIG.0302 for another project, or one that is not even a percent-encoded path segment', async () => {
    await withSimulator({}, async (base) => {
      const malformed = await fetch(new URL(`/v1/%zz/capture-task/capture-result?fw_instance_id=${LAB}&task_id=x`, base), {
        headers: { 'X-Auth-Token': DEMO_TOKEN },
      });
      expect(malformed.status).toBe(403);
      const response = await fetch(new URL(`/v1/another-project/capture-task?fw_instance_id=${LAB}`, base), {
        method: 'POST',
        headers: { 'X-Auth-Token': DEMO_TOKEN },
        body: JSON.stringify(createBody()),
      });
      expect(response.status).toBe(403);
      expect(ErrorBody.parse(await response.json()).error_code).toBe('APIG.0302');
    });
  });

  describe('AK/SK signatures', () => {
    const AK = 'QTWAOYTTINDUT2QVKYUC';
    const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

    async function signed(base: string, method: 'GET' | 'POST', url: URL, body: string, sentBody: string = body): Promise<Answer> {
      const headers = { 'content-type': 'application/json', 'x-sdk-date': sdkDateOf(new Date()), 'x-project-id': SIMULATOR_PROJECT_ID };
      const authorization = authorizationFor({ method, url, headers: { ...headers, host: url.host }, body }, { accessKey: AK, secretKey: SK }, [
        ...Object.keys(headers),
        'host',
      ]);
      const response = await fetch(url, { method, headers: { ...headers, authorization }, ...(method === 'POST' ? { body: sentBody } : {}) });
      return { status: response.status, headers: response.headers, text: await response.text() };
    }

    it('accept a POST signed over its exact body, and refuse the same signature over another body', async () => {
      await withSimulator({ accessKeys: new Map([[AK, SK]]), tokens: new Map() }, async (base) => {
        const url = urlOf(base, '/capture-task', { fw_instance_id: LAB });
        const body = JSON.stringify(createBody());
        expect((await signed(base, 'POST', url, body)).status).toBe(200);
        const tampered = await signed(base, 'POST', url, JSON.stringify(createBody({ name: 'other' })), JSON.stringify(createBody({ name: 'tampered' })));
        expect(tampered.status).toBe(401);
        expect(ErrorBody.parse(JSON.parse(tampered.text)).error_msg).toBe(
          'Incorrect IAM authentication information: verify aksk signature fail (bad-signature)',
        );
        expect((await listed(base).catch(() => [])).length).toBe(0);
      });
    });

    it('accept a signed capture-result GET with repeated ip', async () => {
      await withSimulator({ accessKeys: new Map([[AK, SK]]) }, async (base, _simulator, clock) => {
        const id = await finishedTask(base, clock);
        const url = urlOf(base, '/capture-task/capture-result', { fw_instance_id: LAB, task_id: id, type: '1', ip: ['203.0.113.9', '203.0.113.7'] });
        expect((await signed(base, 'GET', url, '')).status).toBe(200);
      });
    });
  });
});

describe('faults and counters for the lifecycle', () => {
  it('a fault with match applies only to that method and path; others wait their turn', async () => {
    await withSimulator({ faults: [{ kind: 'status', status: 503, match: { method: 'POST', path: '/capture-task' } }] }, async (base, simulator) => {
      expect(await listed(base)).toEqual([]);
      expect((await stop(base, 'x')).status).toBe(400);
      const failed = await create(base);
      expect(failed.status).toBe(503);
      expect(ErrorBody.parse(JSON.parse(failed.text)).error_code).toBe('APIGW.0203');
      expect(simulator.faults).toEqual([]);
      expect((await create(base)).status).toBe(200);
    });
  });

  it('reset-after-apply creates the task, then resets the connection without an answer', async () => {
    await withSimulator({ faults: [{ kind: 'reset-after-apply', match: { method: 'POST', path: '/capture-task' } }] }, async (base, simulator) => {
      await expect(create(base)).rejects.toThrow('fetch failed');
      expect(await listed(base)).toEqual([expect.objectContaining({ name: 'suspicious-flow', status: 2 })]);
      expect(simulator.callCountOf('POST', '/capture-task')).toBe(1);
      expect(simulator.requests.filter((request) => request.endpoint === 'create')).toEqual([
        { method: 'POST', path: '/capture-task', endpoint: 'create', fwInstanceId: LAB, status: 0, fault: 'reset-after-apply', applied: true },
      ]);
    });
  });

  it('status-after-apply creates the task, then answers the status with an APIG body', async () => {
    await withSimulator(
      { faults: [{ kind: 'status-after-apply', status: 503, match: { method: 'POST', path: '/capture-task' } }] },
      async (base, simulator) => {
        const response = await create(base);
        expect(response.status).toBe(503);
        expect(JSON.parse(response.text)).toMatchObject({ error_code: 'APIGW.0203' });
        expect(await listed(base)).toEqual([expect.objectContaining({ name: 'suspicious-flow', status: 2 })]);
        expect(
          simulator.requests.filter((request) => request.endpoint === 'create').map((request) => [request.status, request.fault, request.applied]),
        ).toEqual([[503, 'status-after-apply', true]]);
      },
    );
  });

  it('reset (before) drops the connection and creates nothing', async () => {
    await withSimulator({ faults: [{ kind: 'reset', match: { method: 'POST', path: '/capture-task' } }] }, async (base, simulator) => {
      await expect(create(base)).rejects.toThrow('fetch failed');
      expect(await listed(base)).toEqual([]);
      expect(simulator.requests.filter((request) => request.endpoint === 'create').map((request) => [request.status, request.fault, request.applied])).toEqual([
        [0, 'reset', false],
      ]);
    });
  });

  it('hang-after-apply stops the task and never answers', async () => {
    await withSimulator({}, async (base, simulator) => {
      await create(base);
      const id = idOf(await taskNamed(base, 'suspicious-flow'));
      simulator.faults.push({ kind: 'hang-after-apply', match: { path: '/capture-task/stop' } });
      const controller = new AbortController();
      const pending = fetch(urlOf(base, '/capture-task/stop', { fw_instance_id: LAB }), {
        method: 'POST',
        headers: { 'X-Auth-Token': DEMO_TOKEN },
        body: JSON.stringify({ task_id: id }),
        signal: controller.signal,
      });
      await until(() => simulator.requests.some((request) => request.endpoint === 'stop'), 'the stop to reach the simulator');
      expect((await taskNamed(base, 'suspicious-flow'))['status']).toBe(5);
      controller.abort();
      await expect(pending).rejects.toThrow('This operation was aborted');
      expect(simulator.requests.find((request) => request.endpoint === 'stop')).toMatchObject({ status: 0, fault: 'hang-after-apply', applied: true });
    });
  });

  it('forget-delete answers 200 and deletes nothing, once; it waits for a batch-delete call', async () => {
    await withSimulator({ faults: [{ kind: 'forget-delete' }] }, async (base, simulator, clock) => {
      const id = await finishedTask(base, clock);
      const answer = await batchDelete(base, [id]);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ data: { id: LAB, name: 'cfw-lab' } });
      expect((await taskNamed(base, 'suspicious-flow'))['is_deleted']).toBe(0);
      expect(
        simulator.requests.filter((request) => request.endpoint === 'batch-delete').map((request) => [request.status, request.fault, request.applied]),
      ).toEqual([[200, 'forget-delete', false]]);
      expect((await batchDelete(base, [id])).status).toBe(200);
      expect((await taskNamed(base, 'suspicious-flow'))['is_deleted']).toBe(1);
    });
  });

  it('forget-delete still refuses a running task', async () => {
    await withSimulator({ faults: [{ kind: 'forget-delete', times: 2 }] }, async (base) => {
      await create(base);
      const id = idOf(await taskNamed(base, 'suspicious-flow'));
      expectRefused(await batchDelete(base, [id]), 'CFW.00200016');
    });
  });

  it('file-list switches one capture-result answer to the file_list form', async () => {
    await withSimulator({}, async (base, simulator, clock) => {
      const id = await finishedTask(base, clock);
      simulator.faults.push({ kind: 'file-list' });
      expect(FileListResult.safeParse(JSON.parse((await result(base, id)).text)).success).toBe(true);
      expect(UrlResult.safeParse(JSON.parse((await result(base, id)).text)).success).toBe(true);
    });
  });

  it('refuseConnections() makes connections fail with ECONNREFUSED until acceptConnections(), on the same port', async () => {
    await withSimulator({}, async (base, simulator) => {
      expect(await listed(base)).toEqual([]);
      simulator.refuseConnections();
      await expect(create(base)).rejects.toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
      expect(simulator.callCountOf('POST', '/capture-task')).toBe(0);
      await simulator.acceptConnections();
      expect((await create(base)).status).toBe(200);
      expect(simulator.callCountOf('POST', '/capture-task')).toBe(1);
    });
  });

  it('hold() holds lifecycle calls too, before they do anything', async () => {
    await withSimulator({}, async (base, simulator) => {
      const release = simulator.hold();
      const pending = create(base);
      await until(() => simulator.inFlight === 1, 'the create to arrive');
      expect(simulator.store.firewall(LAB, undefined)?.tasks).toEqual([]);
      release();
      expect((await pending).status).toBe(200);
      expect(await listed(base)).toHaveLength(1);
    });
  });

  it('counts calls per method and path, faulted ones included; resetCalls() forgets them', async () => {
    await withSimulator({ faults: [{ kind: 'status', status: 500, match: { path: '/capture-task/capture-result' } }] }, async (base, simulator, clock) => {
      const id = await finishedTask(base, clock);
      await result(base, id);
      await result(base, id);
      await stop(base, id);
      await batchDelete(base, [id]);
      await call(base, '/capture-task/nothing');
      expect(simulator.callCounts()).toEqual({
        'POST /capture-task': 1,
        'GET /capture-task': 1,
        'GET /capture-task/capture-result': 2,
        'POST /capture-task/stop': 1,
        'POST /capture-task/batch-delete': 1,
        other: 1,
      });
      expect(simulator.callCountOf('get', '/capture-task/capture-result')).toBe(2);
      expect(simulator.callCount).toBe(1);
      expect(simulator.requests.map((request) => request.status)).toEqual([200, 200, 500, 200, 400, 200, 404]);
      const state = await fetch(new URL('/_simulator/state', base)).then(async (response) =>
        z.object({ callCounts: z.record(z.string(), z.number()), now: z.string() }).parse(await response.json()),
      );
      expect(state.callCounts['GET /capture-task/capture-result']).toBe(2);
      expect(state.now).toBe(new Date(clock.now()).toISOString());
      simulator.resetCalls();
      expect(simulator.callCounts()).toEqual({});
      expect(simulator.requests).toEqual([]);
    });
  });

  it('takes scoped faults over HTTP, and refuses a bad match', async () => {
    await withSimulator({}, async (base, simulator) => {
      const post = (body: string) => fetch(new URL('/_simulator/faults', base), { method: 'POST', body });
      const accepted = await post(
        JSON.stringify([
          { kind: 'reset-after-apply', match: { method: 'POST', path: '/capture-task' } },
          { kind: 'forget-delete', times: 2 },
          { kind: 'file-list' },
          { kind: 'hang-after-apply' },
        ]),
      );
      expect(accepted.status).toBe(200);
      expect(simulator.faults.map((fault) => fault.kind)).toEqual(['reset-after-apply', 'forget-delete', 'file-list', 'hang-after-apply']);
      for (const bad of [
        [{ kind: 'reset', match: 'POST' }],
        [{ kind: 'reset', match: { path: 'capture-task' } }],
        [{ kind: 'reset', match: { method: 7 } }],
        [{ kind: 'forget' }],
      ]) {
        expect((await post(JSON.stringify(bad))).status).toBe(400);
      }
      expect(simulator.faults).toHaveLength(4);
    });
  });

  it('clears every pending fault over HTTP, so an outage of many faults ends at once', async () => {
    await withSimulator({}, async (base, simulator) => {
      await fetch(new URL('/_simulator/faults', base), {
        method: 'POST',
        body: JSON.stringify([{ kind: 'status', status: 503, times: 1_000_000 }, { kind: 'hang' }]),
      });
      const cleared = await fetch(new URL('/_simulator/faults', base), { method: 'DELETE' });
      expect(cleared.status).toBe(200);
      expect(await cleared.json()).toEqual({ cleared: 2, pendingFaults: 0 });
      expect(simulator.faults).toEqual([]);
      expect((await call(base, '/capture-task', { query: { limit: '1', offset: '0' } })).status).toBe(200);
    });
  });
});

describe('options', () => {
  it('refuse a clock next to a store, and a time scale next to an injected clock', () => {
    expect(() => new Simulator({ store: new SimulatorStore(), now: Date.now })).toThrow(
      'give now, timeScale and deletedRetentionMs to the SimulatorStore when you pass one',
    );
    expect(() => new Simulator({ now: Date.now, timeScale: 60 })).toThrow('timeScale speeds up the wall clock; an injected clock (now) keeps its own time');
    expect(() => new SimulatorStore({ deletedRetentionMs: -1 })).toThrow('deletedRetentionMs must be a number of ms no less than 0, got -1');
  });

  it('a store given its own clock drives the lifecycle', async () => {
    const clock = new ManualClock(T0);
    const simulator = new Simulator({ store: new SimulatorStore({ now: clock.now, deletedRetentionMs: 0 }) });
    const base = await simulator.listen();
    try {
      await create(base, { duration: 1 });
      clock.advance(MINUTE + ENDING_MS);
      const task = await taskNamed(base, 'suspicious-flow');
      expect(task['status']).toBe(1);
      await batchDelete(base, [idOf(task)]);
      expect(await listed(base)).toEqual([]);
    } finally {
      await simulator.close();
    }
  });
});
