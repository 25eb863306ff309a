// CaptureTask: its plain values are read from the upstream record once per record, the first time a
// field asks for each, and GraphQL reads them as they are (no resolver call per field: a 50-task page
// has ~850 such fields); a
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
import type { SerializedInt } from './serialized.ts';
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
 * shared (coalesced or cached), every operation that shares it (bench/results/caches.md).
 */
const tasksByRecord = new WeakMap<CaptureTaskRecord, CaptureTaskModel>();

/** A value not read yet (null and errors are values). */
const UNREAD: unique symbol = Symbol('unread');

/**
 * A task's values, each read from its record the first time a field asks for it and then kept: a
 * document that selects `id name status` does not pay for dates, sizes and endpoints. The id, name,
 * status and protocol are read at once (status and protocol report unknown codes, whatever is asked).
 */
class RecordedTask implements CaptureTaskModel {
  readonly record: CaptureTaskRecord;
  readonly fwInstanceId: string;
  readonly enterpriseProjectId: string | undefined;
  readonly timeZone: string;
  readonly id: string;
  readonly name: Read<string | null>;
  readonly status: CaptureTaskModel['status'];
  readonly protocol: CaptureTaskModel['protocol'];
  #source: CaptureEndpointModel | typeof UNREAD = UNREAD;
  #destination: CaptureEndpointModel | typeof UNREAD = UNREAD;
  #captureSize: Read<string | null> | typeof UNREAD = UNREAD;
  #captureSizeBytes: Read<number | null> | typeof UNREAD = UNREAD;
  #durationMinutes: Read<SerializedInt | null> | typeof UNREAD = UNREAD;
  #maxPackets: Read<SerializedInt | null> | typeof UNREAD = UNREAD;
  #createdAt: Read<string | null> | typeof UNREAD = UNREAD;
  #modifiedAt: Read<string | null> | typeof UNREAD = UNREAD;
  #isDeleted: Read<boolean> | typeof UNREAD = UNREAD;
  #remainingDays: Read<SerializedInt | null> | typeof UNREAD = UNREAD;

  constructor(record: CaptureTaskRecord, scope: FirewallScope, timeZone: string, onUnknownCode: UnknownCodeListener) {
    this.record = record;
    this.fwInstanceId = scope.fwInstanceId;
    this.enterpriseProjectId = scope.enterpriseProjectId;
    this.timeZone = timeZone;
    this.id = taskIdOf(record);
    this.name = attempt(() => optionalString('name', record.name));
    this.status = captureTaskStatusFromCode(record.status, onUnknownCode);
    this.protocol = captureProtocolFromCode(record.protocol, onUnknownCode);
  }

  get source(): CaptureEndpointModel {
    return this.#source === UNREAD ? (this.#source = endpointOf(this.record, 'source')) : this.#source;
  }
  get destination(): CaptureEndpointModel {
    return this.#destination === UNREAD ? (this.#destination = endpointOf(this.record, 'dest')) : this.#destination;
  }
  get captureSize(): Read<string | null> {
    return this.#captureSize === UNREAD ? (this.#captureSize = attempt(() => captureSizeFrom(this.record.capture_size))) : this.#captureSize;
  }
  get captureSizeBytes(): Read<number | null> {
    return this.#captureSizeBytes === UNREAD
      ? (this.#captureSizeBytes = attempt(() => captureSizeBytesFrom(this.record.capture_size)))
      : this.#captureSizeBytes;
  }
  get durationMinutes(): Read<SerializedInt | null> {
    return this.#durationMinutes === UNREAD ? (this.#durationMinutes = attempt(() => optionalInt('duration', this.record.duration))) : this.#durationMinutes;
  }
  get maxPackets(): Read<SerializedInt | null> {
    return this.#maxPackets === UNREAD ? (this.#maxPackets = attempt(() => optionalInt('max_packets', this.record.max_packets))) : this.#maxPackets;
  }
  get createdAt(): Read<string | null> {
    return this.#createdAt === UNREAD
      ? (this.#createdAt = attempt(() => dateTimeIsoFromCfw('created_date', this.record.created_date, this.timeZone)))
      : this.#createdAt;
  }
  get modifiedAt(): Read<string | null> {
    return this.#modifiedAt === UNREAD
      ? (this.#modifiedAt = attempt(() => dateTimeIsoFromCfw('modified_date', this.record.modified_date, this.timeZone)))
      : this.#modifiedAt;
  }
  get isDeleted(): Read<boolean> {
    return this.#isDeleted === UNREAD ? (this.#isDeleted = attempt(() => isDeletedFrom(this.record.is_deleted))) : this.#isDeleted;
  }
  get remainingDays(): Read<SerializedInt | null> {
    return this.#remainingDays === UNREAD
      ? (this.#remainingDays = attempt(() => optionalInt('remaining_days', this.record.remaining_days)))
      : this.#remainingDays;
  }
}

/**
 * The task a record describes, each value read once, when first asked for: every CaptureTask the
 * resolvers receive (list pages, Query.captureTask, mutation payloads) is made here.
 */
export function captureTaskOf(record: CaptureTaskRecord, scope: FirewallScope, timeZone: string, onUnknownCode: UnknownCodeListener): CaptureTaskModel {
  const { fwInstanceId, enterpriseProjectId } = scope;
  const known = tasksByRecord.get(record);
  if (known !== undefined && known.fwInstanceId === fwInstanceId && known.enterpriseProjectId === enterpriseProjectId && known.timeZone === timeZone)
    return known;
  const task = new RecordedTask(record, scope, timeZone, onUnknownCode);
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
