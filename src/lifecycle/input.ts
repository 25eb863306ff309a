// Mutation and result inputs → what the upstream is sent, or the user errors that say why not.
// Pure: everything CFW would refuse that the gateway can know is refused here, before any call,
// with the path of the input field at fault.
import { BadUserInputError, UserErrorCode } from '../errors.ts';
import type { CaptureEndpointBody, CreateCaptureTaskBody } from '../upstream/capture-tasks.ts';
import {
  CAPTURE_MAX_DURATION_MINUTES,
  CAPTURE_MAX_PACKETS,
  CAPTURE_RESULT_MAX_IPS,
  CaptureProtocolCodes,
  IpVersionCodes,
  PORTED_PROTOCOLS,
  type CaptureProtocolName,
  type IpVersionName,
} from '../upstream/codes.ts';
import { endpointAddressProblem, ipVersionOf, readAllowedIp } from './addresses.ts';

/** An expected refusal, as data, at the path of the input field at fault (null: the whole input). */
export interface UserError {
  readonly field: readonly string[] | null;
  readonly message: string;
  readonly code: UserErrorCode;
}

/** The longest task name, in characters. */
export const MAX_NAME_LENGTH = 64;
/** The most task ids one deleteCaptureTasks takes. */
export const MAX_DELETE_IDS = 50;
/** The longest id the gateway passes on. */
const MAX_ID_LENGTH = 128;

type ProtocolName = CaptureProtocolName | 'UNKNOWN';

export interface CaptureEndpointInput {
  readonly address: string;
  readonly ipVersion?: IpVersionName | null;
  readonly port?: string | null;
}

export interface CreateCaptureTaskInput {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId?: string | null;
  readonly name: string;
  readonly durationMinutes: number;
  readonly maxPackets: number;
  readonly protocol: ProtocolName;
  readonly source: CaptureEndpointInput;
  readonly destination: CaptureEndpointInput;
}

const invalid = (field: readonly string[], message: string): UserError => ({ field: ['input', ...field], message, code: UserErrorCode.INVALID });

/** A value for a message, JSON-quoted and cut at `max` characters with an ellipsis when longer. */
export function quoted(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? JSON.stringify(value) : `${JSON.stringify(chars.slice(0, max).join(''))}…`;
}

const PORT = /^[1-9]\d{0,4}$/;

/** Why a port or port range cannot be sent, or undefined when it can. */
export function portProblem(port: string): string | undefined {
  const [low, high, ...rest] = port.split('-');
  const inRange = (text: string | undefined) => text !== undefined && PORT.test(text) && Number(text) <= 65535;
  if (rest.length > 0 || !inRange(low) || (high !== undefined && !inRange(high))) {
    return `must be a port from 1 to 65535 (e.g. "443") or a range (e.g. "8000-8080"), got ${quoted(port, 20)}`;
  }
  if (high !== undefined && Number(high) < Number(low)) return `is a range that ends before it starts: ${port}`;
  return undefined;
}

/**
 * A task name as it is checked, compared and sent: Unicode NFC, so "café" typed with a combining
 * accent (e + U+0301) is the same name as with a precomposed é.
 */
export const normalName = (name: string): string => name.normalize('NFC');

