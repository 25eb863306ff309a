// The checks a create, a delete and a result's allowedIps pass before any upstream call: every
// refusal at the path of the field at fault, with a message naming what was expected.
import { describe, expect, it } from '@jest/globals';
import { BadUserInputError } from '../../src/errors.ts';
import {
  allowedIpsFrom,
  createBodyFrom,
  deleteIdsProblems,
  isFirewallId,
  MAX_DELETE_IDS,
  nameProblem,
  portProblem,
  stopInputProblems,
  type CreateCaptureTaskInput,
} from '../../src/lifecycle/input.ts';

const valid: CreateCaptureTaskInput = {
  fwInstanceId: 'ebf891cd-2163-48a0-9963-6309f99dd3c4',
  name: 'suspicious-flow_1.a',
  durationMinutes: 5,
  maxPackets: 100_000,
  protocol: 'TCP',
  source: { address: '192.0.2.10', port: '40000-40100' },
  destination: { address: '198.51.100.7', ipVersion: 'IPV4', port: '443' },
};

/** The user errors of an input, as [field path, code]. */
function problemsOf(input: CreateCaptureTaskInput): [string, string][] {
  const checked = createBodyFrom(input);
  return 'errors' in checked ? checked.errors.map((error) => [(error.field ?? []).join('.'), error.code]) : [];
}

describe('createBodyFrom', () => {
  it('turns a valid input into the body CFW documents', () => {
    expect(createBodyFrom(valid)).toEqual({
      body: {
        name: 'suspicious-flow_1.a',
        duration: 5,
        max_packets: 100_000,
        source: { address: '192.0.2.10', address_type: 0, type: 0 },
        destination: { address: '198.51.100.7', address_type: 0, type: 0 },
        service: { protocol: 6, source_port: '40000-40100', dest_port: '443' },
      },
    });
  });

  it('infers IPv6, maps every protocol and leaves out ports that are not given', () => {
    const v6 = { ...valid, source: { address: '2001:db8::1' }, destination: { address: '2001:db8::2', port: null } };
    for (const [protocol, code] of [
      ['UDP', 17],
      ['ICMPV6', 58],
      ['ANY', -1],
    ] as const) {
      const checked = createBodyFrom({ ...v6, protocol });
      expect(checked).toMatchObject({ body: { source: { address_type: 1 }, destination: { address_type: 1 }, service: { protocol: code } } });
      expect('body' in checked && checked.body.service).toEqual({ protocol: code });
    }
    expect(createBodyFrom({ ...valid, protocol: 'ICMP', source: { address: '192.0.2.1' }, destination: { address: '192.0.2.2' } })).toMatchObject({
      body: { service: { protocol: 1 } },
    });
  });

  it.each([
    ['an empty name', { name: '' }, [['input.name', 'INVALID']]],
    ['a 65-character name', { name: 'a'.repeat(65) }, [['input.name', 'INVALID']]],
    ['a name with a space', { name: 'my capture' }, [['input.name', 'INVALID']]],
    ['0 minutes', { durationMinutes: 0 }, [['input.durationMinutes', 'INVALID']]],
    ['61 minutes', { durationMinutes: 61 }, [['input.durationMinutes', 'INVALID']]],
    ['0 packets', { maxPackets: 0 }, [['input.maxPackets', 'INVALID']]],
    ['1,000,001 packets', { maxPackets: 1_000_001 }, [['input.maxPackets', 'INVALID']]],
    ['protocol UNKNOWN', { protocol: 'UNKNOWN' }, [['input.protocol', 'INVALID']]],
    ['an empty firewall id', { fwInstanceId: '' }, [['input.fwInstanceId', 'INVALID']]],
    ['a host name as address', { source: { address: 'example.com' } }, [['input.source.address', 'INVALID']]],
    ['a CIDR as address', { source: { address: '192.0.2.0/24' } }, [['input.source.address', 'INVALID']]],
    ['0.0.0.0 as source', { source: { address: '0.0.0.0' } }, [['input.source.address', 'INVALID']]],
    ['0.0.0.0 as destination', { destination: { address: '0.0.0.0' } }, [['input.destination.address', 'INVALID']]],
    ['255.255.255.255 as destination', { destination: { address: '255.255.255.255' } }, [['input.destination.address', 'INVALID']]],
    [':: as destination', { source: { address: '2001:db8::1' }, destination: { address: '0:0::0' } }, [['input.destination.address', 'INVALID']]],
    ['a multicast source', { source: { address: '224.0.0.251' } }, [['input.source.address', 'INVALID']]],
    ['an IPv6 multicast source', { source: { address: 'ff02::1' }, destination: { address: '2001:db8::1' } }, [['input.source.address', 'INVALID']]],
    ['an IPv6 zone id', { destination: { address: 'fe80::1%eth0' } }, [['input.destination.address', 'INVALID']]],
    ['an ipVersion that contradicts the address', { source: { address: '192.0.2.10', ipVersion: 'IPV6' } }, [['input.source.ipVersion', 'INVALID']]],
    ['mixed IP versions', { destination: { address: '2001:db8::1' } }, [['input.destination.address', 'INVALID']]],
    ['port 0', { source: { address: '192.0.2.10', port: '0' } }, [['input.source.port', 'INVALID']]],
    ['port 65536', { destination: { address: '198.51.100.7', port: '65536' } }, [['input.destination.port', 'INVALID']]],
    ['a backwards range', { destination: { address: '198.51.100.7', port: '90-80' } }, [['input.destination.port', 'INVALID']]],
    ['a port with ICMP', { protocol: 'ICMP', source: { address: '192.0.2.10' } }, [['input.destination.port', 'INVALID']]],
    ['a port with ANY', { protocol: 'ANY', destination: { address: '198.51.100.7' } }, [['input.source.port', 'INVALID']]],
    [
      'ICMP between IPv6 addresses',
      { protocol: 'ICMP', source: { address: '2001:db8::1' }, destination: { address: '2001:db8::2' } },
      [['input.protocol', 'INVALID']],
    ],
    [
      'ICMPV6 between IPv4 addresses',
      { protocol: 'ICMPV6', source: { address: '192.0.2.1' }, destination: { address: '192.0.2.2' } },
      [['input.protocol', 'INVALID']],
    ],
  ] as const)('refuses %s at its field', (_label, change, expected) => {
    expect(problemsOf({ ...valid, ...change })).toEqual(expected);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ ...valid, name: '', durationMinutes: 0, maxPackets: -1, source: { address: 'x', port: '1' } })).toEqual([
      ['input.name', 'INVALID'],
      ['input.durationMinutes', 'INVALID'],
      ['input.maxPackets', 'INVALID'],
      ['input.source.address', 'INVALID'],
    ]);
  });

  it('says what was expected and what came', () => {
    const checked = createBodyFrom({ ...valid, durationMinutes: 90 });
    expect('errors' in checked && checked.errors[0]?.message).toBe('must be from 1 to 60 minutes, got 90');
  });
});

