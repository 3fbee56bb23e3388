import { describe, expect, it } from '@jest/globals';

import {
  clinicalErrorOf,
  readExampleProfile,
} from '../../spec-support/spec-support.js';
import { findEvidence } from '../evidence/evidence-catalog.constant.js';
import {
  type InstitutionProfile,
  parseInstitutionProfile,
  profileStamp,
} from '../profile/institution-profile.js';
import {
  bodySurfaceAreaM2,
  calculateDose,
  type DoseResult,
  resolveDrug,
  validateDoseRequest,
} from './dose.calculator.js';

const exampleRaw = readExampleProfile();
const example = parseInstitutionProfile(exampleRaw);

function withoutDose(drug: string): InstitutionProfile {
  const { [drug]: _removed, ...doses } = exampleRaw.doses;
  return parseInstitutionProfile({ ...exampleRaw, doses });
}

const errorOf = clinicalErrorOf;

/** The example profile with one drug's dose rule replaced. */
function withDose(drug: string, rule: unknown): InstitutionProfile {
  return parseInstitutionProfile({
    ...exampleRaw,
    doses: { ...exampleRaw.doses, [drug]: rule },
  });
}

describe('methylprednisolone pulse (seed: 15-30 mg/kg/day, max 1 g per infusion)', () => {
  it('30 mg/kg for 20 kg is 600 mg, no cap [seed.initial.1]', () => {
    const dose = calculateDose('methylprednisolone', {
      weightKg: 20,
      mgPerKg: 30,
    });
    expect(dose).toMatchObject({
      drug: 'methylprednisolone',
      route: 'iv',
      doseMg: 600,
      per: 'infusion',
      capApplied: false,
    });
    expect(dose.basis).toMatchObject({
      kind: 'mg/kg',
      amountPerUnit: 30,
      weightKg: 20,
    });
    expect(dose.evidence).toContain('seed.initial.1');
  });

  it('exactly 1000 mg is not capped; above it the cap applies and says so [seed.initial.1]', () => {
    expect(
      calculateDose('methylprednisolone', { weightKg: 50, mgPerKg: 20 }),
    ).toMatchObject({ doseMg: 1000, capApplied: false });
    const capped = calculateDose('methylprednisolone', {
      weightKg: 40,
      mgPerKg: 30,
    });
    expect(capped).toMatchObject({
      doseMg: 1000,
      uncappedDoseMg: 1200,
      capApplied: true,
    });
    expect(capped.caps[0]).toMatchObject({
      mg: 1000,
      per: 'infusion',
      source: 'protocol',
      applied: true,
    });
    expect(capped.warnings.join(' ')).toMatch(/Capped: 1200 mg/);
  });

  it.each([15, 30])(
    '%p mg/kg is inside the range [seed.initial.1]',
    (mgPerKg) => {
      expect(() =>
        calculateDose('methylprednisolone', { weightKg: 10, mgPerKg }),
      ).not.toThrow();
    },
  );

  it.each([14.9, 30.1])(
    '%p mg/kg is outside the range: an error naming mgPerKg [seed.initial.1]',
    (mgPerKg) => {
      const error = errorOf(() =>
        calculateDose('methylprednisolone', { weightKg: 10, mgPerKg }),
      );
      expect(error.field).toBe('mgPerKg');
      expect(error.rule).toMatch(/outside the range 15-30/);
    },
  );

  it('asks for mgPerKg and refuses a route it does not have (intravenous pulses only) [seed.initial.1]', () => {
    expect(
      errorOf(() => calculateDose('methylprednisolone', { weightKg: 10 }))
        .field,
    ).toBe('mgPerKg');
    expect(
      errorOf(() =>
        calculateDose('methylprednisolone', {
          weightKg: 10,
          mgPerKg: 20,
          route: 'oral',
        }),
      ).field,
    ).toBe('route');
  });
});

describe('request validation', () => {
  it.each([
    [{ weightKg: -1, mgPerKg: 20 }, 'weightKg'],
    [{ weightKg: 0, mgPerKg: 20 }, 'weightKg'],
    [{ weightKg: 500, mgPerKg: 20 }, 'weightKg'],
    [{ weightKg: 'ten', mgPerKg: 20 }, 'weightKg'],
    [{ mgPerKg: 20 }, 'weightKg'],
    [{ weightKg: 10, mgPerKg: 20, heightCm: 400 }, 'heightCm'],
    [{ weightKg: 10, mgPerKg: -2 }, 'mgPerKg'],
    [{ weightKg: 10, mgPerKg: 20, dose: 3 }, 'dose'],
  ])('%p -> error on %s', (request, field) => {
    expect(
      errorOf(() => calculateDose('methylprednisolone', request as never))
        .field,
    ).toBe(field);
  });

  it('an unknown drug is an error; cyclosporine is an accepted spelling', () => {
    expect(
      errorOf(() => calculateDose('aspirin', { weightKg: 10 })).field,
    ).toBe('drug');
    expect(
      calculateDose('Cyclosporine', { weightKg: 10, mgPerKg: 3, route: 'oral' })
        .drug,
    ).toBe('ciclosporin');
  });
});

