// Writes schema/client.graphql, the API as plain SDL for client tooling (src/server/client-schema.ts).
// Part of `npm run codegen`; `npm run codegen:check` fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { CLIENT_SCHEMA_FILE, clientSdlFrom } from '../src/server/client-schema.ts';
import { readSchemaSdl } from '../src/server/schema.ts';

writeFileSync(CLIENT_SCHEMA_FILE, clientSdlFrom(readSchemaSdl()));
