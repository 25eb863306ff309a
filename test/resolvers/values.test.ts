import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { FieldValueError } from '../../src/errors.ts';
import {
  captureProtocolFromCode,
  captureSizeBytesFrom,
  captureSizeFrom,
  captureTaskStatusFromCode,
  dateTimeFromCfw,
  dateTimeIsoFromCfw,
  ipVersionFromCode,
  isCanonicalIsoInstant,
  isDeletedFrom,
  optionalInt,
  requiredInt,
  optionalNonEmptyString,
  optionalString,
  type UnknownCodeListener,
} from '../../src/resolvers/values.ts';
import { DateTime } from '../../src/resolvers/scalars.ts';

const listener = () => jest.fn<UnknownCodeListener>();

/** Formats an instant's UTC wall clock the way CFW writes dates: "2024/08/31 10:17:30". */
function cfwDateOf(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getUTCFullYear(), 4)}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

describe('captureTaskStatusFromCode', () => {
  it.each([
    [0, 'ABNORMAL'],
    [1, 'SUCCESSFUL'],
    [2, 'RUNNING'],
    [4, 'STOPPED'],
    [5, 'ENDING'],
  ])('maps %p to %s without calling the listener', (code, name) => {
    const onUnknown = listener();
    expect(captureTaskStatusFromCode(code, onUnknown)).toBe(name);
    expect(onUnknown).not.toHaveBeenCalled();
  });

  it.each([[3], [99], ['2'], [null], [undefined], [2.5]])('maps %p to UNKNOWN and tells the listener once', (value) => {
    const onUnknown = listener();
    expect(captureTaskStatusFromCode(value, onUnknown)).toBe('UNKNOWN');
    expect(onUnknown).toHaveBeenCalledTimes(1);
    expect(onUnknown).toHaveBeenCalledWith('status', value);
  });

  it('tells the listener once per call, not once per value', () => {
    const onUnknown = listener();
    captureTaskStatusFromCode(3, onUnknown);
    captureTaskStatusFromCode(3, onUnknown);
    expect(onUnknown.mock.calls).toEqual([
      ['status', 3],
      ['status', 3],
    ]);
  });

  it('maps every integer outside the documented codes to UNKNOWN', () => {
    fc.assert(
      fc.property(
        fc.integer().filter((n) => ![0, 1, 2, 4, 5].includes(n)),
        (code) => {
          const onUnknown = listener();
          expect(captureTaskStatusFromCode(code, onUnknown)).toBe('UNKNOWN');
          expect(onUnknown.mock.calls).toEqual([['status', code]]);
        },
      ),
    );
  });
});

describe('captureProtocolFromCode', () => {
  it.each([
    [6, 'TCP'],
    [17, 'UDP'],
    [1, 'ICMP'],
    [58, 'ICMPV6'],
    [-1, 'ANY'],
  ])('maps %p to %s without calling the listener', (code, name) => {
    const onUnknown = listener();
    expect(captureProtocolFromCode(code, onUnknown)).toBe(name);
    expect(onUnknown).not.toHaveBeenCalled();
  });

  it.each([[null], [undefined]])('maps %p (an automatic task) to null without calling the listener', (value) => {
    const onUnknown = listener();
    expect(captureProtocolFromCode(value, onUnknown)).toBeNull();
    expect(onUnknown).not.toHaveBeenCalled();
  });

  it.each([[99], [0], ['6'], [-2]])('maps %p to UNKNOWN and tells the listener once', (value) => {
    const onUnknown = listener();
    expect(captureProtocolFromCode(value, onUnknown)).toBe('UNKNOWN');
    expect(onUnknown.mock.calls).toEqual([['protocol', value]]);
  });
});

