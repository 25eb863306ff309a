// The three mutations as CFW must be driven to do them right: check before calling, call once,
// read the list again to answer with what CFW actually did. No I/O of its own: every upstream call,
// the clock and the wait go through a LifecyclePort, so tests drive time and the upstream.
import { ErrorCode, GatewayError, UpstreamError, UserErrorCode, WarningCode } from '../errors.ts';
import { CfwErrorCode } from '../upstream/codes.ts';
import type { FirewallScope, CreateCaptureTaskBody, LifecycleCallResult } from '../upstream/capture-tasks.ts';
import type { CaptureTaskRecord } from '../upstream/wire.ts';
import { createBodyFrom, deleteIdsProblems, fwInstanceIdProblems, stopInputProblems, type CreateCaptureTaskInput, type UserError } from './input.ts';
import { createRefusal, deleteRefusal, stopRefusal } from './refusals.ts';
import { hasId, hasName, isBusy, isEnding, isListedAsDeleted, isRunning, scanTasks, type PageReader } from './tasks.ts';

/** Time as the lifecycle sees it: injected, so tests never sleep. */
export interface LifecycleClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How long a delete waits for running tasks it stopped, and how often it looks. */
export interface StopWait {
  readonly maxMs: number;
  readonly pollMs: number;
}

/** What the mutations need from the world. */
export interface LifecyclePort {
  /** Reads the list afresh (no cache, no shared call): what CFW says now. Counted in the budget. */
  readonly read: (scope: FirewallScope) => PageReader;
  readonly create: (scope: FirewallScope, body: CreateCaptureTaskBody) => Promise<LifecycleCallResult<undefined>>;
  readonly stop: (scope: FirewallScope, taskId: string) => Promise<LifecycleCallResult<undefined>>;
  readonly batchDelete: (scope: FirewallScope, taskIds: readonly string[]) => Promise<LifecycleCallResult<undefined>>;
  /** Drops what is cached of the firewall's list after a change. */
  readonly changed: (scope: FirewallScope) => Promise<void>;
  /** Upstream calls the operation may still make. */
  readonly remainingCalls: () => number;
  /** Runs `work` after any earlier work of the same key in this process has finished. */
  readonly exclusive: <T>(key: string, work: () => Promise<T>) => Promise<T>;
  readonly clock: LifecycleClock;
  readonly stopWait: StopWait;
}

/** How a mutation ended, for its payload and its log line. */
export interface MutationOutcome {
  /** The task as listed after the change (create and stop); null when there is none. */
  readonly task: CaptureTaskRecord | null;
  /** deleteCaptureTasks: the ids confirmed deleted. */
  readonly deletedIds: readonly string[];
  readonly userErrors: readonly UserError[];
  /** The ids the mutation was about (for the log). */
  readonly taskIds: readonly string[];
  /** The upstream request ids of the changes made (for the log and a support ticket). */
  readonly requestIds: readonly string[];
  /** Notes for `extensions.warnings`: a change CFW accepted that the list does not (yet) show. */
  readonly warnings?: readonly MutationWarning[];
}

export interface MutationWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/**
 * Reads the list after CFW accepted a change (a 200): a failure of that read must not turn the
 * change into a failure, so the caller answers "applied, not confirmed" with the failure instead.
 */
async function reread<T>(read: () => Promise<T>): Promise<{ readonly value: T } | { readonly failed: GatewayError }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (error instanceof GatewayError) return { failed: error };
    throw error;
  }
}

const failureText = (error: GatewayError) => `${error.code}: ${error.message}`;

const refused = (userErrors: readonly UserError[], taskIds: readonly string[] = [], requestIds: readonly string[] = []): MutationOutcome => ({ task: null, deletedIds: [], userErrors, taskIds, requestIds });

/** CFW's code and request id of a business refusal (HTTP 400, not the transient one), or undefined when the error is not one. */
function refusalCodeOf(error: unknown): Refusal | undefined {
  if (!(error instanceof UpstreamError) || error.upstream.status !== 400 || error.upstream.errorCode === CfwErrorCode.TRANSIENT) return undefined;
  return { errorCode: error.upstream.errorCode, requestId: error.upstream.requestId };
}

