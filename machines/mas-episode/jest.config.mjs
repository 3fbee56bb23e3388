import { createJestConfig } from '../../jest.preset.mjs';

export default createJestConfig(import.meta.dirname, {
  globalSetup: '<rootDir>/machine-coverage.setup.mjs',
  testSequencer: '<rootDir>/coverage-last.sequencer.mjs',
  // The model checking runs in its own target (jest.verify.config.mjs).
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '/src/verify/verify-episode\\.machine\\.spec\\.ts$',
  ],
});
