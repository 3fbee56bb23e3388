import { describe, expect, it } from '@jest/globals';

import { clinicalErrorOf } from '../../spec-support/spec-support.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import { analyteIds } from '../protocol/protocol.types.js';
import { parseLabPanel } from './lab-panel.util.js';
import {
  analyteUnits,
  checkPatientMeasures,
  unusualMeasureChange,
  unusualValues,
} from './plausibility.util.js';

const { analytes, patient } = masProtocolDefinition;
const q = (value: number, unit: string) => ({ value, unit });
/** A value just past a bound (relative, so it suits every magnitude). */
const justBelow = (bound: number) => bound - Math.max(bound * 1e-3, 1e-4);
const justAbove = (bound: number) => bound + Math.max(bound * 1e-3, 1e-4);

describe('analytes: two tiers, both sides of every bound (protocol data, canonical unit)', () => {
  const rows = analyteIds.map((id) => [id, analytes[id]] as const);

  it.each(rows)(
    '%s: the plausible maximum is accepted, just above it is refused naming the field and the bound',
    (id, definition) => {
      const unit = definition.canonicalUnit;
      const { max } = definition.plausible;
      expect(() => parseLabPanel({ [id]: q(max, unit) })).not.toThrow();
      const error = clinicalErrorOf(() =>
        parseLabPanel({ [id]: q(justAbove(max), unit) }),
      );
      expect(error.field).toBe(`${id}.value`);
      expect(error.rule).toContain(`above the maximum ${max} ${unit}`);
    },
  );

  it.each(rows)(
    '%s: the plausible minimum (0) is accepted, a negative value is refused',
    (id, definition) => {
      const unit = definition.canonicalUnit;
      expect(definition.plausible.min).toBe(0);
      expect(() => parseLabPanel({ [id]: q(0, unit) })).not.toThrow();
      expect(
        clinicalErrorOf(() => parseLabPanel({ [id]: q(-0.001, unit) })).rule,
      ).toBe('must not be negative (got -0.001)');
    },
  );

  it.each(rows)(
    '%s: the usual bounds need no confirmation, just above the maximum does',
    (id, definition) => {
      const unit = definition.canonicalUnit;
      const { min, max } = definition.usual;
      expect(unusualValues({ [id]: q(min, unit) })).toEqual([]);
      expect(unusualValues({ [id]: q(max, unit) })).toEqual([]);
      expect(unusualValues({ [id]: q(justAbove(max), unit) })).toMatchObject([
        { field: `${id}.value`, side: 'above', usual: { min, max, unit } },
      ]);
    },
  );

  const withUsualMinimum = rows.filter(([, d]) => d.usual.min > 0);

  it('only CRP may be 0 without confirmation', () => {
    expect(rows.filter(([, d]) => d.usual.min === 0).map(([id]) => id)).toEqual(
      ['crp'],
    );
    expect(unusualValues({ crp: q(0, 'mg/L') })).toEqual([]);
  });

  it.each(withUsualMinimum)(
    '%s: just below the usual minimum needs confirmation',
    (id, definition) => {
      const unit = definition.canonicalUnit;
      const { min, max } = definition.usual;
      expect(unusualValues({ [id]: q(justBelow(min), unit) })).toMatchObject([
        { field: `${id}.value`, side: 'below', usual: { min, max, unit } },
      ]);
    },
  );
});

