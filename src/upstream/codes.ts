// The upstream's codes: integer code sets, one table each, and every error code. Shared with the
// simulator, which must speak the same codes. GraphQL enum values are the strings the schema declares.

export const CAPTURE_TASK_STATUS_BY_CODE = new Map<number, CaptureTaskStatusName>([
  [0, 'ABNORMAL'],
  [1, 'SUCCESSFUL'],
  [2, 'RUNNING'],
  [4, 'STOPPED'],
  [5, 'ENDING'],
]);
export type CaptureTaskStatusName = 'ABNORMAL' | 'SUCCESSFUL' | 'RUNNING' | 'STOPPED' | 'ENDING';

export const CAPTURE_PROTOCOL_BY_CODE = new Map<number, CaptureProtocolName>([
  [6, 'TCP'],
  [17, 'UDP'],
  [1, 'ICMP'],
  [58, 'ICMPV6'],
  [-1, 'ANY'],
]);
export type CaptureProtocolName = 'TCP' | 'UDP' | 'ICMP' | 'ICMPV6' | 'ANY';

export const IP_VERSION_BY_CODE = new Map<number, IpVersionName>([
  [0, 'IPV4'],
  [1, 'IPV6'],
]);
export type IpVersionName = 'IPV4' | 'IPV6';

/** CFW status codes of a task that is capturing (2) or stopping (5): one such task per firewall at a time. */
export const RUNNING_STATUS_CODE = 2;
export const ENDING_STATUS_CODE = 5;

/** The upstream's page size limit (`limit` is 1..1024). */
export const UPSTREAM_MAX_LIMIT = 1024;

/** The most packets a capture may keep (CFW documents `max_packets` ≤ 1,000,000). */
export const CAPTURE_MAX_PACKETS = 1_000_000;
/** The longest capture, in minutes: an assumption (CFW documents no range); the simulator refuses more. */
export const CAPTURE_MAX_DURATION_MINUTES = 60;
/** Captures a firewall may start per UTC day (CFW: "at most 20 per day"). */
export const CAPTURE_DAILY_QUOTA = 20;
/** Source IPs a capture-result call with `type=1` may name. */
export const CAPTURE_RESULT_MAX_IPS = 3;

/**
 * Every upstream error code either side writes or reads: CFW's business codes (HTTP 400 and 500) and
 * the API gateway's (APIG/APIGW, 401/403/404/429/5xx). The gateway acts on a few; the simulator
 * answers with them all.
 */
export const CfwErrorCode = {
  /** A required parameter is empty. */
  EMPTY_PARAMETER: 'CFW.00200001',
  /** A parameter has a bad value (the simulator's choice for every malformed field). */
  INVALID_PARAMETER: 'CFW.00200002',
  /** The firewall (or another object) does not exist. */
  OBJECT_NOT_FOUND: 'CFW.00200005',
  /** "Name conflict": assumed for a capture task name already listed on the firewall. */
  NAME_CONFLICT: 'CFW.00200007',
  /** "The same parameter already exists": the gateway reads it as a name conflict too (its use is not confirmed). */
  ALREADY_EXISTS: 'CFW.00200009',
  /** "Instance status error": assumed for a capture running or ending, or a task in the wrong state. */
  STATUS_ERROR: 'CFW.00200016',
  /** "Exceeded maximum quantity limit": assumed for the 20 captures a firewall may start per UTC day. */
  QUOTA_EXCEEDED: 'CFW.00200024',
  /** A transient request error: "try again later". */
  TRANSIENT: 'CFW.00109004',
  /** CFW's internal error. */
  SYSTEM_BUSY: 'CFW.00100001',
} as const;
export type CfwErrorCode = (typeof CfwErrorCode)[keyof typeof CfwErrorCode];

/** Huawei Cloud API gateway codes, in front of CFW. */
export const ApigErrorCode = {
  /** Bad or expired IAM token, or a bad AK/SK signature (401). */
  UNAUTHENTICATED: 'APIG.0301',
  /** The credential may not use this project or firewall (403). */
  FORBIDDEN: 'APIG.0302',
  /** No such API at this path (404). */
  NO_SUCH_API: 'APIGW.0101',
  BAD_GATEWAY: 'APIGW.0202',
  SERVICE_UNAVAILABLE: 'APIGW.0203',
  BACKEND_TIMEOUT: 'APIGW.0204',
  /** Rate limited (429). */
  THROTTLED: 'APIGW.0308',
} as const;
export type ApigErrorCode = (typeof ApigErrorCode)[keyof typeof ApigErrorCode];
