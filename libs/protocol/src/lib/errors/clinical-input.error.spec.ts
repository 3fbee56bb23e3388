import { describe, expect, it } from '@jest/globals';

import {
  ClinicalInputError,
  isClinicalInputError,
} from './clinical-input.error.js';

describe('ClinicalInputError: names the field and the rule', () => {
  it('its name, field, rule and message are what logs and API errors show', () => {
    const error = new ClinicalInputError('ferritin.unit', 'is wrong');
    expect(error.name).toBe('ClinicalInputError');
    expect(error.field).toBe('ferritin.unit');
    expect(error.rule).toBe('is wrong');
    expect(error.message).toBe('ferritin.unit: is wrong');
    expect(error).toBeInstanceOf(Error);
  });

  it('under(prefix) places the field under a prefix: dotted, or indexed', () => {
    expect(new ClinicalInputError('x', 'r').under('panels').field).toBe(
      'panels.x',
    );
    const indexed = new ClinicalInputError('[2].x', 'r').under('panels');
    expect(indexed.field).toBe('panels[2].x');
    expect(indexed.rule).toBe('r');
    expect(indexed).toBeInstanceOf(ClinicalInputError);
  });

  it('isClinicalInputError tells it from any other error or value', () => {
    expect(isClinicalInputError(new ClinicalInputError('x', 'r'))).toBe(true);
    expect(isClinicalInputError(new Error('x: r'))).toBe(false);
    expect(isClinicalInputError({ field: 'x', rule: 'r' })).toBe(false);
    expect(isClinicalInputError(undefined)).toBe(false);
  });
});
