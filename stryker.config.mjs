// StrykerJS mutation testing, one run per project (issue 13). Use
// `npm run mutation` (tools/mutation.mjs), which runs the projects one after
// the other and prints the scores; or one project directly:
//   MUTATION_PROJECT=mas-episode npx stryker run stryker.config.mjs
//
// Jest runs as in `npm test` (ESM through --experimental-vm-modules, the
// project's own jest.config.mjs), in a sandbox copy of the repository
// (.stryker-tmp/); the working tree is never mutated in place.

import { readFileSync } from 'node:fs';

// Tests compare dates and times in UTC, as under Nx (nx.json, test target).
process.env.TZ ??= 'UTC';

/** Folders no project's Jest run reads: not copied into the sandbox. */
const notNeeded = [
  '/apps',
  '/bench',
  '/test',
  '/dist',
  '/coverage',
  '/data',
  '/.nx',
  '/.scratch',
  '/libs/simulation',
];

/**
 * `file:from-to`, the lines of `file` from the one containing `start` up to
 * the line before the one containing `end` (or to the end of the file).
 */
function logic(file, start, end) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8')
    .replace(/\n$/, '')
    .split('\n');
  const from = lines.findIndex((line) => line.includes(start));
  if (from < 0) {
    throw new Error(`stryker.config.mjs: "${start}" not found in ${file}`);
  }
  const until =
    end === undefined
      ? lines.length
      : lines.findIndex((line, i) => i > from && line.includes(end));
  if (until < 0) {
    throw new Error(
      `stryker.config.mjs: "${end}" not found after "${start}" in ${file}`,
    );
  }
  return `${file}:${from + 1}-${until}`;
}

/** Test paths every project ignores (as in jest.preset.mjs). */
const baseTestPathIgnore = ['/node_modules/', '/dist/'];

export const projects = {
  protocol: {
    root: 'libs/protocol',
    mutate: [
      'libs/protocol/src/lib/**/*.ts',
      '!**/*.spec.ts',
      // Types only (and two id lists that exist to derive the types).
      '!**/*.types.ts',
      // Data tables: the clinical numbers and the evidence catalog. Stryker
      // has no numeric-literal mutator, so it cannot change the numbers that
      // matter; what it would change are labels, units, evidence ids and
      // citation texts (hundreds of static mutants, each a full test run),
      // which the evidence-catalog spec and the content hash already pin.
      '!**/*.constant.ts',
      // ...except their bits of logic (found by their text, so that the
      // line ranges follow the files): the threshold comparators, the
      // evidence lookup, the roles per event type and the code lookups.
      logic(
        'libs/protocol/src/lib/protocol/mas-protocol.constant.ts',
        'const above = ',
        'const mas2016Additional',
      ),
      logic(
        'libs/protocol/src/lib/evidence/evidence-catalog.constant.ts',
        'const byId = ',
      ),
      logic(
        'libs/protocol/src/lib/recording/recording-rules.constant.ts',
        'export function rolesFor',
      ),
      logic(
        'libs/protocol/src/lib/terminology/terminology.constant.ts',
        'export function analyteCode',
      ),
    ],
    ignorePatterns: [...notNeeded, '/machines'],
    testPathIgnorePatterns: baseTestPathIgnore,
  },
  'mas-episode': {
    root: 'machines/mas-episode',
    mutate: [
      'machines/mas-episode/src/lib/**/*.ts',
      '!**/*.spec.ts',
      '!**/*.types.ts',
      // Test instrumentation: records which states the scenario specs visit;
      // only the state-coverage spec (not run here, see below) reads it.
      '!machines/mas-episode/src/lib/machine-coverage.ts',
    ],
    ignorePatterns: [
      // The quality indicators' spec (src/analytics) reads the simulation
      // library and the machine's simulated courses (src/simulation).
      ...notNeeded.filter((folder) => folder !== '/libs/simulation'),
      // Not under mutation and not imported by src/lib or its specs.
      '/machines/mas-episode/src/verify',
    ],
    testPathIgnorePatterns: [
      ...baseTestPathIgnore,
      // The model checker (minutes; the separate "mutants as a test" check)
      // and the statistical simulation/calibration specs (~30 s, a 17 s
      // calibration test that covers nearly every line of the reducer).
      '/src/verify/',
      '/src/simulation/',
      // Aggregates what the other specs recorded in files during a whole
      // run; alone (as Stryker runs the tests that cover a mutant) it fails.
      'state-coverage\\.machine\\.spec\\.ts$',
    ],
  },
};

