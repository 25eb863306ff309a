import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cursorAt, pageInfoOf } from '../../src/paging/connection.ts';
import { decodeCursor, encodeCursor, fingerprintOf, connectionKeyOf } from '../../src/paging/cursor.ts';
import { WarningCode } from '../../src/errors.ts';
import { readOnePage, readRange, type Page } from '../../src/paging/walk.ts';
import { pageRequestFromArgs, type ConnectionArgs } from '../../src/paging/page-request.ts';
import { idsOf, ListSource } from './list-source.ts';

const SCOPE = connectionKeyOf('fw-1', undefined);
const options = { fingerprint: fingerprintOf, driftWindow: 50 };

async function readPage(list: ListSource, args: ConnectionArgs): Promise<{ page: Page<string>; ids: string[]; start: string | null; end: string | null }> {
  const page = await readOnePage(pageRequestFromArgs(args, SCOPE), list.source, options);
  const info = pageInfoOf(page, SCOPE, fingerprintOf);
  return { page, ids: page.items.slice(page.from, page.to), start: info.startCursor, end: info.endCursor };
}

/** Walks the whole list forward (or backward), changing it between reads with `mutate`. */
async function walkAll(list: ListSource, direction: 'forward' | 'backward', size: () => number, mutate: (step: number) => void = () => undefined) {
  const seen: string[] = [];
  let cursor: string | null = null;
  const warnings: string[] = [];
  for (let step = 0; step < 10_000; step++) {
    const args: ConnectionArgs = direction === 'forward' ? { first: size(), after: cursor } : { last: size(), before: cursor };
    const { page, ids, start, end } = await readPage(list, args);
    if (page.warning !== undefined) warnings.push(page.warning.code);
    if (direction === 'forward') seen.push(...ids);
    else seen.unshift(...ids);
    const more = direction === 'forward' ? page.hasNextPage : page.hasPreviousPage;
    if (!more) return { seen, warnings, steps: step + 1 };
    const next = direction === 'forward' ? end : start;
    if (next !== null) cursor = next;
    mutate(step);
  }
  throw new Error('the walk did not end');
}

