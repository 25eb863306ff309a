// The per-operation context: whose credential the upstream calls carry, the loaders built for this
// operation alone, and where resolvers leave warnings for the response.
import type { Config } from '../config.ts';
import type { UnauthenticatedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { UnknownCodeListener } from '../resolvers/values.ts';
import type { UpstreamCredential } from '../upstream/client.ts';
import type { CountingPageLoader } from './loaders.ts';

/** A non-fatal note for the client, sent in the response's `extensions.warnings`. */
export interface OperationWarning {
  readonly code: string;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export interface GatewayContext {
  readonly config: Config;
  /** Logger bound to this operation's request id. */
  readonly logger: Logger;
  /** Whose authority upstream calls carry, or why the caller has none. */
  readonly credential: UpstreamCredential | UnauthenticatedError;
  readonly pages: CountingPageLoader;
  /** The request id: taken from X-Request-Id or made, echoed in the response. */
  readonly requestId: string;
  readonly onUnknownCode: UnknownCodeListener;
  readonly warnings: OperationWarning[];
}
