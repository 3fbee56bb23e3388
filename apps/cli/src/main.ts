#!/usr/bin/env node
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCli } from './cli.js';

const defaultProfilePath = fileURLToPath(
  new URL(
    '../../../libs/protocol/profiles/example.profile.json',
    import.meta.url,
  ),
);

const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));

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
