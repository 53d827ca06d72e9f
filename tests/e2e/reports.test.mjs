// The Reports page: reached from the console's sections, its period and filters kept in the
// address, charts with their tables, the CSV holding the page's figures, a period with
// nothing in it said so, a buyer's approval moving the count and its chart, and the first
// screen of every section on a phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expectNoAxeViolations, open, sellerWithPendingRequest, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const heading = (page) => page.getByRole('heading', { level: 1, name: 'Reports', exact: true });
const search = (page) => new URL(page.url()).searchParams;
const figure = (page, name) => page.getByRole('figure', { name });
const OUTCOMES = 'How the requests sent in the period ended';

/** The number a row of a chart's table gives, by the row's heading. */
async function cell(page, chart, row) {
  const text = await figure(page, chart).getByRole('row', { name: row }).getByRole('cell').first().textContent();
  return Number(text.trim());
}

/** The value of a figure of the page's term lists, by its term. */
async function term(page, name) {
  return (await page.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]').textContent()).trim();
}

async function saveDownload(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

describe('reports', () => {
  test('the section is reached from the navigation and draws every chart above its numbers, at 320 and 1280 px', async () => {
    for (const width of [320, 1280]) {
      const { page, context } = await app.device({ viewport: { width, height: 640 } });
      await open(page, app.url('/seller/attention'));
      await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Reports' }).click();
      await heading(page).waitFor();
      assert.match(await page.title(), /^Reports · /);
      const box = await heading(page).boundingBox();
      assert.ok(box.y + box.height <= 640, `the heading ends at ${box.y + box.height} px`);
      for (const name of [OUTCOMES, 'Why the requests were sent, most common first', 'Requests sent, month by month', 'Refunds in USD by reason code, largest first']) {
        const chart = figure(page, name);
        await chart.getByRole('img').waitFor();
        assert.ok((await chart.getByRole('row').count()) > 1, `${name} has its table`);
      }
      const sent = Number(await term(page, 'Sent'));
      assert.ok(sent > 0, 'the demo sent requests in the last 90 days');
      let outcomes = 0;
      for (const row of ['Approved by the buyer', 'Approved automatically after 7 days', 'Rejected by the buyer', 'Withdrawn by the seller', 'Still pending', 'Failed validation']) {
        outcomes += await cell(page, OUTCOMES, row);
      }
      assert.equal(outcomes, sent, 'the outcomes add up to what was sent');
      await expectNoAxeViolations(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `nothing wider than the screen at ${width} px (${overflow} px over)`);
      await context.close();
    }
  });

  test('a change of period redraws the report and goes into the address, which a reload keeps', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/reports'));
    const covers = page.locator('.report-covers');
    const before = await covers.textContent();
    await page.getByLabel('Period', { exact: true }).selectOption({ label: 'This year' });
    await page.waitForFunction((text) => document.querySelector('.report-covers').textContent !== text, before);
    assert.equal(search(page).get('period'), 'this-year');
    assert.match(await covers.textContent(), /^Covers 1 Jan \d{4} to /);
    await page.reload();
    await heading(page).waitFor();
    assert.equal(await page.getByLabel('Period', { exact: true }).inputValue(), 'this-year');
    await page.getByLabel('Period', { exact: true }).selectOption({ label: 'From and to dates' });
    await page.getByLabel('From', { exact: true }).fill('2026-01-01');
    await page.getByLabel('To', { exact: true }).fill('2026-03-31');
    await page.getByLabel('To', { exact: true }).dispatchEvent('change');
    await page.getByText('Covers 1 Jan 2026 to 31 Mar 2026.').waitFor();
    assert.equal(search(page).get('from'), '2026-01-01');
    assert.equal(search(page).get('to'), '2026-03-31');
    await page.goBack();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('to'));
    await context.close();
  });

  test('the product and offer filters live in the address and narrow the report', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/reports?period=this-year&product=prod-nwetl'));
    assert.equal(await page.getByLabel('Product', { exact: true }).inputValue(), 'prod-nwetl');
    await page.getByText(/^Covers .*, Northwind ETL Pipelines\.$/).waitFor();
    const offers = await page.getByLabel('Offer', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(offers, ['All offers', 'Northwind ETL Pipelines: public pricing', 'Northwind ETL Pipelines: private offer']);
    await page.getByLabel('Offer', { exact: true }).selectOption({ label: 'Northwind ETL Pipelines: private offer' });
    await page.waitForFunction(() => new URL(location.href).searchParams.get('offer') === 'offer-nwetlpriv');
    assert.equal(search(page).get('product'), 'prod-nwetl');
    await page.getByText('Amazon FPS, DevPay and Alibaba Cloud records name no AWS Marketplace product or offer', { exact: false }).waitFor();
    await page.getByLabel('Product', { exact: true }).selectOption({ label: 'All products' });
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('offer'));
    await context.close();
  });

  test("the CSV holds the page's figures, one row each with its period and filters", async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/reports?period=this-year'));
    const sent = await term(page, 'Sent');
    const approvedByBuyer = await cell(page, OUTCOMES, 'Approved by the buyer');
    const file = await saveDownload(page, () => page.getByRole('button', { name: 'Download CSV' }).click());
    assert.match(file.name, /^report-\d{4}-01-01-to-\d{4}-\d\d-\d\d\.csv$/);
    const lines = file.text.trim().split('\n');
    assert.equal(lines[0], 'from,to,seller,product,offer,section,figure,breakdown,currency,value');
    const year = file.name.slice(7, 11);
    assert.ok(lines.slice(1).every((l) => l.startsWith(`${year}-01-01,`) && l.split(',')[2] === '111122223333'), 'every row has its period and seller');
    const row = (figure, breakdown) => lines.find((l) => l.split(',')[6] === figure && l.split(',')[7] === breakdown)?.split(',')[9];
    assert.equal(row('requests_sent', ''), sent);
    assert.equal(Number(row('requests_by_outcome', 'approved_by_buyer')), approvedByBuyer);
    const completed = (await term(page, 'Completed')).match(/^(\d+):/)[1];
    assert.equal(row('refunds_completed', ''), completed);
    await context.close();
  });

  test('a period with nothing in it says why every chart is empty', async () => {
    const { page, context } = await app.device({ viewport: { width: 320, height: 640 } });
    await open(page, app.url('/seller/reports?period=dates&from=2020-01-01&to=2020-01-31'));
    await page.getByText('Nothing happened in 1 Jan 2020 to 31 Jan 2020: no cancellation request was sent, no refund made and no invoice issued.', { exact: false }).waitFor();
    const outcomes = figure(page, OUTCOMES);
    await outcomes.getByText('No cancellation request was sent in this period.').waitFor();
    assert.equal(await outcomes.getByRole('img').count(), 0);
    assert.equal(await outcomes.getByRole('table').count(), 0);
    await page.getByText('No refund was completed in this period', { exact: false }).waitFor();
    await expectNoAxeViolations(page);
    await open(page, app.url('/seller/reports?period=dates&from=2026-05-01&to=2026-04-01'));
    await page.getByRole('alert').getByText('The "to" date (2026-04-01) is before the "from" date (2026-05-01).').waitFor();
    await context.close();
  });

  test("a buyer's approval moves the report's \"approved by the buyer\" count and its chart", async () => {
    const seller = await sellerWithPendingRequest(app);
    const { page } = seller;
    await open(page, app.url('/seller/reports'));
    const before = await cell(page, OUTCOMES, 'Approved by the buyer');
    const buyer = await app.device();
    await open(buyer.page, seller.link);
    await buyer.page.getByRole('button', { name: 'Approve' }).click();
    await buyer.page.getByRole('button', { name: 'Yes, approve and cancel the agreement' }).click();
    const code = await buyer.page.getByLabel('Receipt code').inputValue();
    await buyer.context.close();
    await open(page, app.url(`/seller/agreements/${seller.id}`));
    await page.getByLabel('Decision receipt').fill(code);
    await page.getByRole('button', { name: 'Apply receipt' }).click();
    await page.getByRole('region', { name: 'Terms' }).getByText('Cancelled', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Reports' }).click();
    await heading(page).waitFor();
    assert.equal(await cell(page, OUTCOMES, 'Approved by the buyer'), before + 1);
    const chart = await figure(page, OUTCOMES).getByRole('img').getAttribute('aria-label');
    assert.match(chart, new RegExp(`Approved by the buyer ${before + 1};`));
    await seller.context.close();
  });

  test('home and Needs attention lead to this month\'s report', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/attention'));
    const link = page.getByRole('link', { name: /this month: see (why|how they ended|the reports)$/ });
    await link.click();
    await heading(page).waitFor();
    assert.equal(search(page).get('period'), 'this-month');
    await open(page, app.url('/'));
    await page.getByRole('link', { name: /this month: see/ }).waitFor();
    await context.close();
  });
});

