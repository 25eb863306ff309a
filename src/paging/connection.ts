// A read Page → the parts of a Relay connection: cursors and page info. Pure.
import { encodeCursor, NO_TASK } from './cursor.ts';
import type { Page } from './walk.ts';

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** A cursor issued for an item, and what it was made from. */
interface IssuedCursor {
  readonly fingerprint: (item: never) => number;
  readonly connectionKey: number;
  readonly offset: number;
  readonly total: number;
  readonly prev: number;
  readonly next: number;
  readonly cursor: string;
}

/**
 * Fingerprints and cursors already worked out, by item (an upstream record, shared by the operations
 * that share its read): each cursor is encoded once while its item, position and neighbours stay the
 * same. Why per record, and the figures: bench/results/caches.md.
 */
const fingerprintsByFunction = new WeakMap<(item: never) => number, WeakMap<object, number>>();
const cursorByItem = new WeakMap<object, IssuedCursor>();

function fingerprintsOf(fingerprint: (item: never) => number): WeakMap<object, number> {
  let known = fingerprintsByFunction.get(fingerprint);
  if (known === undefined) {
    known = new WeakMap();
    fingerprintsByFunction.set(fingerprint, known);
  }
  return known;
}

/** The fingerprint of page.items[at], worked out once per item; NO_TASK past either end. */
function fingerprintAt<T>(page: Page<T>, at: number, fingerprint: (item: T) => number, known: WeakMap<object, number>): number {
  const item = page.items[at];
  if (item === undefined) return NO_TASK;
  if (typeof item !== 'object' || item === null) return fingerprint(item);
  let value = known.get(item);
  if (value === undefined) {
    value = fingerprint(item);
    known.set(item, value);
  }
  return value;
}

/** The cursor of page.items[index]: its offset, and fingerprints of it and of its neighbours. */
export function cursorAt<T>(page: Page<T>, index: number, connectionKey: number, fingerprint: (item: T) => number): string {
  const known = fingerprintsOf(fingerprint);
  const offset = page.itemsOffset + index;
  const prev = fingerprintAt(page, index - 1, fingerprint, known);
  const next = fingerprintAt(page, index + 1, fingerprint, known);
  const item = page.items[index];
  const memo = typeof item === 'object' && item !== null ? item : undefined;
  const issued = memo === undefined ? undefined : cursorByItem.get(memo);
  if (
    issued !== undefined &&
    issued.fingerprint === fingerprint &&
    issued.connectionKey === connectionKey &&
    issued.offset === offset &&
    issued.total === page.total &&
    issued.prev === prev &&
    issued.next === next
  ) {
    return issued.cursor;
  }
  const cursor = encodeCursor(connectionKey, {
    offset,
    first: offset === 0,
    last: offset === page.total - 1,
    prev,
    id: fingerprintAt(page, index, fingerprint, known),
    next,
  });
  if (memo !== undefined) cursorByItem.set(memo, { fingerprint, connectionKey, offset, total: page.total, prev, next, cursor });
  return cursor;
}

export function pageInfoOf<T>(page: Page<T>, connectionKey: number, fingerprint: (item: T) => number): PageInfo {
  const empty = page.from >= page.to;
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: empty ? null : cursorAt(page, page.from, connectionKey, fingerprint),
    endCursor: empty ? null : cursorAt(page, page.to - 1, connectionKey, fingerprint),
  };
}
