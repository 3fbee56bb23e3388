import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const workspaceRoot = join(import.meta.dirname, '../..');
const paths = (
  JSON.parse(
    readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'),
  ) as { compilerOptions: { paths: Record<string, string[]> } }
).compilerOptions.paths;

/**
 * The clinician's web app. Built into dist/web and served by the service at
 * the same address as the API; `npm run dev` serves it with hot reload and
 * sends /api to the service. Everything is bundled: nothing loads from the
 * internet (no CDN fonts or scripts, no telemetry).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: {
    alias: Object.entries(paths).map(([find, [target]]) => ({
      find: new RegExp(`^${find.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
      replacement: join(workspaceRoot, target ?? ''),
    })),
  },
  build: {
    outDir: join(workspaceRoot, 'dist/web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  server: {
    port: 5173,
    proxy: { '/api': `http://127.0.0.1:${process.env['PORT'] ?? '3000'}` },
  },
});