/**
 * The mutate list of one part of a project: its folder under src/lib (for
 * example `doses`), with the project's exclusions and only the line ranges
 * that fall in that folder. A whole project takes hours on two cores; run part
 * by part (`npm run mutation -- protocol --by-folder`), each part's report is
 * kept when a later part is stopped, and the summary merges them.
 *
 * @param {{ root: string, mutate: string[] }} project
 * @param {string} part
 */
export function partMutate(project, part) {
  const lib = `${project.root}/src/lib/`;
  // TOP_PART: the files directly in src/lib (a project may keep its code
  // there, beside folders of specs).
  const inPart = (path) =>
    part === TOP_PART
      ? path.startsWith(lib) && !path.slice(lib.length).includes('/')
      : path.startsWith(`${lib}${part}/`);
  return [
    part === TOP_PART ? `${lib}*.ts` : `${lib}${part}/**/*.ts`,
    ...project.mutate.filter(
      (glob) =>
        glob.startsWith('!') ||
        (glob.includes(':') && inPart(glob.slice(0, glob.indexOf(':')))),
    ),
  ];
}

/** The part of a project's files directly in its src/lib. */
export const TOP_PART = '_top';

/**
 * @param {keyof typeof projects} name
 * @param {string | undefined} part a folder under the project's src/lib
 */
export function strykerConfig(name, part) {
  const project = projects[name];
  if (!project) {
    throw new Error(
      `Unknown MUTATION_PROJECT "${name}": one of ${Object.keys(projects).join(', ')}`,
    );
  }
  if (part !== undefined && !/^[\w-]+$/.test(part)) {
    throw new Error(`MUTATION_PART "${part}" is not a folder name`);
  }
  const report = part === undefined ? name : `${name}.parts/${part}`;
  /** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
  const config = {
    packageManager: 'npm',
    testRunner: 'jest',
    testRunnerNodeArgs: ['--experimental-vm-modules'],
    jest: {
      projectType: 'custom',
      configFile: `${project.root}/jest.config.mjs`,
      // Shallow-merged over the project's config (neither project sets
      // setupFilesAfterEnv).
      config: {
        testPathIgnorePatterns: project.testPathIgnorePatterns,
        // An error XState throws from a timer after a test fails that test
        // instead of killing the test runner process (see the file).
        setupFilesAfterEnv: [
          '<rootDir>/../../tools/stryker-jest-late-errors.cjs',
        ],
      },
      enableFindRelatedTests: true,
    },
    coverageAnalysis: 'perTest',
    mutate: part === undefined ? project.mutate : partMutate(project, part),
    ignorePatterns: project.ignorePatterns,
    // Mutated files get `// @ts-nocheck` (ts-jest must not reject a mutant
    // for its type).
    disableTypeChecks: '{libs,machines}/**/src/**/*.ts',
    // Two cores, shared: one test runner. A mutant run of the machine takes
    // 5-15 s on a busy machine (every spec covers the guards): a tight
    // timeout would report slow runs as (detected) timeouts.
    concurrency: 1,
    timeoutMS: 60_000,
    dryRunTimeoutMinutes: 15,
    reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
    clearTextReporter: { allowEmojis: false, logTests: false },
    htmlReporter: { fileName: `reports/mutation/${report}.html` },
    jsonReporter: { fileName: `reports/mutation/${report}.json` },
    incrementalFile: `reports/mutation/${report}.incremental.json`,
    thresholds: { high: 90, low: 80, break: null },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
  return config;
}

export default strykerConfig(
  process.env.MUTATION_PROJECT ?? 'protocol',
  process.env.MUTATION_PART || undefined,
);
