// The rules that tie variables together, checked on the values as read. They run even when some
// variables were refused, so they add to the per-variable problems and never hide behind them: a
// refused variable counts as set (it was given) and as none of the values it could have had.
import { callersCanAuthenticate } from './facts.ts';
import type { Parsed } from './schema.ts';

/** What the cross-variable rules find wrong, each as one line naming the variables. */
export function crossVariableProblems(v: Parsed): string[] {
  const problems: string[] = [];
  const production = v.NODE_ENV === 'production';
  const endpointSet = v.CFW_ENDPOINT !== undefined;
  if (!endpointSet && production) {
    problems.push("CFW_ENDPOINT is required when NODE_ENV=production (without it the gateway would serve the embedded simulator's made-up data)");
  }
  if (v.CFW_AUTH_MODE === 'aksk') {
    if (v.CLOUD_SDK_AK === undefined) problems.push('CLOUD_SDK_AK is required when CFW_AUTH_MODE=aksk');
    if (v.CLOUD_SDK_SK === undefined) problems.push('CLOUD_SDK_SK is required when CFW_AUTH_MODE=aksk');
    if (!endpointSet) problems.push('CFW_ENDPOINT is required when CFW_AUTH_MODE=aksk (the embedded simulator takes tokens)');
    if (!callersCanAuthenticate(v) && v.ALLOW_ANONYMOUS !== true) {
      problems.push(
        "CFW_AUTH_MODE=aksk calls CFW with the gateway's own keys, so callers must authenticate to the gateway: set INBOUND_API_KEYS_SHA256, INBOUND_JWT_JWKS_URL or INBOUND_JWT_PUBLIC_KEY, or ALLOW_ANONYMOUS=true on purpose",
      );
    }
  }
  if (endpointSet && v.CFW_PROJECT_ID === undefined) {
    problems.push('CFW_PROJECT_ID is required when CFW_ENDPOINT is set (the project id in the API path)');
  }
  const explorer = v.EXPLORER === 'sandbox' || v.EXPLORER === 'graphiql' ? v.EXPLORER : undefined;
  if (explorer !== undefined && production && v.INTROSPECTION !== true) {
    problems.push(`EXPLORER=${explorer} needs INTROSPECTION=true when NODE_ENV=production (an explorer reads the schema by introspection)`);
  }
  const persistedDocuments = v.PERSISTED_DOCUMENTS !== undefined;
  if (explorer !== undefined && persistedDocuments) {
    problems.push(
      `EXPLORER=${explorer} cannot work with PERSISTED_DOCUMENTS set (an explorer sends its own queries, which only trusted documents may be): set EXPLORER=off or unset PERSISTED_DOCUMENTS`,
    );
  }
  if (!persistedDocuments && v.PERSISTED_DOCUMENTS_ALLOW_TEXT === true) {
    problems.push('PERSISTED_DOCUMENTS_ALLOW_TEXT=true needs PERSISTED_DOCUMENTS (the manifest whose texts it allows)');
  }
  const rate = v.CALLER_RATE_LIMIT_PER_SECOND;
  if (v.CALLER_RATE_LIMIT_BURST !== undefined && !(typeof rate === 'number' && rate > 0)) {
    problems.push('CALLER_RATE_LIMIT_BURST needs CALLER_RATE_LIMIT_PER_SECOND (the rate its bucket refills at) set above 0');
  }
  return problems;
}
