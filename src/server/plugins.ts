// Apollo Server plugins of the gateway's own: paging warnings into the response, no-store for
// answers holding secrets or changes, and one log line plus metrics per operation.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GatewayContext } from '../resolvers/context.ts';
import type { GatewayMetrics } from './metrics.ts';

/** Paging warnings travel in the response's `extensions.warnings`, never silently dropped. */
export function warningsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ contextValue, response }) => {
          if (contextValue.warnings.length > 0 && response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, warnings: contextValue.warnings };
          }
          return Promise.resolve();
        },
      }),
  };
}

/**
 * The codes a client received, read from the formatted errors of the answer (never from the errors
 * before formatting, which carry no code for a GatewayError and would read as INTERNAL_SERVER_ERROR).
 */
export function clientErrorCodes(formatted: readonly GraphQLFormattedError[] | undefined): string[] {
  return [
    ...new Set(
      (formatted ?? []).map((error) => {
        const code = error.extensions?.['code'];
        return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
      }),
    ),
  ];
}

/**
 * Answers that carry download links (secrets) or report a change are never stored by a browser or a
 * proxy: `Cache-Control: no-store`.
 */
export function noStorePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ contextValue, response }) => {
          if (contextValue.response.noStore) response.http.headers.set('cache-control', 'no-store');
          return Promise.resolve();
        },
      }),
  };
}

/** One log line per operation (request id, name, duration, upstream calls, error codes), and metrics. */
export function operationLogPlugin(metrics: GatewayMetrics, logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: () => {
      const started = performance.now();
      return Promise.resolve({
        willSendResponse: ({ contextValue, response, operationName }) => {
          const durationMs = performance.now() - started;
          // The gateway never answers incrementally (no @defer/@stream), so the body is single.
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = clientErrorCodes(body?.errors);
          const outcome = codes.length === 0 ? 'ok' : body?.data === undefined || body.data === null ? 'error' : 'partial';
          const operation = metrics.operationLabel(operationName);
          const span = trace.getActiveSpan();
          if (span !== undefined) {
            span.updateName(`graphql.operation ${operation}`);
            span.setAttributes({
              'graphql.operation.name': operation,
              'capture_gateway.outcome': outcome,
              'capture_gateway.upstream_calls': contextValue.budget.used,
            });
            if (codes.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
          }
          metrics.operations.inc({ operation, outcome });
          metrics.operationDuration.observe({ operation, outcome }, durationMs / 1000);
          const dedup = contextValue.pages.loads() - contextValue.pages.calls();
          if (dedup > 0) metrics.loaderDedupHits.inc(dedup);
          // The operation's child logger has the gateway's level: below info, neither it nor the line is made.
          if (logger.isLevelEnabled('info')) {
            contextValue.logger().info(
              {
                operationName: operationName ?? null,
                durationMs: Math.round(durationMs * 10) / 10,
                upstreamCalls: contextValue.budget.used,
                outcome,
                ...(codes.length === 0 ? {} : { errorCodes: codes }),
              },
              'operation',
            );
          }
          return Promise.resolve();
        },
      });
    },
  };
}
