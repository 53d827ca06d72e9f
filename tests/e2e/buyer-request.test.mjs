// A buyer's request to the seller across two devices (two browser contexts, which share
// nothing but the demo data's IDs): the buyer makes the link in the buyer view, the seller
// opens it and finds their forms filled in, to review and submit themselves. A damaged
// link and a link for an agreement the seller does not hold fill in nothing and say why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { expectNoAxeViolations, open, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const CLIPBOARD = { permissions: ['clipboard-read', 'clipboard-write'] };
const REASON = 'We moved every team to the Enterprise private offer on 2 November; the last invoice charged seats nobody used.';

/**
 * The buyer's device on /buyer (Acme Retail, the first buyer of the demo) with the form open
 * on an active AWS Marketplace agreement that has no request waiting.
 */
async function buyerWithForm() {
  const device = await app.device(CLIPBOARD);
  const { page } = device;
  await open(page, app.url('/buyer'));
  const table = page.getByRole('region', { name: 'Your agreements table' });
  const row = table.getByRole('row').filter({ hasText: 'AWS Marketplace' }).filter({ hasText: 'Active' }).filter({ hasText: 'None' }).first();
  const id = (await row.getByRole('cell').nth(1).textContent()).trim();
  await row.getByRole('button', { name: `Request to the seller about ${id}` }).click();
  await page.getByRole('heading', { name: `Request to the seller about agreement ${id}` }).waitFor();
  return { ...device, id };
}

/** A link of the documented format, sealed here rather than by the app. */
function sealedLink({ agreement, buyer, reason, seconds }) {
  const text = (s) => {
    const bytes = Buffer.from(s, 'utf8');
    return Buffer.concat([varint(bytes.length), bytes]);
  };
  const body = Buffer.concat([
    Buffer.from([3]),
    varint(seconds * 2),
    varint(0),
    Buffer.from([0]),
    text(agreement),
    text(buyer),
    text(reason),
  ]);
  const secret = randomBytes(16);
  const mac = createHmac('sha256', secret);
  mac.update('cancellation-workbench buyer request v1\0');
  mac.update(Buffer.from([secret.length]));
  mac.update(body);
  const token = Buffer.concat([body, mac.digest()]).toString('base64url');
  return app.url(`/seller/from-buyer#${token}.${secret.toString('base64url')}`);
}

function varint(value) {
  const out = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Buffer.from(out);
}

describe('request to the seller', () => {
  test('the buyer makes the link, each bad field said beside it; the seller finds the forms filled in and nothing sent', async () => {
    const buyer = await buyerWithForm();
    const { page } = buyer;
    await page.getByRole('button', { name: 'Make the link' }).click();
    await page.getByText('Choose what to ask the seller: to cancel this agreement, to refund an invoice, or both.').waitFor();
    await page.getByText('Enter a reason: the seller reads it before deciding.').waitFor();
    await page.getByRole('checkbox', { name: 'Refund an invoice' }).check();
    await page.getByLabel('Invoice to refund').selectOption('');
    await page.getByText('Choose the invoice to refund.').waitFor();
    const reason = page.getByRole('textbox', { name: 'Reason' });
    await reason.fill('x'.repeat(281));
    await page.getByText('A reason can be at most 280 characters, so that the link fits in a message (it has 281).').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Link for the seller' }).count(), 0);

    await page.getByRole('checkbox', { name: 'Cancel this agreement' }).check();
    const invoice = page.getByLabel('Invoice to refund');
    const chosen = await invoice.locator('option').nth(1).getAttribute('value');
    await invoice.selectOption(chosen);
    await reason.fill(REASON);
    await page.getByRole('button', { name: 'Make the link' }).click();
    const linkBox = page.getByRole('textbox', { name: 'Link for the seller' });
    const link = await linkBox.inputValue();
    assert.ok(link.startsWith(app.url('/seller/from-buyer#')), link);
    assert.ok(link.length < 2000, `${link.length} characters`);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await expectNoAxeViolations(page);

    const seller = await app.device();
    await open(seller.page, link);
    const s = seller.page;
    await s.getByRole('heading', { level: 1, name: 'Request from the buyer' }).waitFor();
    await s.getByRole('heading', { level: 2, name: 'The buyer asks to cancel the agreement and refund an invoice' }).waitFor();
    await s.getByRole('heading', { level: 1, name: `Agreement ${buyer.id}` }).waitFor();
    const cancelForm = s.getByRole('form', { name: 'Request cancellation' });
    assert.equal(await cancelForm.getByRole('textbox', { name: 'Reason', exact: true }).inputValue(), REASON);
    assert.equal(await cancelForm.getByLabel('Reason code').inputValue(), '', 'the reason code is the seller\'s');
    const adjustForm = s.getByRole('form', { name: 'Apply billing adjustment' });
    assert.equal(await adjustForm.getByLabel('Invoice').inputValue(), chosen);
    assert.equal(await adjustForm.getByRole('textbox', { name: 'Refund amount' }).inputValue(), '');
    assert.equal(await adjustForm.getByRole('textbox', { name: 'Reason', exact: true }).inputValue(), REASON);
    await expectNoAxeViolations(s);

    // Nothing was sent by opening it: only the seller's own submit sends the request.
    const history = s.getByRole('region', { name: 'The case' });
    assert.equal(await history.getByText('Pending approval').count(), 0);
    await cancelForm.getByLabel('Reason code').selectOption({ label: 'Replacing it with a new agreement' });
    await cancelForm.getByRole('button', { name: 'Review request' }).click();
    await s.getByRole('button', { name: 'Submit cancellation request' }).click();
    await s.getByText(/Your cancellation request acr-\S+ has been submitted to AWS/).waitFor();
    await buyer.context.close();
    await seller.context.close();
  });

  test('an edited link is explained and fills in nothing', async () => {
    const buyer = await buyerWithForm();
    await buyer.page.getByRole('checkbox', { name: 'Cancel this agreement' }).check();
    await buyer.page.getByRole('textbox', { name: 'Reason' }).fill('We no longer use it.');
    await buyer.page.getByRole('button', { name: 'Make the link' }).click();
    const link = await buyer.page.getByRole('textbox', { name: 'Link for the seller' }).inputValue();
    const [before, fragment] = link.split('#');
    const at = 12;
    const edited = `${before}#${fragment.slice(0, at)}${fragment[at] === 'A' ? 'B' : 'A'}${fragment.slice(at + 1)}`;

    const seller = await app.device();
    await open(seller.page, edited);
    await seller.page.getByRole('alert').filter({ hasText: 'This link is damaged or altered' }).waitFor();
    assert.equal(await seller.page.getByRole('form').count(), 0);
    assert.equal(await seller.page.getByRole('heading', { name: `Agreement ${buyer.id}` }).count(), 0);
    await expectNoAxeViolations(seller.page);
    await buyer.context.close();
    await seller.context.close();
  });

  test('a link for an agreement this workbench does not hold says so and leads to Import from AWS', async () => {
    const seller = await app.device();
    const link = sealedLink({ agreement: 'agmt-notinthisbook42', buyer: '444455556666', reason: 'Please cancel it.', seconds: 1_790_000_000 });
    await open(seller.page, link);
    const s = seller.page;
    await s.getByRole('heading', { level: 1, name: 'Agreement not found' }).waitFor();
    await s.getByText('This workbench holds no agreement agmt-notinthisbook42.', { exact: false }).waitFor();
    await s.getByRole('link', { name: 'Import from AWS' }).click();
    await s.waitForURL(app.url('/seller/data'));
    await s.getByRole('heading', { name: 'Import from AWS' }).waitFor();
    await seller.context.close();
  });
});
