import { describe, expect, it } from '@jest/globals';

import { quantity } from '../../testing.js';
import { scoreHlh2004 } from './hlh2004.calculator.js';

/** Meets none of the eight criteria. */
const none = {
  temperatureC: 37,
  hemoglobin: quantity(120, 'g/L'),
  platelets: quantity(250, '10*9/L'),
  neutrophils: quantity(4, '10*9/L'),
  triglycerides: quantity(1.0, 'mmol/L'),
  fibrinogen: quantity(3.0, 'g/L'),
  ferritin: quantity(100, 'ug/L'),
  sCD25: quantity(500, 'U/mL'),
};

const met = (panel: Record<string, unknown>, id: string) =>
  scoreHlh2004(panel).criteria.find((c) => c.id === id)?.met;

describe('HLH-2004: each criterion on both sides of its cut-off', () => {
  it('meets nothing at baseline', () => {
    expect(scoreHlh2004(none).criteriaMet).toBe(0);
  });

  it.each([
    [{ temperatureC: 38.4 }, false],
    [{ temperatureC: 38.5 }, true],
    [{ febrile: true }, true],
  ])('fever %p -> %p (38.5 C is a labelled convention)', (change, expected) => {
    expect(met({ ...none, ...change }, 'fever')).toBe(expected);
    const fever = scoreHlh2004({ ...none, ...change }).criteria[0];
    expect(fever?.evidence).toContain('lit.jordan-2011');
  });

  it.each([
    [
      { hemoglobin: quantity(89.9, 'g/L'), platelets: quantity(99, '10*9/L') },
      true,
    ],
    [
      { hemoglobin: quantity(90, 'g/L'), platelets: quantity(99, '10*9/L') },
      false,
    ],
    [
      { hemoglobin: quantity(8.9, 'g/dL'), platelets: quantity(99, '10*3/uL') },
      true,
    ],
    [
      { platelets: quantity(99_999, '/uL'), neutrophils: quantity(999, '/uL') },
      true,
    ],
    [
      {
        platelets: quantity(100_000, '/uL'),
        neutrophils: quantity(999, '/uL'),
      },
      false,
    ],
    [
      {
        platelets: quantity(99, '10*9/L'),
        neutrophils: quantity(1.0, '10*9/L'),
      },
      false,
    ],
    [
      {
        platelets: quantity(99, '10*9/L'),
        neutrophils: quantity(0.99, '10*3/uL'),
      },
      true,
    ],
  ])('cytopenias %p -> %p', (change, expected) => {
    expect(met({ ...none, ...change }, 'cytopenias')).toBe(expected);
  });

  it('the neonatal haemoglobin limit (< 100 g/L) applies only when an age under 4 weeks is given', () => {
    const panel = {
      ...none,
      hemoglobin: quantity(95, 'g/L'),
      platelets: quantity(50, '10*9/L'),
    };
    expect(met(panel, 'cytopenias')).toBe(false);
    expect(met({ ...panel, ageDays: 27 }, 'cytopenias')).toBe(true);
    expect(met({ ...panel, ageDays: 28 }, 'cytopenias')).toBe(false);
  });

  it.each([
    [{ triglycerides: quantity(2.99, 'mmol/L') }, false],
    [{ triglycerides: quantity(3.0, 'mmol/L') }, true],
    [{ triglycerides: quantity(264.9, 'mg/dL') }, false],
    // 265 mg/dL is 2.99 mmol/L: it meets the mg/dL form, so the criterion is met
    [{ triglycerides: quantity(265, 'mg/dL') }, true],
    [{ fibrinogen: quantity(1.5, 'g/L') }, true],
    [{ fibrinogen: quantity(1.51, 'g/L') }, false],
    [{ fibrinogen: quantity(150, 'mg/dL') }, true],
    [{ fibrinogen: quantity(151, 'mg/dL') }, false],
  ])('triglycerides/fibrinogen %p -> %p', (change, expected) => {
    expect(
      met({ ...none, ...change }, 'hypertriglyceridemia-hypofibrinogenemia'),
    ).toBe(expected);
  });

  it('triglycerides alone or fibrinogen alone is enough to assess criterion 4; neither is an error', () => {
    const { fibrinogen: _f, ...onlyTg } = none;
    expect(
      met(
        { ...onlyTg, triglycerides: quantity(3, 'mmol/L') },
        'hypertriglyceridemia-hypofibrinogenemia',
      ),
    ).toBe(true);
    const { triglycerides: _t, ...neither } = onlyTg;
    expect(() => scoreHlh2004(neither)).toThrow(
      /^triglycerides: triglycerides or fibrinogen is required by HLH-2004/,
    );
  });

  it.each([
    [quantity(499, 'ug/L'), false],
    [quantity(500, 'ug/L'), true],
    [quantity(500, 'ng/mL'), true],
  ])('ferritin %p -> %p', (ferritin, expected) => {
    expect(met({ ...none, ferritin }, 'ferritin')).toBe(expected);
  });

  it.each([
    [2399, false],
    [2400, true],
  ])('sCD25 %p U/mL -> %p', (value, expected) => {
    expect(met({ ...none, sCD25: quantity(value, 'U/mL') }, 'sCD25')).toBe(
      expected,
    );
  });

  it('sCD25 not yet measured is "not assessed" and counts as not met', () => {
    const { sCD25: _s, ...pending } = none;
    const criterion = scoreHlh2004(pending).criteria.find(
      (c) => c.id === 'sCD25',
    );
    expect(criterion?.status).toBe('not-assessed');
    expect(criterion?.met).toBe(false);
  });

  it.each([
    ['splenomegaly', 'splenomegaly'],
    ['hemophagocytosis', 'hemophagocytosis'],
    ['nkActivityLowOrAbsent', 'nk-activity'],
  ])('finding %s meets %s', (finding, id) => {
    expect(met({ ...none, [finding]: true }, id)).toBe(true);
    expect(met(none, id)).toBe(false);
  });

  it('ferritin missing is an error naming it', () => {
    const { ferritin: _f, ...rest } = none;
    expect(() => scoreHlh2004(rest)).toThrow(
      /^ferritin: is required by HLH-2004/,
    );
  });
});

describe('HLH-2004: diagnosis at >= 5 of 8, or a molecular diagnosis', () => {
  const four = {
    ...none,
    febrile: true,
    splenomegaly: true,
    ferritin: quantity(600, 'ug/L'),
    sCD25: quantity(3000, 'U/mL'),
  };

  it('4 criteria: no diagnosis', () => {
    const result = scoreHlh2004(four);
    expect(result.criteriaMet).toBe(4);
    expect(result.diagnosis).toBe(false);
  });

  it('5 criteria: diagnosis', () => {
    const result = scoreHlh2004({ ...four, hemophagocytosis: true });
    expect(result.criteriaMet).toBe(5);
    expect(result.diagnosis).toBe(true);
  });

  it('a molecular diagnosis alone: diagnosis', () => {
    const result = scoreHlh2004({ ...none, molecularHlhDiagnosis: true });
    expect(result.criteriaMet).toBe(0);
    expect(result.diagnosis).toBe(true);
  });
});
