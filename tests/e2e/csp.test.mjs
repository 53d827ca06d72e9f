// The Content-Security-Policy of the built pages: each carries it as a <meta> whose script
// hashes are those of its own inline scripts, the buyer's page of its own downloads its
// wasm once, from its head's preload, and no page of the app reports a violation (the
// harness fails every end-to-end test on one; here, the harness is shown to catch one).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { cspViolations, DIST, open, sellerWithPendingRequest, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const PAGES = ['index.html', 'confirm/index.html'];

/** The page's policy, directive by directive, from the first <meta> after its charset. */
function policyOf(html) {
  const head = html.match(/<head>\s*<meta charset="utf-8"\s*\/?>\s*<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(head, 'the policy is the first thing after the charset, before any script or link');
  return Object.fromEntries(head[1].split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

/** Both spellings of one confirmation link: `/confirm/#<token>.<secret>` and `/confirm/<token>#<secret>`. */
function linkForms(link) {
  const url = new URL(link);
  const [token, secret] = url.pathname === '/confirm/' ? url.hash.slice(1).split('.') : [url.pathname.slice('/confirm/'.length), url.hash.slice(1)];
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.match(secret, /^[A-Za-z0-9_-]+$/);
  return { fragment: `${url.origin}/confirm/#${token}.${secret}`, path: `${url.origin}/confirm/${token}#${secret}` };
}

describe('Content-Security-Policy', () => {
  for (const name of PAGES) {
    test(`${name} carries the policy, and it allows its inline scripts by their hashes and nothing else`, () => {
      const html = readFileSync(join(DIST, name), 'utf8');
      const policy = policyOf(html);
      const inline = [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g)].filter(([, attributes]) => !/\ssrc=/.test(attributes ?? ''));
      assert.equal(inline.length, 1, 'one inline script: the loader');
      const hashes = inline.map(([, , text]) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`);
      assert.deepEqual(policy, {
        'default-src': ["'none'"],
        'script-src': ["'self'", ...hashes, "'wasm-unsafe-eval'"],
        'style-src': ["'self'"],
        'img-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
      });
      assert.doesNotMatch(html, /\sstyle=/, 'no inline style attribute');
      assert.doesNotMatch(html, /<style/, 'no inline style element');
      // Hosts that serve precompressed files serve these, so they are the same page.
      assert.equal(gunzipSync(readFileSync(join(DIST, `${name}.gz`))).toString(), html);
      assert.equal(brotliDecompressSync(readFileSync(join(DIST, `${name}.br`))).toString(), html);
    });
  }

  test("the buyer's page of its own preloads the buyer's bundle and loads nothing of the workbench", () => {
    const html = readFileSync(join(DIST, 'confirm', 'index.html'), 'utf8');
    assert.match(html, /<link rel="modulepreload" href="\/workbench-link\.js"/);
    assert.match(html, /<link rel="preload" as="fetch" type="application\/wasm" crossorigin href="\/workbench-link_bg\.wasm"/);
    assert.doesNotMatch(html, /cancellation-workbench/);
  });

  test('a script put into a page is refused and reported as a violation', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/'));
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__ran = true';
      document.body.append(script);
    });
    // Both reports of it, the page's event and the console's error, then no more.
    for (let waited = 0; cspViolations.length < 2 && waited < 5_000; waited += 50) await page.waitForTimeout(50);
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    await context.close();
    const caught = cspViolations.splice(0);
    assert.ok(caught.some((v) => v.includes('script-src-elem blocked inline')), caught.join('\n'));
    assert.ok(caught.some((v) => v.includes('Content Security Policy')), caught.join('\n'));
    // The console's report of the same refusal is no error of the app's.
    app.errors.splice(0);
  });

  test('the new link form, `/confirm/#<token>.<secret>`, is the page of its own: its wasm downloads once, and the buyer can decide', async () => {
    const seller = await sellerWithPendingRequest(app);
    const buyer = await app.device();
    const requested = [];
    buyer.page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    const link = linkForms(seller.link).fragment;
    await open(buyer.page, link);
    await buyer.page.getByRole('heading', { level: 1, name: /asks to cancel/ }).waitFor();
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    const wasm = requested.filter((p) => p.endsWith('.wasm'));
    assert.deepEqual(wasm, ['/workbench-link_bg.wasm'], requested.join(', '));
    assert.equal(requested[0], '/confirm/');
    const entries = await buyer.page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => e.name));
    assert.equal(entries.length, 1, entries.join(', '));
    // The document was the page of its own, not index.html through the fallback.
    assert.equal(await buyer.page.evaluate(() => document.querySelector('link[rel="modulepreload"]')?.getAttribute('href')), '/workbench-link.js');
    await seller.context.close();
    await buyer.context.close();
  });

  test('a link handed out before, `/confirm/<token>#<secret>`, still opens the buyer\'s page', async () => {
    const seller = await sellerWithPendingRequest(app);
    const buyer = await app.device();
    await open(buyer.page, linkForms(seller.link).path);
    await buyer.page.getByRole('heading', { level: 1, name: /asks to cancel/ }).waitFor();
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('every console section, an agreement with its QR code, the buyer view and a receipt link report no violation', async () => {
    const seller = await sellerWithPendingRequest(app);
    // The agreement's page shows the link's QR code, an SVG put in as markup.
    await seller.page.getByRole('img', { name: /QR code/ }).waitFor();
    for (const path of ['/', '/seller/attention', '/seller/fps', '/seller/support', '/seller/events', '/seller/data', '/buyer', '/no/such/page']) {
      await open(seller.page, app.url(path));
    }
    const buyer = await app.device();
    await open(buyer.page, seller.link);
    await buyer.page.getByRole('button', { name: 'Approve' }).click();
    await buyer.page.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
    const receiptLink = await buyer.page.getByRole('textbox', { name: 'Receipt link' }).inputValue();
    await open(seller.page, receiptLink);
    await seller.page.getByText(/Receipt applied\./).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
