// The only reader of process.env. Every variable is read at start (config/schema.ts), every problem
// is reported at once with the variable's name, what it expects and what it got (unless that could
// be a secret), the rules between variables are checked on the values read (config/rules.ts), and
// the result, with the facts it implies (config/facts.ts), is frozen.
import { configFrom, type Config } from './config/facts.ts';
import { crossVariableProblems } from './config/rules.ts';
import { allRead, RENAMED, variablesSchema } from './config/schema.ts';
import { Refused } from './config/variables.ts';

export type { Config } from './config/facts.ts';
export { DEFAULT_MAX_RESPONSE_BYTES } from './config/schema.ts';
export { mayBeSecret } from './config/variables.ts';

type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A variable as given, with blank meaning unset. */
function given(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The environment with each old name read as its new one, the name each variable was set under, and what to say about it. */
function withCurrentNames(env: Environment): {
  env: Record<string, string | undefined>;
  names: Map<string, string>;
  problems: string[];
  deprecations: string[];
} {
  const current: Record<string, string | undefined> = { ...env };
  const names = new Map<string, string>();
  const problems: string[] = [];
  const deprecations: string[] = [];
  for (const [name, old] of Object.entries(RENAMED)) {
    if (given(env, old) === undefined) continue;
    if (given(env, name) !== undefined) {
      problems.push(`${old} is the old name of ${name}: set only ${name}`);
      continue;
    }
    current[name] = env[old];
    names.set(name, old);
    deprecations.push(`${old} is deprecated: rename it to ${name} (same meaning and values)`);
  }
  return { env: current, names, problems, deprecations };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Parses the environment into a frozen Config, or throws a ConfigError listing every problem. */
export function loadConfig(env: Environment = process.env): Config {
  const renamed = withCurrentNames(env);
  const parsed = variablesSchema.parse(renamed.env);
  const refused = Object.entries(parsed).flatMap(([name, value]) => (value instanceof Refused ? [`${renamed.names.get(name) ?? name} ${value.problem}`] : []));
  const problems = [...refused, ...renamed.problems, ...crossVariableProblems(parsed)];
  if (problems.length > 0 || !allRead(parsed)) throw new ConfigError(problems);
  return deepFreeze(configFrom(parsed));
}

/** Warnings for the start-up log: variables set under an old name. */
export function configDeprecations(env: Environment = process.env): readonly string[] {
  return withCurrentNames(env).deprecations;
}

const REDACTED = '[redacted]';

/** The config with every secret replaced, for --print-config and logs. */
export function redactedConfig(config: Config): unknown {
  return {
    ...config,
    auth:
      config.auth.mode === 'aksk'
        ? {
            mode: 'aksk',
            serviceKeys: {
              accessKey: REDACTED,
              secretKey: REDACTED,
              securityToken: config.auth.serviceKeys.securityToken === undefined ? undefined : REDACTED,
            },
          }
        : config.auth,
    inbound: {
      ...config.inbound,
      apiKeySha256: config.inbound.apiKeySha256.map(() => REDACTED),
      writeApiKeySha256: config.inbound.writeApiKeySha256.map(() => REDACTED),
    },
    cache: { ...config.cache, redisUrl: config.cache.redisUrl === undefined ? undefined : redactUrl(config.cache.redisUrl) },
  };
}

/** A URL with its password (and user) hidden, as `[redacted]` (which the URL's own setters would percent-encode). */
function redactUrl(href: string): string {
  const url = new URL(href);
  if (url.username === '' && url.password === '') return url.href;
  const userinfo = `${url.username === '' ? '' : REDACTED}${url.password === '' ? '' : `:${REDACTED}`}`;
  url.username = '';
  url.password = '';
  return url.href.replace(`${url.protocol}//`, `${url.protocol}//${userinfo}@`);
}
