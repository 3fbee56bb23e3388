import { describe, expect, it } from '@jest/globals';

import { type MigrationPlan, migrationPlans } from '../lib/migration-plans.js';
import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { checkOutsideSandbox } from '../spec-support/model-checking.spec-support.js';
import { type Slice, slices } from './episode-alphabet.js';
import { checkMigrationPlan } from './verify-migration.js';

const [shipped] = migrationPlans as [MigrationPlan];
const diagnosis = slices.filter((s) => s.name === 'diagnosis');
/** A small slice for the refusals: a course's backbone, no outcome. */
const lean: Slice[] = [
  {
    name: 'lean course',
    letters: [
      'tick:long',
      'labs:florid',
      'suspicion',
      'start:methylprednisolone',
      'reassess:same',
    ],
  },
];

describe('proving a migration plan with the model checker', () => {
  it.each(
    migrationPlans.map((plan) => [`${plan.from} -> ${plan.to}`, plan] as const),
  )(
    'the shipped plan %s is proven on the diagnosis slice: every property holds right after each move and in the new version alone, and each migrated state is, abstractly, one the new version reaches by itself',
    (_, plan) => {
      // Every slice: `npm run -s cli -- protocol check-migration 1.0.0 1.1.0`
      // (minutes; its figures are in the README). Checked in a child
      // process, outside Jest's module sandbox (a third of the CPU less).
      const started = Date.now();
      const { proof } = checkOutsideSandbox({
        kind: 'migration',
        from: plan.from,
        to: plan.to,
        slices: diagnosis.map((s) => s.name),
      });
      console.log(
        `migration ${plan.from} -> ${plan.to} (diagnosis slice): ${proof.verdict}; ${proof.statesNew} states under ${plan.to} alone, ${proof.statesMigrating} with the move, ${proof.migrated} migrated states; ${Date.now() - started} ms`,
      );
      expect(proof).toMatchObject({
        verdict: 'proven',
        slices: ['diagnosis'],
        problems: [],
      });
      expect(proof.unreachable).toBeUndefined();
      expect(proof.violation).toBeUndefined();
      expect(proof.migrated).toBeGreaterThan(100);
      // Every state of the old version had its move beside it.
      expect(proof.statesMigrating).toBeGreaterThan(proof.statesNew);
      const byId = new Map(proof.properties.map((p) => [p.id, p]));
      for (const id of ['P5', 'P6', 'P7', 'P8', 'P11', 'P12', 'P14', 'P15']) {
        expect([id, byId.get(id)?.status]).toEqual([id, 'holds']);
      }
      // The rules about a state, and P14 (about every step, the move
      // included), were evaluated right after moves, not only on the new
      // version alone.
      for (const id of ['P5', 'P6', 'P7', 'P8', 'P14', 'P15']) {
        expect([id, byId.get(id)?.applicableAfterMove]).toEqual([
          id,
          expect.any(Number),
        ]);
        expect(byId.get(id)?.applicableAfterMove).toBeGreaterThan(0);
      }
    },
    900_000,
  );

  it('a plan that moves an sJIA patient to the SLE subtype is refused: P15 fails right after the move, with the events to it', () => {
    const proof = checkMigrationPlan(
      { ...shipped, states: { 'open.subtype.stills': 'open.subtype.sle' } },
      exampleProfile(),
      { slices: lean },
    );
    expect(proof.verdict).toBe('refused');
    expect(proof.violation).toMatchObject({
      property: 'P15',
      where: 'after the move',
      slice: 'lean course',
    });
    expect(proof.violation?.events.at(-1)?.type).toBe('protocol.migrated');
  }, 300_000);

  it('a plan that puts an episode on hold no one recorded is refused: the migrated state is one the new version never reaches by itself (M1), with the events to it', () => {
    const proof = checkMigrationPlan(
      { ...shipped, states: { 'open.hold.none': 'open.hold.onHold' } },
      exampleProfile(),
      { slices: lean },
    );
    expect(proof.verdict).toBe('refused');
    expect(proof.violation).toBeUndefined();
    expect(proof.unreachable?.slice).toBe('lean course');
    expect(proof.unreachable?.events.at(-1)?.type).toBe('protocol.migrated');
  }, 900_000);

  it('a state map unsound as written (a target the machine would leave without an event) is refused before anything is explored', () => {
    const proof = checkMigrationPlan(
      {
        ...shipped,
        states: { 'open.reassessment.overdue': 'open.reassessment.onTime' },
      },
      exampleProfile(),
    );
    expect(proof).toMatchObject({ verdict: 'refused', statesMigrating: 0 });
    expect(proof.problems[0]).toContain('has eventless transitions');
  });

  it('a plan to a version the build does not know, or to the version itself, is refused before anything is explored', () => {
    for (const [to, problem] of [
      ['9.9.9', '9.9.9 is not a protocol version this build knows'],
      ['1.0.0', 'the plan leads from 1.0.0 to itself'],
    ] as const) {
      const proof = checkMigrationPlan({ ...shipped, to }, exampleProfile());
      expect(proof).toMatchObject({ verdict: 'refused', statesMigrating: 0 });
      expect(proof.problems).toContain(problem);
    }
  });
});
