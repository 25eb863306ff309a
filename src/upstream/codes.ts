// The upstream's integer code sets, one table each. Shared with the simulator, which must speak the
// same codes. GraphQL enum values are the strings the schema declares.

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

/** The upstream's page size limit (`limit` is 1..1024). */
export const UPSTREAM_MAX_LIMIT = 1024;

/** CFW business error codes the gateway acts on. */
export const CfwErrorCode = {
  /** The firewall (or another object) does not exist. */
  OBJECT_NOT_FOUND: 'CFW.00200005',
  /** A required parameter is empty. */
  EMPTY_PARAMETER: 'CFW.00200001',
  /** A transient request error: "try again later". */
  TRANSIENT: 'CFW.00109004',
} as const;
