// HTTP-level rejections through raw sockets: what Node's parser refuses (oversized headers or URL,
// ambiguous framing), slow headers and slow or lying bodies all get the documented JSON error body,
// and neither they nor a client that goes away write a line at error level.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.ts';
import { isClientFault, rawAnswer, rejectionFor } from '../../src/server/sockets.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { until } from '../helpers/until.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { memorySink } from '../helpers/log.ts';

/** Timeouts small enough to wait for: the waits below are the behaviour under test. */
const BODY_TIMEOUT_MS = 200;
const HEADERS_TIMEOUT_MS = 300;

interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: unknown;
  /** Whether the server closed the connection. */
  readonly closed: boolean;
}

function dechunk(encoded: string): string {
  let text = '';
  for (let rest = encoded; ;) {
    const size = Number.parseInt(rest.slice(0, rest.indexOf('\r\n')), 16);
    if (!(size > 0)) return text;
    const start = rest.indexOf('\r\n') + 2;
    text += rest.slice(start, start + size);
    rest = rest.slice(start + size + 2);
  }
}

/** Writes `parts` (a string, or a pause in ms) to a fresh socket and reads until the server closes it. */
async function raw(port: number, parts: readonly (string | number)[]): Promise<RawAnswer> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve) => {
    socket.once('close', () => {
      closed = true;
      resolve();
    });
  });
  socket.on('error', () => undefined);
  for (const part of parts) {
    // A pause between parts is the behaviour under test (slow or dripping clients).
    if (typeof part === 'number') await new Promise((resolve) => setTimeout(resolve, part));
    else if (!socket.destroyed) socket.write(part);
  }
  // Every case here ends with the gateway closing the connection; one that does not fails at Jest's timeout.
  await ended;
  socket.destroy();
  const [head = '', ...rest] = received.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const encoded = rest.join('\r\n\r\n');
  const text = /transfer-encoding: chunked/i.test(head) ? dechunk(encoded) : encoded;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status, headers: head.toLowerCase(), body, closed };
}

const errorOf = (code: string) => ({ errors: [{ message: expect.any(String), extensions: { code } }] });
const DOCUMENT = `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 1) { totalCount } }`;
const QUERY = JSON.stringify({ query: DOCUMENT });

describe('rejectionFor and rawAnswer', () => {
  it("maps the parser's codes to 431, 408 and 400, and a reset to no answer", () => {
    expect(rejectionFor('HPE_HEADER_OVERFLOW')).toMatchObject({ status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });
    expect(rejectionFor('ERR_HTTP_REQUEST_TIMEOUT')).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(rejectionFor('HPE_UNEXPECTED_CONTENT_LENGTH')).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(rejectionFor('HPE_INVALID_METHOD')).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(rejectionFor('ECONNRESET')).toBeUndefined();
  });

  it('reads the same codes as a client gone in both places: no answer to write, nothing to log as a failure', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE']) {
      expect(rejectionFor(code)).toBeUndefined();
      expect(isClientFault(Object.assign(new Error('gone'), { code }))).toBe(true);
    }
    expect(isClientFault(Object.assign(new Error('upstream'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('writes a complete HTTP/1.1 answer with the JSON body and Connection: close', () => {
    const text = rawAnswer({ status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'too large' });
    const body = '{"errors":[{"message":"too large","extensions":{"code":"REQUEST_HEADER_FIELDS_TOO_LARGE"}}]}';
    expect(text).toBe(
      `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
});

describe('HTTP-level rejections through raw sockets', () => {
  let harness: Harness;
  let port: number;
  const { lines, sink } = memorySink();
  beforeAll(async () => {
    harness = await startHarness({
      env: { BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) },
      logger: createLogger('debug', sink),
    });
    port = Number(new URL(harness.url).port);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a 20 KB header gets a JSON 431', async () => {
    const answer = await raw(port, [`GET /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`]);
    expect(answer).toMatchObject({ status: 431, body: errorOf('REQUEST_HEADER_FIELDS_TOO_LARGE'), closed: true });
    expect(answer.headers).toContain('content-type: application/json');
  });

  it('a 100 KB URL gets a JSON 431', async () => {
    const answer = await raw(port, [`GET /graphql?q=${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expect(answer).toMatchObject({ status: 431, body: errorOf('REQUEST_HEADER_FIELDS_TOO_LARGE'), closed: true });
  });

  it('Content-Length with Transfer-Encoding gets a JSON 400', async () => {
    const answer = await raw(port, [
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    ]);
    expect(answer).toMatchObject({ status: 400, body: errorOf('BAD_REQUEST'), closed: true });
  });

  it('an Expect header other than 100-continue gets a JSON 417', async () => {
    const answer = await raw(port, [
      `POST /graphql HTTP/1.1\r\nHost: x\r\nExpect: the-unexpected\r\nContent-Type: application/json\r\nContent-Length: ${QUERY.length}\r\n\r\n${QUERY}`,
    ]);
    expect(answer).toMatchObject({ status: 417, body: errorOf('BAD_REQUEST'), closed: true });
  });

  it('a malformed chunk gets a JSON 400', async () => {
    const answer = await raw(port, [`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n`]);
    expect(answer).toMatchObject({ status: 400, body: errorOf('BAD_REQUEST'), closed: true });
  });

  it('a Content-Length that promises more than comes gets a JSON 408 after BODY_TIMEOUT_MS, and the connection closes', async () => {
    const started = performance.now();
    const answer = await raw(port, [`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n${QUERY.slice(0, 20)}`]);
    expect(answer).toMatchObject({ status: 408, body: errorOf('REQUEST_TIMEOUT'), closed: true });
    expect(answer.headers).toContain('connection: close');
    expect(performance.now() - started).toBeLessThan(BODY_TIMEOUT_MS + 1_000);
  });

  it('a body that drips in slower than BODY_TIMEOUT_MS gets a JSON 408', async () => {
    const drip = Array.from({ length: 10 }, (_, index) => [QUERY.slice(index * 2, index * 2 + 2), 50]).flat();
    const answer = await raw(port, [`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${QUERY.length}\r\n\r\n`, ...drip]);
    expect(answer).toMatchObject({ status: 408, body: errorOf('REQUEST_TIMEOUT'), closed: true });
  });

  it('headers that never finish get a JSON 408 after HEADERS_TIMEOUT_MS', async () => {
    const answer = await raw(port, ['POST /graphql HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n']);
    expect(answer).toMatchObject({ status: 408, body: errorOf('REQUEST_TIMEOUT'), closed: true });
  });

  it('a body cut short by a client that then goes away is logged at debug, and the gateway serves on', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"query":`);
    // The half body must reach the gateway before the client goes: wait for the bytes to be written.
    await new Promise((resolve) => socket.write('', resolve));
    socket.destroy();
    await until(() => lines.some((line) => line.includes('went away')), 'the gateway to log the client going away');
    expect(lines.filter((line) => line.includes('went away')).map((line) => (JSON.parse(line) as { level: number }).level)).toEqual([20]);
    const result = await harness.gql(DOCUMENT);
    expect(result.body.errors).toBeUndefined();
  });

  it('none of the above wrote a line at error level', () => {
    const levels = lines.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level >= 50)).toEqual([]);
    expect(lines.filter((line) => line.includes('cannot read')).length).toBeGreaterThanOrEqual(5);
  });
});
