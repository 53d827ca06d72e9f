// The app shell: every route renders, deep links load cold, a damaged confirmation link
// offers no decision, unknown paths say so, and axe finds nothing on any of them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const ROUTES = [
  { path: '/', heading: /Cancel subscriptions and refund buyers/, title: /^Home · / },
  { path: '/seller', heading: /^Agreements$/, title: /^Agreements · /, console: true },
  { path: '/seller/attention', heading: /^Needs attention$/, title: /^Needs attention · /, console: true },
  { path: '/seller/fps', heading: /^FPS subscriptions$/, title: /^FPS subscriptions · /, console: true },
  { path: '/seller/support', heading: /^Support cases$/, title: /^Support cases · /, console: true },
  { path: '/seller/events', heading: /^Event log$/, title: /^Event log · /, console: true },
  { path: '/seller/data', heading: /^Data$/, title: /^Data · /, console: true },
  { path: '/seller/agreements/agmt-none', heading: /^Agreement not found$/, title: /^Agreement · /, console: true },
  { path: '/buyer', heading: /^Buyer view$/, title: /^Buyer view · /, buyers: true },
  { path: '/receipt', heading: /^Decision receipt$/, title: /^Decision receipt · /, buyers: true },
  { path: '/confirm/not-a-real-token', heading: /^This link is damaged or altered$/, title: /^Confirm cancellation · /, buyers: true },
  { path: '/no/such/page', heading: /^Page not found$/, title: /^Page not found · / },
];

describe('app shell', () => {
  for (const route of ROUTES) {
    test(`${route.path} loads cold, renders its heading and title, and passes axe at 320 and 1280 px`, async () => {
      for (const width of [320, 1280]) {
        const { page, context } = await app.device({ viewport: { width, height: 800 } });
        await open(page, app.url(route.path));
        assert.match(await page.getByRole('heading', { level: 1 }).textContent(), route.heading);
        assert.match(await page.title(), route.title);
        assert.equal(await page.getByRole('main').count(), 1);
        // The buyer's pages speak to the buyer only: no way into the seller's console.
        assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), route.buyers ? 0 : 1);
        if (route.buyers) assert.equal(await page.getByRole('link', { name: /seller console/i }).count(), 0);
        assert.equal(await page.getByRole('navigation', { name: 'Console sections' }).count(), route.console ? 1 : 0);
        await expectNoAxeViolations(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `nothing wider than the screen at ${width} px (${overflow} px over)`);
        await context.close();
      }
    });
  }

  test('the header navigates between the views without reloading the page', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/'));
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Seller console' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agreements' }).waitFor();
    await nav.getByRole('link', { name: 'Buyer view' }).click();
    await page.getByRole('heading', { level: 1, name: 'Buyer view' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/buyer');
    assert.equal(await page.evaluate(() => window.__sameDocument), true);
    await context.close();
  });

  test('a damaged confirmation link offers no decision', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/confirm/AAAA#BBBB'));
    await page.getByRole('heading', { name: 'This link is damaged or altered' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Reject' }).count(), 0);
    await context.close();
  });

  test('the not-found page links back home', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/agreements/missing'));
    await page.getByRole('main').getByRole('link', { name: 'Go to the home page' }).click();
    await page.getByRole('heading', { level: 1, name: /Cancel subscriptions/ }).waitFor();
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
