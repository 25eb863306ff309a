// Where the gateway's CPU goes under load: the gateway as users start it plus `--cpu-prof`, driven
// by autocannon like the bench, then the .cpuprofile's self time by function and by owner.
//   node bench/profile.ts --summarise some.cpuprofile   → by layer, for any profile (the pass-through's)
//   node bench/profile.ts [Page|One|Entities|Mix] [--duration 5] [--cache] [--latency-ms 0] [--connections 32]
//   → stdout and bench/results/profile-<operation>.md
// (--cache: the page cache on, CACHE_TTL_SECONDS=2, as the bench's (d); written to profile-<operation>-cached.md;
// a latency or connection count other than the defaults adds `-<latency>ms-c<connections>` to the name)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_PROJECT_ID, BENCH_TOKEN, isOperationName, MIX_LABEL, mixRequest, OPERATIONS, type Workload } from './fixtures.ts';
import { request } from './http-client.ts';
import { measure, type LoadOptions } from './load.ts';
import { freePort, gatewayEnv, GATEWAY_NODE_FLAGS, killAll, ROOT, startServer, urlFromGatewayBanner, type Server, startSimulator } from './processes.ts';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Who owns a frame, for the summary: the package, our module, or Node's internals. */
export function ownerOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 (program)';
  // graphql-jit's compiled operations are `new Function` code: no URL, names built from the query.
  if (url === '' && /Handler|__context|^query/.test(functionName)) return 'graphql-jit compiled operations';
  if (url === '') return 'native builtins and anonymous eval code (compiled operations included)';
  if (functionName === 'prettyJSONStringify') return 'JSON.stringify of the response (Apollo stringifyResult)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === 'graphql') return 'graphql-js (execute, validate, parse)';
  if (pkg === 'graphql-jit') return 'graphql-jit runtime';
  if (pkg === '@apollo/server') return 'Apollo Server request pipeline and plugins';
  if (pkg === 'got' || pkg === '@sindresorhus/is' || pkg === 'cacheable-request' || url.includes('_http_client') || url.includes('_http_agent'))
    return 'got and the HTTP client';
  if (pkg !== undefined) return `package ${pkg}`;
  const ours = /\/src\/(resolvers|paging|server|upstream)\//.exec(url)?.[1];
  if (ours === 'resolvers' || ours === 'paging') return 'our resolvers, values and cursors (src/resolvers, src/paging)';
  if (ours !== undefined) return `our src/${ours}`;
  if (url.startsWith('node:')) return 'Node internals (http server, streams, net)';
  return 'other';
}

/**
 * The layer a frame belongs to (the issue's list), or undefined for Node's and V8's own frames,
 * which take the layer of the nearest caller that has one.
 */
