// A tiny static server over the release build, as the README asks of any host: a path to
// a folder serves its index.html (`/confirm/` the buyer's page, confirm/index.html), and
// every unknown path index.html, so that deep links (`/seller/data`, links handed out as
// `/confirm/<token>`) load the app. Like a host with gzip_static, it serves the build's
// precompressed copies.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

async function fileIn(root, urlPath) {
  const relative = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  const full = join(root, relative);
  if (!full.startsWith(root + sep)) return null;
  try {
    const found = await stat(full);
    if (found.isFile()) return full;
    if (found.isDirectory()) return (await stat(join(full, 'index.html'))).isFile() ? join(full, 'index.html') : null;
    return null;
  } catch {
    return null;
  }
}

/** The file the server answers a path with: the path's file, its folder's index.html, else index.html. */
export async function fileFor(root, urlPath) {
  return (await fileIn(root, urlPath)) ?? join(root, 'index.html');
}

/** `extra` maps paths to pages of the caller's own, `{ type, body }` (the benchmark's baseline). */
export async function startServer(root, extra = {}) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (extra[path]) {
      res.writeHead(200, { 'content-type': extra[path].type });
      res.end(extra[path].body);
      return;
    }
    const file = await fileFor(root, path);
    try {
      // The precompressed copy the build wrote, as a host with gzip_static would serve it.
      const accepted = req.headers['accept-encoding'] ?? '';
      const encoding = ['br', 'gzip'].find((e) => accepted.includes(e));
      const packed = encoding && (await stat(`${file}.${encoding === 'br' ? 'br' : 'gz'}`).then(() => `${file}.${encoding === 'br' ? 'br' : 'gz'}`, () => null));
      const body = await readFile(packed ?? file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (packed) {
        headers['content-encoding'] = encoding;
        headers.vary = 'accept-encoding';
      }
      res.writeHead(200, headers);
      res.end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
