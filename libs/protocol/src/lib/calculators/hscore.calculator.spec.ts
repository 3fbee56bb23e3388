import { describe, expect, it } from '@jest/globals';

import {
  hscoreCounts,
  hscorePanel,
  hscoreWorkedExamples,
  quantity,
} from '../../testing.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { BandedVariable } from '../protocol/protocol.types.js';
import {
  hscoreMaximum,
  hscoreProbability,
  scoreHScore,
} from './hscore.calculator.js';

const zero = hscoreWorkedExamples[4].panel; // example E: 0 points

/** The panel without some of its items (they become "not assessed"). */
const omit = (panel: object, ...keys: readonly string[]) =>
  Object.fromEntries(
    Object.entries(panel).filter(([key]) => !keys.includes(key)),
  );

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

  it('a value not measured is never an error: it is not assessed', () => {
    const { temperatureC: _t, ...noTemperature } = zero;
    expect(scoreHScore(noTemperature).missing).toEqual(['Temperature']);
    const { ast: _a, ...noAst } = zero;
    expect(scoreHScore(noAst).missing).toEqual(['AST']);
  });
});

describe('HScore: items not assessed give the range still reachable', () => {
  /** 18 + 49 + 38 + 34 + 0 + 30 + 0 + 0 = 169 without triglycerides. */
  const at169WithoutTriglycerides = {
    knownImmunosuppression: true,
    temperatureC: 40,
    hepatomegaly: true,
    splenomegaly: true,
    ...hscoreCounts(3),
    ferritin: quantity(1000, 'ng/mL'),
    fibrinogen: quantity(2.0, 'g/L'),
    ast: quantity(20, 'U/L'),
    hemophagocytosis: false,
  };

  it('triglycerides not measured: 169-233 (0 to 64 points), the cut-off met whatever they show', () => {
    const result = scoreHScore(at169WithoutTriglycerides);
    expect(result).toMatchObject({
      score: 169,
      range: { min: 169, max: 233 },
      outcome: 'met',
      meetsCutoff: true,
      missing: ['Triglycerides'],
      probability: '40-54%',
    });
  });

  it.each([
    // known points (triglycerides missing: + 0..64) -> outcome
    [
      'ferritin 50 + AST 19 + haemophagocytosis 35 = 104: at most 168, not met',
      {
        ferritin: quantity(8000, 'ng/mL'),
        ast: quantity(40, 'U/L'),
        hemophagocytosis: true,
      },
      { min: 104, max: 168 },
      'not-met',
    ],
    [
      'temperature 33 + organomegaly 38 + cytopenias 34 = 105: 105-169, undecided',
      {
        temperatureC: 39,
        hepatomegaly: true,
        splenomegaly: true,
        ...hscoreCounts(3),
      },
      { min: 105, max: 169 },
      'undecided',
    ],
  ])('%s', (_name, change, range, outcome) => {
    const base = {
      knownImmunosuppression: false,
      temperatureC: 37,
      hepatomegaly: false,
      splenomegaly: false,
      ...hscoreCounts(0),
      ferritin: quantity(1000, 'ng/mL'),
      fibrinogen: quantity(4, 'g/L'),
      ast: quantity(20, 'U/L'),
      hemophagocytosis: false,
    };
    const result = scoreHScore({ ...base, ...change });
    expect(result.range).toEqual(range);
    expect(result.score).toBe(range.min);
    expect(result.outcome).toBe(outcome);
    expect(result.meetsCutoff).toBe(false);
    expect(result.missing).toEqual(['Triglycerides']);
  });

  it('an empty panel: 0-337, every item missing, undecided', () => {
    const result = scoreHScore({});
    expect(result).toMatchObject({
      score: 0,
      range: { min: 0, max: 337 },
      outcome: 'undecided',
      meetsCutoff: false,
      missing: [
        'Known immunosuppression',
        'Temperature',
        'Hepatomegaly',
        'Splenomegaly',
        'Haemoglobin',
        'Leukocytes (WBC)',
        'Platelets',
        'Ferritin',
        'Triglycerides',
        'Fibrinogen',
        'AST',
        'Haemophagocytosis',
      ],
    });
  });

  const complete = hscoreWorkedExamples[1].panel as Record<string, unknown>;
  const without = (...keys: string[]) =>
    Object.fromEntries(
      Object.entries(complete).filter(([k]) => !keys.includes(k)),
    );
  const criterion = (panel: Record<string, unknown>, id: string) =>
    scoreHScore(panel).criteria.find((c) => c.id === id);

  it.each([
    ['knownImmunosuppression', 'knownImmunosuppression', { min: 0, max: 18 }],
    ['temperatureC', 'temperature', { min: 0, max: 49 }],
    ['ferritin', 'ferritin', { min: 0, max: 50 }],
    ['triglycerides', 'triglycerides', { min: 0, max: 64 }],
    ['fibrinogen', 'fibrinogen', { min: 0, max: 30 }],
    ['ast', 'ast', { min: 0, max: 19 }],
    ['hemophagocytosis', 'hemophagocytosis', { min: 0, max: 35 }],
  ])(
    '%s not assessed: criterion %s is open, %p points',
    (key, id, pointsRange) => {
      expect(criterion(without(key), id)).toMatchObject({
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange,
      });
    },
  );

  it.each([
    [{ hepatomegaly: true }, 'met', 23, { min: 23, max: 38 }],
    [{ hepatomegaly: false }, 'not-assessed', 0, { min: 0, max: 23 }],
    [{}, 'not-assessed', 0, { min: 0, max: 38 }],
  ])(
    'organomegaly with splenomegaly not assessed and %p: %s, %p points, %p reachable',
    (change, status, points, pointsRange) => {
      const panel = { ...without('hepatomegaly', 'splenomegaly'), ...change };
      expect(criterion(panel, 'organomegaly')).toMatchObject({
        status,
        points,
        pointsRange,
        missing: [
          ...('hepatomegaly' in change ? [] : ['Hepatomegaly']),
          'Splenomegaly',
        ],
      });
    },
  );

  it.each([
    // lineages met, lineages not measured -> points reachable
    [0, ['platelets'], 'not-met', undefined],
    [1, ['platelets'], 'not-assessed', { min: 0, max: 24 }],
    [2, ['platelets'], 'met', { min: 24, max: 34 }],
    [
      0,
      ['hemoglobin', 'leukocytes', 'platelets'],
      'not-assessed',
      { min: 0, max: 34 },
    ],
    [1, ['leukocytes', 'platelets'], 'not-assessed', { min: 0, max: 34 }],
  ] as const)(
    'cytopenias: %p lineages met, %p not measured -> %s, %p',
    (met, open, status, pointsRange) => {
      const panel = omit({ ...complete, ...hscoreCounts(met) }, ...open);
      const result = criterion(panel, 'cytopenias');
      expect(result?.status).toBe(status);
      expect(result?.pointsRange).toEqual(pointsRange);
      // Points that cannot change leave nothing missing.
      expect(result?.missing).toEqual(
        pointsRange === undefined
          ? undefined
          : open.map(
              (id) =>
                ({
                  hemoglobin: 'Haemoglobin',
                  leukocytes: 'Leukocytes (WBC)',
                  platelets: 'Platelets',
                })[id],
            ),
      );
    },
  );
});

