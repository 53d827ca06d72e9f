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
