// Trunk's post-build hook: writes a .gz and a .br copy beside each text and wasm file of
// the build, for hosts that serve precompressed files (nginx `gzip_static` /
// `brotli_static`, Caddy `precompressed`), so a phone downloads a third of the bytes
// without the host compressing on every request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2] ?? 'dist';
for (const name of readdirSync(dir)) {
  if (!/\.(wasm|js|css|html|svg|json)$/.test(name)) continue;
  const bytes = readFileSync(join(dir, name));
  writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  writeFileSync(
    join(dir, `${name}.br`),
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
}
