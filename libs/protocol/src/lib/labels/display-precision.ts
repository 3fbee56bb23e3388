/**
 * How many decimals a lab value is shown with, per analyte, in the unit the
 * protocol stores it in (its canonical unit): the precision a laboratory
 * report commonly gives (ferritin 12,023 ng/mL, platelets 45 ×10⁹/L,
 * neutrophils 0.45 ×10⁹/L, fibrinogen 1.52 g/L). Display only, like the
 * other words of this folder: every criterion, score and threshold is
 * computed on the value as recorded, never on the rounded one, and a value
 * is never shown with fewer integer digits than it has (12,023 is never
 * 12,020). Presentation, not protocol content: changing it changes no
 * protocol hash.
 */
import type { AnalyteId } from '../protocol/protocol.types.js';
import {
  analyteDisplayDecimals,
  DECIMAL_BASE,
  DISPLAY_SIGNIFICANT_DIGITS,
  WHOLE_FROM,
} from './display-precision.constant.js';

const grouped = (decimals: number) =>
  new Intl.NumberFormat('en-GB', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });

const formats = new Map<number, Intl.NumberFormat>();

/** `value` with `decimals` decimals, thousands grouped (12,023). */
export function formatFixed(value: number, decimals: number): string {
  let format = formats.get(decimals);
  if (format === undefined) {
    format = grouped(decimals);
    formats.set(decimals, format);
  }
  return format.format(value);
}

/**
 * A measured value of no known precision (a conversion, a threshold in
 * another unit): four significant digits for the decimals, never fewer
 * integer digits than it has (12,023 stays 12,023; 0.0456789 is 0.04568).
 */
export function formatMeasured(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  if (Math.abs(value) >= WHOLE_FROM) return String(Math.round(value));
  return String(Number(value.toPrecision(DISPLAY_SIGNIFICANT_DIGITS)));
}

/**
 * A bound shown at the precision of `formatMeasured`, rounded so that the
 * value shown still meets it: up for "at or above", down for "at or below"
 * (an exact bound of 123.64 is "at or below 123.6", never 123.7).
 */
export function formatBound(value: number, round: 'up' | 'down'): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const place =
    Math.abs(value) >= WHOLE_FROM
      ? 1
      : DECIMAL_BASE ** (magnitude - DISPLAY_SIGNIFICANT_DIGITS + 1);
  const steps = value / place;
  // (Float noise must not push an exact bound one step out.)
  const exact = Math.abs(steps - Math.round(steps)) < Number.EPSILON * steps;
  const rounded = exact
    ? Math.round(steps)
    : round === 'up'
      ? Math.ceil(steps)
      : Math.floor(steps);
  return formatMeasured(rounded * place);
}

/** A lab value in the analyte's canonical unit, at the analyte's precision. */
export function formatAnalyteValue(analyte: AnalyteId, value: number): string {
  return formatFixed(value, analyteDisplayDecimals[analyte]);
}
