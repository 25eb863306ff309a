// `npm run simulator`: the CFW simulator alone, for exploring the upstream or pointing a gateway at it.
//   npm run simulator -- --port 9100 --latency 20 --drift-insert 2 --drift-delete 1 --drift-at random
//   npm run simulator -- --time-scale 60   (a 3-minute capture ends in 3 seconds)
//   npm run simulator -- --token caller-a --token caller-b   (more accepted tokens, one per caller)
// While it runs, drift and faults can be applied on demand:
//   curl -X POST 'localhost:9100/_simulator/drift?fw=<id>&insert=5&at=head'
//   curl -X POST localhost:9100/_simulator/faults -d '[{"kind":"status","status":503,"times":2}]'
//   curl -X DELETE localhost:9100/_simulator/faults   (every pending fault dropped)
import { parseArgs } from 'node:util';
import { timeScaleOf } from './timeline.ts';
import { DEMO_TOKEN, Simulator, type CaptureResultForm } from './server.ts';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID, type DriftPlan } from './store.ts';

const usage = `Usage: npm run simulator -- [options]
  --port N            port to listen on (default 9100; 0 picks a free one)
  --host H            address to listen on (default 127.0.0.1)
  --latency MS        delay every answer by MS milliseconds
  --legacy            answer in the pre-2024 shape (data as an array)
  --drift-insert N    insert N tasks after each list call
  --drift-delete N    delete N tasks after each list call
  --drift-at WHERE    head, tail, random (default) or an index
  --time-scale N      simulated time runs N times faster (default 1): captures end, ENDING
                      passes and deleted tasks vanish sooner
  --deleted-retention S  simulated seconds a deleted task stays listed with is_deleted 1 (default 60)
  --result-form FORM  capture-result answers as url (default) or file-list
  --token T           also accept the IAM token T, which may read every firewall (repeatable:
                      several callers, each with a token of its own)
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
      'time-scale': { type: 'string' },
      'deleted-retention': { type: 'string' },
      'result-form': { type: 'string' },
      token: { type: 'string', multiple: true },
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
const timeScale = values['time-scale'] === undefined ? 1 : timeScaleOf(values['time-scale']);
if (timeScale instanceof Error) {
  process.stderr.write(`${timeScale.message}\n${usage}\n`);
  process.exit(2);
}
const resultForm = values['result-form'] ?? 'url';
if (resultForm !== 'url' && resultForm !== 'file-list') {
  process.stderr.write(`--result-form must be url or file-list, got ${JSON.stringify(resultForm)}\n`);
  process.exit(2);
}
const form: CaptureResultForm = resultForm;
const extraTokens = values.token ?? [];
const badToken = extraTokens.find((token) => !/^[\w.-]{1,128}$/.test(token));
if (badToken !== undefined) {
  process.stderr.write(`--token must be 1 to 128 letters, digits, _, . or -, got ${JSON.stringify(badToken)}\n`);
  process.exit(2);
}
const simulator = new Simulator({
  latencyMs: wholeNumber('latency', values.latency, 0),
  legacyShape: values.legacy === true,
  timeScale,
  deletedRetentionMs: wholeNumber('deleted-retention', values['deleted-retention'], 60) * 1000,
  resultForm: form,
  tokens: new Map([DEMO_TOKEN, ...extraTokens].map((token) => [token, {}])),
});
const insert = wholeNumber('drift-insert', values['drift-insert'], 0);
const remove = wholeNumber('drift-delete', values['drift-delete'], 0);
if (insert > 0 || remove > 0) {
  const where: DriftPlan['at'] = at === undefined ? 'random' : /^\d+$/.test(at) ? Number(at) : (at as 'head' | 'tail' | 'random');
  simulator.store.drift = { insert, delete: remove, at: where };
}
const url = await simulator.listen(wholeNumber('port', values.port, 9100), values.host ?? '127.0.0.1');
const api = `${url}/v1/${SIMULATOR_PROJECT_ID}/capture-task`;
const lab = SIMULATOR_FIREWALLS.lab;
process.stdout
  .write(`CFW simulator at ${url} (project ${SIMULATOR_PROJECT_ID}, token ${DEMO_TOKEN}${extraTokens.length === 0 ? '' : ` and ${extraTokens.length} more`}${timeScale === 1 ? '' : `, time ${timeScale}x`})
Firewalls: ${Object.entries(SIMULATOR_FIREWALLS)
  .map(([role, id]) => `${role} ${id}`)
  .join(', ')}
Try: curl -s -H 'X-Auth-Token: ${DEMO_TOKEN}' '${api}?fw_instance_id=${SIMULATOR_FIREWALLS.demo}&limit=2&offset=0'
Start a capture on the lab firewall:
  curl -s -H 'X-Auth-Token: ${DEMO_TOKEN}' '${api}?fw_instance_id=${lab}' -d '{"name":"try-1","duration":1,"max_packets":1000,"source":{"address":"10.0.0.1","address_type":0,"type":0},"destination":{"address":"10.0.0.2","address_type":0,"type":0},"service":{"protocol":6,"dest_port":"443"}}'
Gateway: CFW_ENDPOINT=${url} CFW_PROJECT_ID=${SIMULATOR_PROJECT_ID} npm start   (send X-Auth-Token: ${DEMO_TOKEN})
`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
