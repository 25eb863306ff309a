// SIGTERM on a gateway process with slow uploaders and busy keep-alive clients, through real
// sockets: it exits 0 within SHUTDOWN_TIMEOUT_MS without waiting for the uploaders (BODY_TIMEOUT_MS
// is far longer), every operation it accepted is answered, answers while draining say
// `Connection: close`, and no request it accepted is reset.
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Simulator } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { freePort, runNode, type RunningProcess } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

const SHUTDOWN_TIMEOUT_MS = 4_000;
const BODY = JSON.stringify({ query: `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 3) { totalCount } }` });

interface Outcome {
  readonly id: string;
  readonly sentAfterSigterm: boolean;
  readonly status?: number;
  readonly connection?: string | undefined;
  readonly error?: string;
}

/** One POST on `agent`; resolves with what happened to it, never rejects. */
function post(port: number, agent: http.Agent, id: string, sigtermAt: () => number | undefined): Promise<Outcome> {
  const sentAfterSigterm = sigtermAt() !== undefined;
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token', 'x-request-id': id, 'content-length': Buffer.byteLength(BODY) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          const ok = response.statusCode === 200 && text.includes('"totalCount":57');
          resolve({ id, sentAfterSigterm, status: ok ? 200 : (response.statusCode ?? 0), connection: response.headers.connection });
        });
        response.on('error', (error: NodeJS.ErrnoException) => {
          resolve({ id, sentAfterSigterm, error: error.code ?? error.message });
        });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ id, sentAfterSigterm, error: error.code ?? error.message });
    });
    request.end(BODY);
  });
}

/** A client that sends headers and then its body a byte every 100 ms, for far longer than any shutdown. */
function slowUploader(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  let error: string | undefined;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', (problem: NodeJS.ErrnoException) => (error = problem.code));
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      resolve();
    }),
  );
  socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Auth-Token: demo-token\r\nContent-Length: ${BODY.length}\r\n\r\n`);
  let sent = 0;
  // The slowness is the behaviour under test: 100 ms a byte is ~10 s for this body.
  const timer = setInterval(() => {
    if (!socket.destroyed && sent < BODY.length) socket.write(BODY.charAt(sent++));
  }, 100);
  return {
    closed,
    result: () => ({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), body: received.slice(received.indexOf('\r\n\r\n') + 4), error }),
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('SIGTERM with slow uploaders and keep-alive clients', () => {
  let simulator: Simulator;
  let gateway: RunningProcess;
  let port: number;
  beforeAll(async () => {
    simulator = new Simulator({ latencyMs: 300 });
    const endpoint = await simulator.listen();
    port = await freePort();
    gateway = runNode(['src/main.ts'], {
      PORT: String(port),
      LOG_LEVEL: 'info',
      CFW_ENDPOINT: endpoint,
      CFW_PROJECT_ID: SIMULATOR_PROJECT_ID,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      BODY_TIMEOUT_MS: '60000',
    });
    await gateway.waitFor(/capture-gateway ready at/);
  });
  afterAll(async () => {
    gateway.child.kill('SIGKILL');
    await simulator.close();
  });

  it('exits 0 within SHUTDOWN_TIMEOUT_MS, answers every accepted operation, resets none, and does not wait for uploaders', async () => {
    const uploaders = Array.from({ length: 10 }, () => slowUploader(port));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const sigterm: { at?: number } = {};
    const outcomes: Outcome[] = [];
    let exited = false;
    const loops = Array.from({ length: 4 }, async (_, loop) => {
      for (let n = 0; !exited; n += 1) {
        const outcome = await post(port, agent, `k${loop}-${n}`, () => sigterm.at);
        outcomes.push(outcome);
        // Refused: the gateway stopped listening, and this client is done.
        if (outcome.error === 'ECONNREFUSED') return;
      }
    });
    // Let the clients' sockets be reused a few times (300 ms an operation), then stop the gateway
    // mid-flight: while an upstream call is being answered, so that operations are in flight. (A
    // fixed 1 s wait could land between two rounds of the four clients, which the gateway answers
    // together as they share one upstream call, and then nothing was in flight.)
    await until(() => outcomes.length >= 8 && simulator.inFlight > 0, 'reused sockets and an upstream call in flight');
    const sigtermAt = performance.now();
    sigterm.at = sigtermAt;
    gateway.child.kill('SIGTERM');
    const code = await gateway.exited;
    const exitMs = performance.now() - sigtermAt;
    exited = true;
    await Promise.all(loops);
    // The gateway has exited, so the system has closed its end of every uploader's socket.
    await Promise.all(uploaders.map((uploader) => uploader.closed));
    const uploads = uploaders.map((uploader) => uploader.result());
    for (const uploader of uploaders) uploader.stop();
    agent.destroy();

    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    const completed = new Set([...gateway.stdout().matchAll(/"requestId":"(k\d-\d+)"[^\n]*"msg":"operation"/g)].map((match) => match[1]));
    const answered = outcomes.filter((outcome) => outcome.status === 200);
    // Every operation the gateway completed reached its client, whole.
    expect([...completed].sort()).toEqual(answered.map((outcome) => outcome.id).sort());
    expect(outcomes.filter((outcome) => outcome.status !== undefined && outcome.status !== 200)).toEqual([]);
    // Some were in flight when SIGTERM came, and finished; the answers that came after it said Connection: close.
    const inFlight = answered.filter((outcome) => !outcome.sentAfterSigterm && outcome.connection === 'close');
    expect(inFlight.length).toBeGreaterThan(0);
    // No reset on a request the gateway accepted: a failed request never reached an operation.
    const failed = outcomes.filter((outcome) => outcome.error !== undefined);
    for (const outcome of failed) expect(completed.has(outcome.id)).toBe(false);
    expect(failed.filter((outcome) => outcome.error !== 'ECONNREFUSED')).toEqual([]);

    // The uploaders were told to come back (or had their unread upload closed), never served, never waited for.
    for (const upload of uploads) expect([0, 503]).toContain(upload.status);
    expect(uploads.filter((upload) => upload.status === 503).every((upload) => upload.body.includes('SHUTTING_DOWN'))).toBe(true);
    expect(gateway.stdout()).toMatch(/"msg":"drained"/);
    process.stdout.write(
      `shutdown: ${JSON.stringify({ exitMs: Math.round(exitMs), answered: answered.length, inFlightAtSigterm: inFlight.length, refused: failed.length, uploadersTold503: uploads.filter((upload) => upload.status === 503).length, uploaders: uploads.length })}\n`,
    );
  });
});
