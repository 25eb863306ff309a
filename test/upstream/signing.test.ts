import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  authorizationFor,
  canonicalRequestOf,
  sdkDateOf,
  type SigningRequest,
  stringToSignOf,
} from '../../src/upstream/signing.ts';
import { parseAuthorization, verifySignature } from '../../src/simulator/verify.ts';

// Vectors from shared/upstream/signing.md (official guide, Python SDK and Go SDK tests).
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const signatureIn = (authorization: string): string | undefined => parseAuthorization(authorization)?.signature;

const guideKeys = { accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
const sdkKeys = { accessKey: 'AccessKey', secretKey: 'SecretKey' };

const vectorA: SigningRequest = {
  method: 'GET',
  url: new URL('https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'),
  headers: { Host: 'service.region.example.com', 'Content-Type': 'application/json', 'X-Sdk-Date': '20191115T033655Z' },
  body: '',
};

const pythonHeaders = { Host: 'service.endpoint.myhuaweicloud.com', 'X-Sdk-Date': '20200608T023900Z', TEST_UNDERSCORE: 'TEST_VALUE' };
const pythonUrl = new URL('https://service.endpoint.myhuaweicloud.com/resources?size=1');
const goHeaders = { 'X-Sdk-Date': '20060102T150405Z', TEST_UNDERSCORE: 'TEST_VALUE' };

describe('published vectors', () => {
  it('A (official guide): canonical request hash, SignedHeaders and signature', () => {
    const signed = ['content-type', 'host', 'x-sdk-date'];
    const canonical = canonicalRequestOf(vectorA, signed);
    expect(canonical.split('\n').slice(0, 3)).toEqual([
      'GET',
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
      'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    ]);
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(stringToSignOf(canonical, '20191115T033655Z')).toBe(
      'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    expect(authorizationFor(vectorA, guideKeys)).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it('B1 (Python SDK): GET, empty body, TEST_UNDERSCORE unsigned', () => {
    const auth = authorizationFor({ method: 'GET', url: pythonUrl, headers: pythonHeaders, body: '' }, sdkKeys);
    expect(parseAuthorization(auth)?.signedHeaders).toEqual(['host', 'x-sdk-date']);
    expect(signatureIn(auth)).toBe('cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842');
  });

  it('B2 (Python SDK): POST with a JSON body', () => {
    const auth = authorizationFor({ method: 'POST', url: pythonUrl, headers: pythonHeaders, body: '{"name":"test","id":1}' }, sdkKeys);
    expect(parseAuthorization(auth)?.signedHeaders).toEqual(['host', 'x-sdk-date']);
    expect(signatureIn(auth)).toBe('436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
  });

  it('C1 (Go SDK): GET signing only x-sdk-date', () => {
    const request = { method: 'GET', url: new URL('https://example.com/path?limit=1'), headers: { ...goHeaders, Host: 'example.com' }, body: '' };
    const auth = authorizationFor(request, sdkKeys, ['x-sdk-date']);
    expect(parseAuthorization(auth)?.signedHeaders).toEqual(['x-sdk-date']);
    expect(signatureIn(auth)).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  });

  it('C2 (Go SDK): POST, body with a trailing newline, content-type sent but unsigned', () => {
    const request = {
      method: 'POST',
      url: new URL('https://example.com/path?key=value'),
      headers: { ...goHeaders, 'Content-Type': 'application/json' },
      body: new TextEncoder().encode('{"Name":"test","Id":1}\n'),
    };
    const auth = authorizationFor(request, sdkKeys, ['x-sdk-date']);
    expect(parseAuthorization(auth)?.signedHeaders).toEqual(['x-sdk-date']);
    expect(signatureIn(auth)).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });
});

describe('canonical request', () => {
  it('never signs a header whose name contains an underscore, even when asked to', () => {
    const request = { method: 'GET', url: pythonUrl, headers: { ...pythonHeaders, X_Other: 'y' }, body: '' };
    expect(parseAuthorization(authorizationFor(request, sdkKeys))?.signedHeaders).toEqual(['host', 'x-sdk-date']);
    expect(canonicalRequestOf(request, ['test_underscore', 'x-sdk-date'])).not.toContain('test_underscore');
  });

  it('encodes path segments and sorts repeated query values', () => {
    const request = { method: 'get', url: new URL('https://h/a%20b/c(d)?b=2&a=z&a=y%2Fx&c'), headers: {}, body: '' };
    expect(canonicalRequestOf(request, []).split('\n').slice(0, 3)).toEqual(['GET', '/a%20b/c%28d%29/', 'a=y%2Fx&a=z&b=2&c=']);
  });
});

describe('sdkDateOf', () => {
  it('formats YYYYMMDDTHHMMSSZ in UTC, dropping milliseconds', () => {
    expect(sdkDateOf(new Date('2019-11-15T03:36:55.789Z'))).toBe('20191115T033655Z');
    expect(sdkDateOf(new Date(Date.UTC(2006, 0, 2, 15, 4, 5)))).toBe('20060102T150405Z');
  });
});

describe('parseAuthorization', () => {
  it('round-trips what authorizationFor produces', () => {
    expect(parseAuthorization(authorizationFor(vectorA, guideKeys))).toEqual({
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    });
  });

  it.each([
    '',
    'garbage',
    'Bearer abc',
    'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc',
    `SDK-HMAC-SHA256 SignedHeaders=host, Signature=${'a'.repeat(64)}`,
    `SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;x-sdk-date, Signature=${'a'.repeat(64)}`,
    `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature=${'a'.repeat(64)}`,
    `AWS4-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
  ])('rejects %j', (value) => {
    expect(parseAuthorization(value)).toBeUndefined();
  });
});

describe('verifySignature', () => {
  const now = new Date('2019-11-15T03:40:00Z');
  const secretFor = (ak: string): string | undefined => (ak === guideKeys.accessKey ? guideKeys.secretKey : undefined);
  const withAuthorization = (authorization: string, request: SigningRequest = vectorA): SigningRequest => ({
    ...request,
    headers: { ...request.headers, Authorization: authorization },
  });
  const goodAuthorization = authorizationFor(vectorA, guideKeys);

  it('accepts a correctly signed, fresh request', () => {
    expect(verifySignature(withAuthorization(goodAuthorization), secretFor, now)).toBe('ok');
  });

  it('rejects a signature with one byte changed', () => {
    const last = goodAuthorization.slice(-2);
    const tampered = `${goodAuthorization.slice(0, -2)}${last === '00' ? '01' : '00'}`;
    expect(verifySignature(withAuthorization(tampered), secretFor, now)).toBe('bad-signature');
  });

  it('rejects a request whose signed content changed', () => {
    const moved = { ...vectorA, url: new URL('https://service.region.example.com/v1/other/vpcs?limit=2') };
    expect(verifySignature(withAuthorization(goodAuthorization, moved), secretFor, now)).toBe('bad-signature');
  });

  it('rejects an X-Sdk-Date more than 15 minutes from now, either way', () => {
    const request = withAuthorization(goodAuthorization);
    expect(verifySignature(request, secretFor, new Date('2019-11-15T03:51:56Z'))).toBe('stale-date');
    expect(verifySignature(request, secretFor, new Date('2019-11-15T03:21:54Z'))).toBe('stale-date');
    expect(verifySignature(request, secretFor, new Date('2019-11-15T03:51:55Z'))).toBe('ok');
  });

  it('rejects an unknown access key', () => {
    const auth = authorizationFor(vectorA, { accessKey: 'SOMEONEELSE', secretKey: guideKeys.secretKey });
    expect(verifySignature(withAuthorization(auth), secretFor, now)).toBe('unknown-key');
  });

  it('reports a missing Authorization or X-Sdk-Date header', () => {
    expect(verifySignature(vectorA, secretFor, now)).toBe('missing');
    const noDate = { ...withAuthorization(goodAuthorization).headers, 'X-Sdk-Date': undefined };
    expect(verifySignature({ ...vectorA, headers: noDate }, secretFor, now)).toBe('missing');
  });

  it('reports a malformed Authorization, an invalid date, or an unsigned X-Sdk-Date as malformed', () => {
    expect(verifySignature(withAuthorization('SDK-HMAC-SHA256 nonsense'), secretFor, now)).toBe('malformed');
    const badDate = { ...vectorA, headers: { ...vectorA.headers, 'X-Sdk-Date': '20191315T033655Z' } };
    expect(verifySignature(withAuthorization(authorizationFor(badDate, guideKeys), badDate), secretFor, now)).toBe('malformed');
    const dateUnsigned = authorizationFor(vectorA, guideKeys, ['host']);
    expect(verifySignature(withAuthorization(dateUnsigned), secretFor, now)).toBe('malformed');
  });
});
