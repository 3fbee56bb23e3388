import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  requireQuantity,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { ThresholdCriterion } from '../protocol/protocol.types.js';
import { type CriterionResult, describeThreshold, meets } from './rule.util.js';

export interface Mas2016Result {
  readonly calculator: 'mas2016';
  /** False when afebrile, without known or suspected sJIA, or on tocilizumab. */
  readonly applicable: boolean;
  readonly notApplicableReasons: readonly string[];
  /** Classified as MAS: applicable, ferritin met, and enough other criteria. */
  readonly classified: boolean;
  /** The laboratory rule alone, whatever the applicability. */
  readonly laboratoryCriteriaMet: boolean;
  readonly additionalCriteriaMet: number;
  readonly criteria: readonly CriterionResult[];
  readonly warnings: readonly string[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.mas2016;
const NAME = '2016 EULAR/ACR/PRINTO MAS classification';

function evaluate(
  panel: LabPanel,
  criterion: ThresholdCriterion,
): CriterionResult {
  const [threshold] = criterion.anyOf;
  if (!threshold) throw new Error(`criterion ${criterion.id} has no cut-off`);
  const value = requireQuantity(panel, criterion.analyte, threshold.unit, NAME);
  const met = criterion.anyOf.some((t) =>
    meets(requireQuantity(panel, criterion.analyte, t.unit, NAME), t),
  );
  const explained = panel.explainedOtherwise.has(criterion.id as 'ferritin');
  return {
    id: criterion.id,
    label: criterion.label,
    status: explained ? 'explained-otherwise' : met ? 'met' : 'not-met',
    met: met && !explained,
    value,
    unit: threshold.unit,
    rule: criterion.anyOf.map(describeThreshold).join(' or '),
    ...(explained
      ? {
          note: 'marked by the clinician as better explained by another condition: does not count',
        }
      : {}),
    evidence: definition.evidence,
  };
}

/** 2016 EULAR/ACR/PRINTO classification of MAS in sJIA (Ravelli 2016). */
export function scoreMas2016(input: LabPanelInput | LabPanel): Mas2016Result {
  const panel = asLabPanel(input);
  const required = evaluate(panel, definition.required);
  const additional = definition.additional.map((c) => evaluate(panel, c));
  const additionalMet = additional.filter((c) => c.met).length;
  const laboratoryCriteriaMet =
    required.met && additionalMet >= definition.minimumAdditionalMet;

  const reasons: string[] = [];
  if (!panel.findings.febrile) {
    reasons.push(
      'the patient is not febrile (the criteria apply to febrile patients)',
    );
  }
  if (!panel.findings.sjiaKnownOrSuspected) {
    reasons.push(
      'sJIA is neither known nor suspected (the criteria apply to sJIA)',
    );
  }
  const warnings: string[] = [];
  if (panel.findings.onTocilizumab) {
    reasons.push(
      'the patient is on tocilizumab, which masks MAS features: the criteria are not valid',
    );
    warnings.push(
      'On tocilizumab only 25% of MAS cases met the 2016 criteria (Shimizu 2020): a negative result does not exclude MAS.',
    );
  }
  const applicable = reasons.length === 0;
  return {
    calculator: 'mas2016',
    applicable,
    notApplicableReasons: reasons,
    classified: applicable && laboratoryCriteriaMet,
    laboratoryCriteriaMet,
    additionalCriteriaMet: additionalMet,
    criteria: [required, ...additional],
    warnings,
    evidence: panel.findings.onTocilizumab
      ? [...definition.evidence, ...definition.tocilizumabEvidence]
      : definition.evidence,
  };
}
