// CFW JSON as it arrives, and the one place that reads it. Every SDK marks every field optional, so
// a record keeps its values as `unknown`: they are read, and checked, field by field when a client
// asks for them (resolvers/capture-task.ts), so one bad value costs one field, never the page.

/**
 * One `CaptureTaskVO` as the upstream sent it: any field may be missing or of another type, but the
 * task id, which paging and cursors stand on, was checked (captureTaskListFromBody).
 */
export interface CaptureTaskRecord {
  readonly task_id: string;
  readonly name?: unknown;
  readonly status?: unknown;
  readonly protocol?: unknown;
  readonly source_address?: unknown;
  readonly source_address_type?: unknown;
  readonly source_port?: unknown;
  readonly dest_address?: unknown;
  readonly dest_address_type?: unknown;
  readonly dest_port?: unknown;
  readonly capture_size?: unknown;
  readonly duration?: unknown;
  readonly max_packets?: unknown;
  readonly created_date?: unknown;
  readonly modified_date?: unknown;
  readonly is_deleted?: unknown;
  readonly remaining_days?: unknown;
}

/** One answer of the list call, checked as far as paging needs. */
export interface CaptureTaskListAnswer {
  /** All tasks of the firewall, as the upstream counts them. */
  readonly total: number;
  /** The records from `offset` on, at most `limit` of them. */
  readonly records: readonly CaptureTaskRecord[];
}

/** Why an answer cannot be used; the caller turns it into an UPSTREAM_BAD_RESPONSE. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the body of a 200 answer of `GET /v1/{project_id}/capture-task`: `{data:{total,records}}`,
 * or the shape used before late 2024, `{data:[{total,records,object_id,project_id,…}]}`.
 * Extra fields are ignored. The records must have a `task_id`: paging and cursors stand on it.
 */
export function captureTaskListFromBody(body: unknown): CaptureTaskListAnswer {
  if (!isObject(body)) throw new WireFormatError('the answer is not a JSON object');
  let data = body['data'];
  if (Array.isArray(data)) {
    // The older shape wraps the page in a one-element array.
    if (data.length === 0) return { total: 0, records: [] };
    data = data[0];
  }
  if (!isObject(data)) throw new WireFormatError('the answer has no `data` object');

  const records = data['records'] ?? [];
  if (!Array.isArray(records)) throw new WireFormatError('`data.records` is not an array');
  const checked: CaptureTaskRecord[] = [];
  for (const [index, record] of records.entries()) {
    if (!isObject(record)) throw new WireFormatError(`record ${index} is not an object`);
    if (!hasTaskId(record)) throw new WireFormatError(`record ${index} has no \`task_id\``);
    checked.push(record);
  }

  const total = data['total'];
  if (total === undefined || total === null) {
    // Without a total the page cannot say what follows it: the answer is unusable for paging.
    throw new WireFormatError('`data.total` is missing');
  }
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
    throw new WireFormatError('`data.total` is not a non-negative integer');
  }
  return { total, records: checked };
}

function hasTaskId(record: Record<string, unknown>): record is Record<string, unknown> & CaptureTaskRecord {
  const id = record['task_id'];
  return typeof id === 'string' && id !== '';
}

/** The task id of a record that passed captureTaskListFromBody. */
export function taskIdOf(record: CaptureTaskRecord): string {
  return record.task_id;
}

/** The body of a CFW or APIG error answer, as far as it can be read. */
export interface UpstreamErrorBody {
  readonly errorCode?: string;
  readonly requestId?: string;
}

const CAPTURE_SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i;
const CAPTURE_SIZE_UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** A `capture_size` such as "500kb" or "1.5mb" in bytes (kb, mb and gb in any case, 1024-based; a bare number is bytes); undefined when it is not one. */
export function bytesOfCaptureSize(text: string): number | undefined {
  const match = CAPTURE_SIZE.exec(text);
  const amount = match?.[1];
  if (match === null || amount === undefined) return undefined;
  return Math.round(Number(amount) * (CAPTURE_SIZE_UNIT_BYTES[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

/**
 * The one rule for a request id CFW (or APIG) sent, in a header or a body: kept when it is a tidy
 * token of letters, digits, `_` and `-`, at most 64 long; anything else is dropped, never shortened.
 */
export function upstreamRequestIdOf(value: unknown): string | undefined {
  const id = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof id === 'string' && /^[\w-]{1,64}$/.test(id) ? id : undefined;
}

/** Reads `{error_code, error_msg, request_id}` from an error answer; anything else gives `{}`. */
export function upstreamErrorFromBody(body: unknown): UpstreamErrorBody {
  let parsed = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    } catch {
      return {};
    }
  }
  if (!isObject(parsed)) return {};
  const code = parsed['error_code'];
  const requestId = parsed['request_id'];
  return {
    ...(typeof code === 'string' && /^[A-Za-z0-9.]{1,32}$/.test(code) ? { errorCode: code } : {}),
    ...(upstreamRequestIdOf(requestId) === undefined ? {} : { requestId: upstreamRequestIdOf(requestId) }),
  };
}

/** One file of a capture result, when the upstream lists files instead of sharing a folder. */
export interface CaptureResultFile {
  readonly name: string | undefined;
  readonly url: string | undefined;
  readonly path: string | undefined;
}

/**
 * The answer of `GET …/capture-task/capture-result`. `url` and `accessCode` are secrets: they are
 * never cached, logged or traced.
 */
export interface CaptureResultAnswer {
  readonly url: string | undefined;
  readonly accessCode: string | undefined;
  /** As the upstream gives it; its unit is undocumented. */
  readonly expires: number | undefined;
  readonly requestHost: string | undefined;
  readonly files: readonly CaptureResultFile[];
}

const textOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The `Host` of `request_header`, whatever the case of its name. */
function hostOf(headers: unknown): string | undefined {
  if (!isObject(headers)) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'host');
  return textOrUndefined(entry?.[1]);
}

/**
 * Reads `{data:{url?, captcha?, expires?, file_list?:[{file_name,url,file_path}], request_header?:{Host}}}`.
 * Every field is optional; values of another type are dropped. Error messages never quote a value:
 * the answer holds secrets.
 */
export function captureResultFromBody(body: unknown): CaptureResultAnswer {
  if (!isObject(body)) throw new WireFormatError('the capture result is not a JSON object');
  const data = body['data'];
  if (!isObject(data)) throw new WireFormatError('the capture result has no `data` object');
  const list = data['file_list'];
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new WireFormatError('`data.file_list` is not an array');
  const files: CaptureResultFile[] = [];
  for (const file of Array.isArray(list) ? list : []) {
    if (!isObject(file)) throw new WireFormatError('an entry of `data.file_list` is not an object');
    files.push({ name: textOrUndefined(file['file_name']), url: textOrUndefined(file['url']), path: textOrUndefined(file['file_path']) });
  }
  const expires = data['expires'];
  return {
    url: textOrUndefined(data['url']),
    accessCode: textOrUndefined(data['captcha']),
    expires:
      typeof expires === 'number' && Number.isSafeInteger(expires)
        ? expires
        : typeof expires === 'string' && /^\d{1,15}$/.test(expires)
          ? Number(expires)
          : undefined,
    requestHost: hostOf(data['request_header']),
    files,
  };
}
