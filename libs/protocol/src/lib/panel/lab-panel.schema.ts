import { z } from 'zod';

import {
  type AnalyteId,
  analyteIds,
  type FindingId,
  findingIds,
} from '../protocol/protocol.types.js';

export const quantitySchema = z
  .object({
    value: z.number(),
    unit: z.string().min(1),
  })
  .strict();

/** The 2016 criteria a clinician may mark "explained otherwise". */
export const mas2016CriterionIds = [
  'ferritin',
  'platelets',
  'ast',
  'triglycerides',
  'fibrinogen',
] as const;

const findingShape = Object.fromEntries(
  findingIds.map((id) => [id, z.boolean().optional()]),
) as Record<FindingId, z.ZodOptional<z.ZodBoolean>>;

const quantityShape = Object.fromEntries(
  analyteIds.map((id) => [id, quantitySchema.optional()]),
) as Record<AnalyteId, z.ZodOptional<typeof quantitySchema>>;

/**
 * One laboratory and clinical panel. Findings are three-valued: `true`
 * present, `false` absent, no key not assessed (never read as absent). An
 * absent quantity was not measured (not assessed either).
 */
export const labPanelSchema = z
  .object({
    ...findingShape,
    ...quantityShape,
    temperatureC: z.number().optional(),
    /** Age in days, when known (HLH-2004's neonatal haemoglobin limit). */
    ageDays: z.number().optional(),
    /** 2016 criteria the clinician judges better explained by another condition. */
    explainedOtherwise: z.array(z.enum(mas2016CriterionIds)).optional(),
  })
  .strict();

export type LabPanelInput = z.input<typeof labPanelSchema>;
