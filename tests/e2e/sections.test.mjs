// The seller console in sections with their own addresses, the filters kept in the address,
// the "Needs attention" queue as items come and go, and the buyer's pages without the
// seller's navigation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoAxeViolations, open, startApp, storedRecords } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const SECTIONS = [
  ['Agreements', '/seller'],
  ['Needs attention', '/seller/attention'],
  ['FPS subscriptions', '/seller/fps'],
  ['Support cases', '/seller/support'],
  ['Event log', '/seller/events'],
  ['Data', '/seller/data'],
];

const sections = (page) => page.getByRole('navigation', { name: 'Console sections' });
const heading = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const path = (page) => new URL(page.url()).pathname;
const search = (page) => new URL(page.url()).searchParams;

describe('console sections', () => {
  test('every section is reached from the navigation, and reload and back land on the same one', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    for (const [name, address] of SECTIONS) {
      await sections(page).getByRole('link', { name }).click();
      await heading(page, name).waitFor();
      assert.equal(path(page), address);
      assert.match(await page.title(), new RegExp(`^${name} · `));
      assert.equal(await sections(page).getByRole('link', { name }).getAttribute('aria-current'), 'page');
    }
    await page.reload();
    await heading(page, 'Data').waitFor();
    await page.goBack();
    await heading(page, 'Event log').waitFor();
    assert.equal(path(page), '/seller/events');
    await page.goForward();
    await heading(page, 'Data').waitFor();
    await context.close();
  });

  test('the filters and the page live in the address: reload, back and forward restore them', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller?buyer=444455556666&status=Active'));
    assert.equal(await page.getByLabel('Buyer ID').inputValue(), '444455556666');
    assert.equal(await page.getByLabel('Status').inputValue(), 'ACTIVE');
    await page.getByRole('heading', { name: /^\d+ agreements? match/ }).waitFor();
    const filtered = await page.getByRole('heading', { name: /agreements? match/ }).textContent();

    await page.getByLabel('Product').fill('BI');
    await page.waitForURL((url) => url.searchParams.get('product') === 'BI');
    await page.reload();
    await heading(page, 'Agreements').waitFor();
    assert.equal(await page.getByLabel('Product').inputValue(), 'BI');
    assert.equal(await page.getByLabel('Buyer ID').inputValue(), '444455556666');

    // Typing replaced the address; going back leaves the filtered list.
    await page.getByLabel('Product').fill('');
    await page.waitForURL((url) => !url.searchParams.has('product'));
    await page.getByRole('heading', { name: filtered }).waitFor();
    await context.close();
  });

  test('a page of results is a step in the history', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    // One of the acting seller's agreements, stored again under 60 new IDs (as format 1, which
    // the app reads and migrates), so that the list holds more than one page.
    const [record] = Object.values(await storedRecords(page, 'cw.agreement.')).filter(
      (r) => r.agreement.seller === '111122223333' && r.requests.length === 0,
    );
    const copies = Array.from({ length: 60 }, (_, i) => {
      const data = JSON.parse(JSON.stringify({ ...record, events: [] }).replaceAll(`"${record.agreement.id}"`, `"${record.agreement.id}-p${i}"`));
      return [`cw.agreement.${data.agreement.id}`, JSON.stringify({ format: 1, version: 1, data })];
    });
    await page.evaluate((entries) => entries.forEach(([k, v]) => localStorage.setItem(k, v)), copies);
    await page.reload();
    const pager = page.getByRole('navigation', { name: 'Result pages' });
    await pager.getByText('Page 1 of').waitFor();
    await pager.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await pager.getByText('Page 2 of').waitFor();
    await page.goBack();
    await pager.getByText('Page 1 of').waitFor();
    assert.equal(search(page).has('page'), false);
    await page.goForward();
    await pager.getByText('Page 2 of').waitFor();
    await context.close();
  });

  test('an address with a value that cannot be an ID says so beside the field, as typing it does', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller?buyer=4444-5555'));
    const fromAddress = await page.locator('#filter-buyer-error').textContent();
    assert.ok(fromAddress.length > 0, 'a message beside Buyer ID');
    assert.equal(await page.getByLabel('Buyer ID').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Buyer ID').fill('');
    await page.getByLabel('Buyer ID').fill('4444-5555');
    // A typed filter is taken after the key's paint: wait for its message before reading it.
    await page.locator('#filter-buyer-error').filter({ hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('#filter-buyer-error').textContent(), fromAddress);
    await context.close();
  });
});

