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

  it('a missing quantity is an error naming it', () => {
    const { fibrinogen: _omit, ...rest } = classifiable;
    expect(() => scoreMas2016(rest)).toThrow(
      /^fibrinogen: is required by 2016/,
    );
  });
});
