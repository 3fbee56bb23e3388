import { describe, expect, it } from '@jest/globals';

import { therapyClassOf } from '../lib/mas-episode.checks.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { checkOutsideSandbox } from '../spec-support/model-checking.spec-support.js';
import { abstractKey } from './episode-abstraction.js';
import { slices } from './episode-alphabet.js';
import { episodeProperties } from './episode-properties.js';
import { verifyEpisodeMachine } from './verify-episode.js';

describe('model checking the deployed machine', () => {
  it('every safety property holds on every reachable state of every slice, none is vacuous, and the key never merged states that part ways', () => {
    // One in every 100 colliding states is compared one step ahead
    // (`npm run verify` compares every one). Checked in a child process,
    // outside Jest's module sandbox (a third of the CPU less).
    const result = checkOutsideSandbox({
      kind: 'deployed',
      soundnessEvery: 100,
    }).verification;
    for (const run of result.slices) {
      expect(run).toMatchObject({ complete: true, diverged: 0 });
      expect(run.states).toBeGreaterThan(100);
    }
    expect(result.unsound).toBeUndefined();
    expect(result.results.map((r) => [r.id, r.status])).toEqual(
      episodeProperties.map((p) => [p.id, 'holds']),
    );
    for (const r of result.results) expect(r.applicable).toBeGreaterThan(0);
    const compared = result.slices.reduce((sum, run) => sum + run.compared, 0);
    expect(compared).toBeGreaterThan(50);
    console.log(
      `model checking: ${result.states} states, ${result.transitions} transitions in ${result.slices.length} slices; ${result.results.length} properties hold, none vacuous; ${compared} colliding states compared, none parted`,
    );
  }, 900_000);

  it('reports a property whose premise never holds as vacuous, never "holds"', () => {
    const [p3] = episodeProperties.filter((p) => p.id === 'P3');
    if (!p3) throw new Error('P3 missing');
    // Rituximab never starts in the infection slice: P3 could not fail there.
    const result = verifyEpisodeMachine(exampleProfile(), {
      properties: [p3],
      slices: slices.filter((s) => s.name === 'infection'),
      soundnessEvery: 0,
    });
    expect(result.results[0]).toMatchObject({
      id: 'P3',
      status: 'vacuous',
      applicable: 0,
    });
    expect(result.results[0]?.evaluated).toBeGreaterThan(0);
  }, 120_000);

  it('finds a key that merges states which part ways (a key that forgets the requests)', () => {
    // Approved and rejected requests reach one key if the key forgets the
    // requests: the checker sees the two part one step later (only the
    // approved one can start the drug without an emergency).
    const result = verifyEpisodeMachine(exampleProfile(), {
      slices: slices.filter(
        (s) => s.name === 'refractory, four eyes: ruxolitinib',
      ),
      key: (snapshot, facts, observed) =>
        abstractKey(
          snapshot,
          { ...facts, requests: {} },
          { ...observed, requests: [] },
        ),
      soundnessEvery: 1,
      limit: 3_000,
    });
    expect(result.unsound).toBeDefined();
    expect(result.slices[0]?.diverged).toBeGreaterThan(0);
  }, 120_000);

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
      soundnessEvery: 0,
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