describe('needs attention', () => {
  const queue = (page) => page.getByRole('listitem').filter({ has: page.getByRole('link', { name: /^Agreement |^Support case / }) });

  /** Sends a cancellation request from the agreement page that is open. */
  async function sendRequest(page) {
    await page.getByRole('button', { name: 'Request cancellation' }).click();
    await page.getByLabel('Reason code').selectOption({ label: 'It was a test agreement' });
    await page.getByLabel('Reason', { exact: true }).fill('Created by our QA team to test provisioning');
    await page.getByRole('button', { name: 'Review request' }).click();
    await page.getByRole('button', { name: 'Submit cancellation request' }).click();
    await page.getByText('Pending approval', { exact: true }).first().waitFor();
  }

  async function openQueue(page) {
    await sections(page).getByRole('link', { name: 'Needs attention' }).click();
    await heading(page, 'Needs attention').waitFor();
  }

  test('a request waiting for the buyer appears with its time left, and leaves when it is withdrawn', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller?buyer=444455556666&status=ACTIVE'));
    const row = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').filter({ hasText: 'None' }).first();
    const id = (await row.getByRole('link').textContent()).trim();

    await openQueue(page);
    const mine = queue(page).filter({ hasText: `Agreement ${id}` });
    assert.equal(await mine.count(), 0);
    const before = await queue(page).count();
    // The header and the navigation count what waits.
    const counted = await sections(page).getByRole('link', { name: /Needs attention/ }).textContent();

    await open(page, app.url(`/seller/agreements/${id}`));
    await sendRequest(page);

    await openQueue(page);
    // The countdown ticks each second, so a slow machine may already read a second less.
    await mine.getByText(/Waiting for the buyer: approved automatically in (7 days|6 days 23 hours)/).waitFor();
    assert.equal(await queue(page).count(), before + 1);
    assert.notEqual(await sections(page).getByRole('link', { name: /Needs attention/ }).textContent(), counted);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Seller console · \d+ waiting/ }).waitFor();
    await expectNoAxeViolations(page);

    await mine.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByLabel('Reason for withdrawing').fill('Sent to the wrong agreement');
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByText('Withdrawn', { exact: true }).waitFor();
    await openQueue(page);
    await page.getByRole('status').filter({ hasText: /wait|Nothing/ }).waitFor();
    assert.equal(await mine.count(), 0);
    await context.close();
  });

  test('a request the buyer denied appears, and leaves when the seller asks again', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/buyer'));
    const first = page.getByRole('article', { name: /^Request for agreement / }).first();
    const id = (await first.getAttribute('aria-label')).replace('Request for agreement ', '');
    const request = page.getByRole('article', { name: `Request for agreement ${id}`, exact: true });
    await request.getByRole('button', { name: 'Reject' }).click();
    await request.getByLabel('Rejection reason').fill('We still use it every day');
    await request.getByRole('button', { name: 'Send rejection' }).click();
    await request.waitFor({ state: 'detached' });

    const seller = await context.newPage();
    await open(seller, app.url('/seller/attention'));
    const mine = queue(seller).filter({ hasText: `Agreement ${id}` });
    await mine.getByText(/The buyer denied the cancellation/).waitFor();
    await mine.getByRole('link').click();
    await seller.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
    await sendRequest(seller);
    await openQueue(seller);
    await mine.getByText(/Waiting for the buyer/).waitFor();
    assert.equal(await mine.filter({ hasText: /denied/ }).count(), 0);
    await context.close();
  });

  test('a support case in Action Required appears, and leaves when the seller replies', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/attention'));
    const item = queue(page).filter({ hasText: /Action Required/ }).first();
    const name = (await item.getByRole('link').textContent()).trim();
    await item.getByRole('link').click();
    await heading(page, 'Support cases').waitFor();
    const article = page.getByRole('article', { name });
    await article.getByLabel('Reply').fill('Invoice 2028746231; cancel at the end of the cycle.');
    await article.getByRole('button', { name: 'Send reply' }).click();
    await article.getByText('Pending', { exact: true }).waitFor();
    await openQueue(page);
    assert.equal(await queue(page).filter({ hasText: name }).count(), 0);
    await context.close();
  });

  test('storage nearly full is in the queue until room is made', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/attention'));
    const item = page.getByText(/This browser's storage is \d+ % full: archive closed cases before changes stop being saved/);
    assert.equal(await item.count(), 0);
    // Another site's data on the same origin takes most of the quota.
    await page.evaluate(() => localStorage.setItem('filler', 'x'.repeat(4_400_000)));
    await page.reload();
    await heading(page, 'Needs attention').waitFor();
    await item.waitFor();
    await item.getByRole('link', { name: 'Go to Data' }).waitFor();
    await page.evaluate(() => localStorage.removeItem('filler'));
    await page.reload();
    await heading(page, 'Needs attention').waitFor();
    assert.equal(await item.count(), 0);
    await context.close();
  });

  test('a pending refund appears until billing processes it', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller?buyer=555566667777'));
    const link = page.getByRole('region', { name: 'Matching agreements' }).getByRole('row').nth(1).getByRole('link');
    const id = (await link.textContent()).trim();
    await link.click();
    await page.getByRole('button', { name: 'Apply billing adjustment' }).click();
    await page.getByLabel('Refund amount').fill('1.00');
    await page.getByLabel('Reason code').selectOption({ label: 'Usage was metered incorrectly' });
    await page.getByLabel('Reason', { exact: true }).fill('Usage was double-counted on 3 March');
    await page.getByRole('button', { name: 'Review billing adjustment' }).click();
    await page.getByLabel('Type the total to confirm').fill('1.00 USD');
    await page.getByRole('button', { name: 'Submit billing adjustment' }).click();
    await page.getByRole('region', { name: 'Billing adjustment result' }).waitFor();

    await openQueue(page);
    const mine = queue(page).filter({ hasText: `Agreement ${id}` }).filter({ hasText: /Refund on invoice .* pending/ });
    await mine.waitFor();
    await page.getByRole('button', { name: '+1 day' }).click();
    await page.getByText('Simulated time').waitFor();
    await page.waitForFunction(
      (agreement) => ![...document.querySelectorAll('li')].some((li) => li.textContent.includes(agreement) && /pending/.test(li.textContent)),
      `Agreement ${id}`,
    );
    await context.close();
  });
});

describe("the buyer's pages", () => {
  for (const width of [320, 1280]) {
    test(`/buyer and /receipt at ${width} px have no seller navigation and fold the demo clock away`, async () => {
      const { page, context } = await app.device({ viewport: { width, height: 640 } });
      for (const address of ['/buyer', '/receipt']) {
        await open(page, app.url(address));
        assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
        assert.equal(await page.getByRole('navigation', { name: 'Console sections' }).count(), 0);
        assert.equal(await page.getByRole('link', { name: /seller console/i }).count(), 0);
        assert.equal(await page.getByRole('button', { name: '+7 days' }).isVisible(), false);
        if (address === '/buyer' && width === 320) {
          // The first request's question, deadline and buttons fit the first screen.
          const approve = page.getByRole('button', { name: 'Approve' }).first();
          const box = await approve.boundingBox();
          assert.ok(box.y + box.height <= 640, `Approve ends at ${box.y + box.height} px`);
          assert.ok(box.height >= 44, `Approve is ${box.height} px tall`);
        }
        await page.getByText('Demo clock').click();
        await page.getByRole('button', { name: '+7 days' }).waitFor();
        await expectNoAxeViolations(page);
      }
      await context.close();
    });
  }

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
