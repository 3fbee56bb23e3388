import { describe, expect, it } from '@jest/globals';

import { scenarios } from '@mas/simulation';

import { exampleProfile } from '../../spec-support/api.spec-support.js';
import { cohortInWorker } from './simulated-cohort.js';

describe('a simulated cohort in a worker thread', () => {
  it('answers with every scenario’s courses, computed in the worker', async () => {
    const cohort = await cohortInWorker({
      policyId: 'protocol',
      runs: 1,
      seed: 5,
      profile: exampleProfile,
    });
    expect(cohort.episodes).toBe(scenarios.length);
    expect(cohort.policy).toBe('protocol');
  });

  it('a worker past its time is stopped and the cohort refused, never waited on', async () => {
    await expect(
      cohortInWorker(
        { policyId: 'protocol', runs: 10, seed: 5, profile: exampleProfile },
        1,
      ),
    ).rejects.toThrow(/took longer than 0.001 s: stopped/);
  });

  it('a policy the worker does not know is a refusal, not a hang', async () => {
    await expect(
      cohortInWorker({
        policyId: 'no-such-policy',
        runs: 1,
        seed: 5,
        profile: exampleProfile,
      }),
    ).rejects.toThrow(/the simulated cohort failed/);
  });
});
