// CFW refusals → user errors: the list's facts first, then the codes CFW plausibly uses, then
// REJECTED with CFW's code in the message.
import { describe, expect, it } from '@jest/globals';
import { createRefusal, deleteRefusal, stopRefusal } from '../../src/lifecycle/refusals.ts';

const noFacts = { nameTakenBy: undefined, busyTask: undefined };

describe('createRefusal', () => {
  it.each([
    ['CFW.00200016', 'CAPTURE_IN_PROGRESS'],
    ['CFW.00200024', 'QUOTA_EXCEEDED'],
    ['CFW.00200007', 'NAME_TAKEN'],
    ['CFW.00200009', 'NAME_TAKEN'],
    ['CFW.00200002', 'REJECTED'],
    ['CFW.09999999', 'REJECTED'],
    [undefined, 'REJECTED'],
  ])('maps %s to %s, naming the code', (code, expected) => {
    const error = createRefusal(code, noFacts);
    expect(error.code).toBe(expected);
    expect(error.message).toContain(code ?? 'no error code');
  });

  it('believes the list over the code: a racing create that won makes it NAME_TAKEN', () => {
    expect(createRefusal('CFW.00200016', { nameTakenBy: 't-1', busyTask: 't-1' })).toEqual({
      field: ['input', 'name'],
      code: 'NAME_TAKEN',
      message: 'CFW refused the capture (CFW.00200016): task t-1 now has this name (another create with it went first).',
    });
  });

  it('copes with an unknown code for "a capture is running" when the list shows one', () => {
    expect(createRefusal('CFW.00200099', { nameTakenBy: undefined, busyTask: 't-2' })).toMatchObject({ code: 'CAPTURE_IN_PROGRESS', field: null });
  });
});

describe('stopRefusal and deleteRefusal', () => {
  it('maps a stop', () => {
    expect(stopRefusal('CFW.00200016')).toMatchObject({ code: 'NOT_RUNNING', field: ['input', 'id'] });
    expect(stopRefusal('CFW.00200005')).toMatchObject({ code: 'NOT_FOUND' });
    expect(stopRefusal('CFW.00200002')).toMatchObject({ code: 'REJECTED', message: 'CFW refused the stop (CFW.00200002).' });
    expect(stopRefusal('CFW.00200002', 'req-9')).toMatchObject({ code: 'REJECTED', message: 'CFW refused the stop (CFW.00200002, CFW request id req-9).' });
    expect(createRefusal('CFW.00200002', noFacts, 'req-9').message).toBe(
      "CFW refused the capture (CFW.00200002, CFW request id req-9); check the input against CFW's rules.",
    );
    expect(deleteRefusal('CFW.00200001', ['input', 'ids', '0'], 'req-9').message).toBe('CFW refused the delete (CFW.00200001, CFW request id req-9).');
  });

  it("maps a delete, at the id's path", () => {
    expect(deleteRefusal('CFW.00200016', ['input', 'ids', '0'])).toMatchObject({ code: 'CAPTURE_IN_PROGRESS', field: ['input', 'ids', '0'] });
    expect(deleteRefusal('CFW.00200001', ['input', 'ids', '1'])).toMatchObject({ code: 'REJECTED', field: ['input', 'ids', '1'] });
  });
});
