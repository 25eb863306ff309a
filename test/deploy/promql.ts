// PromQL as the tests read it, with Prometheus's own grammar (@prometheus-io/lezer-promql, the
// parser of Prometheus's web UI): the metric names an expression selects, and where it does not
// parse; and the series names a /metrics page serves.

import { parser } from '@prometheus-io/lezer-promql';

export interface Selections {
  /** Metric names the expression selects, in order, without repeats. */
  readonly metrics: readonly string[];
  /** Where it does not parse, and selections that name no metric outright (a `__name__` regex). */
  readonly problems: readonly string[];
}

/** The text of a string literal as PromQL reads it (double- or single-quoted, or a raw backquoted one). */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  return body.replaceAll(/\\(.)/g, '$1');
}

/** The metric names `expr` selects, and its problems. */
export function selectionsIn(expr: string): Selections {
  const metrics: string[] = [];
  const problems: string[] = [];
  parser.parse(expr).iterate({
    enter: (ref) => {
      const text = expr.slice(ref.from, ref.to);
      if (ref.type.isError) {
        problems.push(`does not parse at ${ref.from}: ${JSON.stringify(expr.slice(Math.max(0, ref.from - 20), ref.from + 20))}`);
        return;
      }
      const parent = ref.node.parent?.name;
      if (ref.name === 'Identifier' && parent === 'VectorSelector') metrics.push(text);
      if (ref.name === 'QuotedLabelName' && parent === 'LabelMatchers') metrics.push(unquote(text));
      if (ref.name === 'UnquotedLabelMatcher' || ref.name === 'QuotedLabelMatcher') {
        const label = ref.node.getChild('LabelName') ?? ref.node.getChild('QuotedLabelName');
        const value = ref.node.getChild('StringLiteral');
        const op = ref.node.getChild('MatchOp');
        if (label === null || value === null || op === null) return;
        const name = expr.slice(label.from, label.to);
        if (name !== '__name__' && unquote(name) !== '__name__') return;
        if (expr.slice(op.from, op.to) === '=') metrics.push(unquote(expr.slice(value.from, value.to)));
        else problems.push(`selects metrics by ${text}, which names none outright`);
      }
    },
  });
  return { metrics: [...new Set(metrics)], problems };
}

/**
 * A Grafana query as PromQL: its interval variables ($__rate_interval, $__interval, $__range)
 * become a duration; variables inside label values ("$job") are left as text, which parses.
 */
export function promqlOfGrafana(expr: string): string {
  return expr.replaceAll(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, '5m');
}

/** The PromQL inside a Grafana template variable's query (`label_values(<selector>, label)`, `query_result(<expr>)`), if any. */
export function promqlOfTemplateQuery(query: string): string | undefined {
  const labelValues = /^\s*label_values\((.+),\s*[A-Za-z_]\w*\s*\)\s*$/s.exec(query);
  if (labelValues !== null) return labelValues[1];
  const result = /^\s*query_result\((.+)\)\s*$/s.exec(query);
  return result?.[1];
}

/**
 * The series names a Prometheus text exposition serves: each family declared by `# TYPE`, with a
 * histogram's `_bucket`, `_sum` and `_count` and a summary's `_sum` and `_count`, and every sample's
 * name (a labelled metric nothing has counted yet is declared, with no sample).
 */
export function seriesNamesServed(exposition: string): ReadonlySet<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, family = '', type] = match;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${family}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${family}${suffix}`);
    else names.add(family);
  }
  for (const match of exposition.matchAll(/^([A-Za-z_:][\w:]*)(?:\{|\s)/gm)) names.add(match[1] ?? '');
  return names;
}
