import { z } from 'zod';

import { patientSchema } from '@mas/contracts';

const multiplier = z.number().min(0).max(5);

/** A training and study scenario: a virtual patient and how it behaves. */
export const scenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    description: z.string().min(1),
    patient: patientSchema,
    /** Disease activity at presentation (about 1: florid MAS). */
    activity: z.number().min(0).max(2),
    /** Intrinsic drive of the disease (1: typical sJIA-MAS). */
    drive: z.number().min(0).max(5),
    /** Hours of illness before the episode opens (late presentation). */
    presentationDelayHours: z.number().min(0).default(0),
    organDysfunction: z.number().min(0).max(1).default(0),
    cns: z.boolean().default(false),
    /** How well each therapy works in this patient (1: as modelled). */
    sensitivity: z.record(z.string(), multiplier).default({}),
    triggers: z
      .object({
        infection: z.number().min(0).max(1).default(0),
        ebv: z
          .object({
            load: z.number().min(0).max(1),
            cellType: z.enum(['B', 'T/NK']),
          })
          .optional(),
        malignancy: z.boolean().default(false),
      })
      .default({ infection: 0, malignancy: false }),
    /** A relapse during the taper: extra drive once tapering has begun. */
    relapseDuringTaper: z
      .object({ afterHours: z.number().min(0), drive: z.number().min(0) })
      .optional(),
    /** What the protocol policy should lead to (checked by the tests). */
    expected: z
      .object({
        mortality: z.object({ min: z.number(), max: z.number() }),
        remissionAtLeast: z.number().min(0).max(1).default(0),
        escalates: z.boolean().default(false),
      })
      .strict(),
    /** Where the scenario's course comes from, in words. */
    basis: z.string().min(1),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
