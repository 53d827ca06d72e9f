// Nothing a seller or buyer types is ever rendered as markup: every text field of the
// cancellation request, the link built from it, the buyer's view of it and the withdrawal
// reason show `<script>` and `<img onerror>` as the characters they are, and no script runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const payload = (field) => `${field} <img src=x onerror="window.__pwned='${field}'"><script>window.__pwned='${field} script'</script>`;

async function noMarkupRan(page) {
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  assert.equal(await page.locator('main img[src="x"], main script').count(), 0, 'no element was made from typed text');
}

describe('typed text is text', () => {
  test('every field of a request, its link on another device and the withdrawal reason show as typed', async () => {
    const seller = await app.device();
    const { page } = seller;
    await open(page, app.url('/seller'));
    await page.getByLabel('Buyer ID').fill('444455556666');
    // The list takes a typed filter after the key's paint; the address follows it.
    await page.waitForURL(/buyer=444455556666/);
    const row = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: 'Active' }).filter({ hasText: 'None' }).first();
    await row.getByRole('link').click();
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason code').selectOption({ label: 'Another reason' });
    const typed = {
      Reason: payload('reason'),
      'Support case ID': payload('case'),
      "Buyer's request reference": payload('reference'),
      'Intended next step': payload('next'),
      'Additional details': payload('notes'),
    };
    for (const [label, text] of Object.entries(typed)) await page.getByLabel(label, { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();
    const theCase = page.getByRole('region', { name: 'The case' });
    await theCase.getByText(typed.Reason, { exact: true }).waitFor();
    await noMarkupRan(page);

    const link = await page.getByRole('textbox', { name: 'Confirmation link' }).inputValue();
    const buyer = await app.device();
    await open(buyer.page, link);
    await buyer.page.getByText(typed.Reason, { exact: true }).waitFor();
    const details = await buyer.page.locator('dd').filter({ hasText: 'Support case:' }).textContent();
    for (const field of ['case', 'reference', 'next']) assert.ok(details.includes(payload(field)), `${field} shown as typed`);
    assert.ok(!details.includes(payload('notes')), 'coordination notes are not for the buyer');
    await noMarkupRan(buyer.page);

    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByLabel('Reason for withdrawing').fill(payload('withdrawal'));
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await theCase.getByText(payload('withdrawal'), { exact: true }).waitFor();
    await noMarkupRan(page);
    await seller.context.close();
    await buyer.context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
