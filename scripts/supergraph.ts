// Prints the supergraph SDL composed from this subgraph, the example `firewalls` subgraph
// (schema/examples/firewalls.graphql) and any further subgraph SDL files given as arguments, each
// named after its file. Hints go to stderr; composition errors go to stderr and exit 1.
//   npm run supergraph -- [--captures-url URL] [--firewalls-url URL] [other.graphql ...]
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';
import { SCHEMA_FILE } from '../src/server/schema.ts';

const FIREWALLS_SDL_FILE = new URL('../schema/examples/firewalls.graphql', import.meta.url);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function readSdl(file: string | URL): DocumentNode {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return fail(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const { values, positionals } = parseArgs({
  options: {
    'captures-url': { type: 'string', default: 'http://localhost:4000/graphql' },
    'firewalls-url': { type: 'string', default: 'http://localhost:4001/graphql' },
  },
  allowPositionals: true,
});

const result = composeServices([
  { name: 'captures', url: values['captures-url'], typeDefs: readSdl(SCHEMA_FILE) },
  { name: 'firewalls', url: values['firewalls-url'], typeDefs: readSdl(FIREWALLS_SDL_FILE) },
  ...positionals.map((file) => ({ name: basename(file, extname(file)), typeDefs: readSdl(file) })),
]);
if (result.errors !== undefined) {
  const lines = result.errors.map((error) => {
    const code = error.extensions['code'];
    return typeof code === 'string' ? `[${code}] ${error.message}` : error.message;
  });
  fail(`${lines.join('\n')}\ncomposition failed with ${result.errors.length} error(s)`);
}
for (const hint of result.hints) process.stderr.write(`hint: ${hint.toString()}\n`);
process.stdout.write(`${result.supergraphSdl}\n`);
