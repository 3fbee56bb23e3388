import { describe, expect, it } from '@jest/globals';

import { quantity } from '../../testing.js';
import { scoreFerritinEsr } from './ferritin-esr.calculator.js';
import { describeMsCutoff, scoreMsScore } from './ms-score.calculator.js';

/** The panel without some of its items (they become "not assessed"). */
const omit = (panel: object, ...keys: readonly string[]) =>
  Object.fromEntries(
    Object.entries(panel).filter(([key]) => !keys.includes(key)),
  );

describe('MS score (Minoia 2019)', () => {
  it('worked example 5: +0.73, consider MAS', () => {
    const result = scoreMsScore({
      ferritin: quantity(20000, 'ng/mL'),
      platelets: quantity(90, '10*9/L'),
      fibrinogen: quantity(450, 'mg/dL'),
      ldh: quantity(800, 'U/L'),
    });
    expect(result.score).toBe(0.73);
    expect(result.considerMas).toBe(true);
  });

  const edge = (platelets: number) => ({
    cnsInvolvement: false,
    hemorrhage: false,
    activeArthritis: false,
    ferritin: quantity(0, 'ng/mL'),
    platelets: quantity(platelets, '10*9/L'),
    fibrinogen: quantity(0, 'mg/dL'),
    ldh: quantity(0, 'U/L'),
  });

  it('exactly -2.1 is at the cut-off (inclusive)', () => {
    const result = scoreMsScore(edge(700));
    expect(result.score).toBe(-2.1);
    expect(result.considerMas).toBe(true);
  });

  it('just below -2.1 is not', () => {
    const result = scoreMsScore(edge(701));
    expect(result.score).toBe(-2.103);
    expect(result.considerMas).toBe(false);
  });

  it('uses fibrinogen in mg/dL and platelets in x10^9/L whatever the unit sent', () => {
    const a = scoreMsScore({
      ...edge(700),
      fibrinogen: quantity(4.5, 'g/L'),
      platelets: quantity(700_000, '/uL'),
    });
    const b = scoreMsScore({
      ...edge(700),
      fibrinogen: quantity(450, 'mg/dL'),
    });
    expect(a.score).toBe(b.score);
    expect(a.score).toBe(-3.9);
  });

  it.each([
    ['cnsInvolvement', 2.44],
    ['hemorrhage', 1.54],
    ['activeArthritis', -1.3],
  ])('clinical variable %s adds %p', (finding, coefficient) => {
    const base = scoreMsScore(edge(0)).score;
    expect(scoreMsScore({ ...edge(0), [finding]: true }).score).toBe(
      base + coefficient,
    );
  });

  it('LDH not measured is never an error: not assessed, anywhere in its plausible range', () => {
    const { ldh: _l, ...rest } = edge(100);
    const result = scoreMsScore(rest);
    expect(result.criteria.find((c) => c.id === 'ldh')).toEqual({
      id: 'ldh',
      label: 'LDH',
      status: 'not-assessed',
      met: false,
      points: 0,
      // 0.001 x 0..200000 U/L
      pointsRange: { min: 0, max: 200 },
      missing: ['LDH'],
      unit: 'U/L',
      rule: '0.001 x value in U/L',
      note: 'not measured: any value in the plausible range 0-200000 U/L',
      evidence: ['lit.minoia-2019'],
    });
    expect(result.missing).toEqual(['LDH']);
    expect(result.score).toBe(-0.3);
    expect(result.range).toEqual({ min: -0.3, max: 199.7 });
    expect(result.outcome).toBe('met');
  });

  it.each([
    // analyte not measured -> its term's reachable range (plausible range x coefficient)
    ['platelets', { min: -15, max: 0 }],
    ['fibrinogen', { min: -8, max: 0 }],
    ['ferritin', { min: 0, max: 100 }],
  ])('%s not measured: term %p', (analyte, pointsRange) => {
    expect(
      scoreMsScore(omit(edge(100), analyte)).criteria.find(
        (c) => c.id === analyte,
      )?.pointsRange,
    ).toEqual(pointsRange);
  });

  it.each([
    // finding not recorded, known score -> range, outcome
    ['activeArthritis', 700, { min: -3.4, max: -2.1 }, 'undecided'],
    ['activeArthritis', 0, { min: -1.3, max: 0 }, 'met'],
    ['cnsInvolvement', 701, { min: -2.103, max: 0.337 }, 'undecided'],
    ['hemorrhage', 1300, { min: -3.9, max: -2.36 }, 'not-met'],
  ])(
    '%s not recorded, platelets %p: range %p, %s',
    (finding, platelets, range, outcome) => {
      const result = scoreMsScore(omit(edge(platelets), finding));
      expect(result.range).toEqual(range);
      expect(result.outcome).toBe(outcome);
      expect(result.considerMas).toBe(outcome === 'met');
      expect(result.missing).toHaveLength(1);
    },
  );

  it('undecided for want of one measurement: the value of it that meets the cut-off, in its own direction', () => {
    const known = {
      cnsInvolvement: false,
      hemorrhage: false,
      activeArthritis: false,
      ferritin: quantity(1000, 'ng/mL'),
      platelets: quantity(300, '10*9/L'),
      fibrinogen: quantity(500, 'mg/dL'),
      ldh: quantity(300, 'U/L'),
    };
    // 0.1 - 0.9 - 2.0 + 0.001 x LDH >= -2.1: LDH at or above 700 U/L.
    const withoutLdh = scoreMsScore(omit(known, 'ldh'));
    expect(withoutLdh.outcome).toBe('undecided');
    expect(withoutLdh.decidingValue).toBe('LDH at or above 700 U/L');
    // A negative coefficient decides the other way, rounded so that the
    // value shown still meets the cut-off:
    // 0.1 + 0.3 - 2.0 - 0.003 x platelets >= -2.1: at or below 166.67
    // (166.7 would not).
    const withoutPlatelets = scoreMsScore(omit(known, 'platelets'));
    expect(withoutPlatelets.outcome).toBe('undecided');
    expect(withoutPlatelets.decidingValue).toBe(
      'Platelets at or below 166.6 ×10⁹/L',
    );
    // Decided, or two items open: no single value decides.
    expect(scoreMsScore(known).decidingValue).toBeUndefined();
    expect(
      scoreMsScore(omit(known, 'ldh', 'hemorrhage')).decidingValue,
    ).toBeUndefined();
  });

  it('the score is on what is known: an item not assessed adds nothing (the range says what it could add)', () => {
    const { activeArthritis: _a, ...rest } = edge(700);
    const result = scoreMsScore(rest);
    expect(result.score).toBe(-2.1);
    expect(result.considerMas).toBe(false);
    expect(result.criteria.find((c) => c.id === 'activeArthritis')).toEqual({
      id: 'activeArthritis',
      label: 'Active arthritis',
      status: 'not-assessed',
      met: false,
      points: 0,
      pointsRange: { min: -1.3, max: 0 },
      missing: ['Active arthritis'],
      rule: '-1.3 x (1 if present, 0 if absent)',
      note: 'not assessed',
      evidence: ['lit.minoia-2019'],
    });
  });

  it('worked example 5 with every clinical variable recorded absent: the whole explanation', () => {
    const result = scoreMsScore({
      cnsInvolvement: false,
      hemorrhage: false,
      activeArthritis: false,
      ferritin: quantity(20000, 'ng/mL'),
      platelets: quantity(90, '10*9/L'),
      fibrinogen: quantity(450, 'mg/dL'),
      ldh: quantity(800, 'U/L'),
    });
    const evidence = ['lit.minoia-2019'];
    const absent = (id: string, label: string, coefficient: number) => ({
      id,
      label,
      status: 'not-met',
      met: false,
      value: false,
      points: 0,
      rule: `${coefficient} x (1 if present, 0 if absent)`,
      evidence,
    });
    const measured = (
      id: string,
      label: string,
      coefficient: number,
      unit: string,
      value: number,
      points: number,
    ) => ({
      id,
      label,
      status: 'met',
      met: true,
      value,
      unit,
      points,
      rule: `${coefficient} x value in ${unit}`,
      evidence,
    });
    expect(result.calculator).toBe('msscore');
    expect(result.criteria).toEqual([
      absent('cnsInvolvement', 'CNS involvement', 2.44),
      absent('hemorrhage', 'Haemorrhage', 1.54),
      absent('activeArthritis', 'Active arthritis', -1.3),
      measured('platelets', 'Platelets', -0.003, '10*9/L', 90, -0.27),
      measured('ldh', 'LDH', 0.001, 'U/L', 800, 0.8),
      measured('fibrinogen', 'Fibrinogen', -0.004, 'mg/dL', 450, -1.8),
      measured('ferritin', 'Ferritin', 0.0001, 'ng/mL', 20000, 2),
    ]);
    expect(result).toMatchObject({
      score: 0.73,
      range: { min: 0.73, max: 0.73 },
      cutoff: -2.1,
      considerMas: true,
      outcome: 'met',
      missing: [],
      otherCohortCutoffs: [
        { value: -1.74, cohort: 'AOSD (Yao 2021)' },
        { value: -1.5, cohort: 'Danish cohort' },
      ],
      evidence,
    });
    expect(describeMsCutoff()).toBe('>= -2.1');
  });

  it('a clinical variable recorded present scores its coefficient and reads met', () => {
    const result = scoreMsScore({ ...edge(0), cnsInvolvement: true });
    expect(result.criteria[0]).toMatchObject({
      status: 'met',
      met: true,
      value: true,
      points: 2.44,
    });
  });
});

