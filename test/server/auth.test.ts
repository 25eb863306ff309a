// Who is calling (src/server/auth.ts), decided directly from request headers: token mode forwards
// the caller's token; AK/SK mode admits an API key (by its SHA-256) or a JWT verified with jose
// against a real key pair, and nobody else unless anonymous access was allowed.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadConfig } from '../../src/config.ts';
import { ForbiddenError, UnauthenticatedError } from '../../src/errors.ts';
import { createAuthenticator, jwtGrantsScope, tokenFrom } from '../../src/server/auth.ts';

const AKSK = {
  CFW_AUTH_MODE: 'aksk',
  CLOUD_SDK_AK: 'AKIDEXAMPLE12345',
  CLOUD_SDK_SK: 'sk-example-secret',
  CFW_ENDPOINT: 'https://cfw.example.com',
  CFW_PROJECT_ID: 'p1',
};
const API_KEY = 'a-caller-api-key';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function messageOf(result: unknown): string | undefined {
  return result instanceof UnauthenticatedError ? result.message : undefined;
}

describe('tokenFrom', () => {
  it('reads X-Auth-Token first, then Authorization: Bearer, trimmed', () => {
    expect(tokenFrom({ 'x-auth-token': ' t1 ', authorization: 'Bearer t2' })).toBe('t1');
    expect(tokenFrom({ authorization: 'bearer   t2  ' })).toBe('t2');
    expect(tokenFrom({ 'x-auth-token': '  ', authorization: 'Bearer t2' })).toBe('t2');
    expect(tokenFrom({ authorization: 'Basic dXNlcg==' })).toBeUndefined();
    expect(tokenFrom({ authorization: 'Bearer two words' })).toBeUndefined();
    expect(tokenFrom({})).toBeUndefined();
  });
});

describe('token mode', () => {
  it("forwards the caller's token, or the fallback, and refuses a request with neither", async () => {
    const config = loadConfig({});
    const authenticate = await createAuthenticator(config, undefined);
    expect((await authenticate({ 'x-auth-token': 'iam-token' })).credential).toEqual({ kind: 'token', token: 'iam-token' });
    expect(messageOf((await authenticate({})).credential)).toContain('No credentials');
    const withFallback = await createAuthenticator(config, 'demo-token');
    expect((await withFallback({})).credential).toEqual({ kind: 'token', token: 'demo-token' });
    expect((await withFallback({ authorization: 'Bearer mine' })).credential).toEqual({ kind: 'token', token: 'mine' });
  });
});

