import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { DEMO_TOKEN, Simulator, type SimulatorOptions } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID, SimulatorStore } from '../../src/simulator/store.ts';
import { captureTaskListFromBody } from '../../src/upstream/wire.ts';
import { until } from '../helpers/until.ts';

const TaskRecord = z.record(z.string(), z.unknown());
const Page = z.strictObject({ limit: z.number(), offset: z.number(), total: z.number(), records: z.array(TaskRecord) });
const ListBody = z.strictObject({ data: Page });
const LegacyListBody = z.strictObject({ data: z.tuple([Page.extend({ object_id: z.string(), project_id: z.string() })]) });
const ErrorBody = z.strictObject({ error_code: z.string(), error_msg: z.string(), request_id: z.string().optional() });

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

type ListQuery = Readonly<Partial<Record<'fw_instance_id' | 'limit' | 'offset' | 'enterprise_project_id', string>>>;

const DEMO_QUERY = { fw_instance_id: SIMULATOR_FIREWALLS.demo, limit: '10', offset: '0' } as const;

/** GETs the list path; sends the demo token unless `token` is null. */
async function list(base: string, query: ListQuery, token: string | null = DEMO_TOKEN, projectId = SIMULATOR_PROJECT_ID): Promise<Answer> {
  const url = new URL(`/v1/${projectId}/capture-task`, base);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const response = await fetch(url, { headers: token === null ? {} : { 'X-Auth-Token': token } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function pageOf(answer: Answer): z.infer<typeof Page> {
  expect(answer.status).toBe(200);
  return ListBody.parse(JSON.parse(answer.text)).data;
}

function errorOf(answer: Answer): z.infer<typeof ErrorBody> {
  return ErrorBody.parse(JSON.parse(answer.text));
}

/** Runs `test` against a fresh simulator on loopback and always closes it. */
async function withSimulator<T>(options: SimulatorOptions, test: (base: string, simulator: Simulator) => Promise<T>): Promise<T> {
  const simulator = new Simulator(options);
  const base = await simulator.listen();
  try {
    return await test(base, simulator);
  } finally {
    await simulator.close();
  }
}

describe('the simulator, unchanged', () => {
  let simulator: Simulator;
  let base: string;

  beforeAll(async () => {
    simulator = new Simulator();
    base = await simulator.listen();
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('listens on loopback', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 200 with {data:{limit,offset,total,records}} for the demo firewall', async () => {
    const answer = await list(base, DEMO_QUERY);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const page = pageOf(answer);
    expect(page.limit).toBe(10);
    expect(page.offset).toBe(0);
    expect(page.total).toBe(57);
    expect(page.records).toHaveLength(10);
    for (const record of page.records) {
      expect(record).toMatchObject({
        task_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
        name: expect.any(String),
        status: expect.any(Number),
      });
    }
  });

  it('pages through the demo firewall: the pages join into all 57 distinct tasks', async () => {
    const ids: unknown[] = [];
    for (let offset = 0; offset < 57; offset += 20) {
      const page = pageOf(await list(base, { ...DEMO_QUERY, limit: '20', offset: String(offset) }));
      expect(page.total).toBe(57);
      ids.push(...page.records.map((record) => record['task_id']));
    }
    expect(ids).toHaveLength(57);
    expect(new Set(ids).size).toBe(57);
    const all = pageOf(await list(base, { ...DEMO_QUERY, limit: '1024' }));
    expect(all.records.map((record) => record['task_id'])).toEqual(ids);
  });

  it('answers an offset past the end with no records and the right total', async () => {
    const page = pageOf(await list(base, { ...DEMO_QUERY, offset: '100' }));
    expect(page).toEqual({ limit: 10, offset: 100, total: 57, records: [] });
    const tail = pageOf(await list(base, { ...DEMO_QUERY, offset: '55' }));
    expect(tail.total).toBe(57);
    expect(tail.records).toHaveLength(2);
  });

  it('puts an X-Request-Id on every answer: 200, 400, 401 and 404', async () => {
    const answers = [
      await list(base, DEMO_QUERY),
      await list(base, { ...DEMO_QUERY, limit: '0' }),
      await list(base, DEMO_QUERY, null),
      await fetch(new URL('/v1/x/no-such-api', base)).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        text: await response.text(),
      })),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 400, 401, 404]);
    const ids = answers.map((answer) => answer.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(4);
  });

  it('answers 401 with APIG.0301 and a request_id when the token is missing', async () => {
    const answer = await list(base, DEMO_QUERY, null);
    expect(answer.status).toBe(401);
    const body = errorOf(answer);
    expect(body.error_code).toBe('APIG.0301');
    expect(body.error_msg).toBe('Incorrect IAM authentication information: the X-Auth-Token header is missing');
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.request_id).toBe(answer.headers.get('x-request-id'));
  });

  it('answers 401 with APIG.0301 for a token it does not know', async () => {
    const answer = await list(base, DEMO_QUERY, 'forged-token');
    expect(answer.status).toBe(401);
    expect(errorOf(answer)).toMatchObject({ error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail' });
  });

  it('answers 403 APIG.0302 for another project', async () => {
    const answer = await list(base, DEMO_QUERY, DEMO_TOKEN, 'another-project');
    expect(answer.status).toBe(403);
    expect(errorOf(answer).error_code).toBe('APIG.0302');
  });

  it.each([
    ['GET', '/capture-task/no-such-call'],
    ['DELETE', '/capture-task'],
    ['GET', '/capture-task/stop'],
    ['POST', '/capture-task/capture-result'],
  ])('answers 404 APIGW.0101 for %s %s, which is not an API', async (method, path) => {
    const response = await fetch(new URL(`/v1/${SIMULATOR_PROJECT_ID}${path}`, base), { method, headers: { 'X-Auth-Token': DEMO_TOKEN } });
    expect(response.status).toBe(404);
    expect(ErrorBody.parse(await response.json()).error_code).toBe('APIGW.0101');
  });

  it.each([
    ['0', 'CFW.00200002'],
    ['1025', 'CFW.00200002'],
    ['x', 'CFW.00200002'],
    ['-1', 'CFW.00200002'],
    ['1.5', 'CFW.00200002'],
    ['', 'CFW.00200001'],
  ])('answers 400 for limit %p', async (limit, code) => {
    const answer = await list(base, { ...DEMO_QUERY, limit });
    expect(answer.status).toBe(400);
    const body = errorOf(answer);
    expect(body.error_code).toMatch(/^CFW\./);
    expect(body.error_code).toBe(code);
  });

  it('answers 400 when limit is missing', async () => {
    const answer = await list(base, { fw_instance_id: SIMULATOR_FIREWALLS.demo, offset: '0' });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toEqual({ error_code: 'CFW.00200001', error_msg: 'Empty parameter: limit' });
  });

  it('accepts limit 1 and 1024', async () => {
    expect(pageOf(await list(base, { ...DEMO_QUERY, limit: '1' })).records).toHaveLength(1);
    expect(pageOf(await list(base, { ...DEMO_QUERY, limit: '1024' })).records).toHaveLength(57);
  });

  it.each([['-1'], ['x'], ['1.5']])('answers 400 for offset %p', async (offset) => {
    const answer = await list(base, { ...DEMO_QUERY, offset });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toEqual({ error_code: 'CFW.00200002', error_msg: 'Invalid parameter: offset must be an integer no less than 0' });
  });

  it('answers 400 when offset or fw_instance_id is missing', async () => {
    const noOffset = await list(base, { fw_instance_id: SIMULATOR_FIREWALLS.demo, limit: '10' });
    expect(noOffset.status).toBe(400);
    expect(errorOf(noOffset)).toEqual({ error_code: 'CFW.00200001', error_msg: 'Empty parameter: offset' });
    const noFirewall = await list(base, { limit: '10', offset: '0' });
    expect(noFirewall.status).toBe(400);
    expect(errorOf(noFirewall)).toEqual({ error_code: 'CFW.00200001', error_msg: 'Empty parameter: fw_instance_id' });
  });

  it('answers 400 CFW.00200005 for an unknown firewall', async () => {
    const answer = await list(base, { ...DEMO_QUERY, fw_instance_id: '00000000-0000-4000-a000-000000000000' });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toEqual({ error_code: 'CFW.00200005', error_msg: 'Operation content does not exist' });
  });

  it('shows the finance firewall only in enterprise project ep-finance', async () => {
    const query = { ...DEMO_QUERY, fw_instance_id: SIMULATOR_FIREWALLS.finance };
    const inProject = pageOf(await list(base, { ...query, enterprise_project_id: 'ep-finance' }));
    expect(inProject.total).toBe(12);
    expect(inProject.records).toHaveLength(10);
    for (const enterpriseProjectId of [undefined, 'default', '0', 'ep-other']) {
      const answer = await list(base, enterpriseProjectId === undefined ? query : { ...query, enterprise_project_id: enterpriseProjectId });
      expect(answer.status).toBe(400);
      expect(errorOf(answer).error_code).toBe('CFW.00200005');
    }
  });

  it('shows default-project firewalls for "0" and "default", but not from ep-finance', async () => {
    expect(pageOf(await list(base, { ...DEMO_QUERY, enterprise_project_id: '0' })).total).toBe(57);
    expect(pageOf(await list(base, { ...DEMO_QUERY, enterprise_project_id: 'default' })).total).toBe(57);
    const answer = await list(base, { ...DEMO_QUERY, enterprise_project_id: 'ep-finance' });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).error_code).toBe('CFW.00200005');
  });

  it('serves the empty and the single firewall', async () => {
    expect(pageOf(await list(base, { ...DEMO_QUERY, fw_instance_id: SIMULATOR_FIREWALLS.empty }))).toEqual({ limit: 10, offset: 0, total: 0, records: [] });
    const single = pageOf(await list(base, { ...DEMO_QUERY, fw_instance_id: SIMULATOR_FIREWALLS.single }));
    expect(single.total).toBe(1);
    expect(single.records).toHaveLength(1);
  });

  it('has every odd record the gateway must cope with in the edge firewall', async () => {
    const page = pageOf(await list(base, { ...DEMO_QUERY, fw_instance_id: SIMULATOR_FIREWALLS.edge, limit: '1024' }));
    const records = page.records;
    expect(page.total).toBe(records.length);
    const statuses = new Set(records.map((record) => record['status']));
    for (const status of [0, 1, 2, 4, 5]) expect(statuses).toContain(status);
    const protocols = new Set(records.map((record) => record['protocol']));
    for (const protocol of [6, 17, 1, 58, -1]) expect(protocols).toContain(protocol);
    expect(records.some((record) => !('protocol' in record))).toBe(true);
    expect(records.find((record) => record['name'] === 'automatic-task')).not.toHaveProperty('protocol');
    expect(records.filter((record) => record['source_address_type'] === 1 && record['dest_address_type'] === 1).length).toBeGreaterThan(0);
    expect(records.find((record) => record['name'] === 'ipv6-task')).toMatchObject({
      source_address: '2001:db8::2',
      source_address_type: 1,
      dest_address: '2001:db8::1',
      dest_address_type: 1,
    });
    expect(records.some((record) => record['capture_size'] === '--')).toBe(true);
    expect(records.find((record) => record['name'] === 'unknown-codes')).toMatchObject({ status: 3, protocol: 99 });
    expect(records.find((record) => record['name'] === 'sparse-task')).toEqual({ task_id: expect.any(String), name: 'sparse-task' });
    expect(records.find((record) => record['name'] === 'bad-values')).toMatchObject({
      created_date: 'yesterday',
      capture_size: 'lots',
      duration: 'five',
      source_address_type: 7,
    });
  });

  it("serves records the gateway's wire reader accepts", async () => {
    for (const firewall of [SIMULATOR_FIREWALLS.demo, SIMULATOR_FIREWALLS.edge, SIMULATOR_FIREWALLS.empty]) {
      const answer = await list(base, { ...DEMO_QUERY, fw_instance_id: firewall, limit: '1024' });
      const page = pageOf(answer);
      expect(captureTaskListFromBody(JSON.parse(answer.text))).toEqual({ total: page.total, records: page.records });
    }
  });
});

