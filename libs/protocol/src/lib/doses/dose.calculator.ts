import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { checkPlausible } from '../panel/lab-panel.util.js';
import { toClinicalInputError } from '../panel/zod-error.util.js';
import {
  type InstitutionProfile,
  type ProfileStamp,
  profileStamp,
  requireProfileValue,
} from '../profile/institution-profile.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { DoseBasis, Range, Route } from '../protocol/protocol.types.js';
import { stripFloatNoise } from '../units/quantity.util.js';
import {
  type DoseRequest,
  doseRequestSchema,
  drugAliases,
  type DrugId,
  drugIds,
  drugRoutes,
} from './dose-request.schema.js';

/** A limit that was checked; `applied` when it lowered the dose. */
export interface DoseCapCheck {
  readonly mg: number;
  readonly per: 'infusion' | 'dose' | 'day';
  readonly source: 'protocol' | 'institution-profile';
  readonly description: string;
  readonly applied: boolean;
  readonly evidence: readonly string[];
}

export interface DoseAdjustment {
  readonly reason: string;
  readonly factor: number;
  readonly source: 'institution-profile';
}

export interface DoseResult {
  readonly drug: DrugId;
  readonly route: Route;
  /** The dose to give, after caps and adjustments, in mg. */
  readonly doseMg: number;
  readonly per: 'infusion' | 'dose' | 'day';
  readonly basis: {
    readonly kind: DoseBasis;
    readonly amountPerUnit: number;
    /** Who chose the per-unit amount. */
    readonly setBy: 'clinician' | 'protocol' | 'institution-profile';
    readonly weightKg: number;
    readonly bodySurfaceAreaM2?: number;
  };
  /** The dose before any cap. */
  readonly uncappedDoseMg: number;
  readonly capApplied: boolean;
  readonly caps: readonly DoseCapCheck[];
  readonly adjustments: readonly DoseAdjustment[];
  readonly dosesPerDay?: number;
  readonly schedule?: string;
  /** Anakinra: above the standard 1-2 mg/kg/day. */
  readonly highDose?: boolean;
  readonly renalAdjustmentRequired?: boolean;
  readonly troughTargetUgPerL?: Range;
  readonly warnings: readonly string[];
  readonly evidence: readonly string[];
  /** Present when an institution-set figure was used. */
  readonly profile?: ProfileStamp;
}

const { doses, patient, bodySurfaceArea } = masProtocolDefinition;

export function resolveDrug(name: string): DrugId {
  const lower = name.toLowerCase();
  const found = drugIds.find((id) => id === lower) ?? drugAliases[lower];
  if (!found) {
    throw new ClinicalInputError(
      'drug',
      `"${name}" is not a drug of the protocol (known: ${drugIds.join(', ')})`,
    );
  }
  return found;
}

/** Body surface area (m2), Mosteller. */
export function bodySurfaceAreaM2(heightCm: number, weightKg: number): number {
  return stripFloatNoise(
    Math.sqrt((heightCm * weightKg) / bodySurfaceArea.divisor),
  );
}

interface Parsed {
  readonly weightKg: number;
  readonly heightCm?: number;
  readonly mgPerKg?: number;
  readonly mgPerM2?: number;
  readonly route?: Route;
  readonly phase?: 'initial' | 'maintenance';
  readonly creatinineClearanceMlMin?: number;
  readonly bilirubinUmolL?: number;
}

function parseRequest(input: unknown): Parsed {
  const parsed = doseRequestSchema.safeParse(input);
  if (!parsed.success) throw toClinicalInputError(parsed.error, 'request');
  const request = parsed.data;
  checkPlausible(request.weightKg, patient.weightKg, 'weightKg', 'kg');
  if (request.weightKg === 0) {
    throw new ClinicalInputError('weightKg', 'must be above 0');
  }
  if (request.heightCm !== undefined) {
    checkPlausible(request.heightCm, patient.heightCm, 'heightCm', 'cm');
  }
  if (request.creatinineClearanceMlMin !== undefined) {
    checkPlausible(
      request.creatinineClearanceMlMin,
      patient.creatinineClearanceMlMin,
      'creatinineClearanceMlMin',
      'mL/min',
    );
  }
  for (const field of ['mgPerKg', 'mgPerM2', 'bilirubinUmolL'] as const) {
    const value = request[field];
    if (value !== undefined && value < 0) {
      throw new ClinicalInputError(
        field,
        `must not be negative (got ${value})`,
      );
    }
  }
  return request;
}

