import { describe, expect, it } from '@jest/globals';

import { hscorePanel, hscoreWorkedExamples, quantity } from '../../testing.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { BandedVariable } from '../protocol/protocol.types.js';
import {
  hscoreMaximum,
  hscoreProbability,
  scoreHScore,
} from './hscore.calculator.js';

const zero = hscoreWorkedExamples[4].panel; // example E: 0 points

const pointsOf = (panel: Record<string, unknown>, id: string) =>
  scoreHScore(panel).criteria.find((c) => c.id === id)?.points;

describe('HScore: worked examples (clinical-facts 9)', () => {
  it.each(hscoreWorkedExamples)('example $name', (example) => {
    const result = scoreHScore(example.panel);
    expect(result.score).toBe(example.score);
    expect(result.probability).toBe(example.probability);
    expect(result.meetsCutoff).toBe(example.meetsCutoff);
  });

  it('the maximum computed from the table is 337', () => {
    expect(hscoreMaximum()).toBe(337);
  });
});

describe('HScore: both sides of every band edge, in every accepted unit', () => {
  it.each([
    [38.39, 0],
    [38.4, 33],
    [39.4, 33],
    [39.41, 49],
  ])('temperature %p C -> %p points', (temperatureC, points) => {
    expect(pointsOf({ ...zero, temperatureC }, 'temperature')).toBe(points);
  });

  it.each([
    [quantity(1999.9, 'ng/mL'), 0],
    [quantity(2000, 'ng/mL'), 35],
    [quantity(2000, 'ug/L'), 35],
    [quantity(6000, 'ug/L'), 35],
    [quantity(6000.1, 'ng/mL'), 50],
  ])('ferritin %p -> %p points', (ferritin, points) => {
    expect(pointsOf({ ...zero, ferritin }, 'ferritin')).toBe(points);
  });

  it.each([
    [quantity(1.49, 'mmol/L'), 0],
    [quantity(1.5, 'mmol/L'), 44],
    [quantity(4, 'mmol/L'), 44],
    [quantity(4.01, 'mmol/L'), 64],
    // mg/dL is converted to the paper's mmol/L (x 88.57): 132.855 mg/dL = 1.5 mmol/L
    [quantity(132.85, 'mg/dL'), 0],
    [quantity(132.855, 'mg/dL'), 44],
    [quantity(354.28, 'mg/dL'), 44],
    [quantity(354.29, 'mg/dL'), 64],
  ])('triglycerides %p -> %p points', (triglycerides, points) => {
    expect(pointsOf({ ...zero, triglycerides }, 'triglycerides')).toBe(points);
  });

  it.each([
    [quantity(2.5, 'g/L'), 30],
    [quantity(2.51, 'g/L'), 0],
    [quantity(250, 'mg/dL'), 30],
    [quantity(251, 'mg/dL'), 0],
  ])('fibrinogen %p -> %p points', (fibrinogen, points) => {
    expect(pointsOf({ ...zero, fibrinogen }, 'fibrinogen')).toBe(points);
  });

  it.each([
    [29.9, 0],
    [30, 19],
  ])('AST %p U/L -> %p points', (ast, points) => {
    expect(pointsOf({ ...zero, ast: quantity(ast, 'U/L') }, 'ast')).toBe(
      points,
    );
  });

  it.each([
    ['hemoglobin', quantity(9.2, 'g/dL'), 1],
    ['hemoglobin', quantity(92, 'g/L'), 1],
    ['hemoglobin', quantity(9.21, 'g/dL'), 0],
    ['hemoglobin', quantity(92.1, 'g/L'), 0],
    ['leukocytes', quantity(5000, '/uL'), 1],
    ['leukocytes', quantity(5, '10*9/L'), 1],
    ['leukocytes', quantity(5, '10*3/uL'), 1],
    ['leukocytes', quantity(5001, '/uL'), 0],
    ['platelets', quantity(110_000, '/uL'), 1],
    ['platelets', quantity(110, '10*9/L'), 1],
    ['platelets', quantity(110, '10*3/uL'), 1],
    ['platelets', quantity(110.04, '10*9/L'), 0],
  ])('%s %p counts as %p cytopenic lineage', (analyte, value, count) => {
    const result = scoreHScore({ ...zero, [analyte]: value });
    expect(result.criteria.find((c) => c.id === 'cytopenias')?.value).toBe(
      count,
    );
  });

  it.each([
    [0, 0],
    [1, 0],
    [2, 24],
    [3, 34],
  ] as const)('%p lineages -> %p points', (lineages, points) => {
    const panel = hscorePanel({
      immunosuppression: false,
      temperatureC: 37,
      organomegaly: 'none',
      lineages,
      ferritin: 100,
      triglyceridesMmolL: 1,
      fibrinogenGL: 4,
      ast: 10,
      hemophagocytosis: false,
    });
    expect(pointsOf(panel, 'cytopenias')).toBe(points);
  });

  it.each([
    [false, false, 0],
    [true, false, 23],
    [false, true, 23],
    [true, true, 38],
  ])(
    'hepatomegaly %p, splenomegaly %p -> %p points',
    (hepatomegaly, splenomegaly, points) => {
      expect(
        pointsOf({ ...zero, hepatomegaly, splenomegaly }, 'organomegaly'),
      ).toBe(points);
    },
  );

  it('immunosuppression 18, haemophagocytosis 35', () => {
    expect(scoreHScore({ ...zero, knownImmunosuppression: true }).score).toBe(
      18,
    );
    expect(scoreHScore({ ...zero, hemophagocytosis: true }).score).toBe(35);
  });
});

