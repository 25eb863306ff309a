// Over 300 lines: one class, SimulatorStore, whose state every operation below reads and changes.
// The simulator's data: firewalls and their capture tasks, seeded deterministically (seed.ts); drift
// (tasks inserted or deleted on demand or after each list call); and the capture lifecycle (create,
// stop, delete, results) on the simulator's clock (timeline.ts).
import { CAPTURE_DAILY_QUOTA, CfwErrorCode } from '../upstream/codes.ts';
import { bytesOfCaptureSize, type CaptureTaskRecord } from '../upstream/wire.ts';
import {
  BYTES_PER_PACKET,
  captureSizeOf,
  cfwDateOf,
  DEFAULT_DELETED_RETENTION_MS,
  ENDING_MS,
  nextChangeAfter,
  modifiedAt,
  packetsAt,
  remainingDaysAt,
  statusAt,
  TaskStatus,
  utcDayOf,
  type CaptureTimeline,
} from './timeline.ts';
import { CfwRefusal, type CaptureTaskSpec } from './requests.ts';
import { DEFAULT_ENTERPRISE_PROJECT, generateTask, seededRandom, seedFirewalls, uuidFrom, type SimulatedFirewall } from './seed.ts';

export { DEFAULT_ENTERPRISE_PROJECT, generateTask, seededRandom, SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID, type SimulatedFirewall } from './seed.ts';

export interface DriftPlan {
  /** Tasks inserted after each list call. */
  readonly insert?: number;
  /** Tasks deleted after each list call. */
  readonly delete?: number;
  /** Where: `head`, `tail`, `random`, or an index. Default random. */
  readonly at?: 'head' | 'tail' | 'random' | number;
  /** Only this firewall drifts; default: the one just listed. */
  readonly firewallId?: string;
}

/** Options of a store; the clock and the retention drive the capture lifecycle. */
export interface SimulatorStoreOptions {
  readonly seed?: number;
  /** Firewalls instead of the seeded ones. */
  readonly firewalls?: readonly SimulatedFirewall[];
  /** The simulator's clock in ms since the epoch; default the wall clock. Tests inject their own. */
  readonly now?: () => number;
  /** How long a deleted task stays listed with `is_deleted: 1`, in simulated ms; default 60 s. */
  readonly deletedRetentionMs?: number;
}

/** A task the lifecycle moves: created through the API, or a seeded one that was stopped or deleted. */
interface TrackedTask {
  readonly firewallId: string;
  /** The record as created or seeded; what the lifecycle does not drive comes from it. */
  readonly base: CaptureTaskRecord;
  /** Only for tasks created through the API: they run, end and age on the clock. */
  readonly created?: { readonly createdAt: number; readonly durationMs: number; readonly maxPackets: number };
  stoppedAt?: number;
  deletedAt?: number;
  /** The record in the firewall's list now (replaced, never mutated, when it changes). */
  record: CaptureTaskRecord;
  nextChangeAt: number;
}

/** A capture file as capture-result hands it out. */
export interface CaptureFile {
  readonly taskId: string;
  readonly name: string;
  readonly packets: number;
}

const RUNNING_STATUSES: ReadonlySet<unknown> = new Set([TaskStatus.RUNNING, TaskStatus.ENDING]);

/** Bytes in a seeded `capture_size` such as "1.5mb"; 0 for "--" or anything unreadable. */
function bytesOfSize(size: unknown): number {
  return (typeof size === 'string' ? bytesOfCaptureSize(size) : undefined) ?? 0;
}

function isListedDeleted(record: CaptureTaskRecord): boolean {
  return record.is_deleted === 1;
}

function timelineOf(task: TrackedTask): CaptureTimeline | undefined {
  return task.created === undefined ? undefined : { ...task.created, stoppedAt: task.stoppedAt, deletedAt: task.deletedAt };
}

/** The record a tracked task shows at `now`. */
function recordAt(task: TrackedTask, now: number): CaptureTaskRecord {
  const timeline = timelineOf(task);
  if (timeline === undefined) {
    // A seeded task: only stop and delete move it; its size and days stay as seeded.
    const events = [task.stoppedAt, task.stoppedAt === undefined ? undefined : task.stoppedAt + ENDING_MS, task.deletedAt].filter(
      (at): at is number => at !== undefined && at <= now,
    );
    const status = task.stoppedAt === undefined ? task.base.status : now < task.stoppedAt + ENDING_MS ? TaskStatus.ENDING : TaskStatus.STOPPED;
    return {
      ...task.base,
      status,
      ...(events.length === 0 ? {} : { modified_date: cfwDateOf(Math.max(...events)) }),
      is_deleted: task.deletedAt === undefined ? task.base.is_deleted : 1,
    };
  }
  // A deleted record is frozen as it was when deleted.
  const at = timeline.deletedAt ?? now;
  const status = statusAt(timeline, at);
  return {
    ...task.base,
    status,
    capture_size: captureSizeOf(packetsAt(timeline, at), status === TaskStatus.RUNNING),
    modified_date: cfwDateOf(modifiedAt(timeline, now)),
    is_deleted: timeline.deletedAt === undefined ? 0 : 1,
    remaining_days: remainingDaysAt(timeline, at),
  };
}

