// What the simulator accepts in lifecycle bodies and queries: exact CFW codes and messages.
import { describe, expect, it } from '@jest/globals';
import {
  captureResultQueryOf,
  captureTaskSpecFromBody,
  CfwRefusal,
  jsonOfBody,
  taskIdFromStopBody,
  taskIdsFromDeleteBody,
} from '../../src/simulator/requests.ts';

const VALID = {
  name: 'suspicious-flow',
  duration: 3,
  max_packets: 10_000,
  source: { address: '10.0.0.1', address_type: 0, type: 0 },
  destination: { address: '10.0.0.2', address_type: 0, type: 0 },
  service: { protocol: 6, source_port: '', dest_port: '443' },
};

const refusal = (code: string, message: string) => new CfwRefusal(code, message);

describe('captureTaskSpecFromBody', () => {
  it('reads a valid body', () => {
    expect(captureTaskSpecFromBody(VALID)).toEqual({
      name: 'suspicious-flow',
      durationMinutes: 3,
      maxPackets: 10_000,
      source: { address: '10.0.0.1', addressType: 0 },
      destination: { address: '10.0.0.2', addressType: 0 },
      protocol: 6,
      sourcePort: '',
      destPort: '443',
    });
  });

  it('takes IPv6, port ranges, numeric ports, no type, and no ports for ICMP', () => {
    expect(
      captureTaskSpecFromBody({
        ...VALID,
        source: { address: '2001:db8::1', address_type: 1 },
        destination: { address: '2001:db8::2', address_type: 1 },
        service: { protocol: 17, source_port: 53, dest_port: '1000-2000' },
      }),
    ).toMatchObject({
      source: { address: '2001:db8::1', addressType: 1 },
      sourcePort: '53',
      destPort: '1000-2000',
    });
    expect(captureTaskSpecFromBody({ ...VALID, service: { protocol: 1 } })).toMatchObject({ protocol: 1, sourcePort: '', destPort: '' });
  });

  it.each([
    ['no body', undefined, 'CFW.00200001', 'Empty parameter: name'],
    ['an array', [VALID], 'CFW.00200002', 'Invalid parameter: body must be a JSON object'],
    ['no name', { ...VALID, name: undefined }, 'CFW.00200001', 'Empty parameter: name'],
    ['an empty name', { ...VALID, name: '' }, 'CFW.00200001', 'Empty parameter: name'],
    ['a blank name', { ...VALID, name: '   ' }, 'CFW.00200002', 'Invalid parameter: name must be a string of 1 to 255 characters'],
    ['a long name', { ...VALID, name: 'n'.repeat(256) }, 'CFW.00200002', 'Invalid parameter: name must be a string of 1 to 255 characters'],
    ['no duration', { ...VALID, duration: undefined }, 'CFW.00200001', 'Empty parameter: duration'],
    ['duration 0', { ...VALID, duration: 0 }, 'CFW.00200002', 'Invalid parameter: duration must be an integer from 1 to 60'],
    ['duration 61', { ...VALID, duration: 61 }, 'CFW.00200002', 'Invalid parameter: duration must be an integer from 1 to 60'],
    ['duration "3"', { ...VALID, duration: '3' }, 'CFW.00200002', 'Invalid parameter: duration must be an integer from 1 to 60'],
    ['duration 1.5', { ...VALID, duration: 1.5 }, 'CFW.00200002', 'Invalid parameter: duration must be an integer from 1 to 60'],
    ['max_packets 0', { ...VALID, max_packets: 0 }, 'CFW.00200002', 'Invalid parameter: max_packets must be an integer from 1 to 1000000'],
    ['max_packets 1,000,001', { ...VALID, max_packets: 1_000_001 }, 'CFW.00200002', 'Invalid parameter: max_packets must be an integer from 1 to 1000000'],
    ['no source', { ...VALID, source: undefined }, 'CFW.00200001', 'Empty parameter: source'],
    ['a source string', { ...VALID, source: '10.0.0.1' }, 'CFW.00200002', 'Invalid parameter: source must be an object'],
    ['no source address', { ...VALID, source: { address_type: 0 } }, 'CFW.00200001', 'Empty parameter: source.address'],
    [
      'a source hostname',
      { ...VALID, source: { address: 'example.com', address_type: 0 } },
      'CFW.00200002',
      'Invalid parameter: source.address must be an IPv4 or IPv6 address',
    ],
    [
      'a source CIDR',
      { ...VALID, source: { address: '10.0.0.0/8', address_type: 0 } },
      'CFW.00200002',
      'Invalid parameter: source.address must be an IPv4 or IPv6 address',
    ],
    ['no address_type', { ...VALID, destination: { address: '10.0.0.2' } }, 'CFW.00200001', 'Empty parameter: destination.address_type'],
    [
      'address_type 2',
      { ...VALID, destination: { address: '10.0.0.2', address_type: 2 } },
      'CFW.00200002',
      'Invalid parameter: destination.address_type must be 0 (IPv4) or 1 (IPv6)',
    ],
    [
      'an IPv4 address typed 1',
      { ...VALID, destination: { address: '10.0.0.2', address_type: 1 } },
      'CFW.00200002',
      'Invalid parameter: destination.address_type does not match the address (10.0.0.2)',
    ],
    [
      'type 1',
      { ...VALID, destination: { address: '10.0.0.2', address_type: 0, type: 1 } },
      'CFW.00200002',
      'Invalid parameter: destination.type must be 0 (an address)',
    ],
    [
      'mixed IP versions',
      { ...VALID, destination: { address: '2001:db8::2', address_type: 1 } },
      'CFW.00200002',
      "Invalid parameter: destination.address_type must be the source's IP version",
    ],
    ['no service', { ...VALID, service: undefined }, 'CFW.00200001', 'Empty parameter: service'],
    ['no protocol', { ...VALID, service: {} }, 'CFW.00200001', 'Empty parameter: service.protocol'],
    [
      'protocol 99',
      { ...VALID, service: { protocol: 99 } },
      'CFW.00200002',
      'Invalid parameter: service.protocol must be 6 (TCP), 17 (UDP), 1 (ICMP), 58 (ICMPv6) or -1 (any)',
    ],
    [
      'port 0',
      { ...VALID, service: { protocol: 6, dest_port: '0' } },
      'CFW.00200002',
      'Invalid parameter: service.dest_port must be a port from 1 to 65535 or a range such as 80-90',
    ],
    [
      'port 65536',
      { ...VALID, service: { protocol: 6, source_port: 65536 } },
      'CFW.00200002',
      'Invalid parameter: service.source_port must be a port from 1 to 65535 or a range such as 80-90',
    ],
    [
      'a reversed range',
      { ...VALID, service: { protocol: 6, dest_port: '90-80' } },
      'CFW.00200002',
      'Invalid parameter: service.dest_port must be a port from 1 to 65535 or a range such as 80-90',
    ],
    [
      'a port name',
      { ...VALID, service: { protocol: 6, dest_port: 'https' } },
      'CFW.00200002',
      'Invalid parameter: service.dest_port must be a port from 1 to 65535 or a range such as 80-90',
    ],
    [
      'a port with ICMP',
      { ...VALID, service: { protocol: 1, dest_port: '443' } },
      'CFW.00200002',
      'Invalid parameter: service ports are allowed only with TCP (6) or UDP (17)',
    ],
    [
      'a port with any protocol',
      { ...VALID, service: { protocol: -1, source_port: '80' } },
      'CFW.00200002',
      'Invalid parameter: service ports are allowed only with TCP (6) or UDP (17)',
    ],
  ])('refuses %s', (_, body, code, message) => {
    expect(captureTaskSpecFromBody(body)).toEqual(refusal(code, message));
  });

  it('passes a body that was not JSON on as it is', () => {
    const notJson = jsonOfBody('{"name":');
    expect(notJson).toEqual(refusal('CFW.00200002', 'Invalid parameter: the request body is not JSON'));
    expect(captureTaskSpecFromBody(notJson)).toBe(notJson);
  });
});

