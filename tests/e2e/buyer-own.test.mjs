// What a buyer does alone in AWS (SPEC §6): cancel by self-service where AWS allows it,
// see each billing adjustment and where its money goes; and the seller's warning before
// refunding what AWS may already have refunded after a free trial.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp, storedOnce, storedRecords } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

async function records(page) {
  return Object.values(await storedRecords(page, 'cw.agreement.'));
}

async function asBuyer(page, account) {
  await open(page, app.url('/buyer'));
  await page.getByLabel('Signed in as buyer').selectOption(account);
  return page.getByRole('region', { name: 'Your agreements table' });
}

describe("The buyer's own cancellation", () => {
  test('a pay-as-you-go agreement is cancelled by its buyer, after saying it refunds nothing; the seller sees who ended it; a private contract says the seller must start', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    const all = await records(page);
    const usage = all.find((r) => r.agreement.pricing === 'Usage' && r.agreement.status === 'ACTIVE' && !r.requests.some((q) => q.status === 'PENDING_APPROVAL') && !r.agreement.free_trial_converted);
    const table = await asBuyer(page, usage.agreement.buyer);
    const row = table.getByRole('row').filter({ hasText: usage.agreement.id });
    await row.getByRole('button', { name: 'Cancel subscription' }).click();
    const asked = page.getByRole('alertdialog', { name: `Cancel agreement ${usage.agreement.id} yourself?` });
    await asked.getByText('Cancelling ends the agreement now, and it refunds nothing: for a refund, ask the seller, who makes a billing adjustment.').waitFor();
    await expectNoAxeViolations(page);
    await asked.getByRole('button', { name: 'Yes, cancel the subscription' }).click();
    await page.getByRole('status').getByText(`You cancelled agreement ${usage.agreement.id}. Nothing was refunded: ask the seller if you want a refund.`).waitFor();
    await row.getByText('Cancelled by the buyer').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Cancel subscription' }).count(), 0);
    await row.getByText('This agreement is cancelled, so there is nothing to cancel.').waitFor();
    const stored = await storedOnce(page, `cw.agreement.${usage.agreement.id}`, (r) => r.agreement.status === 'CANCELLED');
    assert.ok(stored.agreement.cancelled_by_buyer);
    assert.equal(stored.invoices.reduce((n, i) => n + i.refunded_minor, 0), usage.invoices.reduce((n, i) => n + i.refunded_minor, 0), 'nothing refunded');

    await open(page, app.url(`/seller?buyer=${usage.agreement.buyer}`));
    await page.getByLabel('Signed in as seller').selectOption(usage.agreement.seller);
    await page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: usage.agreement.id }).getByText('Cancelled by the buyer').waitFor();

    const privateContract = all.find((r) => r.agreement.pricing === undefined && r.agreement.status === 'ACTIVE' && /priv/.test(r.agreement.offer));
    const other = await asBuyer(page, privateContract.agreement.buyer);
    await other.getByRole('row').filter({ hasText: privateContract.agreement.id }).getByText('It is a contract on a private offer: the seller must start a cancellation.').waitFor();
    await context.close();
  });
});

describe('Billing adjustments in the buyer view', () => {
  test("each adjustment of the buyer's agreements says its amount, reason, where the money goes and when", async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    const refunded = (await records(page)).find((r) => r.adjustments.some((a) => a.status === 'COMPLETED'));
    const adjustment = refunded.adjustments.find((a) => a.status === 'COMPLETED');
    await asBuyer(page, refunded.agreement.buyer);
    const section = page.getByRole('region', { name: 'Billing adjustments from your sellers' });
    await section.getByText('It needs no approval from you', { exact: false }).waitFor();
    const item = section.getByRole('listitem').filter({ hasText: `on invoice ${adjustment.invoice_id} of agreement ${refunded.agreement.id}` }).first();
    await item.getByText(adjustment.description, { exact: false }).waitFor();
    await item.getByText(/^(Back to the card or bank account that paid invoice|It lowers what you still owe on invoice)/).waitFor();
    await item.getByText(/^(In your AWS billing account by \d{4}-\d\d-\d\d; in your bank account by \d{4}-\d\d-\d\d at the latest|No money moves: the invoice's balance goes down instead\.)$/).waitFor();
    await expectNoAxeViolations(page);
    await context.close();
  });
});

describe('A free trial that converted to paid', () => {
  test('before refunding an invoice of the first 7 days after the conversion, the seller is warned that AWS may already have refunded it', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    const trial = (await records(page)).find((r) => r.agreement.free_trial_converted);
    await open(page, app.url(`/seller/agreements/${trial.agreement.id}`));
    await page.getByText('Free trial converted to paid').waitFor();
    await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
    await page.getByRole('combobox', { name: 'Invoice', exact: true }).selectOption(trial.invoices[0].id);
    const warning = page.getByText(/AWS may already have refunded those on your behalf/);
    await warning.waitFor();
    assert.match(await warning.textContent(), new RegExp(`^Invoice ${trial.invoices[0].id} holds charges from the first 7 days after this agreement's free trial converted to paid`));
    await expectNoAxeViolations(page);
    await context.close();
  });
});
