// deploy/observability/ as operators load it: the alerting rules pass promtool and fire and resolve
// as their unit tests say; every metric a rule or a dashboard panel names is one a real gateway
// serves at /metrics; the rules agree with the code (error codes) and the manifests (shutdown).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode } from '../../src/errors.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { describeWithPromtool } from '../helpers/promtool.ts';
import { at, deployed, environmentOf, listAt, mappings, numberAt, objectAt, OVERLAY_DIR, preStopSeconds, ROOT, stringAt } from './deployed.ts';
import { isObject, readYaml, type Json, type JsonObject } from './kustomize.ts';
import { promqlOfGrafana, promqlOfTemplateQuery, selectionsIn, seriesNamesServed } from './promql.ts';

const DIRECTORY = join(ROOT, 'deploy/observability');
const rules = mappings(listAt(readYaml(join(DIRECTORY, 'alerts.yaml')), 'groups')).flatMap((group) => mappings(listAt(group, 'rules')));
const ruleNamed = (name: string) => {
  const rule = rules.find((candidate) => candidate['alert'] === name);
  if (rule === undefined) throw new Error(`no alert ${name} in alerts.yaml`);
  return rule;
};
// JSON is YAML: read as the rules are.
const dashboard = readYaml(join(DIRECTORY, 'dashboard.json'));
const alertsDoc = readFileSync(join(ROOT, 'docs/alerts.md'), 'utf8');

/** Every panel, those inside collapsed rows included. */
function panelsOf(value: Json): JsonObject[] {
  return mappings(isObject(value) && Array.isArray(value['panels']) ? value['panels'] : []).flatMap((panel) => [panel, ...panelsOf(panel)]);
}
const panels = panelsOf(dashboard).filter((panel) => panel['type'] !== 'row');

/** Each query of the dashboard as PromQL, with where it comes from. */
const dashboardQueries: readonly { readonly where: string; readonly promql: string }[] = [
  ...panels.flatMap((panel) =>
    mappings(Array.isArray(panel['targets']) ? panel['targets'] : []).map((target) => ({
      where: `panel "${stringAt(panel, 'title')}" ${stringAt(target, 'refId')}`,
      promql: promqlOfGrafana(stringAt(target, 'expr')),
    })),
  ),
  ...mappings(listAt(dashboard, 'templating', 'list')).flatMap((variable) => {
    const query = variable['query'];
    const text = isObject(query) ? query['query'] : query;
    const promql = typeof text === 'string' ? promqlOfTemplateQuery(text) : undefined;
    return promql === undefined ? [] : [{ where: `variable $${stringAt(variable, 'name')}`, promql }];
  }),
];
const ruleQueries = rules.map((rule) => ({ where: `alert ${stringAt(rule, 'alert')}`, promql: stringAt(rule, 'expr') }));

/** Series Prometheus writes itself for every target, which no exporter serves. */
const PROMETHEUS_SERIES = new Set(['up']);

