// The one retry rule (src/upstream/retry.ts): a read is retried on anything that may pass; a POST
// only when the failure proves CFW never applied it.
import { describe, expect, it } from '@jest/globals';
import { outcomeUnknown, retryAllowed, type AttemptFailure } from '../../src/upstream/retry.ts';

const answer = (status: number, errorCode?: string): AttemptFailure => ({ kind: 'answer', status, errorCode });
/** A failure without an answer; `transient` as errors.ts's table says (an unknown code is not). */
const noAnswer = (code: string, connected: boolean, transient = code !== 'ERR_SOMETHING'): AttemptFailure => ({
  kind: 'no-answer',
  code,
  transient,
  connected,
});

describe('retryAllowed', () => {
  const cases: [string, AttemptFailure, boolean, boolean][] = [
    // failure, GET retried, POST retried
    ['429 (APIG throttling: refused before CFW)', answer(429, 'APIGW.0308'), true, true],
    ['400 CFW.00109004 (transient: nothing done)', answer(400, 'CFW.00109004'), true, true],
    ['502 (a gateway that may have passed it on)', answer(502), true, false],
    ['503', answer(503, 'APIGW.0203'), true, false],
    ['504 (backend timeout: CFW may be applying it)', answer(504), true, false],
    ['500', answer(500), false, false],
    ['400 another code', answer(400, 'CFW.00200016'), false, false],
    ['401', answer(401, 'APIG.0301'), false, false],
    ['403', answer(403), false, false],
    ['404', answer(404, 'APIGW.0101'), false, false],
    ['connection refused', noAnswer('ECONNREFUSED', false), true, true],
    ['DNS: no such host', noAnswer('ENOTFOUND', false), true, true],
    ['DNS: try again', noAnswer('EAI_AGAIN', false), true, true],
    ['connect timeout (no socket connected)', noAnswer('ETIMEDOUT', false), true, true],
    ['timeout waiting for the answer (after sending)', noAnswer('ETIMEDOUT', true), true, false],
    ['reset after the connection was made', noAnswer('ECONNRESET', true), true, false],
    ['broken pipe while sending', noAnswer('EPIPE', true), true, false],
    ['answer cut short', noAnswer('ERR_STREAM_PREMATURE_CLOSE', true), true, false],
    ['an unknown failure', noAnswer('ERR_SOMETHING', true), false, false],
  ];
  it.each(cases)('%s: GET %p, POST %p', (_label, failure, get, post) => {
    expect(retryAllowed('GET', failure)).toBe(get);
    expect(retryAllowed('POST', failure)).toBe(post);
  });

  it('never retries other methods', () => {
    expect(retryAllowed('PUT', noAnswer('ECONNREFUSED', false))).toBe(false);
    expect(retryAllowed('DELETE', answer(503))).toBe(false);
  });
});

describe('outcomeUnknown', () => {
  it('is true only when no answer came after a connection was made, or a gateway answered a POST with 502/503/504', () => {
    expect(outcomeUnknown('POST', noAnswer('ETIMEDOUT', true))).toBe(true);
    expect(outcomeUnknown('POST', noAnswer('ECONNRESET', true))).toBe(true);
    expect(outcomeUnknown('POST', noAnswer('ECONNREFUSED', false))).toBe(false);
    expect(outcomeUnknown('POST', noAnswer('ETIMEDOUT', false))).toBe(false);
    expect(outcomeUnknown('POST', answer(504))).toBe(true);
    expect(outcomeUnknown('GET', answer(504))).toBe(false);
    expect(outcomeUnknown('POST', answer(500))).toBe(false);
    expect(outcomeUnknown('POST', answer(429))).toBe(false);
  });
});
