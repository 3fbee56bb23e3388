import { describe, expect, it } from '@jest/globals';

import {
  clinicalErrorOf,
  readExampleProfile,
} from '../../spec-support/spec-support.js';
import {
  type InstitutionProfile,
  parseInstitutionProfile,
  profileStamp,
} from '../profile/institution-profile.js';
import {
  checkRecordedDose,
  type DoseCheck,
  type RecordedDose,
  type RecordedDosePatient,
  type RecordedDoseSchedule,
} from './dose-check.js';
import { type DrugId, pulseScheduleProblem } from './dose-request.schema.js';

const exampleRaw = readExampleProfile();
const example = parseInstitutionProfile(exampleRaw);

/** The example profile with `changes` merged into its sections. */
function profileWith(changes: {
  doses?: Record<string, unknown>;
  doseLimits?: Record<string, unknown> | null;
}): InstitutionProfile {
  const { doseLimits: exampleLimits, ...rest } = exampleRaw;
  const doseLimits =
    changes.doseLimits === null
      ? {}
      : {
          doseLimits: {
            ...(exampleLimits as Record<string, unknown>),
            ...changes.doseLimits,
          },
        };
  return parseInstitutionProfile({
    ...rest,
    doses: { ...exampleRaw.doses, ...changes.doses },
    ...doseLimits,
  });
}

const daily: RecordedDoseSchedule = { kind: 'daily' };
const every = (hours: number): RecordedDoseSchedule => ({
  kind: 'every-hours',
  hours,
});

interface Options {
  readonly route?: RecordedDose['route'];
  readonly schedule?: RecordedDoseSchedule;
  readonly profile?: InstitutionProfile | null;
  readonly purpose?: RecordedDose['purpose'];
  readonly phase?: RecordedDose['phase'];
  readonly unit?: string;
}

/** A recorded dose in mg, daily, IV, against the example profile by default. */
function check(
  drug: DrugId,
  value: number,
  patient: RecordedDosePatient,
  options: Options = {},
): DoseCheck {
  const { route = 'iv', schedule = daily, unit = 'mg', profile } = options;
  return checkRecordedDose({
    drug,
    dose: { value, unit },
    route,
    schedule,
    patient,
    ...(options.purpose && { purpose: options.purpose }),
    ...(options.phase && { phase: options.phase }),
    ...(profile !== null && { profile: profile ?? example }),
  });
}

const limitOf = (result: DoseCheck, id: string) => {
  const found = result.limits.find((each) => each.id === id);
  if (!found) throw new Error(`no limit ${id} in ${JSON.stringify(result)}`);
  return found;
};

/** [id, limitMg, per, tier, exceeded] of every limit, for compact asserts. */
const limitRows = (result: DoseCheck) =>
  result.limits.map((each) => [
    each.id,
    each.limitMg,
    each.per,
    each.tier,
    each.exceeded,
  ]);

const adult = { weightKg: 40 };
const heavy = { weightKg: 80 };
const child = { weightKg: 20 };
const oneSquareMetre = { weightKg: 30, heightCm: 120 };

