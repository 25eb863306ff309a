// The simulator's data: firewalls and their capture tasks, seeded deterministically (the same ids
// and values on every run); drift (tasks inserted or deleted on demand or after each list call); and
// the capture lifecycle (create, stop, delete, results) on the simulator's clock (lifecycle.ts).
import { CAPTURE_DAILY_QUOTA, CaptureProtocolCodes, CaptureTaskStatusCodes, CfwErrorCode, PORTED_PROTOCOL_CODES } from '../upstream/codes.ts';
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

export const SIMULATOR_PROJECT_ID = '09bb24e6fe80d23d2fa2c010b53b418c';
/** The enterprise project that firewalls belong to when the feature is off. */
export const DEFAULT_ENTERPRISE_PROJECT = 'default';

/** The seeded firewalls, by role; ids are stable across runs. */
export const SIMULATOR_FIREWALLS = {
  /** 57 ordinary tasks: the one the start banner shows. */
  demo: 'ebf891cd-2163-48a0-9963-6309f99dd3c4',
  /** No tasks at all. */
  empty: '3f1a0b9e-5c2d-4e7f-8a61-0c9d2b4e6f10',
  /** Exactly one task. */
  single: '5b7e2c41-9d3a-4f86-b0e2-71c4a9d3e820',
  /** Every enum value, automatic tasks, IPv6, "--" sizes, missing fields and unreadable values. */
  edge: '7c2d4e6f-8a0b-4c1d-9e3f-5a7b9c1d3e50',
  /** 2,000 tasks. */
  large: '9e4f6a8b-0c2d-4e1f-a3b5-c7d9e1f3a560',
  /** 3,500 tasks. */
  huge: 'b1c3d5e7-f9a1-4b3c-8d5e-f7a9b1c3d570',
  /** 12 tasks, in enterprise project `ep-finance` only. */
  finance: 'd3e5f7a9-b1c3-4d5e-9f7a-b9c1d3e5f780',
  /** No tasks at first and nothing running: where the capture lifecycle walkthrough starts captures. */
  lab: 'f5a7b9c1-d3e5-4f7a-8b9c-d1e3f5a7b990',
} as const;

export interface SimulatedFirewall {
  readonly id: string;
  /** The firewall's name, which create, stop and batch-delete answer with; default its id. */
  readonly name?: string;
  readonly enterpriseProjectId: string;
  /** The list the API pages over, in its order. */
  readonly tasks: CaptureTaskRecord[];
}

/** A deterministic pseudo-random source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}


const SIZES = ['--', '500kb', '12mb', '1gb', '64KB', '1.5mb', '0kb'];
const { code: PROTOCOL } = CaptureProtocolCodes;
const { code: STATUS } = CaptureTaskStatusCodes;
/** Weighted picks: mostly TCP and finished tasks, as a real firewall's list is. */
const PROTOCOLS = [PROTOCOL.TCP, PROTOCOL.TCP, PROTOCOL.UDP, PROTOCOL.ICMP, PROTOCOL.ICMPV6, PROTOCOL.ANY, undefined];
const STATUSES = [STATUS.SUCCESSFUL, STATUS.SUCCESSFUL, STATUS.SUCCESSFUL, STATUS.RUNNING, STATUS.STOPPED, STATUS.STOPPED, STATUS.ENDING, STATUS.ABNORMAL];

/** One realistic task; `serial` makes names and dates distinct. */
export function generateTask(random: () => number, serial: number): CaptureTaskRecord {
  const v6 = random() < 0.2;
  const address = () => (v6 ? `2001:db8::${Math.floor(random() * 0xffff).toString(16)}` : `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`);
  const protocol = pick(random, PROTOCOLS);
  const created = Date.UTC(2024, 5, 1) + serial * 3_600_000 + Math.floor(random() * 3_600_000);
  const duration = 1 + Math.floor(random() * 60);
  const port = () => protocol !== undefined && PORTED_PROTOCOL_CODES.has(protocol) && random() < 0.7 ? String(1 + Math.floor(random() * 65535)) : '';
  return {
    task_id: uuidFrom(random),
    name: `capture-${String(serial).padStart(4, '0')}`,
    status: pick(random, STATUSES),
    ...(protocol === undefined ? {} : { protocol }),
    source_address: address(),
    source_address_type: v6 ? 1 : 0,
    source_port: port(),
    dest_address: address(),
    dest_address_type: v6 ? 1 : 0,
    dest_port: port(),
    capture_size: pick(random, SIZES),
    duration,
    max_packets: pick(random, [1000, 10000, 100000, 1000000]),
    created_date: cfwDateOf(created),
    modified_date: cfwDateOf(created + duration * 60_000),
    is_deleted: random() < 0.05 ? 1 : 0,
    remaining_days: Math.floor(random() * 8),
  };
}

