// The balancer's and Prometheus's configurations as the fleet writes them, and what it reads back
// from their stats and alerts pages.
import { describe, expect, it } from '@jest/globals';
import { BACKEND, haproxyConfig, serverStatesFromCsv } from './haproxy.ts';
import { readFileSync } from 'node:fs';
import { alertStateOf, ALERT_RULES_FILE, metricSum, prometheusConfig, UPSTREAM_ALERT, withShortFor } from './prometheus.ts';

describe('haproxyConfig', () => {
  const text = haproxyConfig({
    port: 8080,
    statsPort: 8081,
    servers: [
      { name: 'gw1', port: 4001 },
      { name: 'gw2', port: 4002 },
    ],
  });
  const lines = text.split('\n').map((line) => line.trim());

  it('health-checks /readyz every second, down after 2 failures, up after 2 successes, round robin', () => {
    expect(lines).toEqual(
      expect.arrayContaining(['balance roundrobin', 'option httpchk GET /readyz', 'http-check expect status 200', 'default-server inter 1s fall 2 rise 2']),
    );
    expect(lines).toEqual(
      expect.arrayContaining(['server gw1 127.0.0.1:4001 check', 'server gw2 127.0.0.1:4002 check', 'bind 127.0.0.1:8080', 'bind 127.0.0.1:8081']),
    );
  });

  it('retries a POST only on connection failure, a GET also on an empty response, each time on another server', () => {
    expect(lines.filter((line) => line.startsWith('retry-on'))).toEqual(['retry-on conn-failure empty-response']);
    // disable-l7-retry leaves connection failures retried and stops every other retry.
    expect(lines.filter((line) => line.includes('l7-retry'))).toEqual(['http-request disable-l7-retry if !METH_GET']);
    expect(lines).toEqual(expect.arrayContaining(['retries 3', 'option redispatch 1', 'timeout connect 1s', 'timeout server 30s']));
  });

  it('keeps connections to the servers alive (no close option) and needs a server', () => {
    expect(text).not.toMatch(/option (http-server-close|httpclose|forceclose)|http-reuse never/);
    expect(() => haproxyConfig({ port: 1, statsPort: 2, servers: [] })).toThrow('a balancer needs at least one server');
  });
});

describe('serverStatesFromCsv', () => {
  it("reads the backend's servers' states, leaving out the frontend and backend rows and other proxies", () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,status,weight',
      'fleet,FRONTEND,,,0,OPEN,',
      `${BACKEND},gw1,0,0,0,UP,1`,
      `${BACKEND},gw2,0,0,0,DOWN,1`,
      `${BACKEND},gw3,0,0,0,UP 1/2,1`,
      `${BACKEND},BACKEND,0,0,0,UP,2`,
      'stats,FRONTEND,,,1,OPEN,',
      '',
    ].join('\n');
    expect(serverStatesFromCsv(csv)).toEqual(
      new Map([
        ['gw1', 'UP'],
        ['gw2', 'DOWN'],
        ['gw3', 'UP 1/2'],
      ]),
    );
  });

  it('refuses a page that is not the stats CSV', () => {
    expect(() => serverStatesFromCsv('<html>')).toThrow("not HAProxy's stats CSV");
  });
});

describe('prometheusConfig', () => {
  it('scrapes every gateway and evaluates the rules file at the interval given', () => {
    const config: unknown = JSON.parse(prometheusConfig({ targets: ['127.0.0.1:1', '127.0.0.1:2'], rulesFile: '/r/alerts.yaml', intervalSeconds: 1 }));
    expect(config).toEqual({
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
      rule_files: ['/r/alerts.yaml'],
      scrape_configs: [{ job_name: 'capture-gateway', metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:1', '127.0.0.1:2'] }] }],
    });
  });
});

describe('alertStateOf', () => {
  const answer = (alerts: unknown[]) => ({ status: 'success', data: { alerts } });

  it("is the alert's most advanced state, inactive when it is not listed", () => {
    expect(alertStateOf(answer([]), UPSTREAM_ALERT)).toBe('inactive');
    expect(alertStateOf(answer([{ labels: { alertname: 'Other' }, state: 'firing' }]), UPSTREAM_ALERT)).toBe('inactive');
    expect(alertStateOf(answer([{ labels: { alertname: UPSTREAM_ALERT }, state: 'pending' }]), UPSTREAM_ALERT)).toBe('pending');
    expect(
      alertStateOf(
        answer([
          { labels: { alertname: UPSTREAM_ALERT }, state: 'pending' },
          { labels: { alertname: UPSTREAM_ALERT }, state: 'firing' },
        ]),
        UPSTREAM_ALERT,
      ),
    ).toBe('firing');
  });

  it('refuses an answer without data.alerts', () => {
    expect(() => alertStateOf({ status: 'error' }, UPSTREAM_ALERT)).toThrow('not an /api/v1/alerts answer');
  });
});

describe('metricSum', () => {
  it('adds every sample of one metric, whatever its labels, and nothing of a metric whose name only begins the same', () => {
    const text = [
      '# HELP upstream_calls_total Upstream CFW calls.',
      '# TYPE upstream_calls_total counter',
      'upstream_calls_total{status="200",code=""} 12',
      'upstream_calls_total{status="429",code="UPSTREAM_UNAVAILABLE"} 3',
      'upstream_calls_total_created 1700000000',
      'upstream_retries_total 7',
      '',
    ].join('\n');
    expect(metricSum(text, 'upstream_calls_total')).toBe(15);
    expect(metricSum(text, 'upstream_retries_total')).toBe(7);
    expect(metricSum(text, 'absent_total')).toBe(0);
  });
});

describe('the shipped rules as the fleet test loads them', () => {
  const shipped = readFileSync(ALERT_RULES_FILE, 'utf8');

  it('holds the upstream alert the test waits for', () => {
    expect(shipped).toContain(`- alert: ${UPSTREAM_ALERT}`);
  });

  it('changes every for: and nothing else', () => {
    const short = withShortFor(shipped, 3);
    const fors = shipped.match(/^\s*for:.*$/gm) ?? [];
    expect(fors.length).toBeGreaterThan(3);
    expect(short.match(/^\s*for: 3s$/gm)).toHaveLength(fors.length);
    const withoutFor = (text: string) => text.replace(/^\s*for:.*$/gm, '');
    expect(withoutFor(short)).toBe(withoutFor(shipped));
  });
});