export function layerOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 (program)';
  if (/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\/|\/src\/logger/.test(url)) return 'logging';
  if (/node_modules\/prom-client\/|\/src\/server\/metrics\.ts/.test(url)) return 'metrics';
  if (/node_modules\/@opentelemetry\/|\/src\/tracing/.test(url)) return 'tracing';
  if (/\/src\/paging\/(cursor|connection)\.ts/.test(url)) return 'cursors';
  if (/\/src\/paging\//.test(url)) return 'paging (walk, page requests)';
  if (/\/src\/resolvers\/(values|scalars)\.ts/.test(url)) return 'values';
  if (/\/src\/upstream\/wire\.ts/.test(url)) return 'upstream JSON parse and wire checks';
  if (
    /node_modules\/(got|@sindresorhus\/is|cacheable-request|cacheable-lookup|http2-wrapper|decompress-response|@szmarczak\/http-timer|lowercase-keys|responselike|get-stream|form-data-encoder)\/|\/src\/upstream\/(client|capture-tasks|signing|errors|retry)\.ts/.test(
      url,
    )
  )
    return 'the got call, its options and hooks';
  if (/node_modules\/dataloader\/|\/src\/upstream\/|\/src\/server\/context\.ts|\/src\/lifecycle\//.test(url))
    return 'context and loaders (read, budget, page cache)';
  if (/node_modules\/(graphql|graphql-jit|@graphql-tools|@apollo\/subgraph)\/|\/src\/resolvers\/|\/src\/server\/executor\.ts/.test(url))
    return 'execution (graphql-jit, resolvers)';
  if (url === '' && /Handler|__context|^query/.test(functionName)) return 'execution (graphql-jit, resolvers)';
  if (/node_modules\/@apollo\/|\/src\/server\/(apollo|plugins|format-error|limits|persisted-documents)\.ts/.test(url)) return 'Apollo';
  if (/\/src\/server\//.test(url)) return 'HTTP (node:http, our edge)';
  return undefined;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  /** Self time by layer: a Node or V8 frame counts in its nearest caller's layer. */
  readonly byLayer: readonly { readonly layer: string; readonly ms: number }[];
  readonly byFunction: readonly { readonly name: string; readonly ms: number }[];
  readonly byOwner: readonly { readonly owner: string; readonly ms: number }[];
}

/** Self time by function+url and by owner, from the first sample inside a GraphQL request on. */
export function summariseProfile(profile: CpuProfile, root = ROOT): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inRequest = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) if (byId.get(at)?.callFrame.functionName === 'handleGraphQL') return true;
    return false;
  };
  // Start-up is not the question: skip to the first sample taken while serving GraphQL.
  const first = Math.max(0, profile.samples.findIndex(inRequest));
  const prefix = `file://${root}/`;
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byLayer = new Map<string, number>();
  const layerById = new Map<number, string>();
  const layerAt = (id: number): string => {
    const known = layerById.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const parent = parentOf.get(id);
    const own = node === undefined ? undefined : layerOf(node.callFrame);
    const url = node?.callFrame.url ?? '';
    const layer = own ?? (parent === undefined ? (/node:|_http|net|stream/.test(url) ? 'HTTP (node:http, our edge)' : 'other') : layerAt(parent));
    // Node's socket and parser frames with no JS caller above them: HTTP.
    const settled = layer === 'other' && /node:|_http|net|stream/.test(url) ? 'HTTP (node:http, our edge)' : layer;
    layerById.set(id, settled);
    return settled;
  };
  let total = 0;
  for (let index = first; index < profile.samples.length - 1; index++) {
    // A sample's time is the gap to the next one.
    const us = profile.timeDeltas[index + 1] ?? 0;
    const node = byId.get(profile.samples[index] ?? -1);
    if (node === undefined) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName === '' ? '(anonymous)' : functionName}  ${url.replace(prefix, '').replace(/^node_modules\//, '')}${url === '' ? '' : `:${lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const owner = ownerOf(node.callFrame);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const layer = layerAt(node.id);
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + us);
  }
  const sorted = <K extends string>(map: Map<string, number>, key: K) =>
    [...map].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ [key]: name, ms: us / 1000 }) as Record<K, string> & { ms: number });
  return { sampledMs: total / 1000, byLayer: sorted(byLayer, 'layer'), byFunction: sorted(byFunction, 'name').slice(0, 25), byOwner: sorted(byOwner, 'owner') };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const existing = args.indexOf('--summarise');
  if (existing !== -1) {
    // Any .cpuprofile (the pass-through's too): self time by layer, as below.
    const file = args[existing + 1] ?? '';
    const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const busy = summary.sampledMs - (summary.byLayer.find((entry) => entry.layer === 'idle')?.ms ?? 0);
    process.stdout.write(
      `${file}: ${(summary.sampledMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy\n\n| layer | self | share of busy |\n|---|---:|---:|\n`,
    );
    for (const entry of summary.byLayer)
      if (entry.layer !== 'idle') process.stdout.write(`| ${entry.layer} | ${entry.ms.toFixed(0)} ms | ${((100 * entry.ms) / busy).toFixed(1)}% |\n`);
    return;
  }
  const operation: Workload = args.includes('Mix') ? 'Mix' : (args.find((arg) => isOperationName(arg)) ?? 'Page');
  const numberAfter = (flag: string, fallback: number) => {
    const index = args.indexOf(flag);
    const value = index === -1 ? fallback : Number(args[index + 1]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} takes a number`);
    return value;
  };
  const durationS = numberAfter('--duration', 5);
  const latencyMs = numberAfter('--latency-ms', 0);
  const connections = numberAfter('--connections', 32);
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'capture-gateway-prof-'));
  const servers: Server[] = [];
  try {
    const simulator = await startSimulator(latencyMs);
    servers.push(simulator);
    const cached = args.includes('--cache');
    const env = gatewayEnv(simulator.url, BENCH_PROJECT_ID, await freePort(), cached ? { CACHE_TTL_SECONDS: '2' } : {});
    const gateway = await startServer({
      name: 'gateway',
      args: [...GATEWAY_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${profileDir}`, 'src/main.ts'],
      env,
      urlFrom: urlFromGatewayBanner,
      timeoutMs: 30_000,
    });
    servers.push(gateway);
    const headers = { 'content-type': 'application/json', 'x-auth-token': BENCH_TOKEN };
    let load: Omit<LoadOptions, 'durationS'>;
    if (operation === 'Mix') {
      // The bench's mix (its answers are verified byte for byte there); each request distinct.
      let index = 10_000;
      const next = () => {
        const mix = mixRequest(index++);
        return { headers: { 'content-type': 'application/json', 'x-auth-token': mix.token }, body: mix.body };
      };
      const verifyBody = (answer: string) => answer.startsWith('{"data":{"captureTask') && !answer.includes('"errors"');
      load = { url: gateway.url, method: 'POST', headers, next, verifyBody, connections, pid: gateway.pid, helperPids: [simulator.pid] };
    } else {
      const body = OPERATIONS[operation].body;
      const expected = await request(gateway.url, { method: 'POST', headers, body });
      if (expected.status !== 200 || expected.body.includes('"errors"'))
        throw new Error(`the gateway answered ${operation} with ${expected.status}: ${expected.body.slice(0, 300)}`);
      load = { url: gateway.url, method: 'POST', headers, body, expectBody: expected.body, connections, pid: gateway.pid, helperPids: [simulator.pid] };
    }
    await measure({ ...load, durationS: 1 });
    const m = await measure({ ...load, durationS });
    // SIGTERM: the gateway drains and exits, and Node writes the profile on the way out.
    // A loaded machine can take a while to write a large profile: let it.
    await gateway.stop(60_000);
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no .cpuprofile in ${profileDir}`);
    const summary = summariseProfile(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile);
    const pct = (ms: number) => `${((100 * ms) / summary.sampledMs).toFixed(1)}%`;
    const lines = [
      `# Gateway CPU profile: ${operation === 'Mix' ? MIX_LABEL : OPERATIONS[operation].label}${cached ? ', page cache on' : ''}`,
      '',
      `${new Date().toISOString()} · Node ${process.version} · ${latencyMs} ms upstream · ${connections} connections · ${m.rps.toFixed(0)} req/s, ${m.cpuUsPerRequest.toFixed(0)} µs CPU per request while profiled (the profiler adds some) · ${(summary.sampledMs / 1000).toFixed(1)} s sampled (1 s warm-up included) · profile: ${path.join(profileDir, file)}`,
      '',
      `${m.requests} answers, ${m.mismatches + m.non2xx + m.errors} bad.`,
      '',
      'Self time by layer (a Node or V8 frame, such as a socket write or the HTTP parser, counts in the layer of its nearest caller that has one):',
      '',
      '| layer | self | share |',
      '|---|---:|---:|',
      ...summary.byLayer.map((entry) => `| ${entry.layer} | ${entry.ms.toFixed(0)} ms | ${pct(entry.ms)} |`),
      '',
      'Self time by owner (the leaf frame; native JSON.stringify/parse count in the JS function that called them):',
      '',
      '| owner | self | share |',
      '|---|---:|---:|',
      ...summary.byOwner
        .filter((entry) => entry.ms / summary.sampledMs >= 0.003)
        .map((entry) => `| ${entry.owner} | ${entry.ms.toFixed(0)} ms | ${pct(entry.ms)} |`),
      '',
      'Top 25 functions by self time:',
      '',
      '| self | share | function  url:line |',
      '|---:|---:|---|',
      ...summary.byFunction.map((entry) => `| ${entry.ms.toFixed(0)} ms | ${pct(entry.ms)} | \`${entry.name}\` |`),
      '',
    ];
    const markdown = lines.join('\n');
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    const variant = latencyMs === 0 && connections === 32 ? '' : `-${latencyMs}ms-c${connections}`;
    const output = `profile-${operation}${cached ? '-cached' : ''}${variant}.md`;
    writeFileSync(path.join(ROOT, 'bench', 'results', output), markdown);
    process.stdout.write(`${markdown}\nwritten: bench/results/${output}\n`);
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

process.on('exit', killAll);
try {
  await main();
} catch (error) {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  killAll();
}
