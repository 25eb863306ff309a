// The captureTasks connection end to end: gateway ⇄ simulator over loopback, real got client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { field, startHarness, withHarness, type Harness } from '../helpers/harness.ts';

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { id: string; name: string | null } }[];
}

const PAGE = `query Page($fw: ID!, $first: Int, $after: String, $last: Int, $before: String, $ep: String) {
  captureTasks(fwInstanceId: $fw, first: $first, after: $after, last: $last, before: $before, enterpriseProjectId: $ep) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}`;

async function page(harness: Harness, variables: Record<string, unknown>): Promise<Connection> {
  const result = await harness.gql(PAGE, variables);
  expect(result.body.errors).toBeUndefined();
  return field<Connection>(result);
}

/** Walks a firewall's tasks a page at a time and returns the ids in the order seen. */
async function walkIds(harness: Harness, fw: string, direction: 'forward' | 'backward', size: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 5000; pages++) {
    const connection: Connection = await page(harness, direction === 'forward' ? { fw, first: size, after: cursor } : { fw, last: size, before: cursor });
    const pageIds = connection.edges.map((edge) => edge.node.id);
    if (direction === 'forward') ids.push(...pageIds);
    else ids.unshift(...pageIds);
    const more = direction === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
    if (!more) return { ids, pages };
    cursor = direction === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
  }
  throw new Error('walk did not end');
}

