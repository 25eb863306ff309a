// The V8 settings the gateway is started with, in one place: package.json's start script
// (`node [--flags] src/main.ts`). The bench starts the gateway with them, and a test checks that the
// Dockerfile's NODE_OPTIONS holds the same.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The flags between `node` and `src/main.ts` in `root`'s package.json start script. */
export function startScriptNodeFlags(root: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = manifest.scripts?.['start'] ?? '';
  const flags = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+src\/main\.ts\b/.exec(start)?.[1];
  if (flags === undefined) throw new Error(`package.json's start script is not \`node [--flags] src/main.ts\`: ${start}`);
  return flags
    .trim()
    .split(/\s+/)
    .filter((flag) => flag !== '');
}
