// The offline explorer in a real browser: Debian's Chromium, driven by playwright-core (which never
// downloads a browser), loads GraphiQL from a gateway on loopback over the simulator, with every
// request to any other host blocked and recorded, runs the banner query and reads the result pane.
// .ci/run installs Chromium. Without it, outside CI this suite prints one line and passes; under
// CI (set to anything but empty, false or 0, as for the Redis suite) it fails, so CI always runs the browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { exampleQueryFor } from '../../src/server/explorer.ts';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS } from '../../src/simulator/store.ts';
import { isCi } from '../helpers/ci.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../helpers/chromium.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const installed = existsSync(CHROMIUM);

if (!installed) {
  process.stderr.write(`browser test not run: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH; .ci/run installs it)\n`);
  describe(`without Chromium at ${CHROMIUM}`, () => {
    it('passes outside CI only', () => {
      expect(isCi(process.env['CI'])).toBe(false);
    });
  });
} else
  describe(`GraphiQL in Chromium (${CHROMIUM}), offline`, () => {
    let harness: Harness;
    let profile: string;
    let context: BrowserContext;
    let page: Page;
    /** Every request the page made, and those to a host other than loopback (blocked). */
    const requests: string[] = [];
    const blocked: string[] = [];
    const violations: string[] = [];
    const pageErrors: string[] = [];
    const started = performance.now();

    beforeAll(async () => {
      harness = await startHarness({ env: { EXPLORER: 'graphiql' }, fallbackToken: DEMO_TOKEN, exampleQuery: exampleQueryFor(SIMULATOR_FIREWALLS.demo) });
      profile = mkdtempSync(path.join(tmpdir(), 'capture-gateway-chromium-'));
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS] });
      await context.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        requests.push(`${route.request().method()} ${url.href}`);
        if ((url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname)) {
          await route.continue();
          return;
        }
        blocked.push(url.href);
        await route.abort('blockedbyclient');
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.text().startsWith('CSP violation')) violations.push(message.text());
      });
      // Scripts that run in the page are strings: the test's TypeScript has no DOM types.
      await page.addInitScript(
        "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI));",
      );
      await page.goto(harness.url);
      await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    }, 90_000);

    afterAll(async () => {
      await context.close();
      await harness.close();
      rmSync(profile, { recursive: true, force: true });
      process.stderr.write(`browser test: ${Math.round(performance.now() - started)} ms in Chromium ${CHROMIUM}\n`);
    });

    it('opens with the banner query and the token header prefilled', async () => {
      const query = await page.locator('.graphiql-query-editor').textContent();
      expect(query).toContain('query FirstCaptureTasks');
      expect(query).toContain(SIMULATOR_FIREWALLS.demo);
      const headers = await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)').textContent();
      expect(headers).toContain(`"X-Auth-Token": "${DEMO_TOKEN}"`);
    });

    it('runs the banner query and shows the data in the result pane', async () => {
      await page.click('.graphiql-execute-button');
      await page.locator('.result-window', { hasText: '"totalCount"' }).waitFor({ timeout: 30_000 });
      // The whole result, from the pane's CodeMirror (it renders only the visible lines).
      const text = await page.locator('.result-window .CodeMirror').evaluate((element: unknown) => {
        const isEditor = (value: unknown): value is { getValue(): string } =>
          typeof value === 'object' && value !== null && 'getValue' in value && typeof value.getValue === 'function';
        const editor = typeof element === 'object' && element !== null && 'CodeMirror' in element ? element.CodeMirror : undefined;
        return isEditor(editor) ? editor.getValue() : '';
      });
      const result = JSON.parse(text) as {
        data?: { captureTasks: { totalCount: number; edges: { node: { name: string; status: string } }[] } };
        errors?: unknown;
      };
      expect(result.errors).toBeUndefined();
      expect(result.data?.captureTasks.totalCount).toBe(57);
      expect(result.data?.captureTasks.edges).toHaveLength(5);
      expect(result.data?.captureTasks.edges[0]?.node.name).toBe('capture-0000');
      expect(await page.locator('.result-window').textContent()).toContain('"totalCount": 57');
    });

    it('keeps a token typed into the header editor out of localStorage, history included', async () => {
      const token = `typed-token-${process.pid}`;
      // Type a header the way a user does: into the header editor's CodeMirror.
      await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').evaluate(
        (element: unknown, value: string) => {
          const isEditor = (candidate: unknown): candidate is { setValue(text: string): void } =>
            typeof candidate === 'object' && candidate !== null && 'setValue' in candidate && typeof candidate.setValue === 'function';
          const editor = typeof element === 'object' && element !== null && 'CodeMirror' in element ? element.CodeMirror : undefined;
          if (isEditor(editor)) editor.setValue(value);
        },
        JSON.stringify({ 'X-Auth-Token': token }),
      );
      await page.click('.graphiql-execute-button');
      await page.locator('.result-window', { hasText: 'UNAUTHENTICATED' }).waitFor({ timeout: 30_000 });
      const stored = await page.evaluate('JSON.stringify(Object.fromEntries(Object.entries(localStorage)))');
      const entries = typeof stored === 'string' ? Object.entries(JSON.parse(stored) as Record<string, string>) : [];
      // The history was written (so the check below looks at what GraphiQL saved)…
      expect(entries.find(([key]) => key === 'graphiql:queries')?.[1]).toContain('FirstCaptureTasks');
      // …and neither the typed token nor the prefilled demo one is in any value.
      expect(entries.filter(([, value]) => value.includes(token) || value.includes(DEMO_TOKEN))).toEqual([]);
    });

    it('loaded everything from the gateway: no request to another host was even attempted', () => {
      const origin = harness.origin;
      expect(requests).toEqual(
        expect.arrayContaining([
          `GET ${harness.url}`,
          expect.stringMatching(new RegExp(`^GET ${origin}/explorer/[0-9a-f]{16}/graphiql\\.min\\.js$`)),
          expect.stringMatching(new RegExp(`^GET ${origin}/explorer/[0-9a-f]{16}/graphiql\\.min\\.css$`)),
          `POST ${harness.url}`,
        ]),
      );
      expect(blocked).toEqual([]);
    });

    it('broke no rule of its content security policy and threw no error', () => {
      expect(violations).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    // The control: the interception sees and stops what an online explorer fetches.
    it("records and blocks Apollo Sandbox, which loads from Apollo's CDN", async () => {
      const sandbox = await startHarness({ env: { EXPLORER: 'sandbox' } });
      const other = await context.newPage();
      try {
        const cdn = other.waitForEvent('requestfailed', {
          predicate: (request) => new URL(request.url()).hostname.endsWith('.apollographql.com'),
          timeout: 20_000,
        });
        await other.goto(sandbox.url);
        const failed = await cdn;
        expect(blocked).toContain(failed.url());
      } finally {
        await other.close();
        await sandbox.close();
      }
    });
  });
