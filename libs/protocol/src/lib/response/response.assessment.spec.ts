import { describe, expect, it } from '@jest/globals';

import {
  clinicalErrorOf,
  readExampleProfile,
} from '../../spec-support/spec-support.js';
import { quantity } from '../../testing.js';
import { parseInstitutionProfile } from '../profile/institution-profile.js';
import { assessResponse } from './response.assessment.js';

const raw = readExampleProfile();
const profile = parseInstitutionProfile(raw);

const panel = (ferritin: number, platelets: number, fibrinogen: number) => ({
  ferritin: quantity(ferritin, 'ng/mL'),
  platelets: quantity(platelets, '10*9/L'),
  fibrinogen: quantity(fibrinogen, 'g/L'),
});

describe('response to therapy (directions from the seed, magnitudes from the institution)', () => {
  it('ferritin falling, counts and fibrinogen recovering: responding [seed.monitoring.3]', () => {
    const result = assessResponse(
      panel(10000, 60, 1.0),
      panel(5000, 90, 1.5),
      profile,
    );
    expect(result.verdict).toBe('responding');
    expect(result.changes.map((c) => c.trend)).toEqual([
      'improving',
      'improving',
      'improving',
    ]);
    expect(result.evidence).toContain('seed.monitoring.3');
  });

  it('ferritin falling by less than the institution margin: inadequate [seed.monitoring.3]', () => {
    const result = assessResponse(
      panel(10000, 60, 1.0),
      panel(8000, 60, 1.0),
      profile,
    );
    expect(result.changes[0]).toMatchObject({
      changePercent: -20,
      trend: 'stable',
    });
    expect(result.verdict).toBe('inadequate');
  });

  it('exactly the improving margin (25% fall) counts as improving [seed.monitoring.3]', () => {
    expect(
      assessResponse(panel(10000, 60, 1), panel(7500, 60, 1), profile).verdict,
    ).toBe('responding');
  });

  it('platelets falling by the worsening margin: worsening, whatever ferritin does [seed.monitoring.3]', () => {
    const result = assessResponse(
      panel(10000, 100, 1.0),
      panel(5000, 80, 1.0),
      profile,
    );
    expect(result.verdict).toBe('worsening');
    expect(result.reasons[0]).toMatch(/platelets 100 -> 80/);
  });

  it('compares across units (ug/L vs ng/mL, /uL vs 10*9/L) [seed.monitoring.3]', () => {
    const result = assessResponse(
      {
        ferritin: quantity(10000, 'ug/L'),
        platelets: quantity(60_000, '/uL'),
        fibrinogen: quantity(100, 'mg/dL'),
      },
      panel(5000, 90, 1.5),
      profile,
    );
    expect(result.verdict).toBe('responding');
  });

  it('a parameter missing from a panel is an error naming it and the panel', () => {
    expect(() =>
      assessResponse(
        { platelets: quantity(1, '10*9/L'), fibrinogen: quantity(1, 'g/L') },
        panel(1, 1, 1),
        profile,
      ),
    ).toThrow(/^ferritin: the response rule needs ferritin/);
    expect(() =>
      assessResponse(
        panel(1, 1, 1),
        { ferritin: quantity(-1, 'ng/mL') },
        profile,
      ),
    ).toThrow(/^current\.ferritin\.value/);
  });

  it('the magnitudes have no default: a missing one is an error naming it', () => {
    const { ferritin: _f, ...response } = raw.response;
    const partial = parseInstitutionProfile({ ...raw, response });
    expect(() =>
      assessResponse(panel(2, 1, 1), panel(1, 1, 1), partial),
    ).toThrow(/^profile\.response\.ferritin: is not set/);
  });
});

