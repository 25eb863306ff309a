// Fails when src/__generated__ is not what `npm run codegen` makes from schema/ and codegen.yml.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GENERATED = 'src/__generated__/resolvers-types.ts';
const committed = readFileSync(GENERATED, 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'codegen-check-'));
try {
  // Generate into a scratch copy of the config so the working tree is never touched.
  const config = readFileSync('codegen.yml', 'utf8').replace(GENERATED, join(scratch, 'resolvers-types.ts'));
  const configFile = join(scratch, 'codegen.yml');
  writeFileSync(configFile, config);
  execFileSync(process.execPath, ['node_modules/@graphql-codegen/cli/cjs/bin.js', '--config', configFile, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const fresh = readFileSync(join(scratch, 'resolvers-types.ts'), 'utf8');
  if (fresh !== committed) {
    process.stderr.write(`${GENERATED} is stale: run \`npm run codegen\` and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`${GENERATED} is up to date.\n`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
