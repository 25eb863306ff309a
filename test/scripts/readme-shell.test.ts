// The documentation's shell blocks (README.md and docs/) are meant to be pasted: each must at least
// parse as a bash script (an unclosed quote makes a pasted block hang at the shell's continuation
// prompt).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const docs = readdirSync(new URL('../../docs/', import.meta.url))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const blocks = ['README.md', ...docs].flatMap((file) =>
  [...readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match, index) => [
    `${file} block ${index + 1}`,
    match[1] ?? '',
  ]),
);

/** bash's own syntax check (`bash -n`): what it says is wrong with `script`, or '' when it parses. */
function syntaxErrorsOf(script: string): string {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return result.status === 0 ? '' : result.stderr;
}

describe("the documentation's shell blocks", () => {
  it('are there to check', () => {
    expect(blocks.filter(([name]) => name?.startsWith('README.md')).length).toBeGreaterThanOrEqual(3);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks)('%s parses as bash', (_name, block) => {
    expect(syntaxErrorsOf(block)).toBe('');
  });

  it('the check catches an unclosed quote', () => {
    expect(syntaxErrorsOf('echo "no task created\n')).not.toBe('');
  });
});
