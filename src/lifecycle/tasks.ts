// A firewall's tasks read whole from the list (CFW has no read-by-id), and what the lifecycle asks
// of one listed record. Reads go through a PageReader: the operation's loader, counted in its budget.
import { CaptureTaskStatusCodes, UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import type { CaptureTaskListAnswer, CaptureTaskRecord } from '../upstream/wire.ts';

/** Reads `limit` tasks from `offset`. */
export type PageReader = (offset: number, limit: number) => Promise<CaptureTaskListAnswer>;

export interface TaskScan {
  /** The tasks read, in list order, each once. */
  readonly records: readonly CaptureTaskRecord[];
  /** The first task `until` accepted, when it stopped the scan. */
  readonly match: CaptureTaskRecord | undefined;
}

/**
 * Reads the list from the start, 1,024 tasks a call (one call for a firewall of up to 1,024 tasks),
 * further calls only while the total says more follow, each overlapping the one before by a task so
 * that a deletion between two reads loses none. Stops early at the first task `until` accepts.
 */
export async function scanTasks(read: PageReader, until?: (record: CaptureTaskRecord) => boolean): Promise<TaskScan> {
  const seen = new Map<string, CaptureTaskRecord>();
  for (let offset = 0; ; offset += UPSTREAM_MAX_LIMIT - 1) {
    const page = await read(offset, UPSTREAM_MAX_LIMIT);
    for (const record of page.records) {
      if (seen.has(record.task_id)) continue;
      seen.set(record.task_id, record);
      if (until?.(record) === true) return { records: [...seen.values()], match: record };
    }
    if (page.records.length < UPSTREAM_MAX_LIMIT || offset + UPSTREAM_MAX_LIMIT >= page.total) break;
  }
  return { records: [...seen.values()], match: undefined };
}

export const isListedAsDeleted = (record: CaptureTaskRecord): boolean => record.is_deleted === 1 || record.is_deleted === true;
export const isRunning = (record: CaptureTaskRecord): boolean => record.status === CaptureTaskStatusCodes.code.RUNNING && !isListedAsDeleted(record);
export const isEnding = (record: CaptureTaskRecord): boolean => record.status === CaptureTaskStatusCodes.code.ENDING && !isListedAsDeleted(record);
/** Capturing or stopping: CFW runs one such task per firewall. */
export const isBusy = (record: CaptureTaskRecord): boolean => isRunning(record) || isEnding(record);
/** Whether a record has the name, compared in Unicode NFC (input.ts's normalName) as names are checked. */
export const hasName = (name: string) => {
  const wanted = name.normalize('NFC');
  return (record: CaptureTaskRecord): boolean => typeof record.name === 'string' && record.name.normalize('NFC') === wanted;
};
export const hasId =
  (id: string) =>
  (record: CaptureTaskRecord): boolean =>
    record.task_id === id;
