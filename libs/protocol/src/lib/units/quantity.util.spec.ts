import { describe, expect, it } from '@jest/globals';

import { clinicalErrorOf } from '../../spec-support/spec-support.js';
import { parseLabPanel } from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import { analyteIds } from '../protocol/protocol.types.js';
import { offsetProblem, parseDate, parseInstant } from './instant.util.js';
import {
  convertQuantity,
  isValidUcum,
  sameAnalyteQuantity,
  stripFloatNoise,
} from './quantity.util.js';

describe('unit conversion (UCUM)', () => {
  it.each([
    [100, '10*3/uL', '10*9/L', 100],
    [150_000, '/uL', '10*9/L', 150],
    [181, '10*9/L', '/uL', 181_000],
    [110_000, '/uL', '10*3/uL', 110],
    [9.2, 'g/dL', 'g/L', 92],
    [90, 'g/L', 'g/dL', 9],
    [360, 'mg/dL', 'g/L', 3.6],
    [1.5, 'g/L', 'mg/dL', 150],
    [684, 'ng/mL', 'ug/L', 684],
    [500, 'ug/L', 'ng/mL', 500],
    [5, 'mg/dL', 'mg/L', 50],
    [0.5, 'ug/mL', 'mg/L', 0.5],
  ])('%p %s is exactly %p in %s', (value, from, to, expected) => {
    expect(convertQuantity({ value, unit: from }, to, 'x')).toBe(expected);
  });

  it('converts triglycerides with the protocol factor (mg/dL = mmol/L x 88.57)', () => {
    const molarMass =
      masProtocolDefinition.analytes.triglycerides.molarMassGPerMol;
    expect(
      convertQuantity(
        { value: 2.0, unit: 'mmol/L' },
        'mg/dL',
        'triglycerides',
        molarMass,
      ),
    ).toBe(177.14);
    expect(
      convertQuantity(
        { value: 265, unit: 'mg/dL' },
        'mmol/L',
        'triglycerides',
        molarMass,
      ),
    ).toBeCloseTo(2.992, 3);
  });

  it('strips float noise but never rounds to a reporting precision', () => {
    expect(stripFloatNoise(99.99999999999999)).toBe(100);
    expect(stripFloatNoise(110.04)).toBe(110.04);
    expect(stripFloatNoise(180.99999999999997)).toBe(181);
    expect(stripFloatNoise(181.0001)).toBe(181.0001);
  });

  it('gives a whole number back as toPrecision would, at the limit of the digits kept too', () => {
    const digits = masProtocolDefinition.conversionSignificantDigits;
    const limit = Number(`1e${String(digits)}`);
    for (const value of [
      2,
      -7,
      181,
      250_000,
      limit - 1,
      -(limit - 1),
      limit,
      limit + 1,
      limit * 7 + 3,
      Number.MAX_SAFE_INTEGER,
    ]) {
      expect(stripFloatNoise(value)).toBe(Number(value.toPrecision(digits)));
    }
    // Above the digits kept, a whole number is rounded like any other.
    expect(stripFloatNoise(limit * 7 + 3)).not.toBe(limit * 7 + 3);
    expect(Object.is(stripFloatNoise(-0), -0)).toBe(true);
  });

  it('refuses a mass <-> substance conversion without a molar mass', () => {
    expect(() =>
      convertQuantity({ value: 2, unit: 'mmol/L' }, 'mg/dL', 'triglycerides'),
    ).toThrow(/triglycerides\.unit: cannot convert mmol\/L to mg\/dL/);
  });

  it('every accepted unit is valid UCUM and converts to the canonical unit', () => {
    for (const id of analyteIds) {
      const definition = masProtocolDefinition.analytes[id];
      for (const unit of definition.acceptedUnits) {
        expect(isValidUcum(unit)).toBe(true);
        expect(() =>
          convertQuantity(
            { value: 1, unit },
            definition.canonicalUnit,
            id,
            definition.molarMassGPerMol,
          ),
        ).not.toThrow();
      }
    }
  });
});

