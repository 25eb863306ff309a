// What the simulator accepts in the lifecycle calls' bodies and queries, checked field by field as
// CFW would: a missing field is CFW.00200001 (empty parameter), a bad one CFW.00200002. Which fields
// CFW really checks, and how, is not documented; these rules are the simulator's.
import { isIP } from 'node:net';
import {
  CAPTURE_MAX_DURATION_MINUTES,
  CAPTURE_MAX_PACKETS,
  CAPTURE_RESULT_MAX_IPS,
  CaptureProtocolCodes,
  CfwErrorCode,
  PORTED_PROTOCOL_CODES,
} from '../upstream/codes.ts';

/** A CFW business refusal: HTTP 400 with `{error_code, error_msg}`. */
export class CfwRefusal {
  readonly code: string;
  readonly message: string;

  constructor(code: string, message: string) {
    this.code = code;
    this.message = message;
  }
}

const empty = (field: string) => new CfwRefusal(CfwErrorCode.EMPTY_PARAMETER, `Empty parameter: ${field}`);
const invalid = (field: string, why: string) => new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, `Invalid parameter: ${field} ${why}`);

/** Longest task name the simulator takes: an assumption, CFW documents none. */
export const CAPTURE_NAME_MAX_LENGTH = 255;
const PROTOCOLS: ReadonlySet<number> = new Set(CaptureProtocolCodes.codes);

export interface CaptureEndpointSpec {
  readonly address: string;
  /** 0 IPv4, 1 IPv6. */
  readonly addressType: 0 | 1;
}

/** A create body that passed every check. */
export interface CaptureTaskSpec {
  readonly name: string;
  readonly durationMinutes: number;
  readonly maxPackets: number;
  readonly source: CaptureEndpointSpec;
  readonly destination: CaptureEndpointSpec;
  readonly protocol: number;
  /** `""` for none, else "80" or "80-90". */
  readonly sourcePort: string;
  readonly destPort: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Reads a body as JSON; an empty body is `undefined`. */
export function jsonOfBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return new CfwRefusal(CfwErrorCode.INVALID_PARAMETER, 'Invalid parameter: the request body is not JSON');
  }
}

function integerIn(field: string, value: unknown, min: number, max: number): number | CfwRefusal {
  if (isAbsent(value)) return empty(field);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return invalid(field, `must be an integer from ${min} to ${max}`);
  return value;
}

function endpointOf(field: string, value: unknown): CaptureEndpointSpec | CfwRefusal {
  if (isAbsent(value)) return empty(field);
  if (!isObject(value)) return invalid(field, 'must be an object');
  const { address, address_type: addressType, type } = value;
  if (isAbsent(address)) return empty(`${field}.address`);
  const version = typeof address === 'string' ? isIP(address) : 0;
  if (version === 0) return invalid(`${field}.address`, 'must be an IPv4 or IPv6 address');
  if (isAbsent(addressType)) return empty(`${field}.address_type`);
  if (addressType !== 0 && addressType !== 1) return invalid(`${field}.address_type`, 'must be 0 (IPv4) or 1 (IPv6)');
  if ((addressType === 0) !== (version === 4)) return invalid(`${field}.address_type`, `does not match the address (${String(address)})`);
  if (type !== undefined && type !== 0) return invalid(`${field}.type`, 'must be 0 (an address)');
  return { address: String(address), addressType };
}

const PORT = /^(\d{1,5})(?:-(\d{1,5}))?$/;

function portOf(field: string, value: unknown): string | CfwRefusal {
  if (isAbsent(value)) return '';
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  const match = typeof text === 'string' ? PORT.exec(text) : null;
  const low = Number(match?.[1]);
  const high = match?.[2] === undefined ? low : Number(match[2]);
  if (match === null || low < 1 || high > 65535 || low > high) return invalid(field, 'must be a port from 1 to 65535 or a range such as 80-90');
  return match[2] === undefined ? String(low) : `${low}-${high}`;
}

