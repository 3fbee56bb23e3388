import { unitLabel } from '../labels/clinical-labels.js';
import { formatBound } from '../labels/display-precision.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
  panelItemLabel,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { AnalyteId, FindingId } from '../protocol/protocol.types.js';
import { convertQuantity, stripFloatNoise } from '../units/quantity.util.js';
import {
  type CriterionResult,
  describeThreshold,
  type Outcome,
  rangeOutcome,
  type ScoreRange,
} from './rule.util.js';

/**
 * `score` is on what is known: the sum of the terms of the items assessed
 * (an item not assessed adds nothing). `range` is what is still reachable:
 * a clinical variable not assessed at 0 or 1, a value not measured anywhere
 * in its plausible range. `considerMas` is true only when decided (the whole
 * range meets the cut-off); `outcome` tells "not met" from "undecided".
 */
export interface MsScoreResult {
  readonly calculator: 'msscore';
  readonly score: number;
  readonly range: ScoreRange;
  readonly cutoff: number;
  /** Score >= -2.1 whatever the items not assessed: consider MAS rather than active sJIA. */
  readonly considerMas: boolean;
  readonly outcome: Outcome;
  /** Items not assessed (labels). */
  readonly missing: readonly string[];
  readonly criteria: readonly CriterionResult[];
  readonly otherCohortCutoffs: readonly { value: number; cohort: string }[];
  /**
   * Undecided for want of one measurement only: the value of it at which the
   * score meets the cut-off, in words ("LDH at or above 612 U/L"). A range
   * of scores says little to a clinician; the value to look for does.
   */
  readonly decidingValue?: string;
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.msScore;
const { analytes } = masProtocolDefinition;

/** Without float noise, and without -0 (a negative coefficient times 0). */
const clean = (value: number) => (value === 0 ? 0 : stripFloatNoise(value));

const ordered = (a: number, b: number): ScoreRange => ({
  min: clean(Math.min(a, b)),
  max: clean(Math.max(a, b)),
});

function findingTerm(
  panel: LabPanel,
  finding: FindingId,
  coefficient: number,
): CriterionResult {
  const status = panel.findingStatus[finding];
  const base = {
    id: finding,
    label: panelItemLabel(finding),
    rule: `${coefficient} x (1 if present, 0 if absent)`,
    evidence: definition.evidence,
  };
  // Added onto `base` (a fresh object), not spread into a new one: the
  // same keys in the same order, without V8's slow path for a spread
  // followed by new keys (this runs for every panel screened).
  if (status === 'not-assessed') {
    return Object.assign(base, {
      status: 'not-assessed' as const,
      met: false,
      points: 0,
      pointsRange: ordered(0, coefficient),
      missing: [panelItemLabel(finding)],
      note: 'not assessed',
    });
  }
  const present = status === 'present';
  return Object.assign(base, {
    status: present ? ('met' as const) : ('not-met' as const),
    met: present,
    value: present,
    points: present ? coefficient : 0,
  });
}

/** The value in `unit` at either end of the analyte's plausible range. */
function plausibleIn(analyte: AnalyteId, unit: string): ScoreRange {
  const { plausible, canonicalUnit, molarMassGPerMol } = analytes[analyte];
  const inUnit = (value: number) =>
    convertQuantity(
      { value, unit: canonicalUnit },
      unit,
      analyte,
      molarMassGPerMol,
    );
  return { min: inUnit(plausible.min), max: inUnit(plausible.max) };
}

function quantityTerm(
  panel: LabPanel,
  analyte: AnalyteId,
  coefficient: number,
  unit: string,
): CriterionResult {
  const base = {
    id: analyte,
    label: panelItemLabel(analyte),
    unit,
    rule: `${coefficient} x value in ${unit}`,
    evidence: definition.evidence,
  };
  const value = optionalQuantity(panel, analyte, unit);
  if (value === undefined) {
    const plausible = plausibleIn(analyte, unit);
    return Object.assign(base, {
      status: 'not-assessed' as const,
      met: false,
      points: 0,
      pointsRange: ordered(
        coefficient * plausible.min,
        coefficient * plausible.max,
      ),
      missing: [panelItemLabel(analyte)],
      note: `not measured: any value in the plausible range ${plausible.min}-${plausible.max} ${unit}`,
    });
  }
  return Object.assign(base, {
    status: 'met' as const,
    met: true,
    value,
    points: clean(coefficient * value),
  });
}

/** MAS vs active sJIA (Minoia 2019). */
export function scoreMsScore(input: LabPanelInput | LabPanel): MsScoreResult {
  const panel = asLabPanel(input);
  const criteria: CriterionResult[] = [
    ...(
      Object.entries(definition.findings) as [
        keyof typeof definition.findings,
        number,
      ][]
    ).map(([finding, coefficient]) => findingTerm(panel, finding, coefficient)),
    ...definition.quantities.map(({ analyte, coefficient, unit }) =>
      quantityTerm(panel, analyte, coefficient, unit),
    ),
  ];
  const score = stripFloatNoise(
    criteria.reduce((sum, c) => sum + (c.points ?? 0), 0),
  );
  const range = ordered(
    criteria.reduce((sum, c) => sum + (c.pointsRange?.min ?? c.points ?? 0), 0),
    criteria.reduce((sum, c) => sum + (c.pointsRange?.max ?? c.points ?? 0), 0),
  );
  const outcome = rangeOutcome(range, definition.cutoff);
  const decidingValue =
    outcome === 'undecided' ? decidingValueOf(criteria, score) : undefined;
  return {
    calculator: 'msscore',
    score,
    range,
    cutoff: definition.cutoff.value,
    considerMas: outcome === 'met',
    outcome,
    missing: criteria.flatMap((c) => c.missing ?? []),
    criteria,
    otherCohortCutoffs: definition.otherCohortCutoffs,
    ...(decidingValue === undefined ? {} : { decidingValue }),
    evidence: definition.evidence,
  };
}

/**
 * Where the one item not assessed is a measurement: the value of it that
 * brings the score to the cut-off (the score is linear in it), said the way
 * it decides: at or above for a positive coefficient, at or below for a
 * negative one.
 */
function decidingValueOf(
  criteria: readonly CriterionResult[],
  score: number,
): string | undefined {
  const open = criteria.filter((c) => c.status === 'not-assessed');
  const [only] = open;
  if (open.length !== 1 || only === undefined) return undefined;
  const term = definition.quantities.find((q) => q.analyte === only.id);
  if (term === undefined) return undefined;
  const value = (definition.cutoff.value - score) / term.coefficient;
  const above = term.coefficient > 0;
  // Rounded so that the value shown still meets the cut-off.
  const bound = formatBound(value, above ? 'up' : 'down');
  return `${panelItemLabel(term.analyte)} ${above ? 'at or above' : 'at or below'} ${bound} ${unitLabel(term.unit)}`;
}

export function describeMsCutoff(): string {
  return describeThreshold(definition.cutoff);
}