describe('unusual values: a likely unit slip needs confirmation', () => {
  it('platelets "110 /uL" is 0.11 x10^9/L: below the usual range, with the message a form shows', () => {
    expect(unusualValues({ platelets: q(110, '/uL') })).toEqual([
      {
        field: 'platelets.value',
        value: 110,
        unit: '/uL',
        valueInUsualUnit: 0.11,
        usual: { min: 1, max: 1500, unit: '10*9/L' },
        side: 'below',
        message:
          'Platelets 110 /uL (0.11 10*9/L) is below the usual range 1-1500 10*9/L: check the unit (a unit slip?) and confirm the value',
        evidence: [
          'seed.monitoring.2',
          'software.plausibility',
          'software.usual-range',
        ],
      },
    ]);
    expect(unusualValues({ platelets: q(110, '10*9/L') })).toEqual([]);
    expect(unusualValues({ platelets: q(110_000, '/uL') })).toEqual([]);
  });

  it.each([
    ['hemoglobin', q(9, 'g/L'), 'below'],
    ['fibrinogen', q(1.4, 'mg/dL'), 'below'],
    ['triglycerides', q(2.9, 'mg/dL'), 'below'],
    ['creatinine', q(0.5, 'umol/L'), 'below'],
    ['dDimer', q(500, 'mg/L'), 'above'],
    ['ferritin', q(250_000, 'ug/L'), 'above'],
  ])('%s %p: %s the usual range', (id, quantity, side) => {
    expect(unusualValues({ [id]: quantity })).toMatchObject([
      { field: `${id}.value`, side },
    ]);
  });

  it('a value in the usual unit is not converted in the message', () => {
    const [item] = unusualValues({ hemoglobin: q(9, 'g/L') });
    expect(item?.message).toBe(
      'Haemoglobin 9 g/L is below the usual range 30-250 g/L: check the unit (a unit slip?) and confirm the value',
    );
  });

  it.each([
    [33.9, ['below']],
    [34, []],
    [42, []],
    [42.1, ['above']],
  ])('temperature %p C: %p', (temperatureC, sides) => {
    expect(unusualValues({ temperatureC }).map((u) => u.side)).toEqual(sides);
  });

  it('an unusual temperature names its field, unit and usual range', () => {
    expect(unusualValues({ temperatureC: 43 })).toMatchObject([
      {
        field: 'temperatureC',
        unit: 'Cel',
        usual: { min: 34, max: 42, unit: 'Cel' },
        evidence: ['software.usual-range'],
      },
    ]);
  });

  it.each([
    [36_525, []],
    [36_526, ['above']],
  ])('ageDays %p: %p', (ageDays, sides) => {
    expect(unusualValues({ ageDays }).map((u) => u.side)).toEqual(sides);
  });

  it('several unusual values are all listed, analytes in protocol order, then temperature', () => {
    expect(
      unusualValues({
        temperatureC: 43,
        hemoglobin: q(9, 'g/L'),
        ferritin: q(0.5, 'ng/mL'),
      }).map((u) => u.field),
    ).toEqual(['ferritin.value', 'hemoglobin.value', 'temperatureC']);
  });

  it('an impossible value is refused, not listed as unusual', () => {
    expect(() => unusualValues({ hemoglobin: q(40, 'g/dL') })).toThrow(
      /^hemoglobin\.value: .*above the maximum 300 g\/L/,
    );
  });
});

