// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the package ships no types; this declaration must travel with the module that imports it
/// <reference path="../../types/ucum-lhc.d.ts" />
import ucum from '@lhncbc/ucum-lhc';

import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { AnalyteId } from '../protocol/protocol.types.js';

const ucumUtils = ucum.UcumLhcUtils.getInstance();

/** A measured value with its UCUM unit, as laboratories send it. */
export interface Quantity {
  readonly value: number;
  readonly unit: string;
}

const wholeLimits = new Map<number, number>();

/** The first whole number with more than `digits` digits. */
function wholeBelow(digits: number): number {
  let limit = wholeLimits.get(digits);
  if (limit === undefined) {
    limit = Number(`1e${String(digits)}`);
    wholeLimits.set(digits, limit);
  }
  return limit;
}

/**
 * Strips floating-point noise left by a conversion (99.99999999999999 -> 100)
 * without rounding to a reporting precision (110.04 stays 110.04).
 */
export function stripFloatNoise(
  value: number,
  significantDigits: number = masProtocolDefinition.conversionSignificantDigits,
): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  // A whole number within the digits kept carries no noise (the common
  // case: toPrecision would give it back unchanged, at a string's cost).
  if (
    Number.isInteger(value) &&
    Math.abs(value) < wholeBelow(significantDigits)
  ) {
    return value;
  }
  return Number(value.toPrecision(significantDigits));
}

/**
 * Codes already validated (a panel's few units come back on every panel);
 * at most 100 kept, so free text cannot grow it.
 */
const ucumValidity = new Map<string, boolean>();

/** Whether `unit` is a valid UCUM code. */
export function isValidUcum(unit: string): boolean {
  const known = ucumValidity.get(unit);
  if (known !== undefined) return known;
  const valid = ucumUtils.validateUnitString(unit).status === 'valid';
  if (ucumValidity.size < 100) ucumValidity.set(unit, valid);
  return valid;
}

/**
 * Converts with the UCUM unit algebra; `molarMassGPerMol` allows mass <->
 * substance conversions. `field` names the input in an error.
 */
export function convertQuantity(
  quantity: Quantity,
  toUnit: string,
  field: string,
  molarMassGPerMol?: number,
): number {
  if (quantity.unit === toUnit) return quantity.value;
  const result = ucumUtils.convertUnitTo(
    quantity.unit,
    quantity.value,
    toUnit,
    molarMassGPerMol === undefined
      ? undefined
      : { molecularWeight: molarMassGPerMol },
  );
  if (result.status !== 'succeeded' || result.toVal === null) {
    throw new ClinicalInputError(
      `${field}.unit`,
      `cannot convert ${quantity.unit} to ${toUnit} (${result.msg.join(' ')})`,
    );
  }
  return stripFloatNoise(result.toVal);
}

/**
 * Whether two quantities of an analyte are one result: equal, or equal once
 * converted with the UCUM algebra (900 ng/mL is 900 ug/L) to the precision
 * the other was written with (2.0 mmol/L of triglycerides is 177 mg/dL:
 * 177.14 to a whole number). Units that cannot be converted into each
 * other are not the same result.
 */
export function sameAnalyteQuantity(
  analyte: AnalyteId,
  a: Quantity,
  b: Quantity,
): boolean {
  if (a.unit === b.unit) return a.value === b.value;
  const { molarMassGPerMol } = masProtocolDefinition.analytes[analyte];
  /** `from` in `to`'s unit, to the decimals `to` was written with. */
  const matches = (from: Quantity, to: Quantity): boolean => {
    const converted = convertQuantity(from, to.unit, analyte, molarMassGPerMol);
    return Number(converted.toFixed(decimalsOf(to.value))) === to.value;
  };
  try {
    return matches(a, b) || matches(b, a);
  } catch (error) {
    if (error instanceof ClinicalInputError) return false;
    throw error;
  }
}

/** How many decimals a number was written with (177: 0, 2.05: 2). */
function decimalsOf(value: number): number {
  const [, decimals = ''] = String(value).split('.');
  return /^\d+$/.test(decimals) ? decimals.length : 0;
}
