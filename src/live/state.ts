// What a subscriber of a capture task is told of: the listed fields whose change makes an event, and
// which statuses end a stream. Pure decisions over the upstream record.
import { CaptureTaskStatusCodes } from '../upstream/codes.ts';
import type { CaptureTaskRecord } from '../upstream/wire.ts';
import { isListedAsDeleted } from '../lifecycle/tasks.ts';

const FINAL_STATUSES: ReadonlySet<unknown> = new Set([
  CaptureTaskStatusCodes.code.SUCCESSFUL,
  CaptureTaskStatusCodes.code.STOPPED,
  CaptureTaskStatusCodes.code.ABNORMAL,
]);

/**
 * The listed state of a task as one string: status, captured size, remaining days, deleted flag and
 * modification time. Two records with the same state make one event, never two.
 */
export function listedStateOf(record: CaptureTaskRecord): string {
  return JSON.stringify([record.status, record.capture_size ?? null, record.remaining_days ?? null, isListedAsDeleted(record), record.modified_date ?? null]);
}

/** Whether a record's status is final (SUCCESSFUL, STOPPED, ABNORMAL): its event is the stream's last. */
export function hasFinalStatus(record: CaptureTaskRecord): boolean {
  return FINAL_STATUSES.has(record.status);
}

/** One event of a task's stream: the task as listed, its absence (the last event), or the error that ends it. */
export type LiveEvent =
  { readonly kind: 'task'; readonly record: CaptureTaskRecord } | { readonly kind: 'gone' } | { readonly kind: 'error'; readonly error: Error };

/** Why a stream ended, for its log line and metrics. */
export type LiveEndReason = 'final' | 'gone' | 'error' | 'client' | 'draining';