describe('patient measures: refused when impossible, confirmed when unusual', () => {
  const at = '2026-03-01T08:00:00Z';
  const sidesOf = (measures: Parameters<typeof checkPatientMeasures>[0]) =>
    checkPatientMeasures(measures, at).unusual.map(
      (u) => `${u.field}:${u.side}`,
    );

  it.each([
    [0.3, ['weightKg:below']],
    [0.99, ['weightKg:below']],
    [1, []],
    [200, []],
    [200.1, ['weightKg:above']],
    [350, ['weightKg:above']],
  ])('weight %p kg: %p', (weightKg, unusual) => {
    expect(sidesOf({ weightKg })).toEqual(unusual);
  });

  it.each([
    [0.29, 'below the minimum 0.3 kg'],
    [350.1, 'above the maximum 350 kg'],
    [0, 'below the minimum 0.3 kg'],
  ])('weight %p kg is refused: %s', (weightKg, bound) => {
    const error = clinicalErrorOf(() => checkPatientMeasures({ weightKg }, at));
    expect(error.field).toBe('weightKg');
    expect(error.rule).toContain(bound);
  });

  it.each([
    [20, ['heightCm:below']],
    [39.9, ['heightCm:below']],
    [40, []],
    [220, []],
    [220.1, ['heightCm:above']],
    [250, ['heightCm:above']],
  ])('height %p cm: %p', (heightCm, unusual) => {
    expect(sidesOf({ heightCm })).toEqual(unusual);
  });

  it.each([
    [19.9, 'below the minimum 20 cm'],
    [250.1, 'above the maximum 250 cm'],
  ])('height %p cm is refused: %s', (heightCm, bound) => {
    const error = clinicalErrorOf(() => checkPatientMeasures({ heightCm }, at));
    expect(error.field).toBe('heightCm');
    expect(error.rule).toContain(bound);
  });

  it('an unusual weight comes with the usual range and a message', () => {
    expect(checkPatientMeasures({ weightKg: 3500 / 10 }, at).unusual).toEqual([
      {
        field: 'weightKg',
        value: 350,
        unit: 'kg',
        valueInUsualUnit: 350,
        usual: { min: 1, max: 200, unit: 'kg' },
        side: 'above',
        message:
          'Weight 350 kg is above the usual range 1-200 kg: check the unit (a unit slip?) and confirm the value',
        evidence: ['software.usual-range'],
      },
    ]);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, '20'])(
    'a weight that is not a finite number (%p) is refused',
    (weightKg) => {
      const error = clinicalErrorOf(() =>
        checkPatientMeasures({ weightKg: weightKg as number }, at),
      );
      expect(error.field).toBe('weightKg');
      expect(error.rule).toBe('must be a finite number');
    },
  );

  it.each([
    ['2026-03-01', 0],
    ['2026-02-28T08:00:01Z', 0],
    ['2026-02-28T08:00:00Z', 1],
    ['2025-03-01', 365],
    ['2016-03-01T00:00:00+01:00', 3652],
  ])('born %s: age %p days at 2026-03-01T08:00:00Z', (birthDate, ageDays) => {
    expect(checkPatientMeasures({ birthDate }, at)).toEqual({
      ageDays,
      unusual: [],
    });
  });

  it('a birth date after the time of the check is refused', () => {
    const error = clinicalErrorOf(() =>
      checkPatientMeasures({ birthDate: '2026-03-01T08:00:01Z' }, at),
    );
    expect(error.field).toBe('birthDate');
    expect(error.rule).toBe(
      '2026-03-01T08:00:01Z is after 2026-03-01T08:00:00Z: a birth date cannot be in the future',
    );
  });

  const daysBefore = (days: number) =>
    new Date(Date.parse(at) - days * 86_400_000).toISOString();

  it.each([
    [patient.usual.ageDays.max, []],
    [patient.usual.ageDays.max + 1, ['birthDate:above']],
    [patient.ageDays.max, ['birthDate:above']],
  ])('an age of %p days: %p', (days, unusual) => {
    const result = checkPatientMeasures({ birthDate: daysBefore(days) }, at);
    expect(result.ageDays).toBe(days);
    expect(result.unusual.map((u) => `${u.field}:${u.side}`)).toEqual(unusual);
  });

  it('an age above the plausible maximum is refused, naming the birth date', () => {
    const error = clinicalErrorOf(() =>
      checkPatientMeasures(
        { birthDate: daysBefore(patient.ageDays.max + 1) },
        at,
      ),
    );
    expect(error.field).toBe('birthDate');
    expect(error.rule).toContain('above the maximum 45000 d');
  });

  it.each([
    ['birthDate', { birthDate: '2026-02-30' }, at],
    ['birthDate', { birthDate: '01/03/2020' }, at],
    ['at', {}, '2026-03-01T08:00:00'],
    ['at', {}, 'yesterday'],
  ])('an invalid %s is refused', (field, measures, when) => {
    expect(
      clinicalErrorOf(() => checkPatientMeasures(measures, when)).field,
    ).toBe(field);
  });

  it('no measures: nothing unusual, no age', () => {
    expect(checkPatientMeasures({}, at)).toEqual({ unusual: [] });
  });
});

