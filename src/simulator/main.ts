// `npm run simulator`: the CFW simulator alone, for exploring the upstream or pointing a gateway at it.
//   npm run simulator -- --port 9100 --latency 20 --drift-insert 2 --drift-delete 1 --drift-at random
// While it runs, drift and faults can be applied on demand:
//   curl -X POST 'localhost:9100/_simulator/drift?fw=<id>&insert=5&at=head'
//   curl -X POST localhost:9100/_simulator/faults -d '[{"kind":"status","status":503,"times":2}]'
import { parseArgs } from 'node:util';
import { DEMO_TOKEN, Simulator } from './server.ts';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID, type DriftPlan } from './store.ts';

const usage = `Usage: npm run simulator -- [options]
  --port N            port to listen on (default 9100; 0 picks a free one)
  --host H            address to listen on (default 127.0.0.1)
  --latency MS        delay every answer by MS milliseconds
  --legacy            answer in the pre-2024 shape (data as an array)
  --drift-insert N    insert N tasks after each list call
  --drift-delete N    delete N tasks after each list call
  --drift-at WHERE    head, tail, random (default) or an index
  --help              this text`;

function wholeNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    process.stderr.write(`--${name} must be a whole number, got ${JSON.stringify(raw)}\n${usage}\n`);
    process.exit(2);
  }
  return Number(raw);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      latency: { type: 'string' },
      legacy: { type: 'boolean' },
      'drift-insert': { type: 'string' },
      'drift-delete': { type: 'string' },
      'drift-at': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(2);
}
const { values } = parsed;
if (values.help === true) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const at = values['drift-at'];
if (at !== undefined && !['head', 'tail', 'random'].includes(at) && !/^\d+$/.test(at)) {
  process.stderr.write(`--drift-at must be head, tail, random or an index, got ${JSON.stringify(at)}\n`);
  process.exit(2);
}
const simulator = new Simulator({ latencyMs: wholeNumber('latency', values.latency, 0), legacyShape: values.legacy === true });
const insert = wholeNumber('drift-insert', values['drift-insert'], 0);
const remove = wholeNumber('drift-delete', values['drift-delete'], 0);
if (insert > 0 || remove > 0) {
  const where: DriftPlan['at'] = at === undefined ? 'random' : /^\d+$/.test(at) ? Number(at) : (at as 'head' | 'tail' | 'random');
  simulator.store.drift = { insert, delete: remove, at: where };
}
const url = await simulator.listen(wholeNumber('port', values.port, 9100), values.host ?? '127.0.0.1');
process.stdout.write(`CFW simulator at ${url} (project ${SIMULATOR_PROJECT_ID}, token ${DEMO_TOKEN})
Firewalls: ${Object.entries(SIMULATOR_FIREWALLS).map(([role, id]) => `${role} ${id}`).join(', ')}
Try: curl -s -H 'X-Auth-Token: ${DEMO_TOKEN}' '${url}/v1/${SIMULATOR_PROJECT_ID}/capture-task?fw_instance_id=${SIMULATOR_FIREWALLS.demo}&limit=2&offset=0'
Gateway: CFW_ENDPOINT=${url} CFW_PROJECT_ID=${SIMULATOR_PROJECT_ID} npm start   (send X-Auth-Token: ${DEMO_TOKEN})
`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
