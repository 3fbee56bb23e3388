/**
 * The virtual patient model's parameters: MODEL ASSUMPTIONS for training and
 * for studying the protocol, not clinical evidence. Each says where it comes
 * from: `assumption` (chosen to give plausible courses), `calibrated` (fitted
 * so that an outcome matches a published figure: `npm run calibrate` fits it,
 * a test checks it; see `mortalityCalibration`),
 * or `neutral` (an effect without good evidence, off by default).
 * Everything a simulation produces is model output.
 */
export interface ModelParameter {
  readonly value: number;
  readonly unit: string;
  readonly source: 'assumption' | 'calibrated' | 'neutral';
  readonly note: string;
}

const p = (
  value: number,
  unit: string,
  source: ModelParameter['source'],
  note: string,
): ModelParameter => ({ value, unit, source, note });

/** A setting or figure of the death hazard's calibration, labelled. */
export interface CalibrationFigure {
  readonly value: number;
  readonly unit: string;
  readonly note: string;
}

const c = (value: number, unit: string, note: string): CalibrationFigure => ({
  value,
  unit,
  note,
});

/**
 * Where `simulationModel.mortality.hazardPerHour` comes from: a fit, not a
 * hand-set value. `npm run calibrate` (machines/mas-episode/src/simulation/
 * calibrate.ts) searches the hazard by bisection, with common random numbers,
 * for the value at which the protocol policy over the sJIA scenarios gives
 * the published sJIA-MAS mortality, as a mean over independent batches of
 * courses (one batch per seed, as `runBatch` runs it: the scenarios of a
 * batch share its course seeds, so a batch, not a course, is the unit of the
 * confidence interval); it prints the search, the fit and its interval, and
 * whether `fit` below still matches. The test checks the mean over other,
 * independent batches (`check`).
 */
export const mortalityCalibration = {
  target: {
    ...c(0.08, 'fraction', 'sJIA-MAS mortality, 362 patients'),
    evidence: 'clinical-facts §8',
    citation: 'Minoia F et al. Arthritis Rheumatol 2014',
  },
  /** The policy whose courses are calibrated, over the sJIA scenarios (`sjiaScenarioIds`). */
  policyId: 'protocol',
  /** The batches the fit uses: seeds first .. first + batches - 1. */
  fitSeeds: {
    first: c(1, 'seed', 'first batch seed of the fit'),
    batches: c(40, 'batches', 'independent batches (seeds) of the fit'),
    runsPerScenario: c(30, 'courses', 'courses per sJIA scenario per batch'),
  },
  /** The batches the test checks the fitted value on (disjoint from the fit's). */
  checkSeeds: {
    first: c(1001, 'seed', 'first batch seed of the test'),
    batches: c(20, 'batches', 'independent batches (seeds) of the test'),
    runsPerScenario: c(10, 'courses', 'courses per sJIA scenario per batch'),
  },
  search: {
    relativeTolerance: c(
      0.0001,
      'fraction',
      'the bisection for the fit stops when its bracket is this narrow, relative to its top',
    ),
    intervalRelativeTolerance: c(
      0.01,
      'fraction',
      "the same for the two ends of the hazard's interval",
    ),
    significantDigits: c(
      2,
      'digits',
      'the fitted hazard is rounded to this many significant digits for the model',
    ),
    confidence: c(0.95, 'fraction', 'level of the intervals'),
  },
  /**
   * The last fit, as `npm run calibrate` printed it (the fitted value itself,
   * rounded, is `simulationModel.mortality.hazardPerHour`).
   */
  fit: {
    date: '2026-12-04',
    meanMortality: c(
      0.0796,
      'fraction',
      'mean over the fit batches at the rounded value (764 of 9600 courses)',
    ),
    mortalityInterval: {
      low: c(0.0695, 'fraction', '95% t-interval over the 40 batch means'),
      high: c(0.0896, 'fraction', '95% t-interval over the 40 batch means'),
    },
    hazardInterval: {
      low: c(0.000644, '1/h', 'hazards whose mortality interval holds 8%'),
      high: c(0.000818, '1/h', 'hazards whose mortality interval holds 8%'),
    },
    designEffect: c(
      3.23,
      'x',
      'the batch mortalities vary this much more than independent courses would',
    ),
  },
} as const;

