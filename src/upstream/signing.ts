// Huawei Cloud APIG AK/SK signing (SDK-HMAC-SHA256); algorithm and vectors in shared/upstream/signing.md.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

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
const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const hmacHex = (key: string, data: string): string => createHmac('sha256', key).update(data).digest('hex');

/** YYYYMMDDTHHMMSSZ in UTC. */
export function sdkDateOf(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The inverse of sdkDateOf; undefined when the text is not a real YYYYMMDDTHHMMSSZ instant. */
function dateOfSdkDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  // Date.UTC rolls 20191332 over to a later month; the round trip rejects it.
  return sdkDateOf(date) === text ? date : undefined;
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
  const path = url.pathname.split('/').map((s) => encode(decodeOrRaw(s))).join('/');
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
function headerMapOf(headers: SigningRequest['headers']): Map<string, string> {
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

function signatureOf(request: SigningRequest, secretKey: string, signedHeaders: readonly string[], sdkDate: string): string {
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

const AUTHORIZATION_PATTERN = /^SDK-HMAC-SHA256\s+Access=([^\s,]+),\s*SignedHeaders=([^\s,]+),\s*Signature=([0-9a-f]{64})$/;
const HEADER_NAME_PATTERN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Parses `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`; undefined when malformed. */
export function parseAuthorization(value: string): { accessKey: string; signedHeaders: string[]; signature: string } | undefined {
  const m = AUTHORIZATION_PATTERN.exec(value.trim());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const signedHeaders = m[2].split(';');
  if (!signedHeaders.every((n) => HEADER_NAME_PATTERN.test(n))) return undefined;
  return { accessKey: m[1], signedHeaders, signature: m[3] };
}

export type VerifyResult = 'ok' | 'missing' | 'malformed' | 'unknown-key' | 'stale-date' | 'bad-signature';

/** Server side: recomputes the signature over the headers named in Authorization, compared in constant time. */
export function verifySignature(
  request: SigningRequest,
  secretFor: (accessKey: string) => string | undefined,
  now: Date,
  maxSkewMs: number = DEFAULT_MAX_SKEW_MS,
): VerifyResult {
  const headers = headerMapOf(request.headers);
  const authorization = headers.get('authorization');
  const sdkDate = headers.get(SDK_DATE_HEADER);
  if (authorization === undefined || sdkDate === undefined) return 'missing';
  const parsed = parseAuthorization(authorization);
  const date = dateOfSdkDate(sdkDate);
  // An unsigned X-Sdk-Date would let a captured request be replayed with a fresh date.
  if (!parsed || !date || !parsed.signedHeaders.includes(SDK_DATE_HEADER)) return 'malformed';
  const secretKey = secretFor(parsed.accessKey);
  if (secretKey === undefined) return 'unknown-key';
  if (Math.abs(now.getTime() - date.getTime()) > maxSkewMs) return 'stale-date';
  const expected = Buffer.from(signatureOf(request, secretKey, parsed.signedHeaders, sdkDate), 'hex');
  const actual = Buffer.from(parsed.signature, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? 'ok' : 'bad-signature';
}

/** The service's own credentials for AK/SK mode; temporary credentials add a security token. */
export interface ServiceKeys extends SigningKeys {
  readonly securityToken?: string | undefined;
}

/**
 * Signs an outgoing GET afresh: a new X-Sdk-Date, X-Project-Id, and the Authorization over the
 * exact request. Meant for got's beforeRequest hook, which runs again before every retry.
 */
export function signedHeadersFor(method: string, url: URL, projectId: string, keys: ServiceKeys, now: Date): Record<string, string> {
  const sent: Record<string, string> = {
    [SDK_DATE_HEADER]: sdkDateOf(now),
    'x-project-id': projectId,
    ...(keys.securityToken === undefined ? {} : { 'x-security-token': keys.securityToken }),
  };
  // Host is signed as the URL names it (no default port), which is what the HTTP client sends.
  const signed = { ...sent, host: url.host };
  const authorization = authorizationFor({ method, url, headers: signed, body: '' }, keys, Object.keys(signed));
  return { ...sent, authorization };
}
