import { describe, expect, it } from '@jest/globals';
import { FieldValueError } from '../../src/errors.ts';
import { captureTaskOf } from '../../src/resolvers/capture-task.ts';
import type { CaptureTaskRecord } from '../../src/upstream/wire.ts';

const ignoreUnknown = () => undefined;

const record = (): CaptureTaskRecord => ({
  task_id: 'task-1',
  name: 'walkthrough-1',
  status: 2,
  protocol: 6,
  source_address: '192.0.2.10',
  source_address_type: 0,
  dest_address: '198.51.100.7',
  dest_address_type: 0,
  dest_port: '443',
  capture_size: '125kb',
  duration: 3,
  max_packets: 100000,
  created_date: '2024/08/31 10:17:30',
  is_deleted: 0,
  remaining_days: 7,
});

describe('captureTaskOf', () => {
  it('reads a record once into the task the resolvers receive, with where it was listed', () => {
    const task = captureTaskOf(record(), { fwInstanceId: 'fw-1', enterpriseProjectId: 'ep-1' }, 'UTC', ignoreUnknown);
    expect(task).toMatchObject({
      fwInstanceId: 'fw-1',
      enterpriseProjectId: 'ep-1',
      id: 'task-1',
      name: 'walkthrough-1',
      status: 'RUNNING',
      protocol: 'TCP',
      source: { address: '192.0.2.10', ipVersion: 'IPV4', port: null },
      destination: { address: '198.51.100.7', ipVersion: 'IPV4', port: '443' },
      captureSize: '125kb',
      durationMinutes: 3,
      maxPackets: 100000,
      createdAt: '2024-08-31T10:17:30.000Z',
      isDeleted: false,
      remainingDays: 7,
    });
  });

  it("reuses a record's task only for the same firewall, enterprise project and time zone", () => {
    const shared = record();
    const first = captureTaskOf(shared, { fwInstanceId: 'fw-1', enterpriseProjectId: undefined }, 'UTC', ignoreUnknown);
    expect(captureTaskOf(shared, { fwInstanceId: 'fw-1', enterpriseProjectId: undefined }, 'UTC', ignoreUnknown)).toBe(first);
    // A capture result is asked in the enterprise project the task was listed in: never another's.
    const otherProject = captureTaskOf(shared, { fwInstanceId: 'fw-1', enterpriseProjectId: 'ep-2' }, 'UTC', ignoreUnknown);
    expect(otherProject).not.toBe(first);
    expect(otherProject.enterpriseProjectId).toBe('ep-2');
    expect(captureTaskOf(shared, { fwInstanceId: 'fw-2', enterpriseProjectId: 'ep-2' }, 'UTC', ignoreUnknown).fwInstanceId).toBe('fw-2');
    expect(captureTaskOf(shared, { fwInstanceId: 'fw-2', enterpriseProjectId: 'ep-2' }, 'Asia/Shanghai', ignoreUnknown).createdAt).toBe(
      '2024-08-31T02:17:30.000Z',
    );
  });

  it('keeps a value it cannot read as its FieldValueError, nulling that field alone', () => {
    const task = captureTaskOf({ ...record(), duration: 'three' }, { fwInstanceId: 'fw-1', enterpriseProjectId: undefined }, 'UTC', ignoreUnknown);
    expect(task.durationMinutes).toBeInstanceOf(FieldValueError);
    expect(task.maxPackets).toBe(100000);
  });

  it('reads status and protocol with the record, telling the listener of each code it does not know', () => {
    const unknown: [string, unknown][] = [];
    const listener = (field: string, value: unknown) => unknown.push([field, value]);
    const scope = { fwInstanceId: 'fw-1', enterpriseProjectId: undefined };
    expect(captureTaskOf({ ...record(), status: 99, protocol: 250 }, scope, 'UTC', listener)).toMatchObject({ status: 'UNKNOWN', protocol: 'UNKNOWN' });
    expect(captureTaskOf({ ...record(), protocol: undefined }, scope, 'UTC', listener)).toMatchObject({ status: 'RUNNING', protocol: null });
    expect(unknown).toEqual([
      ['status', 99],
      ['protocol', 250],
    ]);
  });
});
