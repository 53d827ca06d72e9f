// Rules of the sources that a person can now reach: a legacy support case that AWS moves
// with the clock (source 001), the seller's side of DevPay (source 000), and the
// confirmation that follows "Submit cancellation request" (source 001, step 6).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp, storedOnce, storedRecord, storedRecords } from './harness.mjs';

const NORTHWIND = '111122223333';
const GLOBEX = '555566667777';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

async function sellerConsole(path, options) {
  const { page, context } = await app.device(options);
  await open(page, app.url(path));
  return { page, context };
}

/** Northwind's agreement with Globex on the public BI Cloud offer, and its last invoice. */
async function globexBiCloud(page) {
  const records = Object.values(await storedRecords(page, 'cw.agreement.'));
  const record = records.find(
    (r) => r.agreement.seller === NORTHWIND && r.agreement.buyer === GLOBEX && r.agreement.offer === 'offer-nwbicloudpub',
  );
  return { id: record.agreement.id, invoice: record.invoices.at(-1) };
}

/** Opens a case from the form; `cancelOn` ticks "Also cancel this agreement" with that date. */
async function openCase(section, { invoice, amount, cancelOn, comments = '' }) {
  await section.getByRole('button', { name: 'Request refund' }).click();
  await section.getByLabel('Subscriber account').fill(GLOBEX);
  await section.getByLabel('Product ID').fill('prod-nwbicloud');
  await section.getByLabel('Offer ID').fill('offer-nwbicloudpub');
  await section.getByLabel('Billing period').fill('2026-11');
  await section.getByLabel('Invoice').fill(invoice);
  await section.getByLabel('Refund amount').fill(amount);
  if (cancelOn) {
    await section.getByRole('checkbox', { name: 'Also cancel this agreement' }).check();
    await section.getByLabel('Effective date').fill(cancelOn);
  }
  await section.getByLabel('Additional comments').fill(comments);
  await section.getByRole('button', { name: 'Open support case' }).click();
  const opened = section.getByRole('status').filter({ hasText: /Support case case-\d+ is open/ });
  const id = (await opened.textContent()).match(/case-\d+/)[0];
  return { id, item: section.getByRole('article', { name: `Support case ${id}` }) };
}

/**
 * The buyer approves the cancellation AWS asks them about on case `id`, in their own view;
 * back on the seller's cases, a day passes for AWS to read the case again.
 */
async function buyerApproves(page, id) {
  await open(page, app.url('/buyer'));
  await page.getByLabel('Signed in as buyer').selectOption(GLOBEX);
  const asked = page.getByRole('region', { name: 'Cancellations AWS asks you to approve' });
  const item = asked.getByRole('article', { name: `Support case ${id}` });
  await item.getByText(/^Your agreement agmt-\w+ is contract-based: the seller asks AWS to cancel it, and cancelling it needs your approval as well as the seller's\./).waitFor();
  await expectNoAxeViolations(page);
  await item.getByRole('button', { name: 'Approve the cancellation' }).click();
  await asked.getByRole('status').getByText(`You approved the cancellation on support case ${id}. AWS reads the case again within a day.`).waitFor();
  assert.equal(await item.count(), 0, 'answered once');
  await open(page, app.url('/seller/support'));
  await page.getByRole('button', { name: '+1 day' }).click();
}

/** Five weeks on the simulated clock: past the end of any billing cycle. */
async function fiveWeeksLater(page) {
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: '+7 days' }).click();
}

