import { describe, expect, it } from '@jest/globals';

import {
  mas2016Panel,
  mas2016WorkedExamples,
  quantity,
} from '../../testing.js';
import { scoreMas2016 } from './mas2016.calculator.js';

const base = mas2016Panel(true, 5000, 250, 20, 100, 400); // ferritin only

describe('2016 EULAR/ACR/PRINTO classification: worked examples (clinical-facts 9)', () => {
  it.each(mas2016WorkedExamples)('example $name', (example) => {
    const result = scoreMas2016(example.panel);
    expect(result.applicable).toBe(example.applicable);
    expect(result.additionalCriteriaMet).toBe(example.additional);
    expect(result.classified).toBe(example.classified);
  });

  it('example 3: platelets and fibrinogen count at the edge (inclusive), AST and TG do not (strict)', () => {
    const result = scoreMas2016(mas2016WorkedExamples[2].panel);
    const met = Object.fromEntries(result.criteria.map((c) => [c.id, c.met]));
    expect(met).toEqual({
      ferritin: true,
      platelets: true,
      ast: false,
      triglycerides: false,
      fibrinogen: true,
    });
  });

  it('example 6: afebrile, so not applicable, with the reason', () => {
    const result = scoreMas2016(mas2016WorkedExamples[5].panel);
    expect(result.notApplicableReasons[0]).toMatch(/not febrile/);
    expect(result.laboratoryCriteriaMet).toBe(true);
  });
});

describe('2016 criteria: both sides of every cut-off, in every accepted unit', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['ferritin 684 ng/mL', { ferritin: quantity(684, 'ng/mL') }, false],
    ['ferritin 684.01 ng/mL', { ferritin: quantity(684.01, 'ng/mL') }, true],
    ['ferritin 684 ug/L', { ferritin: quantity(684, 'ug/L') }, false],
    ['ferritin 685 ug/L', { ferritin: quantity(685, 'ug/L') }, true],
  ];
  it.each(cases)('%s -> ferritin met: %p', (_name, change, met) => {
    const result = scoreMas2016({ ...base, ...change });
    expect(result.criteria[0]?.met).toBe(met);
  });

  const additional: [string, string, Record<string, unknown>, boolean][] = [
    ['platelets', '181 x10^9/L', { platelets: quantity(181, '10*9/L') }, true],
    [
      'platelets',
      '181.01 x10^9/L',
      { platelets: quantity(181.01, '10*9/L') },
      false,
    ],
    [
      'platelets',
      '181 x10^3/uL',
      { platelets: quantity(181, '10*3/uL') },
      true,
    ],
    [
      'platelets',
      '182 x10^3/uL',
      { platelets: quantity(182, '10*3/uL') },
      false,
    ],
    ['platelets', '181000 /uL', { platelets: quantity(181_000, '/uL') }, true],
    ['platelets', '181001 /uL', { platelets: quantity(181_001, '/uL') }, false],
    ['ast', '48 U/L', { ast: quantity(48, 'U/L') }, false],
    ['ast', '48.1 U/L', { ast: quantity(48.1, 'U/L') }, true],
    [
      'triglycerides',
      '156 mg/dL',
      { triglycerides: quantity(156, 'mg/dL') },
      false,
    ],
    [
      'triglycerides',
      '156.1 mg/dL',
      { triglycerides: quantity(156.1, 'mg/dL') },
      true,
    ],
    [
      'triglycerides',
      '1.76 mmol/L (155.88 mg/dL)',
      { triglycerides: quantity(1.76, 'mmol/L') },
      false,
    ],
    [
      'triglycerides',
      '1.77 mmol/L (156.77 mg/dL)',
      { triglycerides: quantity(1.77, 'mmol/L') },
      true,
    ],
    [
      'triglycerides',
      '2.0 mmol/L (177 mg/dL)',
      { triglycerides: quantity(2.0, 'mmol/L') },
      true,
    ],
    ['fibrinogen', '360 mg/dL', { fibrinogen: quantity(360, 'mg/dL') }, true],
    [
      'fibrinogen',
      '360.1 mg/dL',
      { fibrinogen: quantity(360.1, 'mg/dL') },
      false,
    ],
    ['fibrinogen', '3.6 g/L', { fibrinogen: quantity(3.6, 'g/L') }, true],
    ['fibrinogen', '3.61 g/L', { fibrinogen: quantity(3.61, 'g/L') }, false],
  ];
  it.each(additional)('%s %s -> met: %p', (id, _name, change, met) => {
    const result = scoreMas2016({ ...base, ...change });
    expect(result.criteria.find((c) => c.id === id)?.met).toBe(met);
  });

  it('reports each value in the unit of the rule', () => {
    const result = scoreMas2016({
      ...base,
      platelets: quantity(150_000, '/uL'),
      fibrinogen: quantity(3.0, 'g/L'),
      triglycerides: quantity(2.0, 'mmol/L'),
    });
    const byId = Object.fromEntries(result.criteria.map((c) => [c.id, c]));
    expect(byId['platelets']).toMatchObject({
      value: 150,
      unit: '10*9/L',
      rule: '<= 181 10*9/L',
    });
    expect(byId['fibrinogen']).toMatchObject({ value: 300, unit: 'mg/dL' });
    expect(byId['triglycerides']).toMatchObject({
      value: 177.14,
      unit: 'mg/dL',
      met: true,
    });
  });
});

