import { describe, expect, it } from '@jest/globals';

import { quantity } from '../../testing.js';
import { scoreFerritinEsr } from './ferritin-esr.calculator.js';
import { scoreMsScore } from './ms-score.calculator.js';

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

  it('missing LDH is an error naming it', () => {
    const { ldh: _l, ...rest } = edge(100);
    expect(() => scoreMsScore(rest)).toThrow(/^ldh: is required by MS score/);
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
