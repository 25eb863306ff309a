// OpenTelemetry tracing: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. The code is instrumented
// with @opentelemetry/api alone, which costs nothing while no provider is registered; this module
// registers one (OTLP over HTTP, batched) and W3C trace context propagation.
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';

export const TRACER_NAME = 'capture-gateway';

/** The gateway's tracer: a no-op until startTracing registers a provider. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface Tracing {
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Registers a global tracer provider. `processor` is for tests (an in-memory exporter); otherwise
 * spans are batched to the OTLP endpoint (standard OTEL_EXPORTER_OTLP_* variables apply).
 */
export function startTracing(options: { readonly serviceName?: string; readonly processor?: SpanProcessor }): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'capture-gateway' }),
    spanProcessors: [options.processor ?? new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
