// Two tabs of one browser (one localStorage) acting on the same cancellation request: the
// buyer's view approves while the seller's view withdraws. Exactly one wins, the other is
// told in words, nothing the winner wrote is lost, and both tabs end up showing the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, startApp, storedRecord } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const REASON = 'The buyer asked on a call to keep the current terms';

/**
 * Acme Retail's demo request, open in a buyer tab and in a seller tab of the same browser.
 * Either tab can be made deaf to the other's writes (the `storage` event is stopped before
 * the app hears it), which holds open, for as long as a test needs, the moment between one
 * tab's write and the other tab learning of it.
 */
async function twoTabs() {
  const { page: buyer, context } = await app.device();
  await context.addInitScript(() => {
    window.__deaf = false;
    window.addEventListener('storage', (event) => window.__deaf && event.stopImmediatePropagation(), { capture: true });
  });
  await open(buyer, app.url('/buyer'));
  const request = buyer.getByRole('article', { name: /^Request for agreement / }).first();
  const agreement = (await request.getAttribute('aria-label')).replace('Request for agreement ', '');
  const seller = await context.newPage();
  seller.on('pageerror', (error) => app.errors.push(`${seller.url()}: ${error.message}`));
  await open(seller, app.url(`/seller/agreements/${agreement}`));
  await seller.getByText('Pending approval', { exact: true }).waitFor();
  const key = `cw.agreement.${agreement}`;
  const pending = (await storedRecord(buyer, key)).requests.find((r) => r.status === 'PENDING_APPROVAL');
  const stored = async () => {
    const record = await storedRecord(buyer, key);
    return { record, request: record.requests.find((r) => r.id === pending.id) };
  };
  return { context, buyer, seller, request, agreement, stored, requests: (await storedRecord(buyer, key)).requests.length };
}

const deaf = (page, on) => page.evaluate((value) => { window.__deaf = value; }, on);

function buyerRow(buyer, agreement) {
  return buyer.getByRole('region', { name: 'Your agreements table' }).getByRole('row').filter({ hasText: agreement });
}

async function startWithdrawal(seller) {
  await seller.getByRole('button', { name: 'Withdraw request' }).click();
  await seller.getByLabel('Reason for withdrawing').fill(REASON);
}

async function startApproval(request) {
  await request.getByRole('button', { name: 'Approve' }).click();
  await request.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).waitFor();
}

