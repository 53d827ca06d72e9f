import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { CHROMIUM_ARGS } from './harness.mjs';
const server = await startServer('/tmp/dist-prof');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
async function profile(label, act) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const t0 = Date.now();
  await act();
  const wall = Date.now() - t0;
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = {};
  profile.samples.forEach((id, i) => { dt[id] = (dt[id] ?? 0) + (profile.timeDeltas[i] ?? 0); });
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`;
    self.set(name, (self.get(name) ?? 0) + (dt[n.id] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`== ${label}: wall ${wall} ms, sampled ${(total / 1000).toFixed(0)} ms`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((us / 1000).toFixed(1).padStart(8), name.slice(0, 150));
}
await page.goto(server.url + '/seller/data');
await page.getByLabel('Demo data to load').selectOption('10000');
await page.getByRole('button', { name: 'Reset demo data' }).click();
await profile('reset 10000', async () => {
  await page.getByRole('button', { name: 'Yes, reset demo data' }).click();
  await page.getByText('The demo data was reset.').waitFor({ timeout: 120_000 });
});
await page.goto(server.url + '/seller');
await page.getByRole('region', { name: 'Matching agreements' }).waitFor();
await profile('+7 days', async () => {
  await page.getByRole('button', { name: '+7 days' }).click();
  await page.waitForFunction(() => performance.getEntriesByName('workbench: time passes').length > 0, null, { timeout: 120_000, polling: 50 });
});
await profile('cold start', async () => {
  await page.reload();
  await page.waitForFunction(() => performance.getEntriesByName('list-ready').length > 0, null, { timeout: 120_000, polling: 20 });
});
await browser.close(); await server.close();
