// Over 300 lines: the three mutations and the named steps of deleteCaptureTasks, read in order.
// The three mutations as CFW must be driven to do them right: check before calling, call once,
// read the list again to answer with what CFW actually did. No I/O of its own: every upstream call,
// the clock and the wait go through its LifecycleDeps, so tests drive time and the upstream.
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
export interface LifecycleDeps {
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

const refused = (userErrors: readonly UserError[], taskIds: readonly string[] = [], requestIds: readonly string[] = []): MutationOutcome => ({
  task: null,
  deletedIds: [],
  userErrors,
  taskIds,
  requestIds,
});

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
  return new UpstreamError(
    error.code === ErrorCode.UPSTREAM_TIMEOUT ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE,
    `${error.message} The ${what} may or may not have been applied and the list does not show it yet: read the firewall's tasks before trying again.`,
    error.upstream,
    { cause: error },
  );
}

export async function createCaptureTask(deps: LifecycleDeps, input: CreateCaptureTaskInput): Promise<MutationOutcome> {
  const checked = createBodyFrom(input);
  if ('errors' in checked) return refused(checked.errors);
  const body = checked.body;
  const scope: FirewallScope = { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined };
  // Creates on one firewall run one at a time here: a double click finds the first one's task by name.
  return deps.exclusive(`create\u0000${scope.fwInstanceId}`, async () => {
    const before = await scanTasks(deps.read(scope));
    const taken = before.records.find(hasName(body.name));
    if (taken !== undefined)
      return refused([
        {
          field: ['input', 'name'],
          code: UserErrorCode.NAME_TAKEN,
          message: `Task ${taken.task_id} of this firewall is already named ${JSON.stringify(body.name)}: choose another name.`,
        },
      ]);
    const busy = before.records.find(isBusy);
    if (busy !== undefined)
      return refused([
        {
          field: null,
          code: UserErrorCode.CAPTURE_IN_PROGRESS,
          message: `Task ${busy.task_id} is capturing or stopping on this firewall, and CFW runs one capture at a time: stop it or wait for it to end.`,
        },
      ]);

    let requestIds: string[];
    try {
      requestIds = [(await deps.create(scope, body)).requestId].filter((id) => id !== undefined);
    } catch (error) {
      const refusal = refusalCodeOf(error);
      if (refusal !== undefined) {
        // What the list shows now decides between a lost race, a running capture and the code's meaning.
        const after = await scanTasks(deps.read(scope));
        return refused(
          [
            createRefusal(
              refusal.errorCode,
              { nameTakenBy: after.records.find(hasName(body.name))?.task_id, busyTask: after.records.find(isBusy)?.task_id },
              refusal.requestId,
            ),
          ],
          [],
          idsOf(refusal),
        );
      }
      if (!mayHaveBeenApplied(error)) throw error;
      // Never sent again (a second capture could start): the list says whether it was applied.
      await deps.changed(scope);
      const found = (await scanTasks(deps.read(scope), hasName(body.name))).match;
      if (found === undefined) throw unsettled(error, 'create');
      return {
        task: found,
        deletedIds: [],
        userErrors: [],
        taskIds: [found.task_id],
        requestIds: error.upstream.requestId === undefined ? [] : [error.upstream.requestId],
      };
    }
    await deps.changed(scope);
    const after = await reread(async () => (await scanTasks(deps.read(scope), hasName(body.name))).match ?? null);
    if ('failed' in after) {
      const message = `CFW accepted the capture, but the list could not be read after it (${failureText(after.failed)}); find it by name with captureTasks in a few seconds.`;
      return { task: null, deletedIds: [], userErrors: [], taskIds: [], requestIds, warnings: [{ code: WarningCode.TASK_NOT_LISTED_YET, message }] };
    }
    const found = after.value;
    const notListed = {
      code: WarningCode.TASK_NOT_LISTED_YET,
      message: 'CFW accepted the capture but does not list it yet; find it by name with captureTasks in a few seconds.',
    };
    return {
      task: found,
      deletedIds: [],
      userErrors: [],
      taskIds: found === null ? [] : [found.task_id],
      requestIds,
      ...(found === null ? { warnings: [notListed] } : {}),
    };
  });
}

export interface StopCaptureTaskInput {
  readonly fwInstanceId: string;
  readonly enterpriseProjectId?: string | null;
  readonly id: string;
}