describe('methylprednisolone: caps come before ranges (seed 15-30 mg/kg/day, max 1 g per infusion)', () => {
  it('for 40 kg the soft range is 600-1000 mg per infusion (30 mg/kg lowered to the 1 g maximum), the hard limit 3 x 1000 mg [seed.initial.1]', () => {
    const result = check('methylprednisolone', 800, adult);
    expect(result).toMatchObject({
      drug: 'methylprednisolone',
      route: 'iv',
      tier: 'within',
      doseMg: 800,
      dailyMg: 800,
      administrationsPerDay: 1,
      computed: { per: 'infusion', minMg: 600, maxMg: 1000 },
      messages: [],
      alerts: [],
      profile: profileStamp(example),
    });
    expect(result.uncheckedReason).toBeUndefined();
    expect(limitRows(result)).toEqual([
      ['range-lower', 600, 'infusion', 'soft', false],
      ['range-upper', 1000, 'infusion', 'soft', false],
      ['hard-factor:range-upper', 3000, 'infusion', 'hard', false],
    ]);
    expect(limitOf(result, 'range-upper')).toMatchObject({
      bound: 'upper',
      source: 'protocol',
      checked: true,
      evidence: ['seed.initial.1', 'lit.emerald-nct05001737'],
      description:
        'upper end of the protocol range 15-30 mg/kg/day: 30 mg/kg x 40 kg = 1200 mg, lowered to the protocol maximum per infusion of 1000 mg',
    });
    expect(limitOf(result, 'range-lower')).toMatchObject({
      bound: 'lower',
      description:
        'lower end of the protocol range 15-30 mg/kg/day: 15 mg/kg x 40 kg = 600 mg',
    });
    expect(limitOf(result, 'hard-factor:range-upper')).toMatchObject({
      source: 'institution-profile',
      evidence: ['review.section-10'],
      description:
        '3 x the protocol maximum per infusion of 1000 mg; institution hard-limit factor',
    });
  });

  it.each([
    [600, 'within'],
    [599, 'soft'],
    [1000, 'within'],
    [1001, 'soft'],
    [1500, 'soft'],
    [3000, 'soft'],
    [3001, 'hard'],
  ])('40 kg, %p mg per infusion -> %s', (value, tier) => {
    expect(check('methylprednisolone', value, adult).tier).toBe(tier);
  });

  it('a heavy patient (80 kg) at the protocol maximum of 1 g is within, not below 15 mg/kg (1200 mg) [seed.initial.1]', () => {
    const atMaximum = check('methylprednisolone', 1000, heavy);
    expect(atMaximum.tier).toBe('within');
    expect(atMaximum.computed).toMatchObject({ minMg: 1000, maxMg: 1000 });
    expect(limitOf(atMaximum, 'range-lower')).toMatchObject({
      limitMg: 1000,
      exceeded: false,
      description:
        'lower end of the protocol range 15-30 mg/kg/day: 15 mg/kg x 80 kg = 1200 mg, lowered to the protocol maximum per infusion of 1000 mg',
    });
    expect(check('methylprednisolone', 999, heavy).tier).toBe('soft');
    expect(check('methylprednisolone', 1001, heavy).tier).toBe('soft');
  });

  it('a tenfold slip (10 g for 40 kg) is hard; the message names the limit and shows the computed dose [seed.initial.1]', () => {
    const result = check('methylprednisolone', 10, adult, { unit: 'g' });
    expect(result).toMatchObject({ tier: 'hard', doseMg: 10000 });
    expect(result.messages).toEqual([
      'methylprednisolone 10000 mg is above the hard limit of 3000 mg per infusion (3 x the protocol maximum per infusion of 1000 mg; institution hard-limit factor) - computed dose for 40 kg: 600-1000 mg per infusion',
      'methylprednisolone 10000 mg is above the soft limit of 1000 mg per infusion (upper end of the protocol range 15-30 mg/kg/day: 30 mg/kg x 40 kg = 1200 mg, lowered to the protocol maximum per infusion of 1000 mg) - computed dose for 40 kg: 600-1000 mg per infusion',
    ]);
  });

  it('1.5 x the upper end is soft, with one message [seed.initial.1]', () => {
    const result = check('methylprednisolone', 1500, adult);
    expect(result.tier).toBe('soft');
    expect(result.messages).toEqual([
      'methylprednisolone 1500 mg is above the soft limit of 1000 mg per infusion (upper end of the protocol range 15-30 mg/kg/day: 30 mg/kg x 40 kg = 1200 mg, lowered to the protocol maximum per infusion of 1000 mg) - computed dose for 40 kg: 600-1000 mg per infusion',
    ]);
  });

  it('below the range names the lower limit [seed.initial.1]', () => {
    expect(check('methylprednisolone', 200, adult).messages).toEqual([
      'methylprednisolone 200 mg is below the soft limit of 600 mg per infusion (lower end of the protocol range 15-30 mg/kg/day: 15 mg/kg x 40 kg = 600 mg) - computed dose for 40 kg: 600-1000 mg per infusion',
    ]);
  });

  it('where no cap binds (20 kg) the hard limit is 3 x the upper soft limit [seed.initial.1]', () => {
    const result = check('methylprednisolone', 601, child);
    expect(result.tier).toBe('soft');
    expect(limitOf(result, 'hard-factor:range-upper')).toMatchObject({
      limitMg: 1800,
      description:
        '3 x the upper soft limit of 600 mg; institution hard-limit factor',
    });
    expect(check('methylprednisolone', 1800, child).tier).toBe('soft');
    expect(check('methylprednisolone', 1801, child).tier).toBe('hard');
  });

  it('g and ug are converted to mg [seed.initial.1]', () => {
    expect(
      check('methylprednisolone', 0.8, adult, { unit: 'g' }),
    ).toMatchObject({ doseMg: 800, tier: 'within' });
    expect(
      check('methylprednisolone', 800_000, adult, { unit: 'ug' }),
    ).toMatchObject({ doseMg: 800, tier: 'within' });
  });

  it('several infusions a day: the daily total is held against 30 mg/kg/day, which the per-infusion maximum does not lower [seed.initial.1]', () => {
    const split = check('methylprednisolone', 1000, adult, {
      schedule: every(12),
    });
    expect(split).toMatchObject({
      tier: 'soft',
      dailyMg: 2000,
      administrationsPerDay: 2,
    });
    expect(limitRows(split)).toEqual([
      ['range-lower', 600, 'infusion', 'soft', false],
      ['range-upper', 1000, 'infusion', 'soft', false],
      ['range-upper-per-day', 1200, 'day', 'soft', true],
      ['hard-factor:range-upper', 3000, 'infusion', 'hard', false],
      ['hard-factor:range-upper-per-day', 3600, 'day', 'hard', false],
    ]);
    expect(split.messages).toEqual([
      'methylprednisolone 2000 mg/day (1000 mg every 12 h) is above the soft limit of 1200 mg per day (upper end of the protocol range per day: 30 mg/kg/day x 40 kg = 1200 mg; the maximum per infusion does not lower a daily total) - computed dose for 40 kg: 600-1000 mg per infusion',
    ]);
    expect(
      check('methylprednisolone', 600, adult, { schedule: every(12) }).tier,
    ).toBe('within');
    expect(
      check('methylprednisolone', 601, adult, { schedule: every(12) }).tier,
    ).toBe('soft');
    expect(
      check('methylprednisolone', 1000, heavy, { schedule: every(12) }).tier,
    ).toBe('within');
  });

  it('without the institution factor no hard limit by factor applies: it is listed as not checked, the protocol limits stay soft [seed.initial.1]', () => {
    const result = check('methylprednisolone', 10, adult, {
      unit: 'g',
      profile: null,
    });
    expect(result.tier).toBe('soft');
    expect(result.profile).toBeUndefined();
    expect(limitOf(result, 'hard-factor')).toEqual({
      id: 'hard-factor',
      tier: 'hard',
      bound: 'upper',
      description:
        'institution hard-limit factor above the upper soft limit: not set, so no hard limit by factor applies',
      per: 'infusion',
      source: 'institution-profile',
      evidence: ['review.section-10'],
      checked: false,
      exceeded: false,
      missing: 'profile.doseLimits.hardFactorAboveSoftMax',
    });
    const noFactor = profileWith({
      doseLimits: { hardFactorAboveSoftMax: undefined },
    });
    expect(
      check('methylprednisolone', 10, adult, { unit: 'g', profile: noFactor })
        .tier,
    ).toBe('soft');
  });
});