describe('HScore: the whole explanation a clinician reads', () => {
  const evidence = ['lit.fardet-2014'];

  it('worked example B (172): every criterion with its value, unit, rule and points', () => {
    const result = scoreHScore(hscoreWorkedExamples[1].panel);
    expect(result.calculator).toBe('hscore');
    expect(result.criteria).toEqual([
      {
        id: 'knownImmunosuppression',
        label: 'Known immunosuppression',
        status: 'met',
        met: true,
        points: 18,
        value: true,
        rule: 'present: 18 points',
        evidence,
      },
      {
        id: 'temperature',
        label: 'Temperature (C)',
        status: 'met',
        met: true,
        points: 33,
        value: 39,
        unit: 'Cel',
        rule: '>= 38.4 and <= 39.4 Cel',
        evidence,
      },
      {
        id: 'organomegaly',
        label: 'Organomegaly (hepatomegaly, splenomegaly)',
        status: 'met',
        met: true,
        points: 23,
        value: true,
        rule: 'none: 0, liver or spleen: 23, both: 38 points',
        note: 'hepatomegaly yes, splenomegaly no',
        evidence,
      },
      {
        id: 'cytopenias',
        label: 'Cytopenic lineages',
        status: 'not-met',
        met: false,
        points: 0,
        value: 1,
        rule: '1 of 3 lineages: 0 points',
        note: 'hemoglobin 8.5 g/dL <= 9.2 g/dL: yes; leukocytes 7000 /uL <= 5000 /uL: no; platelets 250000 /uL <= 110000 /uL: no',
        evidence,
      },
      {
        id: 'ferritin',
        label: 'Ferritin',
        status: 'met',
        met: true,
        points: 35,
        value: 4500,
        unit: 'ng/mL',
        rule: '>= 2000 and <= 6000 ng/mL',
        evidence,
      },
      {
        id: 'triglycerides',
        label: 'Triglycerides',
        status: 'met',
        met: true,
        points: 44,
        value: 2,
        unit: 'mmol/L',
        rule: '>= 1.5 and <= 4 mmol/L',
        evidence,
      },
      {
        id: 'fibrinogen',
        label: 'Fibrinogen',
        status: 'not-met',
        met: false,
        points: 0,
        value: 3,
        unit: 'g/L',
        rule: '> 2.5 g/L',
        evidence,
      },
      {
        id: 'ast',
        label: 'AST',
        status: 'met',
        met: true,
        points: 19,
        value: 45,
        unit: 'U/L',
        rule: '>= 30 U/L',
        evidence,
      },
      {
        id: 'hemophagocytosis',
        label: 'Haemophagocytosis on bone-marrow aspirate',
        status: 'not-met',
        met: false,
        points: 0,
        value: false,
        rule: 'present: 35 points',
        evidence,
      },
    ]);
    expect(result).toMatchObject({
      score: 172,
      range: { min: 172, max: 172 },
      maximum: 337,
      cutoff: 169,
      outcome: 'met',
      missing: [],
      evidence,
    });
  });

  it('items not assessed read "not measured" / "not assessed" with the points still reachable', () => {
    const result = scoreHScore({
      hepatomegaly: false,
      splenomegaly: false,
      hemoglobin: quantity(8, 'g/dL'),
      platelets: quantity(100, '10*9/L'),
      ferritin: quantity(3000, 'ng/mL'),
    });
    expect(result.criteria).toEqual([
      {
        id: 'knownImmunosuppression',
        label: 'Known immunosuppression',
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange: { min: 0, max: 18 },
        missing: ['Known immunosuppression'],
        rule: 'present: 18 points',
        note: 'not assessed',
        evidence,
      },
      {
        id: 'temperature',
        label: 'Temperature (C)',
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange: { min: 0, max: 49 },
        missing: ['Temperature'],
        unit: 'Cel',
        rule: 'not measured: 0-49 points',
        evidence,
      },
      {
        id: 'organomegaly',
        label: 'Organomegaly (hepatomegaly, splenomegaly)',
        status: 'not-met',
        met: false,
        points: 0,
        value: false,
        rule: 'none: 0, liver or spleen: 23, both: 38 points',
        note: 'hepatomegaly no, splenomegaly no',
        evidence,
      },
      {
        id: 'cytopenias',
        label: 'Cytopenic lineages',
        status: 'met',
        met: true,
        points: 24,
        pointsRange: { min: 24, max: 34 },
        missing: ['Leukocytes (WBC)'],
        value: 2,
        rule: '2 of 3 lineages: 24 points',
        note: 'hemoglobin 8 g/dL <= 9.2 g/dL: yes; leukocytes not measured; platelets 100000 /uL <= 110000 /uL: yes',
        evidence,
      },
      {
        id: 'ferritin',
        label: 'Ferritin',
        status: 'met',
        met: true,
        points: 35,
        value: 3000,
        unit: 'ng/mL',
        rule: '>= 2000 and <= 6000 ng/mL',
        evidence,
      },
      {
        id: 'triglycerides',
        label: 'Triglycerides',
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange: { min: 0, max: 64 },
        missing: ['Triglycerides'],
        unit: 'mmol/L',
        rule: 'not measured: 0-64 points',
        evidence,
      },
      {
        id: 'fibrinogen',
        label: 'Fibrinogen',
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange: { min: 0, max: 30 },
        missing: ['Fibrinogen'],
        unit: 'g/L',
        rule: 'not measured: 0-30 points',
        evidence,
      },
      {
        id: 'ast',
        label: 'AST',
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange: { min: 0, max: 19 },
        missing: ['AST'],
        unit: 'U/L',
        rule: 'not measured: 0-19 points',
        evidence,
      },
      {
        id: 'hemophagocytosis',
        label: 'Haemophagocytosis on bone-marrow aspirate',
        status: 'not-assessed',
        met: false,
        points: 0,
        pointsRange: { min: 0, max: 35 },
        missing: ['Haemophagocytosis'],
        rule: 'present: 35 points',
        note: 'not assessed',
        evidence,
      },
    ]);
    expect(result.score).toBe(59);
    expect(result.range).toEqual({
      min: 59,
      max: 59 + 18 + 49 + 10 + 64 + 30 + 19 + 35,
    });
    expect(result.outcome).toBe('undecided');
  });
});