export async function stopCaptureTask(deps: LifecycleDeps, input: StopCaptureTaskInput): Promise<MutationOutcome> {
  const problems = stopInputProblems(input);
  if (problems.length > 0) return refused(problems);
  const scope: FirewallScope = { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined };
  const taskIds = [input.id];
  const notFound: UserError = { field: ['input', 'id'], code: UserErrorCode.NOT_FOUND, message: `No task ${input.id} in this firewall's list.` };
  const task = (await scanTasks(deps.read(scope), hasId(input.id))).match;
  if (task === undefined) return refused([notFound], taskIds);
  // A second stop of a task already stopping (a double click) answers it as it is.
  if (isEnding(task)) return { task, deletedIds: [], userErrors: [], taskIds, requestIds: [] };
  if (!isRunning(task))
    return {
      ...refused(
        [
          {
            field: ['input', 'id'],
            code: UserErrorCode.NOT_RUNNING,
            message: `Task ${input.id} is not running (it has stopped or finished), so it cannot be stopped.`,
          },
        ],
        taskIds,
      ),
      task,
    };
  let requestIds: string[];
  try {
    requestIds = [(await deps.stop(scope, input.id)).requestId].filter((id) => id !== undefined);
  } catch (error) {
    const refusal = refusalCodeOf(error);
    const unknown = mayHaveBeenApplied(error) ? error : undefined;
    if (refusal === undefined && unknown === undefined) throw error;
    await deps.changed(scope);
    const now = (await scanTasks(deps.read(scope), hasId(input.id))).match;
    // Stopping (or stopped, when the outcome was unknown) is what a stop does: it went through.
    const ids = unknown?.upstream.requestId === undefined ? idsOf(refusal) : [unknown.upstream.requestId];
    if (now !== undefined && (isEnding(now) || (unknown !== undefined && !isRunning(now))))
      return { task: now, deletedIds: [], userErrors: [], taskIds, requestIds: ids };
    if (unknown !== undefined) throw unsettled(unknown, 'stop');
    return { ...refused([now === undefined ? notFound : stopRefusal(refusal?.errorCode, refusal?.requestId)], taskIds, ids), task: now ?? null };
  }
  await deps.changed(scope);
  const after = await reread(async () => (await scanTasks(deps.read(scope), hasId(input.id))).match ?? null);
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

/** What a delete has found out so far, built up step by step; `deleteOutcome` answers with it. */
interface DeleteProgress {
  readonly input: DeleteCaptureTasksInput;
  readonly scope: FirewallScope;
  /** Per id: why it was not deleted. */
  readonly userErrors: Map<string, UserError>;
  /** Ids the list shows gone or listed as deleted. */
  readonly confirmed: Set<string>;
  readonly requestIds: string[];
  readonly warnings: MutationWarning[];
}

/** The firewall's whole list, by task id. */
async function listedById(deps: LifecycleDeps, scope: FirewallScope): Promise<Map<string, CaptureTaskRecord>> {
  return new Map((await scanTasks(deps.read(scope))).records.map((record) => [record.task_id, record]));
}

const idsFieldOf = (input: DeleteCaptureTasksInput, id: string) => ['input', 'ids', String(input.ids.indexOf(id))];

/** Sorts the ids asked for by the list: not listed (an error), already listed as deleted (confirmed), or wanted. */
function sortRequested(progress: DeleteProgress, listed: ReadonlyMap<string, CaptureTaskRecord>): string[] {
  const wanted: string[] = [];
  for (const id of progress.input.ids) {
    const record = listed.get(id);
    if (record === undefined)
      progress.userErrors.set(id, { field: idsFieldOf(progress.input, id), code: UserErrorCode.NOT_FOUND, message: `No task ${id} in this firewall's list.` });
    else if (isListedAsDeleted(record)) progress.confirmed.add(id);
    else wanted.push(id);
  }
  return wanted;
}

/** Stops the wanted tasks that are running (CFW refuses to delete a task that is running or stopping); whether any stop was sent. */
async function stopRunning(
  deps: LifecycleDeps,
  progress: DeleteProgress,
  wanted: readonly string[],
  listed: ReadonlyMap<string, CaptureTaskRecord>,
): Promise<boolean> {
  let stopped = false;
  for (const id of wanted) {
    const record = listed.get(id);
    if (record === undefined || !isRunning(record)) continue;
    try {
      const stop = await deps.stop(progress.scope, id);
      if (stop.requestId !== undefined) progress.requestIds.push(stop.requestId);
      stopped = true;
    } catch (error) {
      // It ended by itself meanwhile (CFW.00200016), or the wait below tells what happened.
      const refusal = refusalCodeOf(error);
      if (refusal === undefined && !mayHaveBeenApplied(error)) throw error;
      progress.requestIds.push(...(error instanceof UpstreamError && error.upstream.requestId !== undefined ? [error.upstream.requestId] : []));
      if (refusal !== undefined && refusal.errorCode !== CfwErrorCode.STATUS_ERROR)
        progress.userErrors.set(id, { ...stopRefusal(refusal.errorCode, refusal.requestId), field: idsFieldOf(progress.input, id) });
      stopped = true;
    }
  }
  return stopped;
}

/**
 * Reads the list again, every stopWait.pollMs, while a wanted task is still stopping, up to
 * stopWait.maxMs and while the budget keeps DELETE_RESERVE calls: the list as last read.
 */
async function waitWhileStopping(
  deps: LifecycleDeps,
  progress: DeleteProgress,
  wanted: readonly string[],
  first: Map<string, CaptureTaskRecord>,
): Promise<Map<string, CaptureTaskRecord>> {
  let listed = first;
  const stillBusy = () => wanted.some((id) => !progress.userErrors.has(id) && listedAs(listed, id, isBusy));
  const deadline = deps.clock.now() + deps.stopWait.maxMs;
  while (stillBusy() && deps.clock.now() < deadline && deps.remainingCalls() > DELETE_RESERVE) {
    await deps.clock.sleep(Math.min(deps.stopWait.pollMs, Math.max(0, deadline - deps.clock.now())));
    listed = await listedById(deps, progress.scope);
  }
  return listed;
}

/** Whether a task is listed and passes `test`. */
function listedAs(listed: ReadonlyMap<string, CaptureTaskRecord>, id: string, test: (record: CaptureTaskRecord) => boolean): boolean {
  const record = listed.get(id);
  return record !== undefined && test(record);
}

/**
 * After the wait: a task still stopping is an error, one gone from the list or listed as deleted
 * meanwhile is confirmed (as the contract counts it, deleted); the rest are to be deleted.
 */
function deletableAfterWait(progress: DeleteProgress, wanted: readonly string[], listed: ReadonlyMap<string, CaptureTaskRecord>): string[] {
  for (const id of wanted.filter((id) => !progress.userErrors.has(id) && listedAs(listed, id, isBusy))) {
    progress.userErrors.set(id, {
      field: idsFieldOf(progress.input, id),
      code: UserErrorCode.CAPTURE_IN_PROGRESS,
      message: `Task ${id} is still stopping; it was not deleted. Try again in a few seconds.`,
    });
  }
  const deletable = wanted.filter((id) => !progress.userErrors.has(id) && listedAs(listed, id, (record) => !isListedAsDeleted(record)));
  for (const id of wanted) if (!progress.userErrors.has(id) && !deletable.includes(id)) progress.confirmed.add(id);
  return deletable;
}

/** One batch-delete, then the list: only what it confirms is reported deleted (CFW's 200 does not guarantee it). */
async function deleteAndConfirm(deps: LifecycleDeps, progress: DeleteProgress, deletable: readonly string[]): Promise<void> {
  const { scope, input } = progress;
  let refusal: Refusal | undefined;
  let accepted = false;
  try {
    const deleted = await deps.batchDelete(scope, deletable);
    if (deleted.requestId !== undefined) progress.requestIds.push(deleted.requestId);
    accepted = true;
  } catch (error) {
    refusal = refusalCodeOf(error);
    // Whatever happened, the list below tells which tasks are gone.
    if (refusal === undefined && !mayHaveBeenApplied(error)) throw error;
    if (error instanceof UpstreamError && error.upstream.requestId !== undefined) progress.requestIds.push(error.upstream.requestId);
  }
  await deps.changed(scope);
  const read = () => listedById(deps, scope);
  const reading = accepted ? await reread(read) : { value: await read() };
  if ('failed' in reading) {
    // Accepted but unconfirmed: neither deleted (unproven) nor refused (CFW said yes), so a warning.
    const message = `CFW accepted the delete of ${deletable.join(', ')}, but the list could not be read after it (${failureText(reading.failed)}), so deletedIds leaves them out: read the list to confirm.`;
    progress.warnings.push({ code: WarningCode.CHANGE_NOT_CONFIRMED, message });
    return;
  }
  for (const id of deletable) {
    const record = reading.value.get(id);
    if (record === undefined || isListedAsDeleted(record)) progress.confirmed.add(id);
    else if (refusal !== undefined) progress.userErrors.set(id, deleteRefusal(refusal.errorCode, idsFieldOf(input, id), refusal.requestId));
    else
      progress.userErrors.set(id, {
        field: idsFieldOf(input, id),
        code: UserErrorCode.REJECTED,
        message: `CFW answered the delete but still lists task ${id} as not deleted; try again.`,
      });
  }
}

/** The payload: ids confirmed deleted and user errors, each in the order the input named them. */
function deleteOutcome({ input, confirmed, userErrors, requestIds, warnings }: DeleteProgress): MutationOutcome {
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

export async function deleteCaptureTasks(deps: LifecycleDeps, input: DeleteCaptureTasksInput): Promise<MutationOutcome> {
  const problems = [...fwInstanceIdProblems(input.fwInstanceId), ...deleteIdsProblems(input.ids)];
  if (problems.length > 0) return refused(problems);
  const scope: FirewallScope = { fwInstanceId: input.fwInstanceId, enterpriseProjectId: input.enterpriseProjectId ?? undefined };
  const progress: DeleteProgress = { input, scope, userErrors: new Map(), confirmed: new Set(), requestIds: [], warnings: [] };
  const listed = await listedById(deps, scope);
  const wanted = sortRequested(progress, listed);
  if (await stopRunning(deps, progress, wanted, listed)) await deps.changed(scope);
  const deletable = deletableAfterWait(progress, wanted, await waitWhileStopping(deps, progress, wanted, listed));
  if (deletable.length > 0) await deleteAndConfirm(deps, progress, deletable);
  return deleteOutcome(progress);
}