describe('ciclosporin: the route decides the range', () => {
  it('oral: the protocol 2-5 mg/kg/day, compared per day (40-100 mg for 20 kg) [seed.second-line.3]', () => {
    const result = check('ciclosporin', 50, child, {
      route: 'oral',
      schedule: every(12),
    });
    expect(result).toMatchObject({ tier: 'within', dailyMg: 100 });
    expect(limitRows(result)).toEqual([
      ['range-lower', 40, 'day', 'soft', false],
      ['range-upper', 100, 'day', 'soft', false],
      ['hard-factor:range-upper', 300, 'day', 'hard', false],
    ]);
    expect(limitOf(result, 'range-upper')).toMatchObject({
      source: 'protocol',
      evidence: ['seed.second-line.2', 'seed.second-line.3', 'lit.mouy-1996'],
    });
    const above = check('ciclosporin', 51, child, {
      route: 'oral',
      schedule: every(12),
    });
    expect(above.tier).toBe('soft');
    expect(above.messages[0]).toBe(
      'ciclosporin 102 mg/day (51 mg every 12 h) is above the soft limit of 100 mg per day (upper end of the protocol range 2-5 mg/kg/day for oral ciclosporin: 5 mg/kg x 20 kg = 100 mg) - computed dose for 20 kg: 40-100 mg per day',
    );
    expect(check('ciclosporin', 40, child, { route: 'oral' }).tier).toBe(
      'within',
    );
    expect(check('ciclosporin', 39, child, { route: 'oral' }).tier).toBe(
      'soft',
    );
  });

  it('IV: the institution range (1-2 mg/kg/day in the example); 100 mg a day is within orally and above the IV range [seed.second-line.3]', () => {
    expect(check('ciclosporin', 100, child, { route: 'oral' }).tier).toBe(
      'within',
    );
    const iv = check('ciclosporin', 100, child, { route: 'iv' });
    expect(iv.tier).toBe('soft');
    expect(limitRows(iv)).toEqual([
      ['range-lower', 20, 'day', 'soft', false],
      ['range-upper', 40, 'day', 'soft', true],
      ['hard-factor:range-upper', 120, 'day', 'hard', false],
    ]);
    expect(limitOf(iv, 'range-upper')).toMatchObject({
      source: 'institution-profile',
      description:
        'upper end of the institution range 1-2 mg/kg/day for IV ciclosporin: 2 mg/kg x 20 kg = 40 mg',
    });
    expect(check('ciclosporin', 40, child).tier).toBe('within');
    expect(check('ciclosporin', 120, child).tier).toBe('soft');
    expect(check('ciclosporin', 121, child).tier).toBe('hard');
  });

  it('IV without an institution IV range is unchecked, naming the parameter (never an error) [seed.second-line.3]', () => {
    const profile = profileWith({ doses: { ciclosporin: undefined } });
    for (const result of [
      check('ciclosporin', 30, child, { profile }),
      check('ciclosporin', 30, child, { profile: null }),
    ]) {
      expect(result.tier).toBe('unchecked');
      expect(result.computed).toBeUndefined();
      expect(result.uncheckedReason).toMatch(
        /^the dose rule for ciclosporin could not be computed: profile\.doses\.ciclosporin\.ivMgPerKgPerDay is not set/,
      );
      expect(limitOf(result, 'dose-rule')).toMatchObject({
        checked: false,
        exceeded: false,
        source: 'institution-profile',
        missing: 'profile.doses.ciclosporin.ivMgPerKgPerDay',
      });
    }
  });

  it('a route the drug does not have is an input error [seed.second-line.3]', () => {
    const error = clinicalErrorOf(() =>
      check('ciclosporin', 30, child, { route: 'sc' }),
    );
    expect(error.field).toBe('route');
    expect(error.rule).toMatch(/allowed: oral, iv/);
  });
});

