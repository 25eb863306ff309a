// Which queued fault a request takes, and when it acts: pure decisions, tested directly.
import { describe, expect, it } from '@jest/globals';
import { faultMatches, isFault, phaseOfFault, takeFault, type Fault } from '../../src/simulator/faults.ts';

const CREATE = { method: 'POST', path: '/capture-task' };
const LIST = { method: 'GET', path: '/capture-task' };
const DELETE = { method: 'POST', path: '/capture-task/batch-delete' };
const RESULT = { method: 'GET', path: '/capture-task/capture-result' };

describe('faultMatches', () => {
  it('matches every request without a match, and method and path (case-insensitive method, trailing slash ignored) with one', () => {
    expect(faultMatches({ kind: 'reset' }, LIST)).toBe(true);
    expect(faultMatches({ kind: 'reset', match: { method: 'post' } }, CREATE)).toBe(true);
    expect(faultMatches({ kind: 'reset', match: { method: 'POST' } }, LIST)).toBe(false);
    expect(faultMatches({ kind: 'reset', match: { path: '/capture-task/' } }, LIST)).toBe(true);
    expect(faultMatches({ kind: 'reset', match: { method: 'POST', path: '/capture-task' } }, DELETE)).toBe(false);
  });

  it('lets forget-delete and file-list match only their own call', () => {
    expect(faultMatches({ kind: 'forget-delete' }, DELETE)).toBe(true);
    expect(faultMatches({ kind: 'forget-delete' }, CREATE)).toBe(false);
    expect(faultMatches({ kind: 'file-list' }, RESULT)).toBe(true);
    expect(faultMatches({ kind: 'file-list' }, LIST)).toBe(false);
    expect(faultMatches({ kind: 'file-list', match: { method: 'POST' } }, RESULT)).toBe(false);
  });
});

describe('takeFault', () => {
  it('takes the first queued fault that matches, leaving the others queued in order', () => {
    const faults: Fault[] = [{ kind: 'status', status: 503, match: CREATE }, { kind: 'forget-delete' }, { kind: 'hang' }];
    expect(takeFault(faults, LIST)).toEqual({ kind: 'hang' });
    expect(faults.map((fault) => fault.kind)).toEqual(['status', 'forget-delete']);
    expect(takeFault(faults, DELETE)).toEqual({ kind: 'forget-delete' });
    expect(takeFault(faults, LIST)).toBeUndefined();
    expect(takeFault(faults, CREATE)).toEqual({ kind: 'status', status: 503, match: CREATE });
    expect(faults).toEqual([]);
  });

  it('counts `times` down where the fault stands', () => {
    const faults: Fault[] = [
      { kind: 'reset', match: CREATE },
      { kind: 'latency', ms: 1, times: 2 },
    ];
    expect(takeFault(faults, LIST)).toEqual({ kind: 'latency', ms: 1, times: 2 });
    expect(faults).toEqual([
      { kind: 'reset', match: CREATE },
      { kind: 'latency', ms: 1, times: 1 },
    ]);
    takeFault(faults, LIST);
    expect(faults).toEqual([{ kind: 'reset', match: CREATE }]);
  });
});

describe('phaseOfFault', () => {
  it.each([
    [{ kind: 'status', status: 503 }, 'instead'],
    [{ kind: 'reset' }, 'instead'],
    [{ kind: 'hang' }, 'instead'],
    [{ kind: 'latency', ms: 5 }, 'delay'],
    [{ kind: 'reset-after-apply' }, 'after-apply'],
    [{ kind: 'hang-after-apply' }, 'after-apply'],
    [{ kind: 'forget-delete' }, 'in-call'],
    [{ kind: 'file-list' }, 'in-call'],
  ] satisfies [Fault, string][])('%p acts %p', (fault, phase) => {
    expect(phaseOfFault(fault)).toBe(phase);
  });
});

describe('isFault', () => {
  it.each([
    [{ kind: 'reset-after-apply', match: { method: 'POST', path: '/capture-task' }, times: 2 }],
    [{ kind: 'forget-delete' }],
    [{ kind: 'file-list', match: {} }],
  ])('accepts %p', (value) => {
    expect(isFault(value)).toBe(true);
  });

  it.each([
    [{ kind: 'reset', match: null }],
    [{ kind: 'reset', match: { path: 'no-slash' } }],
    [{ kind: 'reset', match: { method: 'PO ST' } }],
    [{ kind: 'reset', match: { path: `/${'x'.repeat(200)}` } }],
    [{ kind: 'reset', times: 0 }],
    [['reset']],
  ])('refuses %p', (value) => {
    expect(isFault(value)).toBe(false);
  });
});