function nextChangeOf(task: TrackedTask, now: number, deletedRetentionMs: number): number {
  const timeline = timelineOf(task);
  if (timeline !== undefined) return nextChangeAfter(timeline, now, deletedRetentionMs);
  if (task.deletedAt !== undefined) return task.deletedAt + deletedRetentionMs;
  if (task.stoppedAt !== undefined && now < task.stoppedAt + ENDING_MS) return task.stoppedAt + ENDING_MS;
  return Infinity;
}

export class SimulatorStore {
  readonly #firewalls = new Map<string, SimulatedFirewall>();
  readonly #random: () => number;
  /** Ids of created tasks come from their own stream, so creating leaves drift's sequence alone. */
  readonly #idRandom: () => number;
  #serial = 100_000;
  /** Bumped on every change, so serialised pages can be reused until then. */
  version = 0;
  readonly #versions = new Map<string, number>();
  /** Drift applied after every list call, until changed. */
  drift: DriftPlan | undefined;
  /** The simulator's clock, ms since the epoch. */
  readonly now: () => number;
  /** How long a deleted task stays listed with `is_deleted: 1`, simulated ms. */
  readonly deletedRetentionMs: number;
  readonly #tracked = new Map<string, TrackedTask>();
  /** The earliest instant a tracked record changes: until then tick() is one comparison. */
  #nextChangeAt = Infinity;
  /** Creates per firewall on one UTC day. */
  readonly #createdOnDay = new Map<string, { day: number; count: number }>();

