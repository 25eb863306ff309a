// OpenTelemetry: a span per operation and per upstream call, W3C trace context carried to CFW.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startTracing, type Tracing } from '../../src/tracing.ts';
import { withHarness } from '../helpers/harness.ts';

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(async () => {
    tracing = await startTracing({ processor: new SimpleSpanProcessor({ exporter }) });
  });
  afterAll(() => tracing.shutdown());

  it('records the operation and its upstream calls in one trace, and propagates it to the upstream', async () => {
    await withHarness({}, async (harness) => {
      exporter.reset();
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const result = await harness.gql(
        `query Tasks { a: captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount } b: captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.single}", first: 2) { totalCount } }`,
        undefined,
        {
          'x-auth-token': 'demo-token',
          traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`,
        },
      );
      expect(result.body.errors).toBeUndefined();
      const spans = exporter.getFinishedSpans();
      const operation = spans.find((span) => span.name === 'graphql.operation Tasks');
      const upstream = spans.filter((span) => span.name === 'GET capture-task');
      expect(operation?.spanContext().traceId).toBe(callerTrace);
      expect(operation?.attributes['capture_gateway.upstream_calls']).toBe(2);
      expect(upstream).toHaveLength(2);
      for (const span of upstream) {
        expect(span.spanContext().traceId).toBe(callerTrace);
        expect(span.parentSpanContext?.spanId).toBe(operation?.spanContext().spanId);
        expect(span.attributes['http.response.status_code']).toBe(200);
      }
      const sent = harness.simulator.calls.map((call) => call.traceparent);
      expect(sent.sort()).toEqual(upstream.map((span) => `00-${callerTrace}-${span.spanContext().spanId}-01`).sort());
    });
  });

  it('marks failed upstream calls as errors', async () => {
    await withHarness({ simulator: { faults: [{ kind: 'status', status: 403 }] } }, async (harness) => {
      exporter.reset();
      await harness.gql(`{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`);
      const upstream = exporter.getFinishedSpans().find((span) => span.name === 'GET capture-task');
      expect(upstream?.status).toMatchObject({ code: 2, message: 'FORBIDDEN' });
      expect(upstream?.attributes['http.response.status_code']).toBe(403);
    });
  });
});