describe('HScore: probability from the table, never interpolated', () => {
  it.each([
    [0, '<1%', 'row'],
    [90, '<1%', 'row'],
    [95, '<1-1%', 'band'],
    [100, '1%', 'row'],
    [168, '40-54%', 'band'],
    [169, '40-54%', 'band'],
    [170, '54%', 'row'],
    [172, '54-70%', 'band'],
    [240, '99%', 'row'],
    [245, '99->99%', 'band'],
    [250, '>99%', 'row'],
    [337, '>99%', 'row'],
  ])('score %p -> %s (%s)', (score, label, kind) => {
    const probability = hscoreProbability(score);
    expect(probability.label).toBe(label);
    expect(probability.kind).toBe(kind);
  });

  it('the 169 cut-off is inclusive: a score of exactly 169 meets it', () => {
    const at169 = hscorePanel({
      immunosuppression: false,
      temperatureC: 38.4,
      organomegaly: 'both',
      lineages: 2,
      ferritin: 1000,
      triglyceridesMmolL: 1.5,
      fibrinogenGL: 2.5,
      ast: 20,
      hemophagocytosis: false,
    });
    const result = scoreHScore(at169);
    expect(result.score).toBe(33 + 38 + 24 + 44 + 30);
    expect(result.score).toBe(169);
    expect(result.meetsCutoff).toBe(true);
    const below = scoreHScore({ ...at169, temperatureC: 38.3 });
    expect(below.score).toBe(136);
    expect(below.meetsCutoff).toBe(false);
  });
});

describe('HScore: protocol bands partition the number line', () => {
  const variables: [string, BandedVariable][] = [
    ['temperature', masProtocolDefinition.hscore.temperature],
    ['ferritin', masProtocolDefinition.hscore.ferritin],
    ['triglycerides', masProtocolDefinition.hscore.triglycerides],
    ['fibrinogen', masProtocolDefinition.hscore.fibrinogen],
    ['ast', masProtocolDefinition.hscore.ast],
  ];
  it.each(variables)(
    '%s: every edge belongs to exactly one band',
    (_name, variable) => {
      const edges = variable.bands
        .flatMap((b) => [b.min?.value, b.max?.value])
        .filter((v): v is number => v !== undefined);
      for (const edge of edges) {
        for (const value of [edge - 1e-6, edge, edge + 1e-6]) {
          const holding = variable.bands.filter(
            (b) =>
              (b.min === undefined ||
                (b.min.inclusive
                  ? value >= b.min.value
                  : value > b.min.value)) &&
              (b.max === undefined ||
                (b.max.inclusive ? value <= b.max.value : value < b.max.value)),
          );
          expect(holding).toHaveLength(1);
        }
      }
    },
  );

  it('a missing quantity or temperature is an error naming it', () => {
    const { temperatureC: _t, ...noTemperature } = zero;
    expect(() => scoreHScore(noTemperature)).toThrow(
      /^temperatureC: is required by HScore/,
    );
    const { ast: _a, ...noAst } = zero;
    expect(() => scoreHScore(noAst)).toThrow(/^ast: is required by HScore/);
  });
});
