/**
 * A recorded dose checked against the dose rules for this patient, in two
 * tiers as in smart-pump drug libraries: a soft limit asks for a confirmation
 * with a rationale, a hard limit refuses the dose. Nothing is clamped: the
 * check reports, the caller decides.
 *
 * 1. Soft limits: the dose rule's range for this patient after its caps (a
 *    heavy patient at the protocol maximum per infusion is within, not
 *    "below the mg/kg range"); around a single computed dose, the
 *    institution's tolerance band. The institution's anakinra maxima are
 *    soft or hard as the profile marks them.
 * 2. Hard limits: the institution's factor times each upper soft limit (a
 *    likely tenfold slip), and the maxima the institution marks as absolute.
 * 3. Like with like: a limit per day is compared with the daily amount the
 *    schedule gives, a limit per dose or infusion with the dose.
 *
 * A limit whose figure is missing (none has a default) is listed as not
 * checked. When the dose rule itself needs a missing figure (institution
 * profile, height for a dose per m2) the tier is 'unchecked' with the reason:
 * recording a dose is never blocked by missing data. Invalid input throws a
 * ClinicalInputError naming the field.
 */
import { z } from 'zod';

import {
  ClinicalInputError,
  isClinicalInputError,
} from '../errors/clinical-input.error.js';
import { toClinicalInputError } from '../panel/zod-error.util.js';
import {
  type InstitutionProfile,
  type ProfileStamp,
  profileStamp,
  requireProfileValue,
} from '../profile/institution-profile.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { Range, Route } from '../protocol/protocol.types.js';
import {
  convertQuantity,
  isValidUcum,
  stripFloatNoise,
} from '../units/quantity.util.js';
import {
  calculateDose,
  type DoseCapCheck,
  type DoseResult,
  resolveDrug,
  validateDoseRequest,
} from './dose.calculator.js';
import { type DrugId, drugRoutes } from './dose-request.schema.js';

const { doses } = masProtocolDefinition;

/** UCUM mass units a dose may be recorded in. */
export const recordedDoseUnits = doses.recorded.units;
export type RecordedDoseUnit = (typeof recordedDoseUnits)[number];

/** What a dose or a limit is counted per. */
export type DosePer = DoseResult['per'];

/**
 * How the recorded dose is repeated. `every-hours` with an interval of a day
 * or less gives 24/hours administrations a day (every 8 h: 3); with a longer
 * interval, one on the day it is given. `daily` and `pulse` (day `day` of `of`
 * daily pulses) give one a day; `once`, a single dose.
 */
export type RecordedDoseSchedule =
  | { readonly kind: 'once' }
  | { readonly kind: 'every-hours'; readonly hours: number }
  | { readonly kind: 'daily' }
  | { readonly kind: 'pulse'; readonly day: number; readonly of: number };

export interface RecordedDosePatient {
  readonly weightKg: number;
  /** Needed for drugs dosed per m2 (BSA); without it they are unchecked. */
  readonly heightCm?: number;
  readonly creatinineClearanceMlMin?: number;
  /** Total bilirubin, umol/L (etoposide's hepatic adjustment). */
  readonly bilirubinUmolL?: number;
}

export interface RecordedDose {
  /** A drug of the protocol (the other spellings resolveDrug accepts too). */
  readonly drug: DrugId;
  /** The amount given per administration, in a UCUM mass unit. */
  readonly dose: { readonly value: number; readonly unit: string };
  readonly route: Route;
  readonly schedule: RecordedDoseSchedule;
  readonly patient: RecordedDosePatient;
  /**
   * 'mas' (the default: a therapy recorded in a MAS episode treats MAS) or
   * 'background' (therapy the patient was already on, e.g. for sJIA).
   */
  readonly purpose?: 'mas' | 'background';
  /** Emapalumab: which infusion. Without it, either phase's dose is accepted. */
  readonly phase?: 'initial' | 'maintenance';
  readonly profile?: InstitutionProfile;
}

export type DoseCheckTier = 'within' | 'soft' | 'hard' | 'unchecked';

/** One limit the dose was held against. */
export interface DoseLimit {
  /** Stable within a check: `range-upper`, `hard-factor:range-upper`... */
  readonly id: string;
  readonly tier: 'soft' | 'hard';
  /** A lower limit is crossed below it, an upper limit above it. */
  readonly bound: 'lower' | 'upper';
  /** In words, with figures and units. */
  readonly description: string;
  /** The limit in mg; absent when it could not be checked. */
  readonly limitMg?: number;
  readonly per: DosePer;
  readonly source: 'protocol' | 'institution-profile';
  readonly evidence: readonly string[];
  /** False when a figure it needs is missing (named by `missing`). */
  readonly checked: boolean;
  /** The dose is beyond the limit (below a lower one, above an upper one). */
  readonly exceeded: boolean;
  /** The parameter whose absence left the limit unchecked. */
  readonly missing?: string;
}

