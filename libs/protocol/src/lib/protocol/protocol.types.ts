/** Types of the versioned protocol definition (data, not logic). */

export type Comparator = '>' | '>=' | '<' | '<=';

/** A cut-off in the unit its source publishes. */
export interface Threshold {
  readonly op: Comparator;
  readonly value: number;
  /** UCUM code; `Cel` for temperature, `1` for a dimensionless score. */
  readonly unit: string;
}

/** One edge of a band: `inclusive` says whether the edge belongs to it. */
export interface BandEdge {
  readonly value: number;
  readonly inclusive: boolean;
}

/** A scoring band: a value inside [min, max] (edges as marked) scores `points`. */
export interface Band {
  readonly points: number;
  readonly min?: BandEdge;
  readonly max?: BandEdge;
}

export interface BandedVariable {
  readonly unit: string;
  readonly bands: readonly Band[];
}

export const analyteIds = [
  'ferritin',
  'platelets',
  'leukocytes',
  'neutrophils',
  'hemoglobin',
  'ast',
  'alt',
  'ldh',
  'triglycerides',
  'fibrinogen',
  'sCD25',
  'esr',
  'crp',
  'dDimer',
  'creatinine',
  'bilirubin',
] as const;
export type AnalyteId = (typeof analyteIds)[number];

export const findingIds = [
  'febrile',
  'sjiaKnownOrSuspected',
  'hepatomegaly',
  'splenomegaly',
  'cnsInvolvement',
  'hemorrhage',
  'activeArthritis',
  'knownImmunosuppression',
  'hemophagocytosis',
  'nkActivityLowOrAbsent',
  'onTocilizumab',
  'molecularHlhDiagnosis',
] as const;
export type FindingId = (typeof findingIds)[number];

/** Every item a panel may carry. */
export type PanelItemId =
  AnalyteId | FindingId | 'temperatureC' | 'ageDays' | 'explainedOtherwise';

export const panelItemIds: readonly PanelItemId[] = [
  ...findingIds,
  ...analyteIds,
  'temperatureC',
  'ageDays',
  'explainedOtherwise',
];

/**
 * A finding is three-valued: present (recorded `true`), absent (recorded
 * `false`) or not assessed (not recorded). Not assessed is never read as
 * absent.
 */
export type FindingStatus = 'present' | 'absent' | 'not-assessed';

/** How each finding is named to a clinician (e.g. in "missing: ..."). */
export const findingLabels: Readonly<Record<FindingId, string>> = {
  febrile: 'Fever',
  sjiaKnownOrSuspected: 'Known or suspected sJIA',
  hepatomegaly: 'Hepatomegaly',
  splenomegaly: 'Splenomegaly',
  cnsInvolvement: 'CNS involvement',
  hemorrhage: 'Haemorrhage',
  activeArthritis: 'Active arthritis',
  knownImmunosuppression: 'Known immunosuppression',
  hemophagocytosis: 'Haemophagocytosis',
  nkActivityLowOrAbsent: 'Low or absent NK-cell activity',
  onTocilizumab: 'On tocilizumab',
  molecularHlhDiagnosis: 'Molecular HLH diagnosis',
};

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface AnalyteDefinition {
  readonly label: string;
  /** The unit values are stored and shown in. */
  readonly canonicalUnit: string;
  /** UCUM codes accepted from laboratories. */
  readonly acceptedUnits: readonly string[];
  /** Molar mass for mass <-> substance conversions (g/mol). */
  readonly molarMassGPerMol?: number;
  /** The unit a form preselects (one of `acceptedUnits`). */
  readonly usualUnit: string;
  /**
   * Plausible range in the canonical unit: outside it a value is
   * physiologically impossible and refused (an input error).
   */
  readonly plausible: Range;
  /**
   * Usual range in the canonical unit, severe MAS included: outside it (but
   * plausible) a value is accepted only once confirmed, as it most often
   * means a unit slip (platelets "110 /uL" for 110 x10^9/L).
   */
  readonly usual: Range;
  readonly evidence: readonly string[];
}

/**
 * The lab picture: the latest value of each item, combined across panels
 * while it is recent enough.
 */
export interface LabPictureDefinition {
  /** A value older than this (before the time asked about) leaves the picture. */
  readonly windowHours: number;
  /** Items that stay in the picture whatever their age (until replaced). */
  readonly durableItems: readonly PanelItemId[];
  readonly evidence: readonly string[];
}

export interface ThresholdCriterion {
  readonly id: string;
  readonly label: string;
  readonly analyte: AnalyteId;
  /** Met when any of these holds (a source may publish the cut-off in two units). */
  readonly anyOf: readonly Threshold[];
}

export interface LineageCriterion {
  readonly analyte: AnalyteId;
  readonly label: string;
  readonly threshold: Threshold;
  /** A different limit below an age, applied only when an age is given. */
  readonly belowAge?: {
    readonly ageDays: number;
    readonly threshold: Threshold;
  };
}

export type DoseBasis = 'mg/kg' | 'mg/m2';
export type DosePeriod = 'day' | 'dose';
export type Route = 'iv' | 'oral' | 'sc';

export interface DoseCap {
  readonly mg: number;
  readonly per: 'infusion' | 'dose' | 'day';
  readonly evidence: readonly string[];
}

/** A group of the response rule: parameters and the direction that improves. */
export interface ResponseGroup {
  readonly label: string;
  /** A panel pair lacking every parameter of a required group is an error. */
  readonly required: boolean;
  readonly parameters: readonly {
    readonly analyte: AnalyteId;
    readonly improvesWhen: 'increasing' | 'decreasing';
  }[];
}

export type TherapyClass =
  'glucocorticoid' | 'second-line' | 'refractory' | 'ebv-directed';

export interface TherapyDefinition {
  readonly class: TherapyClass;
  readonly evidence: readonly string[];
}

export type ScreeningKind =
  | 'tb-screening'
  | 'zoster-prophylaxis'
  | 'pjp-prophylaxis'
  | 'fungal-prophylaxis'
  | 'hbv-serology';

export type ResumePolicy = 'keep' | 'restart';

export interface DueTimeDefinition {
  readonly label: string;
  /** A protocol interval... */
  readonly intervalHours?: number;
  /** ...or one the institution sets (no published figure). */
  readonly intervalProfileField?: string;
  /** On resumption after a hold: keep the original due time, or restart. */
  readonly resumePolicy: ResumePolicy;
  readonly pausesOnHold: 'always' | 'never' | 'unless-immunosuppressed';
  readonly evidence: readonly string[];
}
