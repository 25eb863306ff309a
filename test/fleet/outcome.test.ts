// Every answer through the fleet is one outcome: what a client would make of it.
import { describe, expect, it } from '@jest/globals';
import { outcomeOf } from './outcome.ts';

const response = (status: number, body: unknown) => ({ kind: 'response' as const, status, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('outcomeOf', () => {
  it('reads data without errors as ok, and a mutation payload with userErrors as a user error by its first code', () => {
    expect(outcomeOf(response(200, { data: { captureTasks: { totalCount: 3 } } }))).toEqual({ class: 'ok' });
    expect(outcomeOf(response(200, { data: { createCaptureTask: { captureTask: { id: 't' }, userErrors: [] } } }))).toEqual({ class: 'ok' });
    expect(
      outcomeOf(
        response(200, { data: { createCaptureTask: { captureTask: null, userErrors: [{ code: 'CAPTURE_IN_PROGRESS', message: '…' }, { code: 'INVALID' }] } } }),
      ),
    ).toEqual({ class: 'user-error', code: 'CAPTURE_IN_PROGRESS' });
  });

  it('reads a GraphQL error by its extensions.code, RATE_LIMITED apart, whatever the status', () => {
    expect(outcomeOf(response(200, { errors: [{ message: 'm', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }], data: null }))).toEqual({
      class: 'typed-error',
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(outcomeOf(response(503, { errors: [{ message: 'm', extensions: { code: 'SHUTTING_DOWN' } }] }))).toEqual({
      class: 'typed-error',
      code: 'SHUTTING_DOWN',
    });
    expect(outcomeOf(response(429, { errors: [{ message: 'm', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } }] }))).toEqual({
      class: 'rate-limited',
      code: 'RATE_LIMITED',
    });
  });

  it('counts partial data with errors as an error: part of what was asked is missing', () => {
    expect(outcomeOf(response(200, { data: { captureTasks: null }, errors: [{ message: 'm', extensions: { code: 'UPSTREAM_TIMEOUT' } }] }))).toEqual({
      class: 'typed-error',
      code: 'UPSTREAM_TIMEOUT',
    });
  });

  it('calls JSON that is no GraphQL answer with a code untyped, with its status', () => {
    expect(outcomeOf(response(500, { errors: [{ message: 'no code' }] }))).toEqual({ class: 'untyped', code: '500' });
    expect(outcomeOf(response(200, { errors: [{ message: 'm', extensions: { code: '' } }] }))).toEqual({ class: 'untyped', code: '200' });
    expect(outcomeOf(response(200, { data: 'text' }))).toEqual({ class: 'untyped', code: '200' });
    expect(outcomeOf(response(200, '[1,2]'))).toEqual({ class: 'untyped', code: '200' });
  });

  it("calls a body that is not JSON the balancer's page, with its status", () => {
    expect(outcomeOf(response(503, '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>'))).toEqual({
      class: 'balancer',
      code: '503',
    });
    expect(outcomeOf(response(502, ''))).toEqual({ class: 'balancer', code: '502' });
  });

  it('calls no answer a connection failure, by the socket error', () => {
    expect(outcomeOf({ kind: 'no-response', code: 'ECONNRESET' })).toEqual({ class: 'connection', code: 'ECONNRESET' });
    expect(outcomeOf({ kind: 'no-response', code: 'LOAD_TIMEOUT' })).toEqual({ class: 'connection', code: 'LOAD_TIMEOUT' });
  });
});