describe('dexamethasone (CNS involvement): institution-set mg/m2, BSA from height and weight', () => {
  it('Mosteller BSA', () => {
    expect(bodySurfaceAreaM2(180, 80)).toBe(2);
    expect(bodySurfaceAreaM2(120, 30)).toBe(1);
  });

  it('10 mg/m2/day (example profile) x 1 m2 = 10 mg, stamped with the profile', () => {
    const dose = calculateDose(
      'dexamethasone',
      { weightKg: 30, heightCm: 120, route: 'iv' },
      example,
    );
    expect(dose).toMatchObject({ doseMg: 10, per: 'day', capApplied: false });
    expect(dose.basis).toMatchObject({
      kind: 'mg/m2',
      bodySurfaceAreaM2: 1,
      setBy: 'institution-profile',
    });
    expect(dose.profile).toMatchObject({
      profileId: 'example-institution',
      example: true,
    });
    expect(dose.profile?.notice).toMatch(/not clinical guidance/);
  });

  it('the institutional daily maximum caps visibly', () => {
    const dose = calculateDose(
      'dexamethasone',
      { weightKg: 80, heightCm: 180, route: 'iv' },
      example,
    );
    expect(dose).toMatchObject({
      doseMg: 20,
      uncappedDoseMg: 20,
      capApplied: false,
    });
    const big = calculateDose(
      'dexamethasone',
      { weightKg: 150, heightCm: 200, route: 'iv' },
      example,
    );
    expect(big.capApplied).toBe(true);
    expect(big.doseMg).toBe(20);
    expect(big.caps[0]?.source).toBe('institution-profile');
  });

  it('needs height, and the profile value (no default)', () => {
    expect(
      errorOf(() =>
        calculateDose('dexamethasone', { weightKg: 30, route: 'iv' }, example),
      ).field,
    ).toBe('heightCm');
    const error = errorOf(() =>
      calculateDose(
        'dexamethasone',
        { weightKg: 30, heightCm: 120, route: 'iv' },
        withoutDose('dexamethasone'),
      ),
    );
    expect(error.field).toBe('profile.doses.dexamethasone');
    expect(error.rule).toMatch(/no default/);
    expect(
      errorOf(() =>
        calculateDose('dexamethasone', {
          weightKg: 30,
          heightCm: 120,
          route: 'iv',
        }),
      ).field,
    ).toBe('profile');
  });
});

describe('ciclosporin: dose rules depend on the route', () => {
  it('oral 2-5 mg/kg/day from the protocol [seed.second-line.3]', () => {
    expect(
      calculateDose('ciclosporin', { weightKg: 20, mgPerKg: 5, route: 'oral' })
        .doseMg,
    ).toBe(100);
    expect(
      errorOf(() =>
        calculateDose('ciclosporin', {
          weightKg: 20,
          mgPerKg: 6,
          route: 'oral',
        }),
      ).field,
    ).toBe('mgPerKg');
  });

  it('IV range comes from the institution; 5 mg/kg IV is refused where 5 oral is accepted [seed.second-line.3]', () => {
    expect(
      calculateDose(
        'ciclosporin',
        { weightKg: 20, mgPerKg: 1.5, route: 'iv' },
        example,
      ).doseMg,
    ).toBe(30);
    const error = errorOf(() =>
      calculateDose(
        'ciclosporin',
        { weightKg: 20, mgPerKg: 5, route: 'iv' },
        example,
      ),
    );
    expect(error.field).toBe('mgPerKg');
    expect(error.rule).toMatch(/IV ciclosporin/);
  });

  it('needs a route, and an IV range in the profile [seed.second-line.3]', () => {
    expect(
      errorOf(() =>
        calculateDose('ciclosporin', { weightKg: 20, mgPerKg: 3 }, example),
      ).field,
    ).toBe('route');
    expect(
      errorOf(() =>
        calculateDose(
          'ciclosporin',
          { weightKg: 20, mgPerKg: 1, route: 'iv' },
          withoutDose('ciclosporin'),
        ),
      ).field,
    ).toBe('profile.doses.ciclosporin.ivMgPerKgPerDay');
  });

  it('shows the institution trough target when set', () => {
    expect(
      calculateDose(
        'ciclosporin',
        { weightKg: 20, mgPerKg: 3, route: 'oral' },
        example,
      ).troughTargetUgPerL,
    ).toEqual({ min: 150, max: 250 });
  });
});

