import { z } from 'zod';

import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { Route } from '../protocol/protocol.types.js';

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

/**
 * Other spellings accepted for a drug name: the US names and the names the
 * wards of other languages write (German, Spanish, Italian; accents are
 * dropped before matching), lower case, letters and digits only.
 */
export const drugAliases: Readonly<Record<string, DrugId>> = {
  cyclosporine: 'ciclosporin',
  cyclosporin: 'ciclosporin',
  ciclosporine: 'ciclosporin',
  ciclosporina: 'ciclosporin',
  methylprednisolon: 'methylprednisolone',
  metilprednisolona: 'methylprednisolone',
  metilprednisolone: 'methylprednisolone',
  dexamethason: 'dexamethasone',
  dexametasona: 'dexamethasone',
  desametasone: 'dexamethasone',
  etoposid: 'etoposide',
  etoposido: 'etoposide',
  vp16: 'etoposide',
};

const { doses } = masProtocolDefinition;

/**
 * The routes each drug may be given by: from the protocol data where the seed
 * names one; otherwise the routes the calculator knows a dose rule for
 * (ciclosporin oral or IV: seed.second-line.3). A recorded dose by another
 * route is an input error.
 */
export const drugRoutes: Readonly<Record<DrugId, readonly Route[]>> = {
  methylprednisolone: [doses.methylprednisolone.route],
  dexamethasone: ['iv', 'oral'],
  ciclosporin: ['oral', 'iv'],
  anakinra: doses.anakinra.routes,
  emapalumab: [doses.emapalumab.route],
  ruxolitinib: ['oral'],
  baricitinib: ['oral'],
  etoposide: ['iv'],
  rituximab: [doses.rituximab.route],
  tocilizumab: ['iv'],
};

/**
 * The drugs given as pulses (day n of N) in the protocol data
 * (seed.initial.1): a pulse schedule recorded for another drug is an input
 * error.
 */
export const pulseDrugs: readonly DrugId[] = doses.pulses.drugs;

/**
 * Why a new record of `drug` cannot be written as a pulse (day n of N), or
 * null. For new records only: a record already kept (written before the
 * rule) is checked as what a pulse gives, one dose a day, never refused.
 */
export function pulseScheduleProblem(
  drug: string,
  schedule: { readonly kind: string },
): string | null {
  if (
    schedule.kind !== 'pulse' ||
    (pulseDrugs as readonly string[]).includes(drug)
  ) {
    return null;
  }
  return `a pulse (day n of N) is not a schedule for ${drug} in the protocol (given as pulses: ${pulseDrugs.join(', ')}); record it as daily, every N hours or once`;
}

/** The evidence of the drugs given as pulses. */
export const pulseEvidence: readonly string[] = doses.pulses.evidence;

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
