// The operation log line and the operation span report the codes the client received, after
// formatting: a GatewayError is never logged as INTERNAL_SERVER_ERROR because its raw form has no code.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createLogger } from '../../src/logger.ts';
import { clientErrorCodes } from '../../src/server/plugins.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startTracing, type Tracing } from '../../src/tracing.ts';
import { withHarness, type GraphQLResult } from '../helpers/harness.ts';
import { memorySink } from '../helpers/log.ts';

const DEMO = SIMULATOR_FIREWALLS.demo;

function sink() {
  const { lines, sink: stream } = memorySink();
  const operations = () =>
    lines.map((line) => JSON.parse(line) as { msg: string; errorCodes?: string[]; outcome?: string }).filter((line) => line.msg === 'operation');
  return { stream, operations };
}

const codesOf = (result: GraphQLResult) => [...new Set(result.body.errors?.map((error) => error.extensions?.['code']))];

describe('clientErrorCodes', () => {
  it("reads each formatted error's code once, in order; an error without one is INTERNAL_SERVER_ERROR", () => {
    expect(clientErrorCodes(undefined)).toEqual([]);
    expect(
      clientErrorCodes([
        { message: 'a', extensions: { code: 'BAD_USER_INPUT' } },
        { message: 'b', extensions: { code: 'BAD_USER_INPUT' } },
        { message: 'c', extensions: { code: 'UPSTREAM_TIMEOUT' } },
      ]),
    ).toEqual(['BAD_USER_INPUT', 'UPSTREAM_TIMEOUT']);
    expect(clientErrorCodes([{ message: 'no code' }])).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});

describe('the operation log line and span', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(async () => {
    tracing = await startTracing({ processor: new SimpleSpanProcessor({ exporter }) });
  });
  afterAll(() => tracing.shutdown());

  it.each([
    [
      'first: 5000 (a GatewayError thrown by a resolver)',
      `query Big { captureTasks(fwInstanceId: "${DEMO}", first: 5000) { totalCount } }`,
      {},
      ['BAD_USER_INPUT'],
    ],
    [
      'an upstream 403',
      `query Denied { captureTasks(fwInstanceId: "${DEMO}", first: 2) { totalCount } }`,
      { faults: [{ kind: 'status' as const, status: 403 }] },
      ['FORBIDDEN'],
    ],
    ['a syntax error', 'query Broken { captureTasks(', {}, ['GRAPHQL_PARSE_FAILED']],
  ])('%s: logs and marks the span with exactly the codes the client got', async (_name, query, simulator, expected) => {
    const { stream, operations } = sink();
    await withHarness({ simulator, logger: createLogger('info', stream) }, async (harness) => {
      exporter.reset();
      const result = await harness.gql(query);
      expect(codesOf(result)).toEqual(expected);
      expect(operations().map((line) => line.errorCodes)).toEqual([expected]);
      const span = exporter.getFinishedSpans().find((finished) => finished.name.startsWith('graphql.operation'));
      expect(span?.status).toMatchObject({ code: 2, message: expected.join(',') });
    });
  });

  it('logs no codes and leaves the span unset for a clean operation', async () => {
    const { stream, operations } = sink();
    await withHarness({ logger: createLogger('info', stream) }, async (harness) => {
      exporter.reset();
      const result = await harness.gql(`query Fine { captureTasks(fwInstanceId: "${DEMO}", first: 2) { totalCount } }`);
      expect(result.body.errors).toBeUndefined();
      expect(operations()).toEqual([expect.objectContaining({ outcome: 'ok' })]);
      expect(operations()[0]?.errorCodes).toBeUndefined();
      expect(exporter.getFinishedSpans().find((finished) => finished.name === 'graphql.operation Fine')?.status.code).toBe(0);
    });
  });
});

describe("the operation's child logger", () => {
  // Apollo copies the context for each operation with Object.assign: a `logger` getter would be
  // called there, and a child logger (its bindings serialised) made for every request.
  it('is not made for an operation that logs nothing, and made once for one that does', async () => {
    for (const [level, expected] of [
      ['warn', 0],
      ['info', 1],
    ] as const) {
      const { stream, operations } = sink();
      const logger = createLogger(level, stream);
      // A spy that passes through to pino's own child().
      const child = jest.spyOn(logger, 'child');
      await withHarness({ logger }, async (harness) => {
        const result = await harness.gql(`query Quiet { captureTasks(fwInstanceId: "${DEMO}", first: 2) { edges { node { id } } } }`);
        expect(result.body.errors).toBeUndefined();
      });
      expect({ level, children: child.mock.calls.length, lines: operations().length }).toEqual({ level, children: expected, lines: expected });
    }
  });
});
