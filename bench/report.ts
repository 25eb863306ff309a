// The bench's results: medians, the targets (PASS or FAIL) and the markdown written to results/.
import type { Workload } from './fixtures.ts';
import { MIX_LABEL, OPERATIONS } from './fixtures.ts';
import type { Measurement } from './load.ts';

export type ServerKind = 'upstream' | 'passThrough' | 'passThroughGot' | 'gateway' | 'gatewayCached';
export const SERVER_LABELS: Record<ServerKind, string> = {
  upstream: '(a) upstream direct',
  passThrough: '(b) pass-through',
  passThroughGot: '(b′) pass-through, got',
  gateway: '(c) gateway',
  gatewayCached: '(d) gateway + page cache',
};

/** The cold starts measured: each server launched each way users launch it. */
export const COLD_START_KINDS = [
  'gateway: node src/main.ts',
  'gateway: node dist/main.js',
  'gateway: npm start',
  'pass-through: node',
  'pass-through: npm run',
] as const;
export type ColdStartKind = (typeof COLD_START_KINDS)[number];

export function noColdStarts(): Record<ColdStartKind, number[]> {
  return { 'gateway: node src/main.ts': [], 'gateway: node dist/main.js': [], 'gateway: npm start': [], 'pass-through: node': [], 'pass-through: npm run': [] };
}

/** One (upstream latency, operation, server): medians of the rounds, peak RSS the highest. */
export interface Row {
  readonly latencyMs: number;
  readonly operation: Workload;
  /** autocannon connections (concurrent requests). */
  readonly connections: number;
  readonly server: ServerKind;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number;
  readonly peakRssKb: number;
  /** Transport errors, non-2xx answers and answers other than the verified one, all rounds. */
  readonly problems: number;
  /** Measurements after which the server was found dead (and replaced). */
  readonly crashes: number;
  /** The gateway's event-loop delay: median of the rounds' p99, highest max. */
  readonly loopDelay?: { readonly p99Ms: number; readonly maxMs: number };
  readonly runs: readonly Measurement[];
}

/** A server under test that died during the run. */
export interface CrashRecord {
  readonly server: string;
  readonly where: string;
  readonly exit: string;
  /** The start of its stderr: an uncaught error's message and stack. */
  readonly stderr: string;
  /** The end of its stdout (logs). */
  readonly stdoutTail: string;
}

export interface TargetResult {
  readonly name: string;
  readonly pass: boolean;
  /** A figure worth reading, not one of the issue's targets. */
  readonly info?: boolean;
  readonly measured: string;
}

/** A gateway's V8 heap as its /metrics reports it, in kB. */
export interface HeapKb {
  readonly usedKb: number;
  readonly totalKb: number;
  readonly externalKb: number;
}

export interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly os: string;
  readonly commit: string;
  readonly settings: {
    readonly connections: number;
    readonly lightConnections: number;
    readonly durationS: number;
    readonly rounds: number;
    readonly warmupS: number;
    readonly entityFirewalls: number;
  };
  /** How the pass-through's answers matched the gateway's, per operation. */
  readonly identical: Partial<Record<Workload, 'bytes' | 'deep-equal'>>;
  readonly rows: readonly Row[];
  /** Spawn → first correct answer, per way of launching, in ms. */
  readonly coldStartMs: Readonly<Record<ColdStartKind, readonly number[]>>;
  /** VmRSS right after start, before any request, per phase; the gateway's V8 heap then (from its /metrics). */
  readonly restRssKb: readonly {
    readonly latencyMs: number;
    readonly passThrough: number;
    /** `node src/main.ts`: Node strips the TypeScript as it loads (its type stripper stays in memory). */
    readonly gateway: number;
    readonly gatewayHeap: HeapKb;
    /** `node dist/main.js`: the build, as the Dockerfile runs it. */
    readonly gatewayBuilt: number;
    readonly gatewayBuiltHeap: HeapKb;
  }[];
  /** VmRSS right after the first answer of a cold start, per way of launching with node (highest). */
  readonly firstAnswerRssKb: Partial<Record<ColdStartKind, number>>;
  readonly crashes: readonly CrashRecord[];
  readonly targets: TargetResult[];
  elapsedS: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function rowOf(report: BenchReport, latencyMs: number, operation: Workload, connections: number, server: ServerKind): Row | undefined {
  return report.rows.find((row) => row.latencyMs === latencyMs && row.operation === operation && row.connections === connections && row.server === server);
}

