import { z } from 'zod';

import { ClinicalInputError } from '../errors/clinical-input.error.js';

const instantSchema = z.iso.datetime({ offset: true });
const dateSchema = z.union([z.iso.date(), instantSchema]);

/**
 * Epoch milliseconds of an ISO 8601 date-time with its time zone
 * (`2026-03-01T08:00:00Z`, `...+01:00`), or a ClinicalInputError naming
 * `field`: a time without a zone would depend on the machine's clock.
 */
export function parseInstant(value: unknown, field: string): number {
  const parsed = instantSchema.safeParse(value);
  if (!parsed.success) {
    throw new ClinicalInputError(
      field,
      `${JSON.stringify(value)} is not an ISO 8601 date-time with a time zone (e.g. 2026-03-01T08:00:00Z)`,
    );
  }
  return Date.parse(parsed.data);
}

/** As `parseInstant`, also accepting a calendar date (`2019-06-30`, read as UTC midnight). */
export function parseDate(value: unknown, field: string): number {
  const parsed = dateSchema.safeParse(value);
  if (!parsed.success) {
    throw new ClinicalInputError(
      field,
      `${JSON.stringify(value)} is not an ISO 8601 date (e.g. 2019-06-30) or date-time with a time zone`,
    );
  }
  return Date.parse(parsed.data);
}