export interface DoseCheckAlert {
  readonly id:
    | 'anakinra-standard-dose'
    | 'anakinra-above-highest-reported'
    | 'pulse-longer-than-maximum'
    | 'anakinra-renal-adjustment';
  readonly message: string;
  readonly evidence: readonly string[];
}

/** The dose rule's doses for this patient, after caps and adjustments. */
export interface ComputedDose {
  readonly per: DosePer;
  /** Absent when the rule sets only a maximum (anakinra). */
  readonly minMg?: number;
  readonly maxMg: number;
  /** The calculator's results behind minMg and maxMg, lowest first. */
  readonly results: readonly DoseResult[];
}

export interface DoseCheck {
  readonly drug: DrugId;
  readonly route: Route;
  /**
   * 'hard' when a hard limit is exceeded, else 'soft' when a soft one is,
   * else 'unchecked' when the soft limits could not be checked, else 'within'.
   */
  readonly tier: DoseCheckTier;
  /** The recorded dose in mg. */
  readonly doseMg: number;
  /** The amount a day the schedule gives, in mg. */
  readonly dailyMg: number;
  readonly administrationsPerDay: number;
  readonly computed?: ComputedDose;
  /** Every limit held against the dose, checked or not. */
  readonly limits: readonly DoseLimit[];
  /** One per exceeded limit, hard first, with the computed dose. */
  readonly messages: readonly string[];
  readonly alerts: readonly DoseCheckAlert[];
  /** Why the dose could not be checked (tier 'unchecked'). */
  readonly uncheckedReason?: string;
  /** The institution profile the check ran against, when one was given. */
  readonly profile?: ProfileStamp;
}

// ---------------------------------------------------------------- input

const positiveNumber = (what: string) =>
  z.number().positive({ error: `must be above 0 (${what})` });

const recordedDoseSchema = z
  .object({
    drug: z.string(),
    dose: z
      .object({ value: positiveNumber('the amount given'), unit: z.string() })
      .strict(),
    route: z.enum(['iv', 'oral', 'sc']),
    schedule: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('once') }).strict(),
      z
        .object({
          kind: z.literal('every-hours'),
          hours: positiveNumber('the interval in hours'),
        })
        .strict(),
      z.object({ kind: z.literal('daily') }).strict(),
      z
        .object({
          kind: z.literal('pulse'),
          day: z.number().int().positive(),
          of: z.number().int().positive(),
        })
        .strict()
        .refine((pulse) => pulse.day <= pulse.of, {
          path: ['day'],
          error: 'must not be after the last pulse day (schedule.of)',
        }),
    ]),
    patient: z
      .object({
        weightKg: z.number(),
        heightCm: z.number().optional(),
        creatinineClearanceMlMin: z.number().optional(),
        bilirubinUmolL: z.number().optional(),
      })
      .strict(),
    purpose: z.enum(['mas', 'background']).optional(),
    phase: z.enum(['initial', 'maintenance']).optional(),
  })
  .strict();

type Schedule = z.output<typeof recordedDoseSchema>['schedule'];

/** The patient part of a calculator request, without undefined fields. */
type PatientRequest = Readonly<Record<string, number>>;

function toMg(dose: { value: number; unit: string }): number {
  if (!(recordedDoseUnits as readonly string[]).includes(dose.unit)) {
    const accepted = recordedDoseUnits.join(', ');
    throw new ClinicalInputError(
      'dose.unit',
      isValidUcum(dose.unit)
        ? `${dose.unit} is not a mass unit accepted for a recorded dose (accepted: ${accepted}); record the amount of drug given`
        : `"${dose.unit}" is not a UCUM unit (accepted: ${accepted})`,
    );
  }
  const mg = convertQuantity(dose, 'mg', 'dose');
  if (!Number.isFinite(mg)) {
    // 1e308 g is past any number in mg: an impossible dose, said as such
    // (never "Infinity mg" in a limit's message).
    throw new ClinicalInputError(
      'dose.value',
      `${dose.value} ${dose.unit} is not a dose that can be given (too large a number)`,
    );
  }
  return mg;
}

