import { createJestConfig } from '../../jest.preset.mjs';

export default createJestConfig(import.meta.dirname, {
  globalSetup: '<rootDir>/machine-coverage.setup.mjs',
  testSequencer: '<rootDir>/coverage-last.sequencer.mjs',
});
