import { describe, expect, it } from '@jest/globals';

import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { slices } from './episode-alphabet.js';
import { episodeMutants } from './episode-mutants.js';
import { episodeProperties } from './episode-properties.js';
import { verifyEpisodeMachine } from './verify-episode.js';

describe('the mutant catalogue: every planted bug is caught by its property', () => {
  it('has at least 15 mutants, each naming a property and slices that exist', () => {
    expect(episodeMutants.length).toBeGreaterThanOrEqual(15);
    const ids = new Set(episodeProperties.map((p) => p.id));
    const names = new Set(slices.map((s) => s.name));
    for (const mutant of episodeMutants) {
      expect({ id: mutant.id, known: ids.has(mutant.caughtBy) }).toEqual({
        id: mutant.id,
        known: true,
      });
      for (const slice of mutant.slices) {
        expect({ id: mutant.id, slice, known: names.has(slice) }).toEqual({
          id: mutant.id,
          slice,
          known: true,
        });
      }
    }
    // Every property of the checker is the catcher of at least one mutant,
    // except those listed here with why.
    const caught = new Set(episodeMutants.map((m) => m.caughtBy));
    expect(
      episodeProperties.map((p) => p.id).filter((id) => !caught.has(id)),
    ).toEqual(['P10c']);
  });

  it.each(episodeMutants.map((m) => [m.id, m] as const))(
    '%s is caught with a counterexample',
    (_, mutant) => {
      const result = verifyEpisodeMachine(exampleProfile(), {
        machine: mutant.machine(),
        slices: slices.filter((s) => mutant.slices.includes(s.name)),
        stopOnFailureOf: [mutant.caughtBy],
        soundnessEvery: 0,
      });
      const property = result.results.find((r) => r.id === mutant.caughtBy);
      expect({ mutant: mutant.id, status: property?.status }).toEqual({
        mutant: mutant.id,
        status: 'fails',
      });
      // The events that lead to the failure; none where the bug shows from
      // the opening of an episode (the counterexample is the opening).
      const length = property?.counterexample?.events.length;
      expect({ mutant: mutant.id, leadsThere: length !== 0 }).toEqual({
        mutant: mutant.id,
        leadsThere: mutant.atOpening !== true,
      });
      expect(length).toBeDefined();
    },
    120_000,
  );
});
