// The simulator's side of APIG AK/SK signing: checks a signed request as APIG does, recomputing the
// signature with the gateway's own canonical request (upstream/signing.ts). Only the simulator uses it.
import { timingSafeEqual } from 'node:crypto';
import { headerMapOf, sdkDateOf, SDK_DATE_HEADER, signatureOf, type SigningRequest } from '../upstream/signing.ts';

const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/** The inverse of sdkDateOf; undefined when the text is not a real YYYYMMDDTHHMMSSZ instant. */
function dateOfSdkDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  // Date.UTC rolls 20191332 over to a later month; the round trip rejects it.
  return sdkDateOf(date) === text ? date : undefined;
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