  constructor(options: SimulatorStoreOptions = {}) {
    const seed = options.seed ?? 20_240_604;
    this.#random = seededRandom(seed);
    this.#idRandom = seededRandom(seed ^ 0x5eed);
    this.now = options.now ?? Date.now;
    const retention = options.deletedRetentionMs ?? DEFAULT_DELETED_RETENTION_MS;
    if (!Number.isFinite(retention) || retention < 0) throw new RangeError(`deletedRetentionMs must be a number of ms no less than 0, got ${retention}`);
    this.deletedRetentionMs = retention;
    for (const firewall of options.firewalls ?? seedFirewalls(this.#random)) this.#firewalls.set(firewall.id, firewall);
  }

  /** A firewall as seen from an enterprise project; "0", "default" or none mean the default one. */
  firewall(id: string, enterpriseProjectId: string | undefined): SimulatedFirewall | undefined {
    const firewall = this.#firewalls.get(id);
    if (firewall === undefined) return undefined;
    const asked =
      enterpriseProjectId === undefined || enterpriseProjectId === '0' || enterpriseProjectId === '' ? DEFAULT_ENTERPRISE_PROJECT : enterpriseProjectId;
    return asked === firewall.enterpriseProjectId || asked === 'all_granted_eps' ? firewall : undefined;
  }

  /** Adds a firewall (tests build their own lists). */
  addFirewall(firewall: SimulatedFirewall): void {
    this.#firewalls.set(firewall.id, firewall);
    this.#changed(firewall.id);
  }

  /** A number that changes whenever the firewall's list does: pages serialised at one version stay valid. */
  versionOf(firewallId: string): number {
    return this.#versions.get(firewallId) ?? 0;
  }

  #changed(firewallId: string): void {
    this.version++;
    this.#versions.set(firewallId, this.versionOf(firewallId) + 1);
  }

  #positionFor(length: number, at: DriftPlan['at'], inserting: boolean): number {
    const span = inserting ? length + 1 : length;
    if (at === 'head') return 0;
    if (at === 'tail') return span - 1;
    if (typeof at === 'number') return Math.max(0, Math.min(span - 1, at));
    return Math.floor(this.#random() * span);
  }

  /** Inserts `count` new tasks; returns their ids. */
  insertTasks(firewallId: string, count: number, at: DriftPlan['at'] = 'random'): string[] {
    const firewall = this.#firewalls.get(firewallId);
    if (firewall === undefined) throw new Error(`no simulated firewall ${firewallId}`);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const task = generateTask(this.#random, this.#serial++);
      firewall.tasks.splice(this.#positionFor(firewall.tasks.length, at, true), 0, task);
      this.#changed(firewallId);
      ids.push(task.task_id);
    }
    return ids;
  }

  /** Deletes up to `count` tasks; returns their ids. */
  deleteTasks(firewallId: string, count: number, at: DriftPlan['at'] = 'random'): string[] {
    const firewall = this.#firewalls.get(firewallId);
    if (firewall === undefined) throw new Error(`no simulated firewall ${firewallId}`);
    const ids: string[] = [];
    for (let i = 0; i < count && firewall.tasks.length > 0; i++) {
      const [task] = firewall.tasks.splice(this.#positionFor(firewall.tasks.length, at, false), 1);
      if (task !== undefined) ids.push(task.task_id);
      this.#changed(firewallId);
    }
    return ids;
  }

  /** Applies the drift plan after a list call of `firewallId`. */
  afterList(firewallId: string): void {
    const plan = this.drift;
    if (plan === undefined) return;
    const target = plan.firewallId ?? firewallId;
    if ((plan.delete ?? 0) > 0) this.deleteTasks(target, plan.delete ?? 0, plan.at);
    if ((plan.insert ?? 0) > 0) this.insertTasks(target, plan.insert ?? 0, plan.at);
  }

  /** Moves every tracked task to the clock's present: status, size, days, and deleted tasks vanishing. */
  tick(): void {
    const now = this.now();
    if (now < this.#nextChangeAt) return;
    let next = Infinity;
    for (const [key, task] of this.#tracked) {
      if (task.nextChangeAt <= now && !this.#refresh(key, task, now)) continue;
      next = Math.min(next, task.nextChangeAt);
    }
    this.#nextChangeAt = next;
  }

  /** Re-renders a tracked task in its list; false when it is gone (vanished after deletion, or drifted away). */
  #refresh(key: string, task: TrackedTask, now: number): boolean {
    const tasks = this.#firewalls.get(task.firewallId)?.tasks;
    const index = tasks?.indexOf(task.record) ?? -1;
    if (tasks === undefined || index === -1) {
      this.#tracked.delete(key);
      return false;
    }
    if (task.deletedAt !== undefined && now >= task.deletedAt + this.deletedRetentionMs) {
      tasks.splice(index, 1);
      this.#tracked.delete(key);
      this.#changed(task.firewallId);
      return false;
    }
    task.record = recordAt(task, now);
    tasks[index] = task.record;
    task.nextChangeAt = nextChangeOf(task, now, this.deletedRetentionMs);
    this.#changed(task.firewallId);
    return true;
  }

  /** After a stop or delete: shows the change now and schedules the next one. */
  #touch(task: TrackedTask): void {
    const key = `${task.firewallId}/${task.base.task_id}`;
    this.#tracked.set(key, task);
    const now = this.now();
    if (this.#refresh(key, task, now)) this.#nextChangeAt = Math.min(this.#nextChangeAt, task.nextChangeAt);
  }

  /** The listed task with this id, tracked from now on (a seeded one is adopted as it is). */
  #trackedTask(firewallId: string, taskId: string): TrackedTask | undefined {
    const existing = this.#tracked.get(`${firewallId}/${taskId}`);
    if (existing !== undefined) return existing;
    const record = this.#firewalls.get(firewallId)?.tasks.find((task) => task.task_id === taskId);
    return record === undefined ? undefined : { firewallId, base: record, record, nextChangeAt: Infinity };
  }

  /** Captures created on the firewall on the clock's current UTC day. */
  createdToday(firewallId: string): number {
    const entry = this.#createdOnDay.get(firewallId);
    return entry?.day === utcDayOf(this.now()) ? entry.count : 0;
  }

  /**
   * Starts a capture (POST capture-task), or says why not: one running (or ending) at a time, 20
   * per UTC day, names unique among the listed tasks. The new task is listed first.
   */
  createTask(firewallId: string, spec: CaptureTaskSpec): CaptureTaskRecord | CfwRefusal {
    this.tick();
    const firewall = this.#firewalls.get(firewallId);
    if (firewall === undefined) return new CfwRefusal(CfwErrorCode.OBJECT_NOT_FOUND, 'Operation content does not exist');
    const running = firewall.tasks.find((task) => RUNNING_STATUSES.has(task.status) && !isListedDeleted(task));
    if (running !== undefined) return new CfwRefusal(CfwErrorCode.STATUS_ERROR, 'Instance status error: a capture task is already running on this firewall');
    if (this.createdToday(firewallId) >= CAPTURE_DAILY_QUOTA)
      return new CfwRefusal(CfwErrorCode.QUOTA_EXCEEDED, `Exceeded maximum quantity limit: at most ${CAPTURE_DAILY_QUOTA} capture tasks a day`);
    if (firewall.tasks.some((task) => task.name === spec.name))
      return new CfwRefusal(CfwErrorCode.NAME_CONFLICT, 'Name conflict: a capture task with this name exists');

    const now = this.now();
    const base: CaptureTaskRecord = {
      task_id: uuidFrom(this.#idRandom),
      name: spec.name,
      status: TaskStatus.RUNNING,
      protocol: spec.protocol,
      source_address: spec.source.address,
      source_address_type: spec.source.addressType,
      source_port: spec.sourcePort,
      dest_address: spec.destination.address,
      dest_address_type: spec.destination.addressType,
      dest_port: spec.destPort,
      capture_size: '--',
      duration: spec.durationMinutes,
      max_packets: spec.maxPackets,
      created_date: cfwDateOf(now),
      modified_date: cfwDateOf(now),
      is_deleted: 0,
      remaining_days: 7,
    };
    const task: TrackedTask = {
      firewallId,
      base,
      created: { createdAt: now, durationMs: spec.durationMinutes * 60_000, maxPackets: spec.maxPackets },
      record: base,
      nextChangeAt: Infinity,
    };
    firewall.tasks.unshift(base);
    this.#createdOnDay.set(firewallId, { day: utcDayOf(now), count: this.createdToday(firewallId) + 1 });
    this.#touch(task);
    return task.record;
  }

  /** Stops a RUNNING capture (POST capture-task/stop): ENDING now, STOPPED a few seconds later. */
  stopTask(firewallId: string, taskId: string): CaptureTaskRecord | CfwRefusal {
    this.tick();
    const task = this.#trackedTask(firewallId, taskId);
    if (task === undefined || isListedDeleted(task.record)) return new CfwRefusal(CfwErrorCode.OBJECT_NOT_FOUND, 'Operation content does not exist');
    if (task.record.status !== TaskStatus.RUNNING) return new CfwRefusal(CfwErrorCode.STATUS_ERROR, 'Instance status error: the capture task is not running');
    task.stoppedAt = this.now();
    this.#touch(task);
    return task.record;
  }

  /**
   * Deletes tasks (POST capture-task/batch-delete): all or none. A running or ending one refuses the
   * whole call; unknown or already deleted ids are ignored. Deleted tasks stay listed with
   * `is_deleted: 1` for the retention, then vanish. `forget` checks everything, then deletes nothing
   * (the `forget-delete` fault). Returns the ids deleted.
   */
  deleteTasksById(firewallId: string, taskIds: readonly string[], options: { forget?: boolean } = {}): readonly string[] | CfwRefusal {
    this.tick();
    const tasks: TrackedTask[] = [];
    for (const id of new Set(taskIds)) {
      const task = this.#trackedTask(firewallId, id);
      if (task === undefined || isListedDeleted(task.record)) continue;
      if (RUNNING_STATUSES.has(task.record.status)) return new CfwRefusal(CfwErrorCode.STATUS_ERROR, `Instance status error: capture task ${id} is running`);
      tasks.push(task);
    }
    if (options.forget === true) return [];
    const now = this.now();
    for (const task of tasks) {
      task.deletedAt = now;
      this.#touch(task);
    }
    return tasks.map((task) => task.base.task_id);
  }

  /**
   * The capture file of a finished task (GET capture-task/capture-result), or why there is none: the
   * task runs or ends (CFW.00200016), or it is unknown, deleted, abnormal, empty or past its
   * `remaining_days` (CFW.00200005).
   */
  captureFileOf(firewallId: string, taskId: string): CaptureFile | CfwRefusal {
    this.tick();
    const task = this.#trackedTask(firewallId, taskId);
    const notFound = new CfwRefusal(CfwErrorCode.OBJECT_NOT_FOUND, 'Operation content does not exist');
    if (task === undefined || isListedDeleted(task.record)) return notFound;
    const { record } = task;
    if (RUNNING_STATUSES.has(record.status)) return new CfwRefusal(CfwErrorCode.STATUS_ERROR, 'Instance status error: the capture task is still running');
    if (record.status !== TaskStatus.SUCCESSFUL && record.status !== TaskStatus.STOPPED) return notFound;
    if (typeof record.remaining_days === 'number' && record.remaining_days <= 0) return notFound;
    const timeline = timelineOf(task);
    const packets = timeline === undefined ? Math.ceil(bytesOfSize(record.capture_size) / BYTES_PER_PACKET) : packetsAt(timeline, this.now());
    if (packets === 0) return notFound;
    return { taskId, name: typeof record.name === 'string' ? record.name : taskId, packets };
  }
}
