// One lint configuration for the whole workspace.
// Module boundaries are enforced here, not only described: see README.md.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import jest from 'eslint-plugin-jest';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

/** Packages that must never reach clinical knowledge or statecharts. */
const frameworkAndIo = [
  '@nestjs/*',
  'typeorm',
  'better-sqlite3',
  'pg',
  'react',
  'react-dom',
  '@xstate/react',
  'express',
  'axios',
  '@mas/api',
  '@mas/cli',
];

/** Node built-ins doing I/O, banned in pure projects. */
const nodeIo = [
  'fs',
  'fs/promises',
  'child_process',
  'http',
  'https',
  'net',
  'dgram',
  'dns',
  'worker_threads',
  'cluster',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'reports/**',
      'coverage/**',
      '.nx/**',
      '**/*.mjs',
      '**/*.cjs',
      'test/workspace/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: {
      '@nx': nx,
      'simple-import-sort': simpleImportSort,
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // NestJS modules are decorated classes with static factories.
      '@typescript-eslint/no-extraneous-class': [
        'error',
        { allowWithDecorator: true },
      ],
      // TypeORM and Nest take plain option objects typed as classes.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'simple-import-sort/imports': [
        'error',
        {
          // built-ins, packages, workspace aliases, relative
          groups: [['^node:'], ['^@?\\w'], ['^@mas/'], ['^\\.']],
        },
      ],
      'simple-import-sort/exports': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The API end-to-end suites start the real service, and the
          // simulation benchmark runs the CLI's batch on worker threads; no
          // other project may import them (pure projects ban both below).
          allow: ['@mas/api', '@mas/cli'],
          depConstraints: [
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: frameworkAndIo,
            },
            {
              sourceTag: 'type:machine',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: frameworkAndIo,
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:machine', 'type:domain'],
            },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: [
                'type:app',
                'type:machine',
                'type:domain',
                'type:e2e-support',
              ],
            },
            {
              // What the end-to-end suites share (a test identity provider).
              sourceTag: 'type:e2e-support',
              onlyDependOnLibsWithTags: ['type:domain'],
            },
          ],
        },
      ],
    },
  },
  {
    // Clinical libraries and statecharts are pure: no I/O, no clock, no env.
    files: ['libs/**/src/**/*.ts', 'machines/**/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/spec-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeIo.flatMap((name) => [
            { name, message: 'Pure code does no I/O.' },
            { name: `node:${name}`, message: 'Pure code does no I/O.' },
          ]),
          // Also caught by @nx/enforce-module-boundaries once installed;
          // this holds even before a package is in the lock file.
          patterns: [
            {
              group: frameworkAndIo,
              message:
                'Clinical knowledge and statecharts use no framework and no I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Pure code reads no environment.' },
        { name: 'fetch', message: 'Pure code does no I/O.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Pure code reads no clock: time arrives as input.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pure code reads no clock: time arrives as input.',
        },
        {
          selector: "MemberExpression[object.name='console']",
          message: 'Pure code does not log.',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/spec-support/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/expect-expect': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // React event handlers are arrow shorthands that return nothing.
    files: ['apps/web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true },
      ],
    },
  },
  {
    // End-to-end suites read untyped JSON from HTTP answers.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  prettier,
);
