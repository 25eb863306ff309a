// Draining, in-process through real sockets: an idle keep-alive socket is closed at once, an
// operation in flight finishes and is answered with `Connection: close`, and close() waits for it.
import http from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { startHarness } from '../helpers/harness.ts';
import { until } from '../helpers/until.ts';

const BODY = JSON.stringify({ query: `{ captureTasks(fwInstanceId: "${SIMULATOR_FIREWALLS.demo}", first: 2) { totalCount } }` });

function post(url: string, agent: http.Agent) {
  return new Promise<{ status: number; connection: string | undefined; text: string; socket: Socket }>((resolve, reject) => {
    let socket: Socket | undefined;
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-token' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        if (socket === undefined) reject(new Error('no socket'));
        else resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, text, socket });
      });
    });
    request.once('socket', (assigned: Socket) => {
      socket = assigned;
    });
    request.on('error', reject);
    request.end(BODY);
  });
}

describe('draining', () => {
  it('closes an idle keep-alive socket, lets the operation in flight finish with Connection: close, and waits for it', async () => {
    const harness = await startHarness();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const first = await post(harness.url, agent);
      expect(first.connection).toBe('keep-alive');
      const idleClosed = new Promise<void>((resolve) =>
        first.socket.once('close', () => {
          resolve();
        }),
      );
      // The second operation's upstream call is held, so it is in flight when draining starts.
      const release = harness.simulator.hold();
      const inFlight = post(harness.url, new http.Agent({ keepAlive: true }));
      await until(() => harness.simulator.inFlight === 1, "the operation's upstream call");
      let closed = false;
      const closing = harness.close().then(() => (closed = true));
      await idleClosed;
      expect(closed).toBe(false);
      release();
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('"totalCount":57');
      expect(answer.connection).toBe('close');
      await closing;
      expect(closed).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
