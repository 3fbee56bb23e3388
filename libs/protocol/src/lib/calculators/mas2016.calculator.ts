import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
  panelItemLabel,
  requireQuantity,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type {
  FindingId,
  ThresholdCriterion,
} from '../protocol/protocol.types.js';
import {
  type CriterionResult,
  describeThreshold,
  meets,
  type Outcome,
} from './rule.util.js';

export type Applicability = 'applicable' | 'not-applicable' | 'undecided';

/**
 * The booleans (`applicable`, `classified`, `laboratoryCriteriaMet`) are true
 * only when decided on what is known; the `...Outcome` fields tell "not met"
 * from "cannot be decided yet" (an item not assessed could still turn it).
 */
export interface Mas2016Result {
  readonly calculator: 'mas2016';
  /** Febrile and known or suspected sJIA, both recorded, and not on tocilizumab. */
  readonly applicable: boolean;
  readonly applicability: Applicability;
  /** The recorded facts that make the criteria not applicable. */
  readonly notApplicableReasons: readonly string[];
  /** Classified as MAS: applicable, ferritin met, and enough other criteria. */
  readonly classified: boolean;
  /** `undecided`: cannot be decided yet (see `missing`). */
  readonly outcome: Outcome;
  /** The laboratory rule alone, whatever the applicability. */
  readonly laboratoryCriteriaMet: boolean;
  readonly laboratoryOutcome: Outcome;
  readonly additionalCriteriaMet: number;
  /** Other criteria not measured yet (neither met nor not met). */
  readonly additionalCriteriaOpen: number;
  /** Items not assessed that could still change the outcome (labels). */
  readonly missing: readonly string[];
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
  const explained = panel.explainedOtherwise.has(criterion.id as 'ferritin');
  const rule = criterion.anyOf.map(describeThreshold).join(' or ');
  const explainedNote = {
    note: 'marked by the clinician as better explained by another condition: does not count',
  };
  const value = optionalQuantity(panel, criterion.analyte, threshold.unit);
  if (value === undefined) {
    // Object.assign onto a fresh object rather than spreads followed by
    // new keys (V8's slow path; this runs for every panel screened): the
    // same keys in the same order.
    return Object.assign(
      {
        id: criterion.id,
        label: criterion.label,
        status: explained
          ? ('explained-otherwise' as const)
          : ('not-assessed' as const),
        met: false,
        unit: threshold.unit,
        rule,
      },
      explained
        ? explainedNote
        : {
            missing: [panelItemLabel(criterion.analyte)],
            note: 'not measured: cannot be decided yet',
          },
      { evidence: definition.evidence },
    );
  }
  const met = criterion.anyOf.some((t) =>
    meets(requireQuantity(panel, criterion.analyte, t.unit, NAME), t),
  );
  return Object.assign(
    {
      id: criterion.id,
      label: criterion.label,
      status: explained
        ? ('explained-otherwise' as const)
        : met
          ? ('met' as const)
          : ('not-met' as const),
      met: met && !explained,
      value,
      unit: threshold.unit,
      rule,
    },
    explained ? explainedNote : {},
    { evidence: definition.evidence },
  );
}

/** The entry conditions: recorded present, or the reason they fail. */
const entryConditions: readonly { id: FindingId; reason: string }[] = [
  {
    id: 'febrile',
    reason:
      'the patient is not febrile (the criteria apply to febrile patients)',
  },
  {
    id: 'sjiaKnownOrSuspected',
    reason: 'sJIA is neither known nor suspected (the criteria apply to sJIA)',
  },
];

function laboratoryOutcome(
  required: CriterionResult,
  additional: readonly CriterionResult[],
): Outcome {
  const met = additional.filter((c) => c.met).length;
  const open = additional.filter((c) => c.status === 'not-assessed').length;
  const requiredDecided = required.status !== 'not-assessed';
  if (requiredDecided && !required.met) return 'not-met';
  if (met + open < definition.minimumAdditionalMet) return 'not-met';
  if (required.met && met >= definition.minimumAdditionalMet) return 'met';
  return 'undecided';
}

/**
 * 2016 EULAR/ACR/PRINTO classification of MAS in sJIA (Ravelli 2016). An
 * entry condition or a value not assessed is never read as absent: the
 * classification is then "cannot be decided yet" with what is missing.
 * Tocilizumab exposure is not an entry condition of the published criteria:
 * only a recorded `onTocilizumab: true` makes them not applicable.
 */
export function scoreMas2016(input: LabPanelInput | LabPanel): Mas2016Result {
  const panel = asLabPanel(input);
  const required = evaluate(panel, definition.required);
  const additional = definition.additional.map((c) => evaluate(panel, c));
  const laboratory = laboratoryOutcome(required, additional);

  const reasons: string[] = [];
  const notAssessed: string[] = [];
  for (const condition of entryConditions) {
    const status = panel.findingStatus[condition.id];
    if (status === 'absent') reasons.push(condition.reason);
    if (status === 'not-assessed') {
      notAssessed.push(panelItemLabel(condition.id));
    }
  }
  const warnings: string[] = [];
  const onTocilizumab = panel.findingStatus.onTocilizumab === 'present';
  if (onTocilizumab) {
    reasons.push(
      'the patient is on tocilizumab, which masks MAS features: the criteria are not valid',
    );
    warnings.push(
      'On tocilizumab only 25% of MAS cases met the 2016 criteria (Shimizu 2020): a negative result does not exclude MAS.',
    );
  }
  const applicability: Applicability =
    reasons.length > 0
      ? 'not-applicable'
      : notAssessed.length > 0
        ? 'undecided'
        : 'applicable';
  const outcome: Outcome =
    laboratory === 'not-met' || applicability === 'not-applicable'
      ? 'not-met'
      : laboratory === 'met' && applicability === 'applicable'
        ? 'met'
        : 'undecided';
  const criteria = [required, ...additional];
  const missing = [
    ...(applicability === 'undecided' && laboratory !== 'not-met'
      ? notAssessed
      : []),
    ...(laboratory === 'undecided'
      ? criteria.flatMap((c) => c.missing ?? [])
      : []),
  ];
  return {
    calculator: 'mas2016',
    applicable: applicability === 'applicable',
    applicability,
    notApplicableReasons: reasons,
    classified: outcome === 'met',
    outcome,
    laboratoryCriteriaMet: laboratory === 'met',
    laboratoryOutcome: laboratory,
    additionalCriteriaMet: additional.filter((c) => c.met).length,
    additionalCriteriaOpen: additional.filter(
      (c) => c.status === 'not-assessed',
    ).length,
    missing,
    criteria,
    warnings,
    evidence: onTocilizumab
      ? [...definition.evidence, ...definition.tocilizumabEvidence]
      : definition.evidence,
  };
}