describe('ipVersionFromCode', () => {
  it('maps 0 to IPV4 and 1 to IPV6', () => {
    expect(ipVersionFromCode('source_address_type', 0)).toBe('IPV4');
    expect(ipVersionFromCode('dest_address_type', 1)).toBe('IPV6');
  });

  it.each([[null], [undefined]])('maps %p to null', (value) => {
    expect(ipVersionFromCode('source_address_type', value)).toBeNull();
  });

  it('throws a FieldValueError naming the field, the value and what was expected for 7', () => {
    expect(() => ipVersionFromCode('source_address_type', 7)).toThrow(FieldValueError);
    expect(() => ipVersionFromCode('source_address_type', 7)).toThrow('The upstream sent 7 for `source_address_type`; expected 0 (IPv4) or 1 (IPv6).');
  });

  it('rejects the code as a string', () => {
    expect(() => ipVersionFromCode('dest_address_type', '1')).toThrow('The upstream sent "1" for `dest_address_type`; expected 0 (IPv4) or 1 (IPv6).');
  });
});

describe('optionalString and optionalNonEmptyString', () => {
  it('passes strings through and maps null and undefined to null', () => {
    expect(optionalString('name', 'capture-1')).toBe('capture-1');
    expect(optionalString('name', '')).toBe('');
    expect(optionalString('name', null)).toBeNull();
    expect(optionalString('name', undefined)).toBeNull();
  });

  it('rejects a number', () => {
    expect(() => optionalString('name', 5)).toThrow('The upstream sent 5 for `name`; expected a string.');
  });

  it('maps the upstream\'s "" (no port) to null', () => {
    expect(optionalNonEmptyString('source_port', '')).toBeNull();
    expect(optionalNonEmptyString('source_port', '  ')).toBeNull();
    expect(optionalNonEmptyString('source_port', '443')).toBe('443');
  });
});

describe('requiredInt', () => {
  it('passes a 32-bit integer through and refuses a missing or larger one (a total CFW could send)', () => {
    expect(requiredInt('total', 57)).toBe(57);
    expect(() => requiredInt('total', 2 ** 31)).toThrow('The upstream sent 2147483648 for `total`; expected a 32-bit integer.');
    expect(() => requiredInt('total', undefined)).toThrow(FieldValueError);
  });
});

describe('optionalInt', () => {
  it('passes 32-bit integers through and maps null and undefined to null', () => {
    expect(optionalInt('duration', 5)).toBe(5);
    expect(optionalInt('duration', 0)).toBe(0);
    expect(optionalInt('duration', -1)).toBe(-1);
    expect(optionalInt('duration', 2_147_483_647)).toBe(2_147_483_647);
    expect(optionalInt('duration', -2_147_483_648)).toBe(-2_147_483_648);
    expect(optionalInt('duration', null)).toBeNull();
    expect(optionalInt('duration', undefined)).toBeNull();
  });

  it.each([
    [1.5, 'The upstream sent 1.5 for `duration`; expected a 32-bit integer.'],
    ['5', 'The upstream sent "5" for `duration`; expected a 32-bit integer.'],
    [2 ** 31, 'The upstream sent 2147483648 for `duration`; expected a 32-bit integer.'],
    [-(2 ** 31) - 1, 'The upstream sent -2147483649 for `duration`; expected a 32-bit integer.'],
    [Number.NaN, 'The upstream sent NaN for `duration`; expected a 32-bit integer.'],
  ])('rejects %p', (value, message) => {
    expect(() => optionalInt('duration', value)).toThrow(FieldValueError);
    expect(() => optionalInt('duration', value)).toThrow(message);
  });

  it('accepts exactly the 32-bit integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        expect(optionalInt('max_packets', n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -(2 ** 31) - 1 })),
        (n) => {
          expect(() => optionalInt('max_packets', n)).toThrow(FieldValueError);
        },
      ),
    );
  });
});

describe('isDeletedFrom', () => {
  it('reads 0 as false, 1 as true and a missing value as false', () => {
    expect(isDeletedFrom(0)).toBe(false);
    expect(isDeletedFrom(1)).toBe(true);
    expect(isDeletedFrom(undefined)).toBe(false);
    expect(isDeletedFrom(null)).toBe(false);
  });

  it('throws on 7', () => {
    expect(() => isDeletedFrom(7)).toThrow(FieldValueError);
    expect(() => isDeletedFrom(7)).toThrow('The upstream sent 7 for `is_deleted`; expected 0 or 1.');
  });
});