const hoursPerDay = convertQuantity({ value: 1, unit: 'd' }, 'h', 'schedule');

function administrationsPerDay(schedule: Schedule): number {
  switch (schedule.kind) {
    case 'every-hours':
      return stripFloatNoise(Math.max(1, hoursPerDay / schedule.hours));
    case 'once':
    case 'daily':
    case 'pulse':
      return 1;
  }
}

/** Hours between two administrations of a schedule; none for one dose. */
function everyHoursOf(schedule: Schedule): number | undefined {
  switch (schedule.kind) {
    case 'every-hours':
      return schedule.hours;
    case 'daily':
    case 'pulse':
      return hoursPerDay;
    case 'once':
      return undefined;
  }
}

function scheduleText(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'every-hours':
      return `every ${schedule.hours} h`;
    case 'once':
    case 'daily':
      return schedule.kind;
    case 'pulse':
      return `pulse day ${schedule.day} of ${schedule.of}`;
  }
}

/** The recorded dose, validated, in mg, with its daily amount. */
interface Recorded {
  readonly drug: DrugId;
  readonly route: Route;
  readonly doseMg: number;
  readonly dailyMg: number;
  readonly administrationsPerDay: number;
  /** Hours between two administrations (undefined for a single dose). */
  readonly everyHours: number | undefined;
  readonly scheduleText: string;
  /** A pulse's length in days (N of "day n of N"); none for other schedules. */
  readonly pulseDays?: number;
  readonly request: PatientRequest;
  readonly weightKg: number;
  readonly creatinineClearanceMlMin?: number;
  readonly purpose: 'mas' | 'background';
  readonly phase?: 'initial' | 'maintenance';
}

function parseRecorded(input: Omit<RecordedDose, 'profile'>): Recorded {
  const result = recordedDoseSchema.safeParse(input);
  if (!result.success) throw toClinicalInputError(result.error, 'dose');
  const parsed = result.data;
  const drug = resolveDrug(parsed.drug);
  const routes = drugRoutes[drug];
  if (!routes.includes(parsed.route)) {
    throw new ClinicalInputError(
      'route',
      `${parsed.route} is not a route for ${drug} in the protocol (allowed: ${routes.join(', ')})`,
    );
  }
  // An optional field given as undefined stays a key after parsing.
  const patient: Readonly<Record<string, number | undefined>> = parsed.patient;
  const request: PatientRequest = Object.fromEntries(
    Object.entries(patient).filter(
      (entry): entry is [string, number] => entry[1] !== undefined,
    ),
  );
  try {
    validateDoseRequest(request);
  } catch (error) {
    throw isClinicalInputError(error) ? error.under('patient') : error;
  }
  const doseMg = toMg(parsed.dose);
  const perDay = administrationsPerDay(parsed.schedule);
  const { creatinineClearanceMlMin } = parsed.patient;
  return {
    drug,
    route: parsed.route,
    doseMg,
    dailyMg: stripFloatNoise(doseMg * perDay),
    administrationsPerDay: perDay,
    everyHours: everyHoursOf(parsed.schedule),
    scheduleText: scheduleText(parsed.schedule),
    ...(parsed.schedule.kind === 'pulse' && { pulseDays: parsed.schedule.of }),
    request,
    weightKg: parsed.patient.weightKg,
    ...(creatinineClearanceMlMin === undefined
      ? {}
      : { creatinineClearanceMlMin }),
    purpose: parsed.purpose ?? 'mas',
    ...(parsed.phase === undefined ? {} : { phase: parsed.phase }),
  };
}

/** The recorded amount a limit per `per` is compared with. */
function amountPer(recorded: Recorded, per: DosePer): number {
  return per === 'day' ? recorded.dailyMg : recorded.doseMg;
}

// --------------------------------------------------------------- limits

/** A figure for a message (the limits keep full precision). */
function shown(value: number): number {
  return Number(value.toPrecision(doses.recorded.messageSignificantDigits));
}

const mgPer = (per: DosePer) => `mg per ${per}`;

/** A limit before the dose is held against it. */
type LimitDraft = Omit<DoseLimit, 'exceeded'>;

interface LimitSpec {
  readonly id: string;
  readonly tier?: DoseLimit['tier'];
  readonly bound?: DoseLimit['bound'];
  readonly description: string;
  readonly per: DosePer;
  readonly source: DoseLimit['source'];
  readonly evidence: readonly string[];
  /** Absent: not checked, for want of `missing`. */
  readonly mg?: number;
  readonly missing?: string;
}

