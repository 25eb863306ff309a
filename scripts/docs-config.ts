// Writes the configuration table into docs/configuration.md, between its markers (`npm run docs:config`).
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_DOC, withTable } from './configuration-table.ts';

writeFileSync(CONFIGURATION_DOC, withTable(readFileSync(CONFIGURATION_DOC, 'utf8')));
process.stdout.write('docs/configuration.md: the configuration table is written from src/config/schema.ts\n');