describe('panel validation', () => {
  const errorOf = (input: unknown) =>
    clinicalErrorOf(() => parseLabPanel(input));

  it('rejects an unknown unit, naming the field and the accepted units', () => {
    const error = errorOf({ ferritin: { value: 500, unit: 'mg' } });
    expect(error.field).toBe('ferritin.unit');
    expect(error.rule).toMatch(/not an accepted unit.*ng\/mL, ug\/L/);
  });

  it('rejects a unit that is UCUM but wrong for the analyte', () => {
    expect(errorOf({ platelets: { value: 100, unit: 'g/L' } }).field).toBe(
      'platelets.unit',
    );
  });

  it('rejects a negative value', () => {
    const error = errorOf({ ast: { value: -3, unit: 'U/L' } });
    expect(error.field).toBe('ast.value');
    expect(error.rule).toMatch(/negative/);
  });

  it('rejects an implausible value, in any accepted unit', () => {
    expect(errorOf({ hemoglobin: { value: 40, unit: 'g/dL' } }).rule).toBe(
      '400 g/L is outside the plausible range 0-300 g/L: above the maximum 300 g/L, physiologically impossible (mas-protocol input check)',
    );
    expect(
      errorOf({ platelets: { value: 6_000_000_000, unit: '/uL' } }).field,
    ).toBe('platelets.value');
    expect(errorOf({ temperatureC: 50 }).field).toBe('temperatureC');
  });

  it('rejects a field it does not know, and a wrong type', () => {
    expect(errorOf({ ferritn: { value: 1, unit: 'ng/mL' } }).field).toBe(
      'ferritn',
    );
    expect(errorOf({ febrile: 'yes' }).field).toBe('febrile');
    expect(errorOf({ ferritin: { value: '5', unit: 'ng/mL' } }).field).toBe(
      'ferritin.value',
    );
    expect(errorOf({ ferritin: { value: 5 } }).field).toBe('ferritin.unit');
  });

  it('an absent finding is not assessed, never "not present"', () => {
    const panel = parseLabPanel({ febrile: true, splenomegaly: false });
    expect(panel.findingStatus.febrile).toBe('present');
    expect(panel.findingStatus.splenomegaly).toBe('absent');
    expect(panel.findingStatus.hepatomegaly).toBe('not-assessed');
    // The boolean view is "present on what is known".
    expect(panel.findings.febrile).toBe(true);
    expect(panel.findings.hepatomegaly).toBe(false);
    expect(panel.quantities.ferritin).toBeUndefined();
  });
});