describeWithPromtool('the alerting rules under promtool', (promtool) => {
  it('pass promtool check rules', () => {
    const result = promtool(['check', 'rules', 'deploy/observability/alerts.yaml'], ROOT);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('fire and resolve as their unit tests say (promtool test rules)', () => {
    const result = promtool(['test', 'rules', 'alerts.test.yaml'], DIRECTORY);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe('the alerting rules', () => {
  it('cover CFW failing (breaker, error ratio), p99 over budget, Redis bypassed, instances not ready and a slow shutdown', () => {
    expect(rules.map((rule) => rule['alert'])).toEqual([
      'CaptureGatewayCfwBreakerOpen',
      'CaptureGatewayCfwErrorRatioHigh',
      'CaptureGatewayLatencyOverBudget',
      'CaptureGatewayRedisBypassed',
      'CaptureGatewayInstanceNotReady',
      'CaptureGatewayTooFewReadyInstances',
      'CaptureGatewayShutdownTooLong',
    ]);
  });

  it.each(rules.map((rule) => [stringAt(rule, 'alert'), rule] as const))(
    '%s has a severity, a summary, a description and a runbook section in docs/alerts.md',
    (name, rule) => {
      expect(['warning', 'critical']).toContain(at(rule, 'labels', 'severity'));
      expect(stringAt(rule, 'annotations', 'summary')).not.toBe('');
      expect(stringAt(rule, 'annotations', 'description')).not.toBe('');
      expect(stringAt(rule, 'annotations', 'runbook')).toBe(`docs/alerts.md#${name.toLowerCase()}`);
      expect(alertsDoc).toMatch(new RegExp(`^### ${name}$`, 'm'));
    },
  );

  it('each have a unit test in which they fire', () => {
    const tests = mappings(listAt(readYaml(join(DIRECTORY, 'alerts.test.yaml')), 'tests')).flatMap((test) => mappings(listAt(test, 'alert_rule_test')));
    const firing = new Set(tests.filter((test) => listAt(test, 'exp_alerts').length > 0).map((test) => stringAt(test, 'alertname')));
    expect([...firing].sort()).toEqual(rules.map((rule) => stringAt(rule, 'alert')).sort());
  });

  it("count as CFW's failures only error codes the gateway gives upstream calls", () => {
    // upstream_calls_total's `code`: OK, CANCELLED (capture-tasks.ts) or the call's GatewayError code.
    const codes = new Set<string>([...Object.values(ErrorCode), 'OK', 'CANCELLED']);
    const named = [...ruleQueries, ...dashboardQueries].flatMap(({ promql }) =>
      [...promql.matchAll(/\bcode\s*(?:=~|!~|!=|=)\s*"([^"]*)"/g)].flatMap((match) => (match[1] ?? '').split('|')),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((code) => !codes.has(code))).toEqual([]);
  });

  it('report a shutdown only after the gateway and Kubernetes would have ended it (deploy/kubernetes)', () => {
    const threshold = Number(/\)\)\s*>\s*(\d+)\s*$/m.exec(stringAt(ruleNamed('CaptureGatewayShutdownTooLong'), 'expr'))?.[1]);
    const overlay = deployed(OVERLAY_DIR);
    const { pod, container, settings } = overlay;
    const gatewayEndsItS = (Number(settings['DRAIN_DELAY_MS']) + loadConfig(environmentOf(overlay)).shutdownTimeoutMs) / 1000;
    const kubernetesKillsAtS = numberAt(pod, 'terminationGracePeriodSeconds') - preStopSeconds(container);
    expect(threshold).toBeGreaterThan(gatewayEndsItS);
    expect(threshold).toBeGreaterThan(kubernetesKillsAtS);
  });
});

describe('the dashboard', () => {
  it('is one Grafana dashboard with a stable uid, reading the Prometheus picked in its datasource variable', () => {
    expect(at(dashboard, 'uid')).toBe('capture-gateway');
    expect(mappings(listAt(dashboard, 'templating', 'list')).map((variable) => variable['name'])).toEqual(['datasource', 'job', 'instance']);
    expect(panels.length).toBeGreaterThanOrEqual(20);
    for (const panel of panels) {
      expect(objectAt(panel, 'datasource')).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(listAt(panel, 'targets').length).toBeGreaterThan(0);
    }
    const ids = panelsOf(dashboard).map((panel) => panel['id']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(dashboardQueries.map(({ where, promql }) => [where, promql] as const))('%s parses as PromQL', (_where, promql) => {
    expect(selectionsIn(promql).problems).toEqual([]);
  });
});

describe('every metric a rule or a dashboard panel names', () => {
  const named = [...new Set([...ruleQueries, ...dashboardQueries].flatMap(({ promql }) => selectionsIn(promql).metrics))]
    .filter((name) => !PROMETHEUS_SERIES.has(name))
    .sort();
  let harness: Harness;
  let served: ReadonlySet<string>;

  beforeAll(async () => {
    harness = await startHarness();
    const response = await fetch(`${harness.origin}/metrics`);
    served = seriesNamesServed(await response.text());
  });

  afterAll(async () => {
    await harness.close();
  });

  it('is read from the rules and the panels', () => {
    expect(named.length).toBeGreaterThanOrEqual(20);
    expect(named).toEqual(expect.arrayContaining(['upstream_breaker_state', 'graphql_operation_duration_seconds_bucket', 'process_resident_memory_bytes']));
  });

  it.each(named)('%s is served at /metrics by a running gateway', (name) => {
    expect(served.has(name)).toBe(true);
  });
});
