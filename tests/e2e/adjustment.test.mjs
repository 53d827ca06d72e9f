// "Apply billing adjustment" on the seller's agreement page, in the built app: a batch where
// one entry is refused, the type-the-total confirmation, a double click, a reload, and the
// form used by keyboard alone at phone width with axe at every step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp, storedRecord } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const PHONE = { viewport: { width: 390, height: 844 } };

// Northwind's agreement with Globex: two paid USD invoices of 499.00; the demo already
// refunded 120.00 of the first, so 379.00 and 499.00 are still refundable.
async function globexAgreement(options = {}) {
  const { page, context } = await app.device(options);
  await open(page, app.url('/seller'));
  await page.getByLabel('Buyer ID').fill('555566667777');
  await page.getByRole('heading', { name: '1 agreement matches' }).waitFor();
  const link = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').nth(1).getByRole('link');
  const id = (await link.textContent()).trim();
  await link.click();
  await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
  const invoices = await invoiceIds(page);
  assert.equal(invoices.length, 2);
  return { page, context, id, invoices };
}

function invoiceRows(page) {
  return page.getByRole('region', { name: 'Invoices table' }).getByRole('row');
}

async function invoiceIds(page) {
  const rows = await invoiceRows(page).all();
  const ids = [];
  for (const row of rows.slice(1)) ids.push((await row.getByRole('cell').first().textContent()).trim());
  return ids;
}

/** The "Refund pending" cell of one invoice's row. */
function pendingCell(page, invoice) {
  return invoiceRows(page).filter({ hasText: invoice }).getByRole('cell').nth(3);
}

/** The adjustments stored for the agreement, less the demo's own. */
async function storedAdjustments(page, id) {
  const all = (await storedRecord(page, `cw.agreement.${id}`)).adjustments;
  return all.filter((a) => !a.client_token.startsWith('demo-'));
}

function entry(page, n) {
  return page.getByRole('group', { name: `Entry ${n}` });
}

async function fillEntry(page, n, { invoice, amount, reason }) {
  const group = entry(page, n);
  if (invoice) await group.getByLabel('Invoice').selectOption(invoice);
  await group.getByLabel('Refund amount').fill(amount);
  await group.getByLabel('Reason code').selectOption({ label: 'Usage was metered incorrectly' });
  await group.getByLabel('Reason', { exact: true }).fill(reason);
}

async function review(page) {
  await page.getByRole('button', { name: 'Review billing adjustment' }).click();
  await page.getByRole('heading', { name: 'Review the billing adjustment' }).waitFor();
}

async function confirmAndSubmit(page, total, click = 'click') {
  await page.getByLabel('Type the total to confirm').fill(total);
  await page.getByRole('button', { name: 'Submit billing adjustment' })[click]();
  return page.getByRole('region', { name: 'Billing adjustment result' });
}

/** One entry of `amount` on the first invoice, reviewed and submitted. */
async function refundOnce(page, amount, click = 'click') {
  await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
  await fillEntry(page, 1, { amount, reason: 'Usage was double-counted on 3 March' });
  await review(page);
  const result = await confirmAndSubmit(page, `${amount} USD`, click);
  await result.waitFor();
  return result;
}

