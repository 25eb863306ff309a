// A read Page → the parts of a Relay connection: cursors and page info. Pure.
import { encodeCursor, NO_TASK } from './cursor.ts';
import type { Page } from './walk.ts';

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** The cursor of page.items[index]: its offset, and fingerprints of it and of its neighbours. */
export function cursorAt<T>(page: Page<T>, index: number, scope: number, fingerprint: (item: T) => number): string {
  const fingerprintAt = (at: number) => {
    const item = page.items[at];
    return item === undefined ? NO_TASK : fingerprint(item);
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
