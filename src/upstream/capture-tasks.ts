// The list call: GET /v1/{project_id}/capture-task, one page of one firewall's tasks.
import type { UpstreamCredential, UpstreamHttp } from './client.ts';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { GatewayError, UnauthenticatedError, UpstreamCancelledError, UpstreamError } from '../errors.ts';
import { tracer } from '../tracing.ts';
import { toUpstreamError } from './errors.ts';
import { captureTaskListFromBody, type CaptureTaskListAnswer } from './wire.ts';

export interface CaptureTaskListQuery {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId: string | undefined;
  readonly offset: number;
  /** 1..UPSTREAM_MAX_LIMIT */
  readonly limit: number;
}

export interface ListCallOptions {
  readonly credential: UpstreamCredential;
  /** Ends the call: its deadline (read.ts sets it), or every operation waiting for it went away. */
  readonly signal: AbortSignal;
  /** Told how each call went, for logs and metrics. */
  readonly onDone?: ((event: UpstreamCallEvent) => void) | undefined;
}

/** How one upstream call went; holds nothing secret. */
export interface UpstreamCallEvent {
  /** `cancelled`: every operation waiting for it ended first (the client went away). */
  readonly outcome: 'ok' | 'error' | 'cancelled';
  /** HTTP status of the last attempt, when an answer came. */
  readonly status: number | undefined;
  /** The gateway's error code when the call failed. */
  readonly code: string | undefined;
  /** The CFW/APIG error code when the upstream sent one. */
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
  readonly attempts: number;
  readonly durationMs: number;
}

/** Reads one page; throws a GatewayError (never a got error) when it cannot. */
export async function listCaptureTasks(upstream: UpstreamHttp, query: CaptureTaskListQuery, options: ListCallOptions): Promise<CaptureTaskListAnswer> {
  const searchParams = new URLSearchParams({ fw_instance_id: query.fwInstanceId });
  if (query.enterpriseProjectId !== undefined) searchParams.set('enterprise_project_id', query.enterpriseProjectId);
  searchParams.set('limit', String(query.limit));
  searchParams.set('offset', String(query.offset));
  const signal = options.signal;
  const started = performance.now();
  const span = tracer().startSpan('GET capture-task', {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': 'GET', 'cfw.fw_instance_id': query.fwInstanceId, 'cfw.offset': query.offset, 'cfw.limit': query.limit },
  });
  // W3C trace context to the upstream, so its request joins the operation's trace.
  const traceHeaders: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
  try {
    const { answer, status, attempts, requestId } = await upstream.guard.execute(async (guardSignal) => {
      try {
        const response = await upstream.got.get('capture-task', {
          searchParams,
          headers: options.credential.kind === 'token' ? { ...traceHeaders, 'x-auth-token': options.credential.token } : traceHeaders,
          // The caller's signal first: when the deadline fires, got sees its TimeoutError reason and
          // throws a TimeoutError (UPSTREAM_TIMEOUT), not an abort.
          signal: AbortSignal.any([signal, guardSignal]),
        });
        const id = response.headers['x-request-id'];
        return { answer: captureTaskListFromBody(response.body), status: response.statusCode, attempts: response.retryCount + 1, requestId: typeof id === 'string' ? id.slice(0, 64) : undefined };
      } catch (error) {
        throw toUpstreamError(error);
      }
    }, signal);
    options.onDone?.({ outcome: 'ok', status, code: undefined, errorCode: undefined, requestId, attempts, durationMs: performance.now() - started });
    span.setAttributes({ 'http.response.status_code': status, 'cfw.attempts': attempts, ...(requestId === undefined ? {} : { 'cfw.request_id': requestId }) });
    span.end();
    return answer;
  } catch (error) {
    const details = error instanceof UpstreamError || error instanceof UnauthenticatedError ? (error.upstream ?? {}) : {};
    const cancelled = error instanceof UpstreamCancelledError;
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof GatewayError ? error.code : 'error' });
    span.setAttributes({ ...(details.status === undefined ? {} : { 'http.response.status_code': details.status }), 'cfw.attempts': details.attempts ?? 1, ...(details.errorCode === undefined ? {} : { 'cfw.error_code': details.errorCode }) });
    span.end();
    options.onDone?.({
      outcome: cancelled ? 'cancelled' : 'error',
      status: details.status,
      code: cancelled ? 'CANCELLED' : error instanceof GatewayError ? error.code : undefined,
      errorCode: details.errorCode,
      requestId: details.requestId,
      attempts: details.attempts ?? 1,
      durationMs: performance.now() - started,
    });
    throw error;
  }
}
