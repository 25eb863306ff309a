// One API call being served: what authentication and the handlers read of it.
import type http from 'node:http';
import type { TokenGrant } from './auth.ts';
import type { FaultKind } from './faults.ts';
import type { CfwRefusal } from './requests.ts';

export interface ApiCall {
  /** The X-Request-Id of the answer; APIG's error bodies repeat it. */
  readonly requestId: string;
  readonly projectId: string;
  readonly request: http.IncomingMessage;
  readonly url: URL;
  readonly token: string | undefined;
  readonly body: Buffer | CfwRefusal;
  readonly fault: FaultKind | undefined;
  /** What the credential may use, once authenticated. */
  grant?: TokenGrant;
}
