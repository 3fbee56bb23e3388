/**
 * Two tiers of input checks. A physiologically impossible value (outside
 * the protocol's `plausible` range) is refused with a ClinicalInputError
 * naming the field and the bound. A plausible but unusual value (outside
 * `usual`: most often a unit slip, platelets "110 /uL" for 110 x10^9/L) is
 * accepted, but a form asks the clinician to confirm it first.
 */
import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  type AnalyteId,
  analyteIds,
  type Range,
} from '../protocol/protocol.types.js';
import { parseDate, parseInstant } from '../units/instant.util.js';
import { convertQuantity } from '../units/quantity.util.js';
import { MS_PER_DAY } from '../units/time.constant.js';
import type { LabPanelInput } from './lab-panel.schema.js';
import {
  asLabPanel,
  checkPlausible,
  type LabPanel,
  panelItemLabel,
} from './lab-panel.util.js';

const { analytes, patient } = masProtocolDefinition;

export interface UnusualValue {
  /** Dotted path of the field, e.g. `platelets.value`, `weightKg`. */
  readonly field: string;
  /** As entered. */
  readonly value: number;
  readonly unit: string;
  /** The value in the unit of the usual range. */
  readonly valueInUsualUnit: number;
  readonly usual: Range & { readonly unit: string };
  readonly side: 'below' | 'above';
  /** What to tell the clinician: the value, the usual range, "confirm". */
  readonly message: string;
  readonly evidence: readonly string[];
}

function unusual(
  label: string,
  field: string,
  entered: { value: number; unit: string },
  inUsualUnit: number,
  usual: Range,
  usualUnit: string,
  evidence: readonly string[],
): UnusualValue[] {
  if (inUsualUnit >= usual.min && inUsualUnit <= usual.max) return [];
  const side = inUsualUnit < usual.min ? 'below' : 'above';
  const converted =
    entered.unit === usualUnit ? '' : ` (${inUsualUnit} ${usualUnit})`;
  return [
    {
      field,
      value: entered.value,
      unit: entered.unit,
      valueInUsualUnit: inUsualUnit,
      usual: { ...usual, unit: usualUnit },
      side,
      message: `${label} ${entered.value} ${entered.unit}${converted} is ${side} the usual range ${usual.min}-${usual.max} ${usualUnit}: check the unit (a unit slip?) and confirm the value`,
      evidence,
    },
  ];
}

function unusualQuantity(panel: LabPanel, analyte: AnalyteId): UnusualValue[] {
  const quantity = panel.quantities[analyte];
  if (quantity === undefined) return [];
  const definition = analytes[analyte];
  return unusual(
    definition.label,
    `${analyte}.value`,
    quantity,
    convertQuantity(
      quantity,
      definition.canonicalUnit,
      analyte,
      definition.molarMassGPerMol,
    ),
    definition.usual,
    definition.canonicalUnit,
    definition.evidence,
  );
}

/**
 * The plausible values of a panel that need confirmation, each with its
 * usual range. Validates the panel first: an impossible value throws.
 */
export function unusualValues(
  input: LabPanelInput | LabPanel,
): readonly UnusualValue[] {
  const panel = asLabPanel(input);
  const measure = (
    field: 'temperatureC' | 'ageDays',
    value: number | undefined,
    unit: string,
  ) =>
    value === undefined
      ? []
      : unusual(
          panelItemLabel(field),
          field,
          { value, unit },
          value,
          patient.usual[field],
          unit,
          patient.usualEvidence,
        );
  return [
    ...analyteIds.flatMap((analyte) => unusualQuantity(panel, analyte)),
    ...measure('temperatureC', panel.temperatureC, 'Cel'),
    ...measure('ageDays', panel.ageDays, 'd'),
  ];
}

export interface PatientMeasures {
  readonly weightKg?: number;
  readonly heightCm?: number;
  /** ISO 8601 date (`2019-06-30`) or date-time with a time zone. */
  readonly birthDate?: string;
}

export interface PatientMeasuresCheck {
  /** Whole days from the birth date to `at`, when a birth date is given. */
  readonly ageDays?: number;
  /** Plausible measures that need confirmation. */
  readonly unusual: readonly UnusualValue[];
}

function requireNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ClinicalInputError(field, 'must be a finite number');
  }
  return value;
}

/**
 * Checks weight, height and birth date at time `at` (ISO date-time): an
 * impossible measure (outside the protocol's plausible range, a birth date
 * after `at`) throws a ClinicalInputError naming the field and the bound;
 * an unusual one is returned for confirmation, with the age in days.
 */
