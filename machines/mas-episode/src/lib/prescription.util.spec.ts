/**
 * The standard prescription each protocol drug gets for one patient: the
 * route the protocol names first (or the one asked for), the dose the
 * calculator computes from the protocol's (or the institution's) figure,
 * and the schedule the rule's period implies.
 */
import { describe, expect, it } from '@jest/globals';

import { ClinicalInputError, masProtocolDefinition } from '@mas/protocol';
import { amira, ben } from '@mas/testing';

import { exampleProfile } from '../spec-support/episode.spec-support.js';
import { standardDose, standardPrescription } from './prescription.util.js';

const { doses } = masProtocolDefinition;
const profile = exampleProfile();
const ivCiclosporin = profile.data.doses.ciclosporin?.ivMgPerKgPerDay;

describe('the standard prescription of each protocol drug', () => {
  it('methylprednisolone: the 30 mg/kg pulse, day 1 of 3, IV; capped at 1 g for a heavier patient [seed.initial.1]', () => {
    expect(standardPrescription('methylprednisolone', amira, profile)).toEqual({
      dose: {
        value: doses.methylprednisolone.range.max * amira.weightKg,
        unit: 'mg',
      },
      route: 'iv',
      schedule: { kind: 'pulse', day: 1, of: 3 },
    });
    // 55 kg x 30 mg/kg = 1,650 mg: the per-infusion cap applies.
    expect(
      standardPrescription('methylprednisolone', ben, profile).dose.value,
    ).toBe(1000);
  });

  it("ciclosporin: oral by default at the top of the protocol range, IV at the institution's figure, once a day [seed.second-line.3]", () => {
    expect(standardPrescription('ciclosporin', amira, profile)).toEqual({
      dose: {
        value: doses.ciclosporin.oral.range.max * amira.weightKg,
        unit: 'mg',
      },
      route: 'oral',
      schedule: { kind: 'daily' },
    });
    expect(ivCiclosporin).toBeDefined();
    expect(standardPrescription('ciclosporin', amira, profile, 'iv')).toEqual({
      dose: {
        value: (ivCiclosporin?.max ?? 0) * amira.weightKg,
        unit: 'mg',
      },
      route: 'iv',
      schedule: { kind: 'daily' },
    });
  });

  it('ciclosporin IV where the institution sets no IV figure: refused by the calculator naming the parameter, never a made-up dose [seed.second-line.3]', () => {
    const { ciclosporin: _iv, ...others } = profile.data.doses;
    const without = { ...profile, data: { ...profile.data, doses: others } };
    expect(() =>
      standardPrescription('ciclosporin', amira, without, 'iv'),
    ).toThrow(ClinicalInputError);
    expect(() =>
      standardPrescription('ciclosporin', amira, without, 'iv'),
    ).toThrow(/ivMgPerKgPerDay/);
    // Oral needs no institution figure.
    expect(standardPrescription('ciclosporin', amira, without).dose.value).toBe(
      doses.ciclosporin.oral.range.max * amira.weightKg,
    );
  });

  it('anakinra: the mean induction dose reported in MAS, subcutaneous, once a day (the same dose IV) [seed.second-line.4]', () => {
    const expected = {
      // (To the hundredth of a mg, as prescribed: 5.1 x 24 is 122.4.)
      value:
        Math.round(
          doses.anakinra.reportedMeanInductionMgPerKgPerDay *
            amira.weightKg *
            100,
        ) / 100,
      unit: 'mg',
    };
    expect(standardPrescription('anakinra', amira, profile)).toEqual({
      dose: expected,
      route: 'sc',
      schedule: { kind: 'daily' },
    });
    expect(standardPrescription('anakinra', amira, profile, 'iv').dose).toEqual(
      expected,
    );
  });

  it('emapalumab: the first infusion (6 mg/kg), a single dose [seed.refractory.1]', () => {
    expect(standardPrescription('emapalumab', amira, profile)).toEqual({
      dose: { value: 6 * amira.weightKg, unit: 'mg' },
      route: 'iv',
      schedule: { kind: 'once' },
    });
  });

  it('the JAK inhibitors: oral, every 12 hours; each dose as the rule gives it, not divided [seed.refractory.2]', () => {
    for (const drug of ['ruxolitinib', 'baricitinib'] as const) {
      const result = standardDose(drug, amira, profile);
      expect(result.dosesPerDay).toBe(2);
      expect(standardPrescription(drug, amira, profile)).toEqual({
        dose: { value: Math.round(result.doseMg * 100) / 100, unit: 'mg' },
        route: 'oral',
        schedule: { kind: 'every-hours', hours: 12 },
      });
    }
  });

  it('dexamethasone daily (IV first, oral on asking); etoposide, rituximab and tocilizumab single doses IV [seed.initial.2]', () => {
    expect(standardPrescription('dexamethasone', amira, profile)).toMatchObject(
      {
        route: 'iv',
        schedule: { kind: 'daily' },
      },
    );
    expect(
      standardPrescription('dexamethasone', amira, profile, 'oral'),
    ).toMatchObject({ route: 'oral', schedule: { kind: 'daily' } });
    for (const drug of ['etoposide', 'rituximab', 'tocilizumab'] as const) {
      const result = standardDose(drug, amira, profile);
      expect(standardPrescription(drug, amira, profile)).toEqual({
        dose: { value: Math.round(result.doseMg * 100) / 100, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'once' },
      });
    }
  });
});