describe('a new weight or height against what is held: a likely slip needs confirmation (protocol data)', () => {
  const { weightFactor, bodyMassIndex, evidence } = patient.change;
  const held = { weightKg: 24, heightCm: 122 };

  it('a weight moved by the factor or more, either way, is named with the weight held; just inside it is not', () => {
    const up = held.weightKg * weightFactor;
    const down = held.weightKg / weightFactor;
    expect(unusualMeasureChange(held, { weightKg: justAbove(up) })).toEqual([
      expect.objectContaining({
        field: 'weightKg',
        side: 'above',
        usual: { min: down, max: up, unit: 'kg' },
        evidence,
      }),
    ]);
    expect(
      unusualMeasureChange(held, { weightKg: justBelow(down) })[0]?.side,
    ).toBe('below');
    expect(unusualMeasureChange(held, { weightKg: justBelow(up) })).toEqual([]);
    expect(unusualMeasureChange(held, { weightKg: justAbove(down) })).toEqual(
      [],
    );
    expect(unusualMeasureChange(held, { weightKg: 2.4 })[0]?.message).toBe(
      'Weight 2.4 kg is less than the 24 kg recorded before by a factor of 10: check it (a misplaced decimal, pounds for kilograms?) and confirm the value; doses are computed from it',
    );
    expect(unusualMeasureChange(held, { weightKg: 31 })[0]?.message).toContain(
      'more than the 24 kg recorded before by 29 %',
    );
  });

  it('a weight and height whose body mass index is outside its usual range is named under the field recorded', () => {
    const metres = held.heightCm / 100;
    const atIndex = (index: number) => index * metres * metres;
    // Within the factor of the weight held would be needed to isolate the
    // index: compared at admission (nothing held).
    expect(
      unusualMeasureChange(null, {
        weightKg: atIndex(justBelow(bodyMassIndex.min)),
        heightCm: held.heightCm,
      }),
    ).toEqual([
      expect.objectContaining({
        field: 'weightKg',
        side: 'below',
        usual: { ...bodyMassIndex, unit: 'kg/m2' },
      }),
    ]);
    expect(
      unusualMeasureChange(null, {
        weightKg: atIndex(justAbove(bodyMassIndex.max)),
        heightCm: held.heightCm,
      })[0]?.side,
    ).toBe('above');
    expect(
      unusualMeasureChange(null, {
        weightKg: atIndex(bodyMassIndex.min + 1),
        heightCm: held.heightCm,
      }),
    ).toEqual([]);
    // A new height alone, against the weight held.
    expect(unusualMeasureChange(held, { heightCm: 61 })).toEqual([
      expect.objectContaining({
        field: 'heightCm',
        value: 61,
        valueInUsualUnit: 64.5,
        side: 'above',
      }),
    ]);
    // A weight named once, for its first reason (the change).
    expect(unusualMeasureChange(held, { weightKg: 2.4 })).toHaveLength(1);
  });

  it('at admission, a weight that does not fit the height needs confirmation too', () => {
    expect(
      checkPatientMeasures(
        { weightKg: 2.5, heightCm: 125 },
        '2026-03-01T08:00:00Z',
      ).unusual.map((item) => item.field),
    ).toEqual(['weightKg']);
    expect(
      checkPatientMeasures(
        { weightKg: 25, heightCm: 125 },
        '2026-03-01T08:00:00Z',
      ).unusual,
    ).toEqual([]);
  });
});

describe('analyte units: what a form preselects', () => {
  it('lists every analyte in protocol order with its usual, canonical and accepted units', () => {
    const units = analyteUnits();
    expect(units.map((u) => u.id)).toEqual([...analyteIds]);
    expect(units.find((u) => u.id === 'platelets')).toEqual({
      id: 'platelets',
      label: 'Platelets',
      usualUnit: '10*9/L',
      canonicalUnit: '10*9/L',
      acceptedUnits: ['10*9/L', '10*3/uL', '/uL'],
    });
    for (const unit of units) {
      expect(unit.acceptedUnits).toContain(unit.usualUnit);
      expect(unit.acceptedUnits).toContain(unit.canonicalUnit);
    }
  });
});