function requireField<T>(value: T | undefined, field: string, why: string): T {
  if (value === undefined) {
    throw new ClinicalInputError(field, `is required ${why}`);
  }
  return value;
}

function requireRoute(request: Parsed, drug: DrugId): Route {
  const allowed = drugRoutes[drug];
  const route =
    request.route ?? (allowed.length === 1 ? allowed[0] : undefined);
  if (route === undefined) {
    throw new ClinicalInputError(
      'route',
      `is required for ${drug} (one of ${allowed.join(', ')})`,
    );
  }
  if (!allowed.includes(route)) {
    throw new ClinicalInputError(
      'route',
      `${route} is not a route for ${drug} in the protocol (allowed: ${allowed.join(', ')})`,
    );
  }
  return route;
}

function checkRange(
  value: number,
  range: Range,
  field: string,
  what: string,
  evidence: readonly string[],
): void {
  if (value < range.min || value > range.max) {
    throw new ClinicalInputError(
      field,
      `${value} is outside the range ${range.min}-${range.max} ${what} (${evidence.join(', ')})`,
    );
  }
}

function requireBsa(request: Parsed, drug: DrugId): number {
  const heightCm = requireField(
    request.heightCm,
    'heightCm',
    `for ${drug} (dosed per m2 of body surface area)`,
  );
  return bodySurfaceAreaM2(heightCm, request.weightKg);
}

interface CapInput {
  readonly mg: number;
  readonly per: 'infusion' | 'dose' | 'day';
  readonly source: 'protocol' | 'institution-profile';
  readonly description: string;
  readonly evidence: readonly string[];
}

/** A maximum the institution set (no published figure exists). */
function institutionCap(
  mg: number,
  per: CapInput['per'],
  description: string,
): CapInput {
  return {
    mg,
    per,
    source: 'institution-profile',
    description,
    evidence: ['review.section-10'],
  };
}

/** Applies every cap, keeps the lowest, and records which one bound. */
function applyCaps(
  uncapped: number,
  caps: readonly CapInput[],
): { doseMg: number; checks: DoseCapCheck[] } {
  const lowest = Math.min(uncapped, ...caps.map((c) => c.mg));
  let bound = false;
  const checks = caps.map((cap) => {
    const applied = !bound && uncapped > cap.mg && cap.mg === lowest;
    if (applied) bound = true;
    return { ...cap, applied };
  });
  return { doseMg: lowest, checks };
}

interface Draft {
  readonly route: Route;
  readonly per: 'infusion' | 'dose' | 'day';
  readonly kind: DoseBasis;
  readonly amountPerUnit: number;
  readonly setBy: 'clinician' | 'protocol' | 'institution-profile';
  readonly bsa?: number;
  readonly caps?: readonly CapInput[];
  readonly adjustments?: readonly DoseAdjustment[];
  readonly warnings?: readonly string[];
  readonly evidence: readonly string[];
  readonly extra?: Partial<DoseResult>;
  readonly usesProfile?: boolean;
}

function finish(
  drug: DrugId,
  request: Parsed,
  draft: Draft,
  profile: InstitutionProfile | undefined,
): DoseResult {
  const multiplier = draft.kind === 'mg/kg' ? request.weightKg : draft.bsa;
  if (multiplier === undefined) throw new Error('BSA missing for a mg/m2 dose');
  const base = stripFloatNoise(draft.amountPerUnit * multiplier);
  const factor = (draft.adjustments ?? []).reduce((f, a) => f * a.factor, 1);
  const uncapped = stripFloatNoise(base * factor);
  const { doseMg, checks } = applyCaps(uncapped, draft.caps ?? []);
  const capApplied = checks.some((c) => c.applied);
  const warnings = [...(draft.warnings ?? [])];
  for (const check of checks.filter((c) => c.applied)) {
    warnings.push(
      `Capped: ${uncapped} mg is above the ${check.description} (${check.mg} mg per ${check.per}); the dose shown is the cap.`,
    );
  }
  return {
    drug,
    route: draft.route,
    doseMg: stripFloatNoise(doseMg),
    per: draft.per,
    basis: {
      kind: draft.kind,
      amountPerUnit: draft.amountPerUnit,
      setBy: draft.setBy,
      weightKg: request.weightKg,
      ...(draft.bsa === undefined ? {} : { bodySurfaceAreaM2: draft.bsa }),
    },
    uncappedDoseMg: uncapped,
    capApplied,
    caps: checks,
    adjustments: draft.adjustments ?? [],
    ...draft.extra,
    warnings,
    evidence: draft.evidence,
    ...(draft.usesProfile && profile ? { profile: profileStamp(profile) } : {}),
  };
}