interface Refusal {
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
}

/** The request ids to log for a refusal: CFW's, when it gave one. */
const idsOf = (refusal: Refusal | undefined): string[] => (refusal?.requestId === undefined ? [] : [refusal.requestId]);

const mayHaveBeenApplied = (error: unknown): error is UpstreamError => error instanceof UpstreamError && error.outcomeUnknown;

/** An upstream failure whose outcome the list could not settle: said so, never silently. */
function unsettled(error: UpstreamError, what: string): UpstreamError {
  return new UpstreamError(error.code === ErrorCode.UPSTREAM_TIMEOUT ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE, `${error.message} The ${what} may or may not have been applied and the list does not show it yet: read the firewall's tasks before trying again.`, error.upstream, { cause: error });
}

export async function createCaptureTask(port: LifecyclePort, input: CreateCaptureTaskInput): Promise<MutationOutcome> {
  const checked = createBodyFrom(input);
  if ('errors' in checked) return refused(checked.errors);
  const body = checked.body;
  const scope: FirewallScope = { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined };
  // Creates on one firewall run one at a time here: a double click finds the first one's task by name.
  return port.exclusive(`create\u0000${scope.fwInstanceId}`, async () => {
    const before = await scanTasks(port.read(scope));
    const taken = before.records.find(hasName(body.name));
    if (taken !== undefined) return refused([{ field: ['input', 'name'], code: UserErrorCode.NAME_TAKEN, message: `Task ${taken.task_id} of this firewall is already named ${JSON.stringify(body.name)}: choose another name.` }]);
    const busy = before.records.find(isBusy);
    if (busy !== undefined) return refused([{ field: null, code: UserErrorCode.CAPTURE_IN_PROGRESS, message: `Task ${busy.task_id} is capturing or stopping on this firewall, and CFW runs one capture at a time: stop it or wait for it to end.` }]);

    let requestIds: string[];
    try {
      requestIds = [(await port.create(scope, body)).requestId].filter((id) => id !== undefined);
    } catch (error) {
      const refusal = refusalCodeOf(error);
      if (refusal !== undefined) {
        // What the list shows now decides between a lost race, a running capture and the code's meaning.
        const after = await scanTasks(port.read(scope));
        return refused([createRefusal(refusal.errorCode, { nameTakenBy: after.records.find(hasName(body.name))?.task_id, busyTask: after.records.find(isBusy)?.task_id }, refusal.requestId)], [], idsOf(refusal));
      }
      if (!mayHaveBeenApplied(error)) throw error;
      // Never sent again (a second capture could start): the list says whether it was applied.
      await port.changed(scope);
      const found = (await scanTasks(port.read(scope), hasName(body.name))).match;
      if (found === undefined) throw unsettled(error, 'create');
      return { task: found, deletedIds: [], userErrors: [], taskIds: [found.task_id], requestIds: error.upstream.requestId === undefined ? [] : [error.upstream.requestId] };
    }
    await port.changed(scope);
    const after = await reread(async () => (await scanTasks(port.read(scope), hasName(body.name))).match ?? null);
    if ('failed' in after) {
      const message = `CFW accepted the capture, but the list could not be read after it (${failureText(after.failed)}); find it by name with captureTasks in a few seconds.`;
      return { task: null, deletedIds: [], userErrors: [], taskIds: [], requestIds, warnings: [{ code: WarningCode.TASK_NOT_LISTED_YET, message }] };
    }
    const found = after.value;
    const notListed = { code: WarningCode.TASK_NOT_LISTED_YET, message: 'CFW accepted the capture but does not list it yet; find it by name with captureTasks in a few seconds.' };
    return { task: found, deletedIds: [], userErrors: [], taskIds: found === null ? [] : [found.task_id], requestIds, ...(found === null ? { warnings: [notListed] } : {}) };
  });
}

export interface StopCaptureTaskInput {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId?: string | null;
  readonly id: string;
}