/** A limit: soft and upper unless said otherwise. */
function limit(spec: LimitSpec): LimitDraft {
  const { tier = 'soft', bound = 'upper', mg, missing, ...rest } = spec;
  return mg === undefined
    ? { ...rest, tier, bound, checked: false, ...(missing && { missing }) }
    : { ...rest, tier, bound, limitMg: mg, checked: true };
}

/** An upper soft limit the institution's hard-limit factor multiplies. */
interface FactorBase {
  readonly id: string;
  /** "the protocol maximum per infusion of 1000 mg". */
  readonly name: string;
  readonly mg: number;
  readonly per: DosePer;
}

/** The soft limits of a dose rule for this patient. */
interface Plan {
  readonly computed: ComputedDose;
  readonly limits: readonly LimitDraft[];
  readonly factorBases: readonly FactorBase[];
  /** Set when the dose could not be held against the soft limits. */
  readonly uncheckedReason?: string;
}

const institutionEvidence = ['review.section-10'];
const toleranceParameter = 'profile.doseLimits.softTolerancePercent';
const factorParameter = 'profile.doseLimits.hardFactorAboveSoftMax';

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

/** "30 mg/kg x 40 kg = 1200 mg, lowered to the protocol maximum ...". */
function arithmetic(perKg: number, result: DoseResult): string {
  const cap = result.caps.find((check) => check.applied);
  const base = `${perKg} mg/kg x ${result.basis.weightKg} kg = ${shown(result.uncappedDoseMg)} mg`;
  return cap
    ? `${base}, lowered to the ${cap.description} of ${cap.mg} mg`
    : base;
}

/** The base of a hard limit by factor: the cap that bound, if one did. */
function factorBase(id: string, result: DoseResult): FactorBase {
  const cap = result.caps.find((check) => check.applied);
  return {
    id,
    name: cap
      ? `the ${cap.description} of ${cap.mg} mg`
      : `the upper soft limit of ${shown(result.doseMg)} mg`,
    mg: result.doseMg,
    per: result.per,
  };
}

interface RangeRule {
  /** mg/kg (per day or per infusion, as the calculator counts the drug). */
  readonly range: Range;
  readonly name: string;
  readonly source: DoseLimit['source'];
  readonly evidence: readonly string[];
}

/** A mg/kg range: its two ends for this patient, after the caps. */
function rangePlan(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
  rule: RangeRule,
): Plan {
  const { drug, request, route } = recorded;
  const at = (mgPerKg: number) =>
    calculateDose(drug, { ...request, route, mgPerKg }, profile);
  const low = at(rule.range.min);
  const high = at(rule.range.max);
  const common = {
    per: high.per,
    source: rule.source,
    evidence: unique([...rule.evidence, ...high.evidence]),
  };
  return {
    computed: {
      per: high.per,
      minMg: low.doseMg,
      maxMg: high.doseMg,
      results: [low, high],
    },
    limits: [
      limit({
        ...common,
        id: 'range-lower',
        bound: 'lower',
        description: `lower end of the ${rule.name}: ${arithmetic(rule.range.min, low)}`,
        mg: low.doseMg,
      }),
      limit({
        ...common,
        id: 'range-upper',
        description: `upper end of the ${rule.name}: ${arithmetic(rule.range.max, high)}`,
        mg: high.doseMg,
      }),
    ],
    factorBases: [factorBase('range-upper', high)],
  };
}

/**
 * Methylprednisolone: the protocol range is per day, the maximum per
 * infusion. Per infusion, the range after the maximum (one pulse a day).
 * When the schedule gives more than one infusion a day, the daily total is
 * also held against the upper end of the range per day, which the maximum
 * per infusion does not lower; with one a day that limit is implied.
 */
function methylprednisolonePlan(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): Plan {
  const rule = doses.methylprednisolone;
  const plan = rangePlan(recorded, profile, {
    range: rule.range,
    name: `protocol range ${rule.range.min}-${rule.range.max} mg/kg/day`,
    source: 'protocol',
    evidence: rule.evidence,
  });
  const high = plan.computed.results.at(-1);
  if (
    !high ||
    high.per === rule.period ||
    recorded.administrationsPerDay <= 1
  ) {
    return plan;
  }
  const perDayMg = high.uncappedDoseMg;
  const perDay = limit({
    id: 'range-upper-per-day',
    description: `upper end of the protocol range per day: ${rule.range.max} mg/kg/day x ${recorded.weightKg} kg = ${shown(perDayMg)} mg; the maximum per infusion does not lower a daily total`,
    mg: perDayMg,
    per: rule.period,
    source: 'protocol',
    evidence: rule.evidence,
  });
  return {
    ...plan,
    limits: [...plan.limits, perDay],
    factorBases: [
      ...plan.factorBases,
      {
        id: perDay.id,
        name: `the upper soft limit of ${shown(perDayMg)} mg`,
        mg: perDayMg,
        per: rule.period,
      },
    ],
  };
}

