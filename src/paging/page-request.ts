// Connection arguments → what page to read. Validated here, once, with messages naming the argument.
import { BadUserInputError } from '../errors.ts';
import { UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';
import { decodeCursor, type CursorPosition } from './cursor.ts';

/** The page size when a client gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest page a client may ask for: one upstream page. */
export const MAX_PAGE_SIZE = UPSTREAM_MAX_LIMIT;

export interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

/** A page to read: `count` tasks after `after` (or from the start), or before `before` (or the end). */
export type PageRequest =
  | { readonly direction: 'forward'; readonly count: number; readonly after: CursorPosition | undefined }
  | { readonly direction: 'backward'; readonly count: number; readonly before: CursorPosition | undefined };

function checkCount(name: 'first' | 'last', value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw new BadUserInputError(name, `must be between 0 and ${MAX_PAGE_SIZE} (the upstream's page limit), got ${value}`);
  }
  return value;
}

/**
 * Reads Relay arguments into a PageRequest for the connection whose cursors carry `connectionKey`.
 * Paging goes one way at a time: `first` with `after`, or `last` with `before`.
 */
export function pageRequestFromArgs(args: ConnectionArgs, connectionKey: number): PageRequest {
  const { first, after, last, before } = args;
  const has = (value: unknown) => value !== undefined && value !== null;
  if (has(first) && has(last)) {
    throw new BadUserInputError('last', '`first` and `last` cannot be combined: page forward with `first`/`after` or backward with `last`/`before`', {
      standalone: true,
    });
  }
  if (has(after) && has(before)) {
    throw new BadUserInputError('before', '`after` and `before` cannot be combined: page forward with `first`/`after` or backward with `last`/`before`', {
      standalone: true,
    });
  }
  if (has(first) && has(before)) {
    throw new BadUserInputError('before', 'goes with `last`, not `first`: page backward with `last`/`before`');
  }
  if (has(last) && has(after)) {
    throw new BadUserInputError('after', 'goes with `first`, not `last`: page forward with `first`/`after`');
  }
  if (typeof last === 'number' || typeof before === 'string') {
    return {
      direction: 'backward',
      count: typeof last === 'number' ? checkCount('last', last) : DEFAULT_PAGE_SIZE,
      before: typeof before === 'string' ? decodeCursor('before', before, connectionKey) : undefined,
    };
  }
  return {
    direction: 'forward',
    count: typeof first === 'number' ? checkCount('first', first) : DEFAULT_PAGE_SIZE,
    after: typeof after === 'string' ? decodeCursor('after', after, connectionKey) : undefined,
  };
}
