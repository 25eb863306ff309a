// The list call: GET /v1/{project_id}/capture-task, one page of one firewall's tasks.
import type { UpstreamCredential, UpstreamHttp } from './client.ts';
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
  /** Whole-call deadline, retries included. */
  readonly timeoutMs: number;
  /** Ends the call early, e.g. when the client went away or the operation's deadline passed. */
  readonly signal?: AbortSignal | undefined;
}

/** Reads one page; throws a GatewayError (never a got error) when it cannot. */
export async function listCaptureTasks(upstream: UpstreamHttp, query: CaptureTaskListQuery, options: ListCallOptions): Promise<CaptureTaskListAnswer> {
  const searchParams = new URLSearchParams({ fw_instance_id: query.fwInstanceId });
  if (query.enterpriseProjectId !== undefined) searchParams.set('enterprise_project_id', query.enterpriseProjectId);
  searchParams.set('limit', String(query.limit));
  searchParams.set('offset', String(query.offset));
  // The deadline runs from here, so time spent queued in the bulkhead counts against it.
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  return upstream.guard.execute(async (guardSignal) => {
    try {
      const response = await upstream.got.get('capture-task', {
        searchParams,
        headers: options.credential.kind === 'token' ? { 'x-auth-token': options.credential.token } : {},
        // The caller's signal first: when the deadline fires, got sees its TimeoutError reason.
        signal: AbortSignal.any([signal, guardSignal]),
      });
      return captureTaskListFromBody(response.body);
    } catch (error) {
      throw toUpstreamError(error);
    }
  }, signal);
}
