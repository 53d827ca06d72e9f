// The buyer's link is a bundle of its own: a confirmation link loads only that bundle, the
// seller's pages only theirs, from the same index.html. In the seller's own browser the
// page hands each decision to the workbench as a receipt, whether a workbench tab is open
// or opens later; a receipt from another browser's link is left to that browser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, fetchedDuring, open, sellerWithPendingRequest, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

async function approve(page) {
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
  await page.getByRole('heading', { name: 'Send your decision to the seller' }).waitFor();
}

describe("the buyer's link bundle", () => {
  test('the deadline is written in the buyer\'s own locale and time zone, and names the zone', async () => {
    const seller = await sellerWithPendingRequest(app);
    const deadlineIn = async (options) => {
      const { page, context } = await app.device(options);
      await open(page, seller.link);
      await page.getByRole('button', { name: 'Approve' }).waitFor();
      const text = await page.locator('dt', { hasText: 'Approved automatically' }).locator('xpath=following-sibling::dd[1]').innerText();
      await context.close();
      return text;
    };
    const berlin = await deadlineIn({ locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    const newYork = await deadlineIn({ locale: 'en-US', timezoneId: 'America/New_York' });
    assert.match(berlin, /\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} (CET|CEST)$/, berlin);
    assert.match(newYork, /\b[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2} (AM|PM) (EST|EDT)$/, newYork);
    const [, h1, m1] = berlin.match(/(\d{2}):(\d{2}) C/);
    const [, h2, m2, half] = newYork.match(/(\d{2}):(\d{2}) (AM|PM)/);
    const newYorkHour = (Number(h2) % 12) + (half === 'PM' ? 12 : 0);
    assert.equal(m1, m2);
    assert.equal((Number(h1) - newYorkHour + 24) % 24, 6, `${berlin} is six hours ahead of ${newYork}`);
    await seller.context.close();
  });

  test('a confirmation link loads the small bundle and the shared stylesheet, never the workbench or its stylesheet; the seller\'s pages the reverse', async () => {
    const seller = await sellerWithPendingRequest(app);
    const buyer = await app.device();
    const linkFiles = await fetchedDuring(buyer.page, async () => {
      await open(buyer.page, seller.link);
      await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    });
    assert.ok(linkFiles.some((u) => /workbench-link_bg\.wasm$/.test(u)), linkFiles.join(', '));
    assert.ok(!linkFiles.some((u) => /cancellation-workbench/.test(u)), linkFiles.join(', '));
    assert.ok(linkFiles.some((u) => /\/base-[0-9a-f]+\.css$/.test(u)), linkFiles.join(', '));
    assert.ok(!linkFiles.some((u) => /\/console-[0-9a-f]+\.css$/.test(u)), linkFiles.join(', '));
    const sellerFiles = await fetchedDuring(buyer.page, () => open(buyer.page, app.url('/seller')));
    assert.ok(sellerFiles.some((u) => /cancellation-workbench-[0-9a-f]+_bg\.wasm$/.test(u)), sellerFiles.join(', '));
    assert.ok(!sellerFiles.some((u) => /workbench-link/.test(u)), sellerFiles.join(', '));
    assert.ok(sellerFiles.some((u) => /\/console-[0-9a-f]+\.css$/.test(u)), sellerFiles.join(', '));
    await seller.context.close();
    await buyer.context.close();
  });

  test('a link opens in either form: a new one all after #, and one handed out before with its token in the path', async () => {
    const seller = await sellerWithPendingRequest(app);
    const sent = new URL(seller.link);
    assert.equal(sent.pathname, '/confirm/', 'no part of the link in the path a server sees');
    const [token, secret] = sent.hash.slice(1).split('.');
    const before = app.url(`/confirm/${token}#${secret}`);
    const requestOn = (page) => page.locator('dt', { hasText: 'Cancellation request' }).locator('xpath=following-sibling::dd[1]').innerText();
    const buyer = await app.device();
    await open(buyer.page, seller.link);
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    const request = await requestOn(buyer.page);
    await open(buyer.page, before);
    await buyer.page.getByRole('heading', { level: 1, name: /asks to cancel/ }).waitFor();
    assert.equal(await requestOn(buyer.page), request);
    await approve(buyer.page);
    const code = await buyer.page.getByLabel('Receipt code').inputValue();
    await seller.page.getByLabel('Decision receipt').fill(code);
    await seller.page.getByRole('button', { name: 'Apply receipt' }).click();
    await seller.page.getByText(/Receipt applied\. On .*, the buyer approved the cancellation/).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('the page follows its address: the genuine fragment put after a damaged one is read afresh', async () => {
    const seller = await sellerWithPendingRequest(app);
    const buyer = await app.device();
    const [path, fragment] = seller.link.split('#');
    await open(buyer.page, `${path}#${'A'.repeat(fragment.length)}`);
    await buyer.page.getByRole('heading', { level: 1, name: 'This link is damaged or altered' }).waitFor();
    await buyer.page.goto(seller.link);
    await buyer.page.getByRole('heading', { level: 1, name: /asks to cancel/ }).waitFor();
    await buyer.page.getByRole('button', { name: 'Approve' }).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test('decided in the seller\'s browser with no workbench tab open, the decision applies when the workbench next opens', async () => {
    const seller = await sellerWithPendingRequest(app);
    await open(seller.page, seller.link);
    await approve(seller.page);
    await open(seller.page, app.url(`/seller/agreements/${seller.id}`));
    await seller.page.getByText(/Receipt applied\. On .*, the buyer approved the cancellation/).waitFor();
    await seller.page.getByRole('region', { name: 'The case' }).getByText('Approved', { exact: true }).waitFor();
    // Opened again, the link says the request is settled instead of asking again.
    await open(seller.page, seller.link);
    await seller.page.getByText(/This request is approved since .*: there is nothing left to decide\./).waitFor();
    assert.equal(await seller.page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await seller.page.getByText(/approved automatically in/).count(), 0, 'no time left is counted down');
    await seller.context.close();
  });

  test("a receipt made from another browser's link is left to that browser, with no notice here", async () => {
    const seller = await sellerWithPendingRequest(app);
    // The buyer's browser runs a workbench of its own, with the same demo under other secrets.
    const buyer = await app.device();
    await open(buyer.page, app.url('/seller'));
    const workbenchTab = await buyer.context.newPage();
    await open(workbenchTab, app.url('/seller'));
    await open(buyer.page, seller.link);
    await approve(buyer.page);
    const code = await buyer.page.getByLabel('Receipt code').inputValue();
    await workbenchTab.waitForFunction(() => localStorage.getItem('cw-link.inbox') === null);
    assert.equal(await workbenchTab.getByText(/Receipt applied|not made from the genuine link/).count(), 0);
    // The seller's workbench applies the same receipt when it is sent there.
    await seller.page.getByLabel('Decision receipt').fill(code);
    await seller.page.getByRole('button', { name: 'Apply receipt' }).click();
    await seller.page.getByText(/Receipt applied\./).waitFor();
    await seller.context.close();
    await buyer.context.close();
  });

  test("the demo clock is one clock for the workbench and the buyer's page of a browser", async () => {
    const seller = await sellerWithPendingRequest(app);
    await seller.page.getByRole('button', { name: '+1 day' }).click();
    const tab = await seller.context.newPage();
    await open(tab, seller.link);
    await tab.getByText('Demo clock').click();
    await tab.getByText('Simulated time').waitFor();
    await tab.getByRole('button', { name: '+7 days' }).click();
    await tab.getByText(/the request was approved automatically/).waitFor();
    await seller.page.getByRole('region', { name: 'The case' }).getByText('Approved (automatically, after 7 days)').waitFor();
    await seller.context.close();
  });

  test('on a 320-pixel phone the question, the deadline and both answers fit the first screen, with buttons a thumb can hit', async () => {
    const seller = await sellerWithPendingRequest(app);
    const phone = await app.device({ viewport: { width: 320, height: 568 } });
    await open(phone.page, seller.link);
    const screen = phone.page.viewportSize();
    const onFirstScreen = async (locator, what) => {
      const box = await locator.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= screen.height, `${what} at ${JSON.stringify(box)}`);
      return box;
    };
    await onFirstScreen(phone.page.getByRole('heading', { level: 1 }), 'the question');
    await onFirstScreen(phone.page.getByText(/approved automatically in/), 'the deadline');
    for (const name of ['Approve', 'Reject']) {
      const box = await onFirstScreen(phone.page.getByRole('button', { name }), name);
      assert.ok(box.height >= 44, `${name} is ${box.height} px tall`);
    }
    assert.equal(await phone.page.evaluate(() => document.documentElement.scrollWidth <= 320), true, 'no sideways scrolling');
    await expectNoAxeViolations(phone.page);
    await seller.context.close();
    await phone.context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
