import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CURSOR_VERSION, decodeCursor, encodeCursor, fingerprintOf, NO_TASK, connectionKeyOf } from '../../src/paging/cursor.ts';
import { CursorError } from '../../src/errors.ts';

const SCOPE = connectionKeyOf('ebf891cd-2163-48a0-9963-6309f99dd3c4', undefined);
const position = { offset: 41, prev: fingerprintOf('a'), id: fingerprintOf('b'), next: fingerprintOf('c'), first: false, last: false };

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CursorError) return error.message;
    throw error;
  }
  throw new Error('no CursorError was thrown');
}

describe('cursor codec', () => {
  it('round-trips any position', () => {
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(
      fc.property(
        fc.record({ offset: u32, prev: u32, id: u32, next: u32, first: fc.boolean(), last: fc.boolean() }),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (at, firewall, project) => {
          const scope = connectionKeyOf(firewall, project);
          expect(decodeCursor('after', encodeCursor(scope, at), scope)).toEqual(at);
        },
      ),
    );
  });

  it('is short, opaque and URL-safe', () => {
    const cursor = encodeCursor(SCOPE, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{35}$/);
    expect(cursor).not.toContain('41');
  });

  it('pins the format: a cursor issued today still reads the same', () => {
    // Golden value: changing the layout must bump CURSOR_VERSION, which breaks this on purpose.
    expect(encodeCursor(SCOPE, position)).toBe(GOLDEN);
    expect(CURSOR_VERSION).toBe(1);
  });

  it('rejects any change to any character (tampering) with a clear reason naming the argument', () => {
    const cursor = encodeCursor(SCOPE, position);
    for (let index = 0; index < cursor.length; index++) {
      const swapped = cursor[index] === 'A' ? 'B' : 'A';
      const tampered = cursor.slice(0, index) + swapped + cursor.slice(index + 1);
      expect(() => decodeCursor('before', tampered, SCOPE)).toThrow(CursorError);
      expect(reasonOf(() => decodeCursor('before', tampered, SCOPE))).toMatch(/^`before` /);
    }
  });

  it('rejects a truncated or extended cursor', () => {
    const cursor = encodeCursor(SCOPE, position);
    expect(reasonOf(() => decodeCursor('after', cursor.slice(0, -4), SCOPE))).toBe(
      '`after` is not a cursor issued by this gateway (wrong length: truncated or altered)',
    );
    expect(reasonOf(() => decodeCursor('after', `${cursor}AAAA`, SCOPE))).toBe(
      '`after` is not a cursor issued by this gateway (wrong length: truncated or altered)',
    );
  });

  it('rejects a cursor of another firewall or enterprise project', () => {
    const cursor = encodeCursor(SCOPE, position);
    const expected = '`after` belongs to another firewall or enterprise project; cursors only work for the connection that returned them';
    expect(reasonOf(() => decodeCursor('after', cursor, connectionKeyOf('another-firewall', undefined)))).toBe(expected);
    expect(reasonOf(() => decodeCursor('after', cursor, connectionKeyOf('ebf891cd-2163-48a0-9963-6309f99dd3c4', 'ep-finance')))).toBe(expected);
  });

  it('rejects a cursor of another version', () => {
    const bytes = Buffer.from(encodeCursor(SCOPE, position), 'base64url');
    bytes[0] = 2;
    // Re-seal it so only the version differs.
    const resealed = Buffer.from(encodeCursor(SCOPE, position), 'base64url');
    resealed[0] = 2;
    const body = resealed.subarray(0, 22);
    let hash = 0x811c9dc5 ^ 0x5bd1e995;
    for (const byte of body) hash = Math.imul(hash ^ byte, 0x01000193);
    resealed.writeUInt32BE(hash >>> 0, 22);
    expect(reasonOf(() => decodeCursor('after', resealed.toString('base64url'), SCOPE))).toBe(
      '`after` was issued by another version of the gateway (cursor version 2, expected 1); start again from the first page',
    );
    expect(reasonOf(() => decodeCursor('after', bytes.toString('base64url'), SCOPE))).toBe(
      '`after` is damaged or was altered; use a cursor exactly as the gateway returned it',
    );
  });

  it('rejects garbage of any kind without throwing anything but a CursorError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(() => decodeCursor('after', text, SCOPE)).toThrow(CursorError);
      }),
    );
    expect(reasonOf(() => decodeCursor('after', 'YXJyYXljb25uZWN0aW9uOjE=', SCOPE))).toBe('`after` is not a cursor issued by this gateway');
  });

  it('never gives a task the fingerprint that means "no task"', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        expect(fingerprintOf(id)).not.toBe(NO_TASK);
      }),
    );
  });
});

const GOLDEN = 'AQDGZLpZAAAAKeQMKSznDC3l5gwsUmCBj2U';
