import { describe, expect, it } from '@jest/globals';

import type { BandedVariable } from '../protocol/protocol.types.js';
import {
  compare,
  describeBand,
  describeThreshold,
  findBand,
  meets,
  rangeOutcome,
} from './rule.util.js';

describe('rule helpers: the comparisons and the rule text a clinician reads', () => {
  it.each([
    ['>', 5, 5, false],
    ['>', 5.01, 5, true],
    ['>=', 5, 5, true],
    ['>=', 4.99, 5, false],
    ['<', 5, 5, false],
    ['<', 4.99, 5, true],
    ['<=', 5, 5, true],
    ['<=', 5.01, 5, false],
  ] as const)('%s: %p against %p is %p', (op, value, limit, expected) => {
    expect(compare(value, op, limit)).toBe(expected);
    expect(meets(value, { op, value: limit, unit: 'U/L' })).toBe(expected);
  });

  it('a threshold reads as operator, value and unit; a dimensionless one has no unit', () => {
    expect(describeThreshold({ op: '>', value: 684, unit: 'ng/mL' })).toBe(
      '> 684 ng/mL',
    );
    expect(describeThreshold({ op: '>=', value: 169, unit: '1' })).toBe(
      '>= 169',
    );
  });

  it('a band reads with both edges, one edge or none, each inclusive or not', () => {
    const edge = (value: number, inclusive: boolean) => ({ value, inclusive });
    expect(
      describeBand(
        { points: 0, min: edge(1, true), max: edge(2, false) },
        'g/L',
      ),
    ).toBe('>= 1 and < 2 g/L');
    expect(
      describeBand({ points: 0, min: edge(1, false), max: edge(2, true) }, '1'),
    ).toBe('> 1 and <= 2');
    expect(describeBand({ points: 0, min: edge(3, true) }, 'U/L')).toBe(
      '>= 3 U/L',
    );
    expect(describeBand({ points: 0, min: edge(3, false) }, 'U/L')).toBe(
      '> 3 U/L',
    );
    expect(describeBand({ points: 0, max: edge(4, true) }, 'U/L')).toBe(
      '<= 4 U/L',
    );
    expect(describeBand({ points: 0, max: edge(4, false) }, 'U/L')).toBe(
      '< 4 U/L',
    );
    expect(describeBand({ points: 0 }, 'U/L')).toBe('any value');
  });

  it('finds the one band holding a value, edges included where they belong', () => {
    const variable: BandedVariable = {
      unit: 'Cel',
      bands: [
        { points: 0, max: { value: 38.4, inclusive: false } },
        {
          points: 33,
          min: { value: 38.4, inclusive: true },
          max: { value: 39.4, inclusive: true },
        },
        { points: 49, min: { value: 39.4, inclusive: false } },
      ],
    };
    expect(findBand(38.39, variable).points).toBe(0);
    expect(findBand(38.4, variable).points).toBe(33);
    expect(findBand(39.4, variable).points).toBe(33);
    expect(findBand(39.41, variable).points).toBe(49);
    // A gap in protocol data is a bug, said loudly.
    expect(() =>
      findBand(5, {
        unit: '1',
        bands: [{ points: 0, max: { value: 1, inclusive: true } }],
      }),
    ).toThrow('no band holds 5 1');
  });
});

describe('rule helpers: a range of reachable scores against a cut-off', () => {
  it.each([
    // range, threshold -> outcome
    [{ min: 169, max: 233 }, '>=', 169, 'met'],
    [{ min: 168, max: 169 }, '>=', 169, 'undecided'],
    [{ min: 104, max: 168 }, '>=', 169, 'not-met'],
    [{ min: 169, max: 169 }, '>=', 169, 'met'],
    [{ min: 168, max: 168 }, '>=', 169, 'not-met'],
    [{ min: 5, max: 6 }, '>', 5, 'undecided'],
    [{ min: 1, max: 4 }, '<=', 4, 'met'],
    [{ min: 4, max: 4.9 }, '<', 5, 'met'],
    [{ min: 4, max: 5 }, '<=', 4, 'undecided'],
    [{ min: 6, max: 9 }, '<', 5, 'not-met'],
  ] as const)('%p %s %p -> %s', (range, op, value, outcome) => {
    expect(rangeOutcome(range, { op, value, unit: '1' })).toBe(outcome);
  });
});

describe('rule helpers: findBand does not depend on band order', () => {
  it('bands listed highest first still give each value its own band (both edges are tested)', () => {
    const reversed: BandedVariable = {
      unit: 'Cel',
      bands: [
        { points: 49, min: { value: 39.4, inclusive: false } },
        {
          points: 33,
          min: { value: 38.4, inclusive: true },
          max: { value: 39.4, inclusive: true },
        },
        { points: 0, max: { value: 38.4, inclusive: false } },
      ],
    };
    expect(findBand(38.39, reversed).points).toBe(0);
    expect(findBand(38.4, reversed).points).toBe(33);
    expect(findBand(39.4, reversed).points).toBe(33);
    expect(findBand(39.41, reversed).points).toBe(49);
  });
});
