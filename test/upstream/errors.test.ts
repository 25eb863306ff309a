// The only reader of got's errors (src/upstream/errors.ts) and the retry policy built on it
// (retryDelayFor, src/upstream/client.ts), tested directly on real got errors: each comes from a
// real call to the simulator (or to a closed port), answered as the fault says.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import got, { RequestError, type Got, type RetryObject, type RetryOptions } from 'got';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode, GatewayError, UnauthenticatedError, UpstreamCancelledError, UpstreamError } from '../../src/errors.ts';
import type { Fault } from '../../src/simulator/faults.ts';
import { DEMO_TOKEN, Simulator } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { retryDelayFor, upstreamOptionsFrom, type UpstreamClientOptions } from '../../src/upstream/client.ts';
import { isRetryable, toUpstreamError } from '../../src/upstream/errors.ts';
import { WireFormatError } from '../../src/upstream/wire.ts';
import { freePort } from '../helpers/process.ts';

let simulator: Simulator;
let client: Got;
let options: UpstreamClientOptions;

beforeAll(async () => {
  simulator = new Simulator();
  const endpoint = await simulator.listen();
  options = upstreamOptionsFrom(loadConfig({ CFW_ENDPOINT: endpoint, CFW_PROJECT_ID: SIMULATOR_PROJECT_ID }), endpoint, SIMULATOR_PROJECT_ID);
  client = got.extend({
    prefixUrl: `${endpoint}/v1/${SIMULATOR_PROJECT_ID}/`,
    retry: { limit: 0 },
    responseType: 'json',
    headers: { 'x-auth-token': DEMO_TOKEN },
    searchParams: { fw_instance_id: SIMULATOR_FIREWALLS.demo, limit: 10, offset: 0 },
  });
});
afterAll(async () => {
  await simulator.close();
});

/** The got error a list call fails with when the simulator answers with `fault`. */
async function errorFor(fault: Fault, responseTimeoutMs?: number): Promise<RequestError> {
  simulator.faults = [fault];
  try {
    await (responseTimeoutMs === undefined ? client.get('capture-task') : client.get('capture-task', { timeout: { response: responseTimeoutMs } }));
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  } finally {
    simulator.faults = [];
  }
  throw new Error(`no error for ${JSON.stringify(fault)}`);
}

