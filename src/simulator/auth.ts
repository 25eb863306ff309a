// Who may call, as APIG checks it before CFW sees the call: an IAM token or an AK/SK signature, then
// the project. The one place a credential is judged.
import { ApigErrorCode } from '../upstream/codes.ts';
import type { Rejection } from './answers.ts';
import type { ApiCall } from './call.ts';
import { CfwRefusal } from './requests.ts';
import { verifySignature } from './verify.ts';

/** The token a newcomer's gateway uses in simulator mode; it may read every firewall. */
export const DEMO_TOKEN = 'demo-token';

/** What a token may read. */
export interface TokenGrant {
  /** Firewall ids it may read; undefined means all. */
  readonly firewalls?: readonly string[];
}

/** The tokens accepted when none are given: DEMO_TOKEN, for everything. */
export function demoTokens(): ReadonlyMap<string, TokenGrant> {
  return new Map([[DEMO_TOKEN, {}]]);
}

/** What the simulator accepts. */
export interface Credentials {
  readonly projectId: string;
  /** Accepted IAM tokens. */
  readonly tokens: ReadonlyMap<string, TokenGrant>;
  /** AK → SK pairs accepted for APIG AK/SK signatures; a signed call may read every firewall. */
  readonly accessKeys: ReadonlyMap<string, string>;
}

/**
 * Token or AK/SK signature (over the exact body), then the project: the rejection APIG would answer,
 * or undefined with `call.grant` set to what the credential may use.
 */
export function authenticate(call: ApiCall, credentials: Credentials): Rejection | undefined {
  const { request, url, token } = call;
  const signed = request.headers.authorization?.startsWith('SDK-HMAC-SHA256') === true;
  let grant = token === undefined ? undefined : credentials.tokens.get(token);
  if (signed) {
    const verdict = verifySignature(
      {
        method: request.method ?? 'GET',
        url: new URL(url.pathname + url.search, `http://${request.headers.host ?? 'localhost'}`),
        headers: request.headers,
        body: call.body instanceof CfwRefusal ? '' : call.body,
      },
      (accessKey) => credentials.accessKeys.get(accessKey),
      // APIG checks X-Sdk-Date against real time, whatever the lifecycle's clock says.
      new Date(),
    );
    if (verdict !== 'ok') return [401, ApigErrorCode.UNAUTHENTICATED, `Incorrect IAM authentication information: verify aksk signature fail (${verdict})`];
    if (request.headers['x-project-id'] !== credentials.projectId)
      return [401, ApigErrorCode.UNAUTHENTICATED, 'Incorrect IAM authentication information: X-Project-Id does not match the project'];
    grant = {};
  }
  if (grant === undefined) {
    return [
      401,
      ApigErrorCode.UNAUTHENTICATED,
      `Incorrect IAM authentication information: ${token === undefined ? 'the X-Auth-Token header is missing' : 'decrypt token fail'}`,
    ];
  }
  if (decodedOrRaw(call.projectId) !== credentials.projectId) return [403, ApigErrorCode.FORBIDDEN, 'The IAM token has no permission for this project'];
  call.grant = grant;
  return undefined;
}

/** A path segment decoded; one that does not decode (`%zz`) stays as it is and matches nothing. */
function decodedOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