function needProfile(
  profile: InstitutionProfile | undefined,
  drug: DrugId,
): InstitutionProfile {
  if (!profile) {
    throw new ClinicalInputError(
      'profile',
      `an institution profile is required for ${drug} (its dose has no published default)`,
    );
  }
  return profile;
}

function methylprednisolone(request: Parsed): Draft {
  const rule = doses.methylprednisolone;
  const route = requireRoute(request, 'methylprednisolone');
  const mgPerKg = requireField(
    request.mgPerKg,
    'mgPerKg',
    `for methylprednisolone (protocol range ${rule.range.min}-${rule.range.max} mg/kg/day)`,
  );
  checkRange(
    mgPerKg,
    rule.range,
    'mgPerKg',
    'mg/kg/day of the protocol',
    rule.evidence,
  );
  return {
    route,
    per: 'infusion',
    kind: 'mg/kg',
    amountPerUnit: mgPerKg,
    setBy: 'clinician',
    caps: rule.caps.map((cap) => ({
      mg: cap.mg,
      per: cap.per,
      source: 'protocol' as const,
      description: 'protocol maximum per infusion',
      evidence: cap.evidence,
    })),
    evidence: rule.evidence,
    extra: { schedule: 'once daily IV pulse (typically 3 days)' },
  };
}

function dexamethasone(request: Parsed, profile: InstitutionProfile): Draft {
  const rule = requireProfileValue(
    profile.data.doses.dexamethasone,
    'doses.dexamethasone',
    'dexamethasone',
  );
  const route = requireRoute(request, 'dexamethasone');
  return {
    route,
    per: 'day',
    kind: 'mg/m2',
    amountPerUnit: rule.mgPerM2PerDay,
    setBy: 'institution-profile',
    bsa: requireBsa(request, 'dexamethasone'),
    caps:
      rule.maxMgPerDay === undefined
        ? []
        : [
            institutionCap(
              rule.maxMgPerDay,
              'day',
              'institutional maximum per day',
            ),
          ],
    evidence: ['seed.initial.2', ...bodySurfaceArea.evidence],
    usesProfile: true,
  };
}

function ciclosporin(
  request: Parsed,
  profile: InstitutionProfile | undefined,
): Draft {
  const route = requireRoute(request, 'ciclosporin');
  const mgPerKg = requireField(
    request.mgPerKg,
    'mgPerKg',
    'for ciclosporin (mg/kg/day)',
  );
  if (route === 'oral') {
    const rule = doses.ciclosporin.oral;
    checkRange(
      mgPerKg,
      rule.range,
      'mgPerKg',
      'mg/kg/day for oral ciclosporin with glucocorticoids',
      rule.evidence,
    );
    return {
      route,
      per: 'day',
      kind: 'mg/kg',
      amountPerUnit: mgPerKg,
      setBy: 'clinician',
      evidence: rule.evidence,
      extra: troughExtra(profile),
      usesProfile:
        profile?.data.doses.ciclosporin?.troughTargetUgPerL !== undefined,
    };
  }
  const active = needProfile(profile, 'ciclosporin');
  const rule = requireProfileValue(
    active.data.doses.ciclosporin?.ivMgPerKgPerDay,
    'doses.ciclosporin.ivMgPerKgPerDay',
    'intravenous ciclosporin (IV doses differ from oral)',
  );
  checkRange(
    mgPerKg,
    rule,
    'mgPerKg',
    'mg/kg/day for IV ciclosporin set by the institution',
    ['review.section-10'],
  );
  return {
    route,
    per: 'day',
    kind: 'mg/kg',
    amountPerUnit: mgPerKg,
    setBy: 'clinician',
    evidence: ['seed.second-line.2', 'seed.second-line.3', 'review.section-10'],
    extra: troughExtra(active),
    usesProfile: true,
  };
}

function troughExtra(
  profile: InstitutionProfile | undefined,
): Partial<DoseResult> {
  const trough = profile?.data.doses.ciclosporin?.troughTargetUgPerL;
  return trough === undefined ? {} : { troughTargetUgPerL: trough };
}

