// The console's first download leaves out the pages a seller opens now and then: each is a
// wasm module of its own (scripts/split.sh), fetched when the page is first opened, by a
// click in the console or from a link straight to it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchedDuring, open, startApp } from './harness.mjs';

let app;
before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.close();
});

const WORKBENCH = /\/cancellation-workbench-[0-9a-f]+_bg\.wasm$/;
// What scripts/split.sh writes besides the workbench's own script and wasm: the module that
// loads the pages' modules, and those modules.
const SPLIT_LOADER = /\/__wasm_split-[0-9a-f]+\.js$/;
const SPLIT_OFF = /\/(?!cancellation-workbench-)[^/]+\.wasm$/;

describe('pages split off the first download', () => {
  test('the agreement list downloads none of them; opening Reports fetches its own, and the page works', async () => {
    const { page, context } = await app.device();
    let fetched = await fetchedDuring(page, async () => {
      await open(page, app.url('/seller'));
      await page.getByRole('heading', { level: 1, name: 'Agreements' }).waitFor();
    });
    assert.ok(fetched.some((p) => WORKBENCH.test(p)), fetched.join(', '));
    assert.ok(fetched.some((p) => SPLIT_LOADER.test(p)), fetched.join(', '));
    assert.deepEqual(fetched.filter((p) => SPLIT_OFF.test(p)), [], 'no page module before a page asks for it');

    fetched = await fetchedDuring(page, async () => {
      await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Reports' }).click();
      await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    });
    assert.ok(fetched.some((p) => SPLIT_OFF.test(p)), `Reports fetched its module: ${fetched.join(', ')}`);
    assert.ok(!fetched.some((p) => WORKBENCH.test(p)), 'the workbench itself is not fetched again');
    assert.ok(await page.getByRole('figure').count() > 0, 'the report draws its charts');
    await context.close();
  });

  test('a link straight to a split-off page (Data) loads the workbench and that page', async () => {
    const { page, context } = await app.device();
    const fetched = await fetchedDuring(page, async () => {
      await open(page, app.url('/seller/data'));
      await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
    });
    assert.ok(fetched.some((p) => WORKBENCH.test(p)), fetched.join(', '));
    assert.ok(fetched.some((p) => SPLIT_OFF.test(p)), fetched.join(', '));
    await page.getByRole('button', { name: 'Export all data' }).waitFor();
    await context.close();
  });
});
