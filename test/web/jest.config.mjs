import { createJestConfig } from '../../jest.preset.mjs';

// Browser end-to-end: real Chromium (Debian's) against the real service
// serving the built web app (`nx run web:build` runs first).
export default createJestConfig(import.meta.dirname, {
  testMatch: ['**/*.browser-spec.ts'],
  testTimeout: 120_000,
});