export async function stopCaptureTask(port: LifecyclePort, input: StopCaptureTaskInput): Promise<MutationOutcome> {
  const problems = stopInputProblems(input);
  if (problems.length > 0) return refused(problems);
  const scope: FirewallScope = { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined };
  const taskIds = [input.id];
  const notFound: UserError = { field: ['input', 'id'], code: UserErrorCode.NOT_FOUND, message: `No task ${input.id} in this firewall's list.` };
  const task = (await scanTasks(port.read(scope), hasId(input.id))).match;
  if (task === undefined) return refused([notFound], taskIds);
  // A second stop of a task already stopping (a double click) answers it as it is.
  if (isEnding(task)) return { task, deletedIds: [], userErrors: [], taskIds, requestIds: [] };
  if (!isRunning(task)) return { ...refused([{ field: ['input', 'id'], code: UserErrorCode.NOT_RUNNING, message: `Task ${input.id} is not running (it has stopped or finished), so it cannot be stopped.` }], taskIds), task };
  let requestIds: string[];
  try {
    requestIds = [(await port.stop(scope, input.id)).requestId].filter((id) => id !== undefined);
  } catch (error) {
    const refusal = refusalCodeOf(error);
    const unknown = mayHaveBeenApplied(error) ? error : undefined;
    if (refusal === undefined && unknown === undefined) throw error;
    await port.changed(scope);
    const now = (await scanTasks(port.read(scope), hasId(input.id))).match;
    // Stopping (or stopped, when the outcome was unknown) is what a stop does: it went through.
    const ids = unknown?.upstream.requestId === undefined ? idsOf(refusal) : [unknown.upstream.requestId];
    if (now !== undefined && (isEnding(now) || (unknown !== undefined && !isRunning(now)))) return { task: now, deletedIds: [], userErrors: [], taskIds, requestIds: ids };
    if (unknown !== undefined) throw unsettled(unknown, 'stop');
    return { ...refused([now === undefined ? notFound : stopRefusal(refusal?.errorCode, refusal?.requestId)], taskIds, ids), task: now ?? null };
  }
  await port.changed(scope);
  const after = await reread(async () => (await scanTasks(port.read(scope), hasId(input.id))).match ?? null);
  if ('failed' in after) {
    const message = `CFW accepted the stop of task ${input.id}, but the list could not be read after it (${failureText(after.failed)}); read the task with captureTask to see its status.`;
    return { task: null, deletedIds: [], userErrors: [], taskIds, requestIds, warnings: [{ code: WarningCode.CHANGE_NOT_CONFIRMED, message }] };
  }
  return { task: after.value, deletedIds: [], userErrors: [], taskIds, requestIds };
}

export interface DeleteCaptureTasksInput {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId?: string | null;
  readonly ids: readonly string[];
}

/** Calls a delete keeps in reserve while it waits: the batch-delete and the confirming read. */
const DELETE_RESERVE = 2;

