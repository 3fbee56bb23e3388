import { describe, expect, it } from '@jest/globals';

import { analyteIds } from '../protocol/protocol.types.js';
import { analyteDisplayDecimals } from './display-precision.constant.js';
import {
  formatAnalyteValue,
  formatBound,
  formatFixed,
  formatMeasured,
} from './display-precision.js';

describe('lab values at a clinical precision (display only)', () => {
  it('every analyte has its precision, a whole number of decimals from 0 to 2', () => {
    for (const analyte of analyteIds) {
      const decimals = analyteDisplayDecimals[analyte];
      expect({ analyte, ok: Number.isInteger(decimals) }).toEqual({
        analyte,
        ok: true,
      });
      expect(decimals).toBeGreaterThanOrEqual(0);
      expect(decimals).toBeLessThanOrEqual(2);
    }
  });

  it('shows each analyte as a laboratory reports it, never losing integer digits', () => {
    expect(formatAnalyteValue('ferritin', 12_023.4)).toBe('12,023');
    expect(formatAnalyteValue('platelets', 45.678)).toBe('46');
    expect(formatAnalyteValue('neutrophils', 0.456)).toBe('0.46');
    expect(formatAnalyteValue('fibrinogen', 1.5)).toBe('1.50');
    expect(formatAnalyteValue('crp', 4.25)).toBe('4.3');
    expect(formatFixed(38.46, 1)).toBe('38.5');
  });

  it('a value of unknown precision keeps four significant digits for its decimals and every integer digit', () => {
    expect(formatMeasured(12_023)).toBe('12023');
    expect(formatMeasured(123_456.7)).toBe('123457');
    expect(formatMeasured(0.045_678_9)).toBe('0.04568');
    expect(formatMeasured(110.040_000_000_1)).toBe('110');
    expect(formatMeasured(2.2)).toBe('2.2');
    expect(formatMeasured(0)).toBe('0');
  });
});

describe('a bound shown so that the value shown still meets it', () => {
  it('rounds up for "at or above" and down for "at or below", an exact bound as it is', () => {
    expect(formatBound(166.666, 'down')).toBe('166.6');
    expect(formatBound(166.666, 'up')).toBe('166.7');
    expect(formatBound(123.61, 'up')).toBe('123.7');
    expect(formatBound(700.0000000000001, 'up')).toBe('700');
    expect(formatBound(0.0456789, 'down')).toBe('0.04567');
    expect(formatBound(12_345.2, 'up')).toBe('12346');
    expect(formatBound(12_345.2, 'down')).toBe('12345');
  });
});
