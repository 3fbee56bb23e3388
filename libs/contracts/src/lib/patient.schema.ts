import { z } from 'zod';

export const underlyingDiseases = [
  'sJIA',
  'AOSD',
  'SLE',
  'other',
  'unknown',
] as const;
export type UnderlyingDisease = (typeof underlyingDiseases)[number];

/** A pseudonymous patient: no name, no national identifier. */
export const patientSchema = z
  .object({
    identifier: z
      .string()
      .trim()
      .min(1)
      .max(100, 'must be at most 100 characters'),
    weightKg: z.number().positive(),
    heightCm: z.number().positive(),
    birthDate: z.iso.date(),
    sex: z.enum(['female', 'male', 'other', 'unknown']),
    underlyingDisease: z.enum(underlyingDiseases),
  })
  .strict();
export type Patient = z.infer<typeof patientSchema>;
