// The one place errors become what a client sees (src/server/format-error.ts), tested directly:
// gateway errors keep their code and safe extensions, request errors pass, anything else is
// logged in full and masked.
import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { BudgetExceededError, ErrorCode, UpstreamError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { createFormatError } from '../../src/server/format-error.ts';
import { memorySink } from '../helpers/log.ts';

function formatter() {
  const { lines, sink } = memorySink();
  return { format: createFormatError(createLogger('error', sink)), lines };
}

/** An error as a resolver throws it and graphql-js wraps it, at a path. */
function fromResolver(original: Error): GraphQLError {
  return new GraphQLError(original.message, { path: ['captureTasks'], originalError: original });
}

describe('createFormatError', () => {
  it('shows a GatewayError with its code, safe message, safe extensions, path and locations', () => {
    const { format, lines } = formatter();
    const error = new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The upstream is unavailable; try again shortly.', {
      status: 503,
      errorCode: 'APIGW.0203',
      attempts: 3,
    });
    const shown = format({ message: 'ignored', path: ['captureTasks'], locations: [{ line: 1, column: 3 }] }, fromResolver(error));
    expect(shown).toEqual({
      message: 'The upstream is unavailable; try again shortly.',
      path: ['captureTasks'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 503, errorCode: 'APIGW.0203', attempts: 3 } },
    });
    expect(format({ message: 'x' }, new BudgetExceededError(2)).extensions?.['code']).toBe('OPERATION_BUDGET_EXCEEDED');
    expect(lines).toEqual([]);
  });

  it("passes the client's own request errors with their code", () => {
    const { format } = formatter();
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format({ message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, error)).toEqual({
      message: error.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('calls a 4xx error without a code BAD_REQUEST, and keeps a code it has', () => {
    const { format } = formatter();
    const uncoded = new GraphQLError('bad persisted query', { extensions: { http: { status: 400 } } });
    expect(format({ message: uncoded.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, uncoded).extensions).toEqual({ code: 'BAD_REQUEST' });
    const coded = new GraphQLError('not allowed', { extensions: { code: 'METHOD_NOT_ALLOWED', http: { status: 405 } } });
    expect(format({ message: coded.message, extensions: { code: 'METHOD_NOT_ALLOWED' } }, coded).extensions).toEqual({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('masks anything else as INTERNAL_SERVER_ERROR, logging it in full for the operator', () => {
    const { format, lines } = formatter();
    const bug = new TypeError('Cannot read properties of undefined (secret=hunter2)');
    const shown = format(
      { message: bug.message, path: ['captureTasks'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      fromResolver(bug),
    );
    expect(shown).toEqual({ message: 'Internal server error', path: ['captureTasks'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(shown)).not.toContain('hunter2');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('hunter2');
    expect(lines[0]).toContain('unexpected error while executing an operation');
  });
});