describe('billing adjustments', () => {
  test('a batch with one refused entry lists the created ba- ID and the error, and the invoice shows the refund pending', async () => {
    const { page, context, id, invoices } = await globexAgreement();
    const [first, second] = invoices;
    await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
    await fillEntry(page, 1, { invoice: first, amount: '100.00', reason: 'Usage was double-counted on 3 March' });
    await page.getByRole('button', { name: 'Add another invoice' }).click();
    assert.equal(await entry(page, 2).getByLabel('Invoice').inputValue(), second, 'a new entry takes the next invoice');
    await entry(page, 2).getByText('Still refundable: 499.00 USD').waitFor();

    // The form's own check counts the batch's earlier entries against the same invoice.
    await fillEntry(page, 2, { invoice: first, amount: '450.00', reason: 'Test environment billed as production' });
    await page.getByRole('button', { name: 'Review billing adjustment' }).click();
    const amount2 = entry(page, 2).getByLabel('Refund amount');
    await entry(page, 2).getByText(`At most 279.00 USD can still be refunded on invoice ${first}.`).waitFor();
    assert.equal(await amount2.getAttribute('aria-invalid'), 'true');
    assert.equal(await amount2.inputValue(), '450.00', 'what was typed stays');
    assert.equal(await entry(page, 1).getByLabel('Refund amount').getAttribute('aria-invalid'), 'false');

    await entry(page, 2).getByLabel('Invoice').selectOption(second);
    await amount2.fill('499.00');
    await review(page);
    await page.getByText('599.00 USD', { exact: true }).waitFor();

    // Meanwhile another tab of this browser refunds part of the second invoice, so the
    // second entry now asks for more than that invoice has left.
    const other = await context.newPage();
    await open(other, app.url(`/seller/agreements/${id}`));
    await other.getByRole('button', { name: 'Apply billing adjustment' }).click();
    await fillEntry(other, 1, { invoice: second, amount: '10.00', reason: 'Support credit agreed on a call' });
    await review(other);
    await (await confirmAndSubmit(other, '10.00 USD')).getByText('Created', { exact: true }).waitFor();

    await page.getByText(/This entry would now be refused \(VALIDATION_EXCEPTION\)/).waitFor();
    await page.getByText('Type 100.00 USD to confirm', { exact: false }).waitFor();
    const result = await confirmAndSubmit(page, '100.00 USD');
    const created = result.getByRole('listitem').filter({ hasText: 'Created' });
    const refused = result.getByRole('listitem').filter({ hasText: 'Refused' });
    await created.waitFor();
    assert.equal(await created.count(), 1);
    assert.equal(await refused.count(), 1);
    assert.match(await created.textContent(), /Entry 1 .*100\.00 USD as ba-[a-z0-9]+, status Pending/);
    assert.match(await refused.textContent(), new RegExp(`Entry 2 .*VALIDATION_EXCEPTION.*At most 489\\.00 USD can still be refunded on invoice ${second}`));
    assert.equal((await pendingCell(page, first).textContent()).trim(), '100.00 USD');

    const stored = await storedAdjustments(page, id);
    assert.deepEqual(stored.map((a) => [a.invoice_id, a.amount.minor, a.status]).sort(), [
      [first, 10_000, 'PENDING'],
      [second, 1_000, 'PENDING'],
    ].sort());
    const createdId = (await created.textContent()).match(/ba-[a-z0-9]+/)[0];
    assert.ok(stored.some((a) => a.id === createdId), 'the ID shown is the one stored');

    // The refused entry can be corrected and sent again; the created one is not sent twice.
    await result.getByRole('button', { name: 'Correct the refused entries' }).click();
    assert.equal(await entry(page, 2).count(), 0, 'only the refused entry comes back');
    assert.equal(await entry(page, 1).getByLabel('Refund amount').inputValue(), '499.00');
    await entry(page, 1).getByText('At most 489.00 USD can still be refunded', { exact: false }).waitFor();
    await entry(page, 1).getByLabel('Refund amount').fill('489.00');
    await review(page);
    await (await confirmAndSubmit(page, '489.00 USD')).getByText('1 of 1 entry created.').waitFor();
    assert.equal((await storedAdjustments(page, id)).length, 3);
    await context.close();
  });

  test('the total must be typed as shown before the batch is submitted', async () => {
    const { page, context, id, invoices } = await globexAgreement();
    await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
    await fillEntry(page, 1, { amount: '105', reason: 'Billed twice for the March usage' });
    await review(page);
    await page.getByText('A billing adjustment cannot be undone', { exact: false }).waitFor();
    await page.getByText('Type 105.00 USD to confirm', { exact: false }).waitFor();

    const confirm = page.getByLabel('Type the total to confirm');
    for (const wrong of ['', '100.00 USD', '105.01']) {
      await confirm.fill(wrong);
      await page.getByRole('button', { name: 'Submit billing adjustment' }).click();
      await page.getByText('Type the total exactly as shown: 105.00 USD.').waitFor();
      assert.equal(await confirm.getAttribute('aria-invalid'), 'true');
      assert.equal(await confirm.inputValue(), wrong, 'what was typed stays');
    }
    assert.deepEqual(await storedAdjustments(page, id), [], 'nothing is refunded without the total');

    const result = await confirmAndSubmit(page, '105.00 USD');
    await result.getByText('1 of 1 entry created.').waitFor();
    assert.equal((await pendingCell(page, invoices[0]).textContent()).trim(), '105.00 USD');
    assert.equal((await storedAdjustments(page, id)).length, 1);
    await context.close();
  });

  test('a double click on submit creates exactly one adjustment', async () => {
    const { page, context, id } = await globexAgreement();
    const result = await refundOnce(page, '42.50', 'dblclick');
    await result.getByText('1 of 1 entry created.').waitFor();
    assert.equal(await result.getByRole('listitem').count(), 1);
    const stored = await storedAdjustments(page, id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].amount.minor, 4_250);
    await context.close();
  });

  test('a reload keeps the adjustment and the refund it leaves pending', async () => {
    const { page, context, id, invoices } = await globexAgreement();
    const result = await refundOnce(page, '75.00');
    const shown = (await result.getByRole('listitem').textContent()).match(/ba-[a-z0-9]+/)[0];
    await page.reload();
    await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    assert.equal((await pendingCell(page, invoices[0]).textContent()).trim(), '75.00 USD');
    const stored = await storedAdjustments(page, id);
    assert.deepEqual(stored.map((a) => a.id), [shown]);
    await context.close();
  });

  test('up to five entries, each removable, and no sixth', async () => {
    const { page, context } = await globexAgreement();
    await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
    assert.equal(await entry(page, 1).getByRole('button', { name: /Remove/ }).count(), 0, 'a batch keeps one entry');
    for (let n = 2; n <= 5; n++) await page.getByRole('button', { name: 'Add another invoice' }).click();
    await entry(page, 5).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add another invoice' }).count(), 0);
    await page.getByText('A batch holds at most 5 entries', { exact: false }).waitFor();
    await entry(page, 2).getByLabel('Refund amount').fill('12.00');
    await entry(page, 3).getByRole('button', { name: 'Remove entry 3' }).click();
    assert.equal(await page.getByRole('group', { name: /^Entry \d$/ }).count(), 4);
    assert.equal(await entry(page, 2).getByLabel('Refund amount').inputValue(), '12.00', 'the other entries keep what was typed');
    assert.equal(await page.getByRole('button', { name: 'Add another invoice' }).evaluate((b) => b === document.activeElement), true);
    await context.close();
  });

  test('by keyboard alone at phone width, every step passes axe', async () => {
    const { page, context, invoices } = await globexAgreement(PHONE);
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent);
    // The app moves focus once the view is drawn, a frame after the content appears: wait
    // for it to arrive, then hold it to what was expected.
    const focusOn = async (expected, message) => {
      const matches = (f) => (expected instanceof RegExp ? expected.test(f) : f === expected);
      await page.waitForFunction(
        ([source, flags, text]) => {
          const f = document.activeElement?.id || document.activeElement?.textContent || '';
          return source === null ? f === text : new RegExp(source, flags).test(f);
        },
        expected instanceof RegExp ? [expected.source, expected.flags, null] : [null, '', expected],
      ).catch(() => {});
      const f = await focused();
      assert.ok(matches(f), `${message}: focus is on ${f}`);
    };
    await page.getByRole('button', { name: 'Apply billing adjustment' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: 'Apply billing adjustment' }).waitFor();
    await focusOn('adjust-form-heading', 'focus moves to the form');

    // An entry reviewed empty: the first field to correct is named beside it and takes the
    // focus, and from then on each correction shows what is still missing.
    await page.keyboard.press('Tab'); // Invoice (already the first one)
    await page.keyboard.press('Tab'); // Refund amount
    await page.keyboard.press('Tab'); // Reason code
    await page.keyboard.press('Tab'); // Reason
    await page.keyboard.press('Tab'); // Add another invoice
    await page.keyboard.press('Tab'); // Review billing adjustment
    await page.keyboard.press('Enter');
    await entry(page, 1).getByText('Choose a reason code.').waitFor();
    await focusOn(/-reason-code$/, 'focus goes to the field to correct');
    await expectNoAxeViolations(page);

    await page.keyboard.press('ArrowDown');
    await entry(page, 1).getByText('A reason is required.').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('Charged for a test environment by mistake');
    await entry(page, 1).getByText('Enter an amount.').waitFor();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('20');
    await page.keyboard.press('Enter'); // in the amount field: asks for the review
    await page.getByRole('heading', { name: 'Review the billing adjustment' }).waitFor();
    await focusOn('adjust-review-heading', 'focus moves to the review');
    await expectNoAxeViolations(page);

    await page.keyboard.press('Tab');
    await page.keyboard.type('20.00 USD');
    await page.keyboard.press('Enter');
    const result = page.getByRole('region', { name: 'Billing adjustment result' });
    await result.getByText('1 of 1 entry created.').waitFor();
    await focusOn('adjust-result-heading', 'focus moves to the result');
    assert.equal((await pendingCell(page, invoices[0]).textContent()).trim(), '20.00 USD');
    await expectNoAxeViolations(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page fits a 390 px screen (it overflows by ${overflow} px)`);
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
