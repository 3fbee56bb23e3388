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
//   npm run mutation -- protocol --by-folder  one Stryker run per folder of
//                                             src/lib, each with its own report
//                                             (reports/mutation/<project>.parts/),
//                                             so a stopped run keeps the parts
//                                             it finished; the summary merges
//                                             them (per file, the newest report)
//   npm run mutation -- protocol --by-folder --parts=doses,panel
//                                             only these parts
//
// Other options are passed to `stryker run`. The exit code is Stryker's; the
// score target (80 %) is reported, not enforced.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { projects, TOP_PART } from '../stryker.config.mjs';

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
const byFolder = args.includes('--by-folder');
// --parts doses,panel: only these parts of --by-folder (the others keep the
// report they have).
const partsArg = args.find((a) => a.startsWith('--parts='));
const onlyParts = partsArg?.slice('--parts='.length).split(',');
const ownFlags = ['--summary', '--survivors', '--by-folder'];
const passThrough = args.filter(
  (a) => !(a in projects) && !ownFlags.includes(a) && a !== partsArg,
);
const selected = names.length > 0 ? names : Object.keys(projects);

const reportPath = (name) => join(root, 'reports', 'mutation', `${name}.json`);
const partsDir = (name) => join(root, 'reports', 'mutation', `${name}.parts`);

/**
 * The parts of a project: the folders of its src/lib holding at least one
 * file it mutates, and TOP_PART when src/lib itself holds one.
 */
function folders(name) {
  const project = projects[name];
  const lib = join(root, project.root, 'src', 'lib');
  const mutated = mutatedBy(name);
  const entries = readdirSync(lib, { withFileTypes: true });
  const parts = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((folder) =>
      readdirSync(join(lib, folder), { recursive: true })
        .map(String)
        .some((file) => mutated(`${folder}/${file}`)),
    )
    .sort();
  const top = entries.some((entry) => entry.isFile() && mutated(entry.name));
  return top ? [TOP_PART, ...parts] : parts;
}

/**
 * Whether a project mutates a file (its path relative to src/lib): the
 * logic files, and the data files whose logic stryker.config.mjs names by a
 * line range.
 */
function mutatedBy(name) {
  const project = projects[name];
  const ranged = project.mutate
    .filter((glob) => glob.includes(':') && !glob.startsWith('!'))
    .map((glob) => glob.slice(0, glob.indexOf(':')));
  return (relativePath) =>
    relativePath.endsWith('.ts') &&
    !relativePath.endsWith('.spec.ts') &&
    !relativePath.endsWith('.types.ts') &&
    (!relativePath.endsWith('.constant.ts') ||
      ranged.includes(`${project.root}/src/lib/${relativePath}`));
}

/** Every file a project mutates, as paths from the repository's root. */
function expectedFiles(name) {
  const lib = join(root, projects[name].root, 'src', 'lib');
  const mutated = mutatedBy(name);
  return readdirSync(lib, { recursive: true })
    .map(String)
    .filter((file) => mutated(file.split('\\').join('/')))
    .map((file) => relative(root, join(lib, file)).split('\\').join('/'))
    .sort();
}

/** The reports of a project: the whole run's and each part's, oldest first. */
function reportsOf(name) {
  const files = [reportPath(name)];
  if (existsSync(partsDir(name))) {
    for (const file of readdirSync(partsDir(name))) {
      if (file.endsWith('.json') && !file.endsWith('.incremental.json')) {
        files.push(join(partsDir(name), file));
      }
    }
  }
  return files
    .filter((file) => existsSync(file))
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    .sort((a, b) => a.mtime - b.mtime);
}

let exitCode = 0;
const durations = {};
if (!summaryOnly) {
  for (const name of selected) {
    const started = Date.now();
    const known = byFolder ? folders(name) : [];
    const unknown = (onlyParts ?? []).filter((part) => !known.includes(part));
    if (byFolder && unknown.length > 0) {
      console.error(
        `--parts: ${unknown.join(', ')} is not a part of ${name} (its parts: ${known.join(', ')})`,
      );
      process.exit(2);
    }
    const parts = byFolder
      ? known.filter(
          (part) => onlyParts === undefined || onlyParts.includes(part),
        )
      : [undefined];
    for (const part of parts) {
      const label = part === undefined ? '' : ` ${part}/`;
      console.log(
        `\n=== Stryker: ${name}${label} (${projects[name].root}) ===`,
      );
      const run = spawnSync(
        process.execPath,
        [strykerBin, 'run', 'stryker.config.mjs', ...passThrough],
        {
          cwd: root,
          stdio: 'inherit',
          env: {
            ...process.env,
            MUTATION_PROJECT: name,
            MUTATION_PART: part ?? '',
            TZ: 'UTC',
          },
        },
      );
      if (run.status !== 0) exitCode = run.status ?? 1;
    }
    durations[name] = (Date.now() - started) / 1000;
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
// Files a project mutates that no report covers: the score leaves them out,
// and the verdict says so instead of calling the target met.
const unmeasured = [];
for (const name of selected) {
  const reports = reportsOf(name);
  if (reports.length === 0) {
    lines.push(`${name}: no report (${relative(root, reportPath(name))})`);
    for (const path of expectedFiles(name)) {
      lines.push(
        `  ${relative(projects[name].root, path).padEnd(56)} not measured`,
      );
      unmeasured.push(path);
    }
    continue;
  }
  // Per file, the newest report that tested it (a part run after a whole
  // run replaces that folder's files only).
  // A file deleted or renamed since a report was written is not counted.
  const files = {};
  for (const { file } of reports) {
    for (const [path, result] of Object.entries(
      JSON.parse(readFileSync(file, 'utf8')).files,
    )) {
      if (existsSync(join(root, path))) files[path] = result;
    }
  }
  const projectCounts = emptyCounts();
  for (const [path, { mutants, source }] of Object.entries(files).sort(
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
  const missing = expectedFiles(name).filter((path) => !(path in files));
  for (const path of missing) {
    lines.push(
      `  ${relative(projects[name].root, path).padEnd(56)} not measured`,
    );
  }
  unmeasured.push(...missing);
  add(overall, projectCounts);
  const took = durations[name] ? ` (${Math.round(durations[name])} s)` : '';
  lines.push(row(`${name}${took}`, projectCounts), '');
}
lines.push(row('overall', overall));
const total = score(overall);
const verdict =
  unmeasured.length > 0
    ? `not known: ${unmeasured.length} file(s) not measured, listed above; ${total >= TARGET ? 'met' : 'NOT met'} on the files measured`
    : total >= TARGET
      ? 'met'
      : 'NOT met';
lines.push(
  `Mutation score ${pct(total).trim()} % (target >= ${TARGET} %: ${verdict}). Reports: reports/mutation/<project>.html`,
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
