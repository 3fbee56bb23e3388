import { describe, expect, it } from '@jest/globals';

import { clinicalErrorOf } from '../../spec-support/spec-support.js';
import { findingIds } from '../protocol/protocol.types.js';
import { labPanelSchema } from './lab-panel.schema.js';
import {
  asLabPanel,
  checkPlausible,
  findingStatusOf,
  labPanelData,
  panelItemLabel,
  parseLabPanel,
  requireQuantity,
} from './lab-panel.util.js';

const errorOf = (input: unknown) => clinicalErrorOf(() => parseLabPanel(input));

describe('parseLabPanel: one parse per panel object', () => {
  it('the same panel object gives the same parsed panel; a changed copy is parsed anew, and a refused panel stays refused', () => {
    const panel = { ferritin: { value: 12_000, unit: 'ng/mL' } };
    const first = parseLabPanel(panel);
    expect(parseLabPanel(panel)).toBe(first);
    const copy = { ...panel, ferritin: { value: 800, unit: 'ng/mL' } };
    expect(parseLabPanel(copy).quantities.ferritin?.value).toBe(800);
    expect(first.quantities.ferritin?.value).toBe(12_000);
    const bad = { ferritin: { value: -1, unit: 'ng/mL' } };
    expect(() => parseLabPanel(bad)).toThrow(/ferritin/);
    expect(() => parseLabPanel(bad)).toThrow(/ferritin/);
  });
});

describe('labPanelData: the schema output, once per panel object', () => {
  it('gives what labPanelSchema.parse gives, before and after the panel was parsed, and the same object again', () => {
    const panel = {
      febrile: true,
      ferritin: { value: 12_000, unit: 'ng/mL' },
      platelets: { value: 90, unit: '10*9/L' },
      temperatureC: 39.2,
      explainedOtherwise: ['platelets' as const],
    };
    const plain = labPanelSchema.parse(panel);
    const data = labPanelData(panel);
    expect(data).toEqual(plain);
    expect(JSON.stringify(data)).toBe(JSON.stringify(plain));
    expect(labPanelData(panel)).toBe(data);
    const parsedFirst = { ferritin: { value: 800, unit: 'ug/L' } };
    parseLabPanel(parsedFirst);
    expect(labPanelData(parsedFirst)).toEqual(
      labPanelSchema.parse(parsedFirst),
    );
  });

  it('refuses what parseLabPanel refuses, with its error, every time', () => {
    const bad = { ferritin: { value: -1, unit: 'ng/mL' } };
    const rule = clinicalErrorOf(() => parseLabPanel(bad)).rule;
    expect(clinicalErrorOf(() => labPanelData(bad)).rule).toBe(rule);
    expect(clinicalErrorOf(() => labPanelData(bad)).rule).toBe(rule);
  });
});

describe('parseLabPanel: refusals name the field and the bound', () => {
  it('a negative temperature is "must not be negative", before the range check', () => {
    const error = errorOf({ temperatureC: -1 });
    expect(error.field).toBe('temperatureC');
    expect(error.rule).toBe('must not be negative (got -1)');
  });

  it.each([
    [24.9, 'below the minimum 25 Cel'],
    [20, 'below the minimum 25 Cel'],
    [45.1, 'above the maximum 45 Cel'],
  ])('temperature %p C is refused: %s', (temperatureC, bound) => {
    const error = errorOf({ temperatureC });
    expect(error.field).toBe('temperatureC');
    expect(error.rule).toBe(
      `${temperatureC} Cel is outside the plausible range 25-45 Cel: ${bound}, physiologically impossible (mas-protocol input check)`,
    );
  });

  it.each([25, 45])(
    'temperature %p C (a bound of the plausible range) is accepted',
    (temperatureC) => {
      expect(parseLabPanel({ temperatureC }).temperatureC).toBe(temperatureC);
    },
  );

  it('a negative quantity in any unit names its value field and the value sent', () => {
    const error = errorOf({ hemoglobin: { value: -1, unit: 'g/dL' } });
    expect(error.field).toBe('hemoglobin.value');
    expect(error.rule).toBe('must not be negative (got -1)');
  });

  it.each([45_000, 0])('ageDays %p is accepted', (ageDays) => {
    expect(parseLabPanel({ ageDays }).ageDays).toBe(ageDays);
  });

  it.each([45_001, 50_000])('ageDays %p is refused', (ageDays) => {
    const error = errorOf({ ageDays });
    expect(error.field).toBe('ageDays');
    expect(error.rule).toMatch(/above the maximum 45000 d/);
  });

  it('a panel that is not an object is refused as a whole ("panel")', () => {
    const error = errorOf('x');
    expect(error.field).toBe('panel');
  });

  it('an unknown field is refused by name: "is not a known field"', () => {
    const error = errorOf({ ferritn: { value: 1, unit: 'ng/mL' } });
    expect(error.field).toBe('ferritn');
    expect(error.rule).toBe('is not a known field');
  });
});

