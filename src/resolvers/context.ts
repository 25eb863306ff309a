// What every resolver receives: whose credential the upstream calls carry, the page reads built for
// this operation alone, and where resolvers leave warnings for the response. The type lives with
// the resolvers that read it; the server builds it (server/context.ts).
import type { Config } from '../config.ts';
import type { UnauthenticatedError, WarningCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { UpstreamCredential } from '../upstream/client.ts';
import type { OperationPages } from '../upstream/read.ts';
import type { UnknownCodeListener } from './values.ts';

/** A non-fatal note for the client, sent in the response's `extensions.warnings`. */
export interface OperationWarning {
  readonly code: WarningCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

/** The settings resolvers read: the drift window and the upstream's time zone. */
export interface ResolverConfig {
  readonly paging: Config['paging'];
  readonly upstream: Pick<Config['upstream'], 'timeZone'>;
}

export interface GatewayContext {
  readonly config: ResolverConfig;
  /** Logger bound to this operation's request id. */
  readonly logger: Logger;
  /** Whose authority upstream calls carry, or why the caller has none. */
  readonly credential: UpstreamCredential | UnauthenticatedError;
  /** This operation's page reads (upstream/read.ts): deduplicated, paced and budgeted. */
  readonly pages: OperationPages;
  /** The request id: taken from X-Request-Id or made, echoed in the response. */
  readonly requestId: string;
  readonly onUnknownCode: UnknownCodeListener;
  readonly warnings: OperationWarning[];
}
