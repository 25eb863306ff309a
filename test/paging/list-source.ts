// An in-memory upstream for the pure paging tests: a list of ids read by offset and limit, which
// can be changed between reads, with a count of reads.
import { UPSTREAM_MAX_LIMIT } from '../../src/upstream/codes.ts';
import type { Slice, SliceSource } from '../../src/paging/walk.ts';

export class ListSource {
  items: string[];
  reads = 0;
  /** Every id any read returned. */
  readonly readIds = new Set<string>();
  /** Called after every read, as the simulator's drift is: the list may change between any two reads. */
  afterRead: (read: number) => void = () => undefined;
  constructor(items: readonly string[]) {
    this.items = [...items];
  }
  readonly source: SliceSource<string> = (offset, limit) => {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > UPSTREAM_MAX_LIMIT) {
      return Promise.reject(new Error(`bad read: offset ${offset}, limit ${limit}`));
    }
    this.reads++;
    const slice: Slice<string> = { total: this.items.length, items: this.items.slice(offset, offset + limit) };
    for (const id of slice.items) this.readIds.add(id);
    this.afterRead(this.reads);
    return Promise.resolve(slice);
  };
}

export const idsOf = (count: number, prefix = 't') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