describe('the legacy shape', () => {
  it('answers with data as a one-element array carrying object_id and project_id', async () => {
    await withSimulator({ legacyShape: true }, async (base) => {
      const answer = await list(base, DEMO_QUERY);
      expect(answer.status).toBe(200);
      const body = LegacyListBody.parse(JSON.parse(answer.text));
      expect(body.data).toHaveLength(1);
      const [page] = body.data;
      expect(page).toMatchObject({ limit: 10, offset: 0, total: 57, object_id: SIMULATOR_FIREWALLS.demo, project_id: SIMULATOR_PROJECT_ID });
      expect(page.records).toHaveLength(10);
      expect(captureTaskListFromBody(JSON.parse(answer.text)).total).toBe(57);
    });
  });

  it('serves the same records in both shapes', async () => {
    const current = await withSimulator({}, async (base) => pageOf(await list(base, DEMO_QUERY)).records);
    const legacy = await withSimulator(
      { legacyShape: true },
      async (base) => LegacyListBody.parse(JSON.parse((await list(base, DEMO_QUERY)).text)).data[0].records,
    );
    expect(legacy).toEqual(current);
  });
});

describe('seeded data', () => {
  it('is the same in two stores', () => {
    const ids = (store: SimulatorStore) =>
      Object.values(SIMULATOR_FIREWALLS).map((id) => store.firewall(id, 'all_granted_eps')?.tasks.map((task) => task.task_id));
    const first = new SimulatorStore();
    const second = new SimulatorStore();
    expect(ids(first)).toEqual(ids(second));
    expect(first.firewall(SIMULATOR_FIREWALLS.demo, undefined)?.tasks).toEqual(second.firewall(SIMULATOR_FIREWALLS.demo, undefined)?.tasks);
    expect(ids(first)[0]).toHaveLength(57);
  });

  it('differs with another seed', () => {
    const demoIds = (store: SimulatorStore) => store.firewall(SIMULATOR_FIREWALLS.demo, undefined)?.tasks.map((task) => task.task_id);
    expect(demoIds(new SimulatorStore({ seed: 1 }))).not.toEqual(demoIds(new SimulatorStore()));
  });

  it('has the documented sizes', () => {
    const store = new SimulatorStore();
    const sizes = Object.fromEntries(Object.entries(SIMULATOR_FIREWALLS).map(([role, id]) => [role, store.firewall(id, 'all_granted_eps')?.tasks.length]));
    expect(sizes).toMatchObject({ demo: 57, empty: 0, single: 1, large: 2000, huge: 3500, finance: 12 });
  });

  it('has unique task ids in each firewall', () => {
    const store = new SimulatorStore();
    for (const id of Object.values(SIMULATOR_FIREWALLS)) {
      const tasks = store.firewall(id, 'all_granted_eps')?.tasks ?? [];
      expect(new Set(tasks.map((task) => task.task_id)).size).toBe(tasks.length);
    }
  });
});

