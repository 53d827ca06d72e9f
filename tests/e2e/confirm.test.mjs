// The confirmation link across two devices (two browser contexts, which share nothing):
// the seller shares the link, the buyer decides on their own device, the decision comes
// back as a receipt; in the seller's own browser it applies at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, sellerWithPendingRequest, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const CLIPBOARD = { permissions: ['clipboard-read', 'clipboard-write'] };
const PHONE = { viewport: { width: 390, height: 844 }, ...CLIPBOARD };

/** The buyer's decision on their own device (a fresh context: nothing of the seller's). */
async function buyerDecides(link, decide) {
  const device = await app.device(PHONE);
  const { page } = device;
  await open(page, link);
  await page.getByRole('heading', { level: 1, name: /asks to cancel/ }).waitFor();
  await decide(page);
  await page.getByRole('heading', { name: 'Send your decision to the seller' }).waitFor();
  const receiptLink = await page.getByRole('textbox', { name: 'Receipt link' }).inputValue();
  const code = await page.getByLabel('Receipt code').inputValue();
  assert.equal(receiptLink.split('#')[1], code);
  return { ...device, receiptLink, code };
}

const approve = async (page) => {
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText(/Approving cancels agreement .* for good/).waitFor();
  await page.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
};

const reject = (reason) => async (page) => {
  await page.getByRole('button', { name: 'Reject' }).click();
  await page.getByLabel('Rejection reason').fill(reason);
  await page.getByRole('button', { name: 'Send rejection' }).click();
};

async function applyReceipt(page, code) {
  await page.getByLabel('Decision receipt').fill(code);
  await page.getByRole('button', { name: 'Apply receipt' }).click();
}

function caseTerms(page) {
  return page.getByRole('region', { name: 'The case' });
}

/** A seller's device with the cancellation form open on an Acme agreement with no request. */
async function cancellationFormOfActiveAgreement() {
  const device = await app.device();
  const { page } = device;
  await open(page, app.url('/seller'));
  await page.getByLabel('Buyer ID').fill('444455556666');
  // The list takes a typed filter after the key's paint; the address follows it.
  await page.waitForURL(/buyer=444455556666/);
  const row = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: 'Active' }).filter({ hasText: 'None' }).first();
  const id = (await row.getByRole('link').textContent()).trim();
  await row.getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
  await page.getByRole('button', { name: 'Request cancellation' }).click();
  await page.getByLabel('Reason code').selectOption({ label: 'Replacing it with a new agreement' });
  return device;
}

