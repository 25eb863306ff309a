// IP addresses and ranges as numbers: an address's version and bits, which ends a capture cannot
// have, and which `allowedIps` entries are public ranges named by their first address. Pure.
import { BlockList, isIP } from 'node:net';
import type { IpVersionName } from '../upstream/codes.ts';

/** The IP version of a single address, or undefined when it is not one (ranges and zone ids are not). */
export function ipVersionOf(address: string): IpVersionName | undefined {
  if (address.includes('%') || address.includes('/')) return undefined;
  const version = isIP(address);
  return version === 4 ? 'IPV4' : version === 6 ? 'IPV6' : undefined;
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
  if (version === 'IPV4' && bits === 0xffffffffn)
    return "is the limited broadcast address 255.255.255.255, which a cloud firewall never sees: give a host's address";
  const multicast = version === 'IPV4' ? bits >> 28n === 0xen : bits >> 120n === 0xffn;
  if (multicast && side === 'source') return `is a multicast address, which is never a packet's source: give the sender's address`;
  return undefined;
}

/**
 * Networks that are not public: unspecified, private, shared, loopback, link-local, documentation,
 * multicast, reserved. (Node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules, so
 * ::ffff:0:0/96 is checked apart.)
 */
const NOT_PUBLIC_NETWORKS: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ...(
    [
      ['0.0.0.0', 8],
      ['10.0.0.0', 8],
      ['100.64.0.0', 10],
      ['127.0.0.0', 8],
      ['169.254.0.0', 16],
      ['172.16.0.0', 12],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.168.0.0', 16],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['224.0.0.0', 4],
      ['240.0.0.0', 4],
    ] as const
  ).map(([network, prefix]) => [network, prefix, 'ipv4'] as const),
  // The rest of ::/8 (reserved: IPv4-compatible ::127.0.0.1 and the like) is checked apart, by its
  // bits: as a BlockList rule it would hold ::ffff:0:0/96 and so match every IPv4 address.
  ...(
    [
      ['::', 128],
      ['::1', 128],
      ['64:ff9b:1::', 48],
      ['100::', 64],
      ['2001:db8::', 32],
      ['fc00::', 7],
      ['fe80::', 10],
      ['ff00::', 8],
    ] as const
  ).map(([network, prefix]) => [network, prefix, 'ipv6'] as const),
];

const NOT_PUBLIC = new BlockList();
for (const [network, prefix, family] of NOT_PUBLIC_NETWORKS) NOT_PUBLIC.addSubnet(network, prefix, family);

/** An address (already checked with isIP) as its bits: 32 for IPv4, 128 for IPv6. */
function addressBits(address: string, version: IpVersionName): bigint {
  const ipv4 = (text: string) => text.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(octet), 0n);
  if (version === 'IPV4') return ipv4(address);
  const groups = (text: string) =>
    (text === '' ? [] : text.split(':')).flatMap((group) =>
      group.includes('.') ? [(ipv4(group) >> 16n).toString(16), (ipv4(group) & 0xffffn).toString(16)] : [group],
    );
  const [head = '', tail] = address.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array.from({ length: 8 - before.length - after.length }, () => '0'), ...after];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

/**
 * One `allowedIps` entry read: a key naming its range however it is written (family, first
 * address's bits, prefix length), or why it cannot be sent (a phrase following the entry).
 */
export function readAllowedIp(entry: string): { readonly key: string } | { readonly problem: string } {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = ipVersionOf(address);
  if (rest.length > 0 || version === undefined) return { problem: 'is not an IPv4 or IPv6 address or CIDR range' };
  const family = version === 'IPV4' ? 'ipv4' : 'ipv6';
  const maxPrefix = version === 'IPV4' ? 32 : 128;
  // Decimal without leading zeros: "/024" is refused rather than guessed at.
  if (prefix !== undefined && (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > maxPrefix))
    return { problem: `has a prefix length that is not a number from 0 to ${maxPrefix} without leading zeros` };
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