export async function deleteCaptureTasks(port: LifecyclePort, input: DeleteCaptureTasksInput): Promise<MutationOutcome> {
  const problems = [...fwInstanceIdProblems(input.fwInstanceId), ...deleteIdsProblems(input.ids)];
  if (problems.length > 0) return refused(problems);
  const scope: FirewallScope = { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined };
  const fieldOf = (id: string) => ['input', 'ids', String(input.ids.indexOf(id))];
  const userErrors = new Map<string, UserError>();
  const requestIds: string[] = [];

  let listed = new Map((await scanTasks(port.read(scope))).records.map((record) => [record.task_id, record]));
  const confirmed = new Set<string>();
  const wanted: string[] = [];
  for (const id of input.ids) {
    const record = listed.get(id);
    if (record === undefined) userErrors.set(id, { field: fieldOf(id), code: UserErrorCode.NOT_FOUND, message: `No task ${id} in this firewall's list.` });
    else if (isListedAsDeleted(record)) confirmed.add(id);
    else wanted.push(id);
  }

  // Running tasks are stopped first; CFW refuses to delete a task that is running or stopping.
  let stopped = false;
  for (const id of wanted) {
    const record = listed.get(id);
    if (record === undefined || !isRunning(record)) continue;
    try {
      const stop = await port.stop(scope, id);
      if (stop.requestId !== undefined) requestIds.push(stop.requestId);
      stopped = true;
    } catch (error) {
      // It ended by itself meanwhile (CFW.00200016), or the wait below tells what happened.
      const refusal = refusalCodeOf(error);
      if (refusal === undefined && !mayHaveBeenApplied(error)) throw error;
      requestIds.push(...(error instanceof UpstreamError && error.upstream.requestId !== undefined ? [error.upstream.requestId] : []));
      if (refusal !== undefined && refusal.errorCode !== CfwErrorCode.STATUS_ERROR) userErrors.set(id, { ...stopRefusal(refusal.errorCode, refusal.requestId), field: fieldOf(id) });
      stopped = true;
    }
  }
  if (stopped) await port.changed(scope);
  const listedAs = (id: string, test: (record: CaptureTaskRecord) => boolean) => {
    const record = listed.get(id);
    return record !== undefined && test(record);
  };
  const stillBusy = () => wanted.filter((id) => !userErrors.has(id) && listedAs(id, isBusy));
  const deadline = port.clock.now() + port.stopWait.maxMs;
  while (stillBusy().length > 0 && port.clock.now() < deadline && port.remainingCalls() > DELETE_RESERVE) {
    await port.clock.sleep(Math.min(port.stopWait.pollMs, Math.max(0, deadline - port.clock.now())));
    listed = new Map((await scanTasks(port.read(scope))).records.map((record) => [record.task_id, record]));
  }
  for (const id of stillBusy()) {
    userErrors.set(id, { field: fieldOf(id), code: UserErrorCode.CAPTURE_IN_PROGRESS, message: `Task ${id} is still stopping; it was not deleted. Try again in a few seconds.` });
  }
  const deletable = wanted.filter((id) => !userErrors.has(id) && listedAs(id, (record) => !isListedAsDeleted(record)));
  // Gone from the list, or listed as deleted, while the delete waited: as the contract counts it, deleted.
  for (const id of wanted) if (!userErrors.has(id) && !deletable.includes(id)) confirmed.add(id);

  const warnings: MutationWarning[] = [];
  if (deletable.length > 0) {
    let refusal: Refusal | undefined;
    let accepted = false;
    try {
      const deleted = await port.batchDelete(scope, deletable);
      if (deleted.requestId !== undefined) requestIds.push(deleted.requestId);
      accepted = true;
    } catch (error) {
      refusal = refusalCodeOf(error);
      // Whatever happened, the list below tells which tasks are gone.
      if (refusal === undefined && !mayHaveBeenApplied(error)) throw error;
      if (error instanceof UpstreamError && error.upstream.requestId !== undefined) requestIds.push(error.upstream.requestId);
    }
    await port.changed(scope);
    // CFW's 200 does not guarantee deletion: only what the list confirms is reported deleted.
    const read = async () => new Map((await scanTasks(port.read(scope))).records.map((record) => [record.task_id, record]));
    const reading = accepted ? await reread(read) : { value: await read() };
    if ('failed' in reading) {
      // Accepted but unconfirmed: neither deleted (unproven) nor refused (CFW said yes), so a warning.
      const message = `CFW accepted the delete of ${deletable.join(', ')}, but the list could not be read after it (${failureText(reading.failed)}), so deletedIds leaves them out: read the list to confirm.`;
      warnings.push({ code: WarningCode.CHANGE_NOT_CONFIRMED, message });
    }
    const after = 'failed' in reading ? new Map<string, CaptureTaskRecord>() : reading.value;
    for (const id of 'failed' in reading ? [] : deletable) {
      const record = after.get(id);
      if (record === undefined || isListedAsDeleted(record)) confirmed.add(id);
      else if (refusal !== undefined) userErrors.set(id, deleteRefusal(refusal.errorCode, fieldOf(id), refusal.requestId));
      else userErrors.set(id, { field: fieldOf(id), code: UserErrorCode.REJECTED, message: `CFW answered the delete but still lists task ${id} as not deleted; try again.` });
    }
  }
  return {
    task: null,
    deletedIds: input.ids.filter((id) => confirmed.has(id)),
    userErrors: input.ids.flatMap((id) => {
      const error = userErrors.get(id);
      return error === undefined ? [] : [error];
    }),
    taskIds: input.ids,
    requestIds,
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}