describe('2016 criteria: applicability and clinician judgement', () => {
  const classifiable = mas2016WorkedExamples[0].panel;

  it('a criterion marked "explained otherwise" does not count', () => {
    const result = scoreMas2016({
      ...mas2016WorkedExamples[2].panel,
      explainedOtherwise: ['platelets'],
    });
    const platelets = result.criteria.find((c) => c.id === 'platelets');
    expect(platelets?.status).toBe('explained-otherwise');
    expect(platelets?.met).toBe(false);
    expect(result.additionalCriteriaMet).toBe(1);
    expect(result.classified).toBe(false);
  });

  it('ferritin explained otherwise means not classified', () => {
    const result = scoreMas2016({
      ...classifiable,
      explainedOtherwise: ['ferritin'],
    });
    expect(result.classified).toBe(false);
  });

  it('is flagged not valid under tocilizumab', () => {
    const result = scoreMas2016({ ...classifiable, onTocilizumab: true });
    expect(result.applicable).toBe(false);
    expect(result.classified).toBe(false);
    expect(result.laboratoryCriteriaMet).toBe(true);
    expect(result.notApplicableReasons.join(' ')).toMatch(/tocilizumab/);
    expect(result.evidence).toContain('lit.shimizu-2020');
  });

  it('needs known or suspected sJIA', () => {
    const result = scoreMas2016({
      ...classifiable,
      sjiaKnownOrSuspected: false,
    });
    expect(result.applicable).toBe(false);
    expect(result.notApplicableReasons.join(' ')).toMatch(/sJIA/);
  });

  it('is flagged not valid under tocilizumab, with the warning and both evidence entries', () => {
    const result = scoreMas2016({ ...classifiable, onTocilizumab: true });
    expect(result.warnings).toEqual([
      'On tocilizumab only 25% of MAS cases met the 2016 criteria (Shimizu 2020): a negative result does not exclude MAS.',
    ]);
    expect(result.notApplicableReasons).toEqual([
      'the patient is on tocilizumab, which masks MAS features: the criteria are not valid',
    ]);
    expect(result.evidence).toEqual([
      'lit.ravelli-2016',
      'lit.shimizu-2020',
      'review.section-10',
    ]);
    expect(result.applicability).toBe('not-applicable');
    expect(result.outcome).toBe('not-met');
  });

  it('tocilizumab recorded absent, or not recorded, leaves the criteria applicable (it is not an entry condition of the published criteria)', () => {
    for (const panel of [
      classifiable,
      { ...classifiable, onTocilizumab: false },
    ]) {
      const result = scoreMas2016(panel);
      expect(result.applicability).toBe('applicable');
      expect(result.warnings).toEqual([]);
      expect(result.evidence).toEqual(['lit.ravelli-2016']);
    }
  });
});

