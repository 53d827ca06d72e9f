// Trunk's post-build hook, over the finished build (Trunk's staging folder, or the folder
// given, else dist/):
//
// 1. confirm/index.html, the buyer's page at a path of its own: the built index.html with
//    a loader that loads only the buyer's bundle, and that bundle's script and wasm
//    preloaded from its head, so the downloads start with the HTML and any static host
//    serves a new link (`/confirm/#…`) without a rewrite rule; it links the stylesheet
//    every page shares and not the console's;
// 2. on every page, a Content-Security-Policy `<meta>` right after the charset, allowing
//    the inline scripts by the hashes of their final text;
// 3. a .gz and a .br copy of every file (scripts/precompress.mjs).
//
//   node scripts/post-build.mjs [dist]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { precompress } from './precompress.mjs';

const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2] ?? 'dist';

// The loader's choice of bundle (Trunk.toml's pattern_script): the buyer's files, else the
// workbench's.
const CHOICE = /const \[js, wasm\] = location\.pathname\.startsWith\([^)]*\)\s*\?\s*\[\s*'([^']+)',\s*'([^']+)'\s*\]\s*:\s*\[[^\]]*\];/;
const CHARSET = /<meta charset="utf-8"\s*\/?>/i;
// The console's own stylesheet (style/console.css, as Trunk names it), which the buyer's
// page does without.
const CONSOLE_CSS = /\s*<link rel="stylesheet" href="[^"]*\/console-[0-9a-f]+\.css"[^>]*>/;

/** The buyer's page: the template's loader bound to the buyer's bundle, which its head preloads. */
function confirmPage(template) {
  const choice = template.match(CHOICE);
  if (!choice) throw new Error("post-build: index.html's loader has no choice of bundle to bind to the buyer's");
  if (!CONSOLE_CSS.test(template)) throw new Error("post-build: index.html links no console stylesheet to leave out of the buyer's page");
  const [, js, wasm] = choice;
  // `crossorigin` as the loader's fetch() requests the wasm (CORS mode, same-origin
  // credentials): a preload of another mode would not serve it, and it would download twice.
  const preloads = [
    `<link rel="modulepreload" href="${js}" />`,
    `<link rel="preload" as="fetch" type="application/wasm" crossorigin href="${wasm}" />`,
  ];
  return template
    .replace(CHOICE, `const [js, wasm] = ['${js}', '${wasm}'];`)
    .replace(CONSOLE_CSS, '')
    .replace(CHARSET, (charset) => [charset, ...preloads].join('\n    '));
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The page's policy: nothing but the app's own files, the inline scripts by their hashes,
 * WebAssembly's compilation; no plugins, no <base>, no form posts (every form is handled by
 * the app). frame-ancestors, report-uri and sandbox are left out: a <meta> cannot carry them.
 */
function policy(html) {
  const inline = [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)].filter(([, attributes]) => !/\ssrc=/i.test(attributes ?? ''));
  return [
    "default-src 'none'",
    ["script-src 'self'", ...inline.map(([, , text]) => sha256(text)), "'wasm-unsafe-eval'"].join(' '),
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function withPolicy(html) {
  if (!CHARSET.test(html)) throw new Error('post-build: a page without <meta charset="utf-8"> to put its policy after');
  if (html.includes('http-equiv="Content-Security-Policy"')) throw new Error('post-build: the page has a policy already');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy(html)}" />`;
  return html.replace(CHARSET, (charset) => `${charset}\n    ${meta}`);
}

const template = readFileSync(join(dir, 'index.html'), 'utf8');
mkdirSync(join(dir, 'confirm'), { recursive: true });
writeFileSync(join(dir, 'confirm', 'index.html'), withPolicy(confirmPage(template)));
writeFileSync(join(dir, 'index.html'), withPolicy(template));
precompress(dir);
