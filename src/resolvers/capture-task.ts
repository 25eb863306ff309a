// CaptureTask fields, each read from the upstream record when asked for (values.ts).
import type { CaptureTaskResolvers } from '../__generated__/resolvers-types.ts';
import {
  captureProtocolFromCode,
  captureSizeBytesFrom,
  captureSizeFrom,
  captureTaskStatusFromCode,
  dateTimeIsoFromCfw,
  isDeletedFrom,
  optionalInt,
  optionalString,
} from './values.ts';
import { taskIdOf } from '../upstream/wire.ts';

export const CaptureTask: CaptureTaskResolvers = {
  id: (task) => taskIdOf(task.record),
  name: (task) => optionalString('name', task.record.name),
  status: (task, _args, context) => captureTaskStatusFromCode(task.record.status, context.onUnknownCode),
  protocol: (task, _args, context) => captureProtocolFromCode(task.record.protocol, context.onUnknownCode),
  source: (task) => ({ side: 'source', record: task.record }),
  destination: (task) => ({ side: 'dest', record: task.record }),
  captureSize: (task) => captureSizeFrom(task.record.capture_size),
  captureSizeBytes: (task) => captureSizeBytesFrom(task.record.capture_size),
  durationMinutes: (task) => optionalInt('duration', task.record.duration),
  maxPackets: (task) => optionalInt('max_packets', task.record.max_packets),
  createdAt: (task, _args, context) => dateTimeIsoFromCfw('created_date', task.record.created_date, context.config.upstream.timeZone),
  modifiedAt: (task, _args, context) => dateTimeIsoFromCfw('modified_date', task.record.modified_date, context.config.upstream.timeZone),
  isDeleted: (task) => isDeletedFrom(task.record.is_deleted),
  remainingDays: (task) => optionalInt('remaining_days', task.record.remaining_days),
  firewall: (task) => ({ id: task.fwInstanceId }),
};