describe('a pulse is a schedule of the drugs the protocol gives as pulses', () => {
  const pulse: RecordedDoseSchedule = { kind: 'pulse', day: 1, of: 3 };

  it('methylprednisolone as a pulse (day 1 of 3) is checked as a daily dose [seed.initial.1]', () => {
    expect(
      check('methylprednisolone', 1000, { weightKg: 40 }, { schedule: pulse })
        .tier,
    ).toBe('within');
  });

  it('dexamethasone, a glucocorticoid too, may be written as a pulse: never refused for the way its course is written [seed.initial.2]', () => {
    const check = checkRecordedDose({
      drug: 'dexamethasone',
      dose: { value: 10, unit: 'mg' },
      route: 'iv',
      schedule: pulse,
      patient: { weightKg: 30, heightCm: 138 },
      purpose: 'mas',
      profile: example,
    });
    expect(check.tier).not.toBe('hard');
  });

  it('a new pulse of anakinra, ciclosporin or emapalumab is refused naming the schedule and the drugs given as pulses [seed.initial.1]', () => {
    for (const drug of ['anakinra', 'ciclosporin', 'emapalumab'] as const) {
      expect(pulseScheduleProblem(drug, pulse)).toBe(
        `a pulse (day n of N) is not a schedule for ${drug} in the protocol (given as pulses: methylprednisolone, dexamethasone); record it as daily, every N hours or once`,
      );
      expect(pulseScheduleProblem(drug, daily)).toBeNull();
    }
    expect(pulseScheduleProblem('methylprednisolone', pulse)).toBeNull();
    expect(pulseScheduleProblem('dexamethasone', pulse)).toBeNull();
  });

  it("a pulse longer than the institution's maximum (5 days in the example) is flagged beside its dose, never refused; unset, its length is not checked [seed.initial.1, review.section-10]", () => {
    const of = (days: number, day = 1): RecordedDoseSchedule => ({
      kind: 'pulse',
      day,
      of: days,
    });
    const flagged = check('methylprednisolone', 1000, adult, {
      schedule: of(14),
    });
    expect(flagged.tier).toBe('within');
    expect(flagged.alerts).toEqual([
      {
        id: 'pulse-longer-than-maximum',
        message:
          "methylprednisolone recorded as a pulse of 14 days (pulse day 1 of 14), longer than the institution's maximum of 5 days (doseLimits.maxPulseDays): check the course's length.",
        evidence: ['review.section-10'],
      },
    ]);
    // Its last day is still a day of a 14-day course.
    expect(
      check('methylprednisolone', 1000, adult, { schedule: of(14, 14) }).alerts,
    ).toHaveLength(1);
    // At the maximum, or shorter: nothing to flag.
    for (const days of [3, 5]) {
      expect(
        check('methylprednisolone', 1000, adult, { schedule: of(days) }).alerts,
      ).toEqual([]);
    }
    expect(
      check('methylprednisolone', 1000, adult, { schedule: daily }).alerts,
    ).toEqual([]);
    // Dexamethasone written as a pulse is held to the same length.
    expect(
      checkRecordedDose({
        drug: 'dexamethasone',
        dose: { value: 10, unit: 'mg' },
        route: 'iv',
        schedule: of(6),
        patient: { weightKg: 30, heightCm: 138 },
        purpose: 'mas',
        profile: example,
      }).alerts.map((alert) => alert.id),
    ).toEqual(['pulse-longer-than-maximum']);
    // The institution has not set it: not checked, no default.
    const unset = profileWith({ doseLimits: { maxPulseDays: undefined } });
    expect(unset.data.doseLimits?.maxPulseDays).toBeUndefined();
    expect(
      check('methylprednisolone', 1000, adult, {
        schedule: of(14),
        profile: unset,
      }).alerts,
    ).toEqual([]);
  });

  it('an anakinra pulse already kept (written before the rule) is checked as one dose a day, never an error [seed.second-line.4]', () => {
    const asPulse = check('anakinra', 200, child, {
      route: 'sc',
      schedule: pulse,
    });
    const asDaily = check('anakinra', 200, child, { route: 'sc' });
    expect(asPulse.tier).toBe(asDaily.tier);
    expect(asPulse.limits).toEqual(asDaily.limits);
  });
});

