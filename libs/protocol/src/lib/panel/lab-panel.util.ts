import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  type AnalyteId,
  analyteIds,
  type FindingId,
  findingIds,
  findingLabels,
  type FindingStatus,
  type PanelItemId,
  type Range,
} from '../protocol/protocol.types.js';
import {
  convertQuantity,
  isValidUcum,
  type Quantity,
} from '../units/quantity.util.js';
import {
  type LabPanelInput,
  labPanelSchema,
  type mas2016CriterionIds,
} from './lab-panel.schema.js';
import { toClinicalInputError } from './zod-error.util.js';

/** A panel that passed validation: units accepted, values plausible. */
export interface LabPanel {
  /**
   * Present on what is known: true only when recorded present. False covers
   * both "absent" and "not assessed": calculators read `findingStatus`.
   */
  readonly findings: Readonly<Record<FindingId, boolean>>;
  /** Each finding present (true), absent (false) or not assessed (no key). */
  readonly findingStatus: Readonly<Record<FindingId, FindingStatus>>;
  readonly quantities: Readonly<Partial<Record<AnalyteId, Quantity>>>;
  readonly temperatureC?: number;
  readonly ageDays?: number;
  readonly explainedOtherwise: ReadonlySet<
    (typeof mas2016CriterionIds)[number]
  >;
}

const { analytes, patient } = masProtocolDefinition;

export function checkPlausible(
  value: number,
  range: Range,
  field: string,
  unit: string,
): void {
  if (value < 0) {
    throw new ClinicalInputError(field, `must not be negative (got ${value})`);
  }
  if (value < range.min || value > range.max) {
    const bound =
      value < range.min
        ? `below the minimum ${range.min} ${unit}`
        : `above the maximum ${range.max} ${unit}`;
    throw new ClinicalInputError(
      field,
      `${value} ${unit} is outside the plausible range ${range.min}-${range.max} ${unit}: ${bound}, physiologically impossible (mas-protocol input check)`,
    );
  }
}

/** A recorded finding (true/false) or none: present, absent, not assessed. */
export function findingStatusOf(value: boolean | undefined): FindingStatus {
  if (value === undefined) return 'not-assessed';
  return value ? 'present' : 'absent';
}

function checkQuantity(analyte: AnalyteId, quantity: Quantity): void {
  const definition = analytes[analyte];
  if (!definition.acceptedUnits.includes(quantity.unit)) {
    throw new ClinicalInputError(
      `${analyte}.unit`,
      `"${quantity.unit}" is not an accepted unit for ${definition.label} (accepted UCUM codes: ${definition.acceptedUnits.join(', ')})`,
    );
  }
  if (!isValidUcum(quantity.unit)) {
    throw new ClinicalInputError(
      `${analyte}.unit`,
      `"${quantity.unit}" is not a valid UCUM code`,
    );
  }
  if (quantity.value < 0) {
    throw new ClinicalInputError(
      `${analyte}.value`,
      `must not be negative (got ${quantity.value})`,
    );
  }
  const canonical = convertQuantity(
    quantity,
    definition.canonicalUnit,
    analyte,
    definition.molarMassGPerMol,
  );
  checkPlausible(
    canonical,
    definition.plausible,
    `${analyte}.value`,
    definition.canonicalUnit,
  );
}

/**
 * Panels already parsed, by the input object: the calculators, the picture,
 * the plausibility checks and the response rules each parse the panel they
 * are given, and a panel's inputs are plain data never changed in place.
 */
const parsedPanels = new WeakMap<object, LabPanel>();

/** The schema's output for each panel object parsed (what `labPanelSchema.parse` gives). */
const panelData = new WeakMap<object, LabPanelInput>();

/** Validates a panel; throws ClinicalInputError naming the field and rule. */
export function parseLabPanel(input: unknown): LabPanel {
  if (typeof input !== 'object' || input === null) return parseAnew(input);
  const hit = parsedPanels.get(input);
  if (hit) return hit;
  const result = parseAnew(input, (raw) => panelData.set(input, raw));
  parsedPanels.set(input, result);
  return result;
}

