// The capture lifecycle as pure functions of a task's timeline and the simulator's clock: what the
// list shows at any instant, and when that next changes. The store (store.ts) holds the timelines.
import { CaptureTaskStatusCodes } from '../upstream/codes.ts';

/** How long a task stays ENDING (5) before it is SUCCESSFUL (1) or STOPPED (4), simulated ms. */
export const ENDING_MS = 5_000;
/** Days a capture file is kept; `remaining_days` counts down from it (CFW: "files are deleted after 7 days"). */
export const FILE_RETENTION_DAYS = 7;
/** Simulated traffic: packets captured per whole second while a task runs. */
export const PACKETS_PER_SECOND = 50;
/** Simulated traffic: the size of each captured packet. */
export const BYTES_PER_PACKET = 512;
/** How long deleted tasks stay listed with `is_deleted: 1` unless configured, simulated ms. */
export const DEFAULT_DELETED_RETENTION_MS = 60_000;

export const DAY_MS = 86_400_000;

/** The list's status codes, from the one table both sides read (codes.ts). */
export const TaskStatus = CaptureTaskStatusCodes.code;

/** What happened to a task created through the API, in simulated ms since the epoch. */
export interface CaptureTimeline {
  readonly createdAt: number;
  readonly durationMs: number;
  readonly maxPackets: number;
  /** When a stop was accepted (only while RUNNING, so before createdAt + durationMs). */
  readonly stoppedAt?: number | undefined;
  readonly deletedAt?: number | undefined;
}

/** When packets stop being captured: the duration ran out or a stop came first. */
export function captureEndOf(timeline: CaptureTimeline): number {
  const end = timeline.createdAt + timeline.durationMs;
  return timeline.stoppedAt === undefined ? end : Math.min(end, timeline.stoppedAt);
}

export function statusAt(timeline: CaptureTimeline, now: number): number {
  const end = captureEndOf(timeline);
  if (now < end) return TaskStatus.RUNNING;
  if (now < end + ENDING_MS) return TaskStatus.ENDING;
  return timeline.stoppedAt === undefined ? TaskStatus.SUCCESSFUL : TaskStatus.STOPPED;
}

/** Packets captured by `now`: PACKETS_PER_SECOND per whole second of capture, capped at max_packets. */
export function packetsAt(timeline: CaptureTimeline, now: number): number {
  const captured = Math.max(0, Math.min(now, captureEndOf(timeline)) - timeline.createdAt);
  return Math.min(timeline.maxPackets, Math.floor(captured / 1000) * PACKETS_PER_SECOND);
}

/** `capture_size` as CFW writes it: "--" while nothing is known yet, then "12kb" or "1.5mb". */
export function captureSizeOf(packets: number, running: boolean): string {
  if (packets === 0 && running) return '--';
  const bytes = packets * BYTES_PER_PACKET;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)}kb`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}mb`;
}

/** Days left before the file is deleted, counted from creation: 7 on the first day, 0 from day 7 on. */
export function remainingDaysAt(timeline: CaptureTimeline, now: number): number {
  return Math.max(0, FILE_RETENTION_DAYS - Math.floor(Math.max(0, now - timeline.createdAt) / DAY_MS));
}

/** The latest change of status (or the deletion) at or before `now`. */
export function modifiedAt(timeline: CaptureTimeline, now: number): number {
  const end = captureEndOf(timeline);
  const events = [timeline.createdAt, end, end + ENDING_MS, timeline.stoppedAt, timeline.deletedAt];
  return Math.max(...events.filter((at): at is number => at !== undefined && at <= now));
}

/**
 * The next instant after `now` at which the listed record changes (or, once deleted, vanishes);
 * Infinity when it never will. A deleted record is frozen until it vanishes.
 */
export function nextChangeAfter(timeline: CaptureTimeline, now: number, deletedRetentionMs: number): number {
  if (timeline.deletedAt !== undefined) return timeline.deletedAt + deletedRetentionMs;
  const end = captureEndOf(timeline);
  if (now < end) {
    const nextSecond = timeline.createdAt + (Math.floor((now - timeline.createdAt) / 1000) + 1) * 1000;
    return packetsAt(timeline, now) < timeline.maxPackets ? Math.min(end, nextSecond) : end;
  }
  if (now < end + ENDING_MS) return end + ENDING_MS;
  if (remainingDaysAt(timeline, now) === 0) return Infinity;
  return timeline.createdAt + (Math.floor((now - timeline.createdAt) / DAY_MS) + 1) * DAY_MS;
}

/** `"2024/08/31 10:17:30"`: CFW's date format, UTC, no zone. */
export function cfwDateOf(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The UTC day an instant falls on, as a day number (the daily quota resets at 00:00 UTC). */
export function utcDayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The fastest time scale the CLIs take. */
export const MAX_TIME_SCALE = 1_000_000;

/** Reads a `--time-scale` argument: a positive number up to MAX_TIME_SCALE, else an Error saying so. */
export function timeScaleOf(text: string): number | Error {
  const scale = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || scale <= 0 || scale > MAX_TIME_SCALE)
    return new Error(`--time-scale must be a positive number up to ${MAX_TIME_SCALE}, got ${JSON.stringify(text)}`);
  return scale;
}

/** A clock that runs `scale` times faster than `wall`, from the moment it is made. */
export function scaledClock(scale: number, wall: () => number = Date.now): () => number {
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`the time scale must be a positive number, got ${scale}`);
  const start = wall();
  return () => start + Math.floor((wall() - start) * scale);
}

/** A clock tests move by hand. */
export class ManualClock {
  #now: number;

  constructor(start: number = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = start;
  }

  /** The clock as the simulator takes it: `new Simulator({ now: clock.now })`. */
  readonly now = (): number => this.#now;

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a clock only moves forward, got ${ms} ms`);
    this.#now += ms;
  }
}
