import { createJestConfig } from '../../jest.preset.mjs';

export default createJestConfig(import.meta.dirname, {
  testMatch: ['**/*.e2e-spec.ts'],
});
