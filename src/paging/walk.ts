// Reading one page of a Relay connection from an offset-paged list that changes while clients page.
//
// A cursor remembers its task's offset and fingerprints of the task and its neighbours. A page
// read after (or before) a cursor overlaps that task by one item: when the item at the cursor's
// offset is still the cursor's task, nothing moved before it and the page is exact, in the same
// single upstream call a plain offset page would need. When it is not, the list shifted: the task
// (or, if it was deleted, its neighbour on the side already returned, or the list's start or end it
// stood at) is looked for within `driftWindow` items of the old offset,
// in one wider read, and the page continues right after (or before) it. Only when none is found
// does the page fall back to the old offset, and then it says so with a warning.
//
// No I/O here: items come from a SliceSource, which the caller backs with the upstream client.
import { WarningCode } from '../errors.ts';
import { UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import { NO_TASK, type CursorPosition } from './cursor.ts';
import type { PageRequest } from './page-request.ts';

/** What one upstream read returns: the items from the asked offset on, and the list's total. */
export interface Slice<T> {
  readonly total: number;
  readonly items: readonly T[];
}

/** Reads up to `limit` items (1..UPSTREAM_MAX_LIMIT) from `offset`. */
export type SliceSource<T> = (offset: number, limit: number) => Promise<Slice<T>>;

export interface PageReadOptions<T> {
  /** The fingerprint (cursor.ts fingerprintOf) of an item's id. */
  readonly fingerprint: (item: T) => number;
  /** How many items either side of a cursor's old offset its task is looked for. */
  readonly driftWindow: number;
}

export interface PagingWarning {
  readonly code: typeof WarningCode.CURSOR_POSITION_LOST;
  readonly message: string;
}

/** A run of consecutive items of the list, and which part of it is the page. */
export interface Page<T> {
  /** Consecutive items around the page: the page is items[from, to); the rest give cursors context. */
  readonly items: readonly T[];
  /** The absolute index of items[0] in the list. */
  readonly itemsOffset: number;
  readonly from: number;
  readonly to: number;
  /** All items in the list, as the latest read counted them. */
  readonly total: number;
  readonly hasPreviousPage: boolean;
  readonly hasNextPage: boolean;
  readonly warning: PagingWarning | undefined;
}

/** The most items one range read may span: a page, its overlap and a drift window, with room. */
export const MAX_RANGE_ITEMS = 4 * UPSTREAM_MAX_LIMIT;

/**
 * Reads items [start, end) with as few calls as the upstream's page limit allows, issued together.
 * An empty range still reads one item, since every read is also how the total is learnt. When the
 * range needs several reads, each overlaps the one before by an item, and a read is joined right
 * after that item wherever it now stands: a list that shifted between two reads yields a shorter run
 * of items, never a run with a task twice or a task missing. A range wider than MAX_RANGE_ITEMS is
 * cut there.
 */
export async function readRange<T>(source: SliceSource<T>, start: number, end: number, fingerprint: (item: T) => number): Promise<Slice<T>> {
  const stop = Math.min(Math.max(end, start + 1), start + MAX_RANGE_ITEMS);
  const reads: Promise<Slice<T>>[] = [];
  for (let offset = start; ; offset += UPSTREAM_MAX_LIMIT - 1) {
    reads.push(source(offset, Math.min(UPSTREAM_MAX_LIMIT, stop - offset)));
    if (offset + UPSTREAM_MAX_LIMIT >= stop) break;
  }
  const slices = await Promise.all(reads);
  const first = slices[0];
  if (first === undefined) throw new Error('readRange: no read was made');
  const items: T[] = [...first.items];
  let previous = first;
  for (const slice of slices.slice(1)) {
    // A short read is the end of the list; a later read cannot continue it.
    if (previous.items.length < UPSTREAM_MAX_LIMIT) break;
    const seam = items.at(-1);
    if (seam === undefined) break;
    // Tasks created before the seam between the two reads push it right: continue after it there.
    const wanted = fingerprint(seam);
    const at = slice.items.findIndex((item) => fingerprint(item) === wanted);
    if (at < 0) break;
    items.push(...slice.items.slice(at + 1));
    if (at > 0) break;
    previous = slice;
  }
  return { total: first.total, items: items.slice(0, Math.max(0, end - start)) };
}

/** The index of the item with this fingerprint closest to `near`, or -1. */
function nearest<T>(items: readonly T[], wanted: number, near: number, options: PageReadOptions<T>): number {
  if (wanted === NO_TASK) return -1;
  const reach = Math.max(near, items.length - near);
  for (let distance = 0; distance <= reach; distance++) {
    for (const index of distance === 0 ? [near] : [near - distance, near + distance]) {
      const item = items[index];
      if (item !== undefined && options.fingerprint(item) === wanted) return index;
    }
  }
  return -1;
}

function pageOf<T>(items: readonly T[], itemsOffset: number, from: number, to: number, total: number, warning?: PagingWarning): Page<T> {
  const end = Math.min(to, items.length);
  const start = Math.min(from, end);
  return {
    items,
    itemsOffset,
    from: start,
    to: end,
    total,
    hasPreviousPage: itemsOffset + start > 0,
    hasNextPage: itemsOffset + end < total,
    warning,
  };
}

function lostWarning(argument: 'after' | 'before'): PagingWarning {
  return {
    code: WarningCode.CURSOR_POSITION_LOST,
    message: `The list changed too much since the \`${argument}\` cursor was issued to find its task again; this page starts at the cursor's old position, so tasks may be repeated or missed. Start again from the first page for an exact walk.`,
  };
}

async function forwardFromStart<T>(count: number, source: SliceSource<T>, options: PageReadOptions<T>): Promise<Page<T>> {
  const slice = await readRange(source, 0, count, options.fingerprint);
  return pageOf(slice.items, 0, 0, count, slice.total);
}

async function forwardAfter<T>(count: number, after: CursorPosition, source: SliceSource<T>, options: PageReadOptions<T>): Promise<Page<T>> {
  const at = after.offset;
  // Overlap by one: the first item read should be the cursor's own task.
  const slice = await readRange(source, at, at + count + 1, options.fingerprint);
  const head = slice.items[0];
  if (head !== undefined && options.fingerprint(head) === after.id) {
    return pageOf(slice.items, at, 1, 1 + count, slice.total);
  }

  const low = Math.max(0, at - options.driftWindow);
  const window = await readRange(source, low, at + count + 1 + options.driftWindow, options.fingerprint);
  const near = at - low;
  let start: number;
  let warning: PagingWarning | undefined;
  let found: number;
  // The cursor's task gone, anchor on the neighbour the client has already seen (the one before it)
  // before the one it has not: tasks inserted in the gap are then shown, not skipped. backwardBefore
  // tries them the other way round, for the same reason.
  if ((found = nearest(window.items, after.id, near, options)) >= 0) start = found + 1;
  else if ((found = nearest(window.items, after.prev, near - 1, options)) >= 0) start = found + 1;
  else if (after.first) start = 0;
  else if ((found = nearest(window.items, after.next, near + 1, options)) >= 0) start = found;
  else {
    start = near + 1;
    warning = lostWarning('after');
  }
  let items = window.items;
  let total = window.total;
  const readEnd = low + items.length;
  if (start + count > items.length && readEnd < total) {
    // The task moved so far ahead that the page runs past the window: read the rest of it.
    const rest = await readRange(source, readEnd, low + start + count, options.fingerprint);
    items = [...items, ...rest.items];
    total = rest.total;
  }
  return pageOf(items, low, start, start + count, total, warning);
}

async function backwardFromEnd<T>(count: number, source: SliceSource<T>, options: PageReadOptions<T>): Promise<Page<T>> {
  // The first read learns the total; when the whole list fits in it, it is the only read.
  const head = await readRange(source, 0, count, options.fingerprint);
  let total = head.total;
  if (total <= head.items.length) return pageOf(head.items, 0, Math.max(0, head.items.length - count), head.items.length, total);
  if (count === 0) return pageOf([], total, 0, 0, total);
  const tail = await readRange(source, total - count, total, options.fingerprint);
  if (tail.total === total) return pageOf(tail.items, total - count, 0, count, total);
  // Tasks came or went between the two reads. Read the new end once more with room either side for
  // further change, and take the page from where that one answer puts the end: a single read is
  // consistent with its own total, however often the list changes between reads.
  total = tail.total;
  const slack = Math.max(0, Math.min(options.driftWindow, Math.floor((UPSTREAM_MAX_LIMIT - count) / 2)));
  const low = Math.max(0, total - count - slack);
  const again = await readRange(source, low, total + slack, options.fingerprint);
  if (low + again.items.length >= again.total) return pageOf(again.items, low, Math.max(0, again.items.length - count), again.items.length, again.total);
  // The list grew by more than the room between the reads: the page ends before the list does, and
  // hasNextPage says so.
  return pageOf(again.items, low, Math.max(0, total - count - low), total - low, again.total);
}

async function backwardBefore<T>(count: number, before: CursorPosition, source: SliceSource<T>, options: PageReadOptions<T>): Promise<Page<T>> {
  const at = before.offset;
  const first = Math.max(0, at - count);
  // Overlap by one: the last item read should be the cursor's own task.
  const slice = await readRange(source, first, at + 1, options.fingerprint);
  const tail = slice.items[at - first];
  if (tail !== undefined && options.fingerprint(tail) === before.id) {
    return pageOf(slice.items, first, 0, at - first, slice.total);
  }

  let low = Math.max(0, at - count - options.driftWindow);
  const window = await readRange(source, low, at + 1 + options.driftWindow, options.fingerprint);
  const near = at - low;
  let end: number;
  let warning: PagingWarning | undefined;
  let found: number;
  // The cursor's task gone, anchor on the neighbour the client has already seen (the one after it)
  // before the one it has not, so tasks inserted in the gap are shown; forwardAfter is the mirror.
  if ((found = nearest(window.items, before.id, near, options)) >= 0) end = found;
  else if ((found = nearest(window.items, before.next, near + 1, options)) >= 0) end = found;
  else if (before.last && window.total <= low) {
    // The list now ends before the window (it shrank a lot): its end is where this page ends.
    return backwardFromEnd(count, source, options);
  } else if (before.last && window.total <= low + window.items.length) end = window.total - low;
  else if ((found = nearest(window.items, before.prev, near - 1, options)) >= 0) end = found + 1;
  else {
    end = Math.min(near, window.items.length);
    warning = lostWarning('before');
  }
  let items = window.items;
  let total = window.total;
  if (end - count < 0 && low > 0) {
    // The task moved so far back that the page starts before the window: read the start of it.
    const newLow = Math.max(0, low + end - count);
    const head = await readRange(source, newLow, low, options.fingerprint);
    items = [...head.items, ...items];
    end += low - newLow;
    total = head.total;
    low = newLow;
  }
  return pageOf(items, low, Math.max(0, end - count), end, total, warning);
}

/** Reads the one page a PageRequest asks for (a client walks the list by asking page after page). */
export function readOnePage<T>(request: PageRequest, source: SliceSource<T>, options: PageReadOptions<T>): Promise<Page<T>> {
  if (request.direction === 'forward') {
    return request.after === undefined ? forwardFromStart(request.count, source, options) : forwardAfter(request.count, request.after, source, options);
  }
  return request.before === undefined ? backwardFromEnd(request.count, source, options) : backwardBefore(request.count, request.before, source, options);
}
