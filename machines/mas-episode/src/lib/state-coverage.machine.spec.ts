/**
 * Runs last (see coverage-last.sequencer.mjs): every state of the machine
 * must be visited by some scenario spec. Run the whole project, not this
 * file alone: the other specs record what they visit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { coverageDir } from '../spec-support/episode.spec-support.js';
import { machineInventory } from './machine-coverage.js';

describe('state coverage by the scenario specs', () => {
  it('every state of the machine is visited by some spec', () => {
    expect(existsSync(coverageDir)).toBe(true);
    const states = new Set<string>();
    const transitions = new Set<string>();
    for (const file of readdirSync(coverageDir).filter((f) =>
      f.endsWith('.json'),
    )) {
      const recorded = JSON.parse(
        readFileSync(join(coverageDir, file), 'utf8'),
      ) as {
        states: string[];
        transitions: string[];
      };
      recorded.states.forEach((s) => states.add(s));
      recorded.transitions.forEach((t) => transitions.add(t));
    }
    const inventory = machineInventory();
    const unvisited = inventory.states.filter((s) => !states.has(s));
    const visitedTransitions = inventory.transitions.filter((t) =>
      transitions.has(t),
    ).length;
    console.log(
      `machine coverage: ${inventory.states.length - unvisited.length}/${inventory.states.length} states, ${visitedTransitions}/${inventory.transitions.length} transitions`,
    );
    expect(unvisited).toEqual([]);
  });
});
