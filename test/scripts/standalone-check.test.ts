// The guard that keeps the repository standing alone, run as `npm test` runs it: on this
// repository, and on scratch trees that do and do not refer to the shared folder beside it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/standalone-check.ts');
// Built from parts so that this file does not trip the guard itself.
const SHARED_BESIDE = ['..', 'shared'].join('/');
const SHARED_ABSOLUTE = ['', 'work', 'shared'].join('/');

const scratches: string[] = [];
afterEach(() => {
  for (const scratch of scratches.splice(0)) rmSync(scratch, { recursive: true, force: true });
});

function scratchTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'standalone-check-'));
  scratches.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('standalone-check', () => {
  it('passes on this repository', () => {
    const run = check(ROOT);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('passes on a tree whose files refer only to paths inside it', () => {
    const run = check(
      scratchTree({
        'test/a.test.ts': "readFileSync(new URL('../fixtures/contract/x.graphql', import.meta.url));\n",
        'src/shared.ts': 'export const shared = 1;\n',
      }),
    );
    expect(run.status).toBe(0);
  });

  it.each([
    ['src/main.ts', `// see ${SHARED_BESIDE}/upstream/README.md\n`],
    ['test/upstream/wire.test.ts', `const x = 1;\nreadFileSync(new URL('../../${SHARED_BESIDE}/upstream/examples/a.json', import.meta.url));\n`],
    ['scripts/tool.cjs', `require('${SHARED_BESIDE}/x');\n`],
    ['bench/deep/fixtures.ts', `const contract = '${SHARED_ABSOLUTE}/contract/capture-gateway.graphql';\n`],
  ])('fails naming the file and line when %s refers to the shared folder', (path, text) => {
    const run = check(scratchTree({ [path]: text }));
    expect(run.status).toBe(1);
    const line = text.split('\n').findIndex((candidate) => candidate.includes('shared/')) + 1;
    expect(run.stderr).toContain(`${path}:${line}: `);
    expect(run.stderr).toContain('1 reference(s) to the shared folder outside the repository');
  });

  it('ignores node_modules', () => {
    const run = check(scratchTree({ 'test/node_modules/pkg/index.js': `require('${SHARED_BESIDE}/x');\n` }));
    expect(run.status).toBe(0);
  });
});
