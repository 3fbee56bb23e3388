import { describe, expect, it } from '@jest/globals';

import { therapyClassOf } from '../lib/mas-episode.checks.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { slices } from './episode-alphabet.js';
import { episodeProperties } from './episode-properties.js';
import { verifyEpisodeMachine } from './verify-episode.js';

describe('model checking the deployed machine', () => {
  it('every safety property holds on every reachable state of every slice', () => {
    const result = verifyEpisodeMachine(exampleProfile());
    for (const run of result.slices) {
      expect(run).toMatchObject({ complete: true });
      expect(run.states).toBeGreaterThan(100);
    }
    expect(result.results.map((r) => [r.id, r.status])).toEqual(
      episodeProperties.map((p) => [p.id, 'holds']),
    );
    console.log(
      `model checking: ${result.states} states, ${result.transitions} transitions in ${result.slices.length} slices; ${result.results.length} properties hold`,
    );
  }, 300_000);

  it('catches a deliberately broken copy (one guard loses its check) with a shortest counterexample', () => {
    // The guard that routes a therapy start to its line forgets to ask the
    // clinical checks: rituximab without EBV (and more) gets through.
    const broken = masEpisodeMachine.provide({
      guards: {
        isTherapyStartOfClass: ({ event }, params) =>
          event.type === 'therapy.started' &&
          therapyClassOf(event.payload.drug) === params.therapyClass,
      },
    });
    const ebvSlice = slices.filter((s) => s.name === 'EBV and rituximab');
    const result = verifyEpisodeMachine(exampleProfile(), {
      machine: broken,
      slices: ebvSlice,
    });
    const p3 = result.results.find((r) => r.id === 'P3');
    expect(p3?.status).toBe('fails');
    const events = p3?.counterexample?.events ?? [];
    expect(events.at(-1)).toMatchObject({
      type: 'therapy.started',
      payload: { drug: 'rituximab' },
    });
    expect(events.some((e) => e.type === 'trigger.identified')).toBe(false);
    expect(events.length).toBeLessThanOrEqual(2);

    const p9 = result.results.find((r) => r.id === 'P9');
    expect(p9?.status).toBe('fails');
  }, 120_000);

  it('says "inconclusive", never "holds", when the state limit is hit', () => {
    const result = verifyEpisodeMachine(exampleProfile(), {
      limit: 50,
      slices: slices.slice(0, 1),
    });
    expect(result.slices[0]?.complete).toBe(false);
    expect(new Set(result.results.map((r) => r.status))).toEqual(
      new Set(['inconclusive']),
    );
  });
});