/** Ciclosporin: oral range from the protocol, IV range from the institution. */
function ciclosporinPlan(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): Plan {
  if (recorded.route === 'oral') {
    const rule = doses.ciclosporin.oral;
    return rangePlan(recorded, profile, {
      range: rule.range,
      name: `protocol range ${rule.range.min}-${rule.range.max} mg/kg/day for oral ciclosporin`,
      source: 'protocol',
      evidence: rule.evidence,
    });
  }
  const range = requireProfileValue(
    profile?.data.doses.ciclosporin?.ivMgPerKgPerDay,
    'doses.ciclosporin.ivMgPerKgPerDay',
    'intravenous ciclosporin (IV doses differ from oral)',
  );
  return rangePlan(recorded, profile, {
    range,
    name: `institution range ${range.min}-${range.max} mg/kg/day for IV ciclosporin`,
    source: 'institution-profile',
    evidence: institutionEvidence,
  });
}

/**
 * Anakinra: no agreed maximum, no lower limit (a standard dose in MAS is an
 * alert, not a limit). The institution's maxima are the upper limit, soft or
 * hard as the profile marks them.
 */
function anakinraPlan(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): Plan {
  const maxima = requireProfileValue(
    profile?.data.doses.anakinra,
    'doses.anakinra',
    'anakinra (no agreed maximum dose: the institution must set one)',
  );
  const { request, route } = recorded;
  const high = calculateDose(
    'anakinra',
    { ...request, route, mgPerKg: maxima.maxMgPerKgPerDay },
    profile,
  );
  const tier = maxima.maximaTier ?? 'soft';
  const marked = tier === 'hard' ? '; marked absolute by the institution' : '';
  return {
    computed: { per: high.per, maxMg: high.doseMg, results: [high] },
    limits: [
      limit({
        id: 'institution-maximum',
        tier,
        description: `institutional maximum of ${maxima.maxMgPerKgPerDay} mg/kg/day: ${arithmetic(maxima.maxMgPerKgPerDay, high)}${marked}`,
        mg: high.doseMg,
        per: high.per,
        source: 'institution-profile',
        evidence: unique([...doses.anakinra.evidence, ...institutionEvidence]),
      }),
    ],
    factorBases:
      tier === 'soft' ? [factorBase('institution-maximum', high)] : [],
  };
}

/** Emapalumab without a phase: the maintenance and the initial dose. */
function singleResults(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): DoseResult[] {
  const { drug, request, route, phase } = recorded;
  if (drug !== 'emapalumab') {
    return [calculateDose(drug, { ...request, route }, profile)];
  }
  const phases = phase ? [phase] : (['maintenance', 'initial'] as const);
  return phases.map((each) =>
    calculateDose(drug, { ...request, route, phase: each }, profile),
  );
}

/**
 * A single computed dose (or one per emapalumab phase): the institution's
 * tolerance band around it, its upper end lowered to the calculator's caps.
 * A JAK inhibitor given more often than the institution's doses a day also
 * has an upper limit per day.
 */