/** An automatic task: the upstream leaves `protocol` out. */
function withoutProtocol(task: CaptureTaskRecord): CaptureTaskRecord {
  return { ...Object.fromEntries(Object.entries(task).filter(([key]) => key !== 'protocol')), task_id: task.task_id };
}

/** Odd but possible records: every code, automatic tasks, and values the gateway cannot read. */
function edgeTasks(random: () => number): CaptureTaskRecord[] {
  const base = (serial: number) => generateTask(random, serial);
  const tasks: CaptureTaskRecord[] = [];
  let serial = 0;
  for (const status of CaptureTaskStatusCodes.codes) tasks.push({ ...base(serial++), status });
  for (const protocol of CaptureProtocolCodes.codes) tasks.push({ ...base(serial++), protocol });
  tasks.push(withoutProtocol({ ...base(serial++), name: 'automatic-task' }));
  tasks.push({ ...base(serial++), name: 'ipv6-task', source_address: '2001:db8::2', source_address_type: 1, dest_address: '2001:db8::1', dest_address_type: 1, dest_port: '443' });
  tasks.push({ ...base(serial++), name: 'size-unknown', capture_size: '--' });
  tasks.push({ ...base(serial++), name: 'unknown-codes', status: 3, protocol: 99 });
  tasks.push({ task_id: uuidFrom(random), name: 'sparse-task' });
  tasks.push({ ...base(serial++), name: 'bad-values', created_date: 'yesterday', capture_size: 'lots', duration: 'five', source_address_type: 7 });
  tasks.push({ ...base(serial), name: 'extra-fields', ...{ object_id: 'x', future_field: { nested: true } } });
  return tasks;
}

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
    const events = [task.stoppedAt, task.stoppedAt === undefined ? undefined : task.stoppedAt + ENDING_MS, task.deletedAt].filter((at): at is number => at !== undefined && at <= now);
    const status = task.stoppedAt === undefined ? task.base.status : now < task.stoppedAt + ENDING_MS ? TaskStatus.ENDING : TaskStatus.STOPPED;
    return { ...task.base, status, ...(events.length === 0 ? {} : { modified_date: cfwDateOf(Math.max(...events)) }), is_deleted: task.deletedAt === undefined ? task.base.is_deleted : 1 };
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
    for (const firewall of options.firewalls ?? this.#seedFirewalls()) this.#firewalls.set(firewall.id, firewall);
  }

  #seedFirewalls(): SimulatedFirewall[] {
    const random = this.#random;
    const ordinary = (count: number) => Array.from({ length: count }, (_, serial) => generateTask(random, serial));
    const f = SIMULATOR_FIREWALLS;
    return [
      { id: f.demo, name: 'cfw-demo', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(57) },
      { id: f.empty, name: 'cfw-empty', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: [] },
      { id: f.single, name: 'cfw-single', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(1) },
      { id: f.edge, name: 'cfw-edge', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: edgeTasks(random) },
      { id: f.large, name: 'cfw-large', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(2000) },
      { id: f.huge, name: 'cfw-huge', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(3500) },
      { id: f.finance, name: 'cfw-finance', enterpriseProjectId: 'ep-finance', tasks: ordinary(12) },
      { id: f.lab, name: 'cfw-lab', enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: [] },
    ];
  }

  /** A firewall as seen from an enterprise project; "0", "default" or none mean the default one. */
  firewall(id: string, enterpriseProjectId: string | undefined): SimulatedFirewall | undefined {
    const firewall = this.#firewalls.get(id);
    if (firewall === undefined) return undefined;
    const asked = enterpriseProjectId === undefined || enterpriseProjectId === '0' || enterpriseProjectId === '' ? DEFAULT_ENTERPRISE_PROJECT : enterpriseProjectId;
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
    if (this.createdToday(firewallId) >= CAPTURE_DAILY_QUOTA) return new CfwRefusal(CfwErrorCode.QUOTA_EXCEEDED, `Exceeded maximum quantity limit: at most ${CAPTURE_DAILY_QUOTA} capture tasks a day`);
    if (firewall.tasks.some((task) => task.name === spec.name)) return new CfwRefusal(CfwErrorCode.NAME_CONFLICT, 'Name conflict: a capture task with this name exists');

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
    const task: TrackedTask = { firewallId, base, created: { createdAt: now, durationMs: spec.durationMinutes * 60_000, maxPackets: spec.maxPackets }, record: base, nextChangeAt: Infinity };
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
