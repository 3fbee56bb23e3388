#!/usr/bin/env node
// `npm run mutation`: StrykerJS over libs/protocol and machines/mas-episode
// (stryker.config.mjs, one run per project, one after the other), then the
// mutation score per file, per project and overall from the JSON reports in
// reports/mutation/.
//
//   npm run mutation                          both projects
//   npm run mutation -- protocol              one project
//   npm run mutation -- --incremental         reuse the last results where
//                                             neither code nor tests changed
//   npm run mutation -- mas-episode --mutate 'machines/mas-episode/src/lib/mas-episode.checks.ts'
//   npm run mutation -- --summary [--survivors]   print the last reports only
//
// Other options are passed to `stryker run`. The exit code is Stryker's; the
// score target (80 %) is reported, not enforced.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { projects } from '../stryker.config.mjs';

const root = join(import.meta.dirname, '..');
const strykerBin = join(
  root,
  'node_modules',
  '@stryker-mutator',
  'core',
  'bin',
  'stryker.js',
);
const TARGET = 80;

const args = process.argv.slice(2);
const names = args.filter((a) => a in projects);
const summaryOnly = args.includes('--summary');
const listSurvivors = args.includes('--survivors');
const passThrough = args.filter(
  (a) => !(a in projects) && a !== '--summary' && a !== '--survivors',
);
const selected = names.length > 0 ? names : Object.keys(projects);

const reportPath = (name) => join(root, 'reports', 'mutation', `${name}.json`);

let exitCode = 0;
const durations = {};
if (!summaryOnly) {
  for (const name of selected) {
    console.log(`\n=== Stryker: ${name} (${projects[name].root}) ===`);
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [strykerBin, 'run', 'stryker.config.mjs', ...passThrough],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, MUTATION_PROJECT: name, TZ: 'UTC' },
      },
    );
    durations[name] = (Date.now() - started) / 1000;
    if (run.status !== 0) exitCode = run.status ?? 1;
  }
}

const DETECTED = ['Killed', 'Timeout'];
const UNDETECTED = ['Survived', 'NoCoverage'];
const COLUMNS = ['Killed', 'Timeout', 'Survived', 'NoCoverage'];

function emptyCounts() {
  return Object.fromEntries(
    [...COLUMNS, 'CompileError', 'RuntimeError', 'Ignored'].map((s) => [s, 0]),
  );
}
function add(into, counts) {
  for (const key of Object.keys(into)) into[key] += counts[key] ?? 0;
}
function score(c) {
  const detected = DETECTED.reduce((n, s) => n + c[s], 0);
  const valid = detected + UNDETECTED.reduce((n, s) => n + c[s], 0);
  return valid === 0 ? NaN : (100 * detected) / valid;
}
const pct = (x) => (Number.isNaN(x) ? '   n/a' : `${x.toFixed(2).padStart(6)}`);
const row = (label, c) =>
  `${label.padEnd(58)} ${pct(score(c))} ${COLUMNS.map((s) => String(c[s]).padStart(8)).join(' ')} ${String(c.RuntimeError + c.CompileError).padStart(6)}`;
const header = `${'file'.padEnd(58)} ${'score'.padStart(6)} ${COLUMNS.map((s) => (s === 'NoCoverage' ? 'no-cov' : s.toLowerCase()).padStart(8)).join(' ')} ${'errors'.padStart(6)}`;

const overall = emptyCounts();
const lines = ['', '=== Mutation score ===', header];
const survivors = [];
for (const name of selected) {
  const file = reportPath(name);
  if (!existsSync(file)) {
    lines.push(`${name}: no report (${relative(root, file)})`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const projectCounts = emptyCounts();
  for (const [path, { mutants, source }] of Object.entries(report.files).sort(
    ([a], [b]) => a.localeCompare(b),
  )) {
    const counts = emptyCounts();
    for (const mutant of mutants) {
      if (mutant.status in counts) counts[mutant.status] += 1;
      if (UNDETECTED.includes(mutant.status)) {
        const { start, end } = mutant.location;
        survivors.push({ path, mutant, original: slice(source, start, end) });
      }
    }
    add(projectCounts, counts);
    lines.push(row(`  ${relative(projects[name].root, path)}`, counts));
  }
  add(overall, projectCounts);
  const took = durations[name] ? ` (${Math.round(durations[name])} s)` : '';
  lines.push(row(`${name}${took}`, projectCounts), '');
}
lines.push(row('overall', overall));
const total = score(overall);
lines.push(
  `Mutation score ${pct(total).trim()} % (target >= ${TARGET} %: ${total >= TARGET ? 'met' : 'NOT met'}). Reports: reports/mutation/<project>.html`,
);
console.log(lines.join('\n'));

if (listSurvivors) {
  console.log('\n=== Surviving / uncovered mutants ===');
  for (const { path, mutant, original } of survivors) {
    const { line, column } = mutant.location.start;
    console.log(
      `${path}:${line}:${column} ${mutant.status} ${mutant.mutatorName}: ${oneLine(original)} -> ${oneLine(mutant.replacement ?? '')}`,
    );
  }
}

/** The source text of a mutant's location (lines 1-based, columns 1-based). */
function slice(source, start, end) {
  const rows = source.split('\n');
  if (start.line === end.line) {
    return rows[start.line - 1]?.slice(start.column - 1, end.column - 1) ?? '';
  }
  return [
    rows[start.line - 1]?.slice(start.column - 1) ?? '',
    ...rows.slice(start.line, end.line - 1),
    rows[end.line - 1]?.slice(0, end.column - 1) ?? '',
  ].join('\n');
}
function oneLine(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

process.exit(exitCode);
