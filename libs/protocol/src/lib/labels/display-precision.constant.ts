/**
 * The display precision of lab values (see display-precision.ts): the
 * decimals a laboratory report gives, per analyte, in its canonical unit.
 * Presentation, not protocol content (no protocol hash changes with it).
 */
import type { AnalyteId } from '../protocol/protocol.types.js';

export const analyteDisplayDecimals: Readonly<Record<AnalyteId, number>> = {
  ferritin: 0,
  platelets: 0,
  leukocytes: 1,
  neutrophils: 2,
  hemoglobin: 0,
  ast: 0,
  alt: 0,
  ldh: 0,
  triglycerides: 2,
  fibrinogen: 2,
  sCD25: 0,
  esr: 0,
  crp: 1,
  dDimer: 2,
  creatinine: 0,
  bilirubin: 0,
};

/** Body temperature, in °C. */
export const TEMPERATURE_DISPLAY_DECIMALS = 1;

/** Significant digits of a value of unknown precision (a conversion). */
export const DISPLAY_SIGNIFICANT_DIGITS = 4;

/** The base of the decimal places a value is rounded at. */
export const DECIMAL_BASE = 10;

/** From here on such a value is shown whole (never fewer integer digits). */
export const WHOLE_FROM = 10 ** DISPLAY_SIGNIFICANT_DIGITS;
