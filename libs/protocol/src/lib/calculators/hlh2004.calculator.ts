import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
  requireQuantity,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type {
  LineageCriterion,
  ThresholdCriterion,
} from '../protocol/protocol.types.js';
import { type CriterionResult, describeThreshold, meets } from './rule.util.js';

export interface Hlh2004Result {
  readonly calculator: 'hlh2004';
  readonly criteriaMet: number;
  readonly criteriaTotal: number;
  readonly criteriaForDiagnosis: number;
  readonly molecularDiagnosis: boolean;
  /** Molecular diagnosis, or at least 5 of the 8 criteria. */
  readonly diagnosis: boolean;
  readonly criteria: readonly CriterionResult[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.hlh2004;
const NAME = 'HLH-2004';
const evidence = definition.evidence;

function findingCriterion(
  id: string,
  label: string,
  present: boolean,
): CriterionResult {
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

function fever(panel: LabPanel): CriterionResult {
  const convention = definition.feverConvention;
  const byTemperature =
    panel.temperatureC !== undefined &&
    meets(panel.temperatureC, convention.threshold);
  const met = panel.findings.febrile || byTemperature;
  return {
    id: 'fever',
    label: 'Fever',
    status: met ? 'met' : 'not-met',
    met,
    value: panel.temperatureC ?? panel.findings.febrile,
    ...(panel.temperatureC === undefined ? {} : { unit: 'Cel' }),
    rule: `febrile, or temperature ${describeThreshold(convention.threshold)} (a later convention; the original table says only "fever")`,
    evidence: [...evidence, ...convention.evidence],
  };
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
    const value = requireQuantity(panel, lineage.analyte, threshold.unit, NAME);
    return {
      lineage,
      threshold,
      value,
      met: meets(value, threshold),
      neonatal,
    };
  });
  const count = results.filter((r) => r.met).length;
  const met = count >= minimumLineages;
  return {
    id: 'cytopenias',
    label: `Cytopenias in >= ${minimumLineages} of ${lineages.length} lineages`,
    status: met ? 'met' : 'not-met',
    met,
    value: count,
    rule: `>= ${minimumLineages} lineages`,
    note: results
      .map(
        (r) =>
          `${r.lineage.analyte} ${r.value} ${r.threshold.unit} ${describeThreshold(r.threshold)}${r.neonatal ? ' (under 4 weeks of age)' : ''}: ${r.met ? 'yes' : 'no'}`,
      )
      .join('; '),
    evidence,
  };
}

function lipidsOrFibrinogen(panel: LabPanel): CriterionResult {
  const triglycerides = anyForm(panel, definition.triglycerides);
  const fibrinogen = anyForm(panel, definition.fibrinogen);
  if (triglycerides === undefined && fibrinogen === undefined) {
    throw new ClinicalInputError(
      'triglycerides',
      `triglycerides or fibrinogen is required by ${NAME} but the panel has neither`,
    );
  }
  const met = Boolean(triglycerides?.met) || Boolean(fibrinogen?.met);
  const parts = [
    triglycerides
      ? `triglycerides ${triglycerides.value} ${triglycerides.unit}: ${triglycerides.met ? 'yes' : 'no'}`
      : 'triglycerides not measured',
    fibrinogen
      ? `fibrinogen ${fibrinogen.value} ${fibrinogen.unit}: ${fibrinogen.met ? 'yes' : 'no'}`
      : 'fibrinogen not measured',
  ];
  return {
    id: 'hypertriglyceridemia-hypofibrinogenemia',
    label: 'Hypertriglyceridaemia and/or hypofibrinogenaemia',
    status: met ? 'met' : 'not-met',
    met,
    rule: `${definition.triglycerides.anyOf.map(describeThreshold).join(' or ')} and/or fibrinogen ${definition.fibrinogen.anyOf.map(describeThreshold).join(' or ')}`,
    note: parts.join('; '),
    evidence,
  };
}

function thresholdCriterion(
  panel: LabPanel,
  criterion: ThresholdCriterion,
  required: boolean,
): CriterionResult {
  const result = anyForm(panel, criterion);
  const rule = criterion.anyOf.map(describeThreshold).join(' or ');
  if (result === undefined) {
    if (required) {
      throw new ClinicalInputError(
        criterion.analyte,
        `is required by ${NAME} but the panel has none`,
      );
    }
    return {
      id: criterion.id,
      label: criterion.label,
      status: 'not-assessed',
      met: false,
      rule,
      note: 'not measured: counts as not met until a result arrives',
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
  const { findings } = panel;
  const criteria: CriterionResult[] = [
    fever(panel),
    findingCriterion('splenomegaly', 'Splenomegaly', findings.splenomegaly),
    cytopenias(panel),
    lipidsOrFibrinogen(panel),
    findingCriterion(
      'hemophagocytosis',
      'Haemophagocytosis in bone marrow, spleen or lymph nodes',
      findings.hemophagocytosis,
    ),
    findingCriterion(
      'nk-activity',
      'Low or absent NK-cell activity',
      findings.nkActivityLowOrAbsent,
    ),
    thresholdCriterion(panel, definition.ferritin, true),
    thresholdCriterion(panel, definition.sCD25, false),
  ];
  const criteriaMet = criteria.filter((c) => c.met).length;
  return {
    calculator: 'hlh2004',
    criteriaMet,
    criteriaTotal: definition.criteriaTotal,
    criteriaForDiagnosis: definition.criteriaForDiagnosis,
    molecularDiagnosis: findings.molecularHlhDiagnosis,
    diagnosis:
      findings.molecularHlhDiagnosis ||
      criteriaMet >= definition.criteriaForDiagnosis,
    criteria,
    evidence,
  };
}
