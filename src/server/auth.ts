// Who is calling, and so whose authority the upstream calls carry.
// Token mode: the caller's IAM token is the proof and is forwarded; the gateway checks nothing more.
// AK/SK mode: the gateway signs with its own keys, so it must know its caller first: an API key
// (kept only as SHA-256 hashes) or a JWT (verified with jose against a JWKS URL or a public key),
// unless anonymous access was allowed on purpose.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { JWTVerifyGetKey, CryptoKey } from 'jose';
import type { Config } from '../config.ts';
import { UnauthenticatedError } from '../errors.ts';
import type { UpstreamCredential } from '../upstream/client.ts';

export type Authenticate = (headers: http.IncomingHttpHeaders) => Promise<UpstreamCredential | UnauthenticatedError>;

/** Reads the caller's bearer value from `X-Auth-Token` or `Authorization: Bearer …`. */
export function tokenFrom(headers: http.IncomingHttpHeaders): string | undefined {
  const direct = headers['x-auth-token'];
  if (typeof direct === 'string' && direct.trim() !== '') return direct.trim();
  const authorization = headers.authorization;
  const bearer = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1];
}

const SERVICE: UpstreamCredential = { kind: 'service' };

export async function createAuthenticator(config: Config, fallbackToken: string | undefined): Promise<Authenticate> {
  if (config.auth.mode === 'token') {
    const missing = new UnauthenticatedError('No credentials: send an IAM token in the X-Auth-Token header or as Authorization: Bearer <token>.');
    return (headers) => {
      const token = tokenFrom(headers) ?? fallbackToken;
      return Promise.resolve(token === undefined ? missing : { kind: 'token', token });
    };
  }

  const inbound = config.inbound;
  const apiKeys = new Set(inbound.apiKeySha256);
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

  return async (headers) => {
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') {
      return apiKeys.has(createHash('sha256').update(apiKey).digest('hex')) ? SERVICE : badKey;
    }
    const bearer = tokenFrom(headers);
    if (bearer !== undefined && jwtKey !== undefined && jose !== undefined) {
      try {
        if (typeof jwtKey === 'function') await jose.jwtVerify(bearer, jwtKey, verifyOptions);
        else await jose.jwtVerify(bearer, jwtKey, verifyOptions);
        return SERVICE;
      } catch {
        return badJwt;
      }
    }
    return inbound.allowAnonymous ? SERVICE : refused;
  };
}
