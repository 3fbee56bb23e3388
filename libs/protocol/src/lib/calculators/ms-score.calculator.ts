import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  requireQuantity,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import { stripFloatNoise } from '../units/quantity.util.js';
import { type CriterionResult, describeThreshold, meets } from './rule.util.js';

export interface MsScoreResult {
  readonly calculator: 'msscore';
  readonly score: number;
  readonly cutoff: number;
  /** Score >= -2.1: consider MAS rather than active sJIA. */
  readonly considerMas: boolean;
  readonly criteria: readonly CriterionResult[];
  readonly otherCohortCutoffs: readonly { value: number; cohort: string }[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.msScore;
const NAME = 'MS score';

/** MAS vs active sJIA (Minoia 2019). */
export function scoreMsScore(input: LabPanelInput | LabPanel): MsScoreResult {
  const panel = asLabPanel(input);
  const criteria: CriterionResult[] = [];
  let sum = 0;
  for (const [finding, coefficient] of Object.entries(definition.findings) as [
    keyof typeof definition.findings,
    number,
  ][]) {
    const present = panel.findings[finding];
    const term = present ? coefficient : 0;
    sum += term;
    criteria.push({
      id: finding,
      label: finding,
      status: present ? 'met' : 'not-met',
      met: present,
      value: present,
      rule: `${coefficient} x (1 if present, 0 if absent)`,
      points: term,
      evidence: definition.evidence,
    });
  }
  for (const { analyte, coefficient, unit } of definition.quantities) {
    const value = requireQuantity(panel, analyte, unit, NAME);
    const term = stripFloatNoise(coefficient * value);
    sum += term;
    criteria.push({
      id: analyte,
      label: analyte,
      status: 'met',
      met: true,
      value,
      unit,
      rule: `${coefficient} x value in ${unit}`,
      points: term,
      evidence: definition.evidence,
    });
  }
  const score = stripFloatNoise(sum);
  return {
    calculator: 'msscore',
    score,
    cutoff: definition.cutoff.value,
    considerMas: meets(score, definition.cutoff),
    criteria,
    otherCohortCutoffs: definition.otherCohortCutoffs,
    evidence: definition.evidence,
  };
}

export function describeMsCutoff(): string {
  return describeThreshold(definition.cutoff);
}