describe('2016 criteria: the whole explanation a clinician reads', () => {
  it('worked example 3, with platelets explained otherwise: every criterion, its value, rule and status', () => {
    const result = scoreMas2016({
      ...mas2016WorkedExamples[2].panel,
      explainedOtherwise: ['platelets'],
    });
    const evidence = ['lit.ravelli-2016'];
    expect(result.calculator).toBe('mas2016');
    expect(result.warnings).toEqual([]);
    expect(result.criteria).toEqual([
      {
        id: 'ferritin',
        label: 'Ferritin > 684 ng/mL',
        status: 'met',
        met: true,
        value: 685,
        unit: 'ng/mL',
        rule: '> 684 ng/mL',
        evidence,
      },
      {
        id: 'platelets',
        label: 'Platelets <= 181 x10^9/L',
        status: 'explained-otherwise',
        met: false,
        value: 181,
        unit: '10*9/L',
        rule: '<= 181 10*9/L',
        note: 'marked by the clinician as better explained by another condition: does not count',
        evidence,
      },
      {
        id: 'ast',
        label: 'AST > 48 U/L',
        status: 'not-met',
        met: false,
        value: 48,
        unit: 'U/L',
        rule: '> 48 U/L',
        evidence,
      },
      {
        id: 'triglycerides',
        label: 'Triglycerides > 156 mg/dL',
        status: 'not-met',
        met: false,
        value: 156,
        unit: 'mg/dL',
        rule: '> 156 mg/dL',
        evidence,
      },
      {
        id: 'fibrinogen',
        label: 'Fibrinogen <= 360 mg/dL',
        status: 'met',
        met: true,
        value: 360,
        unit: 'mg/dL',
        rule: '<= 360 mg/dL',
        evidence,
      },
    ]);
    expect(result).toMatchObject({
      applicable: true,
      applicability: 'applicable',
      notApplicableReasons: [],
      classified: false,
      outcome: 'not-met',
      laboratoryCriteriaMet: false,
      laboratoryOutcome: 'not-met',
      additionalCriteriaMet: 1,
      additionalCriteriaOpen: 0,
      missing: [],
    });
  });

  it('a value not measured reads "not assessed", names what is missing, and is never "not met"', () => {
    const { triglycerides: _t, ...noTriglycerides } = mas2016WorkedExamples[3]
      .panel as Record<string, unknown>;
    const result = scoreMas2016(noTriglycerides);
    expect(result.criteria.find((c) => c.id === 'triglycerides')).toEqual({
      id: 'triglycerides',
      label: 'Triglycerides > 156 mg/dL',
      status: 'not-assessed',
      met: false,
      unit: 'mg/dL',
      rule: '> 156 mg/dL',
      missing: ['Triglycerides'],
      note: 'not measured: cannot be decided yet',
      evidence: ['lit.ravelli-2016'],
    });
  });

  it('a value not measured but marked explained otherwise does not count, and is not missing', () => {
    const { platelets: _p, ...noPlatelets } = mas2016WorkedExamples[0]
      .panel as Record<string, unknown>;
    const result = scoreMas2016({
      ...noPlatelets,
      explainedOtherwise: ['platelets'],
    });
    expect(result.criteria.find((c) => c.id === 'platelets')).toMatchObject({
      status: 'explained-otherwise',
      met: false,
    });
    expect(result.missing).toEqual([]);
    expect(result.additionalCriteriaOpen).toBe(0);
    expect(result.outcome).toBe('met');
  });
});

