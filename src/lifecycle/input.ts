// Mutation and result inputs → what the upstream is sent, or the user errors that say why not.
// Pure: everything CFW would refuse that the gateway can know is refused here, before any call,
// with the path of the input field at fault.
import { BlockList, isIP } from 'node:net';
import { BadUserInputError, UserErrorCode } from '../errors.ts';
import type { CaptureEndpointBody, CreateCaptureTaskBody } from '../upstream/capture-tasks.ts';
import { CAPTURE_MAX_DURATION_MINUTES, CAPTURE_MAX_PACKETS, CAPTURE_RESULT_MAX_IPS, CaptureProtocolCodes, IpVersionCodes, PORTED_PROTOCOLS, type CaptureProtocolName, type IpVersionName } from '../upstream/codes.ts';

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

/** The IP version of a single address, or undefined when it is not one (ranges and zone ids are not). */
export function ipVersionOf(address: string): IpVersionName | undefined {
  if (address.includes('%') || address.includes('/')) return undefined;
  const version = isIP(address);
  return version === 4 ? 'IPV4' : version === 6 ? 'IPV6' : undefined;
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

/**
 * Why an address cannot be a capture's end although it is one (the gateway's choice; CFW does not
 * document its rule): the unspecified address (0.0.0.0, ::) and the limited broadcast address
 * (255.255.255.255) never appear on a packet a cloud firewall sees, and a multicast address is never
 * a packet's source (RFC 1122, RFC 4291). A multicast destination is passed on.
 */
export function endpointAddressProblem(side: 'source' | 'destination', address: string, version: IpVersionName): string | undefined {
  const bits = addressBits(address, version);
  if (bits === 0n) return `is the unspecified address ${address}, which no packet is sent ${side === 'source' ? 'from' : 'to'}: give a host's address`;
  if (version === 'IPV4' && bits === 0xffffffffn) return 'is the limited broadcast address 255.255.255.255, which a cloud firewall never sees: give a host\'s address';
  const multicast = version === 'IPV4' ? bits >> 28n === 0xen : bits >> 120n === 0xffn;
  if (multicast && side === 'source') return `is a multicast address, which is never a packet's source: give the sender's address`;
  return undefined;
}

function checkedEndpoint(side: 'source' | 'destination', endpoint: CaptureEndpointInput, portsAllowed: boolean, errors: UserError[]): { body: CaptureEndpointBody; version: IpVersionName; port: string | undefined } | undefined {
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

/**
 * Networks that are not public: unspecified, private, shared, loopback, link-local, documentation,
 * multicast, reserved. (Node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules, so
 * ::ffff:0:0/96 is checked apart.)
 */
const NOT_PUBLIC_NETWORKS: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ...([['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const).map(([network, prefix]) => [network, prefix, 'ipv4'] as const),
  // The rest of ::/8 (reserved: IPv4-compatible ::127.0.0.1 and the like) is checked apart, by its
  // bits: as a BlockList rule it would hold ::ffff:0:0/96 and so match every IPv4 address.
  ...([['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const).map(([network, prefix]) => [network, prefix, 'ipv6'] as const),
];

const NOT_PUBLIC = new BlockList();
for (const [network, prefix, family] of NOT_PUBLIC_NETWORKS) NOT_PUBLIC.addSubnet(network, prefix, family);

/** An address (already checked with isIP) as its bits: 32 for IPv4, 128 for IPv6. */
function addressBits(address: string, version: IpVersionName): bigint {
  const ipv4 = (text: string) => text.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(octet), 0n);
  if (version === 'IPV4') return ipv4(address);
  const groups = (text: string) => (text === '' ? [] : text.split(':')).flatMap((group) => (group.includes('.') ? [(ipv4(group) >> 16n).toString(16), (ipv4(group) & 0xffffn).toString(16)] : [group]));
  const [head = '', tail] = address.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array.from({ length: 8 - before.length - after.length }, () => '0'), ...after];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

/** One `allowedIps` entry read: its family, first address's bits and prefix length, or why it cannot be sent. */
function readAllowedIp(entry: string): { readonly key: string } | { readonly problem: string } {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = ipVersionOf(address);
  if (rest.length > 0 || version === undefined) return { problem: 'is not an IPv4 or IPv6 address or CIDR range' };
  const family = version === 'IPV4' ? 'ipv4' : 'ipv6';
  const maxPrefix = version === 'IPV4' ? 32 : 128;
  // Decimal without leading zeros: "/024" is refused rather than guessed at.
  if (prefix !== undefined && (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > maxPrefix)) return { problem: `has a prefix length that is not a number from 0 to ${maxPrefix} without leading zeros` };
  const length = prefix === undefined ? maxPrefix : Number(prefix);
  const bits = addressBits(address, version);
  // A range is named by its first address: host bits set (192.0.2.7/24) are refused, not silently dropped.
  if ((bits & ((1n << BigInt(maxPrefix - length)) - 1n)) !== 0n) return { problem: `has bits set after its /${length} prefix: give the range's first address` };
  const problem = publicProblem(address, family, prefix) ?? (family === 'ipv6' && bits < RESERVED_IPV6_END ? NOT_PUBLIC_PROBLEM : undefined);
  return problem === undefined ? { key: `${family} ${bits.toString(16)}/${length}` } : { problem };
}

/** Why one `allowedIps` entry cannot be sent (a phrase following the entry), or undefined when it can: a public address or CIDR range. */
export function allowedIpProblem(entry: string): string | undefined {
  const read = readAllowedIp(entry);
  return 'problem' in read ? read.problem : undefined;
}

const NOT_PUBLIC_PROBLEM = 'is not a public address or range (downloads come from the internet)';
/** The end of ::/8: a range starting below it is in it or holds it. */
const RESERVED_IPV6_END = 1n << 120n;

function publicProblem(address: string, family: 'ipv4' | 'ipv6', prefix: string | undefined): string | undefined {
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  // CIDR blocks are nested or apart: a range overlaps a non-public network when either holds the other's first address.
  const range = new BlockList();
  range.addSubnet(address, prefix === undefined ? maxPrefix : Number(prefix), family);
  // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are not sent: name the IPv4 address itself.
  if (family === 'ipv6' && /^::ffff:/i.test(address)) return 'is an IPv4-mapped IPv6 address: give the IPv4 address';
  if (NOT_PUBLIC.check(address, family) || NOT_PUBLIC_NETWORKS.some(([network, , networkFamily]) => networkFamily === family && range.check(network, family))) {
    return NOT_PUBLIC_PROBLEM;
  }
  return undefined;
}

/** Checks `allowedIps` of CaptureTask.result: at most 3 public addresses or ranges. */
export function allowedIpsFrom(value: readonly string[] | null | undefined): readonly string[] {
  const entries = value ?? [];
  if (entries.length > CAPTURE_RESULT_MAX_IPS) throw new BadUserInputError('allowedIps', `may hold at most ${CAPTURE_RESULT_MAX_IPS} addresses or ranges, got ${entries.length}`);
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