describe('anakinra: no agreed maximum; the institution maxima, soft or hard as marked', () => {
  it('soft above the institutional maximum (15 mg/kg/day = 300 mg for 20 kg), hard above 3 x it [seed.second-line.4]', () => {
    const result = check('anakinra', 300, child, { route: 'sc' });
    expect(result).toMatchObject({
      tier: 'within',
      computed: { per: 'day', maxMg: 300 },
    });
    expect(result.computed?.minMg).toBeUndefined();
    expect(limitRows(result)).toEqual([
      ['institution-maximum', 300, 'day', 'soft', false],
      ['hard-factor:institution-maximum', 900, 'day', 'hard', false],
    ]);
    expect(limitOf(result, 'institution-maximum')).toMatchObject({
      source: 'institution-profile',
      description:
        'institutional maximum of 15 mg/kg/day: 15 mg/kg x 20 kg = 300 mg',
      evidence: [
        'seed.second-line.4',
        'lit.anakinra-mas-dosing',
        'review.section-10',
      ],
    });
    expect(check('anakinra', 301, child).tier).toBe('soft');
    expect(check('anakinra', 900, child).tier).toBe('soft');
    expect(check('anakinra', 901, child).tier).toBe('hard');
  });

  it('the daily amount comes from the schedule (100 mg IV every 6 h = 400 mg/day) [seed.second-line.4]', () => {
    const result = check('anakinra', 100, child, { schedule: every(6) });
    expect(result).toMatchObject({ tier: 'soft', dailyMg: 400 });
    expect(result.messages).toEqual([
      'anakinra 400 mg/day (100 mg every 6 h) is above the soft limit of 300 mg per day (institutional maximum of 15 mg/kg/day: 15 mg/kg x 20 kg = 300 mg) - computed dose for 20 kg: up to 300 mg per day',
    ]);
  });

  it('for a heavy patient the per-day maximum binds, and the hard factor multiplies it [seed.second-line.4]', () => {
    const result = check('anakinra', 2400, { weightKg: 200 });
    expect(result.tier).toBe('within');
    expect(limitOf(result, 'institution-maximum')).toMatchObject({
      limitMg: 2400,
      description:
        'institutional maximum of 15 mg/kg/day: 15 mg/kg x 200 kg = 3000 mg, lowered to the institutional maximum per day of 2400 mg',
    });
    expect(limitOf(result, 'hard-factor:institution-maximum')).toMatchObject({
      limitMg: 7200,
      description:
        '3 x the institutional maximum per day of 2400 mg; institution hard-limit factor',
    });
  });

  it('maxima marked hard refuse the dose above them; no factor applies on top [seed.second-line.4]', () => {
    const profile = profileWith({
      doses: {
        anakinra: {
          maxMgPerKgPerDay: 15,
          maxMgPerDay: 2400,
          maximaTier: 'hard',
        },
      },
    });
    const result = check('anakinra', 301, child, { profile });
    expect(result.tier).toBe('hard');
    expect(limitRows(result)).toEqual([
      ['institution-maximum', 300, 'day', 'hard', true],
    ]);
    expect(limitOf(result, 'institution-maximum').description).toMatch(
      /marked absolute by the institution$/,
    );
    expect(check('anakinra', 300, child, { profile }).tier).toBe('within');
  });

  it('MAS therapy at or below the standard 1-2 mg/kg/day raises the alert; the tier stays what the limits say [seed.second-line.4]', () => {
    const standard = check('anakinra', 40, child);
    expect(standard.tier).toBe('within');
    expect(standard.alerts).toEqual([
      {
        id: 'anakinra-standard-dose',
        message:
          'anakinra 40 mg/day (2 mg/kg/day for 20 kg) is at or below the standard 1-2 mg/kg/day; MAS calls for doses higher than standard.',
        evidence: ['seed.second-line.4'],
      },
    ]);
    expect(
      check('anakinra', 20, child, { purpose: 'mas' }).alerts,
    ).toHaveLength(1);
    expect(check('anakinra', 41, child).alerts).toEqual([]);
    expect(
      check('anakinra', 20, child, { purpose: 'background' }).alerts,
    ).toEqual([]);
    // 10 mg every 6 h is 40 mg/day: still standard.
    expect(
      check('anakinra', 10, child, { schedule: every(6) }).alerts.map(
        (alert) => alert.id,
      ),
    ).toEqual(['anakinra-standard-dose']);
  });

  it('warns above the highest dose reported in MAS (29.4 mg/kg/day) [seed.second-line.4]', () => {
    expect(check('anakinra', 294, { weightKg: 10 }).alerts).toEqual([]);
    const above = check('anakinra', 295, { weightKg: 10 });
    expect(above.alerts).toEqual([
      {
        id: 'anakinra-above-highest-reported',
        message:
          'anakinra 29.5 mg/kg/day is above the highest dose reported in MAS (29.4 mg/kg/day).',
        evidence: ['lit.anakinra-mas-dosing'],
      },
    ]);
  });

  it('creatinine clearance below 30 mL/min: the label asks for an adjustment [seed.second-line.4]', () => {
    const renal = check('anakinra', 100, {
      weightKg: 20,
      creatinineClearanceMlMin: 29,
    });
    expect(renal.alerts.map((alert) => [alert.id, alert.evidence])).toEqual([
      ['anakinra-renal-adjustment', ['lit.anakinra-label']],
    ]);
    expect(
      check('anakinra', 100, { weightKg: 20, creatinineClearanceMlMin: 30 })
        .alerts,
    ).toEqual([]);
  });

  it.each<[RecordedDoseSchedule, boolean]>([
    [daily, true],
    [every(24), true],
    [every(47), true],
    [every(48), false],
    [every(72), false],
    [{ kind: 'once' }, true],
  ])(
    'creatinine clearance below 30 mL/min, given %j: flagged %p (every other day is the label adjustment made) [lit.anakinra-label]',
    (schedule, flagged) => {
      const result = check(
        'anakinra',
        100,
        { weightKg: 20, creatinineClearanceMlMin: 20 },
        { route: 'sc', schedule },
      );
      const renal = result.alerts.filter(
        (alert) => alert.id === 'anakinra-renal-adjustment',
      );
      // Flagged: the advice and the schedule recorded, in words.
      const advice = expect.stringMatching(
        /^Creatinine clearance 20 mL\/min is below 30 mL\/min: the label advises giving the prescribed dose every 48 h; recorded (daily|every \d+ h|once)\.$/,
      );
      expect(renal.map((alert) => alert.message)).toEqual(
        flagged ? [advice] : [],
      );
    },
  );

  it('without institutional maxima it is unchecked, and the standard-dose alert still shows [seed.second-line.4]', () => {
    const profile = profileWith({ doses: { anakinra: undefined } });
    const result = check('anakinra', 20, child, { profile });
    expect(result.tier).toBe('unchecked');
    expect(result.uncheckedReason).toMatch(/profile\.doses\.anakinra/);
    expect(result.alerts.map((alert) => alert.id)).toEqual([
      'anakinra-standard-dose',
    ]);
  });
});