describe('walk over a list that does not change', () => {
  it('sees every item exactly once, in order, forward and backward, at any page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 1024 }),
        fc.constantFrom<'forward' | 'backward'>('forward', 'backward'),
        async (count, size, direction) => {
          const list = new ListSource(idsOf(count));
          const { seen } = await walkAll(list, direction, () => size);
          expect(seen).toEqual(list.items);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('costs one read per page forward, the first backward page two at most', async () => {
    const list = new ListSource(idsOf(100));
    const { steps } = await walkAll(list, 'forward', () => 10);
    expect(steps).toBe(10);
    expect(list.reads).toBe(10);
    const backward = new ListSource(idsOf(100));
    const result = await walkAll(backward, 'backward', () => 10);
    expect(result.steps).toBe(10);
    expect(backward.reads).toBe(11);
  });

  it('answers exact page info at both ends and in the middle', async () => {
    const list = new ListSource(idsOf(10));
    const first = await readPage(list, { first: 4 });
    expect(first.ids).toEqual(['t0', 't1', 't2', 't3']);
    expect(first.page).toMatchObject({ hasPreviousPage: false, hasNextPage: true, total: 10 });
    const middle = await readPage(list, { first: 4, after: first.end });
    expect(middle.ids).toEqual(['t4', 't5', 't6', 't7']);
    expect(middle.page).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const last = await readPage(list, { first: 4, after: middle.end });
    expect(last.ids).toEqual(['t8', 't9']);
    expect(last.page).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const back = await readPage(list, { last: 3, before: middle.start });
    expect(back.ids).toEqual(['t1', 't2', 't3']);
    expect(back.page).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const tail = await readPage(list, { last: 3 });
    expect(tail.ids).toEqual(['t7', 't8', 't9']);
    expect(tail.page).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('serves first: 0 and last: 0 with the total and page info but no items or cursors', async () => {
    const list = new ListSource(idsOf(5));
    const zero = await readPage(list, { first: 0 });
    expect(zero).toMatchObject({ ids: [], start: null, end: null });
    expect(zero.page).toMatchObject({ total: 5, hasNextPage: true, hasPreviousPage: false });
    const lastZero = await readPage(list, { last: 0 });
    expect(lastZero.ids).toEqual([]);
    expect(lastZero.page).toMatchObject({ total: 5, hasNextPage: false, hasPreviousPage: true });
  });

  it('answers a page past the end as empty, not an error', async () => {
    const list = new ListSource(idsOf(5));
    const all = await readPage(list, { first: 5 });
    const past = await readPage(list, { first: 5, after: all.end });
    expect(past.ids).toEqual([]);
    expect(past.page).toMatchObject({ hasNextPage: false, hasPreviousPage: true, total: 5 });
  });

  it('serves an empty list', async () => {
    const list = new ListSource([]);
    for (const args of [{ first: 10 }, { last: 10 }, {}]) {
      const result = await readPage(list, args);
      expect(result).toMatchObject({ ids: [], start: null, end: null });
      expect(result.page).toMatchObject({ total: 0, hasNextPage: false, hasPreviousPage: false });
    }
  });

  it('splits reads above the upstream limit', async () => {
    const list = new ListSource(idsOf(3000));
    const first = await readPage(list, { first: 1024 });
    expect(list.reads).toBe(1);
    list.reads = 0;
    const second = await readPage(list, { first: 1024, after: first.end });
    // 1024 items plus the one-item overlap that checks the cursor: two reads.
    expect(list.reads).toBe(2);
    expect(second.ids[0]).toBe('t1024');
    expect(second.ids).toHaveLength(1024);
  });

  it('gives each edge a cursor pointing at its own position', async () => {
    const list = new ListSource(idsOf(30));
    const { page } = await readPage(list, { first: 10, after: (await readPage(list, { first: 5 })).end });
    for (let index = page.from; index < page.to; index++) {
      const position = decodeCursor('after', cursorAt(page, index, SCOPE, fingerprintOf), SCOPE);
      expect(position.offset).toBe(page.itemsOffset + index);
      expect(position.id).toBe(fingerprintOf(`t${page.itemsOffset + index}`));
    }
  });
});

describe('walk over a list that changes between reads', () => {
  const change = fc.record({
    inserts: fc.integer({ min: 0, max: 6 }),
    deletes: fc.integer({ min: 0, max: 6 }),
    where: fc.constantFrom('head', 'anywhere', 'boundary'),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  });

  it('returns every item that exists for the whole walk exactly once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 250 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom<'forward' | 'backward'>('forward', 'backward'),
        fc.array(change, { minLength: 1, maxLength: 20 }),
        async (count, sizes, direction, changes) => {
          const list = new ListSource(idsOf(count));
          const removed = new Set<string>();
          let serial = 0;
          let sizeIndex = 0;
          let lastBoundary = 0;
          // The guarantee's condition: the cursor's task or its neighbour on the side already returned survives.
          let protectedId: string | undefined;
          const size = () => sizes[sizeIndex++ % sizes.length] ?? 1;
          const mutate = (step: number) => {
            // Changes stop after a while: a list that grows ahead of the walker forever has no end to reach.
            const plan = changes[step];
            if (plan === undefined) return;
            let random = plan.seed;
            const next = (bound: number) => {
              random = (random * 1103515245 + 12345) % 2147483648;
              return bound <= 0 ? 0 : random % bound;
            };
            for (let i = 0; i < plan.deletes && list.items.length > 0; i++) {
              const at = plan.where === 'head' ? 0 : plan.where === 'boundary' ? Math.min(list.items.length - 1, lastBoundary) : next(list.items.length);
              if (list.items[at] === protectedId) continue;
              const [gone] = list.items.splice(at, 1);
              if (gone !== undefined) removed.add(gone);
            }
            for (let i = 0; i < plan.inserts; i++) {
              const at = plan.where === 'head' ? 0 : plan.where === 'boundary' ? Math.min(list.items.length, lastBoundary) : next(list.items.length + 1);
              list.items.splice(at, 0, `new${serial++}`);
            }
          };
          const original = idsOf(count);
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let step = 0; step < 5_000; step++) {
            const args: ConnectionArgs = direction === 'forward' ? { first: size(), after: cursor } : { last: size(), before: cursor };
            const { page, ids, start, end } = await readPage(list, args);
            expect(page.warning).toBeUndefined();
            if (direction === 'forward') seen.push(...ids);
            else seen.unshift(...ids);
            lastBoundary = direction === 'forward' ? page.itemsOffset + page.to : Math.max(0, page.itemsOffset + page.from - 1);
            protectedId = direction === 'forward' ? page.items[page.to - 2] : page.items[page.from + 1];
            if (!(direction === 'forward' ? page.hasNextPage : page.hasPreviousPage)) break;
            cursor = (direction === 'forward' ? end : start) ?? cursor;
            mutate(step);
          }
          const survivors = original.filter((id) => !removed.has(id));
          const seenOriginals = seen.filter((id) => !id.startsWith('new'));
          // Every survivor exactly once, in the upstream's order; originals deleted mid-walk may or may not appear.
          expect(new Set(seen).size).toBe(seen.length);
          expect(seenOriginals.filter((id) => !removed.has(id))).toEqual(survivors);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds a cursor whose own task was deleted through its neighbour', async () => {
    const list = new ListSource(idsOf(20));
    const first = await readPage(list, { first: 5 });
    list.items.splice(list.items.indexOf('t4'), 1);
    list.items.unshift('x', 'y');
    const reads = list.reads;
    const next = await readPage(list, { first: 5, after: first.end });
    expect(next.ids).toEqual(['t5', 't6', 't7', 't8', 't9']);
    expect(next.page.warning).toBeUndefined();
    // The overlapping read saw the shift; one wider read found the neighbour.
    expect(list.reads - reads).toBe(2);
  });

  it('falls back to the old offset with a warning when the task is beyond the window', async () => {
    const list = new ListSource(idsOf(40));
    const first = await readPage(list, { first: 5 });
    list.items.unshift(...idsOf(200, 'n'));
    const next = await readPage(list, { first: 5, after: first.end });
    expect(next.page.warning?.code).toBe(WarningCode.CURSOR_POSITION_LOST);
    expect(next.ids).toEqual(['n5', 'n6', 'n7', 'n8', 'n9']);
  });
});

describe('walk against hostile cursors and large pages', () => {
  it('keeps reads bounded for any cursor a client can mint, whatever its offset and flags', async () => {
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    await fc.assert(
      fc.asyncProperty(
        u32,
        u32,
        u32,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1024 }),
        fc.boolean(),
        async (offset, prev, id, first, last, count, backward) => {
          const list = new ListSource(idsOf(30));
          const cursor = encodeCursor(SCOPE, { offset, prev, id, next: 0, first, last });
          const { ids, page } = await readPage(list, backward ? { last: count, before: cursor } : { first: count, after: cursor });
          expect(list.reads).toBeLessThanOrEqual(12);
          expect(ids.length).toBeLessThanOrEqual(count);
          expect(new Set(ids).size).toBe(ids.length);
          expect(page.total).toBe(30);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers a forged "last" cursor far beyond a short list with the list\'s last page', async () => {
    const list = new ListSource(idsOf(30));
    const cursor = encodeCursor(SCOPE, { offset: 4_000_000_000, prev: 0, id: 1, next: 0, first: false, last: true });
    const { ids } = await readPage(list, { last: 5, before: cursor });
    expect(ids).toEqual(['t25', 't26', 't27', 't28', 't29']);
    expect(list.reads).toBeLessThanOrEqual(4);
  });

  it('keeps large pages exact (reads split at the upstream limit) while fewer tasks than the drift window (50 here) are created between page fetches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 900, max: 1024 }),
        fc.constantFrom<'forward' | 'backward'>('forward', 'backward'),
        fc.integer({ min: 1, max: 49 }),
        async (size, direction, inserted) => {
          const list = new ListSource(idsOf(3000));
          let serial = 0;
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let step = 0; step < 50; step++) {
            const { page, ids, start, end } = await readPage(list, direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor });
            expect(page.warning).toBeUndefined();
            if (direction === 'forward') seen.push(...ids);
            else seen.unshift(...ids);
            if (!(direction === 'forward' ? page.hasNextPage : page.hasPreviousPage)) break;
            cursor = (direction === 'forward' ? end : start) ?? cursor;
            for (let i = 0; i < inserted; i++) list.items.unshift(`new${serial++}`);
          }
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.filter((id) => !id.startsWith('new'))).toEqual(idsOf(3000));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never joins split reads into a run with a task twice or missing, even when the list shifts between them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1025, max: 3000 }), fc.integer({ min: -3, max: 5 }), async (start, span, shift) => {
        const list = new ListSource(idsOf(5000));
        const source: typeof list.source = async (offset, limit) => {
          const slice = await list.source(offset, limit);
          // Between one read and the next, tasks are created (shift > 0) or deleted (shift < 0) at the head.
          if (shift > 0) list.items.unshift(...idsOf(shift, `n${list.reads}-`));
          else list.items.splice(0, -shift);
          return slice;
        };
        const { items } = await readRange(source, start, start + span, fingerprintOf);
        const first = idsOf(5000).indexOf(items[0] ?? '');
        expect(items).toEqual(idsOf(5000).slice(first, first + items.length));
        expect(items.length).toBeGreaterThanOrEqual(1024);
      }),
      { numRuns: 100 },
    );
  });
});

