// Upstream values → GraphQL values, one pure function each. A value that cannot be read throws a
// FieldValueError, which nulls that one field with an error at its path.
import { boundedCache, type BoundedCache } from '../bounded-cache.ts';
import { FieldValueError } from '../errors.ts';
import {
  CaptureProtocolCodes,
  CaptureTaskStatusCodes,
  IpVersionCodes,
  type CodeSet,
  type CaptureProtocolName,
  type CaptureTaskStatusName,
  type IpVersionName,
} from '../upstream/codes.ts';
import { bytesOfCaptureSize } from '../upstream/wire.ts';
import { isSerializedInt, type SerializedInt } from './serialized.ts';

/** Told of every code that maps to UNKNOWN, so it can be logged (once per value). */
export type UnknownCodeListener = (field: string, value: unknown) => void;

function codeFrom<T extends string>(table: CodeSet<T>, field: string, value: unknown, onUnknown: UnknownCodeListener): T | 'UNKNOWN' {
  const name = typeof value === 'number' ? table.nameOf(value) : undefined;
  if (name !== undefined) return name;
  onUnknown(field, value);
  return 'UNKNOWN';
}

export function captureTaskStatusFromCode(value: unknown, onUnknown: UnknownCodeListener): CaptureTaskStatusName | 'UNKNOWN' {
  return codeFrom(CaptureTaskStatusCodes, 'status', value, onUnknown);
}

/** null for automatic tasks, which have no protocol. */
export function captureProtocolFromCode(value: unknown, onUnknown: UnknownCodeListener): CaptureProtocolName | 'UNKNOWN' | null {
  if (value === undefined || value === null) return null;
  return codeFrom(CaptureProtocolCodes, 'protocol', value, onUnknown);
}