export function checkPatientMeasures(
  measures: PatientMeasures,
  at: string,
): PatientMeasuresCheck {
  const now = parseInstant(at, 'at');
  const found: UnusualValue[] = [];
  const check = (
    field: 'weightKg' | 'heightCm',
    raw: unknown,
    label: string,
    unit: string,
  ) => {
    if (raw === undefined) return;
    const value = requireNumber(raw, field);
    checkPlausible(value, patient[field], field, unit);
    found.push(
      ...unusual(
        label,
        field,
        { value, unit },
        value,
        patient.usual[field],
        unit,
        patient.usualEvidence,
      ),
    );
  };
  check('weightKg', measures.weightKg, 'Weight', 'kg');
  check('heightCm', measures.heightCm, 'Height', 'cm');
  if (
    measures.weightKg !== undefined &&
    measures.heightCm !== undefined &&
    !found.some((item) => item.field === 'weightKg')
  ) {
    // A weight that does not fit the height (2.5 kg at 125 cm).
    found.push(
      ...unusualMeasureChange(null, {
        weightKg: measures.weightKg,
        heightCm: measures.heightCm,
      }),
    );
  }
  if (measures.birthDate === undefined) return { unusual: found };
  const born = parseDate(measures.birthDate, 'birthDate');
  if (born > now) {
    throw new ClinicalInputError(
      'birthDate',
      `${measures.birthDate} is after ${at}: a birth date cannot be in the future`,
    );
  }
  const ageDays = Math.floor((now - born) / MS_PER_DAY);
  checkPlausible(ageDays, patient.ageDays, 'birthDate', 'd');
  found.push(
    ...unusual(
      'Age',
      'birthDate',
      { value: ageDays, unit: 'd' },
      ageDays,
      patient.usual.ageDays,
      'd',
      patient.usualEvidence,
    ),
  );
  return { ageDays, unusual: found };
}

export interface AnalyteUnits {
  readonly id: AnalyteId;
  readonly label: string;
  /** The unit a form preselects. */
  readonly usualUnit: string;
  /** The unit values are stored, compared and shown in. */
  readonly canonicalUnit: string;
  readonly acceptedUnits: readonly string[];
}

/** Every analyte with its usual unit (for forms to preselect) and accepted units. */
export function analyteUnits(): readonly AnalyteUnits[] {
  return analyteIds.map((id) => {
    const { label, usualUnit, canonicalUnit, acceptedUnits } = analytes[id];
    return { id, label, usualUnit, canonicalUnit, acceptedUnits };
  });
}

/** What the episode holds of the patient's measures. */
export interface HeldMeasures {
  readonly weightKg: number;
  readonly heightCm: number;
}

/**
 * A new weight or height against what the episode holds (`held`; null at
 * admission, when only the body mass index is checked): a weight that moved
 * by the protocol's factor or more from the one recorded before, or a
 * weight and height whose body mass index is outside its usual range, needs
 * the recorder's confirmation (a misplaced decimal, pounds for kilograms),
 * since doses are computed and checked from the weight. Named under the
 * field recorded (the weight when both are).
 */
export function unusualMeasureChange(
  held: HeldMeasures | null,
  recorded: { readonly weightKg?: number; readonly heightCm?: number },
): UnusualValue[] {
  const { weightFactor, bodyMassIndex, evidence } = patient.change;
  const found: UnusualValue[] = [];
  const weight = recorded.weightKg ?? held?.weightKg;
  const height = recorded.heightCm ?? held?.heightCm;
  if (recorded.weightKg !== undefined && held !== null && held.weightKg > 0) {
    const usual = {
      min: roundTo(held.weightKg / weightFactor),
      max: roundTo(held.weightKg * weightFactor),
    };
    if (recorded.weightKg <= usual.min || recorded.weightKg >= usual.max) {
      const side = recorded.weightKg < held.weightKg ? 'below' : 'above';
      found.push({
        field: 'weightKg',
        value: recorded.weightKg,
        unit: 'kg',
        valueInUsualUnit: recorded.weightKg,
        usual: { ...usual, unit: 'kg' },
        side,
        message: `Weight ${recorded.weightKg} kg is ${side === 'below' ? 'less' : 'more'} than the ${held.weightKg} kg recorded before by ${weightChangeWords(held.weightKg, recorded.weightKg)}: check it (a misplaced decimal, pounds for kilograms?) and confirm the value; doses are computed from it`,
        evidence,
      });
    }
  }
  const field =
    recorded.weightKg !== undefined
      ? 'weightKg'
      : recorded.heightCm !== undefined
        ? 'heightCm'
        : null;
  if (
    field !== null &&
    weight !== undefined &&
    height !== undefined &&
    height > 0 &&
    !found.some((item) => item.field === field)
  ) {
    const metres = height / 100;
    const index = roundTo(weight / (metres * metres));
    if (index < bodyMassIndex.min || index > bodyMassIndex.max) {
      const side = index < bodyMassIndex.min ? 'below' : 'above';
      found.push({
        field,
        value: field === 'weightKg' ? weight : height,
        unit: field === 'weightKg' ? 'kg' : 'cm',
        valueInUsualUnit: index,
        usual: { ...bodyMassIndex, unit: 'kg/m2' },
        side,
        message: `Weight ${weight} kg for a height of ${height} cm gives a body mass index of ${index} kg/m², ${side} the usual ${bodyMassIndex.min}-${bodyMassIndex.max} kg/m²: check the weight and the height (a unit slip?) and confirm; doses are computed from them`,
        evidence,
      });
    }
  }
  return found;
}

/** A value to two decimals, for ranges and indices shown to people. */
function roundTo(value: number): number {
  return Math.round(value * 100) / 100;
}

/** How far a weight moved, in words: "a factor of 10", "40 %". */
function weightChangeWords(before: number, after: number): string {
  const factor = Math.max(after / before, before / after);
  // Doubled or halved and beyond: the factor reads better than a percentage.
  return Math.round((factor - 1) * 100) >= 100
    ? `a factor of ${String(roundTo(factor))}`
    : `${String(Math.round((Math.abs(after - before) / before) * 100))} %`;
}
