// The upstream of the benchmark, in its own process: the CFW simulator with fixed latency and its
// pre-serialised, cached pages, plus the extra firewalls of fixtures.ts and the mix's 100 firewalls
// and 1,000 tokens (with the demo token). Prints {"url": …} on stdout.
//   node bench/simulator-process.ts --latency-ms 20
import { DEMO_TOKEN, Simulator } from '../src/simulator/server.ts';
import { SimulatorStore } from '../src/simulator/store.ts';
import { extraFirewalls, mixFirewalls, mixTokens } from './fixtures.ts';

function latencyFromArgs(argv: readonly string[]): number {
  const index = argv.indexOf('--latency-ms');
  const raw = index === -1 ? '0' : (argv[index + 1] ?? '');
  if (!/^\d{1,5}$/.test(raw)) throw new Error(`--latency-ms must be a whole number of milliseconds, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

const store = new SimulatorStore();
for (const firewall of [...extraFirewalls(), ...mixFirewalls()]) store.addFirewall(firewall);
const tokens = new Map([DEMO_TOKEN, ...mixTokens()].map((token) => [token, {}]));
const simulator = new Simulator({ store, tokens, latencyMs: latencyFromArgs(process.argv.slice(2)) });
const url = await simulator.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url })}\n`);

const stop = () => {
  void simulator.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The runner holds our stdin: when it goes away, so do we.
process.stdin.on('end', stop);
process.stdin.resume();