describe('Legacy support cases move with the clock', () => {
  test('a case stays Pending until its billing cycle ends; a contract waits for the buyer to approve in their view, then the case completes with the cancellation and refund applied; the buyer sees the refund and when it arrives', async () => {
    const { page, context } = await sellerConsole('/seller/support');
    const agreement = await globexBiCloud(page);
    const section = page.getByRole('region', { name: 'Support cases' });
    const { id, item } = await openCase(section, {
      invoice: agreement.invoice.id,
      amount: '100.00',
      cancelOn: '2027-01-01',
    });
    await item.getByText('Please cancel this agreement effective 2027-01-01.').waitFor();
    await item.getByText('Pending', { exact: true }).waitFor();
    await item.getByText(/^AWS processes it on .+\.$/).waitFor();
    await page.getByRole('button', { name: '+1 day' }).click();
    await item.getByText('Pending', { exact: true }).waitFor();

    await fiveWeeksLater(page);
    await item.getByText('Action Required', { exact: true }).waitFor();
    await item.getByText(`Agreement ${agreement.id} is contract-based: its cancellation needs the buyer's approval as well as yours, which AWS coordinates. We have asked the buyer; we read the case again a day after they answer.`).waitFor();
    assert.equal((await storedRecord(page, `cw.agreement.${agreement.id}`)).agreement.status, 'ACTIVE');
    await buyerApproves(page, id);
    await item.getByText('Completed', { exact: true }).waitFor();
    await item.getByText(/The case has been processed\. Agreement .+ is cancelled\. 100\.00 USD is refunded on invoice \d+\..*within 24 to 48 hours.*up to 5 business days/).waitFor();
    assert.equal(await item.getByText(/^AWS processes it on/).count(), 0);
    assert.equal(await item.getByRole('button', { name: 'Send reply' }).count(), 0);
    const stored = await storedOnce(page, `cw.case.${id}`, (c) => c.status === 'Completed');
    assert.equal(stored.status, 'Completed');
    assert.equal(stored.outcome.agreement, agreement.id);
    const record = await storedOnce(page, `cw.agreement.${agreement.id}`, (r) => r.agreement.status === 'CANCELLED');
    assert.equal(record.agreement.status, 'CANCELLED');
    assert.equal(record.invoices.at(-1).refunded_minor, agreement.invoice.refunded_minor + 10000);
    assert.ok(record.history.some((h) => h.reason === `Support case ${id}` && /Cancelled the agreement/.test(h.action)));

    await open(page, app.url('/buyer'));
    await page.getByLabel('Signed in as buyer').selectOption(GLOBEX);
    const refunds = page.getByRole('region', { name: 'Refunds from AWS' });
    await refunds.getByText(new RegExp(`^100\\.00 USD refunded on invoice ${agreement.invoice.id} of agreement ${agreement.id} \\(Northwind BI Cloud\\)`)).waitFor();
    await refunds.getByText('A refund appears in your AWS billing account within 24 to 48 hours; it may take up to 5 business days to be reflected in your bank account.').waitFor();
    await page.getByRole('row', { name: new RegExp(agreement.id) }).getByText('Cancelled', { exact: true }).waitFor();
    await context.close();
  });

  test("a contract's buyer answers AWS's question on their own device, from a link the seller sends; the receipt brings the answer back and the case completes", async () => {
    const { page, context } = await sellerConsole('/seller/support');
    const agreement = await globexBiCloud(page);
    const section = page.getByRole('region', { name: 'Support cases' });
    const { id, item } = await openCase(section, { invoice: agreement.invoice.id, amount: '20.00', cancelOn: '2027-01-01' });
    assert.equal(await item.getByRole('textbox', { name: 'Link for the buyer' }).count(), 0, 'no link before AWS asks');
    await fiveWeeksLater(page);
    await item.getByText('Action Required', { exact: true }).waitFor();
    const link = await item.getByRole('textbox', { name: 'Link for the buyer' }).inputValue();
    assert.match(link, /\/confirm\/#[\w-]+\.[\w-]+$/);
    await expectNoAxeViolations(page);

    const buyer = await app.device();
    await open(buyer.page, link);
    await buyer.page.getByRole('heading', { level: 1, name: /asks AWS to cancel/ }).waitFor();
    await buyer.page.getByText('AWS waits for your answer. Without your approval, the agreement is not cancelled.').waitFor();
    await buyer.page.getByText('2027-01-01, or when the current billing cycle ends if that is later').waitFor();
    await buyer.page.getByText(id, { exact: true }).waitFor();
    await expectNoAxeViolations(buyer.page);
    await buyer.page.getByRole('button', { name: 'Approve', exact: true }).click();
    await buyer.page.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
    const receipt = await buyer.page.getByRole('textbox', { name: 'Receipt link' }).inputValue();
    assert.ok(receipt.includes(`/receipt#${id}.`), receipt);
    await buyer.page.getByText(/AWS reads the case again a day after it reaches them/).waitFor();
    await buyer.context.close();

    await open(page, receipt);
    await page.getByRole('status').getByText(new RegExp(`^Receipt applied\\. On .+, the buyer approved the cancellation: AWS reads the case again a day later \\(support case ${id}\\)\\.$`)).waitFor();
    await page.getByRole('link', { name: `Open support case ${id}` }).click();
    await page.getByRole('button', { name: '+1 day' }).click();
    await item.getByText('Completed', { exact: true }).waitFor();
    await item.getByText(new RegExp(`Agreement ${agreement.id} is cancelled\\.`)).waitFor();
    const stored = await storedOnce(page, `cw.case.${id}`, (c) => c.status === 'Completed');
    assert.equal(stored.buyer_answer.approved, true);

    await open(page, receipt);
    await page.getByRole('status').getByText(new RegExp(`^This receipt was already applied on .+ \\(support case ${id}\\); nothing changed\\.$`)).waitFor();
    await context.close();
  });

  test('a case without its invoice goes to Action Required, and moves on to Completed once the seller answers', async () => {
    const { page, context } = await sellerConsole('/seller/support');
    const agreement = await globexBiCloud(page);
    const section = page.getByRole('region', { name: 'Support cases' });
    const { id, item } = await openCase(section, {
      invoice: '',
      amount: '',
      cancelOn: '2027-01-01',
    });
    await item.getByText('Pending', { exact: true }).waitFor();
    await fiveWeeksLater(page);
    await item.getByText('Action Required', { exact: true }).waitFor();
    await item.getByText(new RegExp(`^Which invoice of agreement ${agreement.id} is this case about\\? Reply with its invoice reference`)).waitFor();
    assert.equal((await storedRecord(page, `cw.agreement.${agreement.id}`)).agreement.status, 'ACTIVE');

    await item.getByLabel('Reply').fill(`It is invoice ${agreement.invoice.id}.`);
    await item.getByRole('button', { name: 'Send reply' }).click();
    await item.getByText('Pending', { exact: true }).waitFor();
    await item.getByText(/^AWS processes it on .+\.$/).waitFor();
    await page.getByRole('button', { name: '+1 day' }).click();
    await item.getByText('Action Required', { exact: true }).waitFor();
    await buyerApproves(page, id);
    const stored = await storedOnce(page, `cw.case.${id}`, (c) => c.status === 'Completed');
    assert.deepEqual(stored.replies.map((r) => [r.author, r.text.slice(0, 15)]), [
      ['Aws', 'Which invoice o'],
      ['Seller', 'It is invoice 2'],
      ['Aws', `Agreement ${agreement.id.slice(0, 5)}`],
      ['Aws', 'The case has be'],
    ]);
    assert.deepEqual(stored.buyer_answer.approved, true);
    assert.equal((await storedOnce(page, `cw.agreement.${agreement.id}`, (r) => r.agreement.status === 'CANCELLED')).agreement.status, 'CANCELLED');
    await context.close();
  });

  test('a refund whose comments say not to cancel refunds and leaves the agreement active: only the box asks for a cancellation', async () => {
    const { page, context } = await sellerConsole('/seller/support');
    const agreement = await globexBiCloud(page);
    const section = page.getByRole('region', { name: 'Support cases' });
    const { item } = await openCase(section, {
      invoice: agreement.invoice.id,
      amount: '25.00',
      comments: 'Refund of the November charge only. Please do NOT cancel this agreement; the buyer keeps using it.',
    });
    await fiveWeeksLater(page);
    await item.getByText('Completed', { exact: true }).waitFor();
    await item.getByText(/^The case has been processed\. 25\.00 USD is refunded on invoice/).waitFor();
    const refunded = agreement.invoice.refunded_minor + 2500;
    const record = await storedOnce(page, `cw.agreement.${agreement.id}`, (r) => r.invoices.at(-1).refunded_minor === refunded);
    assert.equal(record.agreement.status, 'ACTIVE');
    assert.equal(record.invoices.at(-1).refunded_minor, refunded);
    await context.close();
  });

  test('a cancellation is processed on its effective date when that falls after the billing cycle', async () => {
    const { page, context } = await sellerConsole('/seller/support');
    const agreement = await globexBiCloud(page);
    const section = page.getByRole('region', { name: 'Support cases' });
    const { id, item } = await openCase(section, { invoice: agreement.invoice.id, amount: '', cancelOn: '2027-02-15' });
    await fiveWeeksLater(page);
    await item.getByText('Pending', { exact: true }).waitFor();
    assert.equal((await storedRecord(page, `cw.agreement.${agreement.id}`)).agreement.status, 'ACTIVE');
    assert.equal((await storedRecord(page, `cw.case.${id}`)).cancel_effective, '2027-02-15');
    await fiveWeeksLater(page);
    await item.getByText('Action Required', { exact: true }).waitFor();
    await buyerApproves(page, id);
    assert.equal((await storedOnce(page, `cw.agreement.${agreement.id}`, (r) => r.agreement.status === 'CANCELLED')).agreement.status, 'CANCELLED');
    await context.close();
  });

  test('the billing period is asked for as a month, beside its field, and what was typed stays', async () => {
    const { page, context } = await sellerConsole('/seller/support');
    const section = page.getByRole('region', { name: 'Support cases' });
    await section.getByRole('button', { name: 'Request refund' }).click();
    await section.getByLabel('Subscriber account').fill(GLOBEX);
    await section.getByLabel('Product ID').fill('prod-nwbicloud');
    await section.getByLabel('Offer ID').fill('offer-nwbicloudpub');
    await section.getByLabel('Billing period').fill('last month');
    await section.getByRole('checkbox', { name: 'Also cancel this agreement' }).check();
    await section.getByLabel('Additional comments').fill('The buyer asked for it.');
    await section.getByRole('button', { name: 'Open support case' }).click();
    await section.locator('#case-period-error').getByText('Enter the billing period as a month, for example 2026-10.').waitFor();
    assert.equal(await section.getByLabel('Billing period').getAttribute('aria-invalid'), 'true');
    assert.equal(await section.getByLabel('Billing period').inputValue(), 'last month');
    assert.equal(await section.getByLabel('Additional comments').inputValue(), 'The buyer asked for it.');

    await section.getByLabel('Billing period').fill('2026-11');
    await section.getByRole('button', { name: 'Open support case' }).click();
    await section.locator('#case-effective-error').getByText('Enter the date the cancellation takes effect, for example 2026-12-31.').waitFor();
    await section.getByLabel('Effective date').fill('2027-01-01');
    await section.getByText('The case begins: "Please cancel this agreement effective 2027-01-01."').waitFor();
    assert.ok(await section.getByRole('checkbox', { name: 'Also cancel this agreement' }).isChecked());
    await context.close();
  });
});

describe("DevPay, the seller's side", () => {
  test('the seller sees its customers without a cancel button, is told DevPay sends no e-mail and where to cancel, and sees a cancelled one with its usage and the refund it is charged', async () => {
    const { page, context } = await sellerConsole('/seller/fps');
    const section = page.getByRole('region', { name: 'DevPay customers' });
    await section.getByText(/DevPay doesn't notify you by e-mail when a customer cancels/).waitFor();
    await section.getByText("There isn't a programmatic way for you to cancel a customer. To cancel one, open a case in the AWS Support Center, selecting Billing > DevPay Inquiry.").waitFor();
    const customer = section.getByRole('article', { name: 'Northwind Desktop (DevPay)' });
    await customer.getByText('Acme Retail (444455556666)').waitFor();
    await customer.getByText('Active', { exact: true }).waitFor();
    assert.equal(await section.getByRole('button').count(), 0, 'no way to cancel a customer from here');

    await open(page, app.url('/buyer'));
    const item = page.getByRole('article', { name: 'Northwind Desktop (DevPay)' });
    await item.getByRole('button', { name: 'View/Cancel Application' }).click();
    await item.getByRole('button', { name: 'Cancel the use of Northwind Desktop (DevPay)' }).click();
    await item.getByRole('status').getByText(/^Cancelled\./).waitFor();
    const { cancellation } = await storedRecord(page, 'cw.devpay.devpay-nwdesktop');

    await open(page, app.url('/seller/fps'));
    const cancelled = page.getByRole('region', { name: 'DevPay customers' }).getByRole('article', { name: 'Northwind Desktop (DevPay)' });
    await cancelled.getByText('Cancelled', { exact: true }).waitFor();
    const money = (minor) => `${(minor / 100).toFixed(2)} USD`;
    await cancelled.getByText(`${money(cancellation.usage_billed.minor)}, billed to the customer up to the cancellation`).waitFor();
    await cancelled.getByText(`${money(cancellation.refund.minor)}. Amazon charges you to cover a customer's refund.`).waitFor();
    assert.equal(await page.getByRole('region', { name: 'DevPay customers' }).getByRole('button').count(), 0);
    await context.close();
  });
});

describe("DevPay, a customer who did not pay", () => {
  test('the seller sees that AWS cancelled the access of a customer who did not pay, and that their data is unavailable', async () => {
    const { page, context } = await sellerConsole('/seller/fps');
    const section = page.getByRole('region', { name: 'DevPay customers' });
    const customer = section.getByRole('article', { name: 'Northwind Vault (DevPay)' });
    await customer.getByText('Umbrella Health (777788889999)').waitFor();
    await customer.getByText('Access cancelled: bill not paid', { exact: true }).waitFor();
    await customer.getByText('Access cancelled on', { exact: true }).waitFor();
    await customer
      .getByText('The bill for this product was not paid, so AWS cancelled access to the product, and the data stored with AWS through it is unavailable.')
      .waitFor();
    const stored = await storedRecord(page, 'cw.devpay.devpay-nwvault');
    assert.equal(stored.status, 'Unpaid');
    assert.equal(stored.cancellation.refund.minor, 0);
    assert.equal(await customer.getByText(/Refund charged to you/).count(), 0, 'nothing was refunded');
    assert.equal(await section.getByRole('button').count(), 0);
    await context.close();
  });
});

describe('AWS: "Submit cancellation request" is confirmed', () => {
  test('the seller sees that the request was submitted to AWS, with its ID and deadline', async () => {
    const { page, context } = await sellerConsole('/seller');
    await page.getByLabel('Buyer ID').fill('444455556666');
    await page.getByRole('heading', { name: '2 agreements match' }).waitFor();
    const row = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: 'Active' }).filter({ hasText: 'None' }).first();
    const id = (await row.getByRole('link').textContent()).trim();
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason code').selectOption({ label: 'It was a test agreement' });
    await page.getByLabel('Reason', { exact: true }).fill('Created by our QA team to test provisioning');
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();

    const confirmation = page.getByRole('status').filter({ hasText: 'has been submitted to AWS for processing' });
    const text = await confirmation.textContent();
    const [request] = (await storedRecord(page, `cw.agreement.${id}`)).requests;
    assert.match(text, new RegExp(`^Your cancellation request ${request.id} has been submitted to AWS for processing\\.`));
    // After "reject it": a random request ID can end in "by" too.
    const deadline = text.match(/reject it by (.+), it is approved automatically\.$/)[1];
    const shown = await page.locator('dt', { hasText: 'Approved automatically' }).locator('xpath=following-sibling::dd[1]').textContent();
    assert.ok(shown.startsWith(deadline), `the deadline shown with the request: ${shown} / ${deadline}`);
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
