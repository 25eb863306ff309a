// The live bench's subscribers, in their own process (forked by bench/live.ts, told what to do over
// IPC): N GraphQL-over-SSE streams opened with node:http, spread evenly over the watched captures.
// For each event it notes the round its captured size says and the wall-clock time it arrived.
import http from 'node:http';
import { LIVE_SUBSCRIPTION, LIVE_TOKEN, liveTargets, roundOfSize } from './live-fixtures.ts';

export type ClientCommand = { readonly kind: 'open'; readonly url: string; readonly count: number } | { readonly kind: 'report' } | { readonly kind: 'close' };
export type ClientReport =
  | { readonly kind: 'opened'; readonly streams: number; readonly firstEvents: number; readonly failed: number }
  | { readonly kind: 'report'; readonly arrivals: Record<string, number[]>; readonly open: number; readonly ended: number; readonly errors: number };

const wallMs = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const requests: http.ClientRequest[] = [];
/** Arrival times of each round's event, by round. */
const arrivals = new Map<number, number[]>();
let firstEvents = 0;
let failed = 0;
let ended = 0;
let errors = 0;

const send = (report: ClientReport) => {
  process.send?.(report);
};

function onEvent(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    errors++;
    return;
  }
  const data = typeof parsed === 'object' && parsed !== null && 'data' in parsed ? parsed.data : undefined;
  const task = typeof data === 'object' && data !== null && 'captureTaskChanged' in data ? data.captureTaskChanged : undefined;
  if (typeof task !== 'object' || task === null || !('captureSize' in task)) {
    errors++;
    return;
  }
  const round = roundOfSize(task.captureSize);
  if (round === undefined) {
    firstEvents++;
    return;
  }
  let list = arrivals.get(round);
  if (list === undefined) {
    list = [];
    arrivals.set(round, list);
  }
  list.push(wallMs());
}

function open(url: string, target: { fw: string; id: string }): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ query: LIVE_SUBSCRIPTION, variables: target });
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': LIVE_TOKEN, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        if (response.statusCode !== 200) failed++;
        response.setEncoding('utf8');
        let buffered = '';
        response.on('data', (chunk: string) => {
          buffered += chunk;
          for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
            const message = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            if (message.startsWith('event: next\ndata: ')) onEvent(message.slice('event: next\ndata: '.length));
          }
        });
        response.on('end', () => {
          ended++;
        });
        resolve();
      },
    );
    request.on('error', () => {
      failed++;
      resolve();
    });
    requests.push(request);
    request.end(body);
  });
}

process.on('message', (command: ClientCommand) => {
  switch (command.kind) {
    case 'open': {
      const targets = liveTargets();
      void (async () => {
        // In batches, as browsers arrive: not 10,000 handshakes in one turn.
        for (let start = 0; start < command.count; start += 250) {
          const batch = Array.from({ length: Math.min(250, command.count - start) }, (_, offset) => targets[(start + offset) % targets.length]);
          await Promise.all(batch.map((target) => (target === undefined ? Promise.resolve() : open(command.url, target))));
        }
        const deadline = Date.now() + 120_000;
        while (firstEvents + failed < command.count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        send({ kind: 'opened', streams: requests.length, firstEvents, failed });
      })();
      return;
    }
    case 'report':
      send({
        kind: 'report',
        arrivals: Object.fromEntries([...arrivals].map(([round, times]) => [String(round), times])),
        open: requests.length - ended,
        ended,
        errors,
      });
      return;
    case 'close':
      for (const request of requests) request.destroy();
      process.exit(0);
  }
});