function anakinra(request: Parsed, profile: InstitutionProfile): Draft {
  const rule = doses.anakinra;
  const institutional = requireProfileValue(
    profile.data.doses.anakinra,
    'doses.anakinra',
    'anakinra (no agreed maximum dose: the institution must set one)',
  );
  const route = requireRoute(request, 'anakinra');
  const mgPerKg = requireField(
    request.mgPerKg,
    'mgPerKg',
    'for anakinra (mg/kg/day)',
  );
  const highDose = mgPerKg > rule.standardRange.max;
  const warnings: string[] = [];
  if (!highDose) {
    warnings.push(
      `${mgPerKg} mg/kg/day is within the standard ${rule.standardRange.min}-${rule.standardRange.max} mg/kg/day; the protocol calls for doses higher than standard in MAS.`,
    );
  }
  const effectivePerKg = Math.min(
    mgPerKg,
    institutional.maxMgPerKgPerDay,
    institutional.maxMgPerDay / request.weightKg,
  );
  if (effectivePerKg > rule.highestReportedMgPerKgPerDay) {
    warnings.push(
      `${stripFloatNoise(effectivePerKg)} mg/kg/day is above the highest reported dose in MAS (${rule.highestReportedMgPerKgPerDay} mg/kg/day).`,
    );
  }
  const renal =
    request.creatinineClearanceMlMin !== undefined &&
    request.creatinineClearanceMlMin < rule.renalAdjustmentBelowCrClMlMin;
  if (renal) {
    warnings.push(
      `Creatinine clearance below ${rule.renalAdjustmentBelowCrClMlMin} mL/min: the label advises giving the prescribed dose every ${rule.renalAdjustedEveryHours} h.`,
    );
  }
  return {
    route,
    per: 'day',
    kind: 'mg/kg',
    amountPerUnit: mgPerKg,
    setBy: 'clinician',
    caps: [
      institutionCap(
        stripFloatNoise(institutional.maxMgPerKgPerDay * request.weightKg),
        'day',
        `institutional maximum of ${institutional.maxMgPerKgPerDay} mg/kg/day`,
      ),
      institutionCap(
        institutional.maxMgPerDay,
        'day',
        'institutional maximum per day',
      ),
    ],
    warnings,
    evidence: [...rule.evidence, ...(renal ? rule.renalEvidence : [])],
    extra: {
      highDose,
      renalAdjustmentRequired: renal,
      ...(route === 'iv' ? { schedule: 'possibly repeated IV doses' } : {}),
    },
    usesProfile: true,
  };
}

function emapalumab(request: Parsed): Draft {
  const rule = doses.emapalumab;
  const route = requireRoute(request, 'emapalumab');
  const phase = requireField(
    request.phase,
    'phase',
    'for emapalumab (initial or maintenance)',
  );
  const chosen = rule.phases[phase];
  return {
    route,
    per: 'infusion',
    kind: 'mg/kg',
    amountPerUnit: chosen.mgPerKg,
    setBy: 'protocol',
    evidence: rule.evidence,
    extra: { schedule: chosen.schedule },
  };
}

function rituximab(request: Parsed): Draft {
  const rule = doses.rituximab;
  const route = requireRoute(request, 'rituximab');
  return {
    route,
    per: 'infusion',
    kind: 'mg/m2',
    amountPerUnit: request.mgPerM2 ?? rule.defaultMgPerM2,
    setBy: request.mgPerM2 === undefined ? 'protocol' : 'clinician',
    bsa: requireBsa(request, 'rituximab'),
    evidence: rule.evidence,
    warnings: [
      'Gated on EBV alone; little benefit was seen where EBV was mostly in T/NK cells.',
    ],
  };
}

function jakInhibitor(
  drug: 'ruxolitinib' | 'baricitinib',
  request: Parsed,
  profile: InstitutionProfile,
): Draft {
  const rule = requireProfileValue(
    profile.data.doses[drug],
    `doses.${drug}`,
    drug,
  );
  const route = requireRoute(request, drug);
  return {
    route,
    per: 'dose',
    kind: rule.basis,
    amountPerUnit: rule.perDose,
    setBy: 'institution-profile',
    ...(rule.basis === 'mg/m2' ? { bsa: requireBsa(request, drug) } : {}),
    caps:
      rule.maxMgPerDose === undefined
        ? []
        : [
            institutionCap(
              rule.maxMgPerDose,
              'dose',
              'institutional maximum per dose',
            ),
          ],
    evidence: ['seed.refractory.2'],
    extra: { dosesPerDay: rule.dosesPerDay },
    usesProfile: true,
  };
}