describe('AK/SK mode', () => {
  let privateKey: CryptoKey;
  let publicPem: string;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
  });

  function jwt(claims: { issuer?: string; audience?: string; expiresIn?: string } = {}) {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt()
      .setIssuer(claims.issuer ?? 'https://idp.example')
      .setAudience(claims.audience ?? 'capture-gateway')
      .setExpirationTime(claims.expiresIn ?? '5m')
      .sign(privateKey);
  }

  it('admits a known API key as the service, and names a wrong one', async () => {
    const authenticate = await createAuthenticator(loadConfig({ ...AKSK, INBOUND_API_KEYS_SHA256: sha256(API_KEY) }), undefined);
    expect((await authenticate({ 'x-api-key': API_KEY })).credential).toEqual({ kind: 'service' });
    expect(messageOf((await authenticate({ 'x-api-key': 'guess' })).credential)).toBe('The API key is not valid.');
    expect(messageOf((await authenticate({})).credential)).toContain('Authenticate to the gateway');
  });

  it('admits a JWT signed by the configured key, for the configured issuer and audience, while it is valid', async () => {
    const env = {
      ...AKSK,
      INBOUND_JWT_PUBLIC_KEY: publicPem,
      INBOUND_JWT_ALGORITHM: 'ES256',
      INBOUND_JWT_ISSUER: 'https://idp.example',
      INBOUND_JWT_AUDIENCE: 'capture-gateway',
    };
    const authenticate = await createAuthenticator(loadConfig(env), undefined);
    expect((await authenticate({ authorization: `Bearer ${await jwt()}` })).credential).toEqual({ kind: 'service' });
    const invalid = 'The JWT is not valid (signature, expiry, issuer or audience).';
    expect(messageOf((await authenticate({ authorization: `Bearer ${await jwt({ issuer: 'https://other.example' })}` })).credential)).toBe(invalid);
    expect(messageOf((await authenticate({ authorization: `Bearer ${await jwt({ audience: 'someone-else' })}` })).credential)).toBe(invalid);
    // Expiry is judged by the token's own claims against now: one that ended a minute ago.
    expect(messageOf((await authenticate({ authorization: `Bearer ${await jwt({ expiresIn: '-1m' })}` })).credential)).toBe(invalid);
    expect(messageOf((await authenticate({ authorization: 'Bearer not.a.jwt' })).credential)).toBe(invalid);
  });

  it('admits anyone as the service only when ALLOW_ANONYMOUS is set on purpose', async () => {
    const anonymous = await createAuthenticator(loadConfig({ ...AKSK, ALLOW_ANONYMOUS: 'true' }), undefined);
    expect((await anonymous({})).credential).toEqual({ kind: 'service' });
    // A token sent in AK/SK mode is never forwarded: the gateway signs with its own keys.
    expect((await anonymous({ 'x-auth-token': 'iam-token' })).credential).toEqual({ kind: 'service' });
  });

  it('lets only write keys, JWTs with the write scope and token callers change tasks; anonymous callers neither change nor see links', async () => {
    const WRITE_KEY = 'a-writer-api-key';
    const env = {
      ...AKSK,
      INBOUND_API_KEYS_SHA256: sha256(API_KEY),
      INBOUND_WRITE_API_KEYS_SHA256: sha256(WRITE_KEY),
      INBOUND_JWT_PUBLIC_KEY: publicPem,
      INBOUND_JWT_ALGORITHM: 'ES256',
      ALLOW_ANONYMOUS: 'true',
    };
    const authenticate = await createAuthenticator(loadConfig(env), undefined);
    expect(await authenticate({ 'x-api-key': WRITE_KEY })).toEqual({
      credential: { kind: 'service' },
      write: true,
      secrets: true,
      who: `api-key:${sha256(WRITE_KEY).slice(0, 12)}`,
    });
    const reader = await authenticate({ 'x-api-key': API_KEY });
    expect(reader.credential).toEqual({ kind: 'service' });
    expect(reader.write).toBeInstanceOf(ForbiddenError);
    const scoped = await authenticate({
      authorization: `Bearer ${await new SignJWT({ sub: 'op-1', scope: 'capture-tasks:write' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(privateKey)}`,
    });
    expect(scoped).toMatchObject({ write: true, who: 'jwt:op-1' });
    const anonymous = await authenticate({});
    expect(anonymous.credential).toEqual({ kind: 'service' });
    expect(anonymous.write).toBeInstanceOf(UnauthenticatedError);
    expect(anonymous.secrets).toBeInstanceOf(UnauthenticatedError);
    const token = await (await createAuthenticator(loadConfig({}), undefined))({ 'x-auth-token': 'iam-token' });
    expect(token).toEqual({ credential: { kind: 'token', token: 'iam-token' }, write: true, secrets: true, who: `token:${sha256('iam-token').slice(0, 12)}` });
  });
});

describe('jwtGrantsScope', () => {
  it('reads `scope` (space-separated) and `scp` (a list or a string), exactly', () => {
    expect(jwtGrantsScope({ scope: 'a capture-tasks:write b' }, 'capture-tasks:write')).toBe(true);
    expect(jwtGrantsScope({ scp: ['capture-tasks:write'] }, 'capture-tasks:write')).toBe(true);
    expect(jwtGrantsScope({ scp: 'capture-tasks:write' }, 'capture-tasks:write')).toBe(true);
    expect(jwtGrantsScope({ scope: 'capture-tasks:writer' }, 'capture-tasks:write')).toBe(false);
    expect(jwtGrantsScope({ scp: [1, {}] }, 'capture-tasks:write')).toBe(false);
    expect(jwtGrantsScope({}, 'capture-tasks:write')).toBe(false);
  });
});
