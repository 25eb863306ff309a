// The operation limits, exactly, through a live gateway in front of a live simulator: tokens, depth,
// aliases, directives (refused with 400 before validation ends), cost and the upstream call budget
// (refused with 200 before any upstream call), alias amplification, entity fan-out and batching.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { DEFAULT_ENTERPRISE_PROJECT, generateTask, seededRandom, SIMULATOR_FIREWALLS, type SimulatorStore } from '../../src/simulator/store.ts';
import { startHarness, type GraphQLResult, type Harness } from '../helpers/harness.ts';

const DEMO = SIMULATOR_FIREWALLS.demo;

/** The one error of a result, failing loudly when there is none or more than one. */
function onlyError(result: GraphQLResult) {
  expect(result.body.errors).toHaveLength(1);
  const error = result.body.errors?.[0];
  if (error === undefined) throw new Error(`no error in ${result.text.slice(0, 500)}`);
  return error;
}

/** `count` aliases a0…, each `field` (a selection such as `captureTasks(…) { totalCount }`). */
function aliased(count: number, field: (index: number) => string): string {
  return `{ ${Array.from({ length: count }, (_, index) => `a${index}: ${field(index)}`).join(' ')} }`;
}

/**
 * A document of exactly `tokens` lexical tokens that parses and validates: `__typename` (1 token)
 * and `__type(name: "Query") { name }` (9 tokens), so that field merging stays cheap to validate.
 */
function documentOfTokens(tokens: number): string {
  const types = 150;
  const typenames = tokens - 2 - types * 9;
  return `{ ${Array.from({ length: typenames }, () => '__typename').join(' ')} ${Array.from({ length: types }, () => '__type(name: "Query") { name }').join(' ')} }`;
}

const ENTITIES = (first: number) => `query Entities($r: [_Any!]!) {
  _entities(representations: $r) { ... on Firewall { id captureTasks(first: ${first}) { totalCount } } }
}`;

