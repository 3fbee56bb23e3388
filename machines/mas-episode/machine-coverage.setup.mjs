// Jest global setup: start each run with no recorded machine coverage.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export default function clearMachineCoverage() {
  rmSync(join(import.meta.dirname, '../../reports/machine-coverage'), {
    recursive: true,
    force: true,
  });
}