function singlePlan(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): Plan {
  const results = singleResults(recorded, profile);
  const [low] = results;
  const high = results.at(-1);
  if (!low || !high) throw new Error('the calculator returned no dose');
  const { per } = high;
  const computed = { per, minMg: low.doseMg, maxMg: high.doseMg, results };
  const target =
    low.doseMg === high.doseMg
      ? `the computed dose of ${shown(high.doseMg)} mg`
      : `the computed doses of ${shown(low.doseMg)}-${shown(high.doseMg)} mg`;
  const common = {
    per,
    source: 'institution-profile' as const,
    evidence: unique([...high.evidence, ...institutionEvidence]),
  };
  const tolerance = profile?.data.doseLimits?.softTolerancePercent;
  if (tolerance === undefined) {
    const amount = amountPer(recorded, per);
    const matches = results.some((result) => result.doseMg === amount);
    return {
      computed,
      limits: [
        ...(['lower', 'upper'] as const).map((bound) =>
          limit({
            ...common,
            id: `tolerance-${bound}`,
            bound,
            description: `institution tolerance ${bound === 'lower' ? 'below' : 'above'} ${target}: not set`,
            missing: toleranceParameter,
          }),
        ),
        ...high.caps.map((cap: DoseCapCheck) =>
          limit({
            id: `maximum-per-${cap.per}`,
            description: cap.description,
            mg: cap.mg,
            per: cap.per,
            source: cap.source,
            evidence: cap.evidence,
          }),
        ),
      ],
      factorBases: [{ id: 'computed', name: target, mg: high.doseMg, per }],
      ...(!matches && {
        uncheckedReason: `${recorded.drug} ${shown(amount)} ${mgPer(per)} differs from ${target} and the institution sets no tolerance around it (${toleranceParameter})`,
      }),
    };
  }
  const fraction = tolerance / 100;
  const bandMg = stripFloatNoise(high.doseMg * (1 + fraction));
  const cap = high.caps
    .filter((check) => check.mg < bandMg)
    .reduce<DoseCapCheck | undefined>(
      (lowest, next) => (lowest && lowest.mg <= next.mg ? lowest : next),
      undefined,
    );
  const upperMg = cap?.mg ?? bandMg;
  const lowered = cap
    ? `, lowered to the ${cap.description} of ${cap.mg} mg`
    : '';
  const limits = [
    limit({
      ...common,
      id: 'tolerance-lower',
      bound: 'lower',
      description: `institution tolerance: ${tolerance} % below ${target}`,
      mg: stripFloatNoise(low.doseMg * (1 - fraction)),
    }),
    limit({
      ...common,
      id: 'tolerance-upper',
      description: `institution tolerance: ${tolerance} % above ${target}${lowered}`,
      mg: upperMg,
    }),
  ];
  const factorBases: FactorBase[] = [
    {
      id: 'tolerance-upper',
      name: cap
        ? `the ${cap.description} of ${cap.mg} mg`
        : `the upper soft limit of ${shown(upperMg)} mg`,
      mg: upperMg,
      per,
    },
  ];
  const dosesPerDay = high.dosesPerDay;
  if (
    dosesPerDay !== undefined &&
    recorded.administrationsPerDay > dosesPerDay
  ) {
    const dailyMg = stripFloatNoise(upperMg * dosesPerDay);
    limits.push(
      limit({
        ...common,
        id: 'daily-upper',
        description: `institution dosing: ${dosesPerDay} doses a day x the upper limit of ${shown(upperMg)} ${mgPer(per)}`,
        mg: dailyMg,
        per: 'day',
      }),
    );
    factorBases.push({
      id: 'daily-upper',
      name: `the upper soft limit of ${shown(dailyMg)} mg`,
      mg: dailyMg,
      per: 'day',
    });
  }
  return { computed, limits, factorBases };
}

function rulePlan(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): Plan {
  switch (recorded.drug) {
    case 'methylprednisolone':
      return methylprednisolonePlan(recorded, profile);
    case 'ciclosporin':
      return ciclosporinPlan(recorded, profile);
    case 'anakinra':
      return anakinraPlan(recorded, profile);
    case 'dexamethasone':
    case 'emapalumab':
    case 'rituximab':
    case 'ruxolitinib':
    case 'baricitinib':
    case 'etoposide':
    case 'tocilizumab':
      return singlePlan(recorded, profile);
  }
}

/** Hard limits at the institution's factor times each upper soft limit. */
function hardFactorLimits(
  bases: readonly FactorBase[],
  profile: InstitutionProfile | undefined,
): LimitDraft[] {
  const [first] = bases;
  if (!first) return [];
  const factor = profile?.data.doseLimits?.hardFactorAboveSoftMax;
  const common = {
    tier: 'hard' as const,
    source: 'institution-profile' as const,
    evidence: institutionEvidence,
  };
  if (factor === undefined) {
    return [
      limit({
        ...common,
        id: 'hard-factor',
        description:
          'institution hard-limit factor above the upper soft limit: not set, so no hard limit by factor applies',
        per: first.per,
        missing: factorParameter,
      }),
    ];
  }
  return bases.map((base) =>
    limit({
      ...common,
      id: `hard-factor:${base.id}`,
      description: `${factor} x ${base.name}; institution hard-limit factor`,
      mg: stripFloatNoise(factor * base.mg),
      per: base.per,
    }),
  );
}