describe('endpointAddressProblem', () => {
  it('cuts a long value in a message with an ellipsis', () => {
    const result = createBodyFrom({ ...valid, source: { address: 'a'.repeat(80), port: '9'.repeat(30) } });
    expect('errors' in result ? result.errors.map((error) => error.message) : []).toEqual([
      `must be one IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10, got "${'a'.repeat(50)}"…`,
      `must be a port from 1 to 65535 (e.g. "443") or a range (e.g. "8000-8080"), got "${'9'.repeat(20)}"…`,
    ]);
  });
});

describe('portProblem, nameProblem', () => {
  it('accepts ports 1 to 65535 and ranges', () => {
    expect(['1', '65535', '80-80', '1-65535'].map(portProblem)).toEqual([undefined, undefined, undefined, undefined]);
    expect(['0', '65536', '080', '1-2-3', '-1', 'http', ' 80', '1-'].every((port) => portProblem(port) !== undefined)).toBe(true);
  });

  it('counts characters, not UTF-16 units, and allows letters of any script', () => {
    expect(nameProblem('抓包任务-1')).toBeUndefined();
    expect(nameProblem('😀')).toBeDefined();
    expect(nameProblem('ä'.repeat(64))).toBeUndefined();
    expect(nameProblem('ä'.repeat(65))).toBe('must be at most 64 characters, got 65');
  });

  it('judges a name in Unicode NFC: a decomposed "café" is accepted, counted and sent composed', () => {
    const decomposed = 'cafe\u0301';
    expect(nameProblem(decomposed)).toBeUndefined();
    expect(nameProblem('e\u0301'.repeat(64))).toBeUndefined();
    const checked = createBodyFrom({ ...valid, name: decomposed });
    expect('body' in checked ? checked.body.name : checked.errors).toBe('caf\u00e9');
  });
});