describe('anakinra: high-dose in MAS, institutional maximum required', () => {
  it('above 2 mg/kg/day is high-dose [seed.second-line.4]', () => {
    const dose = calculateDose(
      'anakinra',
      { weightKg: 20, mgPerKg: 10, route: 'iv' },
      example,
    );
    expect(dose).toMatchObject({
      doseMg: 200,
      highDose: true,
      capApplied: false,
    });
    expect(dose.warnings).toHaveLength(0);
  });

  it('the standard 1-2 mg/kg/day is not high-dose and says so [seed.second-line.4]', () => {
    const dose = calculateDose(
      'anakinra',
      { weightKg: 20, mgPerKg: 2, route: 'sc' },
      example,
    );
    expect(dose.highDose).toBe(false);
    expect(dose.warnings.join(' ')).toMatch(/higher than standard/);
  });

  it('the institutional maxima cap visibly (per kg, and per day) [seed.second-line.4]', () => {
    const perKg = calculateDose(
      'anakinra',
      { weightKg: 20, mgPerKg: 20, route: 'iv' },
      example,
    );
    expect(perKg).toMatchObject({
      doseMg: 300,
      uncappedDoseMg: 400,
      capApplied: true,
    });
    expect(perKg.caps.find((c) => c.applied)?.description).toMatch(
      /15 mg\/kg\/day/,
    );
    const perDay = calculateDose(
      'anakinra',
      { weightKg: 200, mgPerKg: 14, route: 'iv' },
      example,
    );
    expect(perDay).toMatchObject({
      doseMg: 2400,
      uncappedDoseMg: 2800,
      capApplied: true,
    });
    expect(perDay.caps.find((c) => c.applied)?.description).toMatch(
      /maximum per day/,
    );
  });

  it('warns above the highest reported dose (29.4 mg/kg/day) [seed.second-line.4]', () => {
    const generous = parseInstitutionProfile({
      ...exampleRaw,
      doses: {
        ...exampleRaw.doses,
        anakinra: { maxMgPerKgPerDay: 40, maxMgPerDay: 5000 },
      },
    });
    expect(
      calculateDose(
        'anakinra',
        { weightKg: 10, mgPerKg: 29.4, route: 'iv' },
        generous,
      ).warnings,
    ).toHaveLength(0);
    expect(
      calculateDose(
        'anakinra',
        { weightKg: 10, mgPerKg: 29.5, route: 'iv' },
        generous,
      ).warnings.join(' '),
    ).toMatch(/highest reported/);
  });

  it('creatinine clearance below 30 mL/min requires an adjustment', () => {
    expect(
      calculateDose(
        'anakinra',
        { weightKg: 20, mgPerKg: 5, route: 'sc', creatinineClearanceMlMin: 29 },
        example,
      ).renalAdjustmentRequired,
    ).toBe(true);
    expect(
      calculateDose(
        'anakinra',
        { weightKg: 20, mgPerKg: 5, route: 'sc', creatinineClearanceMlMin: 30 },
        example,
      ).renalAdjustmentRequired,
    ).toBe(false);
  });

  it('without an institutional maximum it refuses', () => {
    expect(
      errorOf(() =>
        calculateDose(
          'anakinra',
          { weightKg: 20, mgPerKg: 5, route: 'sc' },
          withoutDose('anakinra'),
        ),
      ).field,
    ).toBe('profile.doses.anakinra');
  });
});

