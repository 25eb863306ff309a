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
  const deadline = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await upstream.got.get('capture-task', {
      searchParams,
      headers: options.credential.kind === 'token' ? { 'x-auth-token': options.credential.token } : {},
      signal: options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]),
    });
    return captureTaskListFromBody(response.body);
  } catch (error) {
    throw toUpstreamError(error);
  }
}