describe('captureSizeFrom', () => {
  it('maps "--" (not known yet), "" and a missing value to null', () => {
    expect(captureSizeFrom('--')).toBeNull();
    expect(captureSizeFrom(' -- ')).toBeNull();
    expect(captureSizeFrom('')).toBeNull();
    expect(captureSizeFrom(null)).toBeNull();
    expect(captureSizeFrom(undefined)).toBeNull();
  });

  it('passes a size through as the upstream wrote it', () => {
    expect(captureSizeFrom('500kb')).toBe('500kb');
    expect(captureSizeFrom('64KB')).toBe('64KB');
  });
});

describe('captureSizeBytesFrom', () => {
  it.each([
    ['500kb', 512_000],
    ['12mb', 12 * 1024 ** 2],
    ['1gb', 1024 ** 3],
    ['64KB', 65_536],
    ['1.5mb', 1_572_864],
    ['123', 123],
    ['0kb', 0],
    ['2 MB', 2 * 1024 ** 2],
  ])('reads %p as %p bytes', (text, bytes) => {
    expect(captureSizeBytesFrom(text)).toBe(bytes);
  });

  it.each([['--'], [''], [null], [undefined]])('maps %p to null', (value) => {
    expect(captureSizeBytesFrom(value)).toBeNull();
  });

  it.each([['lots'], ['-5kb'], ['5tb'], ['kb']])('throws a FieldValueError naming capture_size for %p', (text) => {
    expect(() => captureSizeBytesFrom(text)).toThrow(FieldValueError);
    expect(() => captureSizeBytesFrom(text)).toThrow(
      `The upstream sent ${JSON.stringify(text)} for \`capture_size\`; expected a size such as "500kb", "1.5mb" or "2gb".`,
    );
  });

  it('reads `${n}kb` as n * 1024 and `${n}mb` as n * 1024², in any case', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom('kb', 'KB', 'Kb', 'k'), (n, unit) => {
        expect(captureSizeBytesFrom(`${n}${unit}`)).toBe(n * 1024);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom('mb', 'MB', 'm'), (n, unit) => {
        expect(captureSizeBytesFrom(`${n}${unit}`)).toBe(n * 1024 ** 2);
      }),
    );
  });
});

