// Everything in one file (export, checked import), and the workbench at scale: 10,000
// agreements with full history in the real quota, the 80 % warning with the archive of
// closed cases, and the cost of one action's write at 100 and at 10,000 agreements.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expectNoAxeViolations, open, startApp, storedRecords } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

function rows(page) {
  return page.getByRole('region', { name: 'Matching agreements' }).getByRole('row');
}

/** Resets the demo data from the console's Data section, then goes back to Agreements. */
async function resetTo(page, size) {
  const sections = page.getByRole('navigation', { name: 'Console sections' });
  await sections.getByRole('link', { name: 'Data' }).click();
  await page.getByLabel('Demo data to load').selectOption(size);
  await page.getByRole('button', { name: 'Reset demo data' }).click();
  await page.getByRole('button', { name: 'Yes, reset demo data' }).click();
  await page.getByText('The demo data was reset.').waitFor({ timeout: 180_000 });
  await sections.getByRole('link', { name: 'Agreements' }).click();
}

/** Withdraws the pending request of the first `count` listed agreements, through the UI. */
async function withdrawSome(page, count) {
  for (let i = 0; i < count; i++) {
    const row = rows(page).filter({ hasText: 'Pending approval' }).first();
    await row.getByRole('link').click();
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByLabel('Reason for withdrawing').fill('Measuring the cost of one write');
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByRole('region', { name: 'The case' }).getByText('Withdrawn', { exact: true }).waitFor();
    await page.goBack();
    await page.getByRole('region', { name: 'Matching agreements' }).waitFor();
  }
  return page.evaluate(() => {
    const writes = performance.getEntriesByName('workbench: change').map((e) => e.duration);
    performance.clearMeasures('workbench: change');
    return writes;
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function saveDownload(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

async function importFile(page, name, text) {
  await page.getByLabel('Import data').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

describe('your data', () => {
  test('an export imports back after a change, and only after the person sees what it replaces', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    const exported = await saveDownload(page, () => page.getByRole('button', { name: 'Export all data' }).click());
    assert.match(exported.name, /^workbench-\d{4}-\d\d-\d\d\.json$/);
    const before = await storedRecords(page, 'cw.agreement.');

    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Agreements' }).click();
    const row = rows(page).filter({ hasText: 'Pending approval' }).first();
    const id = (await row.getByRole('link').textContent()).trim();
    await row.getByRole('link').click();
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByLabel('Reason for withdrawing').fill('Changed after the export');
    await page.getByRole('button', { name: 'Confirm withdrawal' }).click();
    await page.getByRole('region', { name: 'The case' }).getByText('Withdrawn', { exact: true }).waitFor();

    await open(page, app.url('/seller/data'));
    await importFile(page, exported.name, exported.text);
    const question = page.getByRole('alertdialog');
    await question.getByText(/Replace everything in this browser with .*\.json\? It was exported on .* and holds \d+ agreements/).waitFor();
    await expectNoAxeViolations(page);
    assert.deepEqual(await storedRecords(page, `cw.agreement.${id}`).then((r) => Object.values(r)[0].requests.at(-1).status), 'CANCELLED', 'nothing replaced yet');
    await question.getByRole('button', { name: 'Replace my data with this file' }).click();
    await page.getByText(`${exported.name} was imported`).waitFor();
    assert.deepEqual(await storedRecords(page, 'cw.agreement.'), before, 'as it was when exported');
    await open(page, app.url(`/seller/agreements/${id}`));
    await page.getByRole('region', { name: 'The case' }).getByText('Pending approval', { exact: true }).waitFor();
    await context.close();
  });

  test('a file that is not a good export is refused with the reason, and nothing is replaced', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    const before = await storedRecords(page, 'cw.agreement.');
    const { text } = await saveDownload(page, () => page.getByRole('button', { name: 'Export all data' }).click());
    const broken = JSON.parse(text);
    const first = Object.values(broken.book.records)[0].record;
    first.invoices[0].refunded_minor = first.invoices[0].charged_minor + 1;
    await importFile(page, 'broken.json', JSON.stringify(broken));
    await page.getByText(/broken\.json: This file breaks a rule and was not imported: agreement .* refunded more than it charged/).waitFor();
    await importFile(page, 'notes.json', '{"shopping": ["milk"]}');
    await page.getByText('notes.json: This file was not exported by the cancellation workbench.').waitFor();
    await importFile(page, 'cut.json', text.slice(0, text.length / 2));
    await page.getByText(/cut\.json: This file is not readable JSON/).waitFor();
    assert.equal(await page.getByRole('alertdialog').count(), 0);
    assert.deepEqual(await storedRecords(page, 'cw.agreement.'), before);
    await context.close();
  });

  test('10,000 agreements fit, 80 % is warned about, closed cases archive, and a write costs the same at 100 and 10,000', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));

    await resetTo(page, '100');
    await page.getByRole('heading', { name: /\d+ agreements match/ }).waitFor();
    const small = await withdrawSome(page, 12);

    await resetTo(page, '10000');
    await page.getByRole('heading', { name: /\d{4,} agreements match/ }).waitFor({ timeout: 60_000 });
    const usage = await page.evaluate(() => {
      let used = 0;
      let agreements = 0;
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        used += key.length + localStorage.getItem(key).length;
        if (key.startsWith('cw.agreement.')) agreements++;
      }
      return { used, agreements };
    });
    assert.equal(usage.agreements, 10_000, 'all stored');
    const quota = 5 * 1024 * 1024;
    const percent = Math.floor((usage.used * 100) / quota);
    const warning = page.getByRole('status').getByText(/This browser's storage is \d+ % full/);
    if (percent >= 80) await warning.waitFor();
    else assert.equal(await warning.count(), 0);
    const large = await withdrawSome(page, 12);

    assert.equal(small.length, 12, 'one write per action');
    assert.equal(large.length, 12, 'one write per action');
    const ratio = median(large) / median(small);
    console.log(
      `capacity in Chromium: 10,000 agreements use ${usage.used} of ${quota} characters (${percent} %, ` +
        `${Math.round(usage.used / 10_000)} per agreement)`,
    );
    console.log(
      `write cost in Chromium (median of 12 actions): ${median(small).toFixed(3)} ms at 100 agreements, ` +
        `${median(large).toFixed(3)} ms at 10,000: ratio ${ratio.toFixed(2)}`,
    );

    // A week later every request has approved itself: the agreements are cancelled cases.
    // The page shows it at once and writes the approvals between frames after. At the
    // first frame that shows it, the page counts the stored records not yet rewritten and
    // reloads: the next page approves those again from the stored requests, losing none.
    await page.evaluate(() => {
      const before = new Map(Object.keys(localStorage).filter((k) => k.startsWith('cw.agreement.')).map((k) => [k, localStorage.getItem(k)]));
      const shown = () => {
        if (!document.body.textContent.includes('Simulated time')) return requestAnimationFrame(shown);
        const unwritten = [...before].filter(([k, text]) => localStorage.getItem(k) === text).length;
        sessionStorage.setItem('unwritten when shown', String(unwritten));
        location.reload();
      };
      requestAnimationFrame(shown);
    });
    await page.getByRole('button', { name: '+7 days' }).click();
    await page.waitForFunction(() => sessionStorage.getItem('unwritten when shown') !== null, null, { timeout: 60_000 });
    await page.getByRole('heading', { name: /\d{4,} agreements match/ }).waitFor({ timeout: 60_000 });
    await page.getByText('Simulated time').waitFor();
    const unwritten = Number(await page.evaluate(() => sessionStorage.getItem('unwritten when shown')));
    assert.ok(unwritten > 5_000, `shown with ${unwritten} of 10,000 records still to write`);
    const waiting = async () => Object.values(await storedRecords(page, 'cw.agreement.')).filter((r) => r.requests.some((q) => q.status === 'PENDING_APPROVAL')).length;
    const until = Date.now() + 60_000;
    let left = await waiting();
    for (; left > 0 && Date.now() < until; left = await waiting()) await page.waitForTimeout(500);
    assert.equal(left, 0, 'every approval is written, by the page after the reload');
    if (percent >= 80) {
      const archive = page.getByRole('button', { name: 'Archive closed cases' });
      await archive.waitFor();
      const file = await saveDownload(page, () => archive.click());
      assert.match(file.name, /^workbench-archive-.*\.json$/);
      const archived = JSON.parse(file.text);
      // The 12 whose request was withdrawn still run: they are not closed.
      assert.equal(Object.keys(archived.book.records).length, 10_000 - 12);
      await page.getByText(/Archived 9,?988 closed cases into/).waitFor();
      const left = Object.keys(await storedRecords(page, 'cw.agreement.'));
      assert.equal(left.length, 12);
      assert.equal(await warning.count(), 0, 'the warning went with the space it warned of');
    }
    await resetTo(page, 'demo');
    await context.close();
  });

  test('at 10,000 agreements the list shows its first page while the rest is read, and leaving it reads the rest first', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    await resetTo(page, '10000');
    const heading = page.getByRole('heading', { name: /^\d+ agreements? match/ });
    await heading.filter({ hasText: /^\d{4,} agreements match$/ }).waitFor({ timeout: 60_000 });
    const whole = await heading.textContent();
    const firstPage = () => page.getByRole('region', { name: 'Matching agreements' }).getByRole('link').allTextContents();
    const wholeFirstPage = await firstPage();
    const queue = page.getByRole('status').getByText(/items? wait for you|Nothing waits for you/);
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Needs attention' }).click();
    const wholeQueue = await queue.textContent();

    // What a cold start of the list shows first, noted by the page itself at that moment;
    // on a second cold start, the page goes to "Needs attention" at that same moment.
    await context.addInitScript(() => {
      const seen = () => {
        const heading = document.getElementById('results-heading');
        if (!heading?.textContent.endsWith('so far')) return requestAnimationFrame(seen);
        const rows = [...document.querySelectorAll('[aria-label="Matching agreements"] tbody a')].map((a) => a.textContent);
        const status = document.querySelector('#results-heading ~ p[role=status]')?.textContent ?? '';
        sessionStorage.setItem('first drawn', JSON.stringify({ heading: heading.textContent, rows, status }));
        if (sessionStorage.getItem('then leave')) [...document.querySelectorAll('a')].find((a) => a.textContent.trim().startsWith('Needs attention')).click();
      };
      requestAnimationFrame(seen);
    });
    await page.goto(app.url('/seller'));
    await heading.filter({ hasText: whole }).waitFor({ timeout: 60_000 });
    const first = JSON.parse(await page.evaluate(() => sessionStorage.getItem('first drawn')));
    assert.match(first.heading, /^\d+ agreements match so far$/);
    assert.match(first.status, /^Still reading the stored agreements: \d+ of 10000\./);
    // At least the first 300 agreements are read first, a third of them the acting seller's.
    assert.equal(first.rows.length, 50, 'a full first page');
    assert.deepEqual(first.rows, wholeFirstPage, 'the first page of the whole book');
    assert.equal(await page.getByRole('status').filter({ hasText: 'Still reading' }).count(), 0);

    await page.evaluate(() => sessionStorage.setItem('then leave', '1'));
    await page.goto(app.url('/seller'));
    await page.getByRole('heading', { name: 'Needs attention', level: 1 }).waitFor();
    assert.equal(await queue.textContent(), wholeQueue, 'the queue of the whole book');
    await resetTo(page, 'demo');
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
