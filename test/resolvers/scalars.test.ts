import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Kind, type GraphQLScalarType } from 'graphql';
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { DateTime, SafeInt } from '../../src/resolvers/scalars.ts';

/** What a resolver scalar would lay over the SDL's own (name only: the SDL documents them). */
const publicConfig = (scalar: GraphQLScalarType) => {
  const { name, description, specifiedByURL, extensions } = scalar.toConfig();
  return { name, description, specifiedByURL, extensions };
};

/** The scalar's answer, or its error message. */
function outcome(run: () => unknown): unknown {
  try {
    return { value: JSON.stringify(run()) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

describe('DateTime and SafeInt (graphql-scalars, loaded only when needed)', () => {
  it("carry graphql-scalars' names and no documentation of their own (the SDL's stays)", () => {
    expect(publicConfig(DateTime)).toEqual({ name: DateTimeResolver.name, description: undefined, specifiedByURL: undefined, extensions: {} });
    expect(publicConfig(SafeInt)).toEqual({ name: SafeIntResolver.name, description: undefined, specifiedByURL: undefined, extensions: {} });
  });

  it('serialise every value as graphql-scalars does (same JSON, same error)', () => {
    const samples: unknown[] = [
      '2024-08-31T10:17:30.000Z',
      '2024-08-31T12:17:30+02:00',
      '2024-02-30T10:00:00.000Z',
      'yesterday',
      new Date(0),
      new Date(Number.NaN),
      1_725_099_450_000,
      true,
      null,
      {},
    ];
    for (const value of samples) expect(outcome(() => DateTime.serialize(value))).toEqual(outcome(() => DateTimeResolver.serialize(value)));
    for (const value of [0, -0, 42, -7, 2 ** 53 - 1, 2 ** 53, 1.5, '12', 'x', true, null, Number.NaN]) {
      expect(outcome(() => SafeInt.serialize(value))).toEqual(outcome(() => SafeIntResolver.serialize(value)));
    }
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        expect(DateTime.serialize(date.toISOString())).toBe(JSON.parse(JSON.stringify(DateTimeResolver.serialize(date.toISOString()))));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(SafeInt.serialize(n)).toBe(SafeIntResolver.serialize(n));
      }),
    );
  });

  it('read input as graphql-scalars does', () => {
    expect(outcome(() => DateTime.parseValue('2024-08-31T10:17:30Z'))).toEqual(outcome(() => DateTimeResolver.parseValue('2024-08-31T10:17:30Z')));
    expect(outcome(() => DateTime.parseValue(12))).toEqual(outcome(() => DateTimeResolver.parseValue(12)));
    const literal = { kind: Kind.INT, value: '12' } as const;
    expect(outcome(() => SafeInt.parseLiteral(literal, undefined))).toEqual(outcome(() => SafeIntResolver.parseLiteral(literal, undefined)));
    expect(outcome(() => DateTime.parseLiteral(literal, undefined))).toEqual(outcome(() => DateTimeResolver.parseLiteral(literal, undefined)));
  });
});