describe('parseLabPanel: what a parsed panel holds', () => {
  it('an empty panel: nothing measured, every finding not assessed (false only in the "present" view)', () => {
    expect(parseLabPanel({})).toStrictEqual({
      findings: Object.fromEntries(findingIds.map((id) => [id, false])),
      findingStatus: Object.fromEntries(
        findingIds.map((id) => [id, 'not-assessed']),
      ),
      quantities: {},
      explainedOtherwise: new Set(),
    });
  });

  it('every finding is three-valued', () => {
    const panel = parseLabPanel({
      febrile: true,
      molecularHlhDiagnosis: false,
      explainedOtherwise: ['ast'],
      temperatureC: 38,
      ageDays: 10,
    });
    expect(panel.findingStatus).toMatchObject({
      febrile: 'present',
      molecularHlhDiagnosis: 'absent',
      onTocilizumab: 'not-assessed',
    });
    expect(panel.findings).toMatchObject({
      febrile: true,
      molecularHlhDiagnosis: false,
      onTocilizumab: false,
    });
    expect(panel.explainedOtherwise).toEqual(new Set(['ast']));
    expect(panel.temperatureC).toBe(38);
    expect(panel.ageDays).toBe(10);
  });

  it.each([
    [true, 'present'],
    [false, 'absent'],
    [undefined, 'not-assessed'],
  ] as const)('findingStatusOf(%p) is %s', (value, status) => {
    expect(findingStatusOf(value)).toBe(status);
  });

  it('asLabPanel returns a parsed panel itself, and parses a raw one', () => {
    const parsed = parseLabPanel({ febrile: true });
    expect(asLabPanel(parsed)).toBe(parsed);
    expect(asLabPanel({ febrile: true })).toEqual(parsed);
    expect(() => asLabPanel({ ferritin: { value: 1, unit: 'mg' } })).toThrow(
      /^ferritin\.unit: /,
    );
  });

  it('requireQuantity names the analyte and the calculator that needs it', () => {
    const error = clinicalErrorOf(() =>
      requireQuantity(parseLabPanel({}), 'esr', 'mm/h', 'ferritin/ESR ratio'),
    );
    expect(error.field).toBe('esr');
    expect(error.rule).toBe(
      'is required by ferritin/ESR ratio but the panel has none',
    );
  });

  it.each([
    ['platelets', 'Platelets'],
    ['febrile', 'Fever'],
    ['temperatureC', 'Temperature'],
    ['ageDays', 'Age'],
    ['explainedOtherwise', 'Criteria explained otherwise'],
  ] as const)('panelItemLabel(%s) is %s', (item, label) => {
    expect(panelItemLabel(item)).toBe(label);
  });
});

describe('checkPlausible: both sides of both bounds', () => {
  const range = { min: 0.3, max: 350 };
  it.each([0.3, 350, 20])('%p kg is accepted', (value) => {
    expect(() => {
      checkPlausible(value, range, 'weightKg', 'kg');
    }).not.toThrow();
  });

  it.each([
    [0.29, 'below the minimum 0.3 kg'],
    [350.1, 'above the maximum 350 kg'],
  ])('%p kg is refused: %s', (value, bound) => {
    const error = clinicalErrorOf(() => {
      checkPlausible(value, range, 'weightKg', 'kg');
    });
    expect(error.field).toBe('weightKg');
    expect(error.rule).toContain(bound);
  });
});