describe('the console on a phone', () => {
  const SECTIONS = [
    ['Agreements', '/seller'],
    ['Needs attention', '/seller/attention'],
    ['FPS subscriptions', '/seller/fps'],
    ['Support cases', '/seller/support'],
    ['Event log', '/seller/events'],
    ['Reports', '/seller/reports'],
    ['Data', '/seller/data'],
  ];

  test('at 320 x 640 every section shows its heading and first content on the first screen, the clock folded', async () => {
    const { page, context } = await app.device({ viewport: { width: 320, height: 640 } });
    for (const [name, address] of SECTIONS) {
      await open(page, app.url(address));
      const h1 = page.getByRole('heading', { level: 1, name, exact: true });
      const box = await h1.boundingBox();
      assert.ok(box.y + box.height <= 400, `${name}: the heading ends at ${box.y + box.height} px`);
      const next = await h1.evaluate((h) => h.nextElementSibling.getBoundingClientRect().top);
      assert.ok(next < 640, `${name}: what follows the heading starts at ${next} px`);
      assert.equal(await page.getByRole('button', { name: '+7 days' }).isVisible(), false, 'the clock is folded');
      const nav = page.getByRole('navigation', { name: 'Console sections' });
      const links = await nav.getByRole('link').evaluateAll((as) => new Set(as.map((a) => Math.round(a.getBoundingClientRect().top))).size);
      assert.equal(links, 1, `${name}: the sections are one row`);
    }
    await page.getByText('Demo clock').click();
    await page.getByRole('button', { name: '+7 days' }).waitFor();
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