describe('response to therapy: what the mutation run showed untested (MUTATION-SURVIVORS P5)', () => {
  const masking =
    'on tocilizumab: fever and CRP are masked and are not part of this rule';

  it('platelets improving while ferritin is stable: inadequate, not responding (only ferritin decides a response)', () => {
    const result = assessResponse(
      panel(10000, 60, 1.0),
      panel(9000, 90, 1.0),
      profile,
    );
    expect(result.changes.map((c) => [c.analyte, c.trend])).toEqual([
      ['ferritin', 'stable'],
      ['platelets', 'improving'],
      ['fibrinogen', 'stable'],
    ]);
    expect(result.verdict).toBe('inadequate');
  });

  it('inadequate: the reasons are the ferritin sentence then every change, in full', () => {
    const result = assessResponse(
      panel(10000, 60, 1.0),
      panel(9000, 66, 0.9),
      profile,
    );
    expect(result.reasons).toEqual([
      'ferritin is not falling by the institution-set margin',
      'ferritin 10000 -> 9000 ng/mL (-10%): stable (improving needs a fall of >= 25%, worsening is a change the other way of >= 20%)',
      'platelets 60 -> 66 10*9/L (+10%): stable (improving needs a rise of >= 20%, worsening is a change the other way of >= 20%)',
      'fibrinogen 1 -> 0.9 g/L (-10%): stable (improving needs a rise of >= 20%, worsening is a change the other way of >= 20%)',
    ]);
    expect(result.notAssessed).toEqual([]);
  });

  it('responding: the reasons are every change; worsening: only the worsening ones', () => {
    const responding = assessResponse(
      panel(10000, 60, 1.0),
      panel(5000, 60, 1.0),
      profile,
    );
    expect(responding.reasons).toEqual(responding.changes.map((c) => c.reason));
    expect(responding.reasons[0]).toBe(
      'ferritin 10000 -> 5000 ng/mL (-50%): improving (improving needs a fall of >= 25%, worsening is a change the other way of >= 20%)',
    );
    const worsening = assessResponse(
      panel(10000, 100, 1.0),
      panel(5000, 80, 1.0),
      profile,
    );
    expect(worsening.reasons).toEqual([
      'platelets 100 -> 80 10*9/L (-20%): worsening (improving needs a rise of >= 20%, worsening is a change the other way of >= 20%)',
    ]);
  });

  it('a value of zero before: 0 -> 0 is no change, 0 -> more is an infinite change', () => {
    const zero = assessResponse(panel(0, 60, 1), panel(0, 60, 1), profile);
    expect(zero.changes[0]).toMatchObject({
      changePercent: 0,
      trend: 'stable',
    });
    expect(zero.verdict).toBe('inadequate');
    const rise = assessResponse(panel(0, 60, 1), panel(100, 60, 1), profile);
    expect(rise.changes[0]).toMatchObject({
      changePercent: Infinity,
      trend: 'worsening',
    });
  });

  it('an invalid baseline panel is an error under baseline', () => {
    const error = clinicalErrorOf(() =>
      assessResponse(
        { ...panel(1, 1, 1), platelets: quantity(-1, '10*9/L') },
        panel(1, 1, 1),
        profile,
      ),
    );
    expect(error.field).toBe('baseline.platelets.value');
    expect(error.rule).toBe('must not be negative (got -1)');
  });

  it('a parameter in one panel only is not compared (no change recorded for it)', () => {
    const neutrophils = { neutrophils: quantity(1.0, '10*9/L') };
    const inBaselineOnly = assessResponse(
      { ...panel(10000, 60, 1), ...neutrophils },
      panel(5000, 60, 1),
      profile,
    );
    const inCurrentOnly = assessResponse(
      panel(10000, 60, 1),
      { ...panel(5000, 60, 1), ...neutrophils },
      profile,
    );
    for (const result of [inBaselineOnly, inCurrentOnly]) {
      expect(result.changes.map((c) => c.analyte)).toEqual([
        'ferritin',
        'platelets',
        'fibrinogen',
      ]);
      expect(result.verdict).toBe('responding');
    }
  });

  it('on tocilizumab (baseline or current panel): the masking reason comes last; otherwise it is absent', () => {
    const onBaseline = assessResponse(
      { ...panel(10000, 60, 1), onTocilizumab: true },
      panel(5000, 60, 1),
      profile,
    );
    expect(onBaseline.reasons.at(-1)).toBe(masking);
    const onCurrent = assessResponse(
      panel(10000, 60, 1),
      { ...panel(9000, 60, 1), onTocilizumab: true },
      profile,
    );
    expect(onCurrent.reasons.at(-1)).toBe(masking);
    expect(onCurrent.verdict).toBe('inadequate');
    expect(
      assessResponse(panel(10000, 60, 1), panel(5000, 60, 1), profile).reasons,
    ).not.toContain(masking);
  });
});

describe('a required group missing (mutation survivors)', () => {
  it('blood counts in neither panel: refused naming the first of them and every one that would do', () => {
    const error = clinicalErrorOf(() =>
      assessResponse(
        { ferritin: quantity(10000, 'ng/mL'), fibrinogen: quantity(1, 'g/L') },
        { ferritin: quantity(5000, 'ng/mL'), fibrinogen: quantity(1.5, 'g/L') },
        profile,
      ),
    );
    expect(error.field).toBe('platelets');
    expect(error.rule).toBe(
      'the response rule needs blood counts in both panels (platelets or neutrophils or hemoglobin)',
    );
  });
});
