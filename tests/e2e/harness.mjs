// What every end-to-end test shares: the built app served locally, Debian's Chromium
// driven by playwright-core, one browser context per device, and the accessibility check.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer } from './server.mjs';

export const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

// Without the background-networking flags Chromium keeps dialling hosts this closed
// network refuses; --no-sandbox because CI runs as root.
export const CHROMIUM_ARGS = [
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

/**
 * Every Content-Security-Policy violation a page of a test reported, as the page's
 * `securitypolicyviolation` events and the console's errors name them. Each test under
 * Node's test runner fails on those of its own time; the scripts that borrow the harness
 * (screenshot.mjs, bench.mjs) are no tests, and report nothing.
 */
export const cspViolations = [];
if (process.env.NODE_TEST_CONTEXT !== undefined || /\.test\.mjs$/.test(process.argv[1] ?? '')) {
  afterEach(() => {
    const seen = cspViolations.splice(0);
    assert.deepEqual(seen, [], 'the pages reported Content-Security-Policy violations');
  });
}

// Runs in every page before its own scripts: each violation is handed to the test.
function reportViolations() {
  addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
  });
}

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
      await context.exposeBinding('__cspViolation', ({ page }, what) => cspViolations.push(`${page.url()}: ${what}`));
      await context.addInitScript(reportViolations);
      // Every page of the context: a test may open more tabs than the first.
      context.on('page', (page) => {
        page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() !== 'error') return;
          errors.push(`${page.url()}: ${message.text()}`);
          if (message.text().includes('Content Security Policy')) cspViolations.push(`${page.url()}: ${message.text()}`);
        });
      });
      const page = await context.newPage();
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

/**
 * A seller's device (a new browser context) on the page of a demo agreement whose request
 * waits for the buyer, with that request's confirmation link.
 */
export async function sellerWithPendingRequest(app, options = {}) {
  const device = await app.device(options);
  const { page } = device;
  await open(page, app.url('/seller'));
  await page.getByLabel('Status').selectOption({ label: 'Active' });
  const row = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: 'Pending approval' }).first();
  const id = (await row.getByRole('link').textContent()).trim();
  await row.getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
  const link = await page.getByRole('textbox', { name: 'Confirmation link' }).inputValue();
  return { ...device, id, link };
}

/**
 * Every axe rule on the page as it is. The app has no frames, so axe runs in the page
 * itself ("legacy mode"): by default it also opened a blank page of its own to gather the
 * frames' results, which was half of each check's time, about 0.4 s of a core.
 */
export async function expectNoAxeViolations(page) {
  assert.equal(await page.locator('iframe, frame').count(), 0, 'axe here checks pages without frames');
  const results = await new AxeBuilder({ page }).setLegacyMode().analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  assert.deepEqual(summary, [], `accessibility violations on ${page.url()}`);
}

const DICTIONARY = readFileSync(new URL('../../storage/src/format2-dictionary.json', import.meta.url));

/**
 * A stored record as `{format, version, data}`, read without the app's own code, so that
 * the tests also hold the stored format to its description: format 2 packs the record's
 * JSON as raw deflate primed with the dictionary, 15 bits to a character from U+4E00,
 * ending in a 1 bit and zeros.
 */
export function readStored(text) {
  const envelope = JSON.parse(text);
  if (envelope.format === 1) return envelope;
  let bits = '';
  for (const c of envelope.packed) bits += (c.codePointAt(0) - 0x4e00).toString(2).padStart(15, '0');
  bits = bits.slice(0, bits.lastIndexOf('1'));
  const bytes = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const json = inflateRawSync(bytes, { dictionary: DICTIONARY }).toString('utf8');
  return { format: envelope.format, version: envelope.version, data: JSON.parse(json) };
}

/** The data of every stored record whose key starts with `prefix`, by key. */
export async function storedRecords(page, prefix) {
  const entries = await page.evaluate(
    (p) => Object.keys(localStorage).filter((k) => k.startsWith(p)).map((k) => [k, localStorage.getItem(k)]),
    prefix,
  );
  return Object.fromEntries(entries.map(([k, text]) => [k, readStored(text).data]));
}

/** The data of one stored record. */
export async function storedRecord(page, key) {
  return readStored(await page.evaluate((k) => localStorage.getItem(k), key)).data;
}

/**
 * The data of one stored record once `ready` holds of it: what the clock moves is written
 * after the page shows it, in batches between frames. The last read is returned either way,
 * for the assertion to name what it found.
 */
export async function storedOnce(page, key, ready) {
  let record = await storedRecord(page, key);
  for (let i = 0; i < 50 && !ready(record); i++) {
    await page.waitForTimeout(100);
    record = await storedRecord(page, key);
  }
  return record;
}

/** The path of every script, wasm and stylesheet a page fetched while `action` ran, in order. */
export async function fetchedDuring(page, action) {
  const urls = [];
  const listen = (request) => urls.push(new URL(request.url()).pathname);
  page.on('request', listen);
  await action();
  page.off('request', listen);
  return urls.filter((u) => /\.(wasm|js|css)$/.test(u));
}