function absoluteMaximum(
  drug: DrugId,
  profile: InstitutionProfile | undefined,
): LimitDraft[] {
  const maximum = profile?.data.doseLimits?.absoluteMaxima?.[drug];
  if (!maximum) return [];
  return [
    limit({
      id: 'absolute-maximum',
      tier: 'hard',
      description: `institutional absolute maximum of ${maximum.mg} ${mgPer(maximum.per)}`,
      mg: maximum.mg,
      per: maximum.per,
      source: 'institution-profile',
      evidence: institutionEvidence,
    }),
  ];
}

/**
 * The field named by a calculator error caused by missing data (an
 * institution figure, or the height of a dose per m2: a height that was given
 * has passed validateDoseRequest); undefined when the error is bad input.
 */
function missingField(error: ClinicalInputError): string | undefined {
  if (error.field === 'profile' || error.field.startsWith('profile.')) {
    return error.field;
  }
  return error.field === 'heightCm' ? 'patient.heightCm' : undefined;
}

// --------------------------------------------------------------- alerts

/**
 * A pulse longer than the institution's maximum (`maxPulseDays`): flagged,
 * never refused (a glucocorticoid is never blocked); unset, not checked.
 */
function pulseAlerts(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): DoseCheckAlert[] {
  const max = profile?.data.doseLimits?.maxPulseDays;
  const days = recorded.pulseDays;
  if (max === undefined || days === undefined || days <= max) return [];
  return [
    {
      id: 'pulse-longer-than-maximum',
      message: `${recorded.drug} recorded as a pulse of ${days} days (${recorded.scheduleText}), longer than the institution's maximum of ${max} days (doseLimits.maxPulseDays): check the course's length.`,
      evidence: institutionEvidence,
    },
  ];
}

function anakinraAlerts(recorded: Recorded): DoseCheckAlert[] {
  const rule = doses.anakinra;
  const { dailyMg, weightKg, creatinineClearanceMlMin } = recorded;
  const perKg = shown(dailyMg / weightKg);
  const alerts: DoseCheckAlert[] = [];
  const standardMax = stripFloatNoise(rule.standardRange.max * weightKg);
  if (recorded.purpose === 'mas' && dailyMg <= standardMax) {
    alerts.push({
      id: 'anakinra-standard-dose',
      message: `anakinra ${shown(dailyMg)} mg/day (${perKg} mg/kg/day for ${weightKg} kg) is at or below the standard ${rule.standardRange.min}-${rule.standardRange.max} mg/kg/day; MAS calls for doses higher than standard.`,
      evidence: rule.standardEvidence,
    });
  }
  const highest = rule.highestReportedMgPerKgPerDay;
  if (dailyMg > stripFloatNoise(highest * weightKg)) {
    alerts.push({
      id: 'anakinra-above-highest-reported',
      message: `anakinra ${perKg} mg/kg/day is above the highest dose reported in MAS (${highest} mg/kg/day).`,
      evidence: rule.highestReportedEvidence,
    });
  }
  const renalBelow = rule.renalAdjustmentBelowCrClMlMin;
  const adjustedEvery = rule.renalAdjustedEveryHours;
  // (Given every other day or less often: the label's adjustment is made.
  // A single dose has no interval to adjust: it is flagged, to be seen.)
  const adjusted =
    recorded.everyHours !== undefined && recorded.everyHours >= adjustedEvery;
  if (
    creatinineClearanceMlMin !== undefined &&
    creatinineClearanceMlMin < renalBelow &&
    !adjusted
  ) {
    alerts.push({
      id: 'anakinra-renal-adjustment',
      message: `Creatinine clearance ${creatinineClearanceMlMin} mL/min is below ${renalBelow} mL/min: the label advises giving the prescribed dose every ${adjustedEvery} h; recorded ${recorded.scheduleText}.`,
      evidence: rule.renalEvidence,
    });
  }
  return alerts;
}

// ------------------------------------------------------------- messages

function computedText(computed: ComputedDose, weightKg: number): string {
  const bsa = computed.results.find(
    (result) => result.basis.bodySurfaceAreaM2 !== undefined,
  )?.basis.bodySurfaceAreaM2;
  const patient = `${weightKg} kg${bsa === undefined ? '' : `, ${shown(bsa)} m2`}`;
  const { minMg, maxMg } = computed;
  const figure =
    minMg === undefined
      ? `up to ${shown(maxMg)}`
      : minMg === maxMg
        ? `${shown(maxMg)}`
        : `${shown(minMg)}-${shown(maxMg)}`;
  return `computed dose for ${patient}: ${figure} ${mgPer(computed.per)}`;
}