describe('drift', () => {
  it('insertTasks and deleteTasks change the total the next answer reports', async () => {
    await withSimulator({}, async (base, simulator) => {
      const inserted = simulator.store.insertTasks(SIMULATOR_FIREWALLS.demo, 3, 'head');
      expect(inserted).toHaveLength(3);
      const afterInsert = pageOf(await list(base, DEMO_QUERY));
      expect(afterInsert.total).toBe(60);
      expect(afterInsert.records.slice(0, 3).map((record) => record['task_id'])).toEqual([...inserted].reverse());

      const deleted = simulator.store.deleteTasks(SIMULATOR_FIREWALLS.demo, 5, 'head');
      expect(deleted).toHaveLength(5);
      const afterDelete = pageOf(await list(base, { ...DEMO_QUERY, limit: '1024' }));
      expect(afterDelete.total).toBe(55);
      const ids = afterDelete.records.map((record) => record['task_id']);
      for (const id of deleted) expect(ids).not.toContain(id);
    });
  });

  it('deleteTasks stops at an empty list', async () => {
    await withSimulator({}, async (base, simulator) => {
      expect(simulator.store.deleteTasks(SIMULATOR_FIREWALLS.single, 5)).toHaveLength(1);
      expect(pageOf(await list(base, { ...DEMO_QUERY, fw_instance_id: SIMULATOR_FIREWALLS.single })).total).toBe(0);
    });
  });

  it('applies drift = {insert: 2} after each list call', async () => {
    await withSimulator({}, async (base, simulator) => {
      simulator.store.drift = { insert: 2 };
      const totals: number[] = [];
      for (let call = 0; call < 3; call++) totals.push(pageOf(await list(base, DEMO_QUERY)).total);
      expect(totals).toEqual([57, 59, 61]);
      expect(simulator.store.firewall(SIMULATOR_FIREWALLS.demo, undefined)?.tasks).toHaveLength(63);
    });
  });

  it('applies no drift after a call that failed', async () => {
    await withSimulator({}, async (base, simulator) => {
      simulator.store.drift = { delete: 1 };
      expect((await list(base, { ...DEMO_QUERY, limit: '0' })).status).toBe(400);
      expect((await list(base, DEMO_QUERY, null)).status).toBe(401);
      expect(pageOf(await list(base, DEMO_QUERY)).total).toBe(57);
      expect(pageOf(await list(base, DEMO_QUERY)).total).toBe(56);
    });
  });
});

