/**
 * The standard prescription of a protocol drug for one patient: the route
 * the protocol names first, the dose the dose calculator computes for this
 * patient (caps applied) and its schedule. The simulator's virtual
 * clinicians, the model checker's alphabet and the specs record therapies
 * with it, so every record they make is complete and within the limits.
 */
import type {
  DoseSchedule,
  Patient,
  RouteOfAdministration,
} from '@mas/contracts';
import {
  calculateDose,
  type DoseRequest,
  type DoseResult,
  type DrugId,
  type InstitutionProfile,
  masProtocolDefinition,
} from '@mas/protocol';

const { doses } = masProtocolDefinition;

/**
 * The per-kg choice the calculator leaves to the prescriber, for the drugs
 * that have one: the top of the protocol's range for methylprednisolone (the
 * 30 mg/kg pulse) and ciclosporin (oral from the protocol, IV from the
 * institution); for anakinra, the mean induction dose reported in MAS (the
 * seed asks for more than the standard dose; protocol data with its
 * evidence). Emapalumab: the first infusion.
 */
function choices(
  drug: DrugId,
  route: RouteOfAdministration,
  profile: InstitutionProfile,
): Partial<DoseRequest> {
  switch (drug) {
    case 'methylprednisolone':
      return { mgPerKg: doses.methylprednisolone.range.max };
    case 'ciclosporin':
      return {
        mgPerKg:
          route === 'oral'
            ? doses.ciclosporin.oral.range.max
            : (profile.data.doses.ciclosporin?.ivMgPerKgPerDay.max ??
              doses.ciclosporin.oral.range.min),
      };
    case 'anakinra':
      return { mgPerKg: doses.anakinra.reportedMeanInductionMgPerKgPerDay };
    case 'emapalumab':
      return { phase: 'initial' };
    case 'dexamethasone':
    case 'ruxolitinib':
    case 'baricitinib':
    case 'etoposide':
    case 'rituximab':
    case 'tocilizumab':
      // Dosed by the protocol or the institution alone.
      return {};
  }
}

/** The route each drug is given by unless the prescriber says otherwise. */
const usualRoute: Readonly<Record<DrugId, RouteOfAdministration>> = {
  methylprednisolone: 'iv',
  dexamethasone: 'iv',
  ciclosporin: 'oral',
  anakinra: 'sc',
  emapalumab: 'iv',
  ruxolitinib: 'oral',
  baricitinib: 'oral',
  etoposide: 'iv',
  rituximab: 'iv',
  tocilizumab: 'iv',
};

export interface Prescription {
  readonly dose: { readonly value: number; readonly unit: 'mg' };
  readonly route: RouteOfAdministration;
  readonly schedule: DoseSchedule;
}

/**
 * The dose rules' result for the standard choices of `drug` (caps applied
 * and named in it): what a prescription, or a card in the EHR, rests on.
 */
export function standardDose(
  drug: DrugId,
  patient: Pick<Patient, 'weightKg' | 'heightCm'>,
  profile: InstitutionProfile,
  route: RouteOfAdministration = usualRoute[drug],
): DoseResult {
  return calculateDose(
    drug,
    {
      weightKg: patient.weightKg,
      heightCm: patient.heightCm,
      route,
      ...choices(drug, route, profile),
    },
    profile,
  );
}

export function standardPrescription(
  drug: DrugId,
  patient: Pick<Patient, 'weightKg' | 'heightCm'>,
  profile: InstitutionProfile,
  route: RouteOfAdministration = usualRoute[drug],
): Prescription {
  const result = standardDose(drug, patient, profile, route);
  const perDay = result.per === 'day';
  const dosesPerDay = perDay ? (result.dosesPerDay ?? 1) : 1;
  const schedule: DoseSchedule =
    drug === 'methylprednisolone'
      ? { kind: 'pulse', day: 1, of: 3 }
      : dosesPerDay > 1
        ? { kind: 'every-hours', hours: 24 / dosesPerDay }
        : perDay
          ? { kind: 'daily' }
          : result.dosesPerDay !== undefined && result.dosesPerDay > 1
            ? { kind: 'every-hours', hours: 24 / result.dosesPerDay }
            : { kind: 'once' };
  const value = Math.round((result.doseMg / dosesPerDay) * 100) / 100;
  return { dose: { value, unit: 'mg' }, route: result.route, schedule };
}
