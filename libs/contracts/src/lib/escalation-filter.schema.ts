import { z } from 'zod';

import { textFilter } from './list-query.schema.js';

/** A calendar day (UTC) as a query gives it. */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine(
    (text) => {
      // A day the calendar has: Date.parse rolls 2026-02-31 over to March.
      const time = Date.parse(`${text}T00:00:00Z`);
      return (
        !Number.isNaN(time) && new Date(time).toISOString().startsWith(text)
      );
    },
    { error: 'must be a day of the calendar' },
  );

/**
 * What the escalation report is narrowed to: the days (inclusive, UTC), the
 * decision and the kind of episode. The same filter on the auditor's page
 * and in its CSV export, so the file holds what the screen shows.
 */
export const escalationFilterSchema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    decision: textFilter.optional(),
    kind: z.enum(['real', 'training']).optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict()
  .refine(
    (filter) =>
      filter.from === undefined ||
      filter.to === undefined ||
      filter.from <= filter.to,
    { path: ['to'], error: 'must not be before from' },
  );

export type EscalationFilter = z.output<typeof escalationFilterSchema>;

/** The decisions the filter keeps (a decision's day is that of `at`, UTC). */
export function filterEscalations<
  T extends {
    readonly at: string;
    readonly decision: string;
    readonly kind: string;
  },
>(decisions: readonly T[], filter: EscalationFilter): T[] {
  return decisions.filter((d) => {
    const on = d.at.slice(0, 10);
    return (
      (filter.from === undefined || on >= filter.from) &&
      (filter.to === undefined || on <= filter.to) &&
      (filter.decision === undefined || d.decision === filter.decision) &&
      (filter.kind === undefined || d.kind === filter.kind)
    );
  });
}
