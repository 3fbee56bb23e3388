// StrykerJS mutation testing, one run per project (issue 13). Use
// `npm run mutation` (tools/mutation.mjs), which runs the projects one after
// the other and prints the scores; or one project directly:
//   MUTATION_PROJECT=mas-episode npx stryker run stryker.config.mjs
//
// Jest runs as in `npm test` (ESM through --experimental-vm-modules, the
// project's own jest.config.mjs), in a sandbox copy of the repository
// (.stryker-tmp/); the working tree is never mutated in place.

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
      // ...except their bits of logic: the threshold comparators and the
      // evidence lookup.
      'libs/protocol/src/lib/protocol/mas-protocol.constant.ts:142-161',
      'libs/protocol/src/lib/evidence/evidence-catalog.constant.ts:408-415',
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
      ...notNeeded,
      // Not under mutation and not imported by src/lib or its specs.
      '/machines/mas-episode/src/verify',
      '/machines/mas-episode/src/simulation',
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

/** @param {keyof typeof projects} name */
export function strykerConfig(name) {
  const project = projects[name];
  if (!project) {
    throw new Error(
      `Unknown MUTATION_PROJECT "${name}": one of ${Object.keys(projects).join(', ')}`,
    );
  }
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
    mutate: project.mutate,
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
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    thresholds: { high: 90, low: 80, break: null },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
  return config;
}

export default strykerConfig(process.env.MUTATION_PROJECT ?? 'protocol');
