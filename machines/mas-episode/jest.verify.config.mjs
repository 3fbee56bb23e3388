// The model checking of the deployed machine: its own Nx target
// (`test-verify`), so that it runs beside the other suites instead of after
// them in the project's one worker. It reads and writes no machine coverage.
import { createJestConfig } from '../../jest.preset.mjs';

export default createJestConfig(import.meta.dirname, {
  testMatch: ['**/src/verify/verify-episode.machine.spec.ts'],
});