describe('jsonOfBody', () => {
  it('reads JSON, and an empty body as undefined', () => {
    expect(jsonOfBody('{"task_id":"t"}')).toEqual({ task_id: 't' });
    expect(jsonOfBody('  ')).toBeUndefined();
  });
});

describe('taskIdFromStopBody', () => {
  it('reads {task_id}', () => {
    expect(taskIdFromStopBody({ task_id: 'abc' })).toBe('abc');
  });

  it.each([
    [undefined, 'CFW.00200001', 'Empty parameter: task_id'],
    [{}, 'CFW.00200001', 'Empty parameter: task_id'],
    [{ task_id: '' }, 'CFW.00200001', 'Empty parameter: task_id'],
    [{ task_id: 7 }, 'CFW.00200002', 'Invalid parameter: task_id must be a string'],
    ['abc', 'CFW.00200002', 'Invalid parameter: body must be a JSON object'],
  ])('refuses %p', (body, code, message) => {
    expect(taskIdFromStopBody(body)).toEqual(refusal(code, message));
  });
});

describe('taskIdsFromDeleteBody', () => {
  it('reads {task_ids}', () => {
    expect(taskIdsFromDeleteBody({ task_ids: ['a', 'b'] })).toEqual(['a', 'b']);
  });

  it.each([
    [undefined, 'CFW.00200001', 'Empty parameter: task_ids'],
    [{ task_ids: [] }, 'CFW.00200001', 'Empty parameter: task_ids'],
    [{ task_ids: 'a' }, 'CFW.00200002', 'Invalid parameter: task_ids must be an array of task ids'],
    [{ task_ids: ['a', ''] }, 'CFW.00200002', 'Invalid parameter: task_ids must be an array of task ids'],
    [{ task_ids: ['a', 1] }, 'CFW.00200002', 'Invalid parameter: task_ids must be an array of task ids'],
  ])('refuses %p', (body, code, message) => {
    expect(taskIdsFromDeleteBody(body)).toEqual(refusal(code, message));
  });
});

