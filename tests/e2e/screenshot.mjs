// Screenshots of the built app for a person to look at:
//   node tests/e2e/screenshot.mjs /seller /confirm/xyz   (phone width with --phone)
// Files land in tests/e2e/artifacts/ (git-ignored).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { open, startApp } from './harness.mjs';

const args = process.argv.slice(2);
const phone = args.includes('--phone');
const paths = args.filter((a) => a !== '--phone');
const out = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
await mkdir(out, { recursive: true });
const app = await startApp();
try {
  const viewport = phone ? { width: 320, height: 640 } : { width: 1280, height: 900 };
  const { page } = await app.device({ viewport });
  for (const path of paths.length ? paths : ['/']) {
    await open(page, app.url(path));
    // A link's token would make a file name longer than a file system allows.
    const file = join(out, `${path.replace(/[^a-z0-9]+/gi, '_').slice(0, 60) || 'home'}${phone ? '-phone' : ''}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
  }
} finally {
  await app.close();
}
