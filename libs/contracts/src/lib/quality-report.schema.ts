/**
 * The quality report (`GET /api/analytics`): its query and its answer, the
 * quality indicators of real episodes as `@mas/mas-episode/analytics`
 * computes them (per month of suspicion and per ward, each point with the
 * episodes behind it), narrowed to months and a protocol version. Arrays are
 * read-only, as the computation returns them.
 */
import { z } from 'zod';

import { textFilter, wholeNumber } from './list-query.schema.js';

/** A calendar month (UTC) as a query gives it. */
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

/** What the quality report is narrowed to: months (inclusive) and a protocol version. */
export const qualityQuerySchema = z
  .object({
    from: month.optional(),
    to: month.optional(),
    /** A protocol version (`GET /api/protocol`), e.g. `1.0.0`. */
    version: textFilter.optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict()
  .refine((q) => !(q.from && q.to && q.from > q.to), {
    error: 'must not be after to',
    path: ['from'],
  });

export type QualityQuery = z.output<typeof qualityQuerySchema>;

const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const count = z.number().int().min(0);
const hours = z.number().min(0).nullable();
const share = z.number().min(0).max(1).nullable();
const episodeIds = list(z.string()).meta({
  description: 'The episodes behind the figure (ids).',
});

/** A count with the episodes behind it (a count of starts or intervals may exceed them). */
const tally = z.object({ count, episodeIds }).strict();

const point = {
  month: month.meta({ description: 'The month of suspicion (UTC).' }),
  ward: z.string().nullable().meta({
    description: 'Null: every episode of the month, ward recorded or not.',
  }),
  episodeIds,
};

const durations = {
  ...point,
  n: count,
  medianHours: hours,
  q1Hours: hours,
  q3Hours: hours,
};

const categoryPoint = z
  .object({
    ...point,
    n: count,
    categories: list(
      z.object({ key: z.string(), label: z.string(), count, episodeIds }),
    ),
  })
  .strict();

const sharePoint = z.object({ ...point, n: count, met: tally, share }).strict();

/** One indicator: what it follows, its words and its points. */
function indicator<Id extends string, P extends z.ZodType>(id: Id, points: P) {
  return z
    .object({
      id: z.literal(id),
      statement: z.string().meta({
        description: 'The seed statement it follows (evidence catalog id).',
      }),
      evidence: list(z.string()),
      label: z.string(),
      points: list(points),
    })
    .strict();
}

/** `GET /api/analytics`: the quality indicators of real episodes. */
export const qualityReportSchema = z
  .object({
    quantileMethod: z.string(),
    episodes: count.meta({
      description: 'Real episodes counted within the months asked for.',
    }),
    skipped: list(
      z
        .object({
          episodeId: z.string(),
          reason: z.enum(['training', 'no-suspicion', 'not-replayable']),
          detail: z.string().optional(),
        })
        .strict(),
    ),
    indicators: z
      .object({
        'suspicion-to-glucocorticoid': indicator(
          'suspicion-to-glucocorticoid',
          z
            .object({
              ...durations,
              withinTarget: tally
                .extend({
                  share,
                  targetHours: list(z.number()).meta({
                    description: "The profiles' limits (hours).",
                  }),
                })
                .strict(),
              notStarted: tally.meta({
                description:
                  'Suspected, no glucocorticoid recorded (MAS excluded after its due time passed included).',
              }),
              excludedBeforeStart: tally.meta({
                description:
                  'MAS excluded before any glucocorticoid was due: never a miss.',
              }),
            })
            .strict(),
        ),
        'reassessment-on-time': indicator(
          'reassessment-on-time',
          z
            .object({
              ...point,
              intervals: count,
              onTime: tally,
              late: tally,
              share,
              overdueHours: z.number().min(0),
            })
            .strict(),
        ),
        'escalation-decision': indicator(
          'escalation-decision',
          z.object({ ...durations, withoutDecision: tally }).strict(),
        ),
        'refractory-authorisation': indicator(
          'refractory-authorisation',
          categoryPoint,
        ),
        'infection-antimicrobials': indicator(
          'infection-antimicrobials',
          sharePoint,
        ),
        'cns-dexamethasone': indicator('cns-dexamethasone', sharePoint),
        'first-targeted-therapy': indicator(
          'first-targeted-therapy',
          z.object(durations).strict(),
        ),
        outcomes: indicator('outcomes', categoryPoint),
        'protocol-versions': indicator('protocol-versions', categoryPoint),
      })
      .strict(),
    versions: list(z.string()).meta({
      description:
        'The protocol versions of every real episode (what `version` may be).',
    }),
    patients: z.record(z.string(), z.string()).meta({
      description:
        "Each counted episode's pseudonymous patient identifier, by episode id (for the drill-down).",
    }),
  })
  .strict()
  .meta({ id: 'QualityReport' });

export type QualityReport = z.output<typeof qualityReportSchema>;

/** The most courses per scenario a simulated cohort may ask for (each costs the service's time). */
export const MAX_SIMULATED_RUNS = 10;

/** `GET /api/analytics/simulated`: which policy, how many courses per scenario, which seed. */
export const simulatedQualityQuerySchema = z
  .object({
    /** A policy of the simulator (`protocol`, `delay`, ...). */
    policy: textFilter.default('protocol'),
    runs: wholeNumber(MAX_SIMULATED_RUNS).default(5),
    seed: wholeNumber(1_000_000).default(1),
  })
  .strict();

export type SimulatedQualityQuery = z.output<
  typeof simulatedQualityQuerySchema
>;

/**
 * `GET /api/analytics/simulated`: the same indicators over a simulated
 * cohort (every scenario, `runs` courses each, one policy), MODEL OUTPUT.
 */
export const simulatedQualitySchema = qualityReportSchema
  .omit({ versions: true, patients: true })
  .extend({
    notice: z.string().meta({ description: 'Model output, never evidence.' }),
    model: z.object({ id: z.string(), version: z.string() }).strict(),
    policy: z.string(),
    /** The simulator's policies (what `policy` may be), in words. */
    policies: list(
      z.object({ id: z.string(), description: z.string() }).strict(),
    ),
    runs: count,
    seed: count,
  })
  .strict()
  .meta({ id: 'SimulatedQuality' });

export type SimulatedQuality = z.output<typeof simulatedQualitySchema>;
