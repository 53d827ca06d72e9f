// The seller console against the built app: finding agreements, the clock that approves a
// request at its own deadline, and everything surviving a reload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp, storedRecord, storedRecords } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

async function seller() {
  const device = await app.device();
  await open(device.page, app.url('/seller'));
  await device.page.getByRole('heading', { name: /agreements? match/ }).waitFor();
  return device;
}

function results(page) {
  return page.getByRole('region', { name: 'Matching agreements' }).getByRole('row');
}

/** Sends a cancellation request from the agreement page, then opens "Withdraw request". */
async function sendRequestAndOpenWithdrawal(page) {
  await page.getByRole('button', { name: 'Request cancellation' }).click();
  await page.getByLabel('Reason code').selectOption({ label: 'Replacing it with a new agreement' });
  await page.getByLabel('Reason', { exact: true }).fill('Replacing with the private offer offer-xyz at the renewed rate');
  await page.getByRole('button', { name: 'Review request' }).click();
  await page.getByRole('button', { name: 'Submit cancellation request' }).click();
  await page.getByRole('button', { name: 'Withdraw request' }).click();
}

describe('seller console', () => {
  test('a non-unique filter says how many agreements match and lists them all', async () => {
    const { page, context } = await seller();
    await page.getByLabel('Buyer ID').fill('444455556666');
    const heading = page.getByRole('heading', { level: 2, name: /agreements? match/ });
    await assert.doesNotReject(heading.filter({ hasText: '2 agreements match' }).waitFor());
    assert.equal(await results(page).count(), 3, 'a header row and two agreements');
    await context.close();
  });

  test('an agreement ID is unique: searching for it opens the agreement', async () => {
    const { page, context } = await seller();
    const link = results(page).nth(1).getByRole('link');
    const id = (await link.textContent()).trim();
    await page.getByLabel('Agreement ID').fill(id);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/seller/agreements/${id}`);
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('a mistyped buyer ID is explained beside the field and what was typed stays', async () => {
    const { page, context } = await seller();
    const field = page.getByLabel('Buyer ID');
    await field.fill('12345');
    await page.getByText('An AWS account ID is exactly 12 digits.').waitFor();
    assert.equal(await field.inputValue(), '12345');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await context.close();
  });

  test('+7 days approves a pending request at its deadline, and a reload keeps it', async () => {
    const { page, context } = await seller();
    const pendingRow = results(page).filter({ hasText: 'Pending approval' }).first();
    const id = (await pendingRow.getByRole('link').textContent()).trim();
    await pendingRow.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    await page.getByText('Pending approval', { exact: true }).waitFor();
    await page.getByRole('button', { name: '+7 days' }).click();
    await page.getByText('Approved (automatically, after 7 days)', { exact: true }).waitFor();
    await page.getByText('Simulated time').waitFor();

    const request = (await storedRecord(page, `cw.agreement.${id}`)).requests.at(-1);
    assert.equal(request.status, 'APPROVED');
    const shown = page
      .getByRole('region', { name: 'Events' })
      .getByRole('listitem')
      .filter({ hasText: 'Agreement Cancellation Request Approved - Proposer' });
    assert.equal(await shown.count(), 1);
    await shown.locator('summary').click();
    const event = JSON.parse(await shown.locator('pre').textContent());
    const deadline = new Date(Date.parse(request.created_at) + 168 * 3600 * 1000);
    assert.equal(event.time, deadline.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'stamped with the deadline itself');
    assert.equal(event.detail.agreementCancellationRequest.id, request.id);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    await page.getByText('Approved (automatically, after 7 days)', { exact: true }).waitFor();
    await page.getByText('Simulated time').waitFor();
    await page.getByRole('button', { name: 'Real time' }).click();
    await page.getByText('Real time', { exact: true }).first().waitFor();
    await context.close();
  });

  test('another tab of the same browser sees the change without a reload', async () => {
    const { page, context } = await seller();
    const pendingRow = results(page).filter({ hasText: 'Pending approval' }).first();
    const href = await pendingRow.getByRole('link').getAttribute('href');
    const other = await context.newPage();
    await open(other, app.url(href));
    await other.getByText('Pending approval', { exact: true }).waitFor();
    await page.getByRole('button', { name: '+7 days' }).click();
    await other.getByText('Approved (automatically, after 7 days)', { exact: true }).waitFor();
    await context.close();
  });

  // Acme Retail's agreement with no request yet (another demo agreement has already ended,
  // and a request on it fails validation by design).
  async function activeAgreement() {
    const device = await seller();
    await device.page.getByLabel('Buyer ID').fill('444455556666');
    await device.page.getByRole('heading', { name: '2 agreements match' }).waitFor();
    const row = results(device.page).filter({ hasText: 'Active' }).filter({ hasText: 'None' }).first();
    const id = (await row.getByRole('link').textContent()).trim();
    await row.getByRole('link').click();
    await device.page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    return { ...device, id };
  }

  async function storedRequests(page, id) {
    return (await storedRecord(page, `cw.agreement.${id}`)).requests;
  }

  test('a vague reason is warned about, not blocked, and a double click sends one request', async () => {
    const { page, context, id } = await activeAgreement();
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason code').selectOption({ label: 'It was a test agreement' });
    await page.getByLabel('Reason', { exact: true }).fill('no longer needed');
    await page.getByText(/This reason is vague/).waitFor();
    await page.getByLabel('Additional details').fill('Agreed with the buyer on a call <script>window.__pwned = 1</script>');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('heading', { name: 'Review the cancellation request' }).waitFor();
    await page.getByRole('button', { name: 'Submit cancellation request' }).dblclick();
    await page.getByText('Pending approval', { exact: true }).waitFor();
    const requests = await storedRequests(page, id);
    assert.equal(requests.length, 1);
    assert.equal(requests[0].description, 'no longer needed');
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'typed text is never run');
    await context.close();
  });

  test('a missing reason code is named beside its field and what was typed stays', async () => {
    const { page, context } = await activeAgreement();
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason', { exact: true }).fill('Buyer migrating to the new private offer offer-abc');
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByText('Choose a reason code.').waitFor();
    assert.equal(await page.getByLabel('Reason code').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Reason', { exact: true }).inputValue(), 'Buyer migrating to the new private offer offer-abc');
    await context.close();
  });

  test('withdrawing needs a reason, then shows the request as withdrawn', async () => {
    const { page, context, id } = await activeAgreement();
    await sendRequestAndOpenWithdrawal(page);
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByText('A reason for withdrawing is required.').waitFor();
    await page.getByLabel('Reason for withdrawing').fill('The buyer decided to stay on the current terms');
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByText('Withdrawn', { exact: true }).waitFor();
    const [request] = await storedRequests(page, id);
    assert.equal(request.status, 'CANCELLED');
    assert.equal(request.status_message, 'The buyer decided to stay on the current terms');
    await context.close();
  });

  test('what was typed to withdraw survives the redraws of a record that changes meanwhile', async () => {
    const { page, context } = await activeAgreement();
    await sendRequestAndOpenWithdrawal(page);
    const typed = 'The buyer called: they stay on the current terms';
    await page.getByLabel('Reason for withdrawing').fill(typed);
    // A refund on the same agreement changes the record twice: created, then processed.
    await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
    const entry = page.getByRole('group', { name: 'Entry 1' });
    await entry.getByLabel('Refund amount').fill('1.00');
    await entry.getByLabel('Reason code').selectOption({ label: 'Usage was metered incorrectly' });
    await entry.getByLabel('Reason', { exact: true }).fill('Usage was double-counted on 3 March');
    await page.getByRole('button', { name: 'Review billing adjustment' }).click();
    const ask = await page.getByText(/Type .* to confirm that this is what the buyer gets back/).textContent();
    await page.getByLabel('Type the total to confirm').fill(ask.match(/Type (.*) to confirm/)[1]);
    await page.getByRole('button', { name: 'Submit billing adjustment' }).click();
    await page.getByRole('region', { name: 'Billing adjustment result' }).waitFor();
    await page.getByRole('button', { name: '+1 hour' }).click();
    await page.getByRole('region', { name: 'Events' }).getByRole('listitem').filter({ hasText: /Billing Adjustment Completed/ }).first().waitFor();
    assert.equal(await page.getByLabel('Reason for withdrawing').inputValue(), typed);
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByText('Withdrawn', { exact: true }).waitFor();
    await context.close();
  });

  test('the exported JSON lines are the seller events the log shows, one for every request sent, newest first', async () => {
    const { page, context } = await seller();
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Event log' }).click();
    await page.getByRole('button', { name: '+7 days' }).click();
    await page.getByText('Simulated time').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export events (JSON lines)' }).click(),
    ]);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
    const exported = lines.map((line) => JSON.parse(line));
    const shown = page.getByRole('region', { name: 'Event log' }).getByRole('listitem');
    await page.getByText(`Events 1–${exported.length} of ${exported.length}`).waitFor();
    assert.equal(await shown.count(), exported.length);
    for (let i = 0; i < exported.length; i++) {
      assert.deepEqual(JSON.parse(await shown.nth(i).locator('pre').textContent()), exported[i]);
    }
    const requests = Object.values(await storedRecords(page, 'cw.agreement.'))
      .filter((r) => r.agreement.seller === '111122223333')
      .flatMap((r) => r.requests);
    assert.ok(requests.length > 1);
    for (const request of requests) {
      const sent = exported.filter(
        (e) => e['detail-type'] === 'Agreement Cancellation Request Pending Approval - Proposer' &&
          e.detail.agreementCancellationRequest.id === request.id,
      );
      assert.equal(sent.length, 1, `the request ${request.id} was sent once`);
    }
    for (let i = 1; i < exported.length; i++) assert.ok(exported[i - 1].time >= exported[i].time, 'newest first');
    assert.deepEqual(Object.keys(exported[0]), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    await context.close();
  });

  test('reset demo data asks first, then replaces what was done here', async () => {
    const { page, context, id } = await activeAgreement();
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason code').selectOption({ label: 'It was a test agreement' });
    await page.getByLabel('Reason', { exact: true }).fill('Created by our QA team to test provisioning');
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();
    await page.getByText('Pending approval', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Data' }).click();
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    await page.getByRole('button', { name: 'Keep my data' }).click();
    assert.equal((await storedRequests(page, id)).length, 1, 'nothing changes without the confirmation');
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    await page.getByRole('button', { name: 'Yes, reset demo data' }).click();
    await page.getByText('The demo data was reset.').waitFor();
    assert.equal((await storedRequests(page, id)).length, 0);
    await context.close();
  });

  // The one agreement of `sellerAccount` with `buyerAccount` that has no request yet, opened.
  async function agreementOf(sellerAccount, buyerAccount) {
    const device = await seller();
    await device.page.getByLabel('Signed in as seller').selectOption(sellerAccount);
    await device.page.getByLabel('Buyer ID').fill(buyerAccount);
    // The list takes a typed filter after the key's paint, and the address follows it: rows
    // read before then may still be the unfiltered list's.
    await device.page.waitForURL(new RegExp(`buyer=${buyerAccount}`));
    await device.page.getByRole('heading', { name: /agreements? match/ }).waitFor();
    const row = results(device.page).filter({ hasText: 'Active' }).filter({ hasText: 'None' }).first();
    const id = (await row.getByRole('link').textContent()).trim();
    await row.getByRole('link').click();
    await device.page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    return { ...device, id };
  }

  function term(page, name) {
    return page.getByRole('region', { name: 'Terms' }).locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]');
  }

  // Source 001: "For contract-based subscriptions — especially private offers or those beyond
  // the initial 48-hour window — ... AWS may engage both parties before finalizing."
  const COORDINATION = [
    ['111122223333', '444455556666', 'Contract', /^This is a contract-based subscription: its cancellation may need coordination between the buyer, you and AWS/],
    ['222233334444', '444455556666', 'Contract', /^This is a contract-based subscription on a private offer: /],
    ['333344445555', '444455556666', 'Usage (pay-as-you-go)', null],
    ['333344445555', '888899990000', 'SaaS subscription', null],
  ];
  for (const [sellerAccount, buyerAccount, pricing, note] of COORDINATION) {
    test(`a ${pricing} agreement shows its pricing model and ${note ? 'the' : 'no'} coordination note`, async () => {
      const { page, context } = await agreementOf(sellerAccount, buyerAccount);
      assert.equal((await term(page, 'Pricing model').textContent()).trim(), pricing);
      await page.getByRole('button', { name: 'Request cancellation' }).click();
      await page.getByText(/automatically after 7 days/).waitFor();
      const shown = page.getByText(/AWS may contact both of you before it is final/);
      if (note) {
        await page.getByText(note).waitFor();
      } else {
        assert.equal(await shown.count(), 0);
      }
      await context.close();
    });
  }

  test('the seller console passes axe on a phone-width screen', async () => {
    const { page, context } = await app.device({ viewport: { width: 390, height: 844 } });
    await open(page, app.url('/seller'));
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
