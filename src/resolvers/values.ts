// Upstream values → GraphQL values, one pure function each. A value that cannot be read throws a
// FieldValueError, which nulls that one field with an error at its path.
import { boundedCache } from '../bounded-cache.ts';
import { FieldValueError } from '../errors.ts';
import {
  CAPTURE_PROTOCOL_BY_CODE,
  CAPTURE_TASK_STATUS_BY_CODE,
  IP_VERSION_BY_CODE,
  type CaptureProtocolName,
  type CaptureTaskStatusName,
  type IpVersionName,
} from '../upstream/codes.ts';

/** Told of every code that maps to UNKNOWN, so it can be logged (once per value). */
export type UnknownCodeListener = (field: string, value: unknown) => void;

function codeFrom<T>(table: ReadonlyMap<number, T>, field: string, value: unknown, onUnknown: UnknownCodeListener): T | 'UNKNOWN' {
  const name = typeof value === 'number' ? table.get(value) : undefined;
  if (name !== undefined) return name;
  onUnknown(field, value);
  return 'UNKNOWN';
}

export function captureTaskStatusFromCode(value: unknown, onUnknown: UnknownCodeListener): CaptureTaskStatusName | 'UNKNOWN' {
  return codeFrom(CAPTURE_TASK_STATUS_BY_CODE, 'status', value, onUnknown);
}

/** null for automatic tasks, which have no protocol. */
export function captureProtocolFromCode(value: unknown, onUnknown: UnknownCodeListener): CaptureProtocolName | 'UNKNOWN' | null {
  if (value === undefined || value === null) return null;
  return codeFrom(CAPTURE_PROTOCOL_BY_CODE, 'protocol', value, onUnknown);
}

export function ipVersionFromCode(field: string, value: unknown): IpVersionName | null {
  if (value === undefined || value === null) return null;
  const name = typeof value === 'number' ? IP_VERSION_BY_CODE.get(value) : undefined;
  if (name === undefined) throw new FieldValueError(field, '0 (IPv4) or 1 (IPv6)', value);
  return name;
}

export function optionalString(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new FieldValueError(field, 'a string', value);
  return value;
}

/** Ports and addresses: the upstream writes "" for none. */
export function optionalNonEmptyString(field: string, value: unknown): string | null {
  const text = optionalString(field, value);
  return text === null || text.trim() === '' ? null : text;
}

/** An Int field (32-bit, as GraphQL's Int is). */
export function optionalInt(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value > 2_147_483_647 || value < -2_147_483_648) {
    throw new FieldValueError(field, 'a 32-bit integer', value);
  }
  return value;
}

/** `is_deleted` is 0 or 1; a missing value means not deleted. */
export function isDeletedFrom(value: unknown): boolean {
  if (value === undefined || value === null || value === 0 || value === false) return false;
  if (value === 1 || value === true) return true;
  throw new FieldValueError('is_deleted', '0 or 1', value);
}

/** The upstream's "not known yet" for a size. */
const UNKNOWN_SIZE = '--';

export function captureSizeFrom(value: unknown): string | null {
  const text = optionalString('capture_size', value);
  return text === null || text.trim() === '' || text.trim() === UNKNOWN_SIZE ? null : text;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i;
const UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** "500kb" → 512000: kb, mb and gb in any case, 1024-based; a bare number is bytes. */
export function captureSizeBytesFrom(value: unknown): number | null {
  const text = captureSizeFrom(value);
  if (text === null) return null;
  const match = SIZE.exec(text);
  const amount = match?.[1];
  if (match === null || amount === undefined) throw new FieldValueError('capture_size', 'a size such as "500kb", "1.5mb" or "2gb"', value);
  const bytes = Math.round(Number(amount) * (UNIT_BYTES[(match[2] ?? 'b').toLowerCase()] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw new FieldValueError('capture_size', 'a size below 2^53 bytes', value);
  return bytes;
}

const CFW_DATE = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in ms, read from Intl (no tz database of our own). */
function zoneOffsetMs(zone: string, instant: number): number {
  let format = offsetFormatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = Number(part.value);
  const local = utcMs(parts['year'] ?? 0, parts['month'] ?? 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0, parts['second'] ?? 0);
  return local - Math.floor(instant / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/** Date.UTC without its quirk of reading years 0-99 as 1900-1999. */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * "2024/08/31 10:17:30", a wall-clock time in `zone`, → the instant. As Temporal's "compatible"
 * disambiguation does: in a daylight-saving overlap the earlier instant wins; in a gap the time is
 * read with the offset before the gap (02:30 in a 02:00→03:00 gap becomes 03:30).
 */
export function dateTimeFromCfw(field: string, value: unknown, zone: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  // The same few timestamps come back on every read of a page: remember what each one meant.
  const key = typeof value === 'string' ? `${zone}\u0000${value}` : undefined;
  const known = key === undefined ? undefined : instantsByText.get(key);
  if (known !== undefined) return new Date(known);
  const instant = instantOfCfwDate(field, value, zone);
  if (key !== undefined) instantsByText.set(key, instant);
  return new Date(instant);
}

const MAX_REMEMBERED_INSTANTS = 50_000;
const instantsByText = boundedCache<string, number>(MAX_REMEMBERED_INSTANTS);

function instantOfCfwDate(field: string, value: unknown, zone: string): number {
  const match = typeof value === 'string' ? CFW_DATE.exec(value.trim()) : null;
  if (match === null) throw new FieldValueError(field, 'a date such as "2024/08/31 10:17:30"', value);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = utcMs(year, month, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new FieldValueError(field, 'a real calendar date and time', value);
  }
  if (zone === 'UTC') return wall;
  // Offsets either side of any transition near this time; an instant is valid when the zone agrees.
  const before = zoneOffsetMs(zone, wall - DAY_MS);
  const after = zoneOffsetMs(zone, wall + DAY_MS);
  const valid = [wall - before, wall - after].filter((instant, index) => zoneOffsetMs(zone, instant) === (index === 0 ? before : after));
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}
