import { z } from 'zod';

export const drugIds = [
  'methylprednisolone',
  'dexamethasone',
  'ciclosporin',
  'anakinra',
  'emapalumab',
  'ruxolitinib',
  'baricitinib',
  'etoposide',
  'rituximab',
  'tocilizumab',
] as const;
export type DrugId = (typeof drugIds)[number];

/** Other spellings accepted for a drug name. */
export const drugAliases: Readonly<Record<string, DrugId>> = {
  cyclosporine: 'ciclosporin',
  cyclosporin: 'ciclosporin',
  ciclosporine: 'ciclosporin',
};

export const doseRequestSchema = z
  .object({
    weightKg: z.number(),
    heightCm: z.number().optional(),
    /** The dose the clinician chose, per kg (per day or per dose by drug). */
    mgPerKg: z.number().optional(),
    /** The dose the clinician chose, per m2 (rituximab). */
    mgPerM2: z.number().optional(),
    route: z.enum(['iv', 'oral', 'sc']).optional(),
    /** Emapalumab: the first infusion or a later one. */
    phase: z.enum(['initial', 'maintenance']).optional(),
    creatinineClearanceMlMin: z.number().optional(),
    /** Total bilirubin, umol/L (etoposide's hepatic adjustment). */
    bilirubinUmolL: z.number().optional(),
  })
  .strict();

export type DoseRequest = z.input<typeof doseRequestSchema>;
