// OpenTelemetry tracing: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. The code is instrumented
// with @opentelemetry/api alone, which costs nothing while no provider is registered; this module
// registers one (OTLP over HTTP, batched) and W3C trace context propagation. The SDK and the
// exporter are loaded only then: a gateway without tracing never has them in memory.
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

export const TRACER_NAME = 'capture-gateway';

/** The gateway's tracer: a no-op until startTracing registers a provider. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

let started = false;

/**
 * Whether startTracing registered a provider. Without one, spans would be no-ops: the hot path then
 * skips making them and the trace context they carry, rather than build and drop them per call.
 */
export function tracingOn(): boolean {
  return started;
}

export interface Tracing {
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Registers a global tracer provider. `processor` is for tests (an in-memory exporter); otherwise
 * spans are batched to the OTLP endpoint (standard OTEL_EXPORTER_OTLP_* variables apply).
 */
export async function startTracing(options: { readonly serviceName?: string; readonly processor?: SpanProcessor }): Promise<Tracing> {
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, { BatchSpanProcessor, TracerProvider }] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace'),
    ]);
  const processor =
    options.processor ?? new BatchSpanProcessor({ exporter: new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter() });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'capture-gateway' }),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  started = true;
  return {
    async shutdown() {
      started = false;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