describe('faults', () => {
  it('{kind: status, status: 503} answers 503 once, then normally', async () => {
    await withSimulator({ faults: [{ kind: 'status', status: 503 }] }, async (base) => {
      const failed = await list(base, DEMO_QUERY);
      expect(failed.status).toBe(503);
      expect(failed.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      expect(errorOf(failed)).toEqual({ error_code: 'APIGW.0203', error_msg: 'Service unavailable', request_id: failed.headers.get('x-request-id') });
      expect(pageOf(await list(base, DEMO_QUERY)).total).toBe(57);
    });
  });

  it('{kind: status} takes an error code and message of its own', async () => {
    await withSimulator({ faults: [{ kind: 'status', status: 400, errorCode: 'CFW.00109004', errorMsg: 'try again later' }] }, async (base) => {
      const failed = await list(base, DEMO_QUERY);
      expect(failed.status).toBe(400);
      expect(errorOf(failed)).toMatchObject({ error_code: 'CFW.00109004', error_msg: 'try again later' });
    });
  });

  it('{kind: rate-limit, retryAfterSeconds: 1} answers 429 with Retry-After 1', async () => {
    await withSimulator({ faults: [{ kind: 'rate-limit', retryAfterSeconds: 1 }] }, async (base) => {
      const limited = await list(base, DEMO_QUERY);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      expect(errorOf(limited).error_code).toBe('APIGW.0308');
      expect((await list(base, DEMO_QUERY)).status).toBe(200);
    });
  });

  it('{kind: malformed-json} answers a 200 that is not JSON, once', async () => {
    await withSimulator({ faults: [{ kind: 'malformed-json' }] }, async (base) => {
      const answer = await list(base, DEMO_QUERY);
      expect(answer.status).toBe(200);
      expect(() => {
        JSON.parse(answer.text);
      }).toThrow(SyntaxError);
      expect(pageOf(await list(base, DEMO_QUERY)).total).toBe(57);
    });
  });

  it('{kind: latency, ms: 50} serves the page normally after the delay', async () => {
    await withSimulator({ faults: [{ kind: 'latency', ms: 50 }] }, async (base, simulator) => {
      const started = performance.now();
      const page = pageOf(await list(base, DEMO_QUERY));
      // The delay is the behaviour under test: a lower bound only (a timer never fires early; a
      // loaded machine only makes it later), never an upper one.
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      expect(page.total).toBe(57);
      expect(page.records).toHaveLength(10);
      expect(simulator.calls.map((call) => call.status)).toEqual([200]);
    });
  });

  it('a fault with times: 2 applies twice, then the simulator answers normally', async () => {
    await withSimulator({ faults: [{ kind: 'status', status: 503, times: 2 }] }, async (base, simulator) => {
      const statuses: number[] = [];
      for (let call = 0; call < 3; call++) statuses.push((await list(base, DEMO_QUERY)).status);
      expect(statuses).toEqual([503, 503, 200]);
      expect(simulator.faults).toEqual([]);
      expect(simulator.callCount).toBe(3);
    });
  });

  it('applies queued faults in order', async () => {
    await withSimulator(
      {
        faults: [
          { kind: 'rate-limit', retryAfterSeconds: 2 },
          { kind: 'status', status: 500 },
        ],
      },
      async (base) => {
        const first = await list(base, DEMO_QUERY);
        const second = await list(base, DEMO_QUERY);
        const third = await list(base, DEMO_QUERY);
        expect([first.status, second.status, third.status]).toEqual([429, 500, 200]);
        expect(first.headers.get('retry-after')).toBe('2');
        expect(errorOf(second).error_code).toBe('CFW.00100001');
      },
    );
  });
});

describe("holding answers (the tests' way to make calls overlap without sleeping)", () => {
  it('holds every request until released, counting those in flight and the most at once', async () => {
    await withSimulator({}, async (base, simulator) => {
      const release = simulator.hold();
      const answers = Promise.all([list(base, DEMO_QUERY), list(base, DEMO_QUERY), list(base, DEMO_QUERY)]);
      await until(() => simulator.inFlight === 3, 'three requests in flight');
      expect(simulator.callCount).toBe(0);
      expect(simulator.hold()).toBe(release);
      release();
      expect((await answers).map((answer) => answer.status)).toEqual([200, 200, 200]);
      await until(() => simulator.inFlight === 0, 'every answer to be finished');
      expect(simulator.peakInFlight).toBe(3);
      expect(simulator.callCount).toBe(3);
      simulator.resetCalls();
      expect(simulator.peakInFlight).toBe(0);
      // Released, it answers at once again.
      expect((await list(base, DEMO_QUERY)).status).toBe(200);
      expect(simulator.peakInFlight).toBe(1);
    });
  });
});
