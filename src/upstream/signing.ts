// Huawei Cloud APIG AK/SK signing (SDK-HMAC-SHA256); algorithm and vectors in test/fixtures/upstream/signing.md.
// The gateway signs; the simulator verifies (simulator/verify.ts) with the same canonical request.
import { createHash, createHmac } from 'node:crypto';

export interface SigningRequest {
  readonly method: string;
  readonly url: URL;
  /** Header names in any case; the Host header is signed as given here. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The exact bytes sent ('' for none). */
  readonly body: Uint8Array | string;
}

export interface SigningKeys {
  readonly accessKey: string;
  readonly secretKey: string;
}

export const SDK_DATE_HEADER = 'x-sdk-date';
const ALGORITHM = 'SDK-HMAC-SHA256';

const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const hmacHex = (key: string, data: string): string => createHmac('sha256', key).update(data).digest('hex');

/** YYYYMMDDTHHMMSSZ in UTC. */
export function sdkDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** RFC 3986 unreserved characters kept, everything else %XX (encodeURIComponent also keeps !'()*). */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function canonicalUriOf(url: URL): string {
  // URL.pathname is already percent-encoded; decode first so segments are not encoded twice.
  const path = url.pathname
    .split('/')
    .map((s) => encode(decodeOrRaw(s)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

function canonicalQueryOf(url: URL): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of url.searchParams) {
    const k = encode(key);
    byKey.set(k, [...(byKey.get(k) ?? []), encode(value)]);
  }
  return [...byKey.keys()]
    .sort()
    .flatMap((k) => (byKey.get(k) ?? []).sort().map((v) => `${k}=${v}`))
    .join('&');
}

/** Lower-case name → trimmed value; repeated or differently-cased names are joined with ','. */
export function headerMapOf(headers: SigningRequest['headers']): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = (Array.isArray(raw) ? raw : [raw]).map((v) => v.trim()).join(',');
    const key = name.toLowerCase();
    const prior = map.get(key);
    map.set(key, prior === undefined ? value : `${prior},${value}`);
  }
  return map;
}

/** Lower-cased, de-duplicated, sorted, without names containing '_' (which APIG never signs). */
function normalizeSignedHeaders(names: Iterable<string>): string[] {
  return [...new Set([...names].map((n) => n.toLowerCase()))].filter((n) => !n.includes('_')).sort();
}

/** Every header present in the request except names containing '_', lower-case and sorted. */
export function defaultSignedHeadersOf(request: SigningRequest): string[] {
  return normalizeSignedHeaders(headerMapOf(request.headers).keys());
}

export function canonicalRequestOf(request: SigningRequest, signedHeaders: readonly string[]): string {
  const headers = headerMapOf(request.headers);
  const names = normalizeSignedHeaders(signedHeaders);
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n) ?? ''}\n`).join('');
  return [
    request.method.toUpperCase(),
    canonicalUriOf(request.url),
    canonicalQueryOf(request.url),
    canonicalHeaders,
    names.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

export function stringToSignOf(canonicalRequest: string, sdkDate: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
}

/** The hex signature of a request under `secretKey`: what both signer and verifier compute. */
export function signatureOf(request: SigningRequest, secretKey: string, signedHeaders: readonly string[], sdkDate: string): string {
  return hmacHex(secretKey, stringToSignOf(canonicalRequestOf(request, signedHeaders), sdkDate));
}

/** The Authorization header value; the request must already carry X-Sdk-Date. */
export function authorizationFor(request: SigningRequest, keys: SigningKeys, signedHeaders?: readonly string[]): string {
  const sdkDate = headerMapOf(request.headers).get(SDK_DATE_HEADER);
  if (sdkDate === undefined) throw new Error('authorizationFor: the request has no X-Sdk-Date header');
  const names = normalizeSignedHeaders(signedHeaders ?? defaultSignedHeadersOf(request));
  const signature = signatureOf(request, keys.secretKey, names, sdkDate);
  return `${ALGORITHM} Access=${keys.accessKey}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

/** The service's own credentials for AK/SK mode; temporary credentials add a security token. */
export interface ServiceKeys extends SigningKeys {
  readonly securityToken?: string | undefined;
}

/** What of a request's content is signed besides its method and URL. */
export interface SignedContent {
  /** The exact bytes sent ('' for none). */
  readonly body: Uint8Array | string;
  /** Signed when sent. */
  readonly contentType?: string | undefined;
}

/**
 * Signs an outgoing request afresh: a new X-Sdk-Date, X-Project-Id, and the Authorization over the
 * exact request, its body's hash included. Meant for got's beforeRequest hook, which runs again
 * before every retry.
 */
export function signedHeadersFor(
  method: string,
  url: URL,
  projectId: string,
  keys: ServiceKeys,
  now: Date,
  content: SignedContent = { body: '' },
): Record<string, string> {
  const sent: Record<string, string> = {
    [SDK_DATE_HEADER]: sdkDateOf(now),
    'x-project-id': projectId,
    ...(keys.securityToken === undefined ? {} : { 'x-security-token': keys.securityToken }),
  };
  // Host is signed as the URL names it (no default port), which is what the HTTP client sends.
  const signed = { ...sent, host: url.host, ...(content.contentType === undefined ? {} : { 'content-type': content.contentType }) };
  const authorization = authorizationFor({ method, url, headers: signed, body: content.body }, keys, Object.keys(signed));
  return { ...sent, authorization };
}
