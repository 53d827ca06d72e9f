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
  { path: '/seller', heading: /^Seller console$/, title: /^Seller console · / },
  { path: '/buyer', heading: /^Buyer view$/, title: /^Buyer view · / },
  { path: '/confirm/not-a-real-token', heading: /^This link is damaged or altered$/, title: /^Confirm cancellation · /, buyers: true },
  { path: '/no/such/page', heading: /^Page not found$/, title: /^Page not found · / },
];

describe('app shell', () => {
  for (const route of ROUTES) {
    test(`${route.path} loads cold, renders its heading and title, and passes axe`, async () => {
      const { page, context } = await app.device();
      await open(page, app.url(route.path));
      assert.match(await page.getByRole('heading', { level: 1 }).textContent(), route.heading);
      assert.match(await page.title(), route.title);
      assert.equal(await page.getByRole('main').count(), 1);
      // The buyer's page speaks to the buyer only: no way into the seller's console.
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), route.buyers ? 0 : 1);
      if (route.buyers) assert.equal(await page.getByRole('link', { name: /seller console/i }).count(), 0);
      await expectNoAxeViolations(page);
      await context.close();
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
    await page.getByRole('heading', { level: 1, name: 'Seller console' }).waitFor();
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