describe('refractory and trigger-specific drugs', () => {
  it('emapalumab 6 mg/kg first, then 3 mg/kg [seed.refractory.1]', () => {
    expect(
      calculateDose('emapalumab', { weightKg: 30, phase: 'initial' }).doseMg,
    ).toBe(180);
    expect(
      calculateDose('emapalumab', { weightKg: 30, phase: 'maintenance' })
        .doseMg,
    ).toBe(90);
    expect(
      errorOf(() => calculateDose('emapalumab', { weightKg: 30 })).field,
    ).toBe('phase');
  });

  it('rituximab 375 mg/m2 by default (Chellapandian 2013) [seed.refractory.4]', () => {
    const dose = calculateDose('rituximab', { weightKg: 30, heightCm: 120 });
    expect(dose).toMatchObject({ doseMg: 375, per: 'infusion' });
    expect(dose.basis.setBy).toBe('protocol');
  });

  it('etoposide: institution mg/m2, per kg for infants, renal and hepatic adjustments [seed.refractory.3]', () => {
    expect(
      calculateDose('etoposide', { weightKg: 30, heightCm: 120 }, example)
        .doseMg,
    ).toBe(50);
    const infant = calculateDose('etoposide', { weightKg: 6 }, example);
    expect(infant.basis.kind).toBe('mg/kg');
    expect(infant.doseMg).toBe(10.2);
    const renal = calculateDose(
      'etoposide',
      {
        weightKg: 30,
        heightCm: 120,
        creatinineClearanceMlMin: 40,
        bilirubinUmolL: 60,
      },
      example,
    );
    expect(renal.doseMg).toBe(18.75);
    expect(renal.adjustments).toHaveLength(2);
    expect(
      errorOf(() =>
        calculateDose(
          'etoposide',
          { weightKg: 30, heightCm: 120 },
          withoutDose('etoposide'),
        ),
      ).field,
    ).toBe('profile.doses.etoposide');
  });

  it('JAK inhibitors and tocilizumab exist only as institution parameters [seed.refractory.2, seed.subtype.1]', () => {
    expect(
      calculateDose('ruxolitinib', { weightKg: 30, heightCm: 120 }, example),
    ).toMatchObject({ doseMg: 25, dosesPerDay: 2 });
    expect(
      calculateDose('baricitinib', { weightKg: 60 }, example),
    ).toMatchObject({ doseMg: 4, uncappedDoseMg: 6, capApplied: true });
    expect(
      calculateDose('tocilizumab', { weightKg: 120 }, example),
    ).toMatchObject({ doseMg: 800, capApplied: true });
    for (const drug of ['ruxolitinib', 'baricitinib', 'tocilizumab']) {
      expect(
        errorOf(() =>
          calculateDose(
            drug,
            { weightKg: 30, heightCm: 120 },
            withoutDose(drug),
          ),
        ).field,
      ).toBe(`profile.doses.${drug}`);
    }
  });
});