describe('2016 criteria: three-valued findings and values not measured ("cannot be decided yet")', () => {
  const full = mas2016WorkedExamples[0].panel as Record<string, unknown>;
  const without = (...keys: string[]) =>
    Object.fromEntries(Object.entries(full).filter(([k]) => !keys.includes(k)));

  it.each([
    ['febrile', ['Fever']],
    ['sjiaKnownOrSuspected', ['Known or suspected sJIA']],
  ])(
    'laboratory criteria met, %s not recorded: cannot be decided yet (not "not met"), missing %p',
    (key, missing) => {
      const result = scoreMas2016(without(key));
      expect(result).toMatchObject({
        outcome: 'undecided',
        classified: false,
        applicable: false,
        applicability: 'undecided',
        notApplicableReasons: [],
        laboratoryCriteriaMet: true,
        laboratoryOutcome: 'met',
        missing,
      });
    },
  );

  it('neither entry condition recorded: both are missing, in order', () => {
    expect(
      scoreMas2016(without('febrile', 'sjiaKnownOrSuspected')).missing,
    ).toEqual(['Fever', 'Known or suspected sJIA']);
  });

  it('recorded afebrile (false) is decided: not applicable, not met', () => {
    const result = scoreMas2016({ ...full, febrile: false });
    expect(result).toMatchObject({
      applicability: 'not-applicable',
      outcome: 'not-met',
      missing: [],
    });
  });

  it('laboratory criteria decided not met: not met whatever the entry conditions, nothing missing', () => {
    const notMet = without('febrile');
    const result = scoreMas2016({
      ...notMet,
      ferritin: quantity(684, 'ng/mL'),
    });
    expect(result).toMatchObject({
      outcome: 'not-met',
      laboratoryOutcome: 'not-met',
      applicability: 'undecided',
      missing: [],
    });
  });

  it('ferritin not measured: cannot be decided while 2 other criteria can still be met', () => {
    const result = scoreMas2016(without('ferritin'));
    expect(result).toMatchObject({
      laboratoryOutcome: 'undecided',
      outcome: 'undecided',
      missing: ['Ferritin'],
    });
  });

  it('ferritin not measured and fewer than 2 other criteria reachable: decided not met', () => {
    const result = scoreMas2016({
      ...without('ferritin', 'triglycerides'),
      platelets: quantity(250, '10*9/L'),
      ast: quantity(20, 'U/L'),
      fibrinogen: quantity(400, 'mg/dL'),
    });
    // 0 met + 1 open < 2: not met whatever the missing values show.
    expect(result.additionalCriteriaMet).toBe(0);
    expect(result.additionalCriteriaOpen).toBe(1);
    expect(result.laboratoryOutcome).toBe('not-met');
    expect(result.outcome).toBe('not-met');
  });

  it.each([
    // met, open -> laboratory outcome (2 needed)
    [
      '2 met, 2 open: met already',
      ['platelets', 'ast'],
      ['triglycerides', 'fibrinogen'],
      'met',
    ],
    ['1 met, 1 open: undecided', ['platelets'], ['fibrinogen'], 'undecided'],
    [
      '0 met, 2 open: undecided',
      [],
      ['triglycerides', 'fibrinogen'],
      'undecided',
    ],
    ['0 met, 1 open: not met', [], ['fibrinogen'], 'not-met'],
    ['1 met, 0 open: not met', ['platelets'], [], 'not-met'],
  ] as const)('other criteria %s', (_name, metIds, openIds, expected) => {
    const values: Record<string, Record<string, unknown>> = {
      platelets: { met: quantity(100, '10*9/L'), not: quantity(250, '10*9/L') },
      ast: { met: quantity(100, 'U/L'), not: quantity(20, 'U/L') },
      triglycerides: {
        met: quantity(200, 'mg/dL'),
        not: quantity(100, 'mg/dL'),
      },
      fibrinogen: { met: quantity(300, 'mg/dL'), not: quantity(400, 'mg/dL') },
    };
    const panel: Record<string, unknown> = {
      febrile: true,
      sjiaKnownOrSuspected: true,
      ferritin: quantity(5000, 'ng/mL'),
    };
    for (const [id, forms] of Object.entries(values)) {
      if ((openIds as readonly string[]).includes(id)) continue;
      panel[id] = (metIds as readonly string[]).includes(id)
        ? forms['met']
        : forms['not'];
    }
    const result = scoreMas2016(panel);
    expect(result.laboratoryOutcome).toBe(expected);
    expect(result.outcome).toBe(expected);
    expect(result.additionalCriteriaOpen).toBe(openIds.length);
    expect(result.missing).toEqual(
      expected === 'undecided'
        ? openIds.map((id) => `${id.charAt(0).toUpperCase()}${id.slice(1)}`)
        : [],
    );
  });
});