/** The highest peak RSS of a server over the identical-request cases, or over the mix's. */
function peakRssOf(report: BenchReport, server: ServerKind, mix = false): number {
  return Math.max(0, ...report.rows.filter((row) => row.server === server && (row.operation === 'Mix') === mix).map((row) => row.peakRssKb));
}

/** The mix's targets: the gateway against the got pass-through (b′), the ratio to undici's (b) said too. */
function summariseMix(report: BenchReport): TargetResult[] {
  const results: TargetResult[] = [];
  const c = report.settings.connections;
  const light = report.settings.lightConnections;
  const rows = (latencyMs: number, connections: number) => ({
    gateway: rowOf(report, latencyMs, 'Mix', connections, 'gateway'),
    got: rowOf(report, latencyMs, 'Mix', connections, 'passThroughGot'),
    undici: rowOf(report, latencyMs, 'Mix', connections, 'passThrough'),
  });
  for (const latencyMs of [0, 20]) {
    const { gateway, got, undici } = rows(latencyMs, c);
    if (gateway === undefined || got === undefined) continue;
    const versusGot = gateway.rps / got.rps;
    results.push({
      name: `mix: throughput ≥ 0.9× the got pass-through (b′) (${latencyMs} ms upstream, ${c} connections)`,
      pass: versusGot >= 0.9,
      measured: `${versusGot.toFixed(2)}× (${gateway.rps.toFixed(0)} vs ${got.rps.toFixed(0)} req/s); ÷ undici's (b) ${ratio(gateway.rps, undici?.rps)}${undici === undefined ? '' : ` (${undici.rps.toFixed(0)} req/s)`}`,
    });
  }
  const fast = rows(0, c);
  if (fast.gateway !== undefined && fast.got !== undefined) {
    const cpu = fast.gateway.cpuUsPerRequest / fast.got.cpuUsPerRequest;
    results.push({
      name: `mix: CPU per request ≤ 1.5× (b′)'s (0 ms upstream, ${c} connections)`,
      pass: cpu <= 1.5,
      measured: `${cpu.toFixed(2)}× (${fast.gateway.cpuUsPerRequest.toFixed(0)} vs ${fast.got.cpuUsPerRequest.toFixed(0)} µs; (b) ${fast.undici?.cpuUsPerRequest.toFixed(0) ?? '?'} µs)`,
    });
  }
  const rss = { gateway: peakRssOf(report, 'gateway', true), got: peakRssOf(report, 'passThroughGot', true), undici: peakRssOf(report, 'passThrough', true) };
  if (rss.gateway > 0 && rss.got > 0) {
    const r = rss.gateway / rss.got;
    results.push({
      name: "mix: peak RSS ≤ 1.2× (b′)'s (highest of the mix's measurements)",
      pass: r <= 1.2,
      measured: `${r.toFixed(2)}× (${mb(rss.gateway).toFixed(0)} vs ${mb(rss.got).toFixed(0)} MB; (b) ${mb(rss.undici).toFixed(0)} MB)`,
    });
  }
  const slow = rows(20, c);
  if (slow.gateway !== undefined && slow.got !== undefined) {
    // Added = p99 − the upstream's fixed 20 ms: every mix request waits for one or two calls of it.
    const added = { gateway: slow.gateway.p99Ms - 20, got: slow.got.p99Ms - 20 };
    const r = added.gateway / added.got;
    results.push({
      name: `mix: added p99 ≤ 1.2× (b′)'s (20 ms upstream, ${c} connections; added = p99 − 20 ms)`,
      pass: r <= 1.2,
      measured: `${r.toFixed(2)}× (+${added.gateway.toFixed(2)} vs +${added.got.toFixed(2)} ms; p99 ${slow.gateway.p99Ms.toFixed(2)} / (b′) ${slow.got.p99Ms.toFixed(2)} / (b) ${slow.undici?.p99Ms.toFixed(2) ?? '?'} ms)`,
    });
  }
  const calm = rows(20, light);
  if (calm.gateway !== undefined && calm.got !== undefined) {
    const added = calm.gateway.p99Ms - calm.got.p99Ms;
    results.push({
      name: `mix: added p99 ≤ +3 ms over (b′) (20 ms upstream, ${light} connections)`,
      pass: added <= 3,
      measured: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms (p99 ${calm.gateway.p99Ms.toFixed(2)} vs ${calm.got.p99Ms.toFixed(2)} ms; (b) ${calm.undici?.p99Ms.toFixed(2) ?? '?'} ms)`,
    });
  }
  return results;
}

const mb = (kb: number) => kb / 1024;
const heapLine = (heap: HeapKb) => `${mb(heap.usedKb).toFixed(0)} MB used of ${mb(heap.totalKb).toFixed(0)}, ${mb(heap.externalKb).toFixed(0)} MB external`;

/** The issue's targets (#16), each PASS or FAIL, from this run's own ratios. */
export function summarise(report: BenchReport): TargetResult[] {
  const results: TargetResult[] = summariseMix(report);
  const c = report.settings.connections;
  const light = report.settings.lightConnections;
  const fast = { gateway: rowOf(report, 0, 'Page', c, 'gateway'), passThrough: rowOf(report, 0, 'Page', c, 'passThrough') };
  if (fast.gateway !== undefined && fast.passThrough !== undefined) {
    const ratio = fast.gateway.rps / fast.passThrough.rps;
    results.push({
      name: `throughput ≥ 0.85× pass-through (first: 50, every field, 0 ms upstream, ${c} connections)`,
      pass: ratio >= 0.85,
      measured: `${ratio.toFixed(2)}× (${fast.gateway.rps.toFixed(0)} vs ${fast.passThrough.rps.toFixed(0)} req/s)`,
    });
  }
  const rss = { gateway: peakRssOf(report, 'gateway'), passThrough: peakRssOf(report, 'passThrough') };
  if (rss.gateway > 0 && rss.passThrough > 0) {
    const ratio = rss.gateway / rss.passThrough;
    results.push({
      name: 'peak RSS under load ≤ 1.2× pass-through (highest of the identical-request measurements)',
      pass: ratio <= 1.2,
      measured: `${ratio.toFixed(2)}× (${mb(rss.gateway).toFixed(0)} vs ${mb(rss.passThrough).toFixed(0)} MB)`,
    });
  }
  if (report.restRssKb.length > 0) {
    const built = Math.max(...report.restRssKb.map((entry) => entry.gatewayBuilt));
    const fromSource = Math.max(...report.restRssKb.map((entry) => entry.gateway));
    results.push({
      name: 'RSS at rest ≤ 110 MB (gateway started as deployed, `node dist/main.js`, nothing asked; highest of the phases)',
      pass: mb(built) <= 110,
      measured: `${mb(built).toFixed(0)} MB (\`node src/main.ts\` ${mb(fromSource).toFixed(0)} MB, of which ~17 MB is Node's TypeScript type stripper; pass-through, also stripped, ${report.restRssKb.map((entry) => mb(entry.passThrough).toFixed(0)).join(' / ')} MB)`,
    });
  }
  for (const [kind, base] of [
    ['gateway: node dist/main.js', 'pass-through: node'],
    ['gateway: npm start', 'pass-through: npm run'],
    ['gateway: node src/main.ts', 'pass-through: node'],
  ] as const) {
    const runs = report.coldStartMs[kind];
    const baseRuns = report.coldStartMs[base];
    if (runs.length === 0 || baseRuns.length === 0) continue;
    const ratio = median(runs) / median(baseRuns);
    results.push({
      name: `cold start ≤ 2.5× pass-through (spawn → first correct answer, median), ${kind.replace('gateway: ', '')} vs ${base}`,
      pass: ratio <= 2.5,
      measured: `${ratio.toFixed(2)}× (${median(runs).toFixed(0)} vs ${median(baseRuns).toFixed(0)} ms)`,
    });
  }
  const slow = {
    upstream: rowOf(report, 20, 'Page', c, 'upstream'),
    gateway: rowOf(report, 20, 'Page', c, 'gateway'),
    passThrough: rowOf(report, 20, 'Page', c, 'passThrough'),
  };
  if (slow.gateway !== undefined && slow.passThrough !== undefined) {
    // What each BFF adds to the upstream's own p99 (the simulator called directly, same load).
    const base = slow.upstream?.p99Ms ?? 20;
    const added = { gateway: slow.gateway.p99Ms - base, passThrough: slow.passThrough.p99Ms - base };
    const ratio = added.gateway / added.passThrough;
    results.push({
      name: `added p99 ≤ 1.2× the pass-through's (first: 50, 20 ms upstream, ${c} connections; added = p99 − (a)'s p99)`,
      pass: ratio <= 1.2,
      measured: `${ratio.toFixed(2)}× (+${added.gateway.toFixed(2)} vs +${added.passThrough.toFixed(2)} ms; p99 ${slow.gateway.p99Ms.toFixed(2)} / ${slow.passThrough.p99Ms.toFixed(2)} / (a) ${base.toFixed(2)} ms)`,
    });
  }
  const lightRows = { gateway: rowOf(report, 20, 'Page', light, 'gateway'), passThrough: rowOf(report, 20, 'Page', light, 'passThrough') };
  if (lightRows.gateway !== undefined && lightRows.passThrough !== undefined) {
    const added = lightRows.gateway.p99Ms - lightRows.passThrough.p99Ms;
    results.push({
      name: `added p99 ≤ +3 ms over the pass-through (first: 50, 20 ms upstream, ${light} connections)`,
      pass: added <= 3,
      measured: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms (p99 ${lightRows.gateway.p99Ms.toFixed(2)} vs ${lightRows.passThrough.p99Ms.toFixed(2)} ms)`,
    });
  }
  for (const [latencyMs, least] of [
    [20, 2],
    [0, 1],
  ] as const) {
    const plain = rowOf(report, latencyMs, 'Page', c, 'gateway');
    const cached = rowOf(report, latencyMs, 'Page', c, 'gatewayCached');
    if (plain !== undefined && cached !== undefined) {
      const gain = cached.rps / plain.rps;
      results.push({
        name: `page cache: (d) ≥ ${least}× (c) (first: 50, ${latencyMs} ms upstream, ${c} connections)`,
        pass: gain >= least,
        measured: `${gain.toFixed(2)}× (${cached.rps.toFixed(0)} vs ${plain.rps.toFixed(0)} req/s; (d) ÷ (b) ${ratio(cached.rps, rowOf(report, latencyMs, 'Page', c, 'passThrough')?.rps)})`,
      });
    }
  }
  const gatewayCrashes = report.crashes.filter((crash) => crash.server.startsWith('gateway')).length;
  results.push({
    name: "the gateway stays up under load (the bench's own check)",
    pass: gatewayCrashes === 0,
    measured: gatewayCrashes === 0 ? 'no crash' : `${gatewayCrashes} crash(es), see Crashes`,
  });
  return results;
}

const ratio = (value: number, base: number | undefined) => (base === undefined || !Number.isFinite(value / base) ? '' : `${(value / base).toFixed(2)}×`);

/** The thrown error's line and its first stack frame, from a crashed process's output. */
export function firstErrorOf(output: string): string {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => /^\w*(Error|Exception)\b/.test(line));
  if (at === -1) return 'no error on its stderr';
  const frame = lines.slice(at + 1).find((line) => line.trim().startsWith('at '));
  return `\`${(lines[at] ?? '').trim()}\`${frame === undefined ? '' : ` ${frame.trim()}`}`;
}

/** How much other processes disturbed the measurements: the machine's busy time not the bench's. */
function foreignLoadLine(report: BenchReport): string {
  const shares = report.rows.flatMap((row) => row.runs.map((run) => run.foreignCpuShare)).sort((a, b) => a - b);
  if (shares.length === 0) return 'No load was measured in this run.';
  const worst = shares.at(-1) ?? 0;
  const text = `Other processes used ${(100 * median(shares)).toFixed(1)}% of the machine's CPU during the median measurement, ${(100 * worst).toFixed(1)}% at most`;
  return worst > 0.05 ? `**!! ${text}: something else ran on this machine; rerun on a quiet one before trusting the numbers, tails first.**` : `${text}.`;
}

export function renderMarkdown(report: BenchReport): string {
  const s = report.settings;
  const lines = [
    `# capture-gateway bench, ${report.date.slice(0, 19).replace('T', ' ')} UTC`,
    '',
    `Node ${report.node} · ${report.cpuModel} · ${report.cpus} CPUs · ${report.os} · commit ${report.commit}`,
    `autocannon, ${s.connections} connections unless the conn column says otherwise, ${s.durationS} s per measurement after a ${s.warmupS} s warm-up; ${s.rounds} rounds interleaved (a) (b) (c); medians of the rounds (peak RSS: the highest). Each server in its own process.`,
    '',
  ];
  const mixRows = report.rows.filter((row) => row.operation === 'Mix');
  if (mixRows.length > 0) {
    lines.push(
      `The mix (${MIX_LABEL}): what real traffic costs, since no two requests share an upstream call. Ratios to (b′), the got pass-through, and to (b), undici's.`,
      '',
      '| upstream | conn | server | req/s | ×(b′) | ×(b) | p50 ms | p99 ms | p99 − (b′) | peak RSS MB | ×(b′) | CPU µs/req | ×(b′) | ×(b) |',
      '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const row of mixRows) {
      const got = rowOf(report, row.latencyMs, 'Mix', row.connections, 'passThroughGot');
      const undici = rowOf(report, row.latencyMs, 'Mix', row.connections, 'passThrough');
      const delta = got === undefined || row.server === 'passThroughGot' ? '' : `${row.p99Ms - got.p99Ms >= 0 ? '+' : ''}${(row.p99Ms - got.p99Ms).toFixed(2)}`;
      lines.push(
        `| ${row.latencyMs} ms | ${row.connections} | ${SERVER_LABELS[row.server]}${row.problems > 0 ? ` (!! ${row.problems} bad answers)` : ''}${row.crashes > 0 ? ` (!! died ${row.crashes}×, restarted)` : ''} | ${row.rps.toFixed(0)} | ${ratio(row.rps, got?.rps)} | ${ratio(row.rps, undici?.rps)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${delta} | ${mb(row.peakRssKb).toFixed(0)} | ${ratio(row.peakRssKb, got?.peakRssKb)} | ${row.cpuUsPerRequest.toFixed(0)} | ${ratio(row.cpuUsPerRequest, got?.cpuUsPerRequest)} | ${ratio(row.cpuUsPerRequest, undici?.cpuUsPerRequest)} |`,
      );
    }
    lines.push(
      '',
      "Identical requests (every request the same: the best case, where the gateway's sharing of identical upstream calls and its memos apply):",
      '',
    );
  }
  lines.push(
    '| upstream | operation | conn | server | req/s | ×(b) | p50 ms | p99 ms | p99 − (b) | peak RSS MB | ×(b) | CPU µs/req | ×(b) |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const row of report.rows.filter((entry) => entry.operation !== 'Mix')) {
    const base = rowOf(report, row.latencyMs, row.operation, row.connections, 'passThrough');
    const isBase = row.server === 'passThrough';
    const delta = base === undefined || isBase ? '' : `${row.p99Ms - base.p99Ms >= 0 ? '+' : ''}${(row.p99Ms - base.p99Ms).toFixed(2)}`;
    lines.push(
      `| ${row.latencyMs} ms | ${row.operation} | ${row.connections} | ${SERVER_LABELS[row.server]}${row.problems > 0 ? ` (!! ${row.problems} bad answers)` : ''}${row.crashes > 0 ? ` (!! died ${row.crashes}×, restarted)` : ''} | ${row.rps.toFixed(0)} | ${isBase ? '1' : ratio(row.rps, base?.rps)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${delta} | ${mb(row.peakRssKb).toFixed(0)} | ${isBase ? '1' : ratio(row.peakRssKb, base?.peakRssKb)} | ${row.cpuUsPerRequest.toFixed(0)} | ${isBase ? '1' : ratio(row.cpuUsPerRequest, base?.cpuUsPerRequest)} |`,
    );
  }
  const operations = [...new Set(report.rows.map((row) => row.operation))].filter((operation) => operation !== 'Mix');
  lines.push(
    '',
    'Operations (one JSON body each, the same for (b) and (c); (a) is the upstream GET behind it):',
    ...operations.map(
      (operation) =>
        `- ${operation}: ${OPERATIONS[operation].label}; (b) and (c) answers ${report.identical[operation] === 'bytes' ? 'byte-identical' : 'deep-equal'}, checked before measuring and on every answer under load.`,
    ),
    '',
    ...(mixRows.length > 0
      ? [
          `- Mix: ${MIX_LABEL}; each request's (token, firewall) pair recurs only after 100,000 requests. Every kind (all-fields and small × first, first/after, last, last/before, and captureTask) answered byte-identically by (b), (b′) and (c), checked before measuring; under load each answer must be data without errors.`,
        ]
      : []),
    "- (a) is the CFW simulator called directly (pre-serialised cached pages); its RSS and CPU are the simulator process's.",
    "- (b) calls the upstream with undici (a keep-alive Pool), the fastest Node client: the honest limit, and the base of every ratio. (b′) is the same pass-through calling with got, the gateway's client class: (b′) ÷ (b) is what got itself costs.",
    "- (b) computes cursors and pageInfo with the gateway's own pure functions (src/paging) and values with src/resolvers/values.ts: same JSON, no GraphQL library.",
    `- Entities: (b) makes its ${s.entityFirewalls} upstream calls all at once; the gateway runs at most OPERATION_UPSTREAM_CONCURRENCY (default 8) per operation.`,
    `- At 20 ms, first: 50 runs at ${s.connections} connections (the target) and at ${s.lightConnections}, where neither BFF saturates its core: there, p99 − (b) is the latency the gateway adds by itself rather than by queueing.`,
    '- The load generator shares the machine (and its cores) with the server under test and the simulator.',
    '',
    '| cold start (spawn → first correct answer) | median | runs |',
    '|---|---:|---|',
    ...COLD_START_KINDS.filter((kind) => report.coldStartMs[kind].length > 0).map(
      (kind) => `| ${kind} | ${median(report.coldStartMs[kind]).toFixed(0)} ms | ${report.coldStartMs[kind].map((ms) => ms.toFixed(0)).join(', ')} |`,
    ),
    '',
    foreignLoadLine(report),
    '',
    `Event-loop delay of the gateway under load (perf_hooks.monitorEventLoopDelay via its /metrics; p99 median of the rounds / highest max): ${
      report.rows
        .flatMap((row) =>
          row.loopDelay === undefined
            ? []
            : [
                `${row.latencyMs} ms ${row.operation} c=${row.connections} ${SERVER_LABELS[row.server]} ${row.loopDelay.p99Ms.toFixed(1)} / ${row.loopDelay.maxMs.toFixed(1)} ms`,
              ],
        )
        .join('; ') || 'not measured'
    }.`,
    '',
    `RSS at rest (started, nothing asked yet), per phase: gateway as deployed (\`node dist/main.js\`) ${report.restRssKb.map((rest) => mb(rest.gatewayBuilt).toFixed(0)).join(' / ')} MB, its V8 heap ${report.restRssKb.map((rest) => heapLine(rest.gatewayBuiltHeap)).join(' / ')}; gateway as \`node src/main.ts\` ${report.restRssKb.map((rest) => mb(rest.gateway).toFixed(0)).join(' / ')} MB, its V8 heap ${report.restRssKb.map((rest) => heapLine(rest.gatewayHeap)).join(' / ')}; pass-through (\`node bench/pass-through.ts\`) ${report.restRssKb.map((rest) => mb(rest.passThrough).toFixed(0)).join(' / ')} MB. Loading TypeScript, Node keeps its type stripper (amaro, WebAssembly) in memory: a one-line \`.ts\` file idles at ~17 MB more than the same \`.mjs\`, ~9 MB of it external. Peak RSS under load is mostly V8's young generation, which grows with allocation rate.`,
    `RSS right after the first answer of a cold start: ${
      COLD_START_KINDS.flatMap((kind) => {
        const kb = report.firstAnswerRssKb[kind];
        return kb === undefined ? [] : [`${kind} ${mb(kb).toFixed(0)} MB`];
      }).join(', ') || 'not measured'
    } (\`node src/main.ts\` and the pass-through strip TypeScript types as they load, ~18 MB of it; \`node dist/main.js\` runs the build).`,
    '',
    "Targets (the mix's first, then those of issue #16 for identical requests; a FAIL is reported, the run itself does not fail):",
    '',
    ...report.targets.map((target) => `- ${target.info === true ? 'INFO' : target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.measured}`),
    '',
  );
  if (report.crashes.length > 0) {
    lines.push('Crashes (a new server was started and warmed up each time; its stderr is in latest.json):', '');
    for (const crash of report.crashes) lines.push(`- ${crash.server}, ${crash.where}: ${crash.exit}; ${firstErrorOf(crash.stderr)}`);
    lines.push('');
  }
  return lines.join('\n');
}