describe('dosing logic (mutation survivors P6)', () => {
  const stamp = profileStamp(example);
  const anakinraMaxima = (maxMgPerKgPerDay: number, maxMgPerDay: number) =>
    withDose('anakinra', { maxMgPerKgPerDay, maxMgPerDay });

  it('anakinra: the per-day maximum divided by the weight bounds the dose checked against the highest reported (100 kg, 2400 mg/day = 24 mg/kg/day)', () => {
    const dose = calculateDose(
      'anakinra',
      { weightKg: 100, mgPerKg: 30, route: 'iv' },
      anakinraMaxima(40, 2400),
    );
    expect(dose).toMatchObject({ doseMg: 2400, capApplied: true });
    expect(dose.warnings).toEqual([
      'Capped: 3000 mg is above the institutional maximum per day (2400 mg per day); the dose shown is the cap.',
    ]);
  });

  it('anakinra: creatinine clearance below 30 mL/min gives the flag, a warning and the label evidence; at 30, none', () => {
    const below = calculateDose(
      'anakinra',
      { weightKg: 20, mgPerKg: 5, route: 'sc', creatinineClearanceMlMin: 29 },
      example,
    );
    expect(below.renalAdjustmentRequired).toBe(true);
    expect(below.warnings).toEqual([
      'Creatinine clearance below 30 mL/min: the label advises giving the prescribed dose every 48 h.',
    ]);
    expect(below.evidence).toEqual([
      'seed.second-line.4',
      'lit.anakinra-mas-dosing',
      'lit.anakinra-label',
    ]);
    const at = calculateDose(
      'anakinra',
      { weightKg: 20, mgPerKg: 5, route: 'sc', creatinineClearanceMlMin: 30 },
      example,
    );
    expect(at.renalAdjustmentRequired).toBe(false);
    expect(at.warnings).toEqual([]);
    expect(at.evidence).toEqual([
      'seed.second-line.4',
      'lit.anakinra-mas-dosing',
    ]);
  });

  it('anakinra: the schedule note is for the IV route only', () => {
    const request = { weightKg: 20, mgPerKg: 5 };
    expect(
      calculateDose('anakinra', { ...request, route: 'iv' }, example).schedule,
    ).toBe('possibly repeated IV doses');
    expect(
      calculateDose('anakinra', { ...request, route: 'sc' }, example),
    ).not.toHaveProperty('schedule');
  });

  const etoposideFor = (extra: Record<string, number>) =>
    calculateDose(
      'etoposide',
      { weightKg: 30, heightCm: 120, ...extra },
      example,
    );

  it.each([
    [49, [0.75], 37.5],
    [50, [], 50],
    [51, [], 50],
  ])(
    'etoposide: creatinine clearance %p mL/min (adjusted below 50) -> factors %p, %p mg',
    (creatinineClearanceMlMin, factors, doseMg) => {
      const dose = etoposideFor({ creatinineClearanceMlMin });
      expect(dose.adjustments.map((a) => a.factor)).toEqual(factors);
      expect(dose.doseMg).toBe(doseMg);
      expect(dose.warnings).toEqual([]);
    },
  );

  it.each([
    [49, [], 50],
    [50, [], 50],
    [51, [0.5], 25],
  ])(
    'etoposide: bilirubin %p umol/L (adjusted above 50) -> factors %p, %p mg',
    (bilirubinUmolL, factors, doseMg) => {
      const dose = etoposideFor({ bilirubinUmolL });
      expect(dose.adjustments.map((a) => a.factor)).toEqual(factors);
      expect(dose.doseMg).toBe(doseMg);
    },
  );

  it('etoposide: without institutional renal or hepatic adjustments, the values given are warned about and nothing is adjusted', () => {
    const profile = withDose('etoposide', {
      mgPerM2PerDose: 50,
      intervalDays: 7,
    });
    const dose = calculateDose(
      'etoposide',
      {
        weightKg: 30,
        heightCm: 120,
        creatinineClearanceMlMin: 10,
        bilirubinUmolL: 300,
      },
      profile,
    );
    expect(dose.adjustments).toEqual([]);
    expect(dose.doseMg).toBe(50);
    expect(dose.warnings).toEqual([
      'Creatinine clearance given but the institution sets no renal adjustment for etoposide.',
      'Bilirubin given but the institution sets no hepatic adjustment for etoposide.',
    ]);
  });

  it('etoposide: per kg only below the infant weight (10 kg); at 10 kg, and without an infant rule, per m2', () => {
    expect(
      calculateDose('etoposide', { weightKg: 9.9 }, example).basis.kind,
    ).toBe('mg/kg');
    const atLimit = calculateDose(
      'etoposide',
      { weightKg: 10, heightCm: 90 },
      example,
    );
    expect(atLimit.basis).toMatchObject({
      kind: 'mg/m2',
      bodySurfaceAreaM2: 0.5,
    });
    expect(atLimit.doseMg).toBe(25);
    const noInfantRule = withDose('etoposide', {
      mgPerM2PerDose: 50,
      intervalDays: 7,
    });
    expect(
      calculateDose('etoposide', { weightKg: 6, heightCm: 60 }, noInfantRule)
        .basis.kind,
    ).toBe('mg/m2');
    expect(
      errorOf(() => calculateDose('etoposide', { weightKg: 6 }, noInfantRule))
        .field,
    ).toBe('heightCm');
  });

  it('caps: of two caps only the lowest is applied; of two equal caps only the first', () => {
    const secondLower = calculateDose(
      'anakinra',
      { weightKg: 200, mgPerKg: 20, route: 'iv' },
      example,
    );
    expect(secondLower.doseMg).toBe(2400);
    expect(secondLower.caps.map((c) => [c.mg, c.applied])).toEqual([
      [3000, false],
      [2400, true],
    ]);
    const equal = calculateDose(
      'anakinra',
      { weightKg: 200, mgPerKg: 20, route: 'iv' },
      anakinraMaxima(12, 2400),
    );
    expect(equal.caps.map((c) => [c.mg, c.applied])).toEqual([
      [2400, true],
      [2400, false],
    ]);
    expect(
      equal.warnings.filter((warning) => warning.startsWith('Capped')),
    ).toHaveLength(1);
  });

  it('request validation: creatinine clearance outside 0-400 mL/min is refused, 0 and 400 are accepted', () => {
    const request = { weightKg: 20, mgPerKg: 5, route: 'sc' } as const;
    for (const creatinineClearanceMlMin of [0, 400]) {
      expect(() =>
        calculateDose(
          'anakinra',
          { ...request, creatinineClearanceMlMin },
          example,
        ),
      ).not.toThrow();
    }
    const above = errorOf(() =>
      calculateDose(
        'anakinra',
        { ...request, creatinineClearanceMlMin: 401 },
        example,
      ),
    );
    expect(above.field).toBe('creatinineClearanceMlMin');
    expect(above.rule).toMatch(/401 mL\/min is outside the plausible range/);
    const negative = errorOf(() =>
      calculateDose(
        'anakinra',
        { ...request, creatinineClearanceMlMin: -1 },
        example,
      ),
    );
    expect(negative.field).toBe('creatinineClearanceMlMin');
    expect(negative.rule).toBe('must not be negative (got -1)');
  });

  it('request validation: negative mgPerM2 and bilirubinUmolL are refused; a bilirubin of 0 is accepted', () => {
    const mgPerM2 = errorOf(() =>
      calculateDose('rituximab', { weightKg: 30, heightCm: 120, mgPerM2: -1 }),
    );
    expect([mgPerM2.field, mgPerM2.rule]).toEqual([
      'mgPerM2',
      'must not be negative (got -1)',
    ]);
    const bilirubin = errorOf(() => etoposideFor({ bilirubinUmolL: -0.5 }));
    expect([bilirubin.field, bilirubin.rule]).toEqual([
      'bilirubinUmolL',
      'must not be negative (got -0.5)',
    ]);
    expect(etoposideFor({ bilirubinUmolL: 0 }).doseMg).toBe(50);
  });

  it('request validation names the whole request, the unit of an implausible value, and a missing mgPerKg', () => {
    const validate = (request: Record<string, unknown>) => () => {
      validateDoseRequest(request);
    };
    expect(
      errorOf(() => calculateDose('methylprednisolone', 'x' as never)).field,
    ).toBe('request');
    expect(errorOf(validate({ weightKg: 500 })).rule).toMatch(
      /^500 kg is outside the plausible range 0.3-350 kg/,
    );
    expect(errorOf(validate({ weightKg: 20, heightCm: 400 })).rule).toMatch(
      /^400 cm is outside the plausible range 20-250 cm/,
    );
    expect(validate({ weightKg: 20 })).not.toThrow();
    for (const [drug, route] of [
      ['ciclosporin', 'oral'],
      ['anakinra', 'sc'],
    ] as const) {
      const error = errorOf(() =>
        calculateDose(drug, { weightKg: 20, route }, example),
      );
      expect(error.field).toBe('mgPerKg');
      expect(error.rule).toMatch(/^is required for/);
    }
  });

  it('ciclosporin without a route: "route is required", listing oral and iv', () => {
    const error = errorOf(() =>
      calculateDose('ciclosporin', { weightKg: 20, mgPerKg: 3 }, example),
    );
    expect(error.field).toBe('route');
    expect(error.rule).toBe('is required for ciclosporin (one of oral, iv)');
  });

  it('the other spellings of ciclosporin resolve to it', () => {
    expect(
      ['cyclosporine', 'cyclosporin', 'ciclosporine', 'CICLOSPORIN'].map(
        resolveDrug,
      ),
    ).toEqual(['ciclosporin', 'ciclosporin', 'ciclosporin', 'ciclosporin']);
  });

  it('rituximab: setBy is "clinician" when mgPerM2 is given, "protocol" otherwise', () => {
    const chosen = calculateDose('rituximab', {
      weightKg: 30,
      heightCm: 120,
      mgPerM2: 500,
    });
    expect(chosen.basis).toMatchObject({
      setBy: 'clinician',
      amountPerUnit: 500,
    });
    expect(chosen.doseMg).toBe(500);
    expect(
      calculateDose('rituximab', { weightKg: 30, heightCm: 120 }).basis.setBy,
    ).toBe('protocol');
  });

  it('without an institutional daily or per-dose maximum there is no cap', () => {
    expect(
      calculateDose(
        'dexamethasone',
        { weightKg: 150, heightCm: 200, route: 'iv' },
        withDose('dexamethasone', { mgPerM2PerDay: 10 }),
      ),
    ).toMatchObject({ caps: [], capApplied: false });
    expect(
      calculateDose(
        'baricitinib',
        { weightKg: 60 },
        withDose('baricitinib', {
          basis: 'mg/kg',
          perDose: 0.1,
          dosesPerDay: 2,
        }),
      ),
    ).toMatchObject({ caps: [], doseMg: 6, capApplied: false });
  });

  it('drugs whose dose has a published figure carry no profile stamp, even when a profile is passed', () => {
    for (const dose of [
      calculateDose(
        'methylprednisolone',
        { weightKg: 20, mgPerKg: 30 },
        example,
      ),
      calculateDose('emapalumab', { weightKg: 30, phase: 'initial' }, example),
      calculateDose('rituximab', { weightKg: 30, heightCm: 120 }, example),
    ]) {
      expect(dose).not.toHaveProperty('profile');
    }
  });

  it('every result that used an institution figure carries the profile stamp', () => {
    const results = [
      calculateDose(
        'ciclosporin',
        { weightKg: 20, mgPerKg: 1.5, route: 'iv' },
        example,
      ),
      calculateDose(
        'ciclosporin',
        { weightKg: 20, mgPerKg: 3, route: 'oral' },
        example,
      ),
      calculateDose(
        'anakinra',
        { weightKg: 20, mgPerKg: 5, route: 'sc' },
        example,
      ),
      calculateDose('ruxolitinib', { weightKg: 30, heightCm: 120 }, example),
      calculateDose('etoposide', { weightKg: 30, heightCm: 120 }, example),
      calculateDose('tocilizumab', { weightKg: 30 }, example),
    ];
    expect(results.map((dose) => dose.profile)).toEqual(
      results.map(() => stamp),
    );
  });

  it('oral ciclosporin without an institution trough target carries neither stamp nor trough', () => {
    const noTrough = withDose('ciclosporin', {
      ivMgPerKgPerDay: { min: 1, max: 2 },
    });
    for (const profile of [noTrough, undefined]) {
      const dose = calculateDose(
        'ciclosporin',
        { weightKg: 20, mgPerKg: 3, route: 'oral' },
        profile,
      );
      expect(dose).not.toHaveProperty('profile');
      expect(dose).not.toHaveProperty('troughTargetUgPerL');
    }
  });

  const capCheck = (
    mg: number,
    per: 'infusion' | 'dose' | 'day',
    description: string,
    source: 'protocol' | 'institution-profile' = 'institution-profile',
    evidence: string[] = ['review.section-10'],
  ) => ({ mg, per, source, description, evidence, applied: false });

  const fullResults: [string, () => DoseResult, DoseResult][] = [
    [
      'methylprednisolone',
      () => calculateDose('methylprednisolone', { weightKg: 20, mgPerKg: 30 }),
      {
        drug: 'methylprednisolone',
        route: 'iv',
        doseMg: 600,
        per: 'infusion',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 30,
          setBy: 'clinician',
          weightKg: 20,
        },
        uncappedDoseMg: 600,
        capApplied: false,
        caps: [
          capCheck(
            1000,
            'infusion',
            'protocol maximum per infusion',
            'protocol',
            ['seed.initial.1'],
          ),
        ],
        adjustments: [],
        schedule: 'once daily IV pulse (typically 3 days)',
        warnings: [],
        evidence: ['seed.initial.1', 'lit.emerald-nct05001737'],
      },
    ],
    [
      'dexamethasone, oral',
      () =>
        calculateDose(
          'dexamethasone',
          { weightKg: 30, heightCm: 120, route: 'oral' },
          example,
        ),
      {
        drug: 'dexamethasone',
        route: 'oral',
        doseMg: 10,
        per: 'day',
        basis: {
          kind: 'mg/m2',
          amountPerUnit: 10,
          setBy: 'institution-profile',
          weightKg: 30,
          bodySurfaceAreaM2: 1,
        },
        uncappedDoseMg: 10,
        capApplied: false,
        caps: [capCheck(20, 'day', 'institutional maximum per day')],
        adjustments: [],
        warnings: [],
        evidence: ['seed.initial.2', 'lit.mosteller-1987'],
        profile: stamp,
      },
    ],
    [
      'ciclosporin, oral',
      () =>
        calculateDose(
          'ciclosporin',
          { weightKg: 20, mgPerKg: 3, route: 'oral' },
          example,
        ),
      {
        drug: 'ciclosporin',
        route: 'oral',
        doseMg: 60,
        per: 'day',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 3,
          setBy: 'clinician',
          weightKg: 20,
        },
        uncappedDoseMg: 60,
        capApplied: false,
        caps: [],
        adjustments: [],
        troughTargetUgPerL: { min: 150, max: 250 },
        warnings: [],
        evidence: ['seed.second-line.2', 'seed.second-line.3', 'lit.mouy-1996'],
        profile: stamp,
      },
    ],
    [
      'ciclosporin, IV',
      () =>
        calculateDose(
          'ciclosporin',
          { weightKg: 20, mgPerKg: 1.5, route: 'iv' },
          example,
        ),
      {
        drug: 'ciclosporin',
        route: 'iv',
        doseMg: 30,
        per: 'day',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 1.5,
          setBy: 'clinician',
          weightKg: 20,
        },
        uncappedDoseMg: 30,
        capApplied: false,
        caps: [],
        adjustments: [],
        troughTargetUgPerL: { min: 150, max: 250 },
        warnings: [],
        evidence: [
          'seed.second-line.2',
          'seed.second-line.3',
          'review.section-10',
        ],
        profile: stamp,
      },
    ],
    [
      'anakinra, IV',
      () =>
        calculateDose(
          'anakinra',
          { weightKg: 20, mgPerKg: 10, route: 'iv' },
          example,
        ),
      {
        drug: 'anakinra',
        route: 'iv',
        doseMg: 200,
        per: 'day',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 10,
          setBy: 'clinician',
          weightKg: 20,
        },
        uncappedDoseMg: 200,
        capApplied: false,
        caps: [
          capCheck(300, 'day', 'institutional maximum of 15 mg/kg/day'),
          capCheck(2400, 'day', 'institutional maximum per day'),
        ],
        adjustments: [],
        highDose: true,
        renalAdjustmentRequired: false,
        schedule: 'possibly repeated IV doses',
        warnings: [],
        evidence: ['seed.second-line.4', 'lit.anakinra-mas-dosing'],
        profile: stamp,
      },
    ],
    [
      'emapalumab, maintenance',
      () => calculateDose('emapalumab', { weightKg: 30, phase: 'maintenance' }),
      {
        drug: 'emapalumab',
        route: 'iv',
        doseMg: 90,
        per: 'infusion',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 3,
          setBy: 'protocol',
          weightKg: 30,
        },
        uncappedDoseMg: 90,
        capApplied: false,
        caps: [],
        adjustments: [],
        schedule:
          'every 3 days to day 15, then twice weekly to day 28 (could be adapted)',
        warnings: [],
        evidence: ['seed.refractory.1', 'lit.nct03311854'],
      },
    ],
    [
      'rituximab',
      () => calculateDose('rituximab', { weightKg: 30, heightCm: 120 }),
      {
        drug: 'rituximab',
        route: 'iv',
        doseMg: 375,
        per: 'infusion',
        basis: {
          kind: 'mg/m2',
          amountPerUnit: 375,
          setBy: 'protocol',
          weightKg: 30,
          bodySurfaceAreaM2: 1,
        },
        uncappedDoseMg: 375,
        capApplied: false,
        caps: [],
        adjustments: [],
        warnings: [
          'Gated on EBV alone; little benefit was seen where EBV was mostly in T/NK cells.',
        ],
        evidence: ['seed.refractory.4', 'lit.chellapandian-2013'],
      },
    ],
    [
      'ruxolitinib',
      () =>
        calculateDose('ruxolitinib', { weightKg: 30, heightCm: 120 }, example),
      {
        drug: 'ruxolitinib',
        route: 'oral',
        doseMg: 25,
        per: 'dose',
        basis: {
          kind: 'mg/m2',
          amountPerUnit: 25,
          setBy: 'institution-profile',
          weightKg: 30,
          bodySurfaceAreaM2: 1,
        },
        uncappedDoseMg: 25,
        capApplied: false,
        caps: [capCheck(25, 'dose', 'institutional maximum per dose')],
        adjustments: [],
        dosesPerDay: 2,
        warnings: [],
        evidence: ['seed.refractory.2'],
        profile: stamp,
      },
    ],
    [
      'baricitinib',
      () => calculateDose('baricitinib', { weightKg: 30 }, example),
      {
        drug: 'baricitinib',
        route: 'oral',
        doseMg: 3,
        per: 'dose',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 0.1,
          setBy: 'institution-profile',
          weightKg: 30,
        },
        uncappedDoseMg: 3,
        capApplied: false,
        caps: [capCheck(4, 'dose', 'institutional maximum per dose')],
        adjustments: [],
        dosesPerDay: 2,
        warnings: [],
        evidence: ['seed.refractory.2'],
        profile: stamp,
      },
    ],
    [
      'etoposide, route omitted',
      () =>
        calculateDose('etoposide', { weightKg: 30, heightCm: 120 }, example),
      {
        drug: 'etoposide',
        route: 'iv',
        doseMg: 50,
        per: 'dose',
        basis: {
          kind: 'mg/m2',
          amountPerUnit: 50,
          setBy: 'institution-profile',
          weightKg: 30,
          bodySurfaceAreaM2: 1,
        },
        uncappedDoseMg: 50,
        capApplied: false,
        caps: [],
        adjustments: [],
        schedule: 'every 7 days',
        warnings: [],
        evidence: ['seed.refractory.3'],
        profile: stamp,
      },
    ],
    [
      'tocilizumab, route omitted',
      () => calculateDose('tocilizumab', { weightKg: 30 }, example),
      {
        drug: 'tocilizumab',
        route: 'iv',
        doseMg: 240,
        per: 'dose',
        basis: {
          kind: 'mg/kg',
          amountPerUnit: 8,
          setBy: 'institution-profile',
          weightKg: 30,
        },
        uncappedDoseMg: 240,
        capApplied: false,
        caps: [capCheck(800, 'dose', 'institutional maximum per dose')],
        adjustments: [],
        warnings: [
          'Tocilizumab masks fever and CRP: the 2016 criteria are not applicable while it is active.',
        ],
        evidence: ['seed.subtype.1', 'lit.shimizu-2020'],
        profile: stamp,
      },
    ],
  ];

  it.each(fullResults)(
    'the full result for %s (per, basis, caps, schedule, warnings, evidence)',
    (_name, calculate, expected) => {
      expect(calculate()).toStrictEqual(expected);
    },
  );

  it('every evidence id of every result resolves in the evidence catalog', () => {
    const ids = fullResults.flatMap(([, calculate]) => {
      const dose = calculate();
      return [...dose.evidence, ...dose.caps.flatMap((c) => c.evidence)];
    });
    expect(ids.filter((id) => findEvidence(id) === undefined)).toEqual([]);
  });
});
