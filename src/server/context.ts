// The per-operation context: whose credential the upstream calls carry, the loaders built for this
// operation alone, and where resolvers leave warnings for the response.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { UnknownCodeListener } from '../resolvers/values.ts';
import type { UpstreamCredential } from '../upstream/client.ts';
import type { PageLoader } from './loaders.ts';

/** A non-fatal note for the client, sent in the response's `extensions.warnings`. */
export interface OperationWarning {
  readonly code: string;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export interface GatewayContext {
  readonly config: Config;
  readonly logger: Logger;
  /** undefined when the caller sent none (and no fallback applies). */
  readonly credential: UpstreamCredential | undefined;
  readonly pages: PageLoader;
  readonly onUnknownCode: UnknownCodeListener;
  readonly warnings: OperationWarning[];
}
