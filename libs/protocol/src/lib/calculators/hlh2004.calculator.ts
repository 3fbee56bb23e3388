import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
  panelItemLabel,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type {
  FindingId,
  LineageCriterion,
  ThresholdCriterion,
} from '../protocol/protocol.types.js';
import {
  type CriterionResult,
  describeThreshold,
  meets,
  type Outcome,
} from './rule.util.js';

/**
 * `criteriaMet` and `diagnosis` are on what is known: a criterion whose item
 * is not assessed is open (`criteriaOpen`), neither met nor not met.
 * `outcome` is `met` with a diagnosis, `not-met` when the open criteria can
 * no longer reach `criteriaForDiagnosis`, `undecided` otherwise. A molecular
 * diagnosis counts when recorded; one not recorded is not excluded (it is
 * rarely tested for and does not make the 8 criteria undecided).
 */
export interface Hlh2004Result {
  readonly calculator: 'hlh2004';
  readonly criteriaMet: number;
  /** Criteria not decided yet: an item they need is not assessed. */
  readonly criteriaOpen: number;
  readonly criteriaTotal: number;
  readonly criteriaForDiagnosis: number;
  readonly molecularDiagnosis: boolean;
  /** Molecular diagnosis, or at least 5 of the 8 criteria (on what is known). */
  readonly diagnosis: boolean;
  readonly outcome: Outcome;
  /** Items not assessed that open criteria need (labels). */
  readonly missing: readonly string[];
  readonly criteria: readonly CriterionResult[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.hlh2004;
const evidence = definition.evidence;

type Status = CriterionResult['status'];

const yesNo = (met: boolean) => (met ? 'yes' : 'no');

function findingCriterion(
  panel: LabPanel,
  id: string,
  label: string,
  finding: FindingId,
): CriterionResult {
  const status = panel.findingStatus[finding];
  if (status === 'not-assessed') {
    return {
      id,
      label,
      status: 'not-assessed',
      met: false,
      rule: 'present',
      missing: [panelItemLabel(finding)],
      note: 'not assessed',
      evidence,
    };
  }
  const present = status === 'present';
  return {
    id,
    label,
    status: present ? 'met' : 'not-met',
    met: present,
    value: present,
    rule: 'present',
    evidence,
  };
}

/** Met when the value meets any of the criterion's published forms. */
function anyForm(
  panel: LabPanel,
  criterion: ThresholdCriterion,
): { met: boolean; value: number; unit: string } | undefined {
  const [first] = criterion.anyOf;
  if (!first) throw new Error(`criterion ${criterion.id} has no cut-off`);
  const value = optionalQuantity(panel, criterion.analyte, first.unit);
  if (value === undefined) return undefined;
  const met = criterion.anyOf.some((threshold) => {
    const inUnit = optionalQuantity(panel, criterion.analyte, threshold.unit);
    return inUnit !== undefined && meets(inUnit, threshold);
  });
  return { met, value, unit: first.unit };
}

/**
 * Febrile, or a temperature at the convention. Recorded not febrile (and no
 * such temperature): not met. Fever not recorded and no such temperature:
 * open, as a single normal reading does not exclude fever.
 */
function fever(panel: LabPanel): CriterionResult {
  const convention = definition.feverConvention;
  const febrile = panel.findingStatus.febrile;
  const byTemperature =
    panel.temperatureC !== undefined &&
    meets(panel.temperatureC, convention.threshold);
  const status: Status =
    febrile === 'present' || byTemperature
      ? 'met'
      : febrile === 'absent'
        ? 'not-met'
        : 'not-assessed';
  const value =
    panel.temperatureC ??
    (febrile === 'not-assessed' ? undefined : febrile === 'present');
  // Object.assign onto a fresh object rather than spreads followed by
  // new keys (V8's slow path; this runs for every panel screened): the
  // same keys in the same order.
  return Object.assign(
    Object.assign(
      { id: 'fever', label: 'Fever', status, met: status === 'met' },
      value === undefined ? {} : { value },
      panel.temperatureC === undefined ? {} : { unit: 'Cel' },
      {
        rule: `febrile, or temperature ${describeThreshold(convention.threshold)} (a later convention; the original table says only "fever")`,
      },
    ),
    status === 'not-assessed'
      ? {
          missing: [panelItemLabel('febrile')],
          note: 'fever not recorded (present or absent)',
        }
      : {},
    { evidence: [...evidence, ...convention.evidence] },
  );
}

function cytopenias(panel: LabPanel): CriterionResult {
  const { minimumLineages } = definition.cytopenias;
  const lineages: readonly LineageCriterion[] = definition.cytopenias.lineages;
  const results = lineages.map((lineage) => {
    const neonatal =
      lineage.belowAge !== undefined &&
      panel.ageDays !== undefined &&
      panel.ageDays < lineage.belowAge.ageDays;
    const threshold = neonatal ? lineage.belowAge.threshold : lineage.threshold;
    const value = optionalQuantity(panel, lineage.analyte, threshold.unit);
    return {
      lineage,
      threshold,
      value,
      met: value !== undefined && meets(value, threshold),
      neonatal,
    };
  });
  const count = results.filter((r) => r.met).length;
  const open = results.filter((r) => r.value === undefined);
  const status: Status =
    count >= minimumLineages
      ? 'met'
      : count + open.length >= minimumLineages
        ? 'not-assessed'
        : 'not-met';
  return Object.assign(
    {
      id: 'cytopenias',
      label: `Cytopenias in >= ${minimumLineages} of ${lineages.length} lineages`,
      status,
      met: status === 'met',
      value: count,
      rule: `>= ${minimumLineages} lineages`,
    },
    status === 'not-assessed'
      ? { missing: open.map((r) => panelItemLabel(r.lineage.analyte)) }
      : {},
    {
      note: results
        .map((r) =>
          r.value === undefined
            ? `${r.lineage.analyte} not measured`
            : `${r.lineage.analyte} ${r.value} ${r.threshold.unit} ${describeThreshold(r.threshold)}${r.neonatal ? ' (under 4 weeks of age)' : ''}: ${yesNo(r.met)}`,
        )
        .join('; '),
      evidence,
    },
  );
}

function lipidsOrFibrinogen(panel: LabPanel): CriterionResult {
  const triglycerides = anyForm(panel, definition.triglycerides);
  const fibrinogen = anyForm(panel, definition.fibrinogen);
  const met = Boolean(triglycerides?.met) || Boolean(fibrinogen?.met);
  const status: Status = met
    ? 'met'
    : triglycerides && fibrinogen
      ? 'not-met'
      : 'not-assessed';
  const parts = [
    triglycerides
      ? `triglycerides ${triglycerides.value} ${triglycerides.unit}: ${yesNo(triglycerides.met)}`
      : 'triglycerides not measured',
    fibrinogen
      ? `fibrinogen ${fibrinogen.value} ${fibrinogen.unit}: ${yesNo(fibrinogen.met)}`
      : 'fibrinogen not measured',
  ];
  return Object.assign(
    {
      id: 'hypertriglyceridemia-hypofibrinogenemia',
      label: 'Hypertriglyceridaemia and/or hypofibrinogenaemia',
      status,
      met,
      rule: `${definition.triglycerides.anyOf.map(describeThreshold).join(' or ')} and/or fibrinogen ${definition.fibrinogen.anyOf.map(describeThreshold).join(' or ')}`,
    },
    status === 'not-assessed'
      ? {
          missing: [
            ...(triglycerides ? [] : [panelItemLabel('triglycerides')]),
            ...(fibrinogen ? [] : [panelItemLabel('fibrinogen')]),
          ],
        }
      : {},
    { note: parts.join('; '), evidence },
  );
}

function thresholdCriterion(
  panel: LabPanel,
  criterion: ThresholdCriterion,
): CriterionResult {
  const result = anyForm(panel, criterion);
  const rule = criterion.anyOf.map(describeThreshold).join(' or ');
  if (result === undefined) {
    return {
      id: criterion.id,
      label: criterion.label,
      status: 'not-assessed',
      met: false,
      rule,
      missing: [panelItemLabel(criterion.analyte)],
      note: 'not measured: open until a result arrives',
      evidence,
    };
  }
  return {
    id: criterion.id,
    label: criterion.label,
    status: result.met ? 'met' : 'not-met',
    met: result.met,
    value: result.value,
    unit: result.unit,
    rule,
    evidence,
  };
}

/** HLH-2004 diagnostic criteria (Henter 2007). */
export function scoreHlh2004(input: LabPanelInput | LabPanel): Hlh2004Result {
  const panel = asLabPanel(input);
  const criteria: CriterionResult[] = [
    fever(panel),
    findingCriterion(panel, 'splenomegaly', 'Splenomegaly', 'splenomegaly'),
    cytopenias(panel),
    lipidsOrFibrinogen(panel),
    findingCriterion(
      panel,
      'hemophagocytosis',
      'Haemophagocytosis in bone marrow, spleen or lymph nodes',
      'hemophagocytosis',
    ),
    findingCriterion(
      panel,
      'nk-activity',
      'Low or absent NK-cell activity',
      'nkActivityLowOrAbsent',
    ),
    thresholdCriterion(panel, definition.ferritin),
    thresholdCriterion(panel, definition.sCD25),
  ];
  const criteriaMet = criteria.filter((c) => c.met).length;
  const criteriaOpen = criteria.filter(
    (c) => c.status === 'not-assessed',
  ).length;
  const molecularDiagnosis =
    panel.findingStatus.molecularHlhDiagnosis === 'present';
  const diagnosis =
    molecularDiagnosis || criteriaMet >= definition.criteriaForDiagnosis;
  const outcome: Outcome = diagnosis
    ? 'met'
    : criteriaMet + criteriaOpen < definition.criteriaForDiagnosis
      ? 'not-met'
      : 'undecided';
  return {
    calculator: 'hlh2004',
    criteriaMet,
    criteriaOpen,
    criteriaTotal: definition.criteriaTotal,
    criteriaForDiagnosis: definition.criteriaForDiagnosis,
    molecularDiagnosis,
    diagnosis,
    outcome,
    missing: criteria.flatMap((c) => c.missing ?? []),
    criteria,
    evidence,
  };
}