describe('two tabs on one request', () => {
  test('the buyer approves first: the seller tab that has not heard of it is told its withdrawal came too late', async () => {
    const { context, buyer, seller, request, agreement, stored, requests } = await twoTabs();
    await startWithdrawal(seller);
    await startApproval(request);
    await deaf(seller, true);
    await request.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
    await buyer.getByRole('heading', { name: 'No cancellation requests are waiting for you' }).waitFor();
    assert.equal(await seller.getByText('Pending approval', { exact: true }).count(), 1, 'the seller tab still shows it pending');

    await seller.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await seller.getByText(/already approved by the buyer \(.*\), so it can no longer be withdrawn\./).waitFor();
    await deaf(seller, false);

    await seller.getByText('Approved', { exact: true }).waitFor();
    assert.equal(await seller.getByRole('button', { name: 'Withdraw request' }).count(), 0);
    await buyerRow(buyer, agreement).getByText('Cancelled', { exact: true }).waitFor();
    const { record, request: after } = await stored();
    assert.equal(after.status, 'APPROVED');
    assert.equal(after.status_message, '');
    assert.equal(record.requests.length, requests);
    assert.ok(!JSON.stringify(record).includes(REASON), 'the refused withdrawal left nothing behind');
    await context.close();
  });

  test('the seller withdraws first: the buyer tab that has not heard of it is told its approval came too late', async () => {
    const { context, buyer, seller, request, agreement, stored, requests } = await twoTabs();
    await startApproval(request);
    await startWithdrawal(seller);
    await deaf(buyer, true);
    await seller.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await seller.getByText('Withdrawn', { exact: true }).waitFor();
    assert.equal(await buyer.getByRole('article', { name: /^Request for agreement / }).count(), 1, 'the buyer tab still shows it waiting');

    await request.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
    await buyer.getByText(/already withdrawn by the seller \(.*\), so it can no longer be approved\./).waitFor();
    await deaf(buyer, false);

    await buyer.getByRole('heading', { name: 'No cancellation requests are waiting for you' }).waitFor();
    const row = buyerRow(buyer, agreement);
    await row.getByText('Active', { exact: true }).waitFor();
    assert.equal(await row.getByText('None', { exact: true }).count(), 1);
    await seller.getByText('Withdrawn', { exact: true }).waitFor();
    const { record, request: after } = await stored();
    assert.equal(after.status, 'CANCELLED');
    assert.equal(after.status_message, REASON);
    assert.equal(record.requests.length, requests);
    await context.close();
  });

  test("a stale tab's auto-approval does not overwrite another tab's withdrawal: compare-and-set refuses it", async () => {
    const { context, buyer, seller, agreement, stored } = await twoTabs();
    await deaf(buyer, true);
    await startWithdrawal(seller);
    await seller.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await seller.getByText('Withdrawn', { exact: true }).waitFor();

    // The buyer tab still holds the request as pending: moving its clock past the deadline
    // approves it there, and that write must not replace the withdrawal.
    await buyer.getByText('Demo clock').click();
    await buyer.getByRole('button', { name: '+7 days' }).click();
    await buyer.getByText(`Another tab or window changed agreement ${agreement} before this page saved what the passing time did to it`, { exact: false }).waitFor();
    await buyer.getByRole('heading', { name: 'No cancellation requests are waiting for you' }).waitFor();
    await deaf(buyer, false);
    await buyerRow(buyer, agreement).getByText('Active', { exact: true }).waitFor();
    await seller.getByText('Withdrawn', { exact: true }).waitFor();
    assert.equal(await seller.getByText(/Approved/).count(), 0);
    const { request: after } = await stored();
    assert.equal(after.status, 'CANCELLED');
    assert.equal(after.status_message, REASON);
    await context.close();
  });

  test('two tabs that see the same deadline pass both approve it: the approval is kept once, and neither tab speaks of a refused change', async () => {
    const { context, buyer, seller, stored } = await twoTabs();
    // Deaf, the seller tab learns of neither the clock nor the approval the buyer tab
    // writes: it moves its own clock the same week and approves the same request itself.
    await deaf(seller, true);
    await buyer.getByText('Demo clock').click();
    await buyer.getByRole('button', { name: '+7 days' }).click();
    await buyer.getByRole('heading', { name: 'No cancellation requests are waiting for you' }).waitFor();
    const WRITTEN = "workbench: time's changes written";
    const writtenBefore = await seller.evaluate((name) => performance.getEntriesByName(name).length, WRITTEN);
    await seller.getByRole('button', { name: '+7 days' }).click();
    const theCase = seller.getByRole('region', { name: 'The case' });
    await theCase.getByText('Approved (automatically, after 7 days)').waitFor();
    await seller.waitForFunction(([name, before]) => performance.getEntriesByName(name).length > before, [WRITTEN, writtenBefore]);
    await deaf(seller, false);
    for (const page of [buyer, seller]) {
      assert.equal(await page.getByText(/not saved/).count(), 0, `${page.url()} tells of no refused change`);
    }
    const { record, request } = await stored();
    assert.equal(request.status, 'APPROVED');
    assert.equal(record.history.filter((line) => line.action.startsWith('Approved the cancellation request automatically')).length, 1);
    await context.close();
  });

  test('a change in one tab shows in the other without a reload', async () => {
    const { context, buyer, seller, agreement } = await twoTabs();
    await startWithdrawal(seller);
    await seller.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await buyer.getByRole('heading', { name: 'No cancellation requests are waiting for you' }).waitFor();
    await buyerRow(buyer, agreement).getByText('None', { exact: true }).waitFor();

    await seller.getByRole('button', { name: 'Request cancellation' }).click();
    await seller.getByLabel('Reason code').selectOption({ label: 'Replacing it with a new agreement' });
    await seller.getByLabel('Reason', { exact: true }).fill('Replacing with the private offer offer-xyz at the renewed rate');
    await seller.getByRole('button', { name: 'Review request' }).click();
    await seller.getByRole('button', { name: 'Submit cancellation request' }).click();
    await buyer.getByRole('heading', { name: '1 cancellation request is waiting for your answer' }).waitFor();
    await buyer.getByText('Replacing with the private offer offer-xyz at the renewed rate', { exact: true }).waitFor();
    await context.close();
  });

  test('one tab cancels an FPS subscription; the other, not yet told, is refused in words, and both end showing that one cancellation', async () => {
    const { page: first, context } = await app.device();
    await context.addInitScript(() => {
      window.__deaf = false;
      window.addEventListener('storage', (event) => window.__deaf && event.stopImmediatePropagation(), { capture: true });
    });
    await open(first, app.url('/seller/fps'));
    const second = await context.newPage();
    second.on('pageerror', (error) => app.errors.push(`${second.url()}: ${error.message}`));
    await open(second, app.url('/seller/fps'));
    const name = 'Northwind Reports (FPS)';
    const [inFirst, inSecond] = [first, second].map((page) => page.getByRole('article', { name }));
    await inSecond.getByRole('button', { name: 'Cancel subscription' }).click();
    await inSecond.getByLabel('Reason').fill('Cancelled from the second tab');
    await deaf(second, true);

    await inFirst.getByRole('button', { name: 'Cancel subscription' }).click();
    await inFirst.getByLabel('Reason').fill('Cancelled from the first tab');
    await inFirst.getByRole('button', { name: 'Confirm cancellation' }).click();
    await inFirst.getByRole('status').getByText('Subscription cancelled.', { exact: true }).waitFor();
    assert.equal(await inSecond.getByText('Active', { exact: true }).count(), 1, 'the second tab has not heard of it');

    await inSecond.getByRole('button', { name: 'Confirm cancellation' }).click();
    await inSecond.getByText(/^InvalidSubscriptionState: subscription \S+ is already cancelled/).waitFor();
    await inSecond.getByText('Cancelled', { exact: true }).waitFor();
    await inSecond.getByText('Cancelled from the first tab').waitFor();
    assert.equal(await inSecond.getByLabel('Reason').inputValue(), 'Cancelled from the second tab', 'what was typed stays');
    const stored = await storedRecord(first, 'cw.fps.17d62772-c53e-4bdb-9667-65d7b7841cfc');
    assert.equal(stored.status, 'Cancelled');
    assert.ok(JSON.stringify(stored).includes('Cancelled from the first tab'));
    assert.ok(!JSON.stringify(stored).includes('Cancelled from the second tab'), 'the refused call left nothing behind');
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
