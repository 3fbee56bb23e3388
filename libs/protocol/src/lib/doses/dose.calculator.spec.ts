import { describe, expect, it } from '@jest/globals';

import {
  clinicalErrorOf,
  readExampleProfile,
} from '../../spec-support/spec-support.js';
import {
  type InstitutionProfile,
  parseInstitutionProfile,
} from '../profile/institution-profile.js';
import { bodySurfaceAreaM2, calculateDose } from './dose.calculator.js';

const exampleRaw = readExampleProfile();
const example = parseInstitutionProfile(exampleRaw);

function withoutDose(drug: string): InstitutionProfile {
  const { [drug]: _removed, ...doses } = exampleRaw.doses;
  return parseInstitutionProfile({ ...exampleRaw, doses });
}

const errorOf = clinicalErrorOf;

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
