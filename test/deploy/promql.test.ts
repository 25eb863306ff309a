// The metric names the observability tests check come from Prometheus's grammar, not a pattern:
// functions, labels and keywords are not metrics; a histogram's series exist only as such.
import { describe, expect, it } from '@jest/globals';
import { promqlOfGrafana, promqlOfTemplateQuery, selectionsIn, seriesNamesServed } from './promql.ts';

describe('selectionsIn', () => {
  it('finds the metrics an expression selects, not its functions, labels or keywords', () => {
    const expr =
      'histogram_quantile(0.99, sum by (job, le) (rate(op_seconds_bucket{code=~"A|B"}[5m]))) > 1 and on (job) (time() - ready == 0) unless bool_metric offset 5m';
    expect(selectionsIn(expr)).toEqual({ metrics: ['op_seconds_bucket', 'ready', 'bool_metric'], problems: [] });
  });

  it('reads a name given as __name__ or quoted, once each', () => {
    expect(selectionsIn('{__name__="up", job="a"} + {"my.metric"} + up').metrics).toEqual(['up', 'my.metric']);
  });

  it('reports a selection by a __name__ regex, which names no metric it could check', () => {
    expect(selectionsIn('{__name__=~"gateway_.*"}').problems).toEqual(['selects metrics by __name__=~"gateway_.*", which names none outright']);
  });

  it('reports where an expression does not parse', () => {
    expect(selectionsIn('sum(rate(x[5m])').problems.length).toBeGreaterThan(0);
    expect(selectionsIn('rate(x[$__rate_interval])').problems.length).toBeGreaterThan(0);
  });
});

describe('Grafana queries', () => {
  it('become PromQL with their interval variables as a duration, label-value variables kept', () => {
    const promql = promqlOfGrafana('sum(rate(x{job=~"$job"}[$__rate_interval])) / sum(rate(y[${__interval}]))');
    expect(promql).toBe('sum(rate(x{job=~"$job"}[5m])) / sum(rate(y[5m]))');
    expect(selectionsIn(promql)).toEqual({ metrics: ['x', 'y'], problems: [] });
  });

  it('template variable queries give their selector or expression', () => {
    expect(promqlOfTemplateQuery('label_values(up{job=~"$job"}, instance)')).toBe('up{job=~"$job"}');
    expect(promqlOfTemplateQuery('query_result(sum by (job) (up))')).toBe('sum by (job) (up)');
    expect(promqlOfTemplateQuery('label_values(job)')).toBeUndefined();
  });
});

describe('seriesNamesServed', () => {
  const exposition = [
    '# HELP requests_total Requests.',
    '# TYPE requests_total counter',
    '# HELP latency_seconds Latency.',
    '# TYPE latency_seconds histogram',
    '# TYPE rpc_seconds summary',
    '# TYPE state gauge',
    'state 2',
    'requests_total{route="/graphql"} 4',
  ].join('\n');

  it("serves a histogram's _bucket, _sum and _count, not its bare name, and a labelled metric with no sample yet", () => {
    const served = seriesNamesServed(exposition);
    for (const name of ['requests_total', 'latency_seconds_bucket', 'latency_seconds_sum', 'latency_seconds_count', 'rpc_seconds', 'rpc_seconds_sum', 'state'])
      expect(served.has(name)).toBe(true);
    for (const name of ['latency_seconds', 'rpc_seconds_bucket', 'requests', 'state_count']) expect(served.has(name)).toBe(false);
  });
});
