// Prometheus's promtool (Debian's `prometheus` package) for the tests of deploy/observability/:
// run from PATH. Without it, and CI not set, its suite does not run and says so in one line, as the
// Redis suite does; under CI a missing promtool fails the run.
import { spawnSync } from 'node:child_process';
import { describe } from '@jest/globals';
import { isCi } from './ci.ts';

export const PROMTOOL_INSTALL_HINT = 'apt-get install prometheus';

/** Whether the promtool suite runs, and what it says when it cannot. */
export type PromtoolPlan =
  { readonly kind: 'run' } | { readonly kind: 'missing'; readonly message: string } | { readonly kind: 'not-run'; readonly line: string };

/** The plan for an environment and whether `promtool` runs from PATH; pure. */
export function promtoolPlanFor(env: { readonly CI?: string | undefined }, onPath: boolean, suite: string): PromtoolPlan {
  if (onPath) return { kind: 'run' };
  if (isCi(env.CI))
    return { kind: 'missing', message: `promtool is not on PATH: under CI the promtool suite (${suite}) must run (${PROMTOOL_INSTALL_HINT}; .ci/run does it)` };
  return { kind: 'not-run', line: `Not run: ${suite} (no promtool on PATH). To run it: ${PROMTOOL_INSTALL_HINT}` };
}

export interface PromtoolResult {
  readonly status: number | null;
  /** stdout and stderr together, as promtool prints its findings on either. */
  readonly output: string;
}

/** Runs `promtool args` in `cwd`. */
export type Promtool = (args: readonly string[], cwd?: string) => PromtoolResult;

function promtoolOnPath(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * `describe` for the suite that needs promtool: its body receives `promtool`; without it the suite
 * is skipped with one line on stderr, or, under CI, runs and fails on the first call.
 */
export function describeWithPromtool(name: string, body: (promtool: Promtool) => void): void {
  const plan = promtoolPlanFor(process.env, promtoolOnPath(), `"${name}"`);
  if (plan.kind === 'not-run') {
    process.stderr.write(`${plan.line}\n`);
    describe.skip(name, () => {
      body(() => {
        throw new Error(plan.line);
      });
    });
    return;
  }
  describe(name, () => {
    body((args, cwd) => {
      if (plan.kind === 'missing') throw new Error(plan.message);
      const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
      if (result.error !== undefined) throw result.error;
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    });
  });
}