describe("walk over a list that changes after every single read (as the simulator's drift does)", () => {
  it("ends the first `last` page at the list's end although the list changed between the total and the page", async () => {
    const list = new ListSource(idsOf(1000));
    let serial = 0;
    list.afterRead = () => {
      list.items.splice(500, 2);
      list.items.splice(700, 0, `new${serial++}`, `new${serial++}`, `new${serial++}`);
    };
    const { ids, page } = await readPage(list, { last: 10 });
    // Read 1 learnt the total, read 2 found it changed, read 3 (with room either side) is the page.
    expect(list.reads).toBe(3);
    expect(ids).toEqual(idsOf(1000).slice(990));
    expect(page).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('says hasNextPage when the list grew past the room between the reads', async () => {
    const list = new ListSource(idsOf(100));
    let serial = 0;
    list.afterRead = () => {
      list.items.push(...Array.from({ length: 60 }, () => `new${serial++}`));
    };
    const { page } = await readPage(list, { last: 10 });
    expect(page.hasNextPage).toBe(true);
  });

  it('returns every item that exists for the whole walk exactly once, in order, both ways', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom<'forward' | 'backward'>('forward', 'backward'),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (count, size, direction, inserts, deletes, seed) => {
          const list = new ListSource(idsOf(count));
          let random = seed;
          const next = (bound: number) => {
            random = (random * 1103515245 + 12345) % 2147483648;
            return bound <= 0 ? 0 : random % bound;
          };
          let serial = 0;
          list.afterRead = (read) => {
            // Changes stop after a while: a list that grows ahead of the walker forever has no end.
            if (read > 60) return;
            // Tasks created and deleted mid-walk, anywhere: offsets shift both ways after every read,
            // while every original task exists for the whole walk. Only tasks no read has returned
            // are deleted, so a cursor's task always survives (the guarantee's condition).
            for (let i = 0; i < inserts; i++) list.items.splice(next(list.items.length + 1), 0, `new${serial++}`);
            for (let i = 0; i < deletes; i++) {
              const created = list.items.flatMap((id, at) => (id.startsWith('new') && !list.readIds.has(id) ? [at] : []));
              if (created.length === 0) break;
              list.items.splice(created[next(created.length)] ?? 0, 1);
            }
          };
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let step = 0; step < 5_000; step++) {
            const args: ConnectionArgs = direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor };
            const { page, ids, start, end } = await readPage(list, args);
            expect(page.warning).toBeUndefined();
            if (direction === 'forward') seen.push(...ids);
            else seen.unshift(...ids);
            if (!(direction === 'forward' ? page.hasNextPage : page.hasPreviousPage)) break;
            cursor = (direction === 'forward' ? end : start) ?? cursor;
          }
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.filter((id) => !id.startsWith('new'))).toEqual(idsOf(count));
        },
      ),
      { numRuns: 500 },
    );
  });
});
