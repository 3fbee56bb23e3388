import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  requireQuantity,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import { stripFloatNoise } from '../units/quantity.util.js';
import { type CriterionResult, describeThreshold, meets } from './rule.util.js';

export interface FerritinEsrResult {
  readonly calculator: 'ferritin-esr';
  readonly ratio: number;
  readonly cutoff: number;
  /** Ratio >= 21.5: favours MAS over active sJIA. */
  readonly suggestsMas: boolean;
  readonly criteria: readonly CriterionResult[];
  readonly otherCohortCutoffs: readonly { value: number; cohort: string }[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.ferritinEsr;
const NAME = 'ferritin/ESR ratio';

/** Ferritin (ng/mL) / ESR (mm/h) (Eloseily 2019). */
export function scoreFerritinEsr(
  input: LabPanelInput | LabPanel,
): FerritinEsrResult {
  const panel = asLabPanel(input);
  const ferritin = requireQuantity(
    panel,
    'ferritin',
    definition.ferritinUnit,
    NAME,
  );
  const esr = requireQuantity(panel, 'esr', definition.esrUnit, NAME);
  if (esr === 0) {
    throw new ClinicalInputError(
      'esr.value',
      `must be above 0 for the ${NAME} (division by zero)`,
    );
  }
  const ratio = stripFloatNoise(ferritin / esr);
  const suggestsMas = meets(ratio, definition.cutoff);
  return {
    calculator: 'ferritin-esr',
    ratio,
    cutoff: definition.cutoff.value,
    suggestsMas,
    criteria: [
      {
        id: 'ratio',
        label: 'Ferritin/ESR ratio',
        status: suggestsMas ? 'met' : 'not-met',
        met: suggestsMas,
        value: ratio,
        rule: `ferritin (${definition.ferritinUnit}) / ESR (${definition.esrUnit}) ${describeThreshold(definition.cutoff)}`,
        note: `ferritin ${ferritin} ${definition.ferritinUnit}, ESR ${esr} ${definition.esrUnit}`,
        evidence: definition.evidence,
      },
    ],
    otherCohortCutoffs: definition.otherCohortCutoffs,
    evidence: definition.evidence,
  };
}
