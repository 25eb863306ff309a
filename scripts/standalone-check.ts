// Fails when a file under src/, test/, scripts/ or bench/ refers to the team's shared folder (the
// `shared` beside the repository, or its absolute path): a user's clone has nothing beside it, so
// what the code needs from there is copied into test/fixtures/ (see its README).
// Usage: node scripts/standalone-check.ts [repository root, default: the current folder]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const DIRECTORIES = ['src', 'test', 'scripts', 'bench'];
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', '.git']);
// Spelt so that this file does not match itself.
const OUTSIDE = new RegExp(String.raw`(?:\.\.|/work)/shared\b`);

function* filesUnder(directory: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

const root = process.argv[2] ?? '.';
const found: string[] = [];
for (const directory of DIRECTORIES) {
  for (const file of filesUnder(join(root, directory))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (OUTSIDE.test(line)) found.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
    });
  }
}
if (found.length > 0) {
  process.stderr.write(
    `${found.join('\n')}\n${found.length} reference(s) to the shared folder outside the repository: a clone has nothing beside it. ` +
      'Copy what is needed into test/fixtures/ (say where it came from in test/fixtures/README.md) and refer to the copy.\n',
  );
  process.exit(1);
}
process.stdout.write(`Nothing under ${DIRECTORIES.join('/, ')}/ refers to the shared folder outside the repository.\n`);
