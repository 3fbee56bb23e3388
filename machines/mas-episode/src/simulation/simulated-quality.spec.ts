import { describe, expect, it } from '@jest/globals';

import { scenarios } from '@mas/simulation';

import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { policies, policyById } from './policies.js';
import { simulatedQuality } from './simulated-quality.js';

describe('the quality indicators of a simulated cohort (model output)', () => {
  it('counts every course as an episode, labelled model output, and tells a late policy from the protocol [seed.initial.3]', () => {
    const profile = exampleProfile();
    const of = (policy: (typeof policies)[keyof typeof policies]) =>
      simulatedQuality({ scenarios, policy, runs: 2, seed: 5, profile });
    const protocol = of(policies.protocol);
    const delay = of(policies.delay);
    expect(protocol.notice).toMatch(/never evidence/);
    expect(protocol.policy).toBe('protocol');
    expect(protocol.episodes).toBe(scenarios.length * 2);
    expect(protocol.skipped).toEqual([]);
    const first = (result: typeof protocol) => {
      const point = result.indicators[
        'suspicion-to-glucocorticoid'
      ].points.find((p) => p.ward === null);
      if (!point) throw new Error('no point');
      return point;
    };
    expect(first(protocol).n).toBe(scenarios.length * 2);
    expect(first(protocol).withinTarget.share).toBe(1);
    // A day late on every decision: later, and outside the limit.
    expect(first(delay).medianHours ?? 0).toBeGreaterThan(
      first(protocol).medianHours ?? 0,
    );
    expect(first(delay).withinTarget.share).toBeLessThan(1);
    // Each point names its courses, by scenario and run.
    expect(first(protocol).withinTarget.episodeIds).toContain(
      `${scenarios[0]?.id ?? ''}#1`,
    );
  });

  it('a policy is one of the simulator\'s own: "constructor" or "toString" is none', () => {
    for (const id of ['constructor', 'toString', '__proto__', 'nope']) {
      expect(() => policyById(id)).toThrow(/is not one of/);
    }
    expect(policyById('delay').id).toBe('delay');
  });
});
