// Fails when any generated file is not what `npm run codegen` makes from schema/ and the documents:
// the client SDL (schema/client.graphql), GraphQL Code Generator's outputs (codegen.yml) and
// relay-compiler's artifacts (relay.config.json). Nothing in the working tree is written.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { CLIENT_SCHEMA_FILE, clientSdlFrom } from '../src/server/client-schema.ts';
import { readSchemaSdl } from '../src/server/schema.ts';

const stale: string[] = [];

const clientSchemaPath = fileURLToPath(CLIENT_SCHEMA_FILE);
if (!existsSync(clientSchemaPath) || readFileSync(clientSchemaPath, 'utf8') !== clientSdlFrom(readSchemaSdl())) stale.push('schema/client.graphql');

const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
interface FileOutput {
  readonly filename: string;
  readonly content: string;
}
const isFileOutput = (value: unknown): value is FileOutput =>
  typeof value === 'object' &&
  value !== null &&
  'filename' in value &&
  typeof value.filename === 'string' &&
  'content' in value &&
  typeof value.content === 'string';
const generated: unknown = await generate({ ...config, cwd: process.cwd(), silent: true }, false);
if (!Array.isArray(generated) || !generated.every(isFileOutput)) throw new Error('GraphQL Code Generator returned no list of files');
const outputs: readonly FileOutput[] = generated;
for (const output of outputs) {
  if (!existsSync(output.filename) || readFileSync(output.filename, 'utf8') !== output.content) stale.push(output.filename);
}

try {
  execFileSync(process.execPath, ['node_modules/relay-compiler/cli.js', '--validate'], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch {
  stale.push('relay-compiler artifacts (test/clients/relay/__generated__)');
}

if (stale.length > 0) {
  process.stderr.write(`Stale generated files: ${stale.join(', ')}. Run \`npm run codegen\` and commit the result.\n`);
  process.exit(1);
}
process.stdout.write(
  `Generated files are up to date: schema/client.graphql, ${outputs.map((output) => output.filename).join(', ')}, relay-compiler artifacts.\n`,
);
