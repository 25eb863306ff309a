// Who is calling, and so whose authority the upstream calls carry, and whether they may change
// capture tasks.
// Token mode: the caller's IAM token is the proof and is forwarded; CFW decides what it may do.
// AK/SK mode: the gateway signs with its own keys, so it must know its caller first: an API key
// (kept only as SHA-256 hashes) or a JWT (verified with jose against a JWKS URL or a public key),
// unless anonymous access was allowed on purpose. Changes (mutations) need more: an API key listed
// among the write keys, or a JWT whose scope holds the write scope; anonymous callers never change
// anything, and never see download links.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { JWTPayload, JWTVerifyGetKey, CryptoKey } from 'jose';
import type { Config } from '../config.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import type { UpstreamCredential } from '../upstream/client.ts';

/** What the gateway knows of a caller. */
export interface Caller {
  /** Whose authority upstream calls carry, or why the caller has none. */
  readonly credential: UpstreamCredential | UnauthenticatedError;
  /** Whether the caller may change capture tasks; the error that refuses it when not. */
  readonly write: true | UnauthenticatedError | ForbiddenError;
  /** Whether the caller may see download links (secrets); the error that refuses it when not. */
  readonly secrets: true | UnauthenticatedError;
  /** Who, for the log: a short hash or a JWT subject, never a secret. */
  readonly who: string;
  /** When the caller's proof expires (a JWT's `exp`), in ms since the epoch: a subscription ends then. */
  readonly expiresAt?: number | undefined;
}

export type Authenticate = (headers: http.IncomingHttpHeaders) => Promise<Caller>;

/** Reads the caller's bearer value from `X-Auth-Token` or `Authorization: Bearer …`. */
export function tokenFrom(headers: http.IncomingHttpHeaders): string | undefined {
  const direct = headers['x-auth-token'];
  if (typeof direct === 'string' && direct.trim() !== '') return direct.trim();
  const authorization = headers.authorization;
  const bearer = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1];
}

const SERVICE: UpstreamCredential = { kind: 'service' };
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Whether a verified JWT grants `scope`: in `scope` (space-separated, OAuth 2) or `scp` (a list or a string). */
export function jwtGrantsScope(payload: JWTPayload, scope: string): boolean {
  const granted = [payload['scope'], payload['scp']].flatMap((value) =>
    typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [],
  );
  return granted.includes(scope);
}

/** A JWT subject fit for a log line. */
function subjectOf(payload: JWTPayload): string {
  return typeof payload.sub === 'string' && /^[\w.@:|-]{1,64}$/.test(payload.sub) ? payload.sub : 'unnamed';
}

export async function createAuthenticator(config: Config, fallbackToken: string | undefined): Promise<Authenticate> {
  if (config.auth.mode === 'token') {
    const missing = new UnauthenticatedError('No credentials: send an IAM token in the X-Auth-Token header or as Authorization: Bearer <token>.');
    return (headers) => {
      const token = tokenFrom(headers) ?? fallbackToken;
      if (token === undefined) return Promise.resolve({ credential: missing, write: missing, secrets: missing, who: 'anonymous' });
      // The token is the caller's own authority: CFW decides what it may change.
      return Promise.resolve({ credential: { kind: 'token', token }, write: true, secrets: true, who: `token:${sha256Hex(token).slice(0, 12)}` });
    };
  }

  const inbound = config.inbound;
  const writeKeys = new Set(inbound.writeApiKeySha256);
  const apiKeys = new Set([...inbound.apiKeySha256, ...writeKeys]);
  // jose is loaded only when JWTs are configured: most deployments never need it in memory.
  const jose = inbound.jwtJwksUrl === undefined && inbound.jwtPublicKey === undefined ? undefined : await import('jose');
  let jwtKey: JWTVerifyGetKey | CryptoKey | undefined;
  if (jose !== undefined && inbound.jwtJwksUrl !== undefined) jwtKey = jose.createRemoteJWKSet(new URL(inbound.jwtJwksUrl));
  else if (jose !== undefined && inbound.jwtPublicKey !== undefined) jwtKey = await jose.importSPKI(inbound.jwtPublicKey, inbound.jwtAlgorithm);
  const verifyOptions = {
    ...(inbound.jwtIssuer === undefined ? {} : { issuer: inbound.jwtIssuer }),
    ...(inbound.jwtAudience === undefined ? {} : { audience: inbound.jwtAudience }),
  };
  const refused = new UnauthenticatedError('Authenticate to the gateway: send an API key in X-Api-Key or a valid JWT as Authorization: Bearer <jwt>.');
  const badKey = new UnauthenticatedError('The API key is not valid.');
  const badJwt = new UnauthenticatedError('The JWT is not valid (signature, expiry, issuer or audience).');
  const anonymousWrite = new UnauthenticatedError(
    'Changing capture tasks or reading download links needs an authenticated caller: send an API key in X-Api-Key or a JWT as Authorization: Bearer <jwt>.',
  );
  const keyCannotWrite = new ForbiddenError('This API key may read capture tasks but not change them: use a key listed in INBOUND_WRITE_API_KEYS_SHA256.');
  const jwtCannotWrite = new ForbiddenError(`This JWT may read capture tasks but not change them: its scope lacks "${inbound.jwtWriteScope}".`);
  const rejected = (error: UnauthenticatedError): Caller => ({ credential: error, write: error, secrets: error, who: 'anonymous' });

  return async (headers) => {
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') {
      const hash = sha256Hex(apiKey);
      if (!apiKeys.has(hash)) return rejected(badKey);
      return { credential: SERVICE, write: writeKeys.has(hash) ? true : keyCannotWrite, secrets: true, who: `api-key:${hash.slice(0, 12)}` };
    }
    const bearer = tokenFrom(headers);
    if (bearer !== undefined && jwtKey !== undefined && jose !== undefined) {
      let payload: JWTPayload;
      try {
        payload = (typeof jwtKey === 'function' ? await jose.jwtVerify(bearer, jwtKey, verifyOptions) : await jose.jwtVerify(bearer, jwtKey, verifyOptions))
          .payload;
      } catch {
        return rejected(badJwt);
      }
      return {
        credential: SERVICE,
        write: jwtGrantsScope(payload, inbound.jwtWriteScope) ? true : jwtCannotWrite,
        secrets: true,
        who: `jwt:${subjectOf(payload)}`,
        expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
      };
    }
    return inbound.required ? rejected(refused) : { credential: SERVICE, write: anonymousWrite, secrets: anonymousWrite, who: 'anonymous' };
  };
}