/** One message per exceeded limit, hard ones first. */
function messagesFor(
  recorded: Recorded,
  exceeded: readonly DoseLimit[],
  computed: ComputedDose | undefined,
): string[] {
  const { drug, doseMg, dailyMg } = recorded;
  const tail = computed
    ? ` - ${computedText(computed, recorded.weightKg)}`
    : '';
  const amount = (per: DosePer) =>
    per === 'day' && dailyMg !== doseMg
      ? `${shown(dailyMg)} mg/day (${shown(doseMg)} mg ${recorded.scheduleText})`
      : `${shown(amountPer(recorded, per))} mg`;
  return [...exceeded]
    .sort((a, b) => Number(b.tier === 'hard') - Number(a.tier === 'hard'))
    .map(
      (each) =>
        `${drug} ${amount(each.per)} is ${each.bound === 'upper' ? 'above' : 'below'} the ${each.tier} limit of ${shown(each.limitMg ?? 0)} ${mgPer(each.per)} (${each.description})${tail}`,
    );
}

// ---------------------------------------------------------------- check

interface RuleOutcome {
  readonly plan?: Plan;
  readonly limits: readonly LimitDraft[];
  readonly uncheckedReason?: string;
}

/** The rule's limits, or why it could not be computed (missing data). */
function ruleOutcome(
  recorded: Recorded,
  profile: InstitutionProfile | undefined,
): RuleOutcome {
  try {
    const plan = rulePlan(recorded, profile);
    return {
      plan,
      limits: [...plan.limits, ...hardFactorLimits(plan.factorBases, profile)],
      ...(plan.uncheckedReason !== undefined && {
        uncheckedReason: plan.uncheckedReason,
      }),
    };
  } catch (error) {
    if (!isClinicalInputError(error)) throw error;
    const missing = missingField(error);
    if (missing === undefined) throw error;
    const why = `${missing} ${error.rule}`;
    return {
      limits: [
        limit({
          id: 'dose-rule',
          description: `the dose rule for ${recorded.drug} for this patient: not computable, ${why}`,
          per: 'dose',
          source: missing.startsWith('profile')
            ? 'institution-profile'
            : 'protocol',
          evidence: masProtocolDefinition.therapies[recorded.drug].evidence,
          missing,
        }),
      ],
      uncheckedReason: `the dose rule for ${recorded.drug} could not be computed: ${why}`,
    };
  }
}

/**
 * Checks a recorded dose against the dose rules for this patient (see the
 * file comment for the rules). Throws a ClinicalInputError for invalid input
 * (naming the field: `dose.value`, `dose.unit`, `schedule.hours`, `route`,
 * `patient.weightKg`...); a dose rule that needs a figure nobody has set
 * gives tier 'unchecked', never an error.
 */
export function checkRecordedDose(input: RecordedDose): DoseCheck {
  const { profile, ...rest } = input;
  const recorded = parseRecorded(rest);
  const { drug } = recorded;
  const {
    plan,
    limits: ruleLimits,
    uncheckedReason,
  } = ruleOutcome(recorded, profile);
  const drafts = [...ruleLimits, ...absoluteMaximum(drug, profile)];
  const limits: DoseLimit[] = drafts.map((draft) => {
    const amount = amountPer(recorded, draft.per);
    return {
      ...draft,
      exceeded:
        draft.limitMg !== undefined &&
        (draft.bound === 'upper'
          ? amount > draft.limitMg
          : amount < draft.limitMg),
    };
  });
  const exceeded = limits.filter((each) => each.exceeded);
  const tier: DoseCheckTier = exceeded.some((each) => each.tier === 'hard')
    ? 'hard'
    : exceeded.length > 0
      ? 'soft'
      : uncheckedReason === undefined
        ? 'within'
        : 'unchecked';

  return {
    drug,
    route: recorded.route,
    tier,
    doseMg: recorded.doseMg,
    dailyMg: recorded.dailyMg,
    administrationsPerDay: recorded.administrationsPerDay,
    ...(plan && { computed: plan.computed }),
    limits,
    messages: messagesFor(recorded, exceeded, plan?.computed),
    alerts: [
      ...(drug === 'anakinra' ? anakinraAlerts(recorded) : []),
      ...pulseAlerts(recorded, profile),
    ],
    ...(uncheckedReason !== undefined && { uncheckedReason }),
    ...(profile && { profile: profileStamp(profile) }),
  };
}
