// The upstream's codes: integer code sets, one table each, and every error code. Shared with the
// simulator, which must speak the same codes. GraphQL enum values are the strings the schema declares.

/** One CFW integer code set: each GraphQL enum name with its code, read both ways. */
export interface CodeSet<Name extends string> {
  /** Name → the code CFW speaks. */
  readonly code: Readonly<Record<Name, number>>;
  /** The code CFW sent → its name; undefined for a code the gateway does not know. */
  nameOf(code: number): Name | undefined;
  /** Every code of the set. */
  readonly codes: readonly number[];
}

function codeSet<const Name extends string>(code: Readonly<Record<Name, number>>): CodeSet<Name> {
  const entries = Object.entries(code) as [Name, number][];
  const byCode = new Map(entries.map(([name, value]) => [value, name]));
  return { code, nameOf: (value) => byCode.get(value), codes: entries.map(([, value]) => value) };
}

/** A capture task's `status`. RUNNING and ENDING hold the firewall: one such task per firewall at a time. */
export const CaptureTaskStatusCodes = codeSet({ ABNORMAL: 0, SUCCESSFUL: 1, RUNNING: 2, STOPPED: 4, ENDING: 5 });
export type CaptureTaskStatusName = keyof typeof CaptureTaskStatusCodes.code;

/** A capture's `protocol` (IANA protocol numbers; -1 any). */
export const CaptureProtocolCodes = codeSet({ TCP: 6, UDP: 17, ICMP: 1, ICMPV6: 58, ANY: -1 });
export type CaptureProtocolName = keyof typeof CaptureProtocolCodes.code;
/** The protocols whose captures may name ports. */
export const PORTED_PROTOCOLS: ReadonlySet<CaptureProtocolName> = new Set(['TCP', 'UDP']);
/** Their codes. */
export const PORTED_PROTOCOL_CODES: ReadonlySet<number> = new Set([...PORTED_PROTOCOLS].map((name) => CaptureProtocolCodes.code[name]));

/** An address's `type`. */
export const IpVersionCodes = codeSet({ IPV4: 0, IPV6: 1 });
export type IpVersionName = keyof typeof IpVersionCodes.code;

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