function etoposide(request: Parsed, profile: InstitutionProfile): Draft {
  const rule = requireProfileValue(
    profile.data.doses.etoposide,
    'doses.etoposide',
    'low-dose etoposide',
  );
  const route = requireRoute(request, 'etoposide');
  const infant =
    rule.infant !== undefined && request.weightKg < rule.infant.belowWeightKg
      ? rule.infant
      : undefined;
  const adjustments: DoseAdjustment[] = [];
  const warnings: string[] = [];
  if (request.creatinineClearanceMlMin !== undefined) {
    const renal = rule.renalAdjustment;
    if (!renal) {
      warnings.push(
        'Creatinine clearance given but the institution sets no renal adjustment for etoposide.',
      );
    } else if (
      request.creatinineClearanceMlMin < renal.belowCreatinineClearanceMlMin
    ) {
      adjustments.push({
        reason: `creatinine clearance below ${renal.belowCreatinineClearanceMlMin} mL/min`,
        factor: renal.factor,
        source: 'institution-profile',
      });
    }
  }
  if (request.bilirubinUmolL !== undefined) {
    const hepatic = rule.hepaticAdjustment;
    if (!hepatic) {
      warnings.push(
        'Bilirubin given but the institution sets no hepatic adjustment for etoposide.',
      );
    } else if (request.bilirubinUmolL > hepatic.aboveBilirubinUmolL) {
      adjustments.push({
        reason: `bilirubin above ${hepatic.aboveBilirubinUmolL} umol/L`,
        factor: hepatic.factor,
        source: 'institution-profile',
      });
    }
  }
  const common = {
    route,
    per: 'dose' as const,
    setBy: 'institution-profile' as const,
    adjustments,
    warnings,
    evidence: ['seed.refractory.3'],
    extra: { schedule: `every ${rule.intervalDays} days` },
    usesProfile: true,
  };
  return infant
    ? { ...common, kind: 'mg/kg', amountPerUnit: infant.mgPerKgPerDose }
    : {
        ...common,
        kind: 'mg/m2',
        amountPerUnit: rule.mgPerM2PerDose,
        bsa: requireBsa(request, 'etoposide'),
      };
}

function tocilizumab(request: Parsed, profile: InstitutionProfile): Draft {
  const rule = requireProfileValue(
    profile.data.doses.tocilizumab,
    'doses.tocilizumab',
    'tocilizumab',
  );
  const route = requireRoute(request, 'tocilizumab');
  return {
    route,
    per: 'dose',
    kind: 'mg/kg',
    amountPerUnit: rule.mgPerKgPerDose,
    setBy: 'institution-profile',
    caps: [
      institutionCap(
        rule.maxMgPerDose,
        'dose',
        'institutional maximum per dose',
      ),
    ],
    warnings: [
      'Tocilizumab masks fever and CRP: the 2016 criteria are not applicable while it is active.',
    ],
    evidence: ['seed.subtype.1', 'lit.shimizu-2020'],
    usesProfile: true,
  };
}

/**
 * The dose of `drug` for one patient: drug, route, dose, basis, every cap
 * checked (a cap that lowered the dose says so), warnings and evidence.
 */
export function calculateDose(
  drugName: string,
  input: DoseRequest | Readonly<Record<string, unknown>>,
  profile?: InstitutionProfile,
): DoseResult {
  const drug = resolveDrug(drugName);
  const request = parseRequest(input);
  const draft = ((): Draft => {
    switch (drug) {
      case 'methylprednisolone':
        return methylprednisolone(request);
      case 'dexamethasone':
        return dexamethasone(request, needProfile(profile, drug));
      case 'ciclosporin':
        return ciclosporin(request, profile);
      case 'anakinra':
        return anakinra(request, needProfile(profile, drug));
      case 'emapalumab':
        return emapalumab(request);
      case 'rituximab':
        return rituximab(request);
      case 'ruxolitinib':
      case 'baricitinib':
        return jakInhibitor(drug, request, needProfile(profile, drug));
      case 'etoposide':
        return etoposide(request, needProfile(profile, drug));
      case 'tocilizumab':
        return tocilizumab(request, needProfile(profile, drug));
    }
  })();
  return finish(drug, request, draft, profile);
}

/**
 * Runs the checks calculateDose starts with (shape, plausible weight, height
 * and creatinine clearance, no negative amount) without computing a dose.
 * Throws a ClinicalInputError naming the field.
 */
export function validateDoseRequest(
  input: DoseRequest | Readonly<Record<string, unknown>>,
): void {
  parseRequest(input);
}
