// Readers of one environment variable each: how its text becomes a value, what a bad value is told,
// and what the variable takes and defaults to, registered for the documentation.
import { z } from 'zod';

/**
 * Whether a bad value could be a secret put in the wrong variable (a key, token or password), and so
 * must not be printed: longer than 48 characters, or holding a run of 16+ letters and digits that
 * mixes both, or a run of 24+ of them.
 */
export function mayBeSecret(raw: string): boolean {
  if (raw.length > 48) return true;
  return (raw.match(/[A-Za-z0-9+/=_]{16,}/g) ?? []).some((run) => run.length >= 24 || (/\d/.test(run) && /[A-Za-z]/.test(run)));
}

/**
 * The end of a message about a bad value: the value when it is harmless, otherwise only its length.
 * `shaped` says whether the value looks like what the variable takes (digits for a number, one of
 * the words of a list): one that does not (PORT=correct-horse-battery-staple) may be a secret put in
 * the wrong variable, however harmless it looks, and is not shown either.
 */
export function received(raw: string, shaped = true): string {
  return !shaped || mayBeSecret(raw) ? `got a ${raw.length}-character value (not shown: it could be a secret)` : `got ${JSON.stringify(raw)}`;
}

/** A value a reader refused: what is wrong with it, said after the variable's name. */
export class Refused {
  readonly problem: string;
  constructor(problem: string) {
    this.problem = problem;
  }
}

/** What the documentation says of a variable (docs/configuration.md, `npm run docs:config`). */
export interface VariableDoc {
  /** Its default as shown; '' when unset means none. */
  readonly default: string;
  /** The values it takes. */
  readonly takes: string;
  /** What it does, in one line. */
  readonly meaning: string;
}

/** Every variable's documentation, by its reader. */
export const documentation = z.registry<VariableDoc>();

/** A reader: the variable's text, unset or set, to its value or a Refused. */
type Reader<T> = z.ZodType<T | Refused, string | undefined>;

function documented<T>(reader: Reader<T>, doc: VariableDoc): Reader<T> {
  documentation.add(reader, doc);
  return reader;
}

/** The variable's text with spaces around it removed; unset or blank gives undefined. */
const given = (raw: string | undefined): string | undefined => {
  const text = raw?.trim();
  return text === undefined || text === '' ? undefined : text;
};

const readWith = <T>(read: (text: string | undefined) => T | Refused): Reader<T> => z.string().optional().transform(read);

interface IntegerSpec {
  readonly min: number;
  readonly max: number;
  /** Said after the minimum in a message and the documentation: ' (off)'. */
  readonly minHint?: string;
}

/** A whole number from min to max, spaces around it ignored; unset or blank gives undefined. */
function wholeNumber({ min, max, minHint = '' }: IntegerSpec, text: string | undefined): number | undefined | Refused {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    // Shown when it is a number (out of range, signed, with a fraction or separators).
    return new Refused(`must be a whole number from ${min}${minHint} to ${max}, ${received(text, /^[+-]?\d[\d.,_eE+-]*$/.test(text))}`);
  }
  return value;
}

const rangeOf = ({ min, max, minHint = '' }: IntegerSpec) => `${min}${minHint} to ${max}`;

/** A whole number from min to max, `fallback` when unset. */
export const integer = (spec: IntegerSpec & { readonly default: number; readonly shownDefault?: string }, meaning: string): Reader<number> =>
  documented(
    readWith((raw) => wholeNumber(spec, given(raw)) ?? spec.default),
    { default: spec.shownDefault ?? `\`${spec.default}\``, takes: rangeOf(spec), meaning },
  );

/** A whole number from 1 to max, `fallback` when unset. */
export const positiveInteger = (fallback: number, max: number, meaning: string): Reader<number> => integer({ default: fallback, min: 1, max }, meaning);

/** A whole number from min to max, undefined when unset (its default is worked out from other variables). */
export const optionalInteger = (spec: IntegerSpec & { readonly shownDefault: string }, meaning: string): Reader<number | undefined> =>
  documented(
    readWith((raw) => wholeNumber(spec, given(raw))),
    { default: spec.shownDefault, takes: rangeOf(spec), meaning },
  );