describe('captureTasks over the simulator', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const allIdsOf = (fw: string) => (harness.simulator.store.firewall(fw, undefined)?.tasks ?? []).map((task) => task.task_id);

  it.each([
    ['forward', 7],
    ['forward', 50],
    ['forward', 333],
    ['forward', 1024],
    ['backward', 13],
    ['backward', 50],
    ['backward', 1024],
  ] as const)('walks all 2,000 tasks %s %i at a time, each exactly once, in order', async (direction, size) => {
    harness.simulator.resetCalls();
    const { ids, pages } = await walkIds(harness, SIMULATOR_FIREWALLS.large, direction, size);
    expect(ids).toHaveLength(2000);
    expect(ids).toEqual(allIdsOf(SIMULATOR_FIREWALLS.large));
    expect(pages).toBe(Math.ceil(2000 / size));
    // One upstream call per page (two for a full 1,024 page after a cursor, one more for the first backward page).
    expect(harness.simulator.callCount).toBeLessThanOrEqual(pages * (size === 1024 ? 2 : 1) + 1);
  });

  it('answers the first page with exact page info and totalCount', async () => {
    const first = await page(harness, { fw: SIMULATOR_FIREWALLS.demo, first: 5 });
    expect(first.totalCount).toBe(57);
    expect(first.edges).toHaveLength(5);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]?.cursor, endCursor: first.edges[4]?.cursor });
  });

  it('defaults to 20 tasks a page', async () => {
    const connection = await page(harness, { fw: SIMULATOR_FIREWALLS.demo });
    expect(connection.edges).toHaveLength(20);
    const backward = await page(harness, { fw: SIMULATOR_FIREWALLS.demo, before: connection.edges[19]?.cursor });
    expect(backward.edges.map((edge) => edge.node.id)).toEqual(connection.edges.slice(0, 19).map((edge) => edge.node.id));
  });

  it('answers first: 0 with totalCount and page info, no edges, null cursors', async () => {
    const connection = await page(harness, { fw: SIMULATOR_FIREWALLS.demo, first: 0 });
    expect(connection).toEqual({ totalCount: 57, pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null }, edges: [] });
  });

  it('answers an empty firewall with an empty page', async () => {
    const connection = await page(harness, { fw: SIMULATOR_FIREWALLS.empty, first: 10 });
    expect(connection).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, edges: [] });
  });

  it('answers a page past the end as empty, not an error', async () => {
    const all = await page(harness, { fw: SIMULATOR_FIREWALLS.single, first: 5 });
    const past = await page(harness, { fw: SIMULATOR_FIREWALLS.single, first: 5, after: all.pageInfo.endCursor });
    expect(past.edges).toEqual([]);
    expect(past.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it('serves a firewall of an enterprise project only when asked with it', async () => {
    const connection = await page(harness, { fw: SIMULATOR_FIREWALLS.finance, first: 3, ep: 'ep-finance' });
    expect(connection.totalCount).toBe(12);
    const result = await harness.gql(PAGE, { fw: SIMULATOR_FIREWALLS.finance, first: 3 });
    expect(result.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });

  it('makes one upstream call for identical page reads in one operation (aliases, the same connection twice)', async () => {
    harness.simulator.resetCalls();
    const fw = SIMULATOR_FIREWALLS.demo;
    const result = await harness.gql(`{
      a: captureTasks(fwInstanceId: "${fw}", first: 5) { totalCount }
      b: captureTasks(fwInstanceId: "${fw}", first: 5) { edges { node { id } } }
      c: captureTasks(fwInstanceId: "${fw}", first: 5) { nodes { name } }
    }`);
    expect(result.body.errors).toBeUndefined();
    expect(harness.simulator.callCount).toBe(1);
  });

  it('returns nodes equal to edges.node', async () => {
    const result = await harness.gql(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 4) { nodes { id } edges { node { id } } } }`);
    const connection = field<{ nodes: { id: string }[]; edges: { node: { id: string } }[] }>(result);
    expect(connection.nodes).toEqual(connection.edges.map((edge) => edge.node));
    expect(connection.nodes).toHaveLength(4);
  });
});

describe('captureTasks rejects bad arguments before calling the upstream', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const cases: [string, Record<string, unknown>, string][] = [
    ['first above the limit', { first: 1025 }, "`first` must be between 0 and 1024 (the upstream's page limit), got 1025"],
    ['negative first', { first: -1 }, "`first` must be between 0 and 1024 (the upstream's page limit), got -1"],
    ['last above the limit', { last: 5000 }, "`last` must be between 0 and 1024 (the upstream's page limit), got 5000"],
    ['first with last', { first: 1, last: 1 }, '`first` and `last` cannot be combined: page forward with `first`/`after` or backward with `last`/`before`'],
    ['a malformed after', { first: 1, after: 'bm90LWEtY3Vyc29y' }, '`after` is not a cursor issued by this gateway (wrong length: truncated or altered)'],
    ['a malformed before', { last: 1, before: '!!' }, '`before` is not a cursor issued by this gateway'],
    ['after with last', { last: 1, after: 'x' }, '`after` goes with `first`, not `last`: page forward with `first`/`after`'],
  ];
  it.each(cases)('rejects %s with BAD_USER_INPUT naming the argument', async (_name, args, message) => {
    harness.simulator.resetCalls();
    const result = await harness.gql(PAGE, { fw: SIMULATOR_FIREWALLS.demo, ...args });
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors?.[0]).toMatchObject({ message, path: ['captureTasks'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.body.data).toBeNull();
    expect(harness.simulator.callCount).toBe(0);
  });

  it('rejects a cursor issued for another firewall', async () => {
    const other = await page(harness, { fw: SIMULATOR_FIREWALLS.single, first: 1 });
    const result = await harness.gql(PAGE, { fw: SIMULATOR_FIREWALLS.demo, first: 1, after: other.pageInfo.endCursor });
    expect(result.body.errors?.[0]).toMatchObject({
      message: '`after` belongs to another firewall or enterprise project; cursors only work for the connection that returned them',
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  });

  it('rejects a non-integer first through GraphQL validation', async () => {
    const result = await harness.gql(`{ captureTasks(fwInstanceId: "x", first: "ten") { totalCount } }`);
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('captureTasks while tasks come and go', () => {
  it('sees every task that exists for the whole walk exactly once, with tasks inserted and deleted after every call', async () => {
    await withHarness({}, async (harness) => {
      const fw = SIMULATOR_FIREWALLS.large;
      const before = new Set(harness.simulator.store.firewall(fw, undefined)?.tasks.map((task) => task.task_id));
      const deleted = new Set<string>();
      const store = harness.simulator.store;
      const deleteTasks = store.deleteTasks.bind(store);
      store.deleteTasks = (firewallId, count, at) => {
        const ids = deleteTasks(firewallId, count, at);
        for (const id of ids) deleted.add(id);
        return ids;
      };
      store.drift = { insert: 3, delete: 2, at: 'random' };
      const { ids } = await walkIds(harness, fw, 'forward', 40);
      store.drift = undefined;
      const survivors = [...before].filter((id) => !deleted.has(id));
      const order = store.firewall(fw, undefined)?.tasks.map((task) => task.task_id) ?? [];
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => before.has(id) && !deleted.has(id))).toEqual(order.filter((id) => survivors.includes(id)));
      expect(survivors.length).toBeGreaterThan(1500);
    });
  });

  it("warns in extensions.warnings, never silently, when a cursor's task cannot be found again", async () => {
    await withHarness({}, async (harness) => {
      const fw = SIMULATOR_FIREWALLS.demo;
      const first = await page(harness, { fw, first: 5 });
      harness.simulator.store.insertTasks(fw, 500, 'head');
      const result = await harness.gql(PAGE, { fw, first: 5, after: first.pageInfo.endCursor });
      expect(result.body.errors).toBeUndefined();
      expect(result.body.extensions?.['warnings']).toEqual([expect.objectContaining({ code: 'CURSOR_POSITION_LOST', path: ['captureTasks'] })]);
    });
  });
});

describe('captureTasks maps upstream values', () => {
  it('maps every code, nulls what is unknown or missing, and errors only the unreadable fields', async () => {
    await withHarness({}, async (harness) => {
      const result = await harness.gql(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.edge}", first: 50) {
        nodes { name status protocol captureSize captureSizeBytes durationMinutes createdAt isDeleted source { address ipVersion port } destination { address ipVersion port } }
      } }`);
      const nodes = field<{ nodes: Record<string, unknown>[] }>(result).nodes;
      expect(nodes.slice(0, 5).map((node) => node['status'])).toEqual(['ABNORMAL', 'SUCCESSFUL', 'RUNNING', 'STOPPED', 'ENDING']);
      expect(nodes.slice(5, 10).map((node) => node['protocol'])).toEqual(['TCP', 'UDP', 'ICMP', 'ICMPV6', 'ANY']);
      const byName = (name: string) => nodes.find((node) => node['name'] === name);
      expect(byName('automatic-task')?.['protocol']).toBeNull();
      expect(byName('ipv6-task')).toMatchObject({
        source: { address: '2001:db8::2', ipVersion: 'IPV6' },
        destination: { address: '2001:db8::1', ipVersion: 'IPV6', port: '443' },
      });
      expect(byName('size-unknown')).toMatchObject({ captureSize: null, captureSizeBytes: null });
      expect(byName('unknown-codes')).toMatchObject({ status: 'UNKNOWN', protocol: 'UNKNOWN' });
      expect(byName('sparse-task')).toMatchObject({
        status: 'UNKNOWN',
        protocol: null,
        createdAt: null,
        isDeleted: false,
        source: { address: null, ipVersion: null, port: null },
      });
      expect(byName('bad-values')).toMatchObject({ createdAt: null, captureSizeBytes: null, durationMinutes: null, source: { ipVersion: null } });
      const index = nodes.findIndex((node) => node['name'] === 'bad-values');
      expect(result.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([
        [['captureTasks', 'nodes', index, 'captureSizeBytes'], 'UPSTREAM_BAD_RESPONSE'],
        [['captureTasks', 'nodes', index, 'durationMinutes'], 'UPSTREAM_BAD_RESPONSE'],
        [['captureTasks', 'nodes', index, 'createdAt'], 'UPSTREAM_BAD_RESPONSE'],
        [['captureTasks', 'nodes', index, 'source', 'ipVersion'], 'UPSTREAM_BAD_RESPONSE'],
      ]);
    });
  });

  it('reads dates in CFW_TIMEZONE', async () => {
    await withHarness({ env: { CFW_TIMEZONE: 'Asia/Shanghai' } }, async (harness) => {
      const task = harness.simulator.store.firewall(SIMULATOR_FIREWALLS.single, undefined)?.tasks[0];
      const result = await harness.gql(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.single}") { nodes { createdAt } } }`);
      const [date, time] = String(task?.created_date).split(' ');
      const utc = new Date(`${date?.replaceAll('/', '-')}T${time}Z`).getTime() - 8 * 3_600_000;
      expect(field<{ nodes: { createdAt: string }[] }>(result).nodes[0]?.createdAt).toBe(new Date(utc).toISOString());
    });
  });

  it('reads the older array shape of data', async () => {
    await withHarness({ simulator: { legacyShape: true } }, async (harness) => {
      const connection = await page(harness, { fw: SIMULATOR_FIREWALLS.demo, first: 3 });
      expect(connection.totalCount).toBe(57);
      expect(connection.edges).toHaveLength(3);
    });
  });
});
