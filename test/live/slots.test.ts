// The caps on open subscriptions, with typed refusals.
import { describe, expect, it } from '@jest/globals';
import { ErrorCode, SubscriptionLimitError } from '../../src/errors.ts';
import { SubscriptionSlots } from '../../src/live/slots.ts';

describe('SubscriptionSlots', () => {
  it('refuses a caller over its cap with TOO_MANY_SUBSCRIPTIONS naming the scope and limit, others still admitted', () => {
    const slots = new SubscriptionSlots({ perCaller: 2, perInstance: 10 });
    expect(slots.take('alice')).toBeInstanceOf(Function);
    expect(slots.take('alice')).toBeInstanceOf(Function);
    const refused = slots.take('alice');
    expect(refused).toBeInstanceOf(SubscriptionLimitError);
    expect(refused).toMatchObject({
      code: ErrorCode.TOO_MANY_SUBSCRIPTIONS,
      extensions: { scope: 'caller', limit: 2 },
      message: 'Too many subscriptions: at most 2 open at once per caller; end one first.',
    });
    expect(slots.take('bob')).toBeInstanceOf(Function);
    expect(slots.total).toBe(3);
  });

  it('refuses anyone over the instance cap, and admits again once a slot is given back (once)', () => {
    const slots = new SubscriptionSlots({ perCaller: 10, perInstance: 2 });
    const first = slots.take('alice');
    slots.take('bob');
    expect(slots.take('carol')).toMatchObject({ extensions: { scope: 'instance', limit: 2 } });
    if (first instanceof Error) throw first;
    first();
    first();
    expect(slots.total).toBe(1);
    expect(slots.take('carol')).toBeInstanceOf(Function);
    expect(slots.take('dave')).toBeInstanceOf(SubscriptionLimitError);
  });
});
