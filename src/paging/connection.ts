// A read Page → the parts of a Relay connection: cursors and page info. Pure.
import { encodeCursor, NO_TASK } from './cursor.ts';
import type { Page } from './walk.ts';

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** A page's cursors for one scope, each encoded once however many fields ask for it. */
interface PageCursors {
  readonly scope: number;
  /** Fingerprints of page.items, filled as needed: each one serves up to three cursors. */
  readonly fingerprints: (number | undefined)[];
  /** Cursors by index into page.items. */
  readonly cursors: (string | undefined)[];
}

const cursorsOfPage = new WeakMap<Page<unknown>, PageCursors>();

function cursorsOf<T>(page: Page<T>, scope: number): PageCursors {
  let known = cursorsOfPage.get(page);
  if (known === undefined || known.scope !== scope) {
    known = { scope, fingerprints: new Array<number | undefined>(page.items.length), cursors: new Array<string | undefined>(page.items.length) };
    cursorsOfPage.set(page, known);
  }
  return known;
}

/** The cursor of page.items[index]: its offset, and fingerprints of it and of its neighbours. */
export function cursorAt<T>(page: Page<T>, index: number, scope: number, fingerprint: (item: T) => number): string {
  const known = cursorsOf(page, scope);
  const cached = known.cursors[index];
  if (cached !== undefined) return cached;
  const fingerprintAt = (at: number) => {
    const item = page.items[at];
    if (item === undefined) return NO_TASK;
    let value = known.fingerprints[at];
    if (value === undefined) {
      value = fingerprint(item);
      known.fingerprints[at] = value;
    }
    return value;
  };
  const offset = page.itemsOffset + index;
  const cursor = encodeCursor(scope, {
    offset,
    first: offset === 0,
    last: offset === page.total - 1,
    prev: fingerprintAt(index - 1),
    id: fingerprintAt(index),
    next: fingerprintAt(index + 1),
  });
  if (index >= 0 && index < page.items.length) known.cursors[index] = cursor;
  return cursor;
}

export function pageInfoOf<T>(page: Page<T>, scope: number, fingerprint: (item: T) => number): PageInfo {
  const empty = page.from >= page.to;
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: empty ? null : cursorAt(page, page.from, scope, fingerprint),
    endCursor: empty ? null : cursorAt(page, page.to - 1, scope, fingerprint),
  };
}
