// The README's shell blocks are meant to be pasted: each must at least parse as a bash script (an
// unclosed quote makes a pasted block hang at the shell's continuation prompt).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');

/** bash's own syntax check (`bash -n`): what it says is wrong with `script`, or '' when it parses. */
function syntaxErrorsOf(script: string): string {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return result.status === 0 ? '' : result.stderr;
}

describe("the README's shell blocks", () => {
  it('are there to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((block, index) => [index + 1, block]))('block %i parses as bash', (_index, block) => {
    expect(syntaxErrorsOf(String(block))).toBe('');
  });

  it('the check catches an unclosed quote', () => {
    expect(syntaxErrorsOf('echo "no task created\n')).not.toBe('');
  });
});