/** A rate: a number from 0 to `max` with at most 3 decimals (0.5 is one every 2 s); 0 when unset. */
export const rate = (max: number, meaning: string): Reader<number> =>
  documented(
    readWith((raw) => {
      const text = given(raw);
      if (text === undefined) return 0;
      const value = Number(text);
      if (!/^\d+(\.\d{1,3})?$/.test(text) || value > max) {
        return new Refused(`must be a number from 0 (off) to ${max} with at most 3 decimals, ${received(text, /^[+-]?\d[\d.,_eE+-]*$/.test(text))}`);
      }
      return value;
    }),
    { default: '`0` (off)', takes: `0 (off) to ${max}, up to 3 decimals (\`0.5\`: one every 2 s)`, meaning },
  );

const listed = (values: readonly string[]) => values.map((value) => `\`${value}\``).join(', ');

/** One of `values`, `fallback` when unset; `shownDefault` when the default depends on other variables. */
export const oneOf = <const T extends readonly [string, ...string[]], F extends T[number] | undefined>(
  values: T,
  fallback: F,
  meaning: string,
  shownDefault?: string,
): Reader<T[number] | F> =>
  documented(
    readWith((raw): T[number] | F | Refused => {
      const text = given(raw);
      if (text === undefined) return fallback;
      const found = values.find((value) => value === text);
      // Shown when it is one of the words in another case (Production).
      return found ?? new Refused(`must be one of ${values.join(', ')}, ${received(text, values.includes(text.toLowerCase()))}`);
    }),
    { default: shownDefault ?? (fallback === undefined ? '' : `\`${fallback}\``), takes: listed(values), meaning },
  );

/** Whether a boolean variable's value (trimmed) says true. */
const isTrue = (text: string) => /^(true|1|yes)$/i.test(text);
/** Whether a boolean variable's value (trimmed) says false. */
const isFalse = (text: string) => /^(false|0|no)$/i.test(text);

/** true, 1 or yes; false, 0 or no (any case); `fallback` when unset. */
export const bool = (fallback: boolean, meaning: string): Reader<boolean> =>
  documented(
    readWith((raw) => {
      const text = given(raw);
      if (text === undefined) return fallback;
      if (isTrue(text)) return true;
      if (isFalse(text)) return false;
      // Never shown: every value shaped like a boolean is one.
      return new Refused(`must be true or false, ${received(raw ?? '', false)}`);
    }),
    { default: `\`${fallback}\``, takes: '`true` or `false` (also `1`/`0`, `yes`/`no`)', meaning },
  );

/** Any text, spaces around it removed; undefined when unset. */
export const text = (meaning: string, takes = 'text'): Reader<string | undefined> => documented(readWith(given), { default: '', takes, meaning });

/** Any text, spaces around it removed; `fallback` when unset. */
export const textOr = (fallback: string, meaning: string, takes: string): Reader<string> =>
  documented(
    readWith((raw) => given(raw) ?? fallback),
    { default: `\`${fallback}\``, takes, meaning },
  );

/** Text that must match `pattern` when set (`what` says what it is). */
export const matching = (pattern: RegExp, what: string, meaning: string): Reader<string | undefined> =>
  documented(
    readWith((raw) => {
      const value = given(raw);
      return value === undefined || pattern.test(value) ? value : new Refused(`must be ${what}, ${received(value)}`);
    }),
    { default: '', takes: what, meaning },
  );

/** A PEM text, `\n` escapes read as line breaks (an environment holds one line). */
export const pem = (meaning: string): Reader<string | undefined> =>
  documented(
    readWith((raw) => given(raw)?.replaceAll('\\n', '\n')),
    { default: '', takes: 'a PEM public key (`\\n` escapes allowed)', meaning },
  );