describe('UCUM checks', () => {
  it('a unit with trailing garbage is not valid UCUM', () => {
    expect(isValidUcum('mg/dL')).toBe(true);
    expect(isValidUcum('mg/dLx')).toBe(false);
  });

  it('a code asked about again (remembered) gets the same answer as the first time, valid or not', () => {
    const codes = ['mg/dL', 'mg/dLx', '10*9/L', 'ng/mL', 'not a unit', ''];
    const first = codes.map((code) => isValidUcum(code));
    expect(first).toEqual([true, false, true, true, false, false]);
    expect(codes.map((code) => isValidUcum(code))).toEqual(first);
    // Past the codes kept, free text is still checked.
    const many = Array.from({ length: 120 }, (_, i) => `${String(i)}x`);
    expect(many.every((code) => !isValidUcum(code))).toBe(true);
    expect(isValidUcum('mmol/L')).toBe(true);
  });

  it('a mass to substance conversion without a molar mass is an error naming the field', () => {
    const error = clinicalErrorOf(() =>
      convertQuantity({ value: 1, unit: 'mg/dL' }, 'mmol/L', 'x'),
    );
    expect(error.field).toBe('x.unit');
    expect(error.rule).toMatch(/^cannot convert mg\/dL to mmol\/L \(/);
  });
});

describe('what cannot be converted or read is refused, naming the field (mutation survivors)', () => {
  it("a unit of another dimension: a clinical error on the field's unit, with UCUM's words", () => {
    const error = clinicalErrorOf(() =>
      convertQuantity({ value: 1, unit: 'kg' }, 'mg/dL', 'ferritin'),
    );
    expect(error.field).toBe('ferritin.unit');
    expect(error.rule).toMatch(/^cannot convert kg to mg\/dL \(\S.*\S\)$/);
  });

  it('a time without its zone, or no time, is refused naming the field and the form it needs', () => {
    for (const value of ['2026-03-01T08:00:00', '1 March', 42]) {
      const error = clinicalErrorOf(() => parseInstant(value, 'collectedAt'));
      expect(error.field).toBe('collectedAt');
      expect(error.rule).toBe(
        `${JSON.stringify(value)} is not an ISO 8601 date-time with a time zone (e.g. 2026-03-01T08:00:00Z)`,
      );
    }
    expect(parseInstant('2026-03-01T09:00:00+01:00', 'x')).toBe(
      Date.parse('2026-03-01T08:00:00Z'),
    );
    const error = clinicalErrorOf(() => parseDate('30/06/2019', 'birthDate'));
    expect(error).toMatchObject({
      field: 'birthDate',
      rule: '"30/06/2019" is not an ISO 8601 date (e.g. 2019-06-30) or date-time with a time zone',
    });
    expect(parseDate('2019-06-30', 'birthDate')).toBe(
      Date.parse('2019-06-30T00:00:00Z'),
    );
  });

  it("an offset outside the world's time zones (UTC−12:00 to UTC+14:00) is a typing error, refused with the range", () => {
    for (const value of [
      '2026-03-01T08:00:00+15:00',
      '2026-03-01T08:00:00-12:30',
      '2026-03-01T08:00:00+14:01',
      '2026-03-01T08:00:00+23:59',
    ]) {
      const error = clinicalErrorOf(() => parseInstant(value, 'givenAt'));
      expect(error.field).toBe('givenAt');
      expect(error.rule).toBe(
        `${JSON.stringify(value)} is not an ISO 8601 date-time with a time zone (e.g. 2026-03-01T08:00:00Z): the offset ${value.slice(-6)} is no time zone of the world (they run from UTC−12:00 to UTC+14:00)`,
      );
    }
    expect(parseInstant('2026-03-01T22:00:00+14:00', 'x')).toBe(
      Date.parse('2026-03-01T08:00:00Z'),
    );
    expect(parseInstant('2026-02-28T20:00:00-12:00', 'x')).toBe(
      Date.parse('2026-03-01T08:00:00Z'),
    );
    expect(parseInstant('2026-03-01T13:45:00+05:45', 'x')).toBe(
      Date.parse('2026-03-01T08:00:00Z'),
    );
    expect(offsetProblem('2026-03-01T08:00:00Z')).toBeNull();
    expect(
      clinicalErrorOf(() => parseDate('2019-06-30T00:00:00+15:00', 'birthDate'))
        .rule,
    ).toMatch(/: the offset \+15:00 is no time zone of the world/);
  });
});

describe('one result in two units', () => {
  it('is the same value in the same unit, or once converted; another value, or units that do not convert, is another result', () => {
    expect(
      sameAnalyteQuantity(
        'ferritin',
        { value: 900, unit: 'ng/mL' },
        { value: 900, unit: 'ug/L' },
      ),
    ).toBe(true);
    expect(
      sameAnalyteQuantity(
        'ferritin',
        { value: 900, unit: 'ng/mL' },
        { value: 900, unit: 'ng/mL' },
      ),
    ).toBe(true);
    expect(
      sameAnalyteQuantity(
        'ferritin',
        { value: 900, unit: 'ng/mL' },
        { value: 901, unit: 'ng/mL' },
      ),
    ).toBe(false);
    expect(
      sameAnalyteQuantity(
        'ferritin',
        { value: 900, unit: 'ng/mL' },
        { value: 0.9, unit: 'ug/L' },
      ),
    ).toBe(false);
    // Triglycerides by their molar mass: the same amount in mg/dL and mmol/L.
    const mmol = convertQuantity(
      { value: 265, unit: 'mg/dL' },
      'mmol/L',
      'triglycerides',
      masProtocolDefinition.analytes.triglycerides.molarMassGPerMol,
    );
    expect(
      sameAnalyteQuantity(
        'triglycerides',
        { value: 265, unit: 'mg/dL' },
        { value: mmol, unit: 'mmol/L' },
      ),
    ).toBe(true);
    expect(
      sameAnalyteQuantity(
        'ferritin',
        { value: 900, unit: 'ng/mL' },
        { value: 900, unit: 'mmol/L' },
      ),
    ).toBe(false);
    // To the precision the other was written with: 2 mmol/L is 177 mg/dL
    // (177.14), either way round, and "2 mmol/L" holds anything that rounds
    // to it (178 mg/dL is 2.01); 230 mg/dL (2.6) is another result.
    const tg = (value: number, unit: string) => ({ value, unit });
    expect(
      sameAnalyteQuantity('triglycerides', tg(2, 'mmol/L'), tg(177, 'mg/dL')),
    ).toBe(true);
    expect(
      sameAnalyteQuantity('triglycerides', tg(177, 'mg/dL'), tg(2, 'mmol/L')),
    ).toBe(true);
    expect(
      sameAnalyteQuantity('triglycerides', tg(2, 'mmol/L'), tg(178, 'mg/dL')),
    ).toBe(true);
    expect(
      sameAnalyteQuantity('triglycerides', tg(2, 'mmol/L'), tg(230, 'mg/dL')),
    ).toBe(false);
    expect(
      sameAnalyteQuantity(
        'triglycerides',
        tg(2.05, 'mmol/L'),
        tg(177, 'mg/dL'),
      ),
    ).toBe(false);
  });
});
