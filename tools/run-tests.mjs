#!/usr/bin/env node
// `npm test`: lint, type-check and test every project through Nx (two at a
// time), then print one total over all Jest suites: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const reports = join(root, 'reports', 'jest');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const env = {
  ...process.env,
  TZ: 'UTC',
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
};

// Formatting is part of the check, as in the pre-commit hook.
const format = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    '--check',
    '.',
  ],
  { cwd: root, stdio: 'inherit', env },
);

const nx = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'),
    'run-many',
    '-t',
    'lint',
    'typecheck',
    'test',
    // The model checking of the deployed machine, apart (see
    // machines/mas-episode/jest.verify.config.mjs).
    'test-verify',
    '--parallel=2',
    '--outputStyle=static',
    ...(process.env.CI ? ['--skip-nx-cache'] : []),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);

let passed = 0;
let failed = 0;
let suitesFailed = 0;
/** What failed, named, so that the end of a long CI log says which test. */
const failures = [];
const firstLines = (text, n) =>
  String(text)
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' | ');
for (const file of readdirSync(reports).filter((f) => f.endsWith('.json'))) {
  let result;
  try {
    result = JSON.parse(readFileSync(join(reports, file), 'utf8'));
  } catch (error) {
    // A report cut short (its suite killed while writing): a failure,
    // named, never a reason to lose the total below.
    suitesFailed += 1;
    failures.push(`FAILED ${file} (unreadable report): ${String(error)}`);
    continue;
  }
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  suitesFailed += result.numFailedTestSuites;
  console.log(
    `${file.replace(/\.json$/, '')}: ${result.numPassedTests} passed, ${result.numFailedTests} failed, ${result.numPendingTests} skipped`,
  );
  for (const suiteResult of result.testResults ?? []) {
    const where = String(suiteResult.name ?? '').replace(`${root}/`, '');
    const tests = suiteResult.assertionResults ?? [];
    for (const test of tests.filter((t) => t.status === 'failed')) {
      failures.push(
        `FAILED ${where} › ${test.fullName} (${String(test.duration ?? '?')} ms): ${firstLines((test.failureMessages ?? []).join('\n'), 4)}`,
      );
    }
    if (
      suiteResult.status === 'failed' &&
      !tests.some((t) => t.status === 'failed')
    ) {
      failures.push(
        `FAILED ${where} (the suite): ${firstLines(suiteResult.message, 4)}`,
      );
    }
  }
}
for (const line of failures) console.log(line);
const code = (nx.status ?? 1) || (format.status ?? 1);
if ((code !== 0 || suitesFailed > 0) && failed === 0) {
  // A format, lint, type or suite-level failure fails the run even when no
  // single test failed: count it so that the total never reads as green.
  failed = Math.max(1, suitesFailed);
  console.log(
    'A format check, lint, type check or test suite failed (see above); counted as a failure.',
  );
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
