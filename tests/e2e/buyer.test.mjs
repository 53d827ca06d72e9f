// The buyer's own view in the same browser as the seller: pending requests with the time
// left, approve (after a plain warning) or reject with a reason the seller then reads.
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

// Acme Retail has one demo request waiting, from Northwind Analytics.
async function buyerAndSellerTabs() {
  const { page, context } = await app.device();
  await open(page, app.url('/buyer'));
  const request = page.getByRole('article', { name: /^Request for agreement / }).first();
  const agreement = (await request.getAttribute('aria-label')).replace('Request for agreement ', '');
  const seller = await context.newPage();
  await open(seller, app.url(`/seller/agreements/${agreement}`));
  await seller.getByText('Pending approval', { exact: true }).waitFor();
  return { page, context, request, agreement, seller };
}

describe('buyer view', () => {
  test('a buyer of 2,000 agreements sees them, and the requests waiting for them, a page at a time', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    await page.getByLabel('Demo data to load').selectOption('10000');
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    await page.getByRole('button', { name: 'Yes, reset demo data' }).click();
    await page.getByText('The demo data was reset.').waitFor({ timeout: 180_000 });
    await open(page, app.url('/buyer'));

    await page.getByRole('heading', { name: '2000 cancellation requests are waiting for your answer' }).waitFor({ timeout: 30_000 });
    const requests = page.getByRole('article', { name: /^Request for agreement / });
    assert.equal(await requests.count(), 50, 'one page of requests is drawn');
    const waiting = page.getByRole('navigation', { name: 'Pages of requests waiting for you' });
    await waiting.getByText('Page 1 of 40').waitFor();
    const firstRequest = await requests.first().getAttribute('aria-label');
    await waiting.getByRole('button', { name: 'Next page' }).click();
    await waiting.getByText('Page 2 of 40').waitFor();
    assert.notEqual(await requests.first().getAttribute('aria-label'), firstRequest);
    assert.equal(await requests.count(), 50);

    await page.getByRole('heading', { name: 'Your agreements (2000)' }).waitFor();
    const table = page.getByRole('region', { name: 'Your agreements table' });
    assert.equal(await table.getByRole('row').count(), 51, 'a header and one page of agreements');
    const agreements = page.getByRole('navigation', { name: 'Pages of your agreements' });
    await agreements.getByRole('button', { name: 'Next page' }).click();
    await agreements.getByText('Page 2 of 40').waitFor();
    assert.equal(await agreements.getByRole('button', { name: 'Previous page' }).isEnabled(), true);
    await context.close();
  });

  test('shows the waiting request with its time left and passes axe', async () => {
    const { page, context, request } = await buyerAndSellerTabs();
    await page.getByRole('heading', { name: '1 cancellation request is waiting for your answer' }).waitFor();
    assert.match(await request.textContent(), /Approved automatically.*\(in \d+ (hours?|minutes?)/);
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('approving warns first, then cancels the agreement, and the seller tab sees it', async () => {
    const { page, context, request, seller } = await buyerAndSellerTabs();
    await request.getByRole('button', { name: 'Approve' }).click();
    await request.getByText(/Approving cancels agreement .* for good/).waitFor();
    await request.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
    await page.getByRole('heading', { name: 'No cancellation requests are waiting for you' }).waitFor();
    await seller.getByText('Approved', { exact: true }).waitFor();
    await seller.getByText('Cancelled', { exact: true }).waitFor();
    await context.close();
  });

  test('rejecting needs a reason, and the seller reads it', async () => {
    const { context, request, seller } = await buyerAndSellerTabs();
    await request.getByRole('button', { name: 'Reject' }).click();
    await request.getByRole('button', { name: 'Send rejection' }).click();
    await request.getByText('A rejection reason is required.').waitFor();
    await request.getByLabel('Rejection reason').fill('We still need it <img src=x onerror="window.__pwned=1"> for the audit');
    await request.getByRole('button', { name: 'Send rejection' }).click();
    await seller.getByText('Denied', { exact: true }).waitFor();
    await seller.getByText('We still need it <img src=x onerror="window.__pwned=1"> for the audit').waitFor();
    assert.equal(await seller.evaluate(() => window.__pwned), undefined, 'typed text is shown, never run');
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
