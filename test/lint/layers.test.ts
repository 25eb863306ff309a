// The layering rule (scripts/layers.ts) catches an import that runs up a layer, and lets the
// allowed ones through: checked on code written here, linted as if it sat in each folder.
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { layers } from '../../scripts/layers.ts';

const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layers],
});

/** The messages of the layering rule for `code` placed at `filePath`. */
async function layerProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the layering rule', () => {
  it.each([
    ['src/upstream/read.ts', "import type { GatewayContext } from '../resolvers/context.ts';"],
    ['src/upstream/read.ts', "import { createGateway } from '../server/edge.ts';"],
    ['src/paging/walk.ts', "import { resolvers } from '../resolvers/index.ts';"],
    ['src/resolvers/query.ts', "import { createContextFactory } from '../server/context.ts';"],
    ['src/errors.ts', "import { readOnePage } from './paging/walk.ts';"],
    ['src/config.ts', "import type { UpstreamHttp } from './upstream/client.ts';"],
    ['src/server/context.ts', "import { createApollo } from './apollo.ts';"],
    ['src/server/apollo.ts', "import { createGateway } from './edge.ts';"],
    ['src/server/limits.ts', "import { createGateway } from './edge.ts';"],
    ['src/simulator/server.ts', "import { createPageReads } from '../upstream/read.ts';"],
    ['src/simulator/server.ts', "import { readOnePage } from '../paging/walk.ts';"],
    ['src/lifecycle/mutations.ts', "import type { GatewayContext } from '../resolvers/context.ts';"],
    ['src/upstream/read.ts', "import { scanTasks } from '../lifecycle/tasks.ts';"],
  ])('refuses, in %s: %s', async (filePath, code) => {
    const problems = await layerProblems(filePath, code);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/runs up a layer: .* imports only from the layers below it/);
  });

  it.each([
    ['src/server/edge.ts', "import { createApollo } from './apollo.ts';"],
    ['src/server/apollo.ts', "import type { GatewayContext } from '../resolvers/context.ts';"],
    ['src/resolvers/capture-task-connection.ts', "import { readOnePage } from '../paging/walk.ts';"],
    ['src/paging/walk.ts', "import { UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';"],
    ['src/upstream/read.ts', "import { BudgetExceededError } from '../errors.ts';"],
    ['src/simulator/server.ts', "import { CfwErrorCode } from '../upstream/codes.ts';"],
    ['src/simulator/verify.ts', "import { signatureOf } from '../upstream/signing.ts';"],
    ['src/main.ts', "import { Simulator } from './simulator/server.ts';"],
    ['src/resolvers/mutation.ts', "import { createCaptureTask } from '../lifecycle/mutations.ts';"],
    ['src/lifecycle/tasks.ts', "import { UPSTREAM_MAX_LIMIT } from '../upstream/codes.ts';"],
  ])('allows, in %s: %s', async (filePath, code) => {
    expect(await layerProblems(filePath, code)).toEqual([]);
  });
});
