// Stored data that is damaged before the app starts: the app keeps running, moves the bad
// entry aside, says so, offers its text, and loses nothing else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { open, startApp } from './harness.mjs';

// An agreement as the app stored it when format 1 was current: plain JSON, events included.
// Damage to a record's content is made on it, since the current format packs the JSON.
const FORMAT_1 = readFileSync(new URL('../fixtures/format-1-agreement.json', import.meta.url), 'utf8').trim();
const FORMAT_1_ID = JSON.parse(FORMAT_1).data.agreement.id;

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

// Each turns the stored text of the victim into damaged text.
const DAMAGE = {
  'truncated JSON': (text) => text.slice(0, text.length / 2),
  'non-JSON text': () => 'this is not JSON at all',
  'a wrong format': (text) => text.replace('"format":2', '"format":0'),
  'a missing format': (text) => text.replace('"format":2,', ''),
  'a damaged packed record': (text) => text.replace(/"packed":"(.)(.)/, '"packed":"$2$1'),
  'unknown fields': () => FORMAT_1.replace('"invoices":', '"surprise":true,"invoices":'),
  'a missing required key': () => {
    const value = JSON.parse(FORMAT_1);
    delete value.data.history;
    return JSON.stringify(value);
  },
  'refunded above charged': () => {
    const value = JSON.parse(FORMAT_1);
    value.data.invoices[0].refunded_minor = value.data.invoices[0].charged_minor + 1;
    return JSON.stringify(value);
  },
};

describe('damaged storage', () => {
  for (const [name, damage] of Object.entries(DAMAGE)) {
    test(`${name} is quarantined with a notice and everything else still loads`, async () => {
      const { page, context } = await app.device();
      await open(page, app.url('/seller'));
      const before = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cw.agreement.')));
      const victim = `cw.agreement.${FORMAT_1_ID}`;
      assert.ok(before.includes(victim));
      await page.evaluate(
        ([key, text]) => localStorage.setItem(key, text),
        [victim, damage(await page.evaluate((key) => localStorage.getItem(key), victim))],
      );
      await page.reload();
      const notice = page.getByRole('status').getByText(`A saved entry (${victim}) could not be read`);
      await notice.waitFor();
      const download = page.getByRole('link', { name: 'Download the quarantined text' });
      assert.match(await download.getAttribute('href'), /^data:text\/plain/);
      const after = await page.evaluate(() => Object.keys(localStorage));
      assert.ok(!after.includes(victim), 'the bad entry was moved');
      assert.ok(after.some((k) => k.startsWith('cw.quarantine.')), 'under a quarantine key');
      for (const key of before.filter((k) => k !== victim)) assert.ok(after.includes(key), `${key} is intact`);
      await page.getByRole('button', { name: 'Dismiss' }).click();
      assert.equal(await notice.count(), 0);
      await context.close();
    });
  }

  test('a storage event that arrives after the page read and moved aside what it carries changes nothing', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    const victim = `cw.agreement.${FORMAT_1_ID}`;
    const damaged = DAMAGE['refunded above charged']();
    await page.evaluate(([key, text]) => localStorage.setItem(key, text), [victim, damaged]);
    await page.reload();
    const notice = page.getByRole('status').getByText(`A saved entry (${victim}) could not be read`);
    await notice.waitFor();
    const quarantined = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cw.quarantine.')));
    const moved = await quarantined();
    // Chromium can deliver the write made just before the reload to the page that has
    // already read it: the event still carries the damaged text, storage no longer does.
    await page.evaluate(([key, text]) => {
      window.dispatchEvent(new StorageEvent('storage', { key, oldValue: null, newValue: text, storageArea: localStorage, url: location.href }));
    }, [victim, damaged]);
    // A later change, whose notice shows that the first event has been handled.
    await page.evaluate(() => {
      localStorage.setItem('cw.agreement.agmt-00000000000a', 'not a record');
      window.dispatchEvent(new StorageEvent('storage', { key: 'cw.agreement.agmt-00000000000a', newValue: 'not a record', storageArea: localStorage, url: location.href }));
    });
    await page.getByRole('status').getByText('A saved entry (cw.agreement.agmt-00000000000a) could not be read').waitFor();
    assert.equal(await notice.count(), 1, 'the damaged entry is told of once');
    const after = await quarantined();
    assert.equal(after.filter((k) => !moved.includes(k)).length, 1, 'only the later entry was moved aside');
    await context.close();
  });

  test('an agreement stored by the format-1 app reads as it was, events and all', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    const key = `cw.agreement.${FORMAT_1_ID}`;
    await page.evaluate(([k, text]) => localStorage.setItem(k, text), [key, FORMAT_1]);
    await page.reload();
    await open(page, app.url(`/seller/agreements/${FORMAT_1_ID}`));
    const old = JSON.parse(FORMAT_1).data;
    const proposerEvents = old.events.filter((e) => e['detail-type'].endsWith('- Proposer'));
    const events = page.getByRole('region', { name: 'Events' }).getByRole('listitem');
    assert.equal(await events.count(), proposerEvents.length);
    assert.equal(await page.getByRole('status').getByText(/could not be read/).count(), 0);
    await context.close();
  });

  test('data from a newer version is shown read-only and never overwritten', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller'));
    const meta = '{"format":7,"version":1,"data":{"created_at":"2031-01-01T00:00:00Z"}}';
    await page.evaluate((text) => localStorage.setItem('cw.meta', text), meta);
    await page.reload();
    await page.getByText(/written by a newer version of the workbench \(format 7/).waitFor();
    await page.getByRole('button', { name: '+1 day' }).click();
    await page.getByText(/This change was not saved/).first().waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('cw.meta')), meta);
    await context.close();
  });

  test('storage that refuses access still shows the app and says nothing is saved', async () => {
    const { page, context } = await app.device();
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    await open(page, app.url('/seller'));
    await page.getByText(/does not let the workbench use its storage/).waitFor();
    await page.getByRole('heading', { name: /agreements? match/ }).waitFor();
    await context.close();
  });
});