describe('confirmation link and receipts', () => {
  test('approved on another device: the receipt applies, both sides say Approved, the events carry the decision time', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    assert.ok(seller.link.startsWith(app.url('/confirm/')));
    assert.ok(seller.link.length < 2000, `${seller.link.length} characters`);
    const buyer = await buyerDecides(seller.link, approve);
    await expectNoAxeViolations(buyer.page);
    await buyer.page.getByText('Your decision is sealed in this receipt', { exact: false }).waitFor();
    // Answered, the request no longer waits for the buyer: the receipt decides it, in time.
    await buyer.page.getByText(/^Your decision counts once the seller opens your receipt\. If it has not reached them by .+, the request is approved automatically then\.$/).waitFor();
    assert.equal(await buyer.page.getByText(/Without an answer/).count(), 0);
    await buyer.page.getByRole('button', { name: 'Copy link' }).click();
    await buyer.page.getByText('Link copied.').waitFor();
    assert.equal(await buyer.page.evaluate(() => navigator.clipboard.readText()), buyer.receiptLink);
    const decidedBy = Date.now();

    await applyReceipt(seller.page, buyer.code);
    await seller.page.getByText(/Receipt applied\. On .*, the buyer approved the cancellation/).waitFor();
    await caseTerms(seller.page).getByText('Approved', { exact: true }).waitFor();
    await seller.page.getByRole('region', { name: 'Terms' }).getByText('Cancelled', { exact: true }).waitFor();
    const approved = seller.page
      .getByRole('region', { name: 'Events' })
      .getByRole('listitem')
      .filter({ hasText: 'Agreement Cancellation Request Approved - Proposer' });
    await approved.locator('summary').click();
    const event = JSON.parse(await approved.locator('pre').textContent());
    assert.ok(Date.parse(event.time) <= decidedBy, 'stamped with the time the buyer decided');
    assert.equal(event.detail.agreementCancellationRequest.statusCode, 'APPROVED');

    // The buyer's bus got its event too: the buyer view of the seller's browser shows it.
    await open(seller.page, app.url('/buyer'));
    await seller.page.getByLabel('Signed in as buyer').selectOption(event.detail.agreement.acceptorId);
    await seller.page.getByRole('region', { name: 'Events on your bus (- Acceptor)' }).getByText(/Agreement Cancellation Request Approved - Acceptor/).first().waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('rejected on another device with a reason: the seller, opening the receipt link, reads it as text', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const reason = 'We still need it <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const buyer = await buyerDecides(seller.link, reject(reason));
    await open(seller.page, buyer.receiptLink);
    await seller.page.getByText(/Receipt applied\..*the buyer rejected the cancellation/).waitFor();
    await seller.page.getByRole('link', { name: `Open agreement ${seller.id}` }).click();
    await caseTerms(seller.page).getByText('Denied', { exact: true }).waitFor();
    await caseTerms(seller.page).getByText(reason, { exact: true }).waitFor();
    assert.equal(await seller.page.evaluate(() => window.__pwned), undefined, 'shown, never run');
    await seller.context.close();
    await buyer.context.close();
  });

  test('a receipt applied twice changes nothing the second time and says so', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const buyer = await buyerDecides(seller.link, approve);
    await applyReceipt(seller.page, buyer.code);
    await seller.page.getByText(/Receipt applied\./).waitFor();
    await open(seller.page, buyer.receiptLink);
    await seller.page.getByText(/This receipt was already applied on .*; nothing changed\./).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('a forged or edited receipt is refused and nothing changes', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const buyer = await buyerDecides(seller.link, approve);
    const sealed = buyer.code.slice(buyer.code.indexOf('.') + 1);
    const at = Math.floor(sealed.length / 2);
    const edited = buyer.code.slice(0, buyer.code.length - sealed.length + at) +
      (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    await applyReceipt(seller.page, edited);
    await seller.page.getByText(/not made from the genuine link|not a decision receipt/).waitFor();
    assert.equal(await seller.page.getByLabel('Decision receipt').inputValue(), edited, 'what was pasted stays');

    // A receipt sealed with a secret of the forger's own, for the same request.
    const forger = await app.device();
    const forgedLink = seller.link.replace(/#.*$/, '#' + 'A'.repeat(43));
    await open(forger.page, forgedLink);
    await forger.page.getByRole('heading', { level: 1, name: 'This link is damaged or altered' }).waitFor();
    await caseTerms(seller.page).getByText('Pending approval', { exact: true }).waitFor();
    await seller.context.close();
    await buyer.context.close();
    await forger.context.close();
  });

  test('the receipt page follows its address: the genuine receipt put after a forged one is applied', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const buyer = await buyerDecides(seller.link, approve);
    const sealed = buyer.code.slice(buyer.code.indexOf('.') + 1);
    const at = Math.floor(sealed.length / 2);
    const forged = buyer.code.slice(0, buyer.code.length - sealed.length + at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    await open(seller.page, buyer.receiptLink.replace(/#.*$/, `#${forged}`));
    await seller.page.getByText(/not made from the genuine link/).waitFor();
    await seller.page.goto(buyer.receiptLink);
    await seller.page.getByText(/Receipt applied\. On .*, the buyer approved the cancellation/).waitFor();
    await seller.page.getByRole('link', { name: `Open agreement ${seller.id}` }).click();
    await caseTerms(seller.page).getByText('Approved', { exact: true }).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('a receipt for a request withdrawn in the meantime is a conflict and changes nothing', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const buyer = await buyerDecides(seller.link, approve);
    await seller.page.getByRole('button', { name: 'Withdraw request' }).click();
    await seller.page.getByLabel('Reason for withdrawing').fill('Sent to the wrong buyer account');
    await seller.page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await caseTerms(seller.page).getByText('Withdrawn', { exact: true }).waitFor();
    await applyReceipt(seller.page, buyer.code);
    await seller.page.getByText(/Nothing changed: the seller withdrew request .* before the buyer's decision to approve reached it\./).waitFor();
    await caseTerms(seller.page).getByText('Withdrawn', { exact: true }).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('opened in a tab of the seller\'s own browser, the decision applies at once and the seller tab shows it', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const tab = await seller.context.newPage();
    await open(tab, seller.link);
    await approve(tab);
    await tab.getByText(/This request is approved since .*: there is nothing left to decide\./).waitFor();
    await caseTerms(seller.page).getByText('Approved', { exact: true }).waitFor();
    await seller.page.getByRole('region', { name: 'Terms' }).getByText('Cancelled', { exact: true }).waitFor();
    await seller.context.close();
  });

  test('opened after the deadline, the link says it was approved automatically and offers no decision', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const buyer = await app.device(PHONE);
    await open(buyer.page, seller.link);
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    await buyer.page.getByText('Demo clock').click();
    await buyer.page.getByRole('button', { name: '+7 days' }).click();
    await buyer.page.getByText(/the request was approved automatically and the agreement is cancelled/).waitFor();
    assert.equal(await buyer.page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await buyer.page.getByRole('button', { name: 'Reject' }).count(), 0);
    await seller.context.close();
    await buyer.context.close();
  });

  test('every single-character edit of a genuine link is refused, with no decision possible', async () => {
    const seller = await sellerWithPendingRequest(app, CLIPBOARD);
    const buyer = await app.device();
    await open(buyer.page, seller.link);
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    const path = seller.link.slice(seller.link.indexOf('/confirm/'));
    const start = '/confirm/'.length;
    const edits = [];
    for (let i = start; i < path.length; i++) {
      const c = path[i];
      edits.push(path.slice(0, i) + (c === 'A' ? 'B' : 'A') + path.slice(i + 1));
      edits.push(path.slice(0, i) + path.slice(i + 1));
      edits.push(path.slice(0, i) + 'x' + path.slice(i));
    }
    edits.push(path + 'x');
    // Each edit is opened as a navigation inside the running app (the router follows
    // history), which a full page load per edit would make far slower.
    const verdicts = await buyer.page.evaluate(async ({ all, genuine }) => {
      const heading = () => document.querySelector('h1')?.textContent ?? '';
      const decidable = () => [...document.querySelectorAll('button')].some((b) => ['Approve', 'Reject'].includes(b.textContent.trim()));
      const refused = () => heading() === 'This link is damaged or altered' && !decidable();
      const go = (href) => {
        history.pushState(null, '', href);
        window.dispatchEvent(new PopStateEvent('popstate'));
      };
      // Whether `ready` came true before the deadline, looking again after each task: the
      // page draws a moment after its address changes, and how long a moment depends on
      // the machine.
      const cameTrue = async (ready) => {
        const deadline = performance.now() + 5_000;
        while (!ready()) {
          if (performance.now() > deadline) return false;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        return true;
      };
      const asked = heading();
      const accepted = [];
      let tried = 0;
      for (const href of all) {
        // Every edit's page says the same, so the one before would pass for this one: each
        // edit starts from the genuine link's page, and its refusal can only be drawn for it.
        go(genuine);
        if (!(await cameTrue(() => heading() === asked && decidable()))) {
          throw new Error(`the page did not follow its address back to the genuine link before ${href}: it shows "${heading()}"`);
        }
        go(href);
        tried += 1;
        // One accepted edit fails the test; waiting out the deadline for every other
        // would only delay the report.
        if (!(await cameTrue(refused))) {
          accepted.push(href);
          break;
        }
      }
      return { tried, accepted };
    }, { all: edits, genuine: path });
    assert.deepEqual(verdicts.accepted, []);
    assert.equal(verdicts.tried, 3 * (path.length - start) + 1);
    // The genuine link, navigated to the same way, is still accepted.
    await buyer.page.evaluate((href) => {
      history.pushState(null, '', href);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, path);
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('a typical request\'s link stays short enough for a QR code a phone reads easily', async () => {
    const { page, context } = await cancellationFormOfActiveAgreement();
    const reason = 'The buyer moves to the new private offer with the renewed rate card and the extra support tier; '.repeat(3).slice(0, 200);
    assert.equal(reason.length, 200);
    await page.getByLabel('Reason', { exact: true }).fill(reason);
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();
    const link = await page.getByRole('textbox', { name: 'Confirmation link' }).inputValue();
    const hint = await page.getByText(/characters, QR code version \d+/).textContent();
    const version = Number(hint.match(/QR code version (\d+)/)[1]);
    console.log(`confirmation link for a 200-character reason: ${link.length} characters, QR code version ${version}`);
    assert.ok(link.length < 1000, `${link.length} characters`);
    assert.ok(version <= 25, `QR version ${version}`);
    await page.getByRole('img', { name: 'QR code of the confirmation link' }).waitFor();
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('a request with every text at its longest is said to be cut before sending, and its link stays under 2,000 characters', async () => {
    const { page, context } = await cancellationFormOfActiveAgreement();
    await page.getByLabel('Reason', { exact: true }).fill('The buyer moves to the renewed private offer; '.repeat(50).slice(0, 2000));
    await page.getByLabel('Support case ID').fill('1'.repeat(2000));
    await page.getByLabel("Buyer's request reference").fill('ü'.repeat(2000));
    await page.getByLabel('Intended next step').fill('Replace with offer-7hxk2p9qv4m3. '.repeat(70).slice(0, 2000));
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByText(/Too long for the confirmation link: .*the buyer's page shows the first \d+ of the 2000 characters of the reason and the first \d+ of the \d+ characters of the details for the buyer/).waitFor();
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();
    const link = await page.getByRole('textbox', { name: 'Confirmation link' }).inputValue();
    assert.ok(link.length < 2000, `${link.length} characters`);
    await page.getByRole('img', { name: 'QR code of the confirmation link' }).waitFor();
    const buyer = await app.device(PHONE);
    await open(buyer.page, link);
    await buyer.page.getByText(/The buyer moves to the renewed private offer; .*\[… the first \d+ of 2000 characters: the seller has the whole text\]/).waitFor();
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    await context.close();
    await buyer.context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
