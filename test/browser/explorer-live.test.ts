// The offline explorer runs a subscription in Chromium: GraphiQL's fetcher opens a WebSocket at the
// GraphQL URL (graphql-transport-ws, the header editor's token in connection_init) and shows each
// event of a capture as it runs and stops. Needs Chromium as explorer.test.ts does.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { isCi } from '../helpers/ci.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../helpers/chromium.ts';
import { EMPTY_FIREWALL, STOP } from '../helpers/lifecycle.ts';
import { withLive } from '../helpers/live.ts';

/** Sets a GraphiQL editor's text the way typing does: through its CodeMirror. */
const SET_EDITOR = (element: unknown, value: string) => {
  const isEditor = (candidate: unknown): candidate is { setValue(text: string): void } =>
    typeof candidate === 'object' && candidate !== null && 'setValue' in candidate && typeof candidate.setValue === 'function';
  const editor = typeof element === 'object' && element !== null && 'CodeMirror' in element ? element.CodeMirror : undefined;
  if (isEditor(editor)) editor.setValue(value);
};

/** Page script: sets the query editor's text and presses the run button in the same turn of the page's event loop. */
const pasteAndRun = (query: string) =>
  `(() => { document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify(query)}); document.querySelector('.graphiql-execute-button').click(); })()`;

if (!existsSync(CHROMIUM)) {
  describe(`without Chromium at ${CHROMIUM}`, () => {
    it('passes outside CI only', () => {
      expect(isCi(process.env['CI'])).toBe(false);
    });
  });
} else
  describe(`GraphiQL subscription in Chromium (${CHROMIUM})`, () => {
    it('shows a capture’s events as it runs and stops', async () => {
      await withLive({ env: { EXPLORER: 'graphiql' }, fallbackToken: DEMO_TOKEN }, async (harness) => {
        const id = await harness.startCapture({ durationMinutes: 30 });
        const profile = mkdtempSync(path.join(tmpdir(), 'capture-gateway-chromium-'));
        const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS] });
        try {
          const page = context.pages()[0] ?? (await context.newPage());
          const pageErrors: string[] = [];
          page.on('pageerror', (error) => pageErrors.push(error.message));
          await page.goto(harness.url);
          await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
          await page
            .locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')
            .evaluate(SET_EDITOR, JSON.stringify({ 'X-Auth-Token': DEMO_TOKEN }));
          await page.locator('.graphiql-editor-tool', { hasText: DEMO_TOKEN }).waitFor({ timeout: 30_000 });
          // The subscription is pasted and run at once, before GraphiQL's editor has parsed it (a
          // 100 ms debounce): the explorer must still subscribe, under the pasted operation's name.
          await page.evaluate(pasteAndRun(`subscription Watch { captureTaskChanged(fwInstanceId: "${EMPTY_FIREWALL}", id: "${id}") { id status } }`));
          await page
            .locator('.result-window', { hasText: '"RUNNING"' })
            .waitFor({ timeout: 60_000 })
            .catch(async (error: unknown) => {
              throw new Error(`no RUNNING in the result pane, which shows: ${(await page.locator('.result-window').textContent()) ?? ''}`, { cause: error });
            });
          expect((await harness.gql(STOP, { input: { fwInstanceId: EMPTY_FIREWALL, id } })).body.errors).toBeUndefined();
          await harness.step(1_000);
          await harness.step(10_000);
          await page.locator('.result-window', { hasText: '"STOPPED"' }).waitFor({ timeout: 60_000 });
          expect(await page.locator('.result-window').textContent()).toContain(id);
          expect(pageErrors).toEqual([]);
        } finally {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        }
      });
    }, 180_000);
  });
