// The fleet run's figures as a table for the terminal and as docs/fleet-results.md. Pure.
import { failuresOf, type Summary } from './stats.ts';
import { ANSWERED } from './outcome.ts';
import { tally, type EventResult } from './verdicts.ts';

const COLUMNS = ['event', 'seconds', 'requests', 'ok', 'user err', 'rate ltd', 'typed err', 'balancer', 'conn', 'failed', 'p50 ms', 'p99 ms'] as const;

function ms(value: number | undefined): string {
  return value === undefined ? '–' : value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

/** One row's cells; `failed` counts what is neither ok nor a user error (a rate-limited answer included). */
export function rowOf(event: { readonly name: string; readonly window: { readonly from: number; readonly to: number }; readonly summary: Summary }): string[] {
  const { summary } = event;
  const c = summary.byClass;
  return [
    event.name,
    ((event.window.to - event.window.from) / 1000).toFixed(1),
    String(summary.requests),
    String(c.ok),
    String(c['user-error']),
    String(c['rate-limited']),
    String(c['typed-error'] + c.untyped),
    String(c.balancer),
    String(c.connection),
    String(failuresOf(summary, ANSWERED)),
    ms(summary.p50),
    ms(summary.p99),
  ];
}

/** The table as fixed-width text. */
export function textTable(events: readonly EventResult[]): string {
  const rows = [[...COLUMNS], ...events.map(rowOf)];
  const widths = COLUMNS.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))).join('  ')).join('\n');
}

/** The table in markdown. */
export function markdownTable(events: readonly EventResult[]): string {
  const header = `| ${COLUMNS.join(' | ')} |`;
  const rule = `|${COLUMNS.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`;
  return [header, rule, ...events.map((event) => `| ${rowOf(event).join(' | ')} |`)].join('\n');
}

/** Every criterion, one line each: PASS or FAIL, the event, what, and the figures. */
export function criteriaLines(events: readonly EventResult[]): string[] {
  return events.flatMap((event) => event.criteria.map((one) => `${one.pass ? 'PASS' : 'FAIL'}  ${event.name}: ${one.what} — ${one.detail}`));
}

export interface RunFacts {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly commit: string;
  readonly versions: string;
  /** The settings every gateway ran with, and the load's. */
  readonly settings: readonly string[];
}

/** What the harness is and does: the opening of docs/fleet-results.md. */
export const HARNESS_DOC = `# The fleet: figures from \`npm run test:fleet\`

\`npm run test:fleet\` (\`node test/fleet/fleet.ts\`; \`.ci/run\` runs it after \`npm test\`) starts a
whole fleet on loopback and puts it through the events of the issue "A fleet that stays up", under
constant load, and exits non-zero when any criterion fails. This file is written by each run.

**The fleet.** Debian's Redis (one, shared); the CFW simulator as its own process
(\`node src/simulator/main.ts\`, one \`--token\` per caller, a time scale so captures end within the
run); three gateways started as \`npm start\` starts them (\`node --max-semi-space-size=16
src/main.ts\`, \`NODE_ENV=production\`); Debian's HAProxy in front (\`test/fleet/haproxy.ts\`: round
robin, \`option httpchk GET /readyz\` every second, down after 2 failures, up after 2 successes,
\`retries 3\`, \`option redispatch 1\`); Debian's Prometheus scraping the three every second and
evaluating the alert rules (\`ALERT_RULES_FILE\` in \`test/fleet/prometheus.ts\`) every second.

**Retries at the balancer.** A POST is retried only when no connection could be made
(\`retry-on conn-failure empty-response\` with \`http-request disable-l7-retry if !METH_GET\`): every
mutation is a POST, and so is every read of the load except during the kill -9, so in the rolling
restart nothing a gateway accepted is ever sent twice, and an answer lost there would be the
gateway's drain failing, not hidden by a second try. During the kill -9 the load sends its reads as
GET, which the balancer also retries when a server closes without answering: that is what saves the
reads in flight on the killed instance; a mutation in flight there is lost (see the kill's notes).

**The load** (\`test/fleet/load.ts\`) is a process of its own: several callers, each with its own
IAM token and keep-alive sockets, send \`captureTasks\` reads at a steady rate and walk captures
through create, stop and delete. Every request ends as one outcome (\`test/fleet/outcome.ts\`): ok, a
mutation's user error (CFW refused the change, e.g. \`CAPTURE_IN_PROGRESS\`), rate limited
(\`RATE_LIMITED\`), a typed GraphQL error (by \`extensions.code\`), the balancer's page (not JSON), or
no answer (refused, reset, timed out). A request belongs to an event's window when it was in flight
at any time during it; p50 and p99 are over those requests.

**Failed** in the table counts every request that was neither ok nor a user error. What each event
allows is in its criteria.

**Running it.** \`npm run test:fleet\` needs \`redis-server\`, \`haproxy\` and \`prometheus\` on PATH
(\`apt-get install redis-server haproxy prometheus\`); without them it says so in one line and exits
0, or, under \`CI=true\`, exits 1. \`npm run test:fleet -- --only rolling,kill\` runs some events (the
report then goes to the run's log folder, not here). Each process's output is in the log folder the
run prints first (\`haproxy.cfg\` and \`prometheus.yml\` too). The run exits 1 when a criterion
fails, and ends with \`fleet: N passed, M failed\`.`;

export function markdownReport(events: readonly EventResult[], facts: RunFacts): string {
  const { passed, failed } = tally(events);
  const notes = events.flatMap((event) => event.notes.map((note) => `- ${event.name}: ${note}`));
  return [
    HARNESS_DOC,
    '',
    '## Last run',
    '',
    `Command: \`${facts.command}\` · ${facts.date} · commit ${facts.commit}`,
    '',
    `Machine: ${facts.machine}; ${facts.versions}.`,
    '',
    'Settings:',
    '',
    ...facts.settings.map((line) => `- ${line}`),
    '',
    markdownTable(events),
    '',
    `Criteria: ${passed} passed, ${failed} failed.`,
    '',
    ...criteriaLines(events).map((line) => `- ${line}`),
    '',
    ...(notes.length === 0 ? [] : ['Observed:', '', ...notes, '']),
  ].join('\n');
}