export function ipVersionFromCode(field: string, value: unknown): IpVersionName | null {
  if (value === undefined || value === null) return null;
  const name = typeof value === 'number' ? IpVersionCodes.nameOf(value) : undefined;
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
export function optionalInt(field: string, value: unknown): SerializedInt | null {
  if (value === undefined || value === null) return null;
  if (!isSerializedInt(value)) throw new FieldValueError(field, 'a 32-bit integer', value);
  return value;
}

/** An Int field that always has a value. */
export function requiredInt(field: string, value: unknown): SerializedInt {
  const int = optionalInt(field, value);
  if (int === null) throw new FieldValueError(field, 'a 32-bit integer', value);
  return int;
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

/** "500kb" → 512000: kb, mb and gb in any case, 1024-based; a bare number is bytes. */
export function captureSizeBytesFrom(value: unknown): number | null {
  const text = captureSizeFrom(value);
  if (text === null) return null;
  const bytes = bytesOfCaptureSize(text);
  if (bytes === undefined) throw new FieldValueError('capture_size', 'a size such as "500kb", "1.5mb" or "2gb"', value);
  if (!Number.isSafeInteger(bytes)) throw new FieldValueError('capture_size', 'a size below 2^53 bytes', value);
  return bytes;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in ms, read from Intl (no tz database of our own). */
function zoneOffsetMs(zone: string, instant: number): number {
  let format = offsetFormatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
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

const NOT_A_CFW_DATE = 'a date such as "2024/08/31 10:17:30"';
const NOT_A_REAL_DATE = 'a real calendar date and time';

/** The number `count` ASCII digits at `at` spell, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A wall-clock time read from CFW's text; `text` is 19 characters, already trimmed. */
interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const SLASH = 47;
const DASH = 45;
const COLON = 58;

/** The six numbers at CFW's and ISO's fixed places ("2024/08/31 10:17:30", "2024-08-31T10:17:30…"); -1 where one is not all digits. */
function wallClockDigitsOf(text: string): WallClock {
  return {
    year: digitsAt(text, 0, 4),
    month: digitsAt(text, 5, 2),
    day: digitsAt(text, 8, 2),
    hour: digitsAt(text, 11, 2),
    minute: digitsAt(text, 14, 2),
    second: digitsAt(text, 17, 2),
  };
}

function hasAllDigits(clock: WallClock): boolean {
  return (clock.year | clock.month | clock.day | clock.hour | clock.minute | clock.second) >= 0;
}

/** Whether a calendar has this time (no February 30th, no 24:00). */
function isRealWallClock({ year, month, day, hour, minute, second }: WallClock): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
}

/**
 * "2024/08/31 10:17:30" (or with dashes and a T) → its parts, by string work alone. Throws a
 * FieldValueError for anything else, and for a time no calendar has (February 30th, 24:00).
 */
function wallClockOf(field: string, text: string, value: unknown): WallClock {
  const clock = wallClockDigitsOf(text);
  const separator = (at: number) => text.charCodeAt(at);
  if (
    text.length !== 19 ||
    !hasAllDigits(clock) ||
    (separator(4) !== SLASH && separator(4) !== DASH) ||
    (separator(7) !== SLASH && separator(7) !== DASH) ||
    (separator(10) !== 32 && separator(10) !== 84) ||
    separator(13) !== COLON ||
    separator(16) !== COLON
  ) {
    throw new FieldValueError(field, NOT_A_CFW_DATE, value);
  }
  if (!isRealWallClock(clock)) throw new FieldValueError(field, NOT_A_REAL_DATE, value);
  return clock;
}

/** The instant a wall clock in `zone` means (see dateTimeIsoFromCfw for the rule). */
function instantInZone(wall: number, zone: string): number {
  // Offsets either side of any transition near this time; an instant is valid when the zone agrees.
  const before = zoneOffsetMs(zone, wall - DAY_MS);
  const after = zoneOffsetMs(zone, wall + DAY_MS);
  const valid = [wall - before, wall - after].filter((instant, index) => zoneOffsetMs(zone, instant) === (index === 0 ? before : after));
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

/**
 * ISO texts already worked out, by zone (from the configuration) and CFW text (bounded): pages are
 * read again and again, and a lookup costs less than even UTC's string work (bench/results/caches.md).
 */
const isoByZone = new Map<string, BoundedCache<string, string>>();
const MAX_REMEMBERED_PER_ZONE = 20_000;
/** The ISO texts dateTimeIsoFromCfw gave out (the same string objects it hands again): known good (bench/results/caches.md). */
const issuedIsoTexts = boundedCache<string, true>(MAX_REMEMBERED_PER_ZONE);

/**
 * "2024/08/31 10:17:30", a wall-clock time in `zone`, → the instant as an ISO 8601 UTC string
 * ("2024-08-31T10:17:30.000Z"), the DateTime scalar's form, so that serialising it is a copy; each
 * distinct text is worked out once. In UTC it is string work alone. Elsewhere, as Temporal's
 * "compatible" disambiguation does: in a daylight-saving overlap the earlier instant wins; in a gap
 * the time is read with the offset before the gap (02:30 in a 02:00→03:00 gap becomes 03:30).
 */
export function dateTimeIsoFromCfw(field: string, value: unknown, zone: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new FieldValueError(field, NOT_A_CFW_DATE, value);
  let known = isoByZone.get(zone);
  if (known === undefined) {
    known = boundedCache<string, string>(MAX_REMEMBERED_PER_ZONE);
    isoByZone.set(zone, known);
  }
  const remembered = known.get(value);
  if (remembered !== undefined) return remembered;
  const text = value.trim();
  const { year, month, day, hour, minute, second } = wallClockOf(field, text, value);
  const iso =
    zone === 'UTC'
      ? `${text.slice(0, 4)}-${text.slice(5, 7)}-${text.slice(8, 10)}T${text.slice(11, 19)}.000Z`
      : new Date(instantInZone(utcMs(year, month, day, hour, minute, second), zone)).toISOString();
  known.set(value, iso);
  issuedIsoTexts.set(iso, true);
  return iso;
}

/** dateTimeIsoFromCfw as a Date. */
export function dateTimeFromCfw(field: string, value: unknown, zone: string): Date | null {
  const iso = dateTimeIsoFromCfw(field, value, zone);
  return iso === null ? null : new Date(iso);
}

const ISO_INSTANT_LENGTH = 24;

/**
 * Whether `text` is an instant in the one form dateTimeIsoFromCfw (and Date#toISOString for years
 * 0 to 9999) writes, "2024-08-31T10:17:30.000Z", and a real one: the DateTime scalar sends such a
 * text as it is, since it is what the Date it stands for would serialise to.
 */
export function isCanonicalIsoInstant(text: string): boolean {
  // The usual case, the very text dateTimeIsoFromCfw gave out: a set lookup on a hash the string keeps.
  if (issuedIsoTexts.has(text)) return true;
  if (
    text.length !== ISO_INSTANT_LENGTH ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    text.charCodeAt(19) !== 46 ||
    text.charCodeAt(23) !== 90
  ) {
    return false;
  }
  const clock = wallClockDigitsOf(text);
  return hasAllDigits(clock) && digitsAt(text, 20, 3) >= 0 && isRealWallClock(clock);
}
