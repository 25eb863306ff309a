// A read Page → the parts of a Relay connection: cursors and page info. Pure.
import { encodeCursor, NO_TASK } from './cursor.ts';
import type { Page } from './walk.ts';

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** Fingerprints of a page's items, computed once per page: each one serves up to three cursors. */
const fingerprintsOfPage = new WeakMap<Page<unknown>, Map<number, number>>();

/** The cursor of page.items[index]: its offset, and fingerprints of it and of its neighbours. */
export function cursorAt<T>(page: Page<T>, index: number, scope: number, fingerprint: (item: T) => number): string {
  let known = fingerprintsOfPage.get(page);
  if (known === undefined) {
    known = new Map();
    fingerprintsOfPage.set(page, known);
  }
  const memo = known;
  const fingerprintAt = (at: number) => {
    const item = page.items[at];
    if (item === undefined) return NO_TASK;
    let value = memo.get(at);
    if (value === undefined) {
      value = fingerprint(item);
      memo.set(at, value);
    }
    return value;
  };
  const offset = page.itemsOffset + index;
  return encodeCursor(scope, {
    offset,
    first: offset === 0,
    last: offset === page.total - 1,
    prev: fingerprintAt(index - 1),
    id: fingerprintAt(index),
    next: fingerprintAt(index + 1),
  });
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