describe('ferritin/ESR ratio (Eloseily 2019)', () => {
  it.each([
    [2150, 100, 21.5, true],
    [2149, 100, 21.49, false],
    [5000, 10, 500, true],
  ])(
    'ferritin %p / ESR %p = %p -> suggests MAS %p',
    (ferritin, esr, ratio, suggests) => {
      const result = scoreFerritinEsr({
        ferritin: quantity(ferritin, 'ug/L'),
        esr: quantity(esr, 'mm/h'),
      });
      expect(result.ratio).toBe(ratio);
      expect(result.suggestsMas).toBe(suggests);
    },
  );

  it('the whole explanation: the ratio criterion, cut-off and other cohorts', () => {
    const result = scoreFerritinEsr({
      ferritin: quantity(2150, 'ug/L'),
      esr: quantity(100, 'mm/h'),
    });
    expect(result).toEqual({
      calculator: 'ferritin-esr',
      ratio: 21.5,
      cutoff: 21.5,
      suggestsMas: true,
      criteria: [
        {
          id: 'ratio',
          label: 'Ferritin/ESR ratio',
          status: 'met',
          met: true,
          value: 21.5,
          rule: 'ferritin (ng/mL) / ESR (mm/h) >= 21.5',
          note: 'ferritin 2150 ng/mL, ESR 100 mm/h',
          evidence: ['lit.eloseily-2019'],
        },
      ],
      otherCohortCutoffs: [{ value: 19.4, cohort: 'Danish cohort' }],
      evidence: ['lit.eloseily-2019'],
    });
    expect(
      scoreFerritinEsr({
        ferritin: quantity(2149, 'ng/mL'),
        esr: quantity(100, 'mm/h'),
      }).criteria[0],
    ).toMatchObject({ status: 'not-met', met: false, value: 21.49 });
  });

  it('ESR of 0 is an error, not infinity', () => {
    expect(() =>
      scoreFerritinEsr({
        ferritin: quantity(100, 'ng/mL'),
        esr: quantity(0, 'mm/h'),
      }),
    ).toThrow(/^esr\.value: must be above 0/);
  });

  it('missing ESR is an error naming it', () => {
    expect(() =>
      scoreFerritinEsr({ ferritin: quantity(100, 'ng/mL') }),
    ).toThrow(/^esr: is required/);
  });
});
