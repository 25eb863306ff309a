// The Node.js version check run before `npm start` and `npm test`: its decision directly, and the
// script itself on the Node.js running the tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { lowestNodeVersion, nodeVersionProblem } from '../../scripts/check-node.cjs';

const SCRIPT = new URL('../../scripts/check-node.cjs', import.meta.url);
const HINT = 'get Node.js 24 LTS from https://nodejs.org/en/download (or `nvm install 24`), then run the command again';

describe('nodeVersionProblem', () => {
  it.each(['22.18.0', '22.18.1', '22.19.0', '23.0.0', '24.22.3', '100.0.0'])('accepts Node.js %s for >=22.18', (found) => {
    expect(nodeVersionProblem(found, '>=22.18', '/usr/bin/node')).toBeUndefined();
  });

  it.each(['22.17.9', '22.9.0', '20.20.2', '18.0.0', '0.10.48'])('refuses Node.js %s for >=22.18 in one line: found, needed, how to get it', (found) => {
    expect(nodeVersionProblem(found, '>=22.18', '/usr/bin/node')).toBe(
      `capture-gateway needs Node.js 22.18 or later; found Node.js ${found} (/usr/bin/node): ${HINT}`,
    );
  });

  it('compares numerically, not as text', () => {
    expect(nodeVersionProblem('22.9.0', '>=22.18', 'node')).toBeDefined();
    expect(nodeVersionProblem('22.100.0', '>=22.18', 'node')).toBeUndefined();
  });

  it('says so when engines.node is a range it cannot read, rather than letting any version pass', () => {
    expect(nodeVersionProblem('24.0.0', '^22.18 || >=24', 'node')).toBe(
      'scripts/check-node.cjs reads only engines.node of the form ">=X.Y", got "^22.18 || >=24"',
    );
  });
});

describe('lowestNodeVersion', () => {
  it.each([
    ['>=22.18', '22.18.0'],
    ['>=22.18.1', '22.18.1'],
    ['>= 24', '24.0.0'],
  ])('reads %s as the release %s', (engine, lowest) => {
    expect(lowestNodeVersion(engine)).toBe(lowest);
  });

  it.each(['^22.18 || >=24', '22.18', '*'])('has no answer for %s', (engine) => {
    expect(lowestNodeVersion(engine)).toBeUndefined();
  });
});

describe('scripts/check-node.cjs', () => {
  it("reads package.json's engines.node: the Node.js running these tests passes it, Node.js 20 does not", () => {
    const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(manifest).toMatchObject({ engines: { node: '>=22.18' } });
    expect(nodeVersionProblem(process.versions.node, '>=22.18', process.execPath)).toBeUndefined();
    expect(nodeVersionProblem('20.20.2', '>=22.18', process.execPath)).toContain('needs Node.js 22.18 or later; found Node.js 20.20.2');
  });

  it('names the floor the README states and CI installs (.ci/run reads it with lowestNodeVersion)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('Node.js 22.18 or later');
    expect(lowestNodeVersion('>=22.18')).toBe('22.18.0');
    expect(ci).toContain("lowestNodeVersion(require('./package.json').engines.node)");
  });

  it('passes silently on the Node.js running these tests', () => {
    const run = spawnSync(process.execPath, [SCRIPT.pathname], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
