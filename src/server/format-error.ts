// The one place errors become what a client sees. GatewayErrors keep their code, safe message
// and safe extensions; GraphQL's own request errors (parse, validation, variables) pass with their
// code; anything else is a bug, logged in full and shown only as INTERNAL_SERVER_ERROR.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, GatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Codes Apollo Server and graphql-js give errors in the client's request itself. */
const REQUEST_ERROR_CODES = new Set<string>([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.BAD_REQUEST,
  ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.OPERATION_BUDGET_EXCEEDED,
]);

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = {
      ...(formatted.locations === undefined ? {} : { locations: formatted.locations }),
      ...(formatted.path === undefined ? {} : { path: formatted.path }),
    };
    if (original instanceof GatewayError) {
      return { message: original.message, ...where, extensions: { code: original.code, ...original.extensions } };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      // Apollo already left out the stack trace; what remains was written for the client.
      return { message: formatted.message, ...where, extensions: { ...formatted.extensions, code } };
    }
    // Apollo's own request errors that carry a 4xx status but no code (a bad persisted query, say).
    const status = original instanceof GraphQLError ? (original.extensions['http'] as { status?: unknown } | undefined)?.status : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Apollo labels an error without a code INTERNAL_SERVER_ERROR; a 4xx says the request was at fault.
      return {
        message: formatted.message,
        ...where,
        extensions: { code: typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR ? code : ErrorCode.BAD_REQUEST },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while executing an operation');
    return { message: 'Internal server error', ...where, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