/**
 * A valid panel as the schema outputs it (`labPanelSchema.parse`), once per
 * panel object: a panel parseLabPanel accepted is not validated again.
 * Throws as parseLabPanel does.
 */
export function labPanelData(input: LabPanelInput): LabPanelInput {
  parseLabPanel(input);
  return panelData.get(input) ?? labPanelSchema.parse(input);
}

function parseAnew(
  input: unknown,
  keep?: (raw: LabPanelInput) => void,
): LabPanel {
  const parsed = labPanelSchema.safeParse(input);
  if (!parsed.success) throw toClinicalInputError(parsed.error, 'panel');
  const raw = parsed.data;
  const quantities: Partial<Record<AnalyteId, Quantity>> = {};
  for (const analyte of analyteIds) {
    const quantity = raw[analyte];
    if (quantity === undefined) continue;
    checkQuantity(analyte, quantity);
    quantities[analyte] = quantity;
  }
  if (raw.temperatureC !== undefined) {
    checkPlausible(
      raw.temperatureC,
      patient.temperatureC,
      'temperatureC',
      'Cel',
    );
  }
  if (raw.ageDays !== undefined) {
    checkPlausible(raw.ageDays, patient.ageDays, 'ageDays', 'd');
  }
  const findingStatus = Object.fromEntries(
    findingIds.map((id) => [id, findingStatusOf(raw[id])]),
  ) as Record<FindingId, FindingStatus>;
  const findings = Object.fromEntries(
    findingIds.map((id) => [id, findingStatus[id] === 'present']),
  ) as Record<FindingId, boolean>;
  keep?.(raw);
  // Object.assign onto a fresh object, not spreads followed by a new key
  // (V8's slow path): the same keys in the same order.
  return Object.assign(
    { findings, findingStatus, quantities },
    raw.temperatureC === undefined ? {} : { temperatureC: raw.temperatureC },
    raw.ageDays === undefined ? {} : { ageDays: raw.ageDays },
    { explainedOtherwise: new Set(raw.explainedOtherwise ?? []) },
  );
}

const otherItemLabels = {
  temperatureC: 'Temperature',
  ageDays: 'Age',
  explainedOtherwise: 'Criteria explained otherwise',
} as const;

/** How a panel item is named to a clinician (e.g. in "missing: ..."). */
export function panelItemLabel(item: PanelItemId): string {
  if (item in analytes) return analytes[item as AnalyteId].label;
  if (item in findingLabels) return findingLabels[item as FindingId];
  return otherItemLabels[item as keyof typeof otherItemLabels];
}

/** Accepts a raw panel or one already parsed. */
export function asLabPanel(input: LabPanelInput | LabPanel): LabPanel {
  return isParsed(input) ? input : parseLabPanel(input);
}

function isParsed(input: LabPanelInput | LabPanel): input is LabPanel {
  return 'quantities' in input && 'findings' in input;
}

/**
 * The value of `analyte` in `unit` (the unit of the rule), or a
 * ClinicalInputError saying which calculator needs it.
 */
export function requireQuantity(
  panel: LabPanel,
  analyte: AnalyteId,
  unit: string,
  neededBy: string,
): number {
  const value = optionalQuantity(panel, analyte, unit);
  if (value === undefined) {
    throw new ClinicalInputError(
      analyte,
      `is required by ${neededBy} but the panel has none`,
    );
  }
  return value;
}

/** The value of `analyte` in `unit`, or undefined when not measured. */
export function optionalQuantity(
  panel: LabPanel,
  analyte: AnalyteId,
  unit: string,
): number | undefined {
  const quantity = panel.quantities[analyte];
  if (quantity === undefined) return undefined;
  return convertQuantity(
    quantity,
    unit,
    analyte,
    analytes[analyte].molarMassGPerMol,
  );
}

/**
 * Whether a panel records anything of the patient: a value, a finding or a
 * criterion judged otherwise explained. The age alone (which a form adds
 * from the birth date) and an empty list are nothing.
 */
export function panelHasItems(
  panel: Readonly<Record<string, unknown>>,
): boolean {
  return Object.entries(panel).some(
    ([key, value]) =>
      key !== 'ageDays' &&
      value !== undefined &&
      !(Array.isArray(value) && value.length === 0),
  );
}
