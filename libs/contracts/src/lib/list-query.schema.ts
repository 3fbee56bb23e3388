import { z } from 'zod';

import { instantSchema } from './episode-event.schema.js';

/** The largest page number a list accepts (a million pages of one). */
export const MAX_PAGE = 1_000_000;

/** The largest page of a list. */
export const MAX_PAGE_SIZE = 100;

/**
 * A whole number from 1 to `max` given as query text: "1e18", "Infinity",
 * "-1", "2.5" and "" are refused with the rule, never coerced.
 */
export const wholeNumber = (max: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,6}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n <= max, `must be a whole number from 1 to ${max}`);

/**
 * A short text filter: at most 100 characters, no control characters (NUL
 * included, which PostgreSQL refuses in text) and well-formed Unicode (no
 * lone surrogate).
 */
export const textFilter = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
  .regex(/^[^\p{Cs}]*$/u, 'must be well-formed Unicode (no lone surrogate)')
  // Both rules as one pattern, for the OpenAPI document (its generator
  // keeps one pattern per string).
  .meta({ pattern: '^[^\\p{Cc}\\p{Cs}]*$' });

/** A page of a list: where it is, how many in all, its items. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z
    .object({
      page: z.number().int().min(1),
      pageSize: z.number().int().min(1),
      total: z.number().int().min(0),
      items: z.array(item),
    })
    .strict();
}

/** The query of the episode list (`GET /api/episodes`). */
export const episodeListQuerySchema = z
  .object({
    /** Real episodes by default (trainees: always training). */
    kind: z.enum(['real', 'training']).default('real'),
    overdue: z.enum(['true', 'false']).optional(),
    /** Part of the stage's name. */
    stage: textFilter.optional(),
    /** An alert's id. */
    alert: textFilter.optional(),
    page: wholeNumber(MAX_PAGE).default(1),
    pageSize: wholeNumber(MAX_PAGE_SIZE).default(25),
  })
  .strict();
export type EpisodeListQuery = z.output<typeof episodeListQuerySchema>;

/** The query of the access log (`GET /api/audit/access`), for auditors. */
export const accessLogQuerySchema = z
  .object({
    /** Reads of one episode. */
    episodeId: textFilter.optional(),
    /** What one user (username) read or administered. */
    actor: textFilter.optional(),
    /** `episode.read`, `episodes.listed`, `user.created`, … */
    action: textFilter.optional(),
    /** From this instant (inclusive) ... */
    from: instantSchema.optional(),
    /** ... to this one (exclusive). */
    to: instantSchema.optional(),
    page: wholeNumber(MAX_PAGE).default(1),
    pageSize: wholeNumber(MAX_PAGE_SIZE).default(50),
  })
  .strict();
export type AccessLogQuery = z.output<typeof accessLogQuerySchema>;
