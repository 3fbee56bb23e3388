#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCli } from './cli.js';

const defaultProfilePath = fileURLToPath(
  new URL(
    '../../../libs/protocol/profiles/example.profile.json',
    import.meta.url,
  ),
);

const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));

// The commands that open the service's database (`audit verify`, `backup`,
// `restore`) belong to the service: they run there, with its configuration
// and keys.
if (['audit', 'backup', 'restore'].includes(process.argv[2] ?? '')) {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(workspaceRoot, 'apps/api/src/admin-main.ts'),
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: join(workspaceRoot, 'apps/api/tsconfig.json'),
      },
    },
  );
  process.exit(child.status ?? 2);
}

const outcome = runCli(process.argv.slice(2), {
  workspaceRoot,
  stdin: () => readFileSync(0, 'utf8'),
  readFile: (path) => readFileSync(path, 'utf8'),
  defaultProfilePath,
  writeFile: (path, text) => {
    const target = resolve(path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  },
  stderrIsTty: process.stderr.isTTY,
});
process.stdout.write(outcome.stdout);
process.stderr.write(outcome.stderr);
process.exitCode = outcome.code;
