/**
 * mas-protocol 1.0.0: every clinical number the software uses, with the
 * evidence entry it comes from. Logic reads these values; it holds none.
 *
 * Figures tagged [U] in clinical-facts.md are absent here on purpose: they are
 * institution-set parameters (see the institution profile), with no default.
 */
import type {
  AnalyteDefinition,
  AnalyteId,
  BandedVariable,
  DoseCap,
  DueTimeDefinition,
  LabPictureDefinition,
  LineageCriterion,
  Range,
  ResponseGroup,
  ScreeningKind,
  TherapyDefinition,
  Threshold,
  ThresholdCriterion,
} from './protocol.types.js';

/**
 * Two tiers of input checks per analyte (canonical unit): outside `plausible`
 * a value is impossible and refused; outside `usual` it is accepted once
 * confirmed (most often a unit slip). Both are software bounds, not clinical
 * thresholds.
 */
const analytes: Readonly<Record<AnalyteId, AnalyteDefinition>> = {
  ferritin: {
    label: 'Ferritin',
    canonicalUnit: 'ng/mL',
    usualUnit: 'ng/mL',
    acceptedUnits: ['ng/mL', 'ug/L'],
    plausible: { min: 0, max: 1_000_000 },
    usual: { min: 1, max: 200_000 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  platelets: {
    label: 'Platelets',
    canonicalUnit: '10*9/L',
    usualUnit: '10*9/L',
    acceptedUnits: ['10*9/L', '10*3/uL', '/uL'],
    plausible: { min: 0, max: 5000 },
    usual: { min: 1, max: 1500 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  leukocytes: {
    label: 'Leukocytes (WBC)',
    canonicalUnit: '10*9/L',
    usualUnit: '10*9/L',
    acceptedUnits: ['10*9/L', '10*3/uL', '/uL'],
    plausible: { min: 0, max: 1000 },
    usual: { min: 0.1, max: 200 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  neutrophils: {
    label: 'Neutrophils (ANC)',
    canonicalUnit: '10*9/L',
    usualUnit: '10*9/L',
    acceptedUnits: ['10*9/L', '10*3/uL', '/uL'],
    plausible: { min: 0, max: 500 },
    usual: { min: 0.01, max: 100 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  hemoglobin: {
    label: 'Haemoglobin',
    canonicalUnit: 'g/L',
    usualUnit: 'g/L',
    acceptedUnits: ['g/L', 'g/dL'],
    plausible: { min: 0, max: 300 },
    usual: { min: 30, max: 250 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  ast: {
    label: 'AST',
    canonicalUnit: 'U/L',
    usualUnit: 'U/L',
    acceptedUnits: ['U/L'],
    plausible: { min: 0, max: 100_000 },
    usual: { min: 3, max: 20_000 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  alt: {
    label: 'ALT',
    canonicalUnit: 'U/L',
    usualUnit: 'U/L',
    acceptedUnits: ['U/L'],
    plausible: { min: 0, max: 100_000 },
    usual: { min: 3, max: 20_000 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  ldh: {
    label: 'LDH',
    canonicalUnit: 'U/L',
    usualUnit: 'U/L',
    acceptedUnits: ['U/L'],
    plausible: { min: 0, max: 200_000 },
    usual: { min: 50, max: 50_000 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  triglycerides: {
    label: 'Triglycerides',
    canonicalUnit: 'mmol/L',
    usualUnit: 'mmol/L',
    acceptedUnits: ['mmol/L', 'mg/dL'],
    // mg/dL = mmol/L x 88.57 (clinical-facts.md section 9), i.e. 885.7 g/mol.
    molarMassGPerMol: 885.7,
    plausible: { min: 0, max: 200 },
    usual: { min: 0.1, max: 50 },
    evidence: [
      'seed.monitoring.2',
      'software.ucum',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  fibrinogen: {
    label: 'Fibrinogen',
    canonicalUnit: 'g/L',
    usualUnit: 'g/L',
    acceptedUnits: ['g/L', 'mg/dL'],
    plausible: { min: 0, max: 20 },
    usual: { min: 0.1, max: 10 },
    evidence: [
      'seed.monitoring.3',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  sCD25: {
    label: 'Soluble CD25 (sIL-2R)',
    canonicalUnit: 'U/mL',
    usualUnit: 'U/mL',
    acceptedUnits: ['U/mL'],
    plausible: { min: 0, max: 1_000_000 },
    usual: { min: 50, max: 200_000 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  esr: {
    label: 'ESR',
    canonicalUnit: 'mm/h',
    usualUnit: 'mm/h',
    acceptedUnits: ['mm/h'],
    plausible: { min: 0, max: 200 },
    usual: { min: 1, max: 150 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  crp: {
    label: 'CRP',
    canonicalUnit: 'mg/L',
    usualUnit: 'mg/L',
    acceptedUnits: ['mg/L', 'mg/dL'],
    plausible: { min: 0, max: 1000 },
    usual: { min: 0, max: 500 },
    evidence: [
      'seed.monitoring.2',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  dDimer: {
    label: 'D-dimer',
    canonicalUnit: 'mg/L',
    usualUnit: 'mg/L',
    acceptedUnits: ['mg/L', 'ug/mL', 'ng/mL'],
    plausible: { min: 0, max: 1000 },
    usual: { min: 0.05, max: 100 },
    evidence: [
      'seed.monitoring.3',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  creatinine: {
    label: 'Creatinine',
    canonicalUnit: 'umol/L',
    usualUnit: 'umol/L',
    acceptedUnits: ['umol/L', 'mg/dL'],
    molarMassGPerMol: 113.12,
    plausible: { min: 0, max: 10_000 },
    usual: { min: 5, max: 2000 },
    evidence: [
      'seed.monitoring.2',
      'software.ucum',
      'software.plausibility',
      'software.usual-range',
    ],
  },
  bilirubin: {
    label: 'Bilirubin (total)',
    canonicalUnit: 'umol/L',
    usualUnit: 'umol/L',
    acceptedUnits: ['umol/L', 'mg/dL'],
    molarMassGPerMol: 584.66,
    plausible: { min: 0, max: 2000 },
    usual: { min: 1, max: 800 },
    evidence: [
      'seed.monitoring.2',
      'software.ucum',
      'software.plausibility',
      'software.usual-range',
    ],
  },
};

const above = (value: number, unit: string): Threshold => ({
  op: '>',
  value,
  unit,
});
const atMost = (value: number, unit: string): Threshold => ({
  op: '<=',
  value,
  unit,
});
const atLeast = (value: number, unit: string): Threshold => ({
  op: '>=',
  value,
  unit,
});
const below = (value: number, unit: string): Threshold => ({
  op: '<',
  value,
  unit,
});

const mas2016Additional: readonly ThresholdCriterion[] = [
  {
    id: 'platelets',
    label: 'Platelets <= 181 x10^9/L',
    analyte: 'platelets',
    anyOf: [atMost(181, '10*9/L')],
  },
  {
    id: 'ast',
    label: 'AST > 48 U/L',
    analyte: 'ast',
    anyOf: [above(48, 'U/L')],
  },
  {
    id: 'triglycerides',
    label: 'Triglycerides > 156 mg/dL',
    analyte: 'triglycerides',
    anyOf: [above(156, 'mg/dL')],
  },
  {
    id: 'fibrinogen',
    label: 'Fibrinogen <= 360 mg/dL',
    analyte: 'fibrinogen',
    anyOf: [atMost(360, 'mg/dL')],
  },
];

const hscoreLineages: readonly LineageCriterion[] = [
  {
    analyte: 'hemoglobin',
    label: 'Haemoglobin <= 9.2 g/dL',
    threshold: atMost(9.2, 'g/dL'),
  },
  {
    analyte: 'leukocytes',
    label: 'Leukocytes <= 5000 /uL',
    threshold: atMost(5000, '/uL'),
  },
  {
    analyte: 'platelets',
    label: 'Platelets <= 110,000 /uL',
    threshold: atMost(110_000, '/uL'),
  },
];

const hscoreTemperature: BandedVariable = {
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

const hscoreFerritin: BandedVariable = {
  unit: 'ng/mL',
  bands: [
    { points: 0, max: { value: 2000, inclusive: false } },
    {
      points: 35,
      min: { value: 2000, inclusive: true },
      max: { value: 6000, inclusive: true },
    },
    { points: 50, min: { value: 6000, inclusive: false } },
  ],
};

const hscoreTriglycerides: BandedVariable = {
  unit: 'mmol/L',
  bands: [
    { points: 0, max: { value: 1.5, inclusive: false } },
    {
      points: 44,
      min: { value: 1.5, inclusive: true },
      max: { value: 4, inclusive: true },
    },
    { points: 64, min: { value: 4, inclusive: false } },
  ],
};

const hscoreFibrinogen: BandedVariable = {
  unit: 'g/L',
  bands: [
    { points: 30, max: { value: 2.5, inclusive: true } },
    { points: 0, min: { value: 2.5, inclusive: false } },
  ],
};

const hscoreAst: BandedVariable = {
  unit: 'U/L',
  bands: [
    { points: 0, max: { value: 30, inclusive: false } },
    { points: 19, min: { value: 30, inclusive: true } },
  ],
};

/** Fardet 2014: probability by score, a lookup table (no formula). */
const hscoreProbabilityTable: readonly {
  readonly score: number;
  readonly label: string;
  readonly edge?: 'at-or-below' | 'at-or-above';
}[] = [
  { score: 90, label: '<1%', edge: 'at-or-below' },
  { score: 100, label: '1%' },
  { score: 110, label: '3%' },
  { score: 120, label: '5%' },
  { score: 130, label: '9%' },
  { score: 140, label: '16%' },
  { score: 150, label: '25%' },
  { score: 160, label: '40%' },
  { score: 170, label: '54%' },
  { score: 180, label: '70%' },
  { score: 190, label: '80%' },
  { score: 200, label: '88%' },
  { score: 210, label: '93%' },
  { score: 220, label: '96%' },
  { score: 230, label: '98%' },
  { score: 240, label: '99%' },
  { score: 250, label: '>99%', edge: 'at-or-above' },
];

/** The seed: clinical reassessment at least every 12 hours. */
const reassessmentIntervalHours = 12;

const methylprednisoloneCap: DoseCap = {
  mg: 1000,
  per: 'infusion',
  evidence: ['seed.initial.1'],
};

export const masProtocolDefinition = {
  id: 'mas-protocol',
  version: '1.0.0',
  title: 'Treatment approach for Macrophage Activation Syndrome (MAS)',
  /** Significant digits kept after a unit conversion (strips float noise). */
  conversionSignificantDigits: 10,
  analytes,
  patient: {
    weightKg: { min: 0.3, max: 350 } satisfies Range,
    heightCm: { min: 20, max: 250 } satisfies Range,
    temperatureC: { min: 25, max: 45 } satisfies Range,
    ageDays: { min: 0, max: 45_000 } satisfies Range,
    creatinineClearanceMlMin: { min: 0, max: 400 } satisfies Range,
    evidence: ['software.plausibility'],
    /**
     * Usual ranges: outside them (but plausible) a measure is accepted only
     * once confirmed (grams for kilograms, metres for centimetres, a birth
     * date with the wrong year). Age is in days, from the birth date.
     */
    usual: {
      weightKg: { min: 1, max: 200 } satisfies Range,
      heightCm: { min: 40, max: 220 } satisfies Range,
      temperatureC: { min: 34, max: 42 } satisfies Range,
      /** Up to 100 years (36,525 days). */
      ageDays: { min: 0, max: 36_525 } satisfies Range,
    },
    usualEvidence: ['software.usual-range'],
    /**
     * A new weight or height against what the episode holds: a weight that
     * moves by `weightFactor` or more (up or down) from the one recorded
     * before it, or a body mass index (kg/m2) outside its usual range, is
     * accepted only once confirmed (a misplaced decimal, pounds for
     * kilograms): doses are computed and checked from the weight.
     */
    change: {
      weightFactor: 1.25,
      bodyMassIndex: { min: 8, max: 60 } satisfies Range,
      evidence: ['software.measure-change'],
    },
  },
  /**
   * The lab picture: the latest value of each item, combined across panels
   * (a small panel of blood counts keeps the morning's ferritin). An item
   * counts only while it is at most `windowHours` old: one daily monitoring
   * interval, as labs are repeated daily at first (Jordan 2011) and MAS moves
   * fast (the seed's pitfall "rapid progression"). The figure is derived [C],
   * not published: a longer window would combine values of different days
   * into a picture the patient never had. Findings that do not change within
   * an episode (known sJIA, known immunosuppression, a marrow or NK-cell
   * result, a molecular diagnosis, tocilizumab exposure) and the age stay
   * until replaced.
   */
  labPicture: {
    windowHours: 24,
    durableItems: [
      'sjiaKnownOrSuspected',
      'knownImmunosuppression',
      'hemophagocytosis',
      'nkActivityLowOrAbsent',
      'molecularHlhDiagnosis',
      'onTocilizumab',
      'ageDays',
    ],
    evidence: [
      'lit.jordan-2011',
      'seed.monitoring.2',
      'seed.pitfalls.4',
      'software.lab-picture',
    ],
  } satisfies LabPictureDefinition,
  monitoring: {
    /** Clinical reassessment at least every 12 hours. */
    reassessmentIntervalHours,
    evidence: ['seed.monitoring.1'],
    /** What each reassessment panel should hold (sCD25 is optional: it arrives late). */
    items: [
      'ferritin',
      'platelets',
      'neutrophils',
      'hemoglobin',
      'fibrinogen',
      'ast',
      'alt',
      'creatinine',
      'bilirubin',
    ] satisfies AnalyteId[],
    itemsEvidence: ['seed.monitoring.2'],
  },
  mas2016: {
    evidence: ['lit.ravelli-2016'],
    tocilizumabEvidence: ['lit.shimizu-2020', 'review.section-10'],
    required: {
      id: 'ferritin',
      label: 'Ferritin > 684 ng/mL',
      analyte: 'ferritin',
      anyOf: [above(684, 'ng/mL')],
    } satisfies ThresholdCriterion,
    additional: mas2016Additional,
    minimumAdditionalMet: 2,
  },
  hscore: {
    evidence: ['lit.fardet-2014'],
    knownImmunosuppressionPoints: 18,
    temperature: hscoreTemperature,
    organomegalyPoints: { none: 0, one: 23, both: 38 },
    cytopenias: {
      lineages: hscoreLineages,
      /** Points by the number of cytopenic lineages (index = count). */
      pointsByLineageCount: [0, 0, 24, 34],
    },
    ferritin: hscoreFerritin,
    triglycerides: hscoreTriglycerides,
    fibrinogen: hscoreFibrinogen,
    ast: hscoreAst,
    hemophagocytosisPoints: 35,
    probabilityTable: hscoreProbabilityTable,
    cutoff: atLeast(169, '1'),
  },
  hlh2004: {
    evidence: ['lit.henter-2007'],
    feverConvention: {
      threshold: atLeast(38.5, 'Cel'),
      evidence: ['lit.jordan-2011'],
    },
    cytopenias: {
      minimumLineages: 2,
      lineages: [
        {
          analyte: 'hemoglobin',
          label: 'Haemoglobin < 90 g/L (< 100 g/L under 4 weeks of age)',
          threshold: below(90, 'g/L'),
          belowAge: { ageDays: 28, threshold: below(100, 'g/L') },
        },
        {
          analyte: 'platelets',
          label: 'Platelets < 100 x10^9/L',
          threshold: below(100, '10*9/L'),
        },
        {
          analyte: 'neutrophils',
          label: 'Neutrophils < 1.0 x10^9/L',
          threshold: below(1.0, '10*9/L'),
        },
      ] satisfies LineageCriterion[],
    },
    triglycerides: {
      id: 'triglycerides',
      label: 'Fasting triglycerides >= 3.0 mmol/L (>= 265 mg/dL)',
      analyte: 'triglycerides',
      anyOf: [atLeast(3.0, 'mmol/L'), atLeast(265, 'mg/dL')],
    } satisfies ThresholdCriterion,
    fibrinogen: {
      id: 'fibrinogen',
      label: 'Fibrinogen <= 1.5 g/L',
      analyte: 'fibrinogen',
      anyOf: [atMost(1.5, 'g/L')],
    } satisfies ThresholdCriterion,
    ferritin: {
      id: 'ferritin',
      label: 'Ferritin >= 500 ug/L',
      analyte: 'ferritin',
      anyOf: [atLeast(500, 'ug/L')],
    } satisfies ThresholdCriterion,
    sCD25: {
      id: 'sCD25',
      label: 'Soluble CD25 >= 2400 U/mL',
      analyte: 'sCD25',
      anyOf: [atLeast(2400, 'U/mL')],
    } satisfies ThresholdCriterion,
    criteriaForDiagnosis: 5,
    criteriaTotal: 8,
  },
  msScore: {
    evidence: ['lit.minoia-2019'],
    findings: { cnsInvolvement: 2.44, hemorrhage: 1.54, activeArthritis: -1.3 },
    quantities: [
      { analyte: 'platelets', coefficient: -0.003, unit: '10*9/L' },
      { analyte: 'ldh', coefficient: 0.001, unit: 'U/L' },
      { analyte: 'fibrinogen', coefficient: -0.004, unit: 'mg/dL' },
      { analyte: 'ferritin', coefficient: 0.0001, unit: 'ng/mL' },
    ] satisfies { analyte: AnalyteId; coefficient: number; unit: string }[],
    cutoff: atLeast(-2.1, '1'),
    /** Reported for information; the protocol applies `cutoff`. */
    otherCohortCutoffs: [
      { value: -1.74, cohort: 'AOSD (Yao 2021)' },
      { value: -1.5, cohort: 'Danish cohort' },
    ],
  },
  ferritinEsr: {
    evidence: ['lit.eloseily-2019'],
    ferritinUnit: 'ng/mL',
    esrUnit: 'mm/h',
    cutoff: atLeast(21.5, '1'),
    otherCohortCutoffs: [{ value: 19.4, cohort: 'Danish cohort' }],
  },
  response: {
    evidence: ['seed.monitoring.3', 'review.section-10'],
    /**
     * Directions from the seed; magnitudes are institution-set. Fever and CRP
     * are deliberately absent: tocilizumab masks them (Shimizu 2020).
     */
    groups: {
      inflammation: {
        label: 'ferritin',
        required: true,
        parameters: [{ analyte: 'ferritin', improvesWhen: 'decreasing' }],
      },
      cytopenias: {
        label: 'blood counts',
        required: true,
        parameters: [
          { analyte: 'platelets', improvesWhen: 'increasing' },
          { analyte: 'neutrophils', improvesWhen: 'increasing' },
          { analyte: 'hemoglobin', improvesWhen: 'increasing' },
        ],
      },
      coagulopathy: {
        label: 'coagulation',
        required: true,
        parameters: [
          { analyte: 'fibrinogen', improvesWhen: 'increasing' },
          { analyte: 'dDimer', improvesWhen: 'decreasing' },
        ],
      },
    } satisfies Record<string, ResponseGroup>,
  },
  /** How each drug of the seed is classed in the care episode. */
  therapies: {
    methylprednisolone: {
      class: 'glucocorticoid',
      evidence: ['seed.initial.1', 'seed.lead'],
    },
    dexamethasone: {
      class: 'glucocorticoid',
      evidence: ['seed.initial.2', 'review.section-10'],
    },
    ciclosporin: {
      class: 'second-line',
      evidence: ['seed.second-line.2', 'seed.second-line.3'],
    },
    anakinra: {
      class: 'second-line',
      evidence: ['seed.second-line.4', 'seed.emerging.1', 'seed.emerging.3'],
    },
    tocilizumab: {
      class: 'second-line',
      evidence: ['seed.subtype.1', 'lit.shimizu-2020'],
    },
    emapalumab: {
      class: 'refractory',
      evidence: ['seed.refractory.1', 'lit.emapalumab-label'],
    },
    ruxolitinib: { class: 'refractory', evidence: ['seed.refractory.2'] },
    baricitinib: { class: 'refractory', evidence: ['seed.refractory.2'] },
    etoposide: { class: 'refractory', evidence: ['seed.refractory.3'] },
    rituximab: {
      class: 'ebv-directed',
      evidence: [
        'seed.refractory.4',
        'lit.chellapandian-2013',
        'lit.rituximab-label',
      ],
    },
  } satisfies Record<string, TherapyDefinition>,
  /** Safety checks a drug needs recorded (or overridden) before it starts. */
  requiredScreenings: {
    emapalumab: [
      'tb-screening',
      'zoster-prophylaxis',
      'pjp-prophylaxis',
      'fungal-prophylaxis',
    ],
    rituximab: ['hbv-serology'],
  } satisfies Record<string, readonly ScreeningKind[]>,
  screeningEvidence: {
    'tb-screening': ['lit.emapalumab-label', 'review.section-10'],
    'zoster-prophylaxis': ['lit.emapalumab-label', 'review.section-10'],
    'pjp-prophylaxis': ['lit.emapalumab-label', 'review.section-10'],
    'fungal-prophylaxis': ['lit.emapalumab-label', 'review.section-10'],
    'hbv-serology': ['lit.rituximab-label', 'review.section-10'],
  } satisfies Record<ScreeningKind, readonly string[]>,
  /** Underlying diseases whose patients are followed (and screened) before any suspicion. */
  atRiskDiseases: ['sJIA', 'AOSD', 'SLE'],
  atRiskEvidence: ['seed.pitfalls.3', 'review.section-10'],
  /** Still's disease: where tocilizumab is recommended. */
  stillsDiseases: ['sJIA', 'AOSD'],
  /**
   * Due times of the care episode. Each says what happens on hold: whether it
   * pauses, and how it resumes (keep the original due time, or restart the
   * interval at resumption). Intervals without a published figure come from
   * the institution profile.
   */
  dueTimes: {
    reassessment: {
      label: 'clinical reassessment',
      intervalHours: reassessmentIntervalHours,
      resumePolicy: 'restart',
      pausesOnHold: 'unless-immunosuppressed',
      evidence: ['seed.monitoring.1', 'review.section-10'],
    },
    labs: {
      label: 'monitoring labs',
      intervalHours: 24,
      resumePolicy: 'keep',
      pausesOnHold: 'always',
      evidence: ['seed.monitoring.2', 'lit.jordan-2011'],
    },
    glucocorticoidStart: {
      label: 'first glucocorticoid after suspicion',
      intervalProfileField: 'delays.suspicionToGlucocorticoidMaxHours',
      resumePolicy: 'keep',
      pausesOnHold: 'never',
      evidence: ['seed.initial.3', 'seed.pitfalls.1'],
    },
    countersignature: {
      label: 'second senior countersignature of an emergency start',
      intervalProfileField: 'delays.countersignatureWindowHours',
      resumePolicy: 'keep',
      pausesOnHold: 'never',
      evidence: ['review.section-10'],
    },
  } satisfies Record<string, DueTimeDefinition>,
  bodySurfaceArea: {
    formula: 'mosteller',
    /** BSA m2 = sqrt(heightCm x weightKg / divisor). */
    divisor: 3600,
    evidence: ['lit.mosteller-1987'],
  },
  doses: {
    methylprednisolone: {
      route: 'iv',
      basis: 'mg/kg',
      period: 'day',
      range: { min: 15, max: 30 } satisfies Range,
      caps: [methylprednisoloneCap],
      evidence: ['seed.initial.1', 'lit.emerald-nct05001737'],
    },
    ciclosporin: {
      oral: {
        basis: 'mg/kg',
        period: 'day',
        range: { min: 2, max: 5 } satisfies Range,
        evidence: ['seed.second-line.2', 'seed.second-line.3', 'lit.mouy-1996'],
      },
    },
    anakinra: {
      basis: 'mg/kg',
      period: 'day',
      /** The standard dose; the seed asks for more in MAS. */
      standardRange: { min: 1, max: 2 } satisfies Range,
      standardEvidence: ['seed.second-line.4'],
      highestReportedMgPerKgPerDay: 29.4,
      highestReportedEvidence: ['lit.anakinra-mas-dosing'],
      /**
       * The mean induction dose reported in MAS: what a form offers first
       * (the prescriber chooses; the checks hold it against the limits).
       */
      reportedMeanInductionMgPerKgPerDay: 5.1,
      reportedMeanInductionEvidence: ['lit.anakinra-mas-dosing'],
      renalAdjustmentBelowCrClMlMin: 30,
      /**
       * The label's adjustment below that clearance: the prescribed dose
       * every other day. A record given at this interval or longer is the
       * adjustment made (no flag); a shorter one is flagged.
       */
      renalAdjustedEveryHours: 48,
      renalEvidence: ['lit.anakinra-label'],
      routes: ['sc', 'iv'],
      evidence: ['seed.second-line.4', 'lit.anakinra-mas-dosing'],
    },
    emapalumab: {
      route: 'iv',
      basis: 'mg/kg',
      period: 'dose',
      phases: {
        initial: { mgPerKg: 6, schedule: 'first infusion' },
        maintenance: {
          mgPerKg: 3,
          schedule:
            'every 3 days to day 15, then twice weekly to day 28 (could be adapted)',
        },
      },
      evidence: ['seed.refractory.1', 'lit.nct03311854'],
    },
    rituximab: {
      route: 'iv',
      basis: 'mg/m2',
      period: 'dose',
      defaultMgPerM2: 375,
      evidence: ['seed.refractory.4', 'lit.chellapandian-2013'],
    },
    /**
     * The drugs that may be recorded as pulses (day n of an N-day pulse):
     * the glucocorticoids, methylprednisolone's intravenous pulses and
     * dexamethasone (a glucocorticoid is never refused for the way its
     * course is written down). A pulse recorded for any other drug is an
     * input error (checkRecordedDose).
     */
    pulses: {
      drugs: ['methylprednisolone', 'dexamethasone'],
      evidence: ['seed.initial.1', 'seed.initial.2', 'review.section-10'],
    },
    /**
     * Recorded doses (checkRecordedDose): the UCUM mass units a dose may be
     * recorded in, and the significant digits of the figures its messages
     * show (the limits themselves keep full precision).
     */
    recorded: {
      units: ['mg', 'g', 'ug'],
      messageSignificantDigits: 4,
      evidence: ['software.ucum'],
    },
  },
} as const;

export type MasProtocolDefinition = typeof masProtocolDefinition;
