// The layering rule: modules import only downward,
//   server (edge → apollo → context) → resolvers → lifecycle → paging → upstream → base (config and config/, errors, logger, …),
// and the simulator shares only the wire format, the code tables and the signing algorithm with
// upstream. Each folder gets a `no-restricted-imports` list of what lies above it; type-only
// imports count too. eslint.config.js applies it; test/lint/layers.test.ts shows it catching a
// violation.
import type { Linter } from 'eslint';

const BASE = 'src/{config,errors,logger,tracing,bounded-cache}.ts';

/** One layer: the files it covers and the import paths (relative to those files) they may not use. */
const layer = (name: string, files: string[], forbidden: string[], ignores: string[] = []): Linter.Config => ({
  name: `layers/${name}`,
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: forbidden, message: `runs up a layer: ${name} imports only from the layers below it (docs/architecture.md).` }] },
    ],
  },
});

export const layers: Linter.Config[] = [
  layer(
    'base',
    [BASE, 'src/config/**/*.ts', 'src/cache/**/*.ts'],
    ['**/server/*', '**/resolvers/*', '**/lifecycle/*', '**/paging/*', '**/upstream/*', '**/simulator/*', '**/main.ts', '**/__generated__/*'],
  ),
  layer(
    'upstream',
    ['src/upstream/**/*.ts'],
    ['../server/*', '../resolvers/*', '../lifecycle/*', '../paging/*', '../simulator/*', '../main.ts', '../__generated__/*'],
  ),
  layer('paging', ['src/paging/**/*.ts'], ['../server/*', '../resolvers/*', '../lifecycle/*', '../simulator/*', '../main.ts', '../__generated__/*']),
  // The capture lifecycle's pure checks and its mutations over injected LifecycleDeps: below the resolvers.
  layer('lifecycle', ['src/lifecycle/**/*.ts'], ['../server/*', '../resolvers/*', '../simulator/*', '../main.ts', '../__generated__/*']),
  // Live capture status: the pollers and subscribers' streams, over the upstream read; below the resolvers.
  layer('live', ['src/live/**/*.ts'], ['../server/*', '../resolvers/*', '../simulator/*', '../main.ts', '../__generated__/*']),
  layer('resolvers', ['src/resolvers/**/*.ts'], ['../server/*', '../simulator/*', '../main.ts']),
  layer('server/context', ['src/server/**/*.ts'], ['./edge.ts', './apollo.ts', '../simulator/*', '../main.ts'], ['src/server/edge.ts', 'src/server/apollo.ts']),
  layer('server/apollo', ['src/server/apollo.ts'], ['./edge.ts', '../simulator/*', '../main.ts']),
  layer('server/edge', ['src/server/edge.ts'], ['../simulator/*', '../main.ts']),
  layer(
    'simulator',
    ['src/simulator/**/*.ts'],
    [
      '../server/*',
      '../resolvers/*',
      '../lifecycle/*',
      '../paging/*',
      '../main.ts',
      '../__generated__/*',
      '../upstream/*',
      '!../upstream/codes.ts',
      '!../upstream/wire.ts',
      '!../upstream/signing.ts',
    ],
  ),
];