async function refusedError(): Promise<RequestError> {
  const port = await freePort();
  try {
    await got.get(`http://127.0.0.1:${port}/`, { retry: { limit: 0 } });
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('a closed port answered');
}

describe('isRetryable and toUpstreamError, on answers with a status', () => {
  const cases: [string, Fault, number, boolean, ErrorCode, string | undefined][] = [
    ['429', { kind: 'rate-limit', retryAfterSeconds: 1 }, 429, true, ErrorCode.UPSTREAM_UNAVAILABLE, 'APIGW.0308'],
    ['502', { kind: 'status', status: 502 }, 502, true, ErrorCode.UPSTREAM_UNAVAILABLE, undefined],
    ['503', { kind: 'status', status: 503 }, 503, true, ErrorCode.UPSTREAM_UNAVAILABLE, 'APIGW.0203'],
    ['504', { kind: 'status', status: 504 }, 504, true, ErrorCode.UPSTREAM_UNAVAILABLE, undefined],
    ['400 CFW.00109004 (transient)', { kind: 'status', status: 400, errorCode: 'CFW.00109004' }, 400, true, ErrorCode.UPSTREAM_UNAVAILABLE, 'CFW.00109004'],
    ['400 CFW.00200005 (no such firewall)', { kind: 'status', status: 400, errorCode: 'CFW.00200005' }, 400, false, ErrorCode.NOT_FOUND, 'CFW.00200005'],
    ['400 other', { kind: 'status', status: 400, errorCode: 'CFW.00200001' }, 400, false, ErrorCode.BAD_USER_INPUT, 'CFW.00200001'],
    ['401', { kind: 'status', status: 401 }, 401, false, ErrorCode.UNAUTHENTICATED, undefined],
    ['403', { kind: 'status', status: 403 }, 403, false, ErrorCode.FORBIDDEN, undefined],
    ['404', { kind: 'status', status: 404 }, 404, false, ErrorCode.UPSTREAM_ERROR, undefined],
    ['500', { kind: 'status', status: 500 }, 500, false, ErrorCode.UPSTREAM_ERROR, undefined],
  ];
  it.each(cases)('%s: retryable %#', async (_name, fault, status, retryable, code, errorCode) => {
    const error = await errorFor(fault);
    expect(isRetryable(error)).toBe(retryable);
    const mapped = toUpstreamError(error);
    expect(mapped.code).toBe(code);
    const details = mapped instanceof UpstreamError || mapped instanceof UnauthenticatedError ? mapped.upstream : undefined;
    expect(details).toMatchObject({ status, attempts: 1, requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    if (errorCode !== undefined) expect(details?.errorCode).toBe(errorCode);
    // Nothing of the request travels on: not the token, not the address.
    const shown = JSON.stringify({ message: mapped.message, extensions: mapped.extensions });
    expect(shown).not.toContain(DEMO_TOKEN);
    expect(shown).not.toContain('127.0.0.1');
  });
});

describe('isRetryable and toUpstreamError, without a usable answer', () => {
  it('a body that is not JSON: not retried, UPSTREAM_BAD_RESPONSE', async () => {
    const error = await errorFor({ kind: 'malformed-json' });
    expect(isRetryable(error)).toBe(false);
    expect(toUpstreamError(error)).toMatchObject({ code: ErrorCode.UPSTREAM_BAD_RESPONSE, upstream: { status: 200 } });
  });

  it('a reset connection: retried, UPSTREAM_UNAVAILABLE naming the network code', async () => {
    const error = await errorFor({ kind: 'reset' });
    expect(error.code).toBe('ECONNRESET');
    expect(isRetryable(error)).toBe(true);
    expect(toUpstreamError(error)).toMatchObject({ code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The upstream could not be reached (ECONNRESET).' });
  });

  it('a refused connection: retried, UPSTREAM_UNAVAILABLE', async () => {
    const error = await refusedError();
    expect(isRetryable(error)).toBe(true);
    expect(toUpstreamError(error)).toMatchObject({ code: ErrorCode.UPSTREAM_UNAVAILABLE, message: 'The upstream could not be reached (ECONNREFUSED).' });
  });

  it('a per-attempt timeout: retried, UPSTREAM_TIMEOUT naming the timeout', async () => {
    // got's own response timeout (20 ms) firing on a hung answer is the behaviour under test.
    const error = await errorFor({ kind: 'hang' }, 20);
    expect(isRetryable(error)).toBe(true);
    expect(toUpstreamError(error)).toMatchObject({ code: ErrorCode.UPSTREAM_TIMEOUT, message: 'The upstream did not answer in time (response timeout).' });
  });

  it("an aborted call: UpstreamCancelledError, not the upstream's fault", async () => {
    const controller = new AbortController();
    const release = simulator.hold();
    try {
      const call = client.get('capture-task', { signal: controller.signal });
      controller.abort();
      const error: unknown = await call.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RequestError);
      expect(toUpstreamError(error)).toBeInstanceOf(UpstreamCancelledError);
    } finally {
      release();
    }
  });

  it('keeps a GatewayError, names a wire-format problem, and hides anything else', () => {
    const gatewayError = new UpstreamError(ErrorCode.NOT_FOUND, 'gone', {});
    expect(toUpstreamError(gatewayError)).toBe(gatewayError);
    expect(toUpstreamError(new WireFormatError('records is not an array'))).toMatchObject({
      code: ErrorCode.UPSTREAM_BAD_RESPONSE,
      message: 'The upstream sent an answer the gateway cannot read: records is not an array.',
    });
    const hidden = toUpstreamError(new Error('secret detail'));
    expect(hidden).toBeInstanceOf(GatewayError);
    expect(hidden).toMatchObject({ code: ErrorCode.UPSTREAM_ERROR, message: 'The upstream call failed.' });
  });
});

describe('retryDelayFor: the retry policy', () => {
  let unavailable: RequestError;
  let failed: RequestError;
  beforeAll(async () => {
    unavailable = await errorFor({ kind: 'status', status: 503 });
    failed = await errorFor({ kind: 'status', status: 500 });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** got's own options, which the policy does not read (it has its own slice). */
  const RETRY_OPTIONS: RetryOptions = { limit: 2, methods: ['GET'], statusCodes: [], errorCodes: [], calculateDelay: () => 0, backoffLimit: 0, noise: 0 };

  function delay(error: RequestError, attemptCount: number, retryAfter?: number): number {
    const retry: RetryObject = { attemptCount, retryOptions: RETRY_OPTIONS, error, computedValue: 0, retryAfter };
    return retryDelayFor({ ...options, retries: 2, maxRetryAfterMs: 5_000, backoffBaseMs: 100, backoffCapMs: 2_000 })(retry);
  }

  it('retries a retryable failure up to CFW_RETRIES times, then stops', () => {
    expect(delay(unavailable, 1)).toBeGreaterThan(0);
    expect(delay(unavailable, 2)).toBeGreaterThan(0);
    expect(delay(unavailable, 3)).toBe(0);
  });

  it('never retries a failure that says nothing will change', () => {
    expect(delay(failed, 1)).toBe(0);
  });

  it('waits a Retry-After within CFW_MAX_RETRY_AFTER_MS, at least 1 ms, and refuses a longer one', () => {
    expect(delay(unavailable, 1, 1_000)).toBe(1_000);
    expect(delay(unavailable, 1, 0)).toBe(1);
    expect(delay(unavailable, 1, 5_000)).toBe(5_000);
    expect(delay(unavailable, 1, 5_001)).toBe(0);
  });

  it('backs off exponentially with full jitter, capped', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    expect(delay(unavailable, 1)).toBe(1);
    jest.spyOn(Math, 'random').mockReturnValue(1);
    // Ceilings: 100 × 2^(n-1), at most 2000; a delay is 1 + random × ceiling.
    expect([1, 2].map((attempt) => delay(unavailable, attempt))).toEqual([101, 201]);
    const capped = retryDelayFor({ ...options, retries: 10, backoffBaseMs: 100, backoffCapMs: 2_000 });
    expect(capped({ attemptCount: 6, retryOptions: RETRY_OPTIONS, error: unavailable, computedValue: 0, retryAfter: undefined })).toBe(2_001);
  });
});
