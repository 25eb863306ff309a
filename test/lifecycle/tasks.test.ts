// Finding tasks in a list with no read-by-id: one read of 1,024 for a list that fits, more only
// while the total says so, each overlapping the one before, stopping at the first match.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hasId, scanTasks, type PageReader } from '../../src/lifecycle/tasks.ts';
import type { CaptureTaskRecord } from '../../src/upstream/wire.ts';

/** A list of `count` tasks and a reader over it that records each read. */
function listOf(count: number): { tasks: CaptureTaskRecord[]; reads: [number, number][]; read: PageReader } {
  const tasks = Array.from({ length: count }, (_, index): CaptureTaskRecord => ({ task_id: `t${index}`, name: `n${index}` }));
  const reads: [number, number][] = [];
  return {
    tasks,
    reads,
    read: (offset, limit) => {
      reads.push([offset, limit]);
      return Promise.resolve({ total: tasks.length, records: tasks.slice(offset, offset + limit) });
    },
  };
}

describe('scanTasks', () => {
  it.each([
    [0, [[0, 1024]]],
    [57, [[0, 1024]]],
    [1024, [[0, 1024]]],
    [
      1025,
      [
        [0, 1024],
        [1023, 1024],
      ],
    ],
    [
      3500,
      [
        [0, 1024],
        [1023, 1024],
        [2046, 1024],
        [3069, 1024],
      ],
    ],
  ])('reads a list of %i tasks whole with these reads', async (count, expected) => {
    const list = listOf(count);
    const scan = await scanTasks(list.read);
    expect(list.reads).toEqual(expected);
    expect(scan.records.map((task) => task.task_id)).toEqual(list.tasks.map((task) => task.task_id));
    expect(scan.match).toBeUndefined();
  });

  it('stops at the first match: a task on the first page costs one read', async () => {
    const list = listOf(3500);
    expect((await scanTasks(list.read, hasId('t1000'))).match).toEqual({ task_id: 't1000', name: 'n1000' });
    expect(list.reads).toHaveLength(1);
  });

  it('finds any task of any list, each once, with ⌈(n−1)/1023⌉ reads at most (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), fc.nat(), async (count, pick) => {
        const list = listOf(count);
        const wanted = `t${pick % count}`;
        const scan = await scanTasks(list.read, hasId(wanted));
        expect(scan.match?.task_id).toBe(wanted);
        expect(new Set(scan.records.map((task) => task.task_id)).size).toBe(scan.records.length);
        expect(list.reads.length).toBeLessThanOrEqual(Math.max(1, Math.ceil((count - 1) / 1023)));
      }),
      { numRuns: 200 },
    );
  });

  it('loses no task when one before a page seam is deleted between two reads', async () => {
    const list = listOf(2000);
    const read: PageReader = async (offset, limit) => {
      const page = await list.read(offset, limit);
      // After the first read, a task at the head is deleted: every later task moves back by one.
      if (offset === 0) list.tasks.splice(0, 1);
      return page;
    };
    const scan = await scanTasks(read);
    expect(scan.records).toHaveLength(2000);
  });
});