/** Why a task name cannot be used (judged on its NFC form), or undefined when it can. */
export function nameProblem(raw: string): string | undefined {
  const name = normalName(raw);
  // Characters as a person counts them (code points), not UTF-16 units.
  const length = Array.from(name).length;
  if (length === 0) return 'must not be empty';
  if (length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters, got ${length}`;
  if (!/^[\p{L}\p{N}_.-]+$/u.test(name)) return 'may hold only letters, digits, "_", "-" and "."';
  return undefined;
}

function checkedEndpoint(
  side: 'source' | 'destination',
  endpoint: CaptureEndpointInput,
  portsAllowed: boolean,
  errors: UserError[],
): { body: CaptureEndpointBody; version: IpVersionName; port: string | undefined } | undefined {
  const version = ipVersionOf(endpoint.address);
  let ok = true;
  const endpointProblem = version === undefined ? undefined : endpointAddressProblem(side, endpoint.address, version);
  if (version === undefined) {
    errors.push(invalid([side, 'address'], `must be one IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10, got ${quoted(endpoint.address, 50)}`));
    ok = false;
  } else if (endpointProblem !== undefined) {
    errors.push(invalid([side, 'address'], endpointProblem));
    ok = false;
  } else if (endpoint.ipVersion !== undefined && endpoint.ipVersion !== null && endpoint.ipVersion !== version) {
    errors.push(invalid([side, 'ipVersion'], `is ${endpoint.ipVersion} but the address is ${version}; omit ipVersion to infer it`));
    ok = false;
  }
  const port = endpoint.port === undefined || endpoint.port === null || endpoint.port === '' ? undefined : endpoint.port;
  if (port !== undefined) {
    const problem = portsAllowed ? portProblem(port) : 'can only be given with TCP or UDP; omit it for this protocol';
    if (problem !== undefined) {
      errors.push(invalid([side, 'port'], problem));
      ok = false;
    }
  }
  if (!ok || version === undefined) return undefined;
  return { body: { address: endpoint.address, address_type: IpVersionCodes.code[version], type: 0 }, version, port };
}

/** Checks a createCaptureTask input: the upstream body, or every user error at once. */
export function createBodyFrom(input: CreateCaptureTaskInput): { readonly body: CreateCaptureTaskBody } | { readonly errors: readonly UserError[] } {
  const errors: UserError[] = [];
  errors.push(...fwInstanceIdProblems(input.fwInstanceId));
  const nameError = nameProblem(input.name);
  if (nameError !== undefined) errors.push(invalid(['name'], nameError));
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1 || input.durationMinutes > CAPTURE_MAX_DURATION_MINUTES) {
    errors.push(invalid(['durationMinutes'], `must be from 1 to ${CAPTURE_MAX_DURATION_MINUTES} minutes, got ${input.durationMinutes}`));
  }
  if (!Number.isInteger(input.maxPackets) || input.maxPackets < 1 || input.maxPackets > CAPTURE_MAX_PACKETS) {
    errors.push(invalid(['maxPackets'], `must be from 1 to ${CAPTURE_MAX_PACKETS.toLocaleString('en-US')}, got ${input.maxPackets}`));
  }
  const protocol = input.protocol;
  if (protocol === 'UNKNOWN') errors.push(invalid(['protocol'], 'must be TCP, UDP, ICMP, ICMPV6 or ANY'));
  // With an unknown protocol only the protocol is reported: whether ports fit depends on it.
  const portsAllowed = protocol === 'UNKNOWN' || PORTED_PROTOCOLS.has(protocol);
  const source = checkedEndpoint('source', input.source, portsAllowed, errors);
  const destination = checkedEndpoint('destination', input.destination, portsAllowed, errors);
  if (source !== undefined && destination !== undefined && source.version !== destination.version) {
    errors.push(invalid(['destination', 'address'], `is ${destination.version} but the source is ${source.version}: both ends must be of one IP version`));
  }
  // Judged on whichever address is readable, even when the other end has problems of its own.
  const version = ipVersionOf(input.source.address) ?? ipVersionOf(input.destination.address);
  if (protocol === 'ICMP' && version === 'IPV6') errors.push(invalid(['protocol'], 'ICMP is for IPv4 addresses; use ICMPV6 for IPv6'));
  if (protocol === 'ICMPV6' && version === 'IPV4') errors.push(invalid(['protocol'], 'ICMPV6 is for IPv6 addresses; use ICMP for IPv4'));
  if (errors.length > 0 || source === undefined || destination === undefined || protocol === 'UNKNOWN') return { errors };
  return {
    body: {
      name: normalName(input.name),
      duration: input.durationMinutes,
      max_packets: input.maxPackets,
      source: source.body,
      destination: destination.body,
      service: {
        protocol: CaptureProtocolCodes.code[protocol],
        ...(source.port === undefined ? {} : { source_port: source.port }),
        ...(destination.port === undefined ? {} : { dest_port: destination.port }),
      },
    },
  };
}

/** Whether a value can be a firewall id: a string of 1 to 128 characters. The one rule for every way an id arrives. */
export function isFirewallId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;
}

/** Why a firewall id cannot be sent (empty, too long), as the user error at its path, or undefined. */
export function fwInstanceIdProblems(fwInstanceId: string): readonly UserError[] {
  return isFirewallId(fwInstanceId) ? [] : [invalid(['fwInstanceId'], `must be a firewall id of 1 to ${MAX_ID_LENGTH} characters`)];
}

/** Checks a stopCaptureTask input: the firewall id and the task id (never echoed whole). */
export function stopInputProblems(input: { readonly fwInstanceId: string; readonly id: string }): readonly UserError[] {
  const idProblems = input.id === '' || input.id.length > MAX_ID_LENGTH ? [invalid(['id'], `must be a task id of 1 to ${MAX_ID_LENGTH} characters`)] : [];
  return [...fwInstanceIdProblems(input.fwInstanceId), ...idProblems];
}

/** Checks the ids of a deleteCaptureTasks input: none, too many, empty, repeated. */
export function deleteIdsProblems(ids: readonly string[]): readonly UserError[] {
  if (ids.length === 0) return [invalid(['ids'], 'must name at least one task')];
  if (ids.length > MAX_DELETE_IDS) return [invalid(['ids'], `may name at most ${MAX_DELETE_IDS} tasks per call, got ${ids.length}`)];
  const errors: UserError[] = [];
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (id === '' || id.length > MAX_ID_LENGTH) errors.push(invalid(['ids', String(index)], `must be a task id of 1 to ${MAX_ID_LENGTH} characters`));
    else if (seen.has(id)) errors.push(invalid(['ids', String(index)], `repeats ${id}`));
    seen.add(id);
  });
  return errors;
}

/** Checks `allowedIps` of CaptureTask.result: at most 3 public addresses or ranges. */
export function allowedIpsFrom(value: readonly string[] | null | undefined): readonly string[] {
  const entries = value ?? [];
  if (entries.length > CAPTURE_RESULT_MAX_IPS)
    throw new BadUserInputError('allowedIps', `may hold at most ${CAPTURE_RESULT_MAX_IPS} addresses or ranges, got ${entries.length}`);
  const seen = new Set<string>();
  for (const entry of entries) {
    const read = readAllowedIp(entry);
    if ('problem' in read) throw new BadUserInputError('allowedIps', `entry ${quoted(entry, 50)} ${read.problem}`);
    // The same range written twice (2001:db8::/32 and 2001:DB8:0::/32) is one: refused as a mistake.
    if (seen.has(read.key)) throw new BadUserInputError('allowedIps', `entry ${quoted(entry, 50)} repeats an earlier entry`);
    seen.add(read.key);
  }
  return entries;
}
