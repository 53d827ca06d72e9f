// What every end-to-end test shares: the built app served locally, Debian's Chromium
// driven by playwright-core, one browser context per device, and the accessibility check.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer } from './server.mjs';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

// Without the background-networking flags Chromium keeps dialling hosts this closed
// network refuses; --no-sandbox because CI runs as root.
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function startApp() {
  const server = await startServer(DIST);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const errors = [];
  return {
    url: (path) => server.url + path,
    errors,
    // A device is a browser context: its own localStorage, like a separate phone or laptop.
    async device(options = {}) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
      });
      return { context, page };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Opens a path and waits until the app has rendered its first heading. */
export async function open(page, url) {
  await page.goto(url);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

export async function expectNoAxeViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  assert.deepEqual(summary, [], `accessibility violations on ${page.url()}`);
}