describe('dateTimeFromCfw', () => {
  it('reads a zone-less CFW date in UTC', () => {
    expect(dateTimeFromCfw('created_date', '2024/08/31 10:17:30', 'UTC')).toEqual(new Date('2024-08-31T10:17:30.000Z'));
  });

  it('reads it in Asia/Shanghai (+08:00)', () => {
    expect(dateTimeFromCfw('created_date', '2024/08/31 10:17:30', 'Asia/Shanghai')).toEqual(new Date('2024-08-31T02:17:30.000Z'));
  });

  it('reads it in America/New_York in summer (EDT, -04:00) and winter (EST, -05:00)', () => {
    expect(dateTimeFromCfw('created_date', '2024/08/31 10:17:30', 'America/New_York')).toEqual(new Date('2024-08-31T14:17:30.000Z'));
    expect(dateTimeFromCfw('created_date', '2024/01/15 10:17:30', 'America/New_York')).toEqual(new Date('2024-01-15T15:17:30.000Z'));
  });

  it('reads it in a zone with a half-hour offset (Asia/Kolkata, +05:30)', () => {
    expect(dateTimeFromCfw('created_date', '2024/08/31 10:17:30', 'Asia/Kolkata')).toEqual(new Date('2024-08-31T04:47:30.000Z'));
  });

  it('accepts dashes and a T as separators', () => {
    expect(dateTimeFromCfw('created_date', '2024-08-31T10:17:30', 'UTC')).toEqual(new Date('2024-08-31T10:17:30.000Z'));
  });

  // The docstring's rule ("the earlier offset wins", as Temporal's `compatible` does): in a
  // fall-back overlap a wall time means its first instant; in a spring-forward gap it is read
  // under the offset in force before the gap.
  it.each([
    ['an overlap west of UTC', '2024/11/03 01:30:00', 'America/New_York', '2024-11-03T05:30:00.000Z'], // 01:30 EDT, not 01:30 EST (06:30Z)
    ['an overlap east of UTC', '2024/10/27 02:30:00', 'Europe/Berlin', '2024-10-27T00:30:00.000Z'], // 02:30 CEST, not 02:30 CET (01:30Z)
    ['a gap west of UTC', '2024/03/10 02:30:00', 'America/New_York', '2024-03-10T07:30:00.000Z'], // 02:30 read as EST (-05:00)
    ['a gap east of UTC', '2024/03/31 02:30:00', 'Europe/Berlin', '2024-03-31T01:30:00.000Z'], // 02:30 read as CET (+01:00)
  ])('takes the earlier offset in %s', (_case, text, zone, iso) => {
    expect(dateTimeFromCfw('created_date', text, zone)).toEqual(new Date(iso));
  });

  it.each([
    ['2024/02/30 10:00:00'],
    ['2023/02/29 10:00:00'],
    ['2024/13/01 10:00:00'],
    ['2024/08/31 24:00:00'],
    ['2024/08/31 10:60:00'],
    ['2024/08/31 10:17:60'],
  ])('throws on the impossible date %p', (text) => {
    expect(() => dateTimeFromCfw('created_date', text, 'UTC')).toThrow(FieldValueError);
    expect(() => dateTimeFromCfw('created_date', text, 'UTC')).toThrow(
      `The upstream sent ${JSON.stringify(text)} for \`created_date\`; expected a real calendar date and time.`,
    );
  });

  it.each([['yesterday'], ['2024/08/31'], ['10:17:30'], ['2024/8/31 10:17:30']])('throws on %p, which is not a CFW date', (text) => {
    expect(() => dateTimeFromCfw('modified_date', text, 'UTC')).toThrow(FieldValueError);
    expect(() => dateTimeFromCfw('modified_date', text, 'UTC')).toThrow(
      `The upstream sent ${JSON.stringify(text)} for \`modified_date\`; expected a date such as "2024/08/31 10:17:30".`,
    );
  });

  it('throws on a number', () => {
    expect(() => dateTimeFromCfw('created_date', 1_725_099_450_000, 'UTC')).toThrow(
      'The upstream sent 1725099450000 for `created_date`; expected a date such as "2024/08/31 10:17:30".',
    );
  });

  it.each([[''], [null], [undefined]])('maps %p to null', (value) => {
    expect(dateTimeFromCfw('created_date', value, 'Asia/Shanghai')).toBeNull();
  });

  it('reads a four-digit year below 100 as that year, not as 19xx', () => {
    expect(dateTimeFromCfw('created_date', '0024/01/01 00:00:00', 'UTC')).toEqual(new Date('0024-01-01T00:00:00.000Z'));
  });

  it('round-trips every formatted UTC date from 1000 to 9999', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.000Z'), noInvalidDate: true }), (date) => {
        const instant = new Date(Math.floor(date.getTime() / 1000) * 1000);
        expect(dateTimeFromCfw('created_date', cfwDateOf(instant), 'UTC')).toEqual(instant);
      }),
    );
  });

  it('reads a wall clock in a zone without daylight saving as UTC minus its fixed offset', () => {
    const offsets = { 'Asia/Shanghai': 8 * 60, 'Asia/Kolkata': 5 * 60 + 30, 'Asia/Tokyo': 9 * 60 } as const;
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1995-01-01T00:00:00.000Z'), max: new Date('2090-12-31T23:59:59.000Z'), noInvalidDate: true }),
        fc.constantFrom('Asia/Shanghai', 'Asia/Kolkata', 'Asia/Tokyo'),
        (date, zone) => {
          const wall = new Date(Math.floor(date.getTime() / 1000) * 1000);
          expect(dateTimeFromCfw('created_date', cfwDateOf(wall), zone)).toEqual(new Date(wall.getTime() - offsets[zone] * 60_000));
        },
      ),
    );
  });
});

