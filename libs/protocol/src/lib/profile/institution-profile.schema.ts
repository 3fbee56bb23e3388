import { z } from 'zod';

import { drugIds } from '../doses/dose-request.schema.js';

const positive = z.number().positive();

const rangeSchema = z
  .object({ min: positive, max: positive })
  .strict()
  .refine((range) => range.min <= range.max, {
    error: 'min must not exceed max',
  });

/** A change in a parameter, in percent of the earlier value. */
const changeRuleSchema = z
  .object({
    /** Change in the good direction that counts as improving. */
    improvingChangePercent: positive,
    /** Change in the bad direction that counts as worsening. */
    worseningChangePercent: positive,
  })
  .strict();

const perDoseRuleSchema = z
  .object({
    basis: z.enum(['mg/kg', 'mg/m2']),
    perDose: positive,
    dosesPerDay: z.number().int().positive(),
    maxMgPerDose: positive.optional(),
  })
  .strict();

const adjustmentSchema = z
  .object({
    /** The dose is multiplied by `factor` when the trigger holds. */
    factor: z.number().positive().max(1),
  })
  .strict();

/** What a dose limit is counted per: one dose, one infusion or one day. */
const limitPeriodSchema = z.enum(['dose', 'infusion', 'day']);

/**
 * Limits for recorded doses in two tiers, as in smart-pump drug libraries
 * (checkRecordedDose). A soft limit asks for a confirmation with a rationale;
 * a hard limit refuses the dose. Every field is optional with no default: a
 * limit whose figure is missing is listed as not checked.
 */
const doseLimitsSchema = z
  .object({
    /**
     * Drugs with a single computed dose (dexamethasone, emapalumab,
     * rituximab, JAK inhibitors, etoposide, tocilizumab): a recorded dose
     * within this many percent of it is within; beyond it, soft.
     */
    softTolerancePercent: positive.lt(100).optional(),
    /**
     * A dose above this factor times an upper soft limit is a hard limit (a
     * likely tenfold slip). Must be above 1.
     */
    hardFactorAboveSoftMax: z.number().gt(1).optional(),
    /**
     * A running dose is said to be outside its limits at the patient's
     * current measures (a new weight or height) only once it lies more than
     * this many percent further outside them than when it was recorded (a
     * dose within them: its soft limit exceeded by more than this; one
     * confirmed outside: further than confirmed by more than this): a
     * reweighing's drift is not a review. Unset: any move further out is
     * said. (Software-set, no primary source: the institution decides.)
     */
    reviewDriftPercent: positive.lt(100).optional(),
    /**
     * A pulse recorded longer than this many days ("day n of N" with N
     * above it) is flagged beside its dose, never refused: a course of
     * high-dose glucocorticoid pulses longer than the ward meant (a
     * three-day pulse written as fourteen). Published courses run three
     * days (EMERALD: "including but not limited to"), no source sets a
     * maximum: the institution decides. Unset: the length is not checked.
     */
    maxPulseDays: z.number().int().min(1).optional(),
    /**
     * A dose computed from the patient's weight (or height, per m2) is
     * flagged when that measure was taken more than this many days before
     * the dose is given (a warning beside the record, never a refusal:
     * weigh the patient). Children's weights move within a course, and a
     * dose reads the figure held; no source sets the interval: the
     * institution decides. Unset: the measure's age is not checked.
     */
    measuresValidDays: z.number().int().min(1).optional(),
    /** Per drug, a maximum the institution marks as absolute (hard). */
    absoluteMaxima: z
      .partialRecord(
        z.enum(drugIds),
        z.object({ mg: positive, per: limitPeriodSchema }).strict(),
      )
      .optional(),
  })
  .strict();

/**
 * What mas-protocol leaves to each hospital: figures with no primary source
 * ([U] in clinical-facts.md). Nothing here has a default: a value asked for
 * but missing is an error naming it.
 */
export const institutionProfileSchema = z
  .object({
    $schema: z.string().optional(),
    kind: z.literal('mas-institution-profile'),
    profileId: z.string().min(1),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.0.0'),
    institution: z.string().min(1),
    /** True for the example shipped with the software. */
    example: z.boolean(),
    /** Shown wherever the profile is shown. */
    notice: z.string().min(1),
    protocol: z
      .object({ id: z.literal('mas-protocol'), version: z.string() })
      .strict(),
    /**
     * The institution's format of a pseudonymous patient identifier: a
     * pattern the whole identifier must match (so that a name or a national
     * number is refused), and how to say it to the person recording.
     * Absent: any identifier up to 100 characters.
     */
    patientIdentifier: z
      .object({
        pattern: z
          .string()
          .min(1)
          .refine((pattern) => {
            try {
              new RegExp(pattern, 'u');
              return true;
            } catch {
              return false;
            }
          }, 'must be a valid regular expression (Unicode)'),
        description: z.string().min(1),
      })
      .strict()
      .optional(),
    doses: z
      .object({
        dexamethasone: z
          .object({ mgPerM2PerDay: positive, maxMgPerDay: positive.optional() })
          .strict()
          .optional(),
        ciclosporin: z
          .object({
            ivMgPerKgPerDay: rangeSchema,
            troughTargetUgPerL: rangeSchema.optional(),
          })
          .strict()
          .optional(),
        anakinra: z
          .object({
            maxMgPerKgPerDay: positive,
            maxMgPerDay: positive,
            /**
             * How a recorded dose above these maxima is treated: 'soft'
             * (confirm with a rationale) or 'hard' (absolute: refused).
             * Absent: soft.
             */
            maximaTier: z.enum(['soft', 'hard']).optional(),
          })
          .strict()
          .optional(),
        ruxolitinib: perDoseRuleSchema.optional(),
        baricitinib: perDoseRuleSchema.optional(),
        etoposide: z
          .object({
            mgPerM2PerDose: positive,
            intervalDays: positive,
            infant: z
              .object({ belowWeightKg: positive, mgPerKgPerDose: positive })
              .strict()
              .optional(),
            renalAdjustment: adjustmentSchema
              .extend({ belowCreatinineClearanceMlMin: positive })
              .strict()
              .optional(),
            hepaticAdjustment: adjustmentSchema
              .extend({ aboveBilirubinUmolL: positive })
              .strict()
              .optional(),
          })
          .strict()
          .optional(),
        tocilizumab: z
          .object({ mgPerKgPerDose: positive, maxMgPerDose: positive })
          .strict()
          .optional(),
      })
      .strict(),
    response: z
      .object({
        ferritin: changeRuleSchema.optional(),
        platelets: changeRuleSchema.optional(),
        neutrophils: changeRuleSchema.optional(),
        hemoglobin: changeRuleSchema.optional(),
        fibrinogen: changeRuleSchema.optional(),
        dDimer: changeRuleSchema.optional(),
      })
      .strict(),
    delays: z
      .object({
        suspicionToGlucocorticoidMaxHours: positive.optional(),
        countersignatureWindowHours: positive.optional(),
        /**
         * Before this many hours after a therapy started, its response is
         * "too early to judge" (no [S] figure: institution-set, no default).
         */
        responseJudgeableAfterHours: positive.optional(),
      })
      .strict(),
    doseLimits: doseLimitsSchema.optional(),
  })
  .strict()
  .refine(
    (profile) =>
      !profile.example ||
      (/example/i.test(profile.notice) &&
        /not clinical guidance/i.test(profile.notice)),
    {
      path: ['notice'],
      error:
        'an example profile must say it is an example and not clinical guidance',
    },
  );

export type InstitutionProfileData = z.output<typeof institutionProfileSchema>;