/** How a therapy acts on disease activity (and what it costs). */
export interface TherapyEffect {
  /** Hours from the first dose to the full effect. */
  readonly onsetHours: number;
  /** Fraction of activity cleared per hour at full effect. */
  readonly clearancePerHour: number;
  /** Added hazard of a new infection per hour while on it. */
  readonly infectionHazardPerHour: number;
}

/** Where the death hazard's value comes from, from the calibration's record. */
function hazardProvenance(): string {
  const { target, fitSeeds, fit } = mortalityCalibration;
  const pct = (fraction: number) => `${(100 * fraction).toFixed(2)}%`;
  const last = fitSeeds.first.value + fitSeeds.batches.value - 1;
  return [
    `fitted by \`npm run calibrate\` on ${fit.date} (bisection, common random numbers):`,
    `the ${mortalityCalibration.policyId} policy over the sJIA scenarios gives the published`,
    `sJIA-MAS mortality ${pct(target.value)} (${target.citation}, ${target.evidence});`,
    `batch seeds ${fitSeeds.first.value}-${last}, ${fitSeeds.runsPerScenario.value} courses per scenario each;`,
    `mean ${pct(fit.meanMortality.value)}, 95% t-interval over the batches`,
    `${pct(fit.mortalityInterval.low.value)}-${pct(fit.mortalityInterval.high.value)};`,
    `hazard interval ${fit.hazardInterval.low.value}-${fit.hazardInterval.high.value} /h`,
  ].join(' ');
}

