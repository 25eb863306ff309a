// CaptureTask: its plain values are read from the upstream record once per record, into fields
// GraphQL reads as they are (no resolver call per field: a 50-task page has ~850 such fields); a
// value that cannot be read is kept as its FieldValueError, which nulls that field alone with the
// error at its path, as a throwing resolver did. `status` and `protocol` are read there too: an
// unknown code is told to the listener (logged once per value) when its record is first read.
import type { CaptureTaskResolvers } from '../__generated__/resolvers-types.ts';
import { FieldValueError } from '../errors.ts';
import { allowedIpsFrom } from '../lifecycle/input.ts';
import { isBusy } from '../lifecycle/tasks.ts';
import type { FirewallScope } from '../upstream/capture-tasks.ts';
import type { CaptureTaskRecord } from '../upstream/wire.ts';
import { taskIdOf } from '../upstream/wire.ts';
import type { CaptureEndpointModel, CaptureTaskModel, Read } from './mappers.ts';
import {
  captureProtocolFromCode,
  captureSizeBytesFrom,
  captureSizeFrom,
  captureTaskStatusFromCode,
  dateTimeIsoFromCfw,
  type UnknownCodeListener,
  ipVersionFromCode,
  isDeletedFrom,
  optionalInt,
  optionalNonEmptyString,
  optionalString,
} from './values.ts';

/** `read(value)`, or the FieldValueError it threw. */
function attempt<T>(read: () => T): Read<T> {
  try {
    return read();
  } catch (error) {
    if (error instanceof FieldValueError) return error;
    throw error;
  }
}

function endpointOf(record: CaptureTaskRecord, side: 'source' | 'dest'): CaptureEndpointModel {
  const source = side === 'source';
  return {
    address: attempt(() => optionalNonEmptyString(`${side}_address`, source ? record.source_address : record.dest_address)),
    ipVersion: attempt(() => ipVersionFromCode(`${side}_address_type`, source ? record.source_address_type : record.dest_address_type)),
    port: attempt(() => optionalNonEmptyString(`${side}_port`, source ? record.source_port : record.dest_port)),
  };
}

/**
 * Tasks already read, by record: a page's records serve its edges and nodes, and, when a read is
 * shared (coalesced or cached), every operation that shares it.
 */
const tasksByRecord = new WeakMap<CaptureTaskRecord, CaptureTaskModel>();

/**
 * The task a record describes, its values read once: every CaptureTask the resolvers receive (list
 * pages, Query.captureTask, mutation payloads) is made here.
 */
export function captureTaskOf(record: CaptureTaskRecord, scope: FirewallScope, timeZone: string, onUnknownCode: UnknownCodeListener): CaptureTaskModel {
  const { fwInstanceId, enterpriseProjectId } = scope;
  const known = tasksByRecord.get(record);
  if (known !== undefined && known.fwInstanceId === fwInstanceId && known.enterpriseProjectId === enterpriseProjectId && known.timeZone === timeZone) return known;
  const task: CaptureTaskModel = {
    record,
    fwInstanceId,
    enterpriseProjectId,
    timeZone,
    id: taskIdOf(record),
    name: attempt(() => optionalString('name', record.name)),
    status: captureTaskStatusFromCode(record.status, onUnknownCode),
    protocol: captureProtocolFromCode(record.protocol, onUnknownCode),
    source: endpointOf(record, 'source'),
    destination: endpointOf(record, 'dest'),
    captureSize: attempt(() => captureSizeFrom(record.capture_size)),
    captureSizeBytes: attempt(() => captureSizeBytesFrom(record.capture_size)),
    durationMinutes: attempt(() => optionalInt('duration', record.duration)),
    maxPackets: attempt(() => optionalInt('max_packets', record.max_packets)),
    createdAt: attempt(() => dateTimeIsoFromCfw('created_date', record.created_date, timeZone)),
    modifiedAt: attempt(() => dateTimeIsoFromCfw('modified_date', record.modified_date, timeZone)),
    isDeleted: attempt(() => isDeletedFrom(record.is_deleted)),
    remainingDays: attempt(() => optionalInt('remaining_days', record.remaining_days)),
  };
  tasksByRecord.set(record, task);
  return task;
}

export const CaptureTask: CaptureTaskResolvers = {
  firewall: (task) => ({ id: task.fwInstanceId }),
  result: async (task, args, context) => {
    if (context.maySeeSecrets !== true) throw context.maySeeSecrets;
    const allowedIps = allowedIpsFrom(args.allowedIps);
    // Nothing to download while it captures or stops: no upstream call.
    if (isBusy(task.record)) return null;
    context.response.noStore = true;
    return context.captureResult({ fwInstanceId: task.fwInstanceId, enterpriseProjectId: task.enterpriseProjectId }, task.id, allowedIps);
  },
};