describe('stopInputProblems', () => {
  it('refuses an empty or over-long id and an empty firewall id, each at its path', () => {
    expect(stopInputProblems({ fwInstanceId: 'fw', id: 't-1' })).toEqual([]);
    expect(stopInputProblems({ fwInstanceId: 'fw', id: 'x'.repeat(128) })).toEqual([]);
    expect(stopInputProblems({ fwInstanceId: '', id: '' }).map((error) => [error.field, error.code])).toEqual([
      [['input', 'fwInstanceId'], 'INVALID'],
      [['input', 'id'], 'INVALID'],
    ]);
    const [long] = stopInputProblems({ fwInstanceId: 'fw', id: 'x'.repeat(129) });
    expect(long).toEqual({ field: ['input', 'id'], code: 'INVALID', message: 'must be a task id of 1 to 128 characters' });
  });
});

describe('deleteIdsProblems', () => {
  it('takes 1 to MAX_DELETE_IDS distinct ids', () => {
    expect(deleteIdsProblems(['a'])).toEqual([]);
    expect(deleteIdsProblems(Array.from({ length: MAX_DELETE_IDS }, (_, i) => `t${i}`))).toEqual([]);
  });

  it('refuses none, too many, empty and repeated ids at their paths', () => {
    expect(deleteIdsProblems([])).toEqual([{ field: ['input', 'ids'], code: 'INVALID', message: 'must name at least one task' }]);
    expect(deleteIdsProblems(Array.from({ length: MAX_DELETE_IDS + 1 }, (_, i) => `t${i}`))).toEqual([
      { field: ['input', 'ids'], code: 'INVALID', message: `may name at most ${MAX_DELETE_IDS} tasks per call, got ${MAX_DELETE_IDS + 1}` },
    ]);
    expect(deleteIdsProblems(['a', '', 'a']).map((error) => error.field)).toEqual([
      ['input', 'ids', '1'],
      ['input', 'ids', '2'],
    ]);
  });
});

describe('allowedIps', () => {
  it('refuses the same address or range twice, however it is written', () => {
    expect(() => allowedIpsFrom(['2400:cb00::/32', '2400:CB00:0::/32'])).toThrow(
      new BadUserInputError('allowedIps', 'entry "2400:CB00:0::/32" repeats an earlier entry'),
    );
    expect(() => allowedIpsFrom(['8.8.8.8', '8.8.8.8/32'])).toThrow('repeats an earlier entry');
    expect(allowedIpsFrom(['8.8.8.0/24', '8.8.8.0/25'])).toHaveLength(2);
  });

  it('cuts a long entry in its message with an ellipsis', () => {
    expect(() => allowedIpsFrom(['x'.repeat(60)])).toThrow(`entry "${'x'.repeat(50)}"… is not an IPv4 or IPv6 address or CIDR range`);
  });

  it('takes at most three, naming the argument', () => {
    expect(allowedIpsFrom(null)).toEqual([]);
    expect(allowedIpsFrom(['8.8.8.8', '1.1.1.1', '9.9.9.9'])).toHaveLength(3);
    expect(() => allowedIpsFrom(['8.8.8.8', '1.1.1.1', '9.9.9.9', '8.8.4.4'])).toThrow(
      new BadUserInputError('allowedIps', 'may hold at most 3 addresses or ranges, got 4'),
    );
    expect(() => allowedIpsFrom(['10.0.0.1'])).toThrow('`allowedIps` entry "10.0.0.1" is not a public address or range');
  });
});

describe('isFirewallId', () => {
  it('takes a string of 1 to 128 characters, wherever the id comes from (input, representation)', () => {
    expect(isFirewallId('f'.repeat(128))).toBe(true);
    expect(isFirewallId('fw-1')).toBe(true);
    for (const value of ['', 'f'.repeat(129), 123, null, undefined, { id: 'fw-1' }]) expect(isFirewallId(value)).toBe(false);
  });
});
