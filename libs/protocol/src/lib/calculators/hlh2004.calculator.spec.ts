import { describe, expect, it } from '@jest/globals';

import { quantity } from '../../testing.js';
import { scoreHlh2004 } from './hlh2004.calculator.js';

/** The panel without some of its items (they become "not assessed"). */
const omit = (panel: object, ...keys: readonly string[]) =>
  Object.fromEntries(
    Object.entries(panel).filter(([key]) => !keys.includes(key)),
  );

/** Meets none of the eight criteria, every one assessed. */
const none = {
  febrile: false,
  splenomegaly: false,
  hemophagocytosis: false,
  nkActivityLowOrAbsent: false,
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

  it('triglycerides alone or fibrinogen alone is enough to assess criterion 4; neither leaves it open', () => {
    const { fibrinogen: _f, ...onlyTg } = none;
    expect(
      met(
        { ...onlyTg, triglycerides: quantity(3, 'mmol/L') },
        'hypertriglyceridemia-hypofibrinogenemia',
      ),
    ).toBe(true);
    const { triglycerides: _t, ...neither } = onlyTg;
    const criterion = scoreHlh2004(neither).criteria.find(
      (c) => c.id === 'hypertriglyceridemia-hypofibrinogenemia',
    );
    expect(criterion?.status).toBe('not-assessed');
    expect(criterion?.missing).toEqual(['Triglycerides', 'Fibrinogen']);
  });

  it('fibrinogen alone (no triglycerides) is scored: met from fibrinogen, the note says triglycerides were not measured', () => {
    const { triglycerides: _t, ...onlyFibrinogen } = none;
    const criterion = (fibrinogen: number) =>
      scoreHlh2004({
        ...onlyFibrinogen,
        fibrinogen: quantity(fibrinogen, 'g/L'),
      }).criteria.find(
        (c) => c.id === 'hypertriglyceridemia-hypofibrinogenemia',
      );
    expect(criterion(1.2)).toMatchObject({
      status: 'met',
      met: true,
      note: 'triglycerides not measured; fibrinogen 1.2 g/L: yes',
    });
    // Fibrinogen normal and triglycerides unknown: still open, not "not met".
    expect(criterion(3)).toMatchObject({
      status: 'not-assessed',
      met: false,
      missing: ['Triglycerides'],
      note: 'triglycerides not measured; fibrinogen 3 g/L: no',
    });
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

  it('sCD25 not yet measured is "not assessed": open, neither met nor not met', () => {
    const { sCD25: _s, ...pending } = none;
    const result = scoreHlh2004(pending);
    const criterion = result.criteria.find((c) => c.id === 'sCD25');
    expect(criterion?.status).toBe('not-assessed');
    expect(criterion?.met).toBe(false);
    expect(result.criteriaOpen).toBe(1);
    expect(result.missing).toEqual(['Soluble CD25 (sIL-2R)']);
  });

  it.each([
    ['splenomegaly', 'splenomegaly'],
    ['hemophagocytosis', 'hemophagocytosis'],
    ['nkActivityLowOrAbsent', 'nk-activity'],
  ])('finding %s meets %s', (finding, id) => {
    expect(met({ ...none, [finding]: true }, id)).toBe(true);
    expect(met(none, id)).toBe(false);
  });

  it('ferritin not measured is open, never an error', () => {
    const { ferritin: _f, ...rest } = none;
    const criterion = scoreHlh2004(rest).criteria.find(
      (c) => c.id === 'ferritin',
    );
    expect(criterion).toMatchObject({
      status: 'not-assessed',
      met: false,
      missing: ['Ferritin'],
      note: 'not measured: open until a result arrives',
    });
  });
});

describe('HLH-2004: findings and values not assessed are open criteria', () => {
  const statusOf = (panel: Record<string, unknown>, id: string) =>
    scoreHlh2004(panel).criteria.find((c) => c.id === id)?.status;

  it.each([
    ['splenomegaly', 'splenomegaly', 'Splenomegaly'],
    ['hemophagocytosis', 'hemophagocytosis', 'Haemophagocytosis'],
    ['nkActivityLowOrAbsent', 'nk-activity', 'Low or absent NK-cell activity'],
  ])('%s not recorded: %s is open, missing %s', (finding, id, label) => {
    const result = scoreHlh2004(omit(none, finding));
    expect(result.criteria.find((c) => c.id === id)).toMatchObject({
      status: 'not-assessed',
      met: false,
      missing: [label],
      note: 'not assessed',
    });
    expect(result.criteriaOpen).toBe(1);
  });

  it.each([
    // febrile recorded, temperature -> fever status
    [undefined, 37, 'not-assessed'],
    [undefined, undefined, 'not-assessed'],
    [undefined, 38.5, 'met'],
    [false, 37, 'not-met'],
    [false, undefined, 'not-met'],
    [false, 38.5, 'met'],
    [true, undefined, 'met'],
  ])(
    'fever: febrile %p, temperature %p -> %s (a normal reading does not exclude fever)',
    (febrile, temperatureC, status) => {
      const { febrile: _f, temperatureC: _t, ...rest } = none;
      const panel = {
        ...rest,
        ...(febrile === undefined ? {} : { febrile }),
        ...(temperatureC === undefined ? {} : { temperatureC }),
      };
      expect(statusOf(panel, 'fever')).toBe(status);
    },
  );

  it.each([
    // met lineages, not measured -> status
    [['platelets', 'neutrophils'], [], 'met'],
    [['platelets'], ['neutrophils'], 'not-assessed'],
    [[], ['platelets', 'neutrophils'], 'not-assessed'],
    [[], ['neutrophils'], 'not-met'],
    [['platelets', 'neutrophils'], ['hemoglobin'], 'met'],
  ])(
    'cytopenias: lineages met %p, not measured %p -> %s',
    (metIds, open, status) => {
      const low: Record<string, unknown> = {
        platelets: quantity(50, '10*9/L'),
        neutrophils: quantity(0.5, '10*9/L'),
      };
      const panel: Record<string, unknown> = { ...none };
      for (const id of metIds) panel[id] = low[id];
      expect(statusOf(omit(panel, ...open), 'cytopenias')).toBe(status);
    },
  );

  const withOpen = (count: number, met: number) => {
    // Open criteria: splenomegaly, haemophagocytosis, NK activity, sCD25, ferritin (in that order).
    const openKeys = [
      'splenomegaly',
      'hemophagocytosis',
      'nkActivityLowOrAbsent',
      'sCD25',
      'ferritin',
    ].slice(0, count);
    const panel: Record<string, unknown> = {
      ...none,
      febrile: met >= 1,
      ...(met >= 2
        ? {
            platelets: quantity(50, '10*9/L'),
            neutrophils: quantity(0.5, '10*9/L'),
          }
        : {}),
      ...(met >= 3 ? { fibrinogen: quantity(1, 'g/L') } : {}),
    };
    return scoreHlh2004(omit(panel, ...openKeys));
  };

  it.each([
    // met, open -> outcome (5 needed)
    [3, 1, 'not-met'],
    [3, 2, 'undecided'],
    [2, 2, 'not-met'],
    [0, 5, 'undecided'],
    [0, 4, 'not-met'],
  ])('%p met and %p open -> %s', (met, open, outcome) => {
    const result = withOpen(open, met);
    expect(result.criteriaMet).toBe(met);
    expect(result.criteriaOpen).toBe(open);
    expect(result.outcome).toBe(outcome);
    expect(result.diagnosis).toBe(false);
  });

  it('5 met with 3 open: met (diagnosis), whatever the open ones show', () => {
    const result = scoreHlh2004({
      febrile: true,
      temperatureC: 39,
      platelets: quantity(50, '10*9/L'),
      neutrophils: quantity(0.5, '10*9/L'),
      hemoglobin: quantity(120, 'g/L'),
      fibrinogen: quantity(1, 'g/L'),
      ferritin: quantity(5000, 'ng/mL'),
      sCD25: quantity(5000, 'U/mL'),
    });
    expect(result).toMatchObject({
      criteriaMet: 5,
      criteriaOpen: 3,
      diagnosis: true,
      outcome: 'met',
      missing: [
        'Splenomegaly',
        'Haemophagocytosis',
        'Low or absent NK-cell activity',
      ],
    });
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

describe('HLH-2004: the whole explanation a clinician reads', () => {
  const evidence = ['lit.henter-2007'];

  it('a neonate with fever, splenomegaly and one cytopenia: every criterion, value, rule and note', () => {
    const result = scoreHlh2004({
      febrile: true,
      splenomegaly: true,
      hemophagocytosis: false,
      ageDays: 20,
      temperatureC: 39,
      hemoglobin: quantity(95, 'g/L'),
      platelets: quantity(150, '10*9/L'),
      triglycerides: quantity(2, 'mmol/L'),
      ferritin: quantity(600, 'ug/L'),
    });
    expect(result.calculator).toBe('hlh2004');
    expect(result.criteria).toEqual([
      {
        id: 'fever',
        label: 'Fever',
        status: 'met',
        met: true,
        value: 39,
        unit: 'Cel',
        rule: 'febrile, or temperature >= 38.5 Cel (a later convention; the original table says only "fever")',
        evidence: ['lit.henter-2007', 'lit.jordan-2011'],
      },
      {
        id: 'splenomegaly',
        label: 'Splenomegaly',
        status: 'met',
        met: true,
        value: true,
        rule: 'present',
        evidence,
      },
      {
        id: 'cytopenias',
        label: 'Cytopenias in >= 2 of 3 lineages',
        status: 'not-assessed',
        met: false,
        value: 1,
        rule: '>= 2 lineages',
        missing: ['Neutrophils (ANC)'],
        note: 'hemoglobin 95 g/L < 100 g/L (under 4 weeks of age): yes; platelets 150 10*9/L < 100 10*9/L: no; neutrophils not measured',
        evidence,
      },
      {
        id: 'hypertriglyceridemia-hypofibrinogenemia',
        label: 'Hypertriglyceridaemia and/or hypofibrinogenaemia',
        status: 'not-assessed',
        met: false,
        rule: '>= 3 mmol/L or >= 265 mg/dL and/or fibrinogen <= 1.5 g/L',
        missing: ['Fibrinogen'],
        note: 'triglycerides 2 mmol/L: no; fibrinogen not measured',
        evidence,
      },
      {
        id: 'hemophagocytosis',
        label: 'Haemophagocytosis in bone marrow, spleen or lymph nodes',
        status: 'not-met',
        met: false,
        value: false,
        rule: 'present',
        evidence,
      },
      {
        id: 'nk-activity',
        label: 'Low or absent NK-cell activity',
        status: 'not-assessed',
        met: false,
        rule: 'present',
        missing: ['Low or absent NK-cell activity'],
        note: 'not assessed',
        evidence,
      },
      {
        id: 'ferritin',
        label: 'Ferritin >= 500 ug/L',
        status: 'met',
        met: true,
        value: 600,
        unit: 'ug/L',
        rule: '>= 500 ug/L',
        evidence,
      },
      {
        id: 'sCD25',
        label: 'Soluble CD25 >= 2400 U/mL',
        status: 'not-assessed',
        met: false,
        rule: '>= 2400 U/mL',
        missing: ['Soluble CD25 (sIL-2R)'],
        note: 'not measured: open until a result arrives',
        evidence,
      },
    ]);
    expect(result).toMatchObject({
      criteriaMet: 3,
      criteriaOpen: 4,
      criteriaTotal: 8,
      criteriaForDiagnosis: 5,
      molecularDiagnosis: false,
      diagnosis: false,
      outcome: 'undecided',
      missing: [
        'Neutrophils (ANC)',
        'Fibrinogen',
        'Low or absent NK-cell activity',
        'Soluble CD25 (sIL-2R)',
      ],
      evidence,
    });
  });

  it('fever not recorded and no temperature: no value, open, missing Fever', () => {
    const { febrile: _f, temperatureC: _t, ...rest } = none;
    expect(scoreHlh2004(rest).criteria[0]).toEqual({
      id: 'fever',
      label: 'Fever',
      status: 'not-assessed',
      met: false,
      rule: 'febrile, or temperature >= 38.5 Cel (a later convention; the original table says only "fever")',
      missing: ['Fever'],
      note: 'fever not recorded (present or absent)',
      evidence: ['lit.henter-2007', 'lit.jordan-2011'],
    });
  });

  it('recorded afebrile without a temperature: the value is the recorded finding', () => {
    const { temperatureC: _t, ...rest } = none;
    expect(scoreHlh2004(rest).criteria[0]).toMatchObject({
      status: 'not-met',
      value: false,
    });
    expect(scoreHlh2004(rest).criteria[0]).not.toHaveProperty('unit');
  });
});