describe('captureResultQueryOf', () => {
  const query = (text: string) => captureResultQueryOf(new URLSearchParams(text));

  it('reads task_id, type (default 0) and repeated ip', () => {
    expect(query('task_id=t')).toEqual({ taskId: 't', type: 0, ips: [] });
    expect(query('task_id=t&type=1&ip=203.0.113.7&ip=2001:db8::/32&ip=198.51.100.0/24')).toEqual({
      taskId: 't',
      type: 1,
      ips: ['203.0.113.7', '2001:db8::/32', '198.51.100.0/24'],
    });
  });

  it.each([
    ['', 'CFW.00200001', 'Empty parameter: task_id'],
    ['task_id=t&type=2', 'CFW.00200002', 'Invalid parameter: type must be 0 or 1'],
    ['task_id=t&type=1', 'CFW.00200002', 'Invalid parameter: ip is required with type 1'],
    ['task_id=t&type=1&ip=1.1.1.1&ip=2.2.2.2&ip=3.3.3.3&ip=4.4.4.4', 'CFW.00200002', 'Invalid parameter: ip may be given at most 3 times'],
    ['task_id=t&type=1&ip=host.example', 'CFW.00200002', 'Invalid parameter: ip must be an IP address or CIDR block, got "host.example"'],
    ['task_id=t&type=1&ip=10.0.0.0/33', 'CFW.00200002', 'Invalid parameter: ip must be an IP address or CIDR block, got "10.0.0.0/33"'],
  ])('refuses %p', (text, code, message) => {
    expect(query(text)).toEqual(refusal(code, message));
  });
});