/** Checks a `POST capture-task` body, in field order; the first problem is the answer. */
export function captureTaskSpecFromBody(body: unknown): CaptureTaskSpec | CfwRefusal {
  if (body instanceof CfwRefusal) return body;
  if (body === undefined) return empty('name');
  if (!isObject(body)) return invalid('body', 'must be a JSON object');
  const { name } = body;
  if (isAbsent(name)) return empty('name');
  if (typeof name !== 'string' || name.trim() === '' || name.length > CAPTURE_NAME_MAX_LENGTH)
    return invalid('name', `must be a string of 1 to ${CAPTURE_NAME_MAX_LENGTH} characters`);
  const durationMinutes = integerIn('duration', body['duration'], 1, CAPTURE_MAX_DURATION_MINUTES);
  if (durationMinutes instanceof CfwRefusal) return durationMinutes;
  const maxPackets = integerIn('max_packets', body['max_packets'], 1, CAPTURE_MAX_PACKETS);
  if (maxPackets instanceof CfwRefusal) return maxPackets;
  const source = endpointOf('source', body['source']);
  if (source instanceof CfwRefusal) return source;
  const destination = endpointOf('destination', body['destination']);
  if (destination instanceof CfwRefusal) return destination;
  if (source.addressType !== destination.addressType) return invalid('destination.address_type', "must be the source's IP version");
  const service = body['service'];
  if (isAbsent(service)) return empty('service');
  if (!isObject(service)) return invalid('service', 'must be an object');
  const protocol = service['protocol'];
  if (isAbsent(protocol)) return empty('service.protocol');
  if (typeof protocol !== 'number' || !PROTOCOLS.has(protocol))
    return invalid('service.protocol', 'must be 6 (TCP), 17 (UDP), 1 (ICMP), 58 (ICMPv6) or -1 (any)');
  const sourcePort = portOf('service.source_port', service['source_port']);
  if (sourcePort instanceof CfwRefusal) return sourcePort;
  const destPort = portOf('service.dest_port', service['dest_port']);
  if (destPort instanceof CfwRefusal) return destPort;
  if ((sourcePort !== '' || destPort !== '') && !PORTED_PROTOCOL_CODES.has(protocol))
    return invalid('service', 'ports are allowed only with TCP (6) or UDP (17)');
  return { name, durationMinutes, maxPackets, source, destination, protocol, sourcePort, destPort };
}

/** Checks a `POST capture-task/stop` body: `{task_id}`. */
export function taskIdFromStopBody(body: unknown): string | CfwRefusal {
  if (body instanceof CfwRefusal) return body;
  if (body !== undefined && !isObject(body)) return invalid('body', 'must be a JSON object');
  const id = body?.['task_id'];
  if (isAbsent(id)) return empty('task_id');
  if (typeof id !== 'string') return invalid('task_id', 'must be a string');
  return id;
}

/** Checks a `POST capture-task/batch-delete` body: `{task_ids: [...]}`, at least one. */
export function taskIdsFromDeleteBody(body: unknown): readonly string[] | CfwRefusal {
  if (body instanceof CfwRefusal) return body;
  if (body !== undefined && !isObject(body)) return invalid('body', 'must be a JSON object');
  const ids = body?.['task_ids'];
  if (isAbsent(ids) || (Array.isArray(ids) && ids.length === 0)) return empty('task_ids');
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string' && id !== '')) return invalid('task_ids', 'must be an array of task ids');
  return ids;
}

/** A capture-result query that passed every check. */
export interface CaptureResultQuery {
  readonly taskId: string;
  /** 0: any address may download; 1: only `ips`. */
  readonly type: 0 | 1;
  readonly ips: readonly string[];
}

const CIDR_BITS = /^\d{1,3}$/;

function isIpOrCidr(text: string): boolean {
  const [address = '', bits, extra] = text.split('/');
  if (extra !== undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  return bits === undefined || (CIDR_BITS.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/** Checks a `GET capture-task/capture-result` query: `task_id`, `type` 0|1 (default 0), `ip` repeated ≤ 3. */
export function captureResultQueryOf(query: URLSearchParams): CaptureResultQuery | CfwRefusal {
  const taskId = query.get('task_id') ?? '';
  if (taskId === '') return empty('task_id');
  const typeText = query.get('type') ?? '';
  if (typeText !== '' && typeText !== '0' && typeText !== '1') return invalid('type', 'must be 0 or 1');
  const type = typeText === '1' ? 1 : 0;
  const ips = query.getAll('ip').filter((ip) => ip !== '');
  if (type === 1 && ips.length === 0) return invalid('ip', 'is required with type 1');
  if (ips.length > CAPTURE_RESULT_MAX_IPS) return invalid('ip', `may be given at most ${CAPTURE_RESULT_MAX_IPS} times`);
  const bad = ips.find((ip) => !isIpOrCidr(ip));
  if (bad !== undefined) return invalid('ip', `must be an IP address or CIDR block, got ${JSON.stringify(bad.slice(0, 64))}`);
  return { taskId, type, ips };
}