describe('a single computed dose: the institution tolerance band (10 % in the example)', () => {
  it('emapalumab 6 mg/kg first infusion (180 mg for 30 kg): 162-198 mg soft, hard above 3 x 198 mg [seed.refractory.1]', () => {
    const result = check('emapalumab', 180, oneSquareMetre, {
      phase: 'initial',
    });
    expect(result).toMatchObject({
      tier: 'within',
      computed: { per: 'infusion', minMg: 180, maxMg: 180 },
    });
    expect(limitRows(result)).toEqual([
      ['tolerance-lower', 162, 'infusion', 'soft', false],
      ['tolerance-upper', 198, 'infusion', 'soft', false],
      ['hard-factor:tolerance-upper', 594, 'infusion', 'hard', false],
    ]);
    expect(limitOf(result, 'tolerance-upper')).toMatchObject({
      source: 'institution-profile',
      evidence: ['seed.refractory.1', 'lit.nct03311854', 'review.section-10'],
      description:
        'institution tolerance: 10 % above the computed dose of 180 mg',
    });
    const at = (value: number) =>
      check('emapalumab', value, oneSquareMetre, { phase: 'initial' }).tier;
    expect([at(162), at(161.9), at(198), at(198.1)]).toEqual([
      'within',
      'soft',
      'within',
      'soft',
    ]);
    expect([at(270), at(594), at(595), at(1800)]).toEqual([
      'soft',
      'soft',
      'hard',
      'hard',
    ]);
    expect(
      check('emapalumab', 1800, oneSquareMetre, { phase: 'initial' })
        .messages[0],
    ).toBe(
      'emapalumab 1800 mg is above the hard limit of 594 mg per infusion (3 x the upper soft limit of 198 mg; institution hard-limit factor) - computed dose for 30 kg: 180 mg per infusion',
    );
  });

  it('emapalumab without a phase accepts either phase (3 or 6 mg/kg)', () => {
    const result = check('emapalumab', 90, oneSquareMetre);
    expect(result.tier).toBe('within');
    expect(result.computed).toMatchObject({ minMg: 90, maxMg: 180 });
    expect(limitRows(result).slice(0, 2)).toEqual([
      ['tolerance-lower', 81, 'infusion', 'soft', false],
      ['tolerance-upper', 198, 'infusion', 'soft', false],
    ]);
    expect(
      check('emapalumab', 180, oneSquareMetre, { phase: 'maintenance' }).tier,
    ).toBe('soft');
  });

  it('rituximab 375 mg/m2 (375 mg at 1 m2) [seed.refractory.4]', () => {
    const result = check('rituximab', 375, oneSquareMetre);
    expect(result.tier).toBe('within');
    expect(limitRows(result).slice(0, 2)).toEqual([
      ['tolerance-lower', 337.5, 'infusion', 'soft', false],
      ['tolerance-upper', 412.5, 'infusion', 'soft', false],
    ]);
    const above = check('rituximab', 600, { weightKg: 30, heightCm: 125 });
    expect(above.messages).toEqual([
      'rituximab 600 mg is above the soft limit of 421 mg per infusion (institution tolerance: 10 % above the computed dose of 382.7 mg) - computed dose for 30 kg, 1.021 m2: 382.7 mg per infusion',
    ]);
  });

  it('dexamethasone is per day: the schedule gives the daily amount (10 mg/m2/day = 10 mg at 1 m2) [seed.initial.2]', () => {
    const split = check('dexamethasone', 5, oneSquareMetre, {
      schedule: every(12),
    });
    expect(split).toMatchObject({ tier: 'within', dailyMg: 10 });
    expect(limitRows(split).slice(0, 2)).toEqual([
      ['tolerance-lower', 9, 'day', 'soft', false],
      ['tolerance-upper', 11, 'day', 'soft', false],
    ]);
    const doubled = check('dexamethasone', 6, oneSquareMetre, {
      schedule: every(12),
    });
    expect(doubled.tier).toBe('soft');
    expect(doubled.messages[0]).toMatch(
      /^dexamethasone 12 mg\/day \(6 mg every 12 h\) is above the soft limit of 11 mg per day/,
    );
  });

  it('the upper tolerance is lowered to the institutional cap (dexamethasone max 20 mg/day)', () => {
    const big = { weightKg: 150, heightCm: 200 };
    const result = check('dexamethasone', 20, big);
    expect(result.tier).toBe('within');
    expect(limitOf(result, 'tolerance-upper')).toMatchObject({
      limitMg: 20,
      description:
        'institution tolerance: 10 % above the computed dose of 20 mg, lowered to the institutional maximum per day of 20 mg',
    });
    expect(limitOf(result, 'hard-factor:tolerance-upper')).toMatchObject({
      limitMg: 60,
      description:
        '3 x the institutional maximum per day of 20 mg; institution hard-limit factor',
    });
    expect(check('dexamethasone', 20.5, big).tier).toBe('soft');
  });

  it('ruxolitinib per dose (25 mg/m2, max 25 mg); given more often than twice a day, the daily total is limited too [seed.refractory.2]', () => {
    const twice = check('ruxolitinib', 25, oneSquareMetre, {
      route: 'oral',
      schedule: every(12),
    });
    expect(twice.tier).toBe('within');
    expect(limitRows(twice)).toEqual([
      ['tolerance-lower', 22.5, 'dose', 'soft', false],
      ['tolerance-upper', 25, 'dose', 'soft', false],
      ['hard-factor:tolerance-upper', 75, 'dose', 'hard', false],
    ]);
    expect(
      check('ruxolitinib', 26, oneSquareMetre, { route: 'oral' }).tier,
    ).toBe('soft');
    const fourTimes = check('ruxolitinib', 25, oneSquareMetre, {
      route: 'oral',
      schedule: every(6),
    });
    expect(fourTimes).toMatchObject({ tier: 'soft', dailyMg: 100 });
    expect(limitOf(fourTimes, 'daily-upper')).toMatchObject({
      limitMg: 50,
      per: 'day',
      exceeded: true,
      description:
        'institution dosing: 2 doses a day x the upper limit of 25 mg per dose',
    });
    expect(limitOf(fourTimes, 'hard-factor:daily-upper').limitMg).toBe(150);
  });

  it('baricitinib per kg, capped at 4 mg per dose', () => {
    const result = check('baricitinib', 4, { weightKg: 60 }, { route: 'oral' });
    expect(result).toMatchObject({ tier: 'within', computed: { maxMg: 4 } });
    expect(limitOf(result, 'tolerance-upper').limitMg).toBe(4);
  });

  it('etoposide: per m2, per kg for infants, renal and hepatic adjustments lower the band [seed.refractory.3]', () => {
    expect(check('etoposide', 50, oneSquareMetre).tier).toBe('within');
    const infant = check('etoposide', 10.2, { weightKg: 6 });
    expect(infant).toMatchObject({
      tier: 'within',
      computed: { minMg: 10.2, maxMg: 10.2 },
    });
    expect(limitOf(infant, 'tolerance-upper').limitMg).toBe(11.22);
    const impaired = {
      ...oneSquareMetre,
      creatinineClearanceMlMin: 40,
      bilirubinUmolL: 60,
    };
    const adjusted = check('etoposide', 50, impaired);
    expect(adjusted.computed?.maxMg).toBe(18.75);
    expect(adjusted.tier).toBe('soft');
    expect(limitOf(adjusted, 'tolerance-upper').limitMg).toBe(20.625);
  });

  it('tocilizumab: above the maximum the institution marks absolute (800 mg per dose in the example) is hard', () => {
    const heavyPatient = { weightKg: 120 };
    const atMaximum = check('tocilizumab', 800, heavyPatient);
    expect(atMaximum.tier).toBe('within');
    expect(limitOf(atMaximum, 'absolute-maximum')).toEqual({
      id: 'absolute-maximum',
      tier: 'hard',
      bound: 'upper',
      description: 'institutional absolute maximum of 800 mg per dose',
      limitMg: 800,
      per: 'dose',
      source: 'institution-profile',
      evidence: ['review.section-10'],
      checked: true,
      exceeded: false,
    });
    const above = check('tocilizumab', 801, heavyPatient);
    expect(above.tier).toBe('hard');
    expect(above.messages[0]).toBe(
      'tocilizumab 801 mg is above the hard limit of 800 mg per dose (institutional absolute maximum of 800 mg per dose) - computed dose for 120 kg: 800 mg per dose',
    );
    expect(check('tocilizumab', 529, { weightKg: 60 }).tier).toBe('soft');
    expect(check('tocilizumab', 528, { weightKg: 60 }).tier).toBe('within');
  });
});