/** An IANA time zone; UTC when unset. */
export const timeZone = (meaning: string): Reader<string> =>
  documented(
    readWith((raw) => {
      const zone = raw === undefined || raw === '' ? 'UTC' : raw;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return zone;
      } catch {
        return new Refused(`must be an IANA time zone such as UTC or Asia/Shanghai, ${received(zone)}`);
      }
    }),
    { default: '`UTC`', takes: 'an IANA time zone, e.g. `Asia/Shanghai`', meaning },
  );

/** The bare base URL of an http(s) API, without a trailing slash. */
export const baseUrl = (meaning: string): Reader<string | undefined> =>
  documented(
    readWith((raw) => {
      const value = given(raw);
      if (value === undefined) return undefined;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return new Refused(`must be a URL such as https://cfw.ap-southeast-1.myhuaweicloud.com, ${received(raw ?? '')}`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return new Refused(`must be an http(s) URL, ${received(raw ?? '')}`);
      if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
        return new Refused(`must be a bare base URL without credentials, query or fragment, ${received(url.origin + url.pathname)}`);
      }
      return url.href.replace(/\/+$/, '');
    }),
    { default: '', takes: 'an http(s) base URL, e.g. `https://cfw.ap-southeast-1.myhuaweicloud.com`', meaning },
  );

/** A URL of one of `protocols`; `secret` keeps the value out of the message (it may hold a password). */
export const url = (protocols: readonly string[], meaning: string, secret = false): Reader<string | undefined> => {
  const expected = protocols.map((protocol) => `${protocol}//`).join(' or ');
  return documented(
    readWith((raw) => {
      const value = given(raw);
      if (value === undefined) return undefined;
      try {
        const parsed = new URL(value);
        if (protocols.includes(parsed.protocol)) return parsed.href;
      } catch {
        // refused below
      }
      return new Refused(`must be a ${expected} URL${secret ? ' (the value given is not shown: it may hold a password)' : `, ${received(raw ?? '')}`}`);
    }),
    { default: '', takes: `a ${protocols.map((protocol) => `\`${protocol}//\``).join(' or ')} URL`, meaning },
  );
};

/** Comma-separated entries, spaces and empty entries ignored; the first bad one refuses the lot. */
const commaSeparated = (check: (entry: string) => Refused | undefined, normalise: (entry: string) => string = (entry) => entry) =>
  readWith((raw) => {
    const entries = (raw ?? '')
      .split(',')
      .map((entry) => normalise(entry.trim()))
      .filter((entry) => entry !== '');
    for (const entry of entries) {
      const refused = check(entry);
      if (refused !== undefined) return refused;
    }
    return entries;
  });

/** Hex SHA-256 hashes of API keys, lower-cased; a bad entry is told by its length only (it may be a key). */
export const sha256List = (meaning: string): Reader<string[]> =>
  documented(
    commaSeparated(
      (hash) =>
        /^[0-9a-f]{64}$/.test(hash)
          ? undefined
          : new Refused(`must be comma-separated hex SHA-256 hashes of API keys (64 hex digits each), got an entry of ${hash.length} characters`),
      (hash) => hash.toLowerCase(),
    ),
    { default: '', takes: 'comma-separated hex SHA-256 hashes', meaning },
  );

/** Browser origins (scheme, host and port only). */
export const origins = (meaning: string): Reader<string[]> =>
  documented(
    commaSeparated((origin) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      return parsed?.origin === origin
        ? undefined
        : new Refused(`must be a comma-separated list of origins such as https://console.example.com, ${received(origin)}`);
    }),
    { default: '', takes: 'comma-separated origins, e.g. `https://console.example.com`', meaning },
  );

/** One OAuth scope token; `fallback` when unset. */
export const scope = (fallback: string, meaning: string): Reader<string> =>
  documented(
    readWith((raw) => {
      const value = given(raw) ?? fallback;
      return /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(value)
        ? value
        : new Refused(`must be one OAuth scope token (printable, no spaces or quotes), ${received(raw ?? '')}`);
    }),
    { default: `\`${fallback}\``, takes: 'one OAuth scope token', meaning },
  );
