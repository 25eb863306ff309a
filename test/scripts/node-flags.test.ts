// scripts/node-flags.ts: the gateway's V8 settings, read from package.json's start script.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startScriptNodeFlags } from '../../scripts/node-flags.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function withStart(start: string | undefined): string {
  const folder = mkdtempSync(join(tmpdir(), 'node-flags-'));
  folders.push(folder);
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ scripts: start === undefined ? {} : { start } }));
  return folder;
}

describe('startScriptNodeFlags', () => {
  it('reads the flags between node and src/main.ts, none when there are none', () => {
    expect(startScriptNodeFlags(withStart('exec node --max-semi-space-size=16 --stack-size=2000 src/main.ts'))).toEqual([
      '--max-semi-space-size=16',
      '--stack-size=2000',
    ]);
    expect(startScriptNodeFlags(withStart('exec node src/main.ts'))).toEqual([]);
  });

  it('refuses a start script that does not start src/main.ts with node', () => {
    expect(() => startScriptNodeFlags(withStart('tsx src/main.ts'))).toThrow(
      "package.json's start script is not `node [--flags] src/main.ts`: tsx src/main.ts",
    );
    expect(() => startScriptNodeFlags(withStart(undefined))).toThrow('start script');
  });
});