describe('missing institution figures: listed as not checked, never an error', () => {
  const noTolerance = profileWith({
    doseLimits: { softTolerancePercent: undefined },
  });

  it('without a tolerance the computed dose itself is within; any other dose is unchecked, naming the parameter', () => {
    const exact = check('emapalumab', 180, oneSquareMetre, {
      phase: 'initial',
      profile: noTolerance,
    });
    expect(exact.tier).toBe('within');
    expect(limitRows(exact)).toEqual([
      ['tolerance-lower', undefined, 'infusion', 'soft', false],
      ['tolerance-upper', undefined, 'infusion', 'soft', false],
      ['hard-factor:computed', 540, 'infusion', 'hard', false],
    ]);
    expect(limitOf(exact, 'tolerance-upper')).toMatchObject({
      checked: false,
      missing: 'profile.doseLimits.softTolerancePercent',
      description:
        'institution tolerance above the computed dose of 180 mg: not set',
    });
    const other = check('emapalumab', 200, oneSquareMetre, {
      phase: 'initial',
      profile: noTolerance,
    });
    expect(other.tier).toBe('unchecked');
    expect(other.uncheckedReason).toBe(
      'emapalumab 200 mg per infusion differs from the computed dose of 180 mg and the institution sets no tolerance around it (profile.doseLimits.softTolerancePercent)',
    );
    expect(
      check('emapalumab', 541, oneSquareMetre, {
        phase: 'initial',
        profile: noTolerance,
      }).tier,
    ).toBe('hard');
  });

  it('without a tolerance the calculator caps still apply as soft limits', () => {
    const result = check(
      'dexamethasone',
      25,
      { weightKg: 150, heightCm: 200 },
      { profile: noTolerance },
    );
    expect(result.tier).toBe('soft');
    expect(limitOf(result, 'maximum-per-day')).toMatchObject({
      limitMg: 20,
      exceeded: true,
      source: 'institution-profile',
    });
  });

  it('without any profile: the protocol dose is unchecked or within, never refused', () => {
    const result = check('emapalumab', 180, oneSquareMetre, { profile: null });
    expect(result.tier).toBe('within');
    expect(result.limits.filter((each) => each.checked)).toEqual([]);
    expect(
      check('emapalumab', 1800, oneSquareMetre, { profile: null }).tier,
    ).toBe('unchecked');
  });

  it('dexamethasone without a profile or without a height is unchecked, not an error (a glucocorticoid is never blocked)', () => {
    const noProfile = check('dexamethasone', 10, oneSquareMetre, {
      profile: null,
    });
    expect(noProfile.tier).toBe('unchecked');
    expect(noProfile.uncheckedReason).toMatch(
      /^the dose rule for dexamethasone could not be computed: profile /,
    );
    const noHeight = check('dexamethasone', 10, { weightKg: 30 });
    expect(noHeight.tier).toBe('unchecked');
    expect(noHeight.limits).toEqual([
      {
        id: 'dose-rule',
        tier: 'soft',
        bound: 'upper',
        description:
          'the dose rule for dexamethasone for this patient: not computable, patient.heightCm is required for dexamethasone (dosed per m2 of body surface area)',
        per: 'dose',
        source: 'protocol',
        evidence: ['seed.initial.2', 'review.section-10'],
        checked: false,
        exceeded: false,
        missing: 'patient.heightCm',
      },
    ]);
  });

  it('an absolute maximum still applies when the dose rule is unchecked', () => {
    const profile = profileWith({
      doseLimits: {
        absoluteMaxima: { dexamethasone: { mg: 40, per: 'day' } },
      },
    });
    expect(check('dexamethasone', 40, { weightKg: 30 }, { profile }).tier).toBe(
      'unchecked',
    );
    const above = check('dexamethasone', 41, { weightKg: 30 }, { profile });
    expect(above.tier).toBe('hard');
    expect(above.messages).toEqual([
      'dexamethasone 41 mg is above the hard limit of 40 mg per day (institutional absolute maximum of 40 mg per day)',
    ]);
  });
});

