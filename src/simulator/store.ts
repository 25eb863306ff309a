// The simulator's data: firewalls and their capture tasks, seeded deterministically (the same ids
// and values on every run), and drift: tasks inserted or deleted on demand or after each list call.
import type { CaptureTaskRecord } from '../upstream/wire.ts';

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
} as const;

export interface SimulatedFirewall {
  readonly id: string;
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

function cfwDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const SIZES = ['--', '500kb', '12mb', '1gb', '64KB', '1.5mb', '0kb'];
const PROTOCOLS = [6, 6, 17, 1, 58, -1, undefined];
const STATUSES = [1, 1, 1, 2, 4, 4, 5, 0];

/** One realistic task; `serial` makes names and dates distinct. */
export function generateTask(random: () => number, serial: number): CaptureTaskRecord {
  const v6 = random() < 0.2;
  const address = () => (v6 ? `2001:db8::${Math.floor(random() * 0xffff).toString(16)}` : `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`);
  const protocol = pick(random, PROTOCOLS);
  const created = Date.UTC(2024, 5, 1) + serial * 3_600_000 + Math.floor(random() * 3_600_000);
  const duration = 1 + Math.floor(random() * 60);
  const port = () => (protocol === 6 || protocol === 17) && random() < 0.7 ? String(1 + Math.floor(random() * 65535)) : '';
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
    created_date: cfwDate(created),
    modified_date: cfwDate(created + duration * 60_000),
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
  for (const status of [0, 1, 2, 4, 5]) tasks.push({ ...base(serial++), status });
  for (const protocol of [6, 17, 1, 58, -1]) tasks.push({ ...base(serial++), protocol });
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

export class SimulatorStore {
  readonly #firewalls = new Map<string, SimulatedFirewall>();
  readonly #random: () => number;
  #serial = 100_000;
  /** Bumped on every change, so serialised pages can be reused until then. */
  version = 0;
  /** Drift applied after every list call, until changed. */
  drift: DriftPlan | undefined;

  constructor(options: { seed?: number; firewalls?: readonly SimulatedFirewall[] } = {}) {
    this.#random = seededRandom(options.seed ?? 20_240_604);
    for (const firewall of options.firewalls ?? this.#seedFirewalls()) this.#firewalls.set(firewall.id, firewall);
  }

  #seedFirewalls(): SimulatedFirewall[] {
    const random = this.#random;
    const ordinary = (count: number) => Array.from({ length: count }, (_, serial) => generateTask(random, serial));
    const f = SIMULATOR_FIREWALLS;
    return [
      { id: f.demo, enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(57) },
      { id: f.empty, enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: [] },
      { id: f.single, enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(1) },
      { id: f.edge, enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: edgeTasks(random) },
      { id: f.large, enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(2000) },
      { id: f.huge, enterpriseProjectId: DEFAULT_ENTERPRISE_PROJECT, tasks: ordinary(3500) },
      { id: f.finance, enterpriseProjectId: 'ep-finance', tasks: ordinary(12) },
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
    this.version++;
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
      this.version++;
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
      this.version++;
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
}