describe('dateTimeIsoFromCfw', () => {
  it("writes, by string work, the ISO text the instant's Date would: every UTC second of years 0 to 9999", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.000Z'), noInvalidDate: true }), (date) => {
        const instant = new Date(Math.floor(date.getTime() / 1000) * 1000);
        expect(dateTimeIsoFromCfw('created_date', cfwDateOf(instant), 'UTC')).toBe(instant.toISOString());
      }),
    );
  });

  it('gives the same instant in a zone every time a text comes back (remembered, not recomputed wrongly)', () => {
    for (let round = 0; round < 3; round++) {
      expect(dateTimeIsoFromCfw('created_date', '2024/11/03 01:30:00', 'America/New_York')).toBe('2024-11-03T05:30:00.000Z');
      expect(dateTimeIsoFromCfw('created_date', '2024/03/31 02:30:00', 'Europe/Berlin')).toBe('2024-03-31T01:30:00.000Z');
      expect(dateTimeIsoFromCfw('created_date', '2024/08/31 10:17:30', 'Asia/Shanghai')).toBe('2024-08-31T02:17:30.000Z');
    }
  });

  it('reads surrounding white space as CFW writes none, and refuses the same texts in every zone', () => {
    expect(dateTimeIsoFromCfw('created_date', ' 2024/08/31 10:17:30 ', 'UTC')).toBe('2024-08-31T10:17:30.000Z');
    expect(dateTimeIsoFromCfw('created_date', ' 2024/08/31 10:17:30 ', 'Asia/Shanghai')).toBe('2024-08-31T02:17:30.000Z');
    for (const zone of ['UTC', 'Asia/Shanghai']) {
      expect(() => dateTimeIsoFromCfw('created_date', '2024/02/30 10:00:00', zone)).toThrow('expected a real calendar date and time');
      expect(() => dateTimeIsoFromCfw('created_date', '2024/08/31 10:17:3x', zone)).toThrow('expected a date such as "2024/08/31 10:17:30"');
      expect(() => dateTimeIsoFromCfw('created_date', '2024.08.31 10:17:30', zone)).toThrow('expected a date such as "2024/08/31 10:17:30"');
    }
  });
});

describe('isCanonicalIsoInstant and the DateTime scalar', () => {
  it('accepts exactly the texts Date#toISOString writes for years 0 to 9999', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        expect(isCanonicalIsoInstant(date.toISOString())).toBe(true);
      }),
    );
  });

  it.each([
    ['2024-02-30T10:00:00.000Z'],
    ['2023-02-29T10:00:00.000Z'],
    ['2024-08-31T24:00:00.000Z'],
    ['2024-08-31T10:17:30Z'],
    ['2024-08-31T10:17:30.000+00:00'],
    ['2024-08-31 10:17:30.000Z'],
    ['2024-08-31T10:17:30.00xZ'],
  ])('refuses %p', (text) => {
    expect(isCanonicalIsoInstant(text)).toBe(false);
  });

  it('serialises a canonical text as it is, and other forms as graphql-scalars does (see scalars.test.ts)', () => {
    expect(DateTime.serialize('2024-08-31T10:17:30.000Z')).toBe('2024-08-31T10:17:30.000Z');
    expect(DateTime.serialize(new Date('2024-08-31T10:17:30.000Z'))).toBe('2024-08-31T10:17:30.000Z');
    expect(JSON.stringify(DateTime.serialize('2024-08-31T12:17:30+02:00'))).toBe('"2024-08-31T10:17:30.000Z"');
    expect(() => DateTime.serialize('2024-02-30T10:00:00.000Z')).toThrow('DateTime cannot represent an invalid date-time-string');
  });
});
