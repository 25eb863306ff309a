// The capture-task calls: the list (GET /v1/{project_id}/capture-task, one page of one firewall's tasks), and the lifecycle's create, stop, batch-delete and capture result (below).
import type { UpstreamCredential, UpstreamHttp } from './client.ts';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { GatewayError, UnauthenticatedError, UpstreamCancelledError, UpstreamError } from '../errors.ts';
import { tracer, tracingOn } from '../tracing.ts';
import { toUpstreamError } from './errors.ts';
import { captureResultFromBody, captureTaskListFromBody, upstreamRequestIdOf, type CaptureResultAnswer, type CaptureTaskListAnswer } from './wire.ts';

export interface CaptureTaskListQuery extends FirewallScope {
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

/** Ends a call that answered: its span's attributes, then its event. */
function endCallOk(
  span: Span | undefined,
  onDone: ((event: UpstreamCallEvent) => void) | undefined,
  started: number,
  answer: { readonly status: number; readonly attempts: number; readonly requestId: string | undefined },
): void {
  const { status, attempts, requestId } = answer;
  onDone?.({ outcome: 'ok', status, code: undefined, errorCode: undefined, requestId, attempts, durationMs: performance.now() - started });
  if (span === undefined) return;
  span.setAttributes({ 'http.response.status_code': status, 'cfw.attempts': attempts, ...(requestId === undefined ? {} : { 'cfw.request_id': requestId }) });
  span.end();
}

/** Ends a call that failed (`error`, a GatewayError): its span's status and attributes, then its event. */
function endCallFailed(span: Span | undefined, onDone: ((event: UpstreamCallEvent) => void) | undefined, started: number, error: unknown): void {
  const details = error instanceof UpstreamError || error instanceof UnauthenticatedError ? (error.upstream ?? {}) : {};
  const cancelled = error instanceof UpstreamCancelledError;
  if (span !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof GatewayError ? error.code : 'error' });
    span.setAttributes({
      ...(details.status === undefined ? {} : { 'http.response.status_code': details.status }),
      'cfw.attempts': details.attempts ?? 1,
      ...(details.errorCode === undefined ? {} : { 'cfw.error_code': details.errorCode }),
    });
    span.end();
  }
  onDone?.({
    outcome: cancelled ? 'cancelled' : 'error',
    status: details.status,
    code: cancelled ? 'CANCELLED' : error instanceof GatewayError ? error.code : undefined,
    errorCode: details.errorCode,
    requestId: details.requestId,
    attempts: details.attempts ?? 1,
    durationMs: performance.now() - started,
  });
}

/** Which firewall a call is about: its id and, when it has one, its enterprise project. */
export interface FirewallScope {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId: string | undefined;
}

/** One upstream request, as the one call path below sends it. */
interface UpstreamRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly searchParams: URLSearchParams;
  readonly body?: unknown;
  /** Span attributes beyond the method (never a secret). */
  readonly attributes?: Attributes;
}

interface CallOptions {
  readonly credential: UpstreamCredential;
  /** Ends the call: its deadline, retries and queueing included, and anything else the caller adds. */
  readonly signal: AbortSignal;
  readonly onDone?: ((event: UpstreamCallEvent) => void) | undefined;
}

/**
 * Every upstream call, read or change, goes this one way: a span (with W3C trace context to CFW), the
 * caller's credential, the guard (the 429 hold-off, breaker, bulkhead), got's retry rule, the error
 * conversion, and one event for logs and metrics.
 */
