import { z } from 'zod';

import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { MINUTES_PER_HOUR, UTC_OFFSET_LIMITS } from './time.constant.js';

const offsetPattern = /([+-])(\d\d):?(\d\d)$/;

/** An offset's minutes east of UTC (null: no offset, e.g. `Z`). */
const offsetMinutes = (value: string): number | null => {
  const match = offsetPattern.exec(value);
  if (!match) return null;
  const [, sign, hours, minutes] = match;
  return (
    (sign === '-' ? -1 : 1) *
    (Number(hours) * MINUTES_PER_HOUR + Number(minutes))
  );
};

/** Text as people write it: a minus sign, not a hyphen. */
const shown = (offset: string): string => offset.replace('-', '−');

/**
 * Why an ISO 8601 date-time's offset is no time zone of the world (null
 * when it is one, or the time is in UTC): `+15:00` is a typing error.
 */
export function offsetProblem(value: string): string | null {
  const offset = offsetMinutes(value);
  if (offset === null) return null;
  const west = offsetMinutes(UTC_OFFSET_LIMITS.west) ?? offset;
  const east = offsetMinutes(UTC_OFFSET_LIMITS.east) ?? offset;
  if (offset >= west && offset <= east) return null;
  return `the offset ${offsetPattern.exec(value)?.[0] ?? ''} is no time zone of the world (they run from UTC${shown(UTC_OFFSET_LIMITS.west)} to UTC${UTC_OFFSET_LIMITS.east})`;
}

/**
 * An ISO 8601 date-time with its time zone (`Z` or an offset within the
 * world's time zones): the one schema of a recorded time, for the API's
 * contracts as for the calculators.
 */
export const instantSchema = z.iso
  .datetime({ offset: true })
  .superRefine((value, context) => {
    const problem = offsetProblem(value);
    if (problem !== null)
      context.addIssue({ code: 'custom', message: problem });
  });
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
      `${JSON.stringify(value)} is not an ISO 8601 date-time with a time zone (e.g. 2026-03-01T08:00:00Z)${zoneProblem(value)}`,
    );
  }
  return Date.parse(parsed.data);
}

const zoneProblem = (value: unknown): string => {
  const problem = typeof value === 'string' ? offsetProblem(value) : null;
  return problem === null ? '' : `: ${problem}`;
};

/** As `parseInstant`, also accepting a calendar date (`2019-06-30`, read as UTC midnight). */
export function parseDate(value: unknown, field: string): number {
  const parsed = dateSchema.safeParse(value);
  if (!parsed.success) {
    throw new ClinicalInputError(
      field,
      `${JSON.stringify(value)} is not an ISO 8601 date (e.g. 2019-06-30) or date-time with a time zone${zoneProblem(value)}`,
    );
  }
  return Date.parse(parsed.data);
}
