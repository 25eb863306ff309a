// The upstream of the live bench, in its own process: the seeded simulator plus 10 firewalls of 10
// RUNNING captures each (100 in all), and a control port that changes every capture's listed size at
// once (one "round"), answering with the wall-clock time of the change. Prints
// {"url": …, "control": …} on stdout.
//   node bench/live-simulator.ts
import http from 'node:http';
import { Simulator } from '../src/simulator/server.ts';
import { SimulatorStore, type SimulatedFirewall } from '../src/simulator/store.ts';
import { LIVE_FIREWALLS, liveFirewalls, sizeOfRound } from './live-fixtures.ts';

const store = new SimulatorStore();
const firewalls: SimulatedFirewall[] = liveFirewalls();
for (const firewall of firewalls) store.addFirewall(firewall);
const simulator = new Simulator({ store });
const url = await simulator.listen(0, '127.0.0.1');

/** Wall-clock ms with sub-ms precision, comparable across the bench's processes. */
const wallMs = () => performance.timeOrigin + performance.now();

const control = http.createServer((request, response) => {
  const round = Number(new URL(request.url ?? '/', 'http://control').searchParams.get('round'));
  if (request.method !== 'POST' || !Number.isSafeInteger(round) || round < 0) {
    response.writeHead(400).end();
    return;
  }
  for (const firewall of firewalls) {
    for (const [index, task] of firewall.tasks.entries()) firewall.tasks[index] = { ...task, capture_size: sizeOfRound(round) };
    // Re-adding a firewall marks its list changed (the simulator's serialised pages are per version).
    store.addFirewall(firewall);
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: wallMs(), firewalls: LIVE_FIREWALLS }));
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const address = control.address();
if (address === null || typeof address === 'string') throw new Error('the control server has no port');
process.stdout.write(`${JSON.stringify({ url, control: `http://127.0.0.1:${address.port}` })}\n`);

const stop = () => {
  control.close();
  void simulator.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
