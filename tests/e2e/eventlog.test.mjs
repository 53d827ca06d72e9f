// The seller's event log at more than a page of events: paging newest first with the span
// shown, the filter by agreement, and the export holding every event the pages show.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expectNoAxeViolations, open, startApp, storedRecords } from './harness.mjs';

const SELLER = '111122223333';
const COPIES = 20;

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

/**
 * The demo seller's agreements with requests, each stored again under new IDs, so that its
 * log holds several pages. They are written as format 1 (events included), the way an older
 * version of the app left them, which the app reads and migrates.
 */
async function sellerWithManyEvents() {
  const { page, context } = await app.device();
  await open(page, app.url('/seller'));
  const records = Object.values(await storedRecords(page, 'cw.agreement.')).filter(
    (r) => r.agreement.seller === SELLER && r.requests.length > 0,
  );
  const copies = [];
  for (const record of records) {
    for (let i = 0; i < COPIES; i++) {
      let text = JSON.stringify({ ...record, events: [] });
      const renames = [
        [record.agreement.id, `${record.agreement.id}-c${i}`],
        ...record.requests.map((r) => [r.id, `${r.id}c${i}`]),
        ...record.adjustments.map((a) => [a.id, `${a.id}c${i}`]),
      ];
      for (const [from, to] of renames) text = text.replaceAll(`"${from}"`, `"${to}"`);
      const data = JSON.parse(text);
      copies.push([`cw.agreement.${data.agreement.id}`, JSON.stringify({ format: 1, version: 1, data })]);
    }
  }
  await page.evaluate((entries) => entries.forEach(([k, v]) => localStorage.setItem(k, v)), copies);
  await open(page, app.url('/seller/events'));
  await page.getByRole('button', { name: '+7 days' }).click();
  await page.getByText('Simulated time').waitFor();
  const log = page.getByRole('region', { name: 'Event log' });
  return { page, context, log, copied: copies.map(([k]) => k.replace('cw.agreement.', '')) };
}

async function exportedEvents(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export events (JSON lines)' }).click(),
  ]);
  return (await readFile(await download.path(), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line));
}

async function shownEvents(log) {
  return (await log.locator('ol.events > li pre').allTextContents()).map((text) => JSON.parse(text));
}

const agreementOf = (event) => event.detail.agreement.id;

describe('event log', () => {
  test('pages through every event newest first, and the export holds exactly what the pages show', async () => {
    const { page, context, log } = await sellerWithManyEvents();
    const exported = await exportedEvents(page);
    const total = exported.length;
    assert.ok(total > 2 * 50, `${total} events make at least three pages`);
    const newer = log.getByRole('button', { name: 'Newer events' });
    const older = log.getByRole('button', { name: 'Older events' });
    await log.getByText(`Events 1–50 of ${total}`).waitFor();
    assert.ok(await newer.isDisabled(), 'nothing is newer than the first page');
    await expectNoAxeViolations(page);

    const pages = [await shownEvents(log)];
    while (!(await older.isDisabled())) {
      const first = pages.length * 50 + 1;
      await older.click();
      await log.getByText(`Events ${first}–${Math.min(first + 49, total)} of ${total}`).waitFor();
      pages.push(await shownEvents(log));
    }
    assert.equal(pages.length, Math.ceil(total / 50));
    assert.ok(pages.slice(0, -1).every((p) => p.length === 50), 'every page but the last holds 50');
    const shown = pages.flat();
    assert.deepEqual(shown, exported, 'the export is every event of every page, in order');
    assert.ok(shown.every((e) => e['detail-type'].endsWith(' - Proposer') && e.account === SELLER));
    for (let i = 1; i < shown.length; i++) assert.ok(shown[i - 1].time >= shown[i].time, 'newest first');

    await newer.click();
    await log.getByText(`Events ${(pages.length - 2) * 50 + 1}–${(pages.length - 1) * 50} of ${total}`).waitFor();
    assert.deepEqual(await shownEvents(log), pages.at(-2), 'going back shows the same page again');
    await context.close();
  });

  test('a filter by agreement shows its events from the first page, and exports only them', async () => {
    const { page, context, log, copied } = await sellerWithManyEvents();
    const all = await exportedEvents(page);
    await log.getByRole('button', { name: 'Older events' }).click();
    await log.getByText(`Events 51–${Math.min(100, all.length)} of ${all.length}`).waitFor();
    const id = copied.at(-1);
    const expected = all.filter((e) => agreementOf(e) === id);
    assert.ok(expected.length > 0);
    await log.getByLabel('Only agreement').fill(id);
    await log.getByText(`Events 1–${expected.length} of ${expected.length}`).waitFor();
    assert.deepEqual(await shownEvents(log), expected);
    assert.ok(await log.getByRole('button', { name: 'Older events' }).isDisabled());
    assert.deepEqual(await exportedEvents(page), expected);

    await log.getByLabel('Only agreement').fill('agmt-nothing-here');
    await log.getByText('No events.').waitFor();
    await log.getByLabel('Only agreement').fill('');
    await log.getByText(`Events 1–50 of ${all.length}`).waitFor();
    await context.close();
  });

  test('the buyer side pages through what the buyers of these agreements received', async () => {
    const { page, context, log } = await sellerWithManyEvents();
    await log.getByLabel('Events of').selectOption('buyer');
    const exported = await exportedEvents(page);
    assert.ok(exported.length > 50);
    assert.ok(exported.every((e) => e['detail-type'].endsWith(' - Acceptor') && e.account !== SELLER));
    await log.getByText(`Events 1–50 of ${exported.length}`).waitFor();
    assert.deepEqual(await shownEvents(log), exported.slice(0, 50));
    await context.close();
  });

  test('no page logged an error', () => {
    assert.deepEqual(app.errors, []);
  });
});
