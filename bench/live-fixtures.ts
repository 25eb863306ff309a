// What the live bench's processes agree on: 10 firewalls of 10 RUNNING captures, the subscription
// each client sends, and how a round's change is written (a captured size of 1000 + round kb). No I/O.
import { SIMULATOR_PROJECT_ID, type SimulatedFirewall } from '../src/simulator/store.ts';
import type { CaptureTaskRecord } from '../src/upstream/wire.ts';

export const LIVE_PROJECT_ID = SIMULATOR_PROJECT_ID;
export const LIVE_TOKEN = 'demo-token';
export const LIVE_FIREWALL_COUNT = 10;
export const CAPTURES_PER_FIREWALL = 10;
export const LIVE_FIREWALLS: readonly string[] = Array.from(
  { length: LIVE_FIREWALL_COUNT },
  (_, index) => `live0000-0000-4000-a000-0000000000${String(index).padStart(2, '0')}`,
);

/** The captured size a round's change lists. */
export const sizeOfRound = (round: number): string => `${1000 + round}kb`;

/** The round a captured size says, or undefined before any change. */
export function roundOfSize(size: unknown): number | undefined {
  const match = typeof size === 'string' ? /^(\d+)kb$/.exec(size) : null;
  const value = match === null ? Number.NaN : Number(match[1]);
  return value >= 1000 ? value - 1000 : undefined;
}

export function liveFirewalls(): SimulatedFirewall[] {
  return LIVE_FIREWALLS.map((id) => ({
    id,
    enterpriseProjectId: 'default',
    tasks: Array.from({ length: CAPTURES_PER_FIREWALL }, (_, serial): CaptureTaskRecord => ({
      task_id: `${id.slice(0, 24)}${String(serial).padStart(12, '0')}`,
      name: `live-${serial}`,
      status: 2,
      protocol: 6,
      source_address: '192.0.2.10',
      source_address_type: 0,
      dest_address: '198.51.100.7',
      dest_address_type: 0,
      dest_port: '443',
      capture_size: '10kb',
      duration: 60,
      max_packets: 100_000,
      created_date: '2026-12-06 00:00:00',
      modified_date: '2026-12-06 00:00:00',
      is_deleted: 0,
      remaining_days: 7,
    })),
  }));
}

/** Every watched capture: firewall and task id. */
export function liveTargets(): { readonly fw: string; readonly id: string }[] {
  return liveFirewalls().flatMap((firewall) => firewall.tasks.map((task) => ({ fw: firewall.id, id: task.task_id })));
}

export const LIVE_SUBSCRIPTION = 'subscription Live($fw: ID!, $id: ID!) { captureTaskChanged(fwInstanceId: $fw, id: $id) { id status captureSize } }';