/** Adds `count` firewalls, each with 1 to 3 tasks, to the simulator; returns their ids. */
function addFirewalls(store: SimulatorStore, count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const id = `ab05e000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    const random = seededRandom(index + 1);
    store.addFirewall({
      id,
      enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT,
      tasks: Array.from({ length: 1 + (index % 3) }, (_task, serial) => generateTask(random, serial)),
    });
    return id;
  });
}

function representationsOf(ids: readonly string[]) {
  return ids.map((id) => ({ __typename: 'Firewall', id }));
}

function parseJson(text: string): unknown {
  return JSON.parse(text);
}

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': DEMO_TOKEN },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: parseJson(await response.text()) };
}

describe('operation limits at their defaults', () => {
  let harness: Harness;
  /** Runs an operation after forgetting earlier upstream calls; returns the result and the calls it made. */
  const run = async (query: string, variables?: Record<string, unknown>) => {
    harness.simulator.resetCalls();
    const result = await harness.gql(query, variables);
    return { result, calls: harness.simulator.callCount };
  };
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('MAX_QUERY_TOKENS (2000)', () => {
    it('parses a document of exactly 2000 tokens', async () => {
      const { result, calls } = await run(documentOfTokens(2000));
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.['__typename']).toBe('Query');
      expect(calls).toBe(0);
    });

    it('answers 2001 tokens with HTTP 400 GRAPHQL_PARSE_FAILED, not a 500', async () => {
      const { result, calls } = await run(documentOfTokens(2001));
      expect(result.status).toBe(400);
      const error = onlyError(result);
      // graphql-js's own wording ("more that") is matched loosely, the limit exactly.
      expect(error.message).toMatch(/^Syntax Error: Document contains more tha[nt] 2000 tokens\. Parsing aborted\.$/);
      expect(error.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
      expect(result.body.data).toBeUndefined();
      expect(calls).toBe(0);
    });
  });

  describe('MAX_QUERY_DEPTH (10)', () => {
    it('answers a query 10 fields deep', async () => {
      // captureTasks edges node firewall captureTasks edges node firewall captureTasks totalCount
      const query = `{ captureTasks(fwInstanceId: "${DEMO}", first: 1) { edges { node { firewall { captureTasks(first: 1) { edges { node { firewall { captureTasks(first: 1) { totalCount } } } } } } } } } }`;
      const { result, calls } = await run(query);
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.text).toContain('"totalCount":57');
      // The three connections read the same first page of the same firewall: one call.
      expect(calls).toBe(1);
    });

    it('refuses a query 11 fields deep with 400 GRAPHQL_VALIDATION_FAILED and the depth limit, before any upstream call', async () => {
      // captureTasks edges node firewall captureTasks edges node firewall captureTasks nodes id
      const query = `{ captureTasks(fwInstanceId: "${DEMO}", first: 1) { edges { node { firewall { captureTasks(first: 1) { edges { node { firewall { captureTasks(first: 1) { nodes { id } } } } } } } } } } }`;
      const { result, calls } = await run(query);
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toContain('Query depth limit of 10 exceeded, found 11.');
      expect(calls).toBe(0);
    });

    it('counts depth through a chain of fragments', async () => {
      const query = `
        query Deep { ...A }
        fragment A on Query { captureTasks(fwInstanceId: "${DEMO}", first: 1) { edges { node { ...B } } } }
        fragment B on CaptureTask { firewall { captureTasks(first: 1) { edges { node { ...C } } } } }
        fragment C on CaptureTask { firewall { captureTasks(first: 1) { edges { node { id } } } } }
      `;
      const { result, calls } = await run(query);
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toMatch(/Query depth limit of 10 exceeded, found \d+\./);
      expect(calls).toBe(0);
    });

    it('counts depth under _entities too', async () => {
      const query = `query Deep($r: [_Any!]!) {
        _entities(representations: $r) { ... on Firewall { captureTasks(first: 1) { edges { node { firewall { captureTasks(first: 1) { edges { node { firewall { id } } } } } } } } } }
      }`;
      const { result, calls } = await run(query, { r: representationsOf([DEMO]) });
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toMatch(/Query depth limit of 10 exceeded, found \d+\./);
      expect(calls).toBe(0);
    });

    it('does not count introspection: a __schema query 12 fields deep answers', async () => {
      const query = '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }';
      const { result, calls } = await run(query);
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.text).toMatch(/^\{"data":\{"__schema":\{"types":\[\{"fields":/);
      expect(calls).toBe(0);
    });
  });

  describe('MAX_QUERY_ALIASES (30)', () => {
    it('answers 30 aliases of one connection with one upstream call', async () => {
      const { result, calls } = await run(aliased(30, () => `captureTasks(fwInstanceId: "${DEMO}", first: 1) { totalCount }`));
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(Object.values(result.body.data ?? {})).toEqual(Array.from({ length: 30 }, () => ({ totalCount: 57 })));
      expect(calls).toBe(1);
    });

    it('refuses 31 aliases with 400 GRAPHQL_VALIDATION_FAILED and the alias limit, before any upstream call', async () => {
      const { result, calls } = await run(aliased(31, () => `captureTasks(fwInstanceId: "${DEMO}", first: 1) { totalCount }`));
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toContain('Aliases limit of 30 exceeded, found 31.');
      expect(calls).toBe(0);
    });

    it('does not count aliases of __typename (GraphQL Armor allows them: they cost nothing)', async () => {
      const { result, calls } = await run(aliased(31, () => '__typename'));
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(Object.keys(result.body.data ?? {})).toHaveLength(31);
      expect(calls).toBe(0);
    });

    it('refuses 100 aliases of captureTasks (alias amplification) by the alias limit, with zero upstream calls', async () => {
      const { result, calls } = await run(aliased(100, () => `captureTasks(fwInstanceId: "${DEMO}", first: 1) { totalCount }`));
      expect(calls).toBe(0);
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toContain('Aliases limit of 30 exceeded, found 100.');
    });
  });

  describe('MAX_QUERY_DIRECTIVES (20)', () => {
    it('answers 20 directives', async () => {
      const { result } = await run(`{ ${Array.from({ length: 20 }, () => '__typename @include(if: true)').join(' ')} }`);
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data).toEqual({ __typename: 'Query' });
    });

    it('refuses 21 directives with 400 GRAPHQL_VALIDATION_FAILED and the directive limit', async () => {
      const { result, calls } = await run(`{ ${Array.from({ length: 21 }, () => '__typename @include(if: true)').join(' ')} }`);
      expect(result.status).toBe(400);
      const error = onlyError(result);
      expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toContain('Directives limit of 20 exceeded, found 21.');
      expect(calls).toBe(0);
    });
  });

  describe('MAX_QUERY_COST (5000)', () => {
    const COST_6000 = {
      message: 'This operation asks for 6000 tasks in all, above the limit of 5000; ask for smaller pages or fewer connections.',
      extensions: { code: 'BAD_USER_INPUT', cost: 6000, maxCost: 5000 },
    };

    it('answers five connections of 1000 tasks (exactly 5000) with one upstream call', async () => {
      const { result, calls } = await run(aliased(5, () => `captureTasks(fwInstanceId: "${DEMO}", first: 1000) { totalCount }`));
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(Object.values(result.body.data ?? {})).toEqual(Array.from({ length: 5 }, () => ({ totalCount: 57 })));
      expect(calls).toBe(1);
    });

    // HTTP 200, as the error table says (docs/errors-and-reliability.md): a router relays it as it is (see limits.ts).
    it('refuses six connections of 1000 tasks with BAD_USER_INPUT naming the cost and the limit of 5000, before any upstream call', async () => {
      const { result, calls } = await run(aliased(6, () => `captureTasks(fwInstanceId: "${DEMO}", first: 1000) { totalCount }`));
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ errors: [COST_6000] });
      expect(calls).toBe(0);
    });

    it('prices page sizes given as variables the same way', async () => {
      const query = `query Cost($n: Int) { ${Array.from({ length: 6 }, (_, index) => `a${index}: captureTasks(fwInstanceId: "${DEMO}", last: $n) { totalCount }`).join(' ')} }`;
      const { result, calls } = await run(query, { n: 1000 });
      expect(result.body).toEqual({ errors: [COST_6000] });
      expect(calls).toBe(0);
    });

    it("prices a page size left to its variable's default, as execution will read it", async () => {
      const query = `query CostDefault($n: Int = 1000) { ${Array.from({ length: 6 }, (_, index) => `a${index}: captureTasks(fwInstanceId: "${DEMO}", first: $n) { totalCount }`).join(' ')} }`;
      const { result, calls } = await run(query, {});
      expect(result.body).toEqual({ errors: [COST_6000] });
      expect(calls).toBe(0);
    });

    it('prices the same document again for other variables (costs are remembered per operation and variables)', async () => {
      const query = `query CostAgain($n: Int) { ${Array.from({ length: 6 }, (_, index) => `a${index}: captureTasks(fwInstanceId: "${DEMO}", last: $n) { totalCount }`).join(' ')} }`;
      const small = await run(query, { n: 5 });
      expect(small.result.body.errors).toBeUndefined();
      const big = await run(query, { n: 1000 });
      expect(big.result.body).toEqual({ errors: [COST_6000] });
      expect(big.calls).toBe(0);
      const smallAgain = await run(query, { n: 5 });
      expect(smallAgain.result.body.errors).toBeUndefined();
    });

    it('multiplies a connection under _entities by the representations: 50 × first: 101 = 5050 is refused', async () => {
      const ids = Array.from({ length: 50 }, (_, index) => `cost-${index}`);
      const { result, calls } = await run(ENTITIES(101), { r: representationsOf(ids) });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        errors: [
          {
            message: 'This operation asks for 5050 tasks in all, above the limit of 5000; ask for smaller pages or fewer connections.',
            extensions: { code: 'BAD_USER_INPUT', cost: 5050, maxCost: 5000 },
          },
        ],
      });
      expect(calls).toBe(0);
    });
  });

  describe('OPERATION_UPSTREAM_BUDGET (20)', () => {
    const distinctPages = (count: number) => aliased(count, (index) => `captureTasks(fwInstanceId: "${DEMO}", first: ${index + 1}) { totalCount }`);

    it('answers 20 distinct page reads with 20 upstream calls', async () => {
      const { result, calls } = await run(distinctPages(20));
      expect(result.body.errors).toBeUndefined();
      expect(Object.keys(result.body.data ?? {})).toHaveLength(20);
      expect(calls).toBe(20);
    });

    it('refuses 21 distinct page reads with OPERATION_BUDGET_EXCEEDED before any upstream call', async () => {
      const { result, calls } = await run(distinctPages(21));
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        errors: [
          {
            message: 'This operation needs more than 20 upstream calls; ask for fewer connections or smaller pages.',
            extensions: { code: 'OPERATION_BUDGET_EXCEEDED', budget: 20 },
          },
        ],
      });
      expect(calls).toBe(0);
    });

    it('refuses 21 reads of 21 different firewalls the same way', async () => {
      const { result, calls } = await run(aliased(21, (index) => `captureTasks(fwInstanceId: "budget-${index}", first: 1) { totalCount }`));
      expect(onlyError(result).extensions).toEqual({ code: 'OPERATION_BUDGET_EXCEEDED', budget: 20 });
      expect(result.body.data).toBeUndefined();
      expect(calls).toBe(0);
    });

    // An entity fetch is not refused whole (docs/frontends.md, "Batching"): the representations within the
    // budget answer, each one past it gets OPERATION_BUDGET_EXCEEDED at its own path.
    it('answers the first 20 of 50 firewall representations and gives the other 30 OPERATION_BUDGET_EXCEEDED, with 20 upstream calls', async () => {
      const ids = addFirewalls(harness.simulator.store, 50);
      const { result, calls } = await run(ENTITIES(2), { r: representationsOf(ids) });
      expect(result.status).toBe(200);
      const totals = ids.map((id) => harness.simulator.store.firewall(id, undefined)?.tasks.length);
      expect(result.body.data).toEqual({ _entities: ids.map((id, index) => (index < 20 ? { id, captureTasks: { totalCount: totals[index] } } : null)) });
      expect((result.body.errors ?? []).map((error) => ({ path: error.path, extensions: error.extensions }))).toEqual(
        ids.slice(20).map((_id, index) => ({ path: ['_entities', index + 20, 'captureTasks'], extensions: { code: 'OPERATION_BUDGET_EXCEEDED', budget: 20 } })),
      );
      expect(calls).toBe(20);
      expect(new Set(harness.simulator.calls.map((call) => call.fwInstanceId))).toEqual(new Set(ids.slice(0, 20)));
    });
  });

  describe('batched HTTP requests (ALLOW_BATCHED_REQUESTS unset)', () => {
    it('refuses a JSON array body with 400 BAD_REQUEST', async () => {
      harness.simulator.resetCalls();
      const response = await postJson(harness.url, [
        { query: '{ __typename }' },
        { query: `{ captureTasks(fwInstanceId: "${DEMO}", first: 1) { totalCount } }` },
      ]);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] });
      expect(harness.simulator.callCount).toBe(0);
    });
  });
});

describe('alias amplification with MAX_QUERY_ALIASES=200', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { MAX_QUERY_ALIASES: '200' } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('reads 100 aliases of one connection with identical arguments in exactly one upstream call', async () => {
    harness.simulator.resetCalls();
    const result = await harness.gql(aliased(100, () => `captureTasks(fwInstanceId: "${DEMO}", first: 2) { totalCount nodes { id } }`));
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    const ids = harness.simulator.store
      .firewall(DEMO, undefined)
      ?.tasks.slice(0, 2)
      .map((task) => ({ id: task.task_id }));
    expect(ids).toHaveLength(2);
    expect(Object.values(result.body.data ?? {})).toEqual(Array.from({ length: 100 }, () => ({ totalCount: 57, nodes: ids })));
    expect(harness.simulator.callCount).toBe(1);
  });
});

describe('a raised budget: OPERATION_UPSTREAM_BUDGET=50', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { OPERATION_UPSTREAM_BUDGET: '50' } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers the 21 distinct page reads the default budget refuses, with 21 upstream calls', async () => {
    harness.simulator.resetCalls();
    const result = await harness.gql(aliased(21, (index) => `captureTasks(fwInstanceId: "${DEMO}", first: ${index + 1}) { nodes { id } }`));
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    const sizes = Object.values(result.body.data ?? {}).map((connection) =>
      typeof connection === 'object' && connection !== null && 'nodes' in connection && Array.isArray(connection.nodes) ? connection.nodes.length : undefined,
    );
    expect(sizes).toEqual(Array.from({ length: 21 }, (_, index) => index + 1));
    expect(harness.simulator.callCount).toBe(21);
  });
});

describe('a raised budget: OPERATION_UPSTREAM_BUDGET=100', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { OPERATION_UPSTREAM_BUDGET: '100' } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('resolves 50 firewall representations with exactly 50 upstream calls', async () => {
    const ids = addFirewalls(harness.simulator.store, 50);
    harness.simulator.resetCalls();
    const result = await harness.gql(ENTITIES(2), { r: representationsOf(ids) });
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toEqual({ _entities: ids.map((id, index) => ({ id, captureTasks: { totalCount: 1 + (index % 3) } })) });
    expect(harness.simulator.callCount).toBe(50);
    expect(new Set(harness.simulator.calls.map((call) => call.fwInstanceId))).toEqual(new Set(ids));
  });
});

describe('batched HTTP requests with ALLOW_BATCHED_REQUESTS=true', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { ALLOW_BATCHED_REQUESTS: 'true' } });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers a JSON array body with an array of results, in order', async () => {
    harness.simulator.resetCalls();
    const response = await postJson(harness.url, [
      { query: '{ __typename }' },
      { query: `{ captureTasks(fwInstanceId: "${DEMO}", first: 1) { totalCount } }` },
    ]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([{ data: { __typename: 'Query' } }, { data: { captureTasks: { totalCount: 57 } } }]);
    expect(harness.simulator.callCount).toBe(1);
  });
});
