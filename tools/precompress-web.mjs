#!/usr/bin/env node
// After `vite build`: a Brotli (.br) and a gzip (.gz) copy of every script
// and style sheet of dist/web/assets, made once at build time at the
// strongest settings, which the service sends to browsers that accept them
// (@fastify/static's preCompressed) instead of compressing per request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const assets = join(import.meta.dirname, '..', 'dist', 'web', 'assets');
let before = 0;
let brotli = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json)$/.test(name)) continue;
  const path = join(assets, name);
  const content = readFileSync(path);
  const br = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
  before += content.length;
  brotli += br.length;
}
console.log(
  `precompressed dist/web/assets: ${(before / 1024).toFixed(0)} KB -> ${(brotli / 1024).toFixed(0)} KB (brotli)`,
);
