import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { parseInstitutionProfile } from '@mas/protocol';

import { runBatchOnWorkers, slices } from './simulate-workers.js';

const profile = parseInstitutionProfile(
  JSON.parse(
    readFileSync(
      join(
        import.meta.dirname,
        '../../../libs/protocol/profiles/example.profile.json',
      ),
      'utf8',
    ),
  ),
);

describe('the batch on worker threads', () => {
  it('splits the courses in contiguous slices covering each once, never more slices than courses', () => {
    expect(slices(20, 3)).toEqual([
      [0, 7],
      [7, 14],
      [14, 20],
    ]);
    expect(slices(2, 8)).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(slices(5, 1)).toEqual([[0, 5]]);
  });

  it("a worker's failure reaches the caller as an error naming it (never a wait)", () => {
    expect(() =>
      runBatchOnWorkers({
        scenarioIds: ['no-such-scenario'],
        policyId: 'protocol',
        runs: 2,
        seed: 1,
        profile,
        workers: 2,
      }),
    ).toThrow(/a simulation worker failed: .*no-such-scenario/);
  });
});
