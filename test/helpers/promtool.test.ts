// When the promtool suite runs: with promtool on PATH; skipped in one line without it; a failure under CI.
import { describe, expect, it } from '@jest/globals';
import { promtoolPlanFor } from './promtool.ts';

const SUITE = '"the alerting rules"';

describe('promtoolPlanFor', () => {
  it('runs the suite when promtool is on PATH, CI or not', () => {
    expect(promtoolPlanFor({}, true, SUITE)).toEqual({ kind: 'run' });
    expect(promtoolPlanFor({ CI: 'true' }, true, SUITE)).toEqual({ kind: 'run' });
  });

  it('does not run the suite without promtool outside CI, in one line naming the suite and the install command', () => {
    const plan = promtoolPlanFor({ CI: 'false' }, false, SUITE);
    expect(plan).toEqual({ kind: 'not-run', line: 'Not run: "the alerting rules" (no promtool on PATH). To run it: apt-get install prometheus' });
    expect(plan.kind === 'not-run' && plan.line.includes('\n')).toBe(false);
  });

  it('fails under CI without promtool, so CI always checks the rules', () => {
    expect(promtoolPlanFor({ CI: '1' }, false, SUITE)).toEqual({
      kind: 'missing',
      message: 'promtool is not on PATH: under CI the promtool suite ("the alerting rules") must run (apt-get install prometheus; .ci/run does it)',
    });
  });
});
