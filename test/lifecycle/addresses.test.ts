// IP arithmetic: an address's version, the ends a capture cannot have, and which `allowedIps`
// entries are public ranges named by their first address.
import { describe, expect, it } from '@jest/globals';
import { allowedIpProblem, endpointAddressProblem, ipVersionOf } from '../../src/lifecycle/addresses.ts';

describe('endpointAddressProblem', () => {
  it('passes a multicast destination and hosts, and says why the others are refused', () => {
    expect(endpointAddressProblem('destination', '239.1.2.3', 'IPV4')).toBeUndefined();
    expect(endpointAddressProblem('destination', 'ff02::fb', 'IPV6')).toBeUndefined();
    expect(endpointAddressProblem('source', '192.0.2.10', 'IPV4')).toBeUndefined();
    expect(endpointAddressProblem('source', '0.0.0.0', 'IPV4')).toBe("is the unspecified address 0.0.0.0, which no packet is sent from: give a host's address");
    expect(endpointAddressProblem('destination', '255.255.255.255', 'IPV4')).toBe(
      "is the limited broadcast address 255.255.255.255, which a cloud firewall never sees: give a host's address",
    );
    expect(endpointAddressProblem('source', 'ff05::2', 'IPV6')).toBe("is a multicast address, which is never a packet's source: give the sender's address");
  });
});

describe('ipVersionOf', () => {
  it('reads single addresses only', () => {
    expect(['192.0.2.1', '::1', '2001:db8::1', '::ffff:192.0.2.1', '1.2.3', '192.0.2.1/32', '', ' 192.0.2.1'].map(ipVersionOf)).toEqual([
      'IPV4',
      'IPV6',
      'IPV6',
      'IPV6',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('allowedIpProblem', () => {
  it('accepts public addresses and ranges', () => {
    expect(['8.8.8.8', '203.0.114.0/24', '2400:cb00::1', '2400:cb00::/32', '1.0.0.0/8'].map(allowedIpProblem)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('refuses an IPv4-mapped IPv6 address, asking for the IPv4 one', () => {
    expect(allowedIpProblem('::ffff:8.8.8.8')).toBe('is an IPv4-mapped IPv6 address: give the IPv4 address');
  });

  it.each([
    '10.1.2.3',
    '192.168.0.0/16',
    '172.20.0.1',
    '127.0.0.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '2001:db8::1',
    '8.0.0.0/6',
    '0.0.0.0/0',
    '::/0',
    '::127.0.0.1',
    '::8.8.8.8',
    '::/8',
    '0:0:0:0:0:ffff:8.8.8.8',
    '80::/9',
  ])('refuses %s: not public, or a range reaching a private network', (entry) => {
    expect(allowedIpProblem(entry)).toBe('is not a public address or range (downloads come from the internet)');
  });

  it('refuses what is not an address or range', () => {
    expect(allowedIpProblem('example.com')).toBe('is not an IPv4 or IPv6 address or CIDR range');
    expect(allowedIpProblem('8.8.8.8/33')).toBe('has a prefix length that is not a number from 0 to 32 without leading zeros');
    expect(allowedIpProblem('8.8.8.0/024')).toBe('has a prefix length that is not a number from 0 to 32 without leading zeros');
    expect(allowedIpProblem('2400:cb00::/0032')).toBe('has a prefix length that is not a number from 0 to 128 without leading zeros');
    expect(allowedIpProblem('8.8.8.8/8/8')).toBe('is not an IPv4 or IPv6 address or CIDR range');
  });

  it('refuses a range with host bits set, asking for its first address', () => {
    expect(allowedIpProblem('8.8.8.7/24')).toBe("has bits set after its /24 prefix: give the range's first address");
    expect(allowedIpProblem('2400:cb00::1/32')).toBe("has bits set after its /32 prefix: give the range's first address");
    expect(allowedIpProblem('2400:cb00:0:0:0:0:1.2.3.4/96')).toBe("has bits set after its /96 prefix: give the range's first address");
    expect(allowedIpProblem('2400:cb00::1.2.3.0/120')).toBeUndefined();
  });
});
