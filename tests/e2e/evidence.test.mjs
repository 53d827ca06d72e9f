// The evidence pack against the built app: a case's pack downloaded from its agreement page
// is a hash chain a reader can check on its own, "Verify evidence pack" calls it intact, and
// one changed character, another kind of file, or a huge file each get their own verdict.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expectNoAxeViolations, open, startApp, storedRecords as readStoredRecords } from './harness.mjs';

const GENESIS = '0'.repeat(64);

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

function sha256(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A pack written as the app documents the format, for files the app did not make. */
function chain(entryTexts) {
  const of = entryTexts.length;
  let prev = GENESIS;
  return entryTexts
    .map((entry, i) => {
      const line = i + 1;
      const hash = sha256(`${line}\n${of}\n${prev}\n${entry}`);
      const text = `{"line":${line},"of":${of},"prev":"${prev}","hash":"${hash}","entry":${entry}}`;
      prev = hash;
      return text;
    })
    .join('\n') + '\n';
}

/** The stored record of every agreement in this browser. */
async function storedRecords(page) {
  return Object.values(await readStoredRecords(page, 'cw.agreement.'));
}

/** The demo agreement with the longest history, opened on its page. */
async function richestCase() {
  const device = await app.device();
  const { page } = device;
  await open(page, app.url('/seller'));
  await page.getByRole('heading', { name: /agreements? match/ }).waitFor();
  const records = await storedRecords(page);
  const record = records.reduce((a, b) => (b.history.length > a.history.length ? b : a));
  assert.ok(record.history.length >= 2 && record.requests.length >= 1, 'the demo has a case with a history');
  const id = record.agreement.id;
  await open(page, app.url(`/seller/agreements/${id}`));
  await page.getByRole('heading', { level: 1, name: `Agreement ${id}` }).waitFor();
  return { ...device, id, record };
}

async function downloadPack(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download evidence pack' }).click(),
  ]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

async function verify(page, name, text) {
  await page.getByLabel('Verify evidence pack').setInputFiles({
    name,
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(text, 'utf8'),
  });
}

function verdict(page) {
  return page.getByRole('status').filter({ has: page.locator('.headline:not(:empty)') });
}

async function verdictSays(page, words) {
  await verdict(page).filter({ hasText: words }).waitFor();
  return (await verdict(page).textContent()).trim();
}

describe('evidence pack', () => {
  test('a case pack is a chain a reader can check, holding every command and event as delivered', async () => {
    const { page, context, id, record } = await richestCase();
    const { name, text } = await downloadPack(page);
    assert.equal(name, `evidence-${id}.jsonl`);
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    let prev = GENESIS;
    const entries = lines.map((raw, i) => {
      const line = JSON.parse(raw);
      assert.deepEqual(Object.keys(line), ['line', 'of', 'prev', 'hash', 'entry']);
      assert.equal(line.line, i + 1);
      assert.equal(line.of, lines.length);
      assert.equal(line.prev, prev, `line ${i + 1} names the hash of the line before`);
      // The entry's text exactly as written, which is what the hash covers.
      const entryText = raw.slice(raw.indexOf('"entry":') + '"entry":'.length, -1);
      assert.deepEqual(JSON.parse(entryText), line.entry);
      assert.equal(line.hash, sha256(`${line.line}\n${line.of}\n${line.prev}\n${entryText}`));
      prev = line.hash;
      return { entry: line.entry, entryText };
    });

    const first = entries[0].entry;
    assert.equal(first.kind, 'evidence pack');
    assert.equal(first.agreementId, id);
    assert.equal(first.buyer.account, record.agreement.buyer);
    assert.equal(first.seller.account, record.agreement.seller);

    const commands = entries.map((e) => e.entry).filter((e) => e.kind === 'command');
    assert.equal(commands.length, record.history.length);
    commands.forEach((c, i) => {
      const h = record.history[i];
      assert.equal(c.action, h.action);
      assert.equal(c.reason, h.reason);
      assert.equal(Date.parse(c.at), Date.parse(h.at));
      assert.match(c.who, /^(seller \d{12}|buyer \d{12}|AWS Marketplace)$/);
    });

    // Events follow from the requests and adjustments: both sides hear of each request sent
    // and of each settled (a failed validation only the seller), and of each processed refund.
    const settledSides = { PENDING_APPROVAL: 0, APPROVED: 2, REJECTED: 2, CANCELLED: 2, VALIDATION_FAILED: 1 };
    const processedSides = { PENDING: 0, COMPLETED: 2, VALIDATION_FAILED: 1 };
    const expected =
      record.requests.reduce((n, r) => n + 2 + settledSides[r.status], 0) +
      record.adjustments.reduce((n, a) => n + processedSides[a.status], 0);
    const events = entries.filter((e) => e.entry.kind === 'bus event');
    assert.equal(events.length, expected);
    const delivered = events.map((e) => e.entryText.slice(e.entryText.indexOf('"delivered":') + '"delivered":'.length, -1));
    const sides = new Set(delivered.map((d) => JSON.parse(d)['detail-type'].split(' - ').at(-1)));
    assert.deepEqual([...sides].sort(), ['Acceptor', 'Proposer']);
    // The seller's events, byte for byte as the event log exports them for this agreement.
    await open(page, app.url('/seller/events'));
    await page.getByLabel('Signed in as seller').selectOption(record.agreement.seller);
    await page.getByLabel('Only agreement').fill(id);
    const [exportDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export events (JSON lines)' }).click(),
    ]);
    const exported = (await readFile(await exportDownload.path(), 'utf8')).trimEnd().split('\n').reverse();
    assert.deepEqual(delivered.filter((d) => d.includes('- Proposer"')), exported);
    // Each event comes after the command that caused it (bus times are whole seconds).
    const second = (t) => Math.floor(Date.parse(t) / 1000);
    entries.forEach(({ entry }, i) => {
      if (entry.kind !== 'bus event') return;
      const cause = entries.slice(0, i).some((e) => e.entry.kind === 'command' && second(e.entry.at) === second(entry.delivered.time));
      assert.ok(cause, `line ${i + 1} follows the command that caused it`);
    });

    const requests = entries.filter((e) => e.entry.kind === 'cancellation request');
    const withoutSecret = record.requests.map(({ link_secret, ...rest }) => {
      assert.ok(link_secret, 'the seller keeps each request\'s link secret');
      return rest;
    });
    assert.deepEqual(requests.map((e) => e.entry.request), withoutSecret);
    assert.ok(!text.includes(record.requests[0].link_secret), 'and it never leaves in a pack');
    await context.close();
  });

  test('a pack handed back is intact; one changed character is reported at its line', async () => {
    const { page, context, id } = await richestCase();
    const { name, text } = await downloadPack(page);
    const count = text.trimEnd().split('\n').length;

    await verify(page, name, text);
    const intact = await verdictSays(page, 'Intact:');
    assert.match(intact, new RegExp(`^Intact: ${count} entries, chain verified\\.`));
    assert.match(intact, new RegExp(`It is the evidence pack of agreement ${id}, made `));
    assert.match(intact, new RegExp(`File: ${name.replace(/[.]/g, '\\.')}$`));

    const lines = text.split('\n');
    // One digit inside line 3's entry: an amount, a time or an ID changed by hand.
    const at = lines[2].lastIndexOf('2');
    assert.ok(at > lines[2].indexOf('"entry":'));
    lines[2] = lines[2].slice(0, at) + '3' + lines[2].slice(at + 1);
    await verify(page, name, lines.join('\n'));
    const altered = await verdictSays(page, 'Altered at line 3');
    assert.match(altered, /^Altered at line 3: Line 3 was altered: its content no longer matches its hash\./);
    await expectNoAxeViolations(page);

    await verify(page, name, text);
    await verdictSays(page, 'Intact:');
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('a file that is not an evidence pack is named as such, on the seller console too', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    await page.getByRole('heading', { level: 2, name: 'Evidence packs' }).waitFor();
    await verify(page, 'notes.txt', 'Call the buyer on Monday about the renewal.\n');
    const said = await verdictSays(page, 'not an evidence pack');
    assert.match(said, /^This file is not an evidence pack: none of its lines is an evidence line\./);
    await verify(page, 'empty.jsonl', '');
    await verdictSays(page, 'The file is empty');
    await expectNoAxeViolations(page);
    await context.close();
  });

  test('a file far larger than any pack is refused unread, and a pack near the limit is checked without stalling the page', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    await page.getByRole('heading', { level: 2, name: 'Evidence packs' }).waitFor();
    // The longest stretch the page was held once a file was chosen (choosing it through the
    // test driver is itself a long task, and not the app's).
    await page.getByLabel('Verify evidence pack').evaluate((input) => {
      window.held = [];
      input.addEventListener('change', () => { window.chosenAt = performance.now(); }, true);
      const keep = (entries) => {
        for (const e of entries) window.held.push({ at: e.startTime, ms: e.duration });
      };
      window.holds = new PerformanceObserver((list) => keep(list.getEntries()));
      window.holds.observe({ type: 'longtask' });
      window.keepHolds = () => keep(window.holds.takeRecords());
    });
    // A long task is queued for the observer as it ends, but handed to its callback only
    // later; takeRecords() collects what is queued, so every hold up to now is counted
    // without pausing for the callback.
    const longestHold = () =>
      page.evaluate(() => {
        window.keepHolds();
        return Math.max(0, ...window.held.filter((t) => t.at >= window.chosenAt).map((t) => t.ms));
      });

    // Made in the page: sending 40 MB through the test driver would take longer than the check.
    await page.getByLabel('Verify evidence pack').evaluate((input) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(40 * 1024 * 1024)], 'video.mp4', { type: 'video/mp4' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const refused = await verdictSays(page, 'more than the 16.0 MB');
    assert.match(refused, /^The file is 40\.0 MB, more than the 16\.0 MB an evidence pack may hold: it was not read\./);

    // 15.7 MB of 1.2 KB entries, just under the limit: far more than any case storage can hold.
    const filler = 'y'.repeat(1000);
    const big = chain(Array.from({ length: 13_500 }, (_, i) => JSON.stringify({ kind: 'command', n: i, reason: filler })));
    assert.ok(big.length > 15.5 * 1024 * 1024 && big.length < 16 * 1024 * 1024);
    await verify(page, 'big.jsonl', big);
    await verdictSays(page, 'Intact: 13500 entries');
    const longest = await longestHold();
    assert.ok(longest < 1_000, `checking the largest pack held the page for ${longest} ms at once`);
    await page.getByRole('button', { name: '+1 hour' }).click();
    await page.getByText('Simulated time').waitFor();
    assert.deepEqual(app.errors, []);
    await context.close();
  });

  test('what a file says is shown as text, never as HTML', async () => {
    const { page, context } = await app.device();
    await open(page, app.url('/seller/data'));
    await page.getByRole('heading', { level: 2, name: 'Evidence packs' }).waitFor();
    const hostile = '<img src=x onerror="document.title=\'pwned\'">';
    const forged = chain([
      JSON.stringify({ kind: 'evidence pack', agreementId: hostile, madeAt: '2026-11-23T09:00:00Z' }),
      JSON.stringify({ kind: 'command', reason: '<script>document.title="pwned"</script>' }),
    ]);
    await verify(page, '<b>pack</b>.jsonl', forged);
    const said = await verdictSays(page, 'Intact: 2 entries');
    assert.ok(said.includes(`agreement ${hostile}`), said);
    assert.ok(said.includes('File: <b>pack</b>.jsonl'), said);
    assert.equal(await verdict(page).locator('img, b, script').count(), 0);
    assert.notEqual(await page.title(), 'pwned');
    await context.close();
  });
});
