#!/usr/bin/env node
import { readFileSync } from 'node:fs';
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
});
process.stdout.write(outcome.stdout);
process.stderr.write(outcome.stderr);
process.exitCode = outcome.code;
