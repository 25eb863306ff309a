// The process's logger (pino, JSON lines). Secrets never reach it: the paths below are censored
// wherever they appear, and upstream errors are logged as GatewayErrors, which hold no headers or
// bodies.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// pino matches exact paths; the wildcards cover one level of nesting (an error's options, say).
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'credential.token',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-auth-token"]',
  '*.headers["x-security-token"]',
  '*.headers["x-api-key"]',
  'secretKey',
  'accessKey',
  '*.secretKey',
  '*.accessKey',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'capture-gateway' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
