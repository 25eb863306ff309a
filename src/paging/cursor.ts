// Opaque cursors. A cursor names a task by its position (the upstream offset) and by fingerprints
// of its id and of its two neighbours' ids, so that the task can be found again when tasks come
// and go before it (paging/walk.ts), even when the task itself was deleted. It is bound to the
// firewall and enterprise project it was issued for, versioned, and checksummed against damage.
//
// Layout (26 bytes, base64url): version u8 · flags u8 · connectionKey u32 · offset u32 · prev u32 · id u32 ·
// next u32 · checksum u32, all big-endian. Flags say the task was the first or the last of the list. Cursors are not secrets and grant nothing: a client can only ask
// for pages of a firewall its own credential may read.
import { CursorError } from '../errors.ts';

export const CURSOR_VERSION = 1;
const CURSOR_BYTES = 26;
const FIRST = 1;
const LAST = 2;
const BODY_BYTES = CURSOR_BYTES - 4;
/** A fingerprint that stands for "no task here" (before the first task or after the last). */
export const NO_TASK = 0;

/** Where a cursor points. */
export interface CursorPosition {
  /** Absolute index of the task in the upstream's list when the cursor was issued. */
  readonly offset: number;
  /** Fingerprints (see fingerprintOf) of the task before it, the task, and the task after it. */
  readonly prev: number;
  readonly id: number;
  readonly next: number;
  /** No task stood before it: the list's start is its anchor when it and its neighbours are gone. */
  readonly first: boolean;
  /** No task stood after it. */
  readonly last: boolean;
}

/** FNV-1a, 32 bits: fast, well spread, and good enough to tell ids apart within a search window. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The fingerprint of a task id, never NO_TASK. */
export function fingerprintOf(taskId: string): number {
  return fnv1a(taskId) || 1;
}

/** The fingerprint of a (firewall, enterprise project) pair, which cursors are bound to. */
export function connectionKeyOf(fwInstanceId: string, enterpriseProjectId: string | undefined): number {
  return fnv1a(`${fwInstanceId}\u0000${enterpriseProjectId ?? ''}`);
}

/**
 * FNV-1a over the body, seeded apart from fingerprints. Measured against node:zlib's crc32 on Node
 * 24: 170-200 ns per encoded cursor against 230-390 ns (the native call costs more than 22 bytes of
 * hashing), so the checksum, and with it every cursor already issued, stays as it is.
 */
function checksumOf(bytes: Uint8Array, length: number): number {
  let hash = 0x811c9dc5 ^ 0x5bd1e995;
  for (let i = 0; i < length; i++) {
    hash ^= bytes[i] ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Where cursors are written before their text is taken: one buffer, reused (no I/O in between; bench/results/caches.md). */
const scratch = Buffer.alloc(CURSOR_BYTES);

export function encodeCursor(connectionKey: number, position: CursorPosition): string {
  scratch[0] = CURSOR_VERSION;
  scratch[1] = (position.first ? FIRST : 0) | (position.last ? LAST : 0);
  scratch.writeUInt32BE(connectionKey >>> 0, 2);
  scratch.writeUInt32BE(position.offset >>> 0, 6);
  scratch.writeUInt32BE(position.prev >>> 0, 10);
  scratch.writeUInt32BE(position.id >>> 0, 14);
  scratch.writeUInt32BE(position.next >>> 0, 18);
  scratch.writeUInt32BE(checksumOf(scratch, BODY_BYTES), BODY_BYTES);
  return scratch.toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Reads a cursor given as `argumentName`, checking that it was issued by this gateway, is intact,
 * of this version, and for `connectionKey`. Throws a CursorError saying which of these failed.
 */
export function decodeCursor(argumentName: 'after' | 'before', cursor: string, connectionKey: number): CursorPosition {
  if (cursor.length > 64 || !BASE64URL.test(cursor)) {
    throw new CursorError(argumentName, 'is not a cursor issued by this gateway');
  }
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length !== CURSOR_BYTES || bytes.toString('base64url') !== cursor) {
    throw new CursorError(argumentName, 'is not a cursor issued by this gateway (wrong length: truncated or altered)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(BODY_BYTES) !== checksumOf(bytes, BODY_BYTES)) {
    throw new CursorError(argumentName, 'is damaged or was altered; use a cursor exactly as the gateway returned it');
  }
  const version = view.getUint8(0);
  if (version !== CURSOR_VERSION) {
    throw new CursorError(
      argumentName,
      `was issued by another version of the gateway (cursor version ${version}, expected ${CURSOR_VERSION}); start again from the first page`,
    );
  }
  const flags = view.getUint8(1);
  if (flags > (FIRST | LAST)) throw new CursorError(argumentName, 'is not a cursor issued by this gateway');
  if (view.getUint32(2) !== connectionKey) {
    throw new CursorError(argumentName, 'belongs to another firewall or enterprise project; cursors only work for the connection that returned them');
  }
  return {
    offset: view.getUint32(6),
    prev: view.getUint32(10),
    id: view.getUint32(14),
    next: view.getUint32(18),
    first: (flags & FIRST) !== 0,
    last: (flags & LAST) !== 0,
  };
}
