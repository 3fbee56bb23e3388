import { beforeAll, describe, expect, it } from '@jest/globals';

import {
  checkOutsideSandbox,
  type MutantOutcome,
} from '../spec-support/model-checking.spec-support.js';
import { slices } from './episode-alphabet.js';
import { episodeMutants } from './episode-mutants.js';
import { episodeProperties } from './episode-properties.js';

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

  // Every mutant checked in one child process, outside Jest's module
  // sandbox (a third of the CPU less); each test reads its own outcome.
  let outcomes: ReadonlyMap<string, MutantOutcome> = new Map();
  beforeAll(() => {
    outcomes = new Map(
      checkOutsideSandbox({ kind: 'mutants' }).mutants.map((outcome) => [
        outcome.id,
        outcome,
      ]),
    );
  }, 900_000);

  it.each(episodeMutants.map((m) => [m.id, m] as const))(
    '%s is caught with a counterexample',
    (_, mutant) => {
      const outcome = outcomes.get(mutant.id);
      expect({ mutant: mutant.id, status: outcome?.status }).toEqual({
        mutant: mutant.id,
        status: 'fails',
      });
      // The events that lead to the failure; none where the bug shows from
      // the opening of an episode (the counterexample is the opening).
      const length = outcome?.counterexampleLength;
      expect({ mutant: mutant.id, leadsThere: length !== 0 }).toEqual({
        mutant: mutant.id,
        leadsThere: mutant.atOpening !== true,
      });
      expect(typeof length).toBe('number');
    },
  );
});
