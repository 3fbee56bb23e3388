// Shared Jest settings: ES modules through ts-jest, path aliases from
// tsconfig.base.json, one worker per project (Nx runs two projects at once).
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = dirname(fileURLToPath(import.meta.url));

function aliasMapper() {
  const base = JSON.parse(
    readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'),
  );
  const mapper = {};
  for (const [alias, [target]] of Object.entries(
    base.compilerOptions.paths ?? {},
  )) {
    const escaped = alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    mapper[`^${escaped}$`] = join(workspaceRoot, target);
  }
  return mapper;
}

/** @param {string} projectDir absolute path of the project (import.meta.dirname) */
export function createJestConfig(projectDir, overrides = {}) {
  return {
    displayName: relative(workspaceRoot, projectDir),
    rootDir: projectDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: {
      ...aliasMapper(),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      // @fastify/static require()s content-disposition, which ships only as
      // an ES module: Node (20.19+) loads it natively, Jest's module runtime
      // cannot before Node 24.9, so Jest gets it compiled to CommonJS.
      '/node_modules/content-disposition/.+\\.js$': [
        'ts-jest',
        {
          tsconfig: {
            allowJs: true,
            module: 'commonjs',
            verbatimModuleSyntax: false,
          },
        },
      ],
      '^.+\\.ts$': [
        'ts-jest',
        {
          useESM: true,
          tsconfig: join(projectDir, 'tsconfig.json'),
        },
      ],
    },
    testMatch: ['**/*.spec.ts'],
    // (A copy nested under another package's node_modules too.)
    transformIgnorePatterns: [
      '/node_modules/(?!(.+/node_modules/)?content-disposition/)',
    ],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    maxWorkers: 1,
    // Two projects share two cores in \`npm test\`, beside PostgreSQL and
    // Chromium: a test that takes 1 s alone can take several there (the CI
    // run of 9fc23a1 failed a 14-sign-in lockout test on Jest's 5 s default).
    // 30 s is the ceiling for any one test unless it states its own.
    testTimeout: 30_000,
    ...overrides,
  };
}
