import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { seedStatements } from '@mas/protocol';

import { buildTrace, formatTrace, noMachineElement } from './trace.command.js';

const workspaceRoot = join(import.meta.dirname, '../../..');

describe('seed-to-test trace', () => {
  const trace = buildTrace(workspaceRoot);

  it("has one entry per seed statement, in the seed's own words", () => {
    expect(trace.map((e) => e.id)).toEqual(seedStatements.map((s) => s.id));
    expect(trace).toHaveLength(30);
    expect(trace[1]).toMatchObject({
      id: 'seed.initial.1',
      section: 'Initial Treatment',
      text: expect.stringMatching(
        /^High-dose glucocorticoids are the mainstay/,
      ),
    });
  });

  it('every statement has at least one test', () => {
    expect(trace.filter((e) => e.tests.length === 0).map((e) => e.id)).toEqual(
      [],
    );
  });

  it('every statement has a machine element, or says why not (and the reason cannot go stale)', () => {
    const explained = trace.filter((e) => e.id in noMachineElement);
    expect(explained.map((e) => e.elements)).toEqual(explained.map(() => []));
    expect(explained.every((e) => e.why !== undefined)).toBe(true);
    const others = trace.filter((e) => !(e.id in noMachineElement));
    expect(
      others.filter((e) => e.elements.length === 0).map((e) => e.id),
    ).toEqual([]);
  });

  it('finds elements from the code: states, guards, alerts and properties', () => {
    const initial2 = trace.find((e) => e.id === 'seed.initial.2');
    expect(initial2?.elements).toEqual(
      expect.arrayContaining([
        'alert:cns-without-dexamethasone',
        'property:P5',
        'state:masEpisode.open.treatment.active.firstLine',
      ]),
    );
    const refractory1 = trace.find((e) => e.id === 'seed.refractory.1');
    expect(refractory1?.elements).toEqual(
      expect.arrayContaining(['guard:escalationEvidence', 'property:P2']),
    );
  });

  it('the readable table ends with the totals and a coverage line', () => {
    const text = formatTrace(trace, {
      states: { visited: 3, total: 4, unvisited: ['x'] },
      transitions: { visited: 1, total: 2, unvisited: ['y'] },
    });
    expect(text).toMatch(
      /30 statements: 30 with tests, 29 with machine elements, 1 explained without one\./,
    );
    expect(text).toMatch(
      /Coverage by the scenario specs: 3\/4 states, 1\/2 transitions\./,
    );
  });
});