export const simulationModel = {
  id: 'mas-virtual-patient',
  version: '0.1.0',
  notice:
    'Model output for training and protocol study: never evidence, never a prediction for a real patient.',
  /** Disease activity: 0 quiet, about 1 florid MAS; the labs follow it. */
  activity: {
    growthPerHour: p(
      0.02,
      '1/h',
      'assumption',
      'untreated drive raises activity',
    ),
    ceiling: p(1.6, 'activity', 'assumption', 'activity saturates'),
    noiseSd: p(0.01, 'activity/h', 'assumption', 'course-to-course variation'),
    remissionBelow: p(
      0.15,
      'activity',
      'assumption',
      'quiet enough to call remission',
    ),
  },
  /** Organ dysfunction follows activity with a lag. */
  organ: {
    followPerHour: p(0.05, '1/h', 'assumption', 'lag of organ dysfunction'),
    perActivity: p(
      0.7,
      'dysfunction/activity',
      'assumption',
      'the level organ dysfunction tends to, per unit of activity',
    ),
    supportAbove: p(
      0.6,
      'dysfunction',
      'assumption',
      'needs organ support above this',
    ),
  },
  /** Death: hazard per hour rising with activity and organ dysfunction. */
  mortality: {
    hazardPerHour: p(0.00072, '1/h', 'calibrated', hazardProvenance()),
    organWeight: p(6, 'x', 'assumption', 'organ failure multiplies the hazard'),
    infectionWeight: p(
      3,
      'x',
      'assumption',
      'an untreated infection multiplies it',
    ),
  },
  /** Triggers. */
  infection: {
    growthPerHour: p(
      0.03,
      '1/h',
      'assumption',
      'an untreated bacterial infection worsens',
    ),
    antimicrobialClearancePerHour: p(
      0.08,
      '1/h',
      'assumption',
      'antimicrobials clear bacteria, not EBV',
    ),
    driveWeight: p(0.8, 'x', 'assumption', 'infection drives MAS activity'),
  },
  ebv: {
    growthPerHour: p(0.01, '1/h', 'assumption', 'EBV load rises untreated'),
    rituximabClearancePerHour: p(
      0.05,
      '1/h',
      'assumption',
      'rituximab clears B-cell EBV',
    ),
    etoposideClearancePerHour: p(
      0.04,
      '1/h',
      'assumption',
      'etoposide clears infected T/NK cells',
    ),
    driveWeight: p(1, 'x', 'assumption', 'EBV drives MAS activity'),
  },
  malignancy: {
    driveWeight: p(
      0.9,
      'x',
      'assumption',
      'an untreated malignancy drives MAS',
    ),
    treatmentClearancePerHour: p(
      0.03,
      '1/h',
      'assumption',
      'treating the malignancy removes its drive',
    ),
  },
  /** Therapy effects: glucocorticoids act within a day, the rest later. */
  therapies: {
    methylprednisolone: {
      onsetHours: 24,
      clearancePerHour: 0.03,
      infectionHazardPerHour: 0.00005,
    },
    dexamethasone: {
      onsetHours: 24,
      clearancePerHour: 0.03,
      infectionHazardPerHour: 0.00005,
    },
    anakinra: {
      onsetHours: 24,
      clearancePerHour: 0.03,
      infectionHazardPerHour: 0.00003,
    },
    ciclosporin: {
      onsetHours: 48,
      clearancePerHour: 0.02,
      infectionHazardPerHour: 0.00005,
    },
    emapalumab: {
      onsetHours: 48,
      clearancePerHour: 0.05,
      infectionHazardPerHour: 0.0001,
    },
    ruxolitinib: {
      onsetHours: 48,
      clearancePerHour: 0.035,
      infectionHazardPerHour: 0.0001,
    },
    baricitinib: {
      onsetHours: 48,
      clearancePerHour: 0.03,
      infectionHazardPerHour: 0.0001,
    },
    etoposide: {
      onsetHours: 72,
      clearancePerHour: 0.05,
      infectionHazardPerHour: 0.0002,
    },
    rituximab: {
      onsetHours: 72,
      clearancePerHour: 0.01,
      infectionHazardPerHour: 0.00005,
    },
    tocilizumab: {
      onsetHours: 48,
      clearancePerHour: 0.005,
      infectionHazardPerHour: 0.00005,
    },
  } satisfies Record<string, TherapyEffect>,
  /** Costs of therapy. */
  toxicity: {
    etoposideNadirHours: p(
      216,
      'h',
      'assumption',
      'neutrophil nadir about 9 days after etoposide',
    ),
    etoposideNadirDepth: p(
      0.8,
      'fraction',
      'assumption',
      'fraction of neutrophils lost at the nadir',
    ),
    etoposideNadirWidthHours: p(
      72,
      'h',
      'assumption',
      'how long the nadir lasts',
    ),
    ciclosporinCreatininePerDay: p(
      4,
      'umol/L/day',
      'assumption',
      'nephrotoxicity accumulates',
    ),
    ciclosporinPresHazardPerHour: p(0.00008, '1/h', 'assumption', 'PRES'),
    presOrganHit: p(
      0.2,
      'dysfunction',
      'assumption',
      'PRES adds organ dysfunction',
    ),
    nadirHazardWeight: p(
      8,
      'x',
      'assumption',
      'neutropenic sepsis: the death hazard rises in the etoposide nadir',
    ),
    infectionOnset: p(
      0.2,
      'load',
      'assumption',
      'an infection under immunosuppression starts at this load',
    ),
  },
  /** Effects without good evidence: neutral unless a study sets them. */
  unproven: {
    dexamethasoneCnsBenefit: p(
      0,
      'extra clearance/h',
      'neutral',
      'a benefit of dexamethasone over methylprednisolone in CNS involvement is not established',
    ),
  },
  /** Transfusion raises platelets and fibrinogen for a while. */
  transfusion: {
    plateletRise: p(
      40,
      '10*9/L',
      'assumption',
      'rise after a platelet transfusion',
    ),
    fibrinogenRise: p(100, 'mg/dL', 'assumption', 'rise after cryoprecipitate'),
    halfLifeHours: p(24, 'h', 'assumption', 'the rise fades'),
  },
  /** Results that arrive late. */
  delays: {
    sCD25Hours: p(
      48,
      'h',
      'assumption',
      'soluble IL-2 receptor, send-out test',
    ),
    nkActivityHours: p(
      72,
      'h',
      'assumption',
      'NK-cell activity, send-out test',
    ),
    infectionResultHours: p(
      2,
      'h',
      'assumption',
      'cultures and imaging show a bacterial infection',
    ),
    ebvResultHours: p(
      24,
      'h',
      'assumption',
      'EBV PCR with the infected cell type',
    ),
    malignancyResultHours: p(
      48,
      'h',
      'assumption',
      'biopsy shows the malignancy',
    ),
    marrowHours: p(24, 'h', 'assumption', 'bone marrow aspirate read'),
  },
  /**
   * The simulated clinicians' rules of thumb (the protocol leaves them to
   * judgement): when the policies transfuse, step up and call remission.
   */
  policy: {
    transfusePlateletsBelow: p(
      20,
      '10*9/L',
      'assumption',
      'platelet transfusion threshold of the simulated team',
    ),
    remissionFerritinBelow: p(
      1000,
      'ng/mL',
      'assumption',
      'ferritin low enough to call remission',
    ),
    respondingReassessmentsForRemission: p(
      2,
      'reassessments',
      'assumption',
      'responding reassessments in a row before remission',
    ),
    relapseFerritinAbove: p(
      1000,
      'ng/mL',
      'assumption',
      'in remission, ferritin back above this on consecutive monitoring labs is a relapse',
    ),
    relapseConsecutivePanels: p(
      2,
      'panels',
      'assumption',
      'consecutive monitoring labs above the relapse ferritin (one high value is noise)',
    ),
    deviationDelayHours: p(
      24,
      'h',
      'assumption',
      "the 'delay' policy: every decision this late",
    ),
    failedReassessmentsBeforeEscalation: p(
      2,
      'reassessments',
      'assumption',
      'inadequate reassessments in a row (a day on the pulse) before stepping up',
    ),
  },
  /** What the late results show, by the activity when they were taken. */
  findings: {
    nkLowAbove: p(
      0.6,
      'activity',
      'assumption',
      'NK activity low or absent above this activity',
    ),
    hemophagocytosisAbove: p(
      0.7,
      'activity',
      'assumption',
      'haemophagocytosis in the marrow above this activity',
    ),
  },
  /**
   * How the labs follow the patient: each value a baseline plus a slope times
   * what drives it (disease activity, organ dysfunction, infection), with
   * multiplicative noise. Chosen so that activity about 1 gives values typical
   * of florid MAS and activity near 0 normal ones: assumptions, not fitted.
   */
  labs: {
    noiseCv: p(
      0.05,
      'fraction',
      'assumption',
      'laboratory and biological variation of each value',
    ),
    cytopeniaActivityCap: p(
      1.3,
      'activity',
      'assumption',
      'counts, haemoglobin and fibrinogen stop falling beyond this activity',
    ),
    cnsSignsAbove: p(
      0.3,
      'activity',
      'assumption',
      'CNS involvement shows above this activity (CNS scenarios)',
    ),
    ferritinBaseline: p(250, 'ng/mL', 'assumption', 'ferritin when quiet'),
    ferritinPerActivitySquared: p(
      14000,
      'ng/mL per activity^2',
      'assumption',
      'ferritin climbs steeply with activity',
    ),
    plateletsBaseline: p(320, '10*9/L', 'assumption', 'platelets when quiet'),
    plateletsPerActivity: p(
      -230,
      '10*9/L per activity',
      'assumption',
      'platelets fall with activity',
    ),
    plateletsFloor: p(5, '10*9/L', 'assumption', 'lowest platelet count'),
    leukocytesBaseline: p(9, '10*9/L', 'assumption', 'leukocytes when quiet'),
    leukocytesPerActivity: p(
      -5.5,
      '10*9/L per activity',
      'assumption',
      'leukocytes fall with activity',
    ),
    leukocytesFloor: p(0.3, '10*9/L', 'assumption', 'lowest leukocyte count'),
    neutrophilsBaseline: p(
      5.5,
      '10*9/L',
      'assumption',
      'neutrophils when quiet',
    ),
    neutrophilsPerActivity: p(
      -4,
      '10*9/L per activity',
      'assumption',
      'neutrophils fall with activity (and in the etoposide nadir)',
    ),
    neutrophilsFloor: p(0.1, '10*9/L', 'assumption', 'lowest neutrophil count'),
    hemoglobinBaseline: p(125, 'g/L', 'assumption', 'haemoglobin when quiet'),
    hemoglobinPerActivity: p(
      -35,
      'g/L per activity',
      'assumption',
      'haemoglobin falls with activity',
    ),
    fibrinogenBaseline: p(400, 'mg/dL', 'assumption', 'fibrinogen when quiet'),
    fibrinogenPerActivity: p(
      -270,
      'mg/dL per activity',
      'assumption',
      'fibrinogen is consumed with activity',
    ),
    fibrinogenFloor: p(40, 'mg/dL', 'assumption', 'lowest fibrinogen'),
    esrPerFibrinogen: p(
      0.12,
      'mm/h per mg/dL',
      'assumption',
      'ESR follows fibrinogen, so it falls as fibrinogen is consumed',
    ),
    esrFloor: p(2, 'mm/h', 'assumption', 'lowest ESR'),
    astBaseline: p(28, 'U/L', 'assumption', 'AST when quiet'),
    astPerActivity: p(180, 'U/L per activity', 'assumption', 'AST rises'),
    altBaseline: p(22, 'U/L', 'assumption', 'ALT when quiet'),
    altPerActivity: p(120, 'U/L per activity', 'assumption', 'ALT rises'),
    ldhBaseline: p(220, 'U/L', 'assumption', 'LDH when quiet'),
    ldhPerActivity: p(1200, 'U/L per activity', 'assumption', 'LDH rises'),
    triglyceridesBaseline: p(
      100,
      'mg/dL',
      'assumption',
      'triglycerides when quiet',
    ),
    triglyceridesPerActivity: p(
      200,
      'mg/dL per activity',
      'assumption',
      'triglycerides rise',
    ),
    crpBaseline: p(4, 'mg/L', 'assumption', 'CRP when quiet'),
    crpPerActivity: p(90, 'mg/L per activity', 'assumption', 'CRP rises'),
    crpPerInfection: p(
      150,
      'mg/L per infection',
      'assumption',
      'a bacterial infection raises CRP further',
    ),
    creatinineBaseline: p(40, 'umol/L', 'assumption', 'creatinine when well'),
    creatininePerOrgan: p(
      70,
      'umol/L per dysfunction',
      'assumption',
      'creatinine rises with organ dysfunction',
    ),
    bilirubinBaseline: p(8, 'umol/L', 'assumption', 'bilirubin when quiet'),
    bilirubinPerActivity: p(
      30,
      'umol/L per activity',
      'assumption',
      'bilirubin rises',
    ),
    sCD25Baseline: p(800, 'U/mL', 'assumption', 'sCD25 when quiet'),
    sCD25PerActivity: p(
      6500,
      'U/mL per activity',
      'assumption',
      'sCD25 rises with the activity when it was taken',
    ),
    temperatureBaseline: p(37, 'Cel', 'assumption', 'temperature when quiet'),
    temperaturePerActivity: p(
      2.3,
      'Cel per activity',
      'assumption',
      'fever with activity',
    ),
    temperatureActivityCap: p(
      1.2,
      'activity',
      'assumption',
      'fever stops rising beyond this activity',
    ),
    temperaturePerInfection: p(
      1.2,
      'Cel per infection',
      'assumption',
      'an infection adds fever',
    ),
    temperatureSd: p(0.2, 'Cel', 'assumption', 'hour-to-hour variation'),
  },
} as const;

export type TherapyDrug = keyof typeof simulationModel.therapies;

/**
 * Runs `run` with the death hazard set to `hazardPerHour`, then restores the
 * model's value: how the calibration evaluates a candidate hazard (and the
 * test a wrong one) without editing this file. Synchronous work only.
 */
export function withDeathHazard<T>(hazardPerHour: number, run: () => T): T {
  if (!Number.isFinite(hazardPerHour) || hazardPerHour < 0) {
    throw new RangeError(
      `death hazard must be a finite number >= 0, not ${hazardPerHour}`,
    );
  }
  const parameter = simulationModel.mortality.hazardPerHour as {
    value: number;
  };
  const saved = parameter.value;
  parameter.value = hazardPerHour;
  try {
    const result = run();
    if (result instanceof Promise) {
      throw new TypeError('withDeathHazard runs synchronous work only');
    }
    return result;
  } finally {
    parameter.value = saved;
  }
}
