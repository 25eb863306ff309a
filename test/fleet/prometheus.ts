// Prometheus for the fleet: its configuration as text (every gateway scraped and the rules evaluated
// each second), and the alerts read back from its own API (/api/v1/alerts). Pure.

/** The shipped rules, relative to the repository: Prometheus loads them with only their `for:` shortened. */
export const ALERT_RULES_FILE = 'deploy/observability/alerts.yaml';

/** The shipped alert that must fire during a CFW outage and resolve after it. */
export const UPSTREAM_ALERT = 'CaptureGatewayCfwBreakerOpen';

/** How long each rule's condition must hold in the fleet test, seconds. */
export const TEST_FOR_SECONDS = 3;

/**
 * The shipped rules with every `for:` set to `seconds`, and nothing else changed: a 20 s outage
 * cannot outlast a 1-minute `for`, and Prometheus has no flag to scale them.
 */
export function withShortFor(rules: string, seconds: number): string {
  return rules.replace(/^(\s*for:\s*)\S+\s*$/gm, `$1${seconds}s`);
}

export interface ScrapePlan {
  /** `host:port` of each gateway. */
  readonly targets: readonly string[];
  /** The rules file's absolute path. */
  readonly rulesFile: string;
  /** Scrape and evaluation interval, seconds. */
  readonly intervalSeconds: number;
}

/** prometheus.yml: YAML is a superset of JSON, so the configuration is written as JSON. */
export function prometheusConfig(plan: ScrapePlan): string {
  const interval = `${plan.intervalSeconds}s`;
  return `${JSON.stringify(
    {
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      rule_files: [plan.rulesFile],
      scrape_configs: [{ job_name: 'capture-gateway', metrics_path: '/metrics', static_configs: [{ targets: plan.targets }] }],
    },
    null,
    2,
  )}\n`;
}

/** An alert's state in /api/v1/alerts: `pending` (its `for` not yet over) or `firing`; absent when inactive. */
export type AlertState = 'inactive' | 'pending' | 'firing';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The state of the alert named `name` in an /api/v1/alerts answer: the most advanced of its instances. */
export function alertStateOf(answer: unknown, name: string): AlertState {
  const data = isRecord(answer) ? answer['data'] : undefined;
  const alerts = isRecord(data) ? data['alerts'] : undefined;
  if (!Array.isArray(alerts)) throw new Error('not an /api/v1/alerts answer: no data.alerts');
  let state: AlertState = 'inactive';
  for (const alert of alerts) {
    if (!isRecord(alert)) continue;
    const labels = alert['labels'];
    if (!isRecord(labels) || labels['alertname'] !== name) continue;
    if (alert['state'] === 'firing') return 'firing';
    if (alert['state'] === 'pending') state = 'pending';
  }
  return state;
}

/** The sum of every sample of `name` (any labels) in a /metrics page in Prometheus's text format; 0 when absent. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}
