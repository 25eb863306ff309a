// AK/SK mode end to end: the gateway signs every call with its own keys (the simulator verifies
// the signature for real), and callers must authenticate to the gateway first.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { withHarness, type GraphQLResult } from '../helpers/harness.ts';
import { memorySink } from '../helpers/log.ts';

const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const QUERY = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount } }`;
const simulator = { accessKeys: new Map([[AK, SK]]), tokens: new Map() };
const aksk = { CFW_AUTH_MODE: 'aksk', CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK };

const codeOf = (result: GraphQLResult) => result.body.errors?.[0]?.extensions?.['code'];

describe('AK/SK mode', () => {
  it('signs every call; the simulator verifies it; a caller token is never forwarded', async () => {
    await withHarness({ env: { ...aksk, ALLOW_ANONYMOUS: 'true' }, simulator }, async (harness) => {
      const result = await harness.gql(QUERY, undefined, { 'x-auth-token': 'callers-own-token' });
      expect(result.body).toEqual({ data: { captureTasks: { totalCount: 57 } } });
      expect(harness.simulator.calls.map((call) => call.token)).toEqual([undefined]);
    });
  });

  it('signs each retry afresh', async () => {
    await withHarness(
      { env: { ...aksk, ALLOW_ANONYMOUS: 'true' }, simulator: { ...simulator, faults: [{ kind: 'status', status: 503 }] } },
      async (harness) => {
        const result = await harness.gql(QUERY, undefined, {});
        expect(result.body.errors).toBeUndefined();
        expect(harness.simulator.calls.map((call) => call.status)).toEqual([503, 200]);
      },
    );
  });

  it('a wrong secret key is UNAUTHENTICATED and never retried (APIG locks an AK after 5 bad signatures)', async () => {
    await withHarness({ env: { ...aksk, CLOUD_SDK_SK: 'not-the-secret', ALLOW_ANONYMOUS: 'true' }, simulator }, async (harness) => {
      const result = await harness.gql(QUERY, undefined, {});
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { status: 401, errorCode: 'APIG.0301', attempts: 1 } });
      expect(harness.simulator.callCount).toBe(1);
      expect(result.text).not.toContain('not-the-secret');
      expect(result.text).not.toContain(AK);
    });
  });

  it('keeps the keys out of logs', async () => {
    const { lines, sink } = memorySink();
    await withHarness(
      { env: { ...aksk, CLOUD_SDK_SK: 'wrong-secret-value', ALLOW_ANONYMOUS: 'true' }, simulator, logger: createLogger('trace', sink) },
      async (harness) => {
        await harness.gql(QUERY, undefined, {});
      },
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain('wrong-secret-value');
  });
});

describe('callers of an AK/SK gateway must authenticate', () => {
  const key = 'console-team-key-1';
  const hash = createHash('sha256').update(key).digest('hex');

  it('refuses to start with neither inbound authentication nor ALLOW_ANONYMOUS', () => {
    expect(() => loadConfig({ ...aksk, CFW_ENDPOINT: 'http://127.0.0.1:9', CFW_PROJECT_ID: 'p' })).toThrow(
      /CFW_AUTH_MODE=aksk calls CFW with the gateway's own keys, so callers must authenticate/,
    );
  });

  it('accepts a known API key, refuses a missing or unknown one without calling the upstream', async () => {
    await withHarness({ env: { ...aksk, INBOUND_API_KEYS_SHA256: hash }, simulator }, async (harness) => {
      const none = await harness.gql(QUERY, undefined, {});
      expect(codeOf(none)).toBe('UNAUTHENTICATED');
      expect(none.body.errors?.[0]?.message).toBe('Authenticate to the gateway: send an API key in X-Api-Key or a valid JWT as Authorization: Bearer <jwt>.');
      expect(codeOf(await harness.gql(QUERY, undefined, { 'x-api-key': 'guess' }))).toBe('UNAUTHENTICATED');
      expect(harness.simulator.callCount).toBe(0);
      const ok = await harness.gql(QUERY, undefined, { 'x-api-key': key });
      expect(ok.body).toEqual({ data: { captureTasks: { totalCount: 57 } } });
    });
  });

  it('accepts a JWT signed by the configured key, refuses an expired or foreign one', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const pem = await exportSPKI(publicKey);
    const sign = (key: typeof privateKey, expires: string) =>
      new SignJWT({ sub: 'operator' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('console').setIssuedAt().setExpirationTime(expires).sign(key);
    const env = { ...aksk, INBOUND_JWT_PUBLIC_KEY: pem, INBOUND_JWT_ALGORITHM: 'ES256', INBOUND_JWT_ISSUER: 'console' };
    await withHarness({ env, simulator }, async (harness) => {
      const good = await harness.gql(QUERY, undefined, { authorization: `Bearer ${await sign(privateKey, '5m')}` });
      expect(good.body.errors).toBeUndefined();
      const expired = await harness.gql(QUERY, undefined, { authorization: `Bearer ${await sign(privateKey, '-1m')}` });
      expect(expired.body.errors?.[0]?.message).toBe('The JWT is not valid (signature, expiry, issuer or audience).');
      const foreign = await harness.gql(QUERY, undefined, { authorization: `Bearer ${await sign(other.privateKey, '5m')}` });
      expect(codeOf(foreign)).toBe('UNAUTHENTICATED');
      expect(harness.simulator.callCount).toBe(1);
    });
  });
});
