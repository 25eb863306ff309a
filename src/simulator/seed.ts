// The simulator's seeded data: the project, the firewalls by role and their tasks, drawn from a
// deterministic pseudo-random source, so every run has the same ids and values.
import { CaptureProtocolCodes, CaptureTaskStatusCodes, PORTED_PROTOCOL_CODES } from '../upstream/codes.ts';
import type { CaptureTaskRecord } from '../upstream/wire.ts';
import { cfwDateOf } from './timeline.ts';

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

export function uuidFrom(random: () => number): string {
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
  const address = () =>
    v6
      ? `2001:db8::${Math.floor(random() * 0xffff).toString(16)}`
      : `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  const protocol = pick(random, PROTOCOLS);
  const created = Date.UTC(2024, 5, 1) + serial * 3_600_000 + Math.floor(random() * 3_600_000);
  const duration = 1 + Math.floor(random() * 60);
  const port = () => (protocol !== undefined && PORTED_PROTOCOL_CODES.has(protocol) && random() < 0.7 ? String(1 + Math.floor(random() * 65535)) : '');
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
  tasks.push({
    ...base(serial++),
    name: 'ipv6-task',
    source_address: '2001:db8::2',
    source_address_type: 1,
    dest_address: '2001:db8::1',
    dest_address_type: 1,
    dest_port: '443',
  });
  tasks.push({ ...base(serial++), name: 'size-unknown', capture_size: '--' });
  tasks.push({ ...base(serial++), name: 'unknown-codes', status: 3, protocol: 99 });
  tasks.push({ task_id: uuidFrom(random), name: 'sparse-task' });
  tasks.push({ ...base(serial++), name: 'bad-values', created_date: 'yesterday', capture_size: 'lots', duration: 'five', source_address_type: 7 });
  tasks.push({ ...base(serial), name: 'extra-fields', ...{ object_id: 'x', future_field: { nested: true } } });
  return tasks;
}

/** The seeded firewalls, their tasks drawn from `random` in a fixed order. */
export function seedFirewalls(random: () => number): SimulatedFirewall[] {
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