async function upstreamCall<T>(
  upstream: UpstreamHttp,
  request: UpstreamRequest,
  options: CallOptions,
  read: (body: unknown) => T,
): Promise<LifecycleCallResult<T>> {
  const { signal } = options;
  const started = performance.now();
  // Tracing off (no OTLP endpoint): no span and no traceparent, rather than no-op ones made per call.
  const span = tracingOn()
    ? tracer().startSpan(`${request.method} ${request.path}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': request.method, ...request.attributes },
      })
    : undefined;
  const traceHeaders: Record<string, string> = {};
  if (span !== undefined) propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
  const headers = options.credential.kind === 'token' ? { ...traceHeaders, 'x-auth-token': options.credential.token } : traceHeaders;
  try {
    const { value, status, attempts, requestId } = await upstream.guard.execute(async (guardSignal) => {
      try {
        // The caller's signal first: when the deadline fires, got sees its TimeoutError reason and
        // throws a TimeoutError (UPSTREAM_TIMEOUT), not an abort.
        const callSignal = AbortSignal.any([signal, guardSignal]);
        const response =
          request.method === 'GET'
            ? await upstream.got.get(request.path, { searchParams: request.searchParams, headers, signal: callSignal })
            : await upstream.got.post(request.path, {
                searchParams: request.searchParams,
                headers: { ...headers, 'content-type': 'application/json;charset=UTF-8' },
                body: JSON.stringify(request.body),
                // Any 200 means the change was accepted, whatever its body: it is not parsed as JSON.
                responseType: 'text',
                // A fresh connection: a kept-alive socket the upstream already closed would fail the POST
                // after sending, which can never be retried.
                agent: upstream.freshAgent,
                signal: callSignal,
              });
        return {
          value: read(response.body),
          status: response.statusCode,
          attempts: response.retryCount + 1,
          requestId: upstreamRequestIdOf(response.headers['x-request-id']),
        };
      } catch (error) {
        throw toUpstreamError(error);
      }
    }, signal);
    endCallOk(span, options.onDone, started, { status, attempts, requestId });
    return { value, requestId };
  } catch (error) {
    endCallFailed(span, options.onDone, started, error);
    throw error;
  }
}

function firewallParams(firewall: FirewallScope): URLSearchParams {
  const params = new URLSearchParams({ fw_instance_id: firewall.fwInstanceId });
  if (firewall.enterpriseProjectId !== undefined) params.set('enterprise_project_id', firewall.enterpriseProjectId);
  return params;
}

/** Reads one page; throws a GatewayError (never a got error) when it cannot. */
export async function listCaptureTasks(upstream: UpstreamHttp, query: CaptureTaskListQuery, options: ListCallOptions): Promise<CaptureTaskListAnswer> {
  const searchParams = firewallParams(query);
  searchParams.set('limit', String(query.limit));
  searchParams.set('offset', String(query.offset));
  const attributes = { 'cfw.fw_instance_id': query.fwInstanceId, 'cfw.offset': query.offset, 'cfw.limit': query.limit };
  return (await upstreamCall(upstream, { method: 'GET', path: 'capture-task', searchParams, attributes }, options, captureTaskListFromBody)).value;
}

// ---------------------------------------------------------------------------------------------
// The capture lifecycle: create, stop, batch-delete (POSTs) and the capture result (a GET).

export interface LifecycleCallOptions {
  readonly credential: UpstreamCredential;
  /** Whole-call deadline, retries and queueing included. */
  readonly timeoutMs: number;
  /**
   * Ends a read early when its operation ends. POSTs take none: once sent, a change is seen through,
   * so that its outcome is known and logged even when the client went away.
   */
  readonly signal?: AbortSignal | undefined;
  readonly onDone?: ((event: UpstreamCallEvent) => void) | undefined;
}

/** `POST …/capture-task` as the upstream documents it. */
export interface CreateCaptureTaskBody {
  readonly name: string;
  /** Minutes. */
  readonly duration: number;
  readonly max_packets: number;
  readonly source: CaptureEndpointBody;
  readonly destination: CaptureEndpointBody;
  readonly service: { readonly protocol: number; readonly source_port?: string; readonly dest_port?: string };
}

export interface CaptureEndpointBody {
  readonly address: string;
  /** 0 IPv4, 1 IPv6. */
  readonly address_type: number;
  /** 0: a single address (the only kind the gateway sends). */
  readonly type: 0;
}

/** How a lifecycle call ended when it did: the upstream's request id, for the mutation's log line. */
export interface LifecycleCallResult<T> {
  readonly value: T;
  readonly requestId: string | undefined;
}

/** A lifecycle call: its own deadline, and the operation's signal for reads. */
function lifecycleCall<T>(
  upstream: UpstreamHttp,
  request: UpstreamRequest,
  options: LifecycleCallOptions,
  read: (body: unknown) => T,
): Promise<LifecycleCallResult<T>> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  return upstreamCall(upstream, request, { credential: options.credential, signal, onDone: options.onDone }, read);
}

const accepted = (): undefined => undefined;

/** Starts a capture. CFW's answer names the firewall, not the new task: find it by name afterwards. */
export function createCaptureTask(
  upstream: UpstreamHttp,
  scope: FirewallScope,
  body: CreateCaptureTaskBody,
  options: LifecycleCallOptions,
): Promise<LifecycleCallResult<undefined>> {
  return lifecycleCall(upstream, { method: 'POST', path: 'capture-task', searchParams: firewallParams(scope), body }, options, accepted);
}

/** Stops a running capture. */
export function stopCaptureTask(
  upstream: UpstreamHttp,
  scope: FirewallScope,
  taskId: string,
  options: LifecycleCallOptions,
): Promise<LifecycleCallResult<undefined>> {
  return lifecycleCall(
    upstream,
    { method: 'POST', path: 'capture-task/stop', searchParams: firewallParams(scope), body: { task_id: taskId } },
    options,
    accepted,
  );
}

/** Deletes tasks; CFW's 200 does not guarantee they are gone (re-list to confirm). */
export function batchDeleteCaptureTasks(
  upstream: UpstreamHttp,
  scope: FirewallScope,
  taskIds: readonly string[],
  options: LifecycleCallOptions,
): Promise<LifecycleCallResult<undefined>> {
  return lifecycleCall(
    upstream,
    { method: 'POST', path: 'capture-task/batch-delete', searchParams: firewallParams(scope), body: { task_ids: taskIds } },
    options,
    accepted,
  );
}

/** Where a finished task's files can be downloaded; `allowedIps` empty: from anywhere (type 0). */
export function readCaptureResult(
  upstream: UpstreamHttp,
  scope: FirewallScope,
  taskId: string,
  allowedIps: readonly string[],
  options: LifecycleCallOptions,
): Promise<LifecycleCallResult<CaptureResultAnswer>> {
  const searchParams = firewallParams(scope);
  searchParams.set('task_id', taskId);
  searchParams.set('type', allowedIps.length === 0 ? '0' : '1');
  for (const ip of allowedIps) searchParams.append('ip', ip);
  return lifecycleCall(upstream, { method: 'GET', path: 'capture-task/capture-result', searchParams }, options, captureResultFromBody);
}
