import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { createCaptureTask } from '../../src/upstream/capture-tasks.ts';
import { loadConfig } from '../../src/config.ts';
import { createUpstreamHttp, upstreamOptionsFrom } from '../../src/upstream/client.ts';
import { authorizationFor, canonicalRequestOf, sdkDateOf, type SigningRequest, stringToSignOf } from '../../src/upstream/signing.ts';
import { parseAuthorization, verifySignature } from '../../src/simulator/verify.ts';
import { guideKeys, pythonHeaders, pythonUrl, sdkKeys, sdkVectors, vectorA, vectorAExpected } from '../fixtures/upstream/signing-vectors.ts';

// The published vectors live in test/fixtures/upstream/signing-vectors.ts (official guide, Python SDK and Go SDK tests).
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const signatureIn = (authorization: string): string | undefined => parseAuthorization(authorization)?.signature;

describe('published vectors', () => {
  it('A (official guide): canonical request hash, SignedHeaders and signature', () => {
    const canonical = canonicalRequestOf(vectorA, vectorAExpected.signedHeaders);
    expect(canonical.split('\n').slice(0, 3)).toEqual([
      'GET',
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
      'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    ]);
    expect(sha256Hex(canonical)).toBe(vectorAExpected.canonicalRequestSha256);
    expect(stringToSignOf(canonical, '20191115T033655Z')).toBe(`SDK-HMAC-SHA256\n20191115T033655Z\n${vectorAExpected.canonicalRequestSha256}`);
    expect(authorizationFor(vectorA, guideKeys)).toBe(
      `SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=${vectorAExpected.signature}`,
    );
  });

  it.each(sdkVectors.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const auth = authorizationFor(vector.request, vector.keys, vector.signedHeaders);
    expect(parseAuthorization(auth)?.signedHeaders).toEqual(vector.expectedSignedHeaders);
    expect(signatureIn(auth)).toBe(vector.expectedSignature);
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
      signature: vectorAExpected.signature,
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

describe('a POST signed by the gateway (the real got client and hook, a loopback server)', () => {
  interface Received {
    readonly method: string;
    readonly url: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: Buffer;
  }

  it('signs the exact body bytes and the content type: APIG verifies it, and one changed byte fails', async () => {
    const received: Received[] = [];
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"data":{"id":"fw","name":"fw"}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      CFW_ENDPOINT: endpoint,
      CFW_PROJECT_ID: 'p1',
      CFW_AUTH_MODE: 'aksk',
      CLOUD_SDK_AK: guideKeys.accessKey,
      CLOUD_SDK_SK: guideKeys.secretKey,
      ALLOW_ANONYMOUS: 'true',
      CFW_RETRIES: '0',
    });
    const upstream = createUpstreamHttp(upstreamOptionsFrom(config, endpoint, 'p1'));
    try {
      const body = {
        name: 'signed-capture',
        duration: 1,
        max_packets: 10,
        source: { address: '192.0.2.1', address_type: 0, type: 0 as const },
        destination: { address: '192.0.2.2', address_type: 0, type: 0 as const },
        service: { protocol: 6 },
      };
      await createCaptureTask(upstream, { fwInstanceId: 'fw-1', enterpriseProjectId: undefined }, body, { credential: { kind: 'service' }, timeoutMs: 5_000 });
      const [request] = received;
      if (request === undefined) throw new Error('the server received nothing');
      expect(request.method).toBe('POST');
      expect(JSON.parse(request.body.toString('utf8'))).toEqual(body);
      const authorization = request.headers.authorization ?? '';
      expect(parseAuthorization(authorization)?.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
      const signed: SigningRequest = {
        method: 'POST',
        url: new URL(request.url, `http://${request.headers.host ?? ''}`),
        headers: request.headers,
        body: request.body,
      };
      const now = new Date();
      const secretFor = (ak: string) => (ak === guideKeys.accessKey ? guideKeys.secretKey : undefined);
      expect(verifySignature(signed, secretFor, now)).toBe('ok');
      const tampered = Buffer.from(request.body);
      tampered[tampered.length - 2] = 0x20;
      expect(verifySignature({ ...signed, body: tampered }, secretFor, now)).toBe('bad-signature');
      expect(verifySignature({ ...signed, body: '' }, secretFor, now)).toBe('bad-signature');
    } finally {
      upstream.close();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
