import { join } from 'node:path';

import { createJestConfig } from '../../jest.preset.mjs';

// Component tests in a DOM (jsdom), compiled like the app (JSX, bundler
// resolution); the workspace aliases come from the preset.
export default createJestConfig(import.meta.dirname, {
  testEnvironment: 'jsdom',
  setupFiles: [join(import.meta.dirname, 'src/testing/jsdom-setup.ts')],
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  testMatch: ['**/*.spec.ts', '**/*.spec.tsx'],
  transform: {
    '^.+\\.tsx?$': [
      'ts-jest',
      { useESM: true, tsconfig: join(import.meta.dirname, 'tsconfig.json') },
    ],
  },
  moduleNameMapper: {
    ...createJestConfig(import.meta.dirname).moduleNameMapper,
    '\\.css$': join(import.meta.dirname, 'src/testing/style.stub.ts'),
  },
});