describe('schedules give the daily amount', () => {
  it.each([
    [every(8), 3],
    [every(5), 4.8],
    [every(24), 1],
    [every(36), 1],
    [{ kind: 'once' } as const, 1],
    [{ kind: 'pulse', day: 2, of: 3 } as const, 1],
  ])('%p -> %p administrations a day', (schedule, perDay) => {
    const result = check('methylprednisolone', 600, adult, { schedule });
    expect(result.administrationsPerDay).toBe(perDay);
    expect(result.dailyMg).toBe(600 * perDay);
  });
});

describe('invalid input is an error naming the field', () => {
  const valid: RecordedDose = {
    drug: 'methylprednisolone',
    dose: { value: 600, unit: 'mg' },
    route: 'iv',
    schedule: daily,
    patient: adult,
  };

  it.each([
    [
      'a negative dose',
      { dose: { value: -600, unit: 'mg' } },
      'dose.value',
      /above 0/,
    ],
    [
      'a zero dose',
      { dose: { value: 0, unit: 'mg' } },
      'dose.value',
      /above 0/,
    ],
    [
      'an infinite dose',
      { dose: { value: Infinity, unit: 'mg' } },
      'dose.value',
      /number/,
    ],
    [
      'a number of grams past any number of mg',
      { dose: { value: 1e308, unit: 'g' } },
      'dose.value',
      /^1e\+308 g is not a dose that can be given \(too large a number\)$/,
    ],
    [
      'a volume',
      { dose: { value: 6, unit: 'mL' } },
      'dose.unit',
      /not a mass unit/,
    ],
    [
      'a dose per kg',
      { dose: { value: 6, unit: 'mg/kg' } },
      'dose.unit',
      /not a mass unit/,
    ],
    [
      'kilograms',
      { dose: { value: 6, unit: 'kg' } },
      'dose.unit',
      /accepted: mg, g, ug/,
    ],
    [
      'an unknown unit',
      { dose: { value: 6, unit: 'mgs' } },
      'dose.unit',
      /not a UCUM unit/,
    ],
    ['an interval of 0 h', { schedule: every(0) }, 'schedule.hours', /above 0/],
    [
      'a negative interval',
      { schedule: every(-12) },
      'schedule.hours',
      /above 0/,
    ],
    [
      'pulse day 4 of 3',
      { schedule: { kind: 'pulse', day: 4, of: 3 } },
      'schedule.day',
      /after the last pulse day/,
    ],
    [
      'pulse day 1.5',
      { schedule: { kind: 'pulse', day: 1.5, of: 3 } },
      'schedule.day',
      /int/,
    ],
    [
      'an unknown schedule',
      { schedule: { kind: 'weekly' } },
      'schedule.kind',
      /./,
    ],
    ['a weight of 0', { patient: { weightKg: 0 } }, 'patient.weightKg', /./],
    [
      'a weight of 500 kg',
      { patient: { weightKg: 500 } },
      'patient.weightKg',
      /plausible/,
    ],
    [
      'a height of 400 cm',
      { patient: { weightKg: 40, heightCm: 400 } },
      'patient.heightCm',
      /plausible/,
    ],
    [
      'a clearance of 500 mL/min',
      { patient: { weightKg: 40, creatinineClearanceMlMin: 500 } },
      'patient.creatinineClearanceMlMin',
      /plausible/,
    ],
    [
      'a route the drug does not have',
      { route: 'oral' },
      'route',
      /allowed: iv/,
    ],
    [
      'an unknown drug',
      { drug: 'aspirin' },
      'drug',
      /not a drug of the protocol/,
    ],
    ['an unknown purpose', { purpose: 'prophylaxis' }, 'purpose', /./],
    ['an unknown field', { rate: 5 }, 'rate', /not a known field/],
  ])('%s -> error on %s', (_name, change, field, rule) => {
    const error = clinicalErrorOf(() =>
      checkRecordedDose({ ...valid, ...change } as RecordedDose),
    );
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
  });

  it('other spellings of a drug are accepted', () => {
    expect(
      checkRecordedDose({
        ...valid,
        drug: 'cyclosporine' as DrugId,
        route: 'oral',
        patient: child,
        dose: { value: 60, unit: 'mg' },
      }),
    ).toMatchObject({ drug: 'ciclosporin', tier: 'within' });
  });
});
