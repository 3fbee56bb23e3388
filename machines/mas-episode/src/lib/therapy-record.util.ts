/**
 * What a therapy record must be before the machine takes it: complete (the
 * contract makes dose, route, schedule and time required) and checked against
 * the dose rules for this patient in two tiers (hard limits refuse; soft
 * limits need the prescriber's confirmation), and, for a drug outside the
 * protocol's table, never one of the protocol's own drugs.
 */
import type { DoseSchedule, EpisodeEventOf } from '@mas/contracts';
import {
  checkRecordedDose,
  type DoseCheck,
  drugAliases,
  type DrugId,
  drugIds,
  pulseEvidence,
  pulseScheduleProblem,
  recordedDoseUnits,
  recordingRules,
  stripFloatNoise,
} from '@mas/protocol';

import type {
  Check,
  EpisodeContext,
  ExceededLimit,
  TherapyDoseCheck,
  TherapyRecord,
} from './mas-episode.types.js';
import { staleMeasuresWarning } from './measures.util.js';
import {
  addHours,
  HOURS_PER_DAY,
  hoursBetween,
  normalize,
  toMs,
} from './time.util.js';

/**
 * What a therapy record lacks (the contract requires it all; a record that
 * got past it some other way is refused here too), or null.
 */
export function incompleteRecord(
  payload: Partial<EpisodeEventOf<'therapy.started'>['payload']>,
): string | null {
  return incompleteField(payload)?.reason ?? null;
}

/** What incompleteRecord says, with the (first) field it is about. */
export function incompleteField(
  payload: Partial<EpisodeEventOf<'therapy.started'>['payload']>,
): { readonly field: string; readonly reason: string } | null {
  const missing = (['dose', 'route', 'schedule', 'givenAt'] as const).filter(
    (field) => payload[field] === undefined,
  );
  const [first] = missing;
  if (first !== undefined) {
    return {
      field: first,
      reason: `a therapy record needs ${missing.join(', ')}: ${missing.length > 1 ? 'they are' : 'it is'} required`,
    };
  }
  const dose = payload.dose;
  if (
    !dose ||
    !(dose.value > 0) ||
    !Number.isFinite(dose.value) ||
    !(recordedDoseUnits as readonly string[]).includes(dose.unit)
  ) {
    return {
      field: 'dose',
      reason: `dose must be a positive amount in ${recordedDoseUnits.join(', ')}`,
    };
  }
  return null;
}

/**
 * Dose checks already made, per patient and profile object (a context keeps
 * both for its life; the model checker asks the same question in many
 * states), then per record. The check is a pure function of these.
 */
const doseChecks = new WeakMap<
  EpisodeContext['patient'],
  WeakMap<EpisodeContext['profileData'], Map<string, DoseCheck>>
>();

/** The dose checks made for this context's patient and profile. */
function checksFor(context: EpisodeContext): Map<string, DoseCheck> {
  let byProfile = doseChecks.get(context.patient);
  if (!byProfile) {
    byProfile = new WeakMap();
    doseChecks.set(context.patient, byProfile);
  }
  let byRecord = byProfile.get(context.profileData);
  if (!byRecord) {
    byRecord = new Map();
    byProfile.set(context.profileData, byRecord);
  }
  return byRecord;
}

/** What a dose check reads of a prescription (a start's payload, or a record's). */
export type CheckedPrescription = Pick<
  EpisodeEventOf<'therapy.started'>['payload'],
  'drug' | 'dose' | 'route' | 'schedule' | 'creatinineClearanceMlMin'
>;

/**
 * A record's prescription as a dose check reads it (with the clearance the
 * record keeps); null for a record without its dose, route or schedule.
 */
export function recordPrescription(
  therapy: TherapyRecord,
): CheckedPrescription | null {
  const { dose, route, schedule, creatinineClearanceMlMin } = therapy;
  if (dose === undefined || route === undefined || schedule === undefined) {
    return null;
  }
  return {
    drug: therapy.drug,
    // (Recorded through the contract, its unit is one of the recorded ones.)
    dose: dose as CheckedPrescription['dose'],
    route,
    schedule,
    ...(creatinineClearanceMlMin === undefined
      ? {}
      : { creatinineClearanceMlMin }),
  };
}

/** The dose check of a prescription, for this patient and profile. */
export function recordedDoseCheck(
  context: EpisodeContext,
  prescription: CheckedPrescription,
): DoseCheck {
  const { drug, dose, route, schedule, creatinineClearanceMlMin } =
    prescription;
  const byRecord = checksFor(context);
  const key = JSON.stringify([
    drug,
    dose,
    route,
    schedule,
    creatinineClearanceMlMin,
  ]);
  const hit = byRecord.get(key);
  if (hit) return hit;
  const check = uncachedDoseCheck(context, prescription);
  byRecord.set(key, check);
  return check;
}

function uncachedDoseCheck(
  context: EpisodeContext,
  {
    drug,
    dose,
    route,
    schedule,
    creatinineClearanceMlMin,
  }: CheckedPrescription,
): DoseCheck {
  return checkRecordedDose({
    drug,
    dose,
    route,
    schedule,
    patient: {
      weightKg: context.patient.weightKg,
      heightCm: context.patient.heightCm,
      // Where the prescriber gave it (a renal rule needs it).
      ...(creatinineClearanceMlMin === undefined
        ? {}
        : { creatinineClearanceMlMin }),
    },
    purpose: 'mas',
    profile: { data: context.profileData, hash: context.profile.hash },
  });
}

/** The soft limits a dose check found exceeded, with their figures. */
function exceededLimits(check: DoseCheck): ExceededLimit[] {
  return check.limits.flatMap((limit) =>
    limit.tier === 'soft' &&
    limit.checked &&
    limit.exceeded &&
    limit.limitMg !== undefined
      ? [
          {
            id: limit.id,
            bound: limit.bound,
            per: limit.per,
            limitMg: limit.limitMg,
          },
        ]
      : [],
  );
}

/**
 * How far outside `limits` the checked dose lies on one side, as a factor
 * (1: not outside): above the upper limits the amount over the limit, below
 * the lower ones the limit over the amount; the amount a limit is held
 * against is the dose, or the day's total for a limit per day. The worst of
 * that side's limits, whatever each is called (an institution's profile may
 * name one otherwise).
 */
function outsideBy(
  check: DoseCheck,
  limits: readonly ExceededLimit[],
  bound: ExceededLimit['bound'],
): number {
  return Math.max(
    1,
    ...limits
      .filter((limit) => limit.bound === bound)
      .map((limit) => {
        const amount = limit.per === 'day' ? check.dailyMg : check.doseMg;
        return bound === 'upper'
          ? amount / limit.limitMg
          : limit.limitMg / amount;
      }),
  );
}

/**
 * A running record's dose held against the limits as they stand now (the
 * patient's current weight and height, the profile, the creatinine
 * clearance given with the dose): the check when the dose is now past a
 * hard limit, or further outside the soft limits on either side than when
 * it was recorded (a dose within them: outside them now; one confirmed
 * outside them: further out than confirmed on that side, or outside the
 * other side, a dose confirmed below its range that a new weight puts above
 * it) by more than the institution's review drift
 * (`doseLimits.reviewDriftPercent`; unset, any move further out). A weight
 * corrected tenfold after the dose was computed from it is said; a
 * reweighing's drift within the figure is not. Else null. The record keeps
 * its own check; this is what the ward is told. (A record an earlier
 * statechart wrote, confirmed outside without its limits kept, is said
 * past a hard limit only.)
 */
export function doseOutsideNow(
  context: EpisodeContext,
  therapy: TherapyRecord,
): DoseCheck | null {
  if (therapy.background || therapy.stoppedAt !== undefined) return null;
  const prescription = recordPrescription(therapy);
  if (prescription === null) return null;
  const own = therapy.doseCheck;
  if (own === undefined || own.tier === 'unchecked') return null;
  const now = recordedDoseCheck(context, prescription);
  if (now.tier === 'hard') return now;
  if (now.tier !== 'soft') return null;
  // (Confirmed outside by an earlier statechart, without its limits kept:
  // said past a hard limit only.)
  const confirmed = own.tier === 'within' ? [] : own.exceeded;
  if (confirmed === undefined) return null;
  const drift = context.profileData.doseLimits?.reviewDriftPercent ?? 0;
  const exceeded = exceededLimits(now);
  // (Float noise stripped: 660 against 600 is 10 % further, not more.)
  const further = (bound: ExceededLimit['bound']) =>
    stripFloatNoise(outsideBy(now, exceeded, bound)) >
    stripFloatNoise(outsideBy(now, confirmed, bound) * (1 + drift / 100));
  return further('upper') || further('lower') ? now : null;
}

/** What a record gives in a span: how many administrations, how many mg. */
interface Given {
  readonly count: number;
  readonly mg: number;
}

/**
 * The doses a record's schedule gives from its start, until it stopped, in
 * [from, to): repeats k = first, ..., beyond - 1 at start + k * step.
 * "once" once, "every N hours" every N hours, "daily" every day, pulse "day
 * n of N" on the N - n + 1 days from this one; repeats from `handedOver` on
 * are a later record's (its course continued). A stop ends the doses after
 * it; one stopped the instant it was given still gave its first dose.
 */
function dosesIn(
  record: { startedAt: string; stoppedAt?: string; schedule: DoseSchedule },
  from: number,
  to: number,
  handedOver = Number.POSITIVE_INFINITY,
): { start: number; step: number; first: number; beyond: number } {
  const { schedule } = record;
  const start = toMs(record.startedAt);
  const end = Math.min(
    to,
    record.stoppedAt === undefined
      ? to
      : Math.max(toMs(record.stoppedAt), start + 1),
  );
  // A single dose: one repeat, any step.
  const step =
    schedule.kind === 'once'
      ? 1
      : (schedule.kind === 'every-hours' ? schedule.hours : HOURS_PER_DAY) *
        MS_PER_HOUR;
  const last = Math.min(
    handedOver - 1,
    schedule.kind === 'pulse'
      ? schedule.of - schedule.day
      : schedule.kind === 'once'
        ? 0
        : Number.POSITIVE_INFINITY,
  );
  return {
    start,
    step,
    first: Math.max(0, Math.ceil((from - start) / step)),
    beyond: Math.min(last + 1, Math.ceil((end - start) / step)),
  };
}

/** What a record gives in [from, to): counted, not listed. */
function givenIn(
  record: { startedAt: string; stoppedAt?: string; doseMg: number },
  schedule: DoseSchedule,
  from: number,
  to: number,
  handedOver = Number.POSITIVE_INFINITY,
): Given {
  const { first, beyond } = dosesIn(
    { ...record, schedule },
    from,
    to,
    handedOver,
  );
  const count = Math.max(0, beyond - first);
  return { count, mg: count * record.doseMg };
}

/**
 * The times of a record's doses in [from, to), the first few only (a span
 * start per dose; a record dosing more often than that is dense enough that
 * the spans already tried hold about as much).
 */
function doseTimes(
  record: TherapyRecord & { doseMg: number; schedule: DoseSchedule },
  from: number,
  to: number,
  handedOver: number,
): number[] {
  const { start, step, first, beyond } = dosesIn(record, from, to, handedOver);
  const times: number[] = [];
  for (
    let index = first;
    index < Math.min(beyond, first + SPAN_STARTS_PER_RECORD);
    index += 1
  ) {
    times.push(start + index * step);
  }
  return times;
}

/** How many of a record's doses are tried as a span's start (not clinical). */
const SPAN_STARTS_PER_RECORD = 48;

const MS_PER_HOUR = 3_600_000;

/** A record whose schedule's day counts from its current dose's start. */
export interface PulseBase {
  readonly startedAt: string;
  readonly schedule?: DoseSchedule;
  readonly doseChanges?: readonly { readonly at: string }[];
}

/**
 * Where a later pulse record "day n of N" continues an earlier one's course
 * (its day-n infusion lies within the tolerance of the later record's), the
 * repeat of the earlier record from which the later one gives the infusions
 * (n minus the earlier day); otherwise none. Those infusions are the later
 * record's, never added to it; the earlier ones stay the earlier record's.
 */
function continuedFrom(
  earlier: PulseBase,
  schedule: DoseSchedule,
  givenAt: string,
): number | null {
  const before = earlier.schedule;
  if (schedule.kind !== 'pulse' || before?.kind !== 'pulse') return null;
  if (before.of !== schedule.of || before.day >= schedule.day) return null;
  const repeat = schedule.day - before.day;
  const dayN = addHours(currentDoseSince(earlier), repeat * HOURS_PER_DAY);
  return Math.abs(hoursBetween(dayN, givenAt)) <=
    recordingRules.dailyTotal.sameInfusionHours
    ? repeat
    : null;
}

/**
 * The first repeat of `record` that a later record of the same drug (or the
 * new one) took over, if any.
 */
function handedOverAt(
  record: TherapyRecord,
  later: readonly { startedAt: string; schedule?: DoseSchedule }[],
): number {
  let at = Number.POSITIVE_INFINITY;
  for (const each of later) {
    if (each === record || each.schedule === undefined) continue;
    if (toMs(each.startedAt) <= toMs(record.startedAt)) continue;
    const repeat = continuedFrom(record, each.schedule, each.startedAt);
    if (repeat !== null) at = Math.min(at, repeat);
  }
  return at;
}

/** A drug's worst day around a new dose, and its check as one schedule. */
interface DailyTotal {
  readonly mg: number;
  /** Its administrations, under every record. */
  readonly count: number;
  /** The other records (courses) that give some of it. */
  readonly others: number;
  /** A dose change: the course's own earlier dose gives some of it. */
  readonly earlierDose: boolean;
  readonly check: DoseCheck;
}

/**
 * The daily total of a drug recorded under more than one record, checked
 * against the drug's per-day limits: the worst day-long span before or after
 * this dose, with every other running record of the drug (what their
 * schedules give in it) and this one. Null when no other record gives the
 * drug in that span (the record's own check is the whole check).
 */
export function dailyTotalCheck(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
  single: DoseCheck,
  /** The records to count (a dose change: the course's old dose ended). */
  therapies: readonly CountedRecord[] = context.therapies,
): DailyTotal | null {
  const { drug, route, schedule, givenAt } = event.payload;
  const spans = therapies
    .filter((t) => t.drug === drug && !t.background)
    .flatMap((course) => doseSpans(course).map((span) => ({ span, course })));
  const records = spans
    .map(({ span }) => span)
    .filter(
      (t): t is TherapyRecord & { doseMg: number; schedule: DoseSchedule } =>
        t.doseMg !== undefined && t.schedule !== undefined,
    );
  if (records.length === 0) return null;
  const courseOf = new Map(spans.map(({ span, course }) => [span, course]));
  const later = [...records, { startedAt: givenAt, schedule }];
  const others = records.map((t) => ({
    record: t,
    course: courseOf.get(t),
    handedOver: handedOverAt(t, later),
  }));
  const { windowHours } = recordingRules.dailyTotal;
  const at = toMs(givenAt);
  // Every day-long span that holds the new dose: the one ending at it, the
  // one starting at it, and those starting at another record's dose in
  // between (a day starting there can hold more, for intervals that do not
  // divide a day).
  const day = windowHours * MS_PER_HOUR;
  const earliest = at - day + 1;
  const starts = new Set<number>([earliest, at]);
  for (const { record, handedOver } of others) {
    for (const time of doseTimes(record, earliest, at, handedOver)) {
      starts.add(time);
    }
  }
  const windows = [...starts].map((from): [number, number] => [
    from,
    from + day,
  ]);
  let worst: Omit<DailyTotal, 'check'> | null = null;
  for (const [from, to] of windows) {
    const theirs = others.map(({ record, course, handedOver }) => ({
      course,
      ...givenIn(record, record.schedule, from, to, handedOver),
    }));
    const giving = theirs.filter((given) => given.count > 0);
    if (giving.length === 0) continue;
    const courses = new Set(giving.map((given) => given.course));
    const mine = givenIn(
      { startedAt: givenAt, doseMg: single.doseMg },
      schedule,
      from,
      to,
    );
    const all = [...giving, mine];
    const mg = all.reduce((sum, each) => sum + each.mg, 0);
    if (worst === null || mg > worst.mg) {
      worst = {
        mg,
        count: all.reduce((sum, each) => sum + each.count, 0),
        others: [...courses].filter((course) => !isChanging(course)).length,
        earlierDose: [...courses].some(isChanging),
      };
    }
  }
  if (worst === null) return null;
  // The day's total as one schedule of as many equal doses: the drug's own
  // per-day limits apply to it (the maximum per infusion does not lower it).
  const byRecord = checksFor(context);
  const key = JSON.stringify([
    'daily-total',
    drug,
    route,
    worst.mg,
    worst.count,
  ]);
  const hit = byRecord.get(key);
  if (hit) return { ...worst, check: hit };
  const check = checkRecordedDose({
    drug,
    dose: { value: worst.mg / worst.count, unit: 'mg' },
    route,
    schedule:
      worst.count > 1
        ? { kind: 'every-hours', hours: HOURS_PER_DAY / worst.count }
        : { kind: 'daily' },
    patient: {
      weightKg: context.patient.weightKg,
      heightCm: context.patient.heightCm,
    },
    purpose: 'mas',
    profile: { data: context.profileData, hash: context.profile.hash },
  });
  byRecord.set(key, check);
  return { ...worst, check };
}

/**
 * The daily total of a drug given under several records, where it is above
 * the drug's per-day limits, in words; null otherwise. A warning in the
 * audit's reason and the answer, never a block and never kept in the
 * episode's state: each record was held to its own limits; only
 * glucocorticoids run under several records at once (a repeat pulse), and
 * they are never gated (clinical review, section 10). Kept out of the state
 * because it turns on the exact hours between doses, which the model
 * checker's key does not observe.
 */
export function dailyTotalWarning(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
  single: DoseCheck,
  therapies: readonly CountedRecord[] = context.therapies,
): string | null {
  if (single.tier === 'hard') return null;
  const total = dailyTotalCheck(context, event, single, therapies);
  if (
    total === null ||
    (total.check.tier !== 'hard' && total.check.tier !== 'soft')
  ) {
    return null;
  }
  const { drug } = event.payload;
  // Only what a day's total exceeds (its upper per-day limits): each dose
  // was held to the per-dose limits by its own record's check.
  const exceeded = total.check.limits
    .filter((limit) => limit.exceeded && limit.per === 'day')
    .filter((limit) => limit.bound === 'upper')
    .sort((a, b) => Number(b.tier === 'hard') - Number(a.tier === 'hard'));
  if (exceeded.length === 0) return null;
  const which = [
    ...(total.earlierDose ? ["this course's earlier dose"] : []),
    ...(total.others === 0
      ? []
      : [
          total.others === 1
            ? 'another record'
            : `${total.others} other records`,
        ]),
  ].join(' and ');
  const under = total.earlierDose ? 'the new dose' : 'this record';
  const messages = exceeded.map(
    (limit) =>
      `${drug} ${mgText(total.mg)} mg in one day (${total.count} doses under ${under} and ${which}) is above the ${limit.tier} limit of ${mgText(limit.limitMg ?? 0)} mg per day (${limit.description})`,
  );
  const review =
    total.others === 0
      ? 'check when the new dose was first given (the earlier dose still gives doses in the day before it)'
      : 'review the records (a course recorded twice, or a new course over one still giving doses)';
  return `${messages.join('; ')}: ${review}`;
}

/** An amount in mg as the ward reads it: at most two decimals. */
function mgText(mg: number): string {
  return String(Math.round(mg * 100) / 100);
}

/** The computed dose in words: "600-720 mg per infusion". */
export function computedText(check: DoseCheck): string | undefined {
  const computed = check.computed;
  if (!computed) return undefined;
  const range =
    computed.minMg === undefined || computed.minMg === computed.maxMg
      ? `${computed.minMg === undefined ? 'up to ' : ''}${mgText(computed.maxMg)} mg`
      : `${mgText(computed.minMg)}-${mgText(computed.maxMg)} mg`;
  return `${range} per ${computed.per}`;
}

/** What the record keeps of the check. */
export function therapyDoseCheck(
  check: DoseCheck,
  event: EpisodeEventOf<'therapy.started'>,
): TherapyDoseCheck {
  const computed = computedText(check);
  const alerts = check.alerts.length > 0 ? { alerts: check.alerts } : {};
  if (check.tier === 'soft') {
    return {
      tier: 'soft',
      messages: check.messages,
      exceeded: exceededLimits(check),
      ...(computed ? { computed } : {}),
      confirmedBy: event.actor,
      confirmation: event.payload.doseConfirmation ?? '',
      ...alerts,
    };
  }
  if (check.tier === 'unchecked') {
    return {
      tier: 'unchecked',
      messages: check.uncheckedReason ? [check.uncheckedReason] : [],
      ...(computed ? { computed } : {}),
      ...alerts,
    };
  }
  return {
    tier: 'within',
    messages: [],
    ...(computed ? { computed } : {}),
    ...alerts,
  };
}

/**
 * The dose gate: a dose above a hard limit is refused whatever is said; a
 * dose outside a soft limit needs `doseConfirmation` (the form asks a second
 * time, showing the computed dose).
 */
export function checkTherapyDose(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
  /** The records the day's total counts (see dailyTotalCheck). */
  therapies: readonly CountedRecord[] = context.therapies,
): Check {
  const incomplete = incompleteField(event.payload);
  if (incomplete !== null) {
    return {
      ok: false,
      reason: incomplete.reason,
      evidence: recordingRules.evidence,
      field: incomplete.field,
    };
  }
  // (A new record only: one kept from before the rule is checked as a dose
  // a day wherever it is read again.)
  const pulse = pulseScheduleProblem(
    event.payload.drug,
    event.payload.schedule,
  );
  if (pulse !== null) {
    return {
      ok: false,
      reason: `schedule.kind: ${pulse}`,
      evidence: [...pulseEvidence],
      field: 'schedule.kind',
    };
  }
  const check = recordedDoseCheck(context, event.payload);
  const warning = dailyTotalWarning(context, event, check, therapies);
  const evidence = [
    ...new Set(check.limits.flatMap((limit) => limit.evidence)),
  ];
  const text = computedText(check);
  // (Said once: a limit's message may name the computed dose already.)
  const computed =
    text && !check.messages.some((message) => message.includes(text))
      ? ` (computed for this patient: ${text})`
      : '';
  if (check.tier === 'hard') {
    return {
      ok: false,
      reason: `hard dose limit: ${check.messages.join('; ')}${computed}`,
      evidence,
      field: 'dose',
    };
  }
  const stale = staleMeasuresWarning(
    context,
    check.computed?.results ?? [],
    event.payload.givenAt,
  );
  const warnings = [
    ...(warning === null
      ? []
      : [`daily total warning, not a block: ${warning}`]),
    ...(stale === null ? [] : [`measures warning, not a block: ${stale}`]),
  ];
  if (check.tier === 'soft' && !event.payload.doseConfirmation) {
    // Whoever confirms sees the day's total too, before confirming.
    return {
      ok: false,
      reason: [
        `outside the dose range, confirm with a reason (doseConfirmation): ${check.messages.join('; ')}${computed}`,
        ...warnings,
      ].join('; '),
      evidence,
      confirmationWouldAllow: true,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }
  return {
    ok: true,
    reason: [
      check.tier === 'soft'
        ? `outside the dose range, confirmed by ${event.actor.id}: ${event.payload.doseConfirmation ?? ''}`
        : check.tier === 'unchecked'
          ? `dose not checked: ${check.uncheckedReason ?? 'no rule'}`
          : `dose within the limits${computed}`,
      // What the rules flag beside the limits (a pulse longer than the
      // institution's maximum, the renal label, ...), kept in the audit.
      ...check.alerts.map((alert) => `flagged: ${alert.message}`),
      ...warnings,
    ].join('; '),
    evidence: [
      ...new Set([
        ...evidence,
        ...(warning === null ? [] : recordingRules.dailyTotal.evidence),
        ...(stale === null ? [] : ['review.section-10']),
      ]),
    ],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * Letters of other scripts that look like Latin ones (Cyrillic and Greek),
 * read as the Latin letter they show: "anakinrа" typed with a Cyrillic "а"
 * still names anakinra.
 */
const lookalikes: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  с: 'c',
  е: 'e',
  ё: 'e',
  һ: 'h',
  н: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  о: 'o',
  р: 'p',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

/**
 * Lower case, compatibility forms folded (full-width letters), accents
 * dropped ("etopósido" is "etoposido"), lookalike letters of other scripts
 * read as Latin.
 */
function plain(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\P{ASCII}/gu, (letter) => lookalikes[letter] ?? letter);
}

function compact(text: string): string {
  return plain(text).replace(/[^a-z0-9]+/g, '');
}

/**
 * Every name of a protocol drug, written without spaces or hyphens, to the
 * drug: its id, its other spellings and its brand names.
 */
const protocolNames = new Map<string, string>([
  ...drugIds.map((id) => [id, id] as const),
  ...Object.entries(drugAliases),
  ...[
    ...Object.entries(recordingRules.otherTherapy.protocolDrugBrands),
    ...Object.entries(recordingRules.otherTherapy.protocolDrugAbbreviations),
    ...Object.entries(recordingRules.otherTherapy.protocolDrugDevelopmentCodes),
  ].flatMap(([drug, names]) =>
    names.map((name) => [compact(name), drug] as const),
  ),
]);

function words(text: string): string[] {
  return plain(text)
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The longest name a display's run of words may spell ("Solu-Medrol"). */
const longestName = Math.max(
  ...[
    ...Object.values(recordingRules.otherTherapy.protocolDrugBrands),
    ...Object.values(recordingRules.otherTherapy.protocolDrugAbbreviations),
    ...Object.values(recordingRules.otherTherapy.protocolDrugDevelopmentCodes),
  ].map((names) => Math.max(...names.map((name) => words(name).length))),
);

/**
 * The protocol drug a display names, by any of its names: each word, and
 * each run of words up to the longest name joined ("solu medrol").
 */
function drugInDisplay(display: string): string | null {
  const all = words(display);
  for (let start = 0; start < all.length; start += 1) {
    let joined = '';
    for (const word of all.slice(start, start + longestName)) {
      joined += word;
      const drug = protocolNames.get(joined);
      if (drug !== undefined) return drug;
    }
  }
  return null;
}

/**
 * The protocol drug a free text names, by whole words (its id, other
 * spellings, brand names and ward abbreviations), never by a piece of a
 * word: what a CDS client's order text or display says it orders.
 */
export function protocolDrugInText(text: string): DrugId | null {
  return drugInDisplay(text) as DrugId | null;
}

/** The protocol drug an "other therapy" coding names, if any. */
export function protocolDrugNamed(
  medication: EpisodeEventOf<'other-therapy.started'>['payload']['medication'],
): string | null {
  const byName = drugInDisplay(medication.display);
  if (byName !== null) return byName;
  const codes =
    recordingRules.otherTherapy.protocolDrugCodes[medication.system] ?? {};
  // (Written with spaces or dots, "L01 CB01", it is the same code.)
  const drug = codes[medication.code.toUpperCase().replace(/[^A-Z0-9]/g, '')];
  return drug === undefined ? null : `${drug} (${medication.code})`;
}

/** An oral prednisolone or prednisone: the taper the protocol tracks. */
export function isGlucocorticoidTaper(
  payload: EpisodeEventOf<'other-therapy.started'>['payload'],
): boolean {
  const taper = recordingRules.otherTherapy.glucocorticoidTaper;
  if (!(taper.routes as readonly string[]).includes(payload.route)) {
    return false;
  }
  const codes = taper.codes[payload.medication.system] ?? [];
  return (
    codes.includes(payload.medication.code.toUpperCase()) ||
    words(payload.medication.display).some((word) =>
      (taper.names as readonly string[]).includes(word),
    )
  );
}

export function checkOtherTherapy(
  context: EpisodeContext,
  event: EpisodeEventOf<'other-therapy.started'>,
): Check {
  const evidence = recordingRules.evidence;
  const named = protocolDrugNamed(event.payload.medication);
  if (named !== null) {
    return {
      ok: false,
      reason: `${named} is in the protocol's table: record it as therapy.started, where its own rules (approvals included) apply`,
      evidence,
    };
  }
  if (
    context.otherTherapies.some((t) => t.recordId === event.payload.recordId)
  ) {
    return {
      ok: false,
      reason: `record id ${event.payload.recordId} is already used in this episode`,
      evidence,
    };
  }
  return {
    ok: true,
    reason: isGlucocorticoidTaper(event.payload)
      ? 'oral glucocorticoid: recognised as the taper the protocol tracks'
      : 'other therapy: recorded, it does not steer the protocol',
    evidence,
  };
}

// ------------------------------------------------ naming a running record

/** A running record in words: "background since ...", "started ... (4 mg/kg)". */
export function recordText(record: TherapyRecord): string {
  if (record.background) return `background since ${record.startedAt}`;
  const dose = record.dose ? `${record.dose.value} ${record.dose.unit}` : '';
  // (A dose changed since the start: the dose now, and since when; never
  // as if the course had started at it.)
  const changed = record.doseChanges?.at(-1)?.at;
  if (dose === '') return `started ${record.startedAt}`;
  return changed === undefined
    ? `started ${record.startedAt} at ${dose}`
    : `started ${record.startedAt}, ${dose} since ${changed}`;
}

/**
 * When a record's schedule gives its last dose: a pulse "day n of N" whose
 * current dose began at S (its start, or its latest dose change) gives its
 * last infusion at S + (N - n) days; a single dose, as it is given. From
 * then on no dose of it is left to give (or to change). Null for a
 * schedule without an end (daily, every N hours: until it is stopped) or
 * none recorded.
 */
export function scheduleEndsAt(record: PulseBase): string | null {
  const { schedule } = record;
  const since = currentDoseSince(record);
  if (schedule?.kind === 'once') return since;
  if (schedule?.kind !== 'pulse') return null;
  return addHours(since, (schedule.of - schedule.day) * HOURS_PER_DAY);
}

/**
 * The schedule a record is on at `at`: a pulse "day n of N" whose current
 * dose began at S is on day n + (whole days since S) at `at`, never past N
 * (what a dose change then is written as); any other schedule as it is.
 */
export function scheduleAt(
  record: PulseBase,
  schedule: DoseSchedule,
  at: string,
): DoseSchedule {
  if (schedule.kind !== 'pulse') return schedule;
  const since = currentDoseSince(record);
  const days = Math.floor(hoursBetween(since, at) / HOURS_PER_DAY);
  return {
    ...schedule,
    day: Math.min(schedule.of, Math.max(schedule.day, schedule.day + days)),
  };
}

/** Whether a record's schedule still has a dose to give after `now`. */
export function givesMoreDoses(record: PulseBase, now: string): boolean {
  const end = scheduleEndsAt(record);
  return end === null || toMs(now) < toMs(end);
}

/**
 * When a record's current dose began: its last dose change, or its start
 * (the day a pulse's schedule names counts from it: a change's schedule
 * says the day of the new dose).
 */
export function currentDoseSince(record: PulseBase): string {
  return record.doseChanges?.at(-1)?.at ?? record.startedAt;
}

/**
 * How close a later record comes to continuing `earlier`'s course: the
 * hours between its start and the infusion of `earlier`'s course it takes
 * over, or null when it does not continue it.
 */
function continuationGap(
  earlier: PulseBase,
  later: { startedAt: string; schedule?: DoseSchedule },
): number | null {
  if (later.schedule === undefined) return null;
  if (toMs(earlier.startedAt) >= toMs(later.startedAt)) return null;
  const repeat = continuedFrom(earlier, later.schedule, later.startedAt);
  if (repeat === null) return null;
  const dayN = addHours(currentDoseSince(earlier), repeat * HOURS_PER_DAY);
  return Math.abs(hoursBetween(dayN, later.startedAt));
}

/**
 * Of `candidates` (records not yet continued), the one a later record
 * continues: the closest, so that each later record continues one course
 * (a course recorded twice stays two courses, even where a third record's
 * day 2 could follow either).
 */
function continuedOne<R extends CourseRecord>(
  candidates: readonly R[],
  later: { startedAt: string; schedule?: DoseSchedule; drug?: string },
): R | null {
  let best: { record: R; gap: number } | null = null;
  for (const earlier of candidates) {
    if (later.drug !== undefined && earlier.drug !== later.drug) continue;
    if (earlier.background) continue;
    const gap = continuationGap(earlier, later);
    if (gap !== null && (best === null || gap < best.gap)) {
      best = { record: earlier, gap };
    }
  }
  return best?.record ?? null;
}

/**
 * The running records that a later running record of the same drug
 * continues (a pulse recorded day by day, "day 2 of 3" as its own record):
 * one course, not a course recorded twice. Each later record continues one
 * earlier record at most, in order of their starts.
 */
export function continuedRecords(
  running: readonly TherapyRecord[],
): Set<TherapyRecord> {
  return new Set(continuations(running).values());
}

/** What telling a course's records apart reads of a record. */
export interface CourseRecord {
  readonly drug: string;
  readonly startedAt: string;
  readonly schedule?: DoseSchedule;
  readonly background: boolean;
  /** A pulse's day counts from its latest dose change. */
  readonly doseChanges?: readonly { readonly at: string }[];
}

/** Each running record that continues an earlier one, to that one. */
function continuations<R extends CourseRecord>(
  running: readonly R[],
): Map<R, R> {
  const links = new Map<R, R>();
  const continued = new Set<R>();
  const byStart = running
    .filter((t) => !t.background)
    .sort((a, b) => toMs(a.startedAt) - toMs(b.startedAt));
  for (const later of byStart) {
    const earlier = continuedOne(
      byStart.filter((t) => !continued.has(t) && t !== later),
      later,
    );
    if (earlier !== null) {
      continued.add(earlier);
      links.set(later, earlier);
    }
  }
  return links;
}

/**
 * A running record's course up to it: the records it continues (a pulse
 * recorded day by day), oldest first, then it. (The FHIR export follows
 * the courses of an audit by it too.)
 */
export function courseUpTo<R extends CourseRecord>(
  running: readonly R[],
  record: R,
): [...R[], R] {
  const links = continuations(running);
  const earlier: R[] = [];
  for (
    let at = links.get(record);
    at !== undefined && !earlier.includes(at);
    at = links.get(at)
  ) {
    earlier.unshift(at);
  }
  return [...earlier, record];
}

/**
 * The running records of `drug` a new start would not continue: what it
 * runs beside (a course recorded twice, or a new course over one still
 * giving doses).
 */
export function runningBeside(
  context: EpisodeContext,
  drug: string,
  schedule: DoseSchedule,
  givenAt: string,
): TherapyRecord[] {
  const running = context.therapies.filter(
    (t) => t.drug === drug && !t.background && t.stoppedAt === undefined,
  );
  const continued = continuedRecords(running);
  const current = running.filter((t) => !continued.has(t));
  const followed = continuedOne(current, { startedAt: givenAt, schedule });
  return current.filter((t) => t !== followed);
}

/**
 * A pulse record of day n > 1 that no earlier record of the drug bears out
 * (none whose course it continues, by its day and time, stopped or not):
 * where an earlier course of the drug puts it on another of its days, that
 * day is named (day 3 written on the course's second day); else, where its
 * earlier days fall within this episode, they are asked for (the day
 * number wrong, or the earlier days unrecorded). Days that fall before the
 * opening were given elsewhere: not asked for. Said, never refused (a
 * glucocorticoid is never blocked).
 */
export function pulseDayProblem(
  context: Pick<EpisodeContext, 'therapies' | 'openedAt'>,
  drug: string,
  schedule: DoseSchedule | undefined,
  givenAt: string | undefined,
): string | null {
  if (schedule?.kind !== 'pulse' || schedule.day <= 1 || !givenAt) {
    return null;
  }
  const later = { startedAt: givenAt, schedule };
  const earlier = context.therapies.filter(
    (t) =>
      t.drug === drug &&
      !t.background &&
      toMs(t.startedAt) < toMs(givenAt) &&
      t.schedule?.kind === 'pulse',
  );
  if (earlier.some((t) => continuationGap(t, later) !== null)) return null;
  const recorded = `${drug} recorded as pulse day ${String(schedule.day)} of ${String(schedule.of)} given ${normalize(givenAt)}`;
  // An earlier course of the drug that puts it on another of its days.
  const course = courseDay(earlier, givenAt, schedule.of);
  if (course !== null) {
    return `${recorded}: given then, it falls on day ${String(course.day)} of the course whose day ${String(course.from.day)} was given ${course.from.at}: check the day number`;
  }
  // Else the first of its earlier days that falls within the episode,
  // beyond the tolerance of one infusion (a day 1 given an hour before
  // the opening, a day from day 2 give or take, was given elsewhere).
  const { sameInfusionHours } = recordingRules.dailyTotal;
  const from = addHours(context.openedAt, sameInfusionHours);
  let first: { day: number; at: string } | null = null;
  for (let day = 1; day < schedule.day && first === null; day += 1) {
    const at = addHours(givenAt, (day - schedule.day) * HOURS_PER_DAY);
    if (toMs(at) >= toMs(from)) first = { day, at };
  }
  if (first === null) return null;
  const which =
    first.day === schedule.day - 1
      ? `day ${String(first.day)}`
      : `days ${String(first.day)}-${String(schedule.day - 1)}`;
  return `${recorded}: its day ${String(first.day)} falls at ${first.at}, within this episode (opened ${context.openedAt}), and no record of ${drug} gives ${which}: check the day number, or record the earlier days`;
}

/**
 * The day of an earlier pulse's course (of `of` days) a dose given at
 * `givenAt` falls on: the latest such course; none where no course of that
 * length has a day there (within the tolerance of one infusion).
 */
function courseDay(
  earlier: readonly TherapyRecord[],
  givenAt: string,
  of: number,
): { day: number; from: { day: number; at: string } } | null {
  const { sameInfusionHours } = recordingRules.dailyTotal;
  for (const record of [...earlier].reverse()) {
    if (record.schedule?.kind !== 'pulse' || record.schedule.of !== of) {
      continue;
    }
    const since = currentDoseSince(record);
    const days = hoursBetween(since, givenAt) / HOURS_PER_DAY;
    const whole = Math.round(days);
    const day = record.schedule.day + whole;
    if (
      Math.abs(days - whole) * HOURS_PER_DAY <= sameInfusionHours &&
      day <= of
    ) {
      return { day, from: { day: record.schedule.day, at: since } };
    }
  }
  return null;
}

/**
 * The running records of `drug` an event names: by its start time
 * (`startedAt`) when given (of two started at the same instant, a course
 * recorded twice, the later recorded); else the only one, or the records of
 * one course recorded day by day (a stop ends them all; a dose change
 * changes the current one, the last). A drug running twice otherwise (a
 * course recorded twice, a new course over one still giving doses) is never
 * stopped or changed as a whole by guess: the event must say which.
 */
export function namedRecords(
  context: EpisodeContext,
  drug: string,
  startedAt: string | undefined,
):
  | {
      /** The course's earlier records, then its current one (last). */
      readonly records: readonly [...TherapyRecord[], TherapyRecord];
    }
  | { readonly reason: string; readonly field?: 'startedAt' } {
  const running = context.therapies.filter(
    (t) => t.drug === drug && t.stoppedAt === undefined,
  );
  const list = running.map(recordText).join('; ');
  if (startedAt !== undefined) {
    const at = toMs(startedAt);
    const record = running.findLast((t) => toMs(t.startedAt) === at);
    // The course's current record names the whole course (the days it
    // continues gave their remaining doses over to it); an earlier day
    // a later one continues is that day's record alone.
    return record
      ? { records: courseUpTo(running, record) }
      : {
          reason: `startedAt: no running ${drug} record started at ${startedAt} (running: ${list || 'none'})`,
          field: 'startedAt',
        };
  }
  if (running.length === 0) return { reason: `${drug} is not active` };
  // One course: every record but the current one continued by a later one.
  const continued = continuedRecords(running);
  const [current, ...others] = running.filter((t) => !continued.has(t));
  if (current === undefined || others.length > 0) {
    return {
      reason: `${drug} runs ${running.length} times (${list}): name the record by its start time (startedAt)`,
      field: 'startedAt',
    };
  }
  // The course's earlier records, then the current one (a dose change
  // changes it).
  return { records: [...running.filter((t) => t !== current), current] };
}

/** The one record a dose change names: the current one of its course. */
export function namedRecord(
  context: EpisodeContext,
  drug: string,
  startedAt: string | undefined,
):
  | { readonly record: TherapyRecord }
  | { readonly reason: string; readonly field?: 'startedAt' } {
  const named = namedRecords(context, drug, startedAt);
  return 'reason' in named
    ? named
    : { record: named.records[named.records.length - 1] as TherapyRecord };
}

/**
 * A dose change read as the start it amounts to, for the dose checks: with
 * the creatinine clearance it gives, else the one the course was recorded
 * with (a renal rule does not lapse because the change's form left it out).
 */
export function doseChangeAsStart(
  event: EpisodeEventOf<'therapy.dose-changed'>,
  record: Pick<TherapyRecord, 'creatinineClearanceMlMin'>,
): EpisodeEventOf<'therapy.started'> {
  const { startedAt: _record, ...payload } = event.payload;
  const clearance =
    payload.creatinineClearanceMlMin ?? record.creatinineClearanceMlMin;
  return {
    ...event,
    type: 'therapy.started',
    payload:
      clearance === undefined
        ? payload
        : { ...payload, creatinineClearanceMlMin: clearance },
  };
}

/**
 * The records a new dose is checked among: the record it replaces ended
 * when the new dose is first given (what the old dose gave before still
 * counts in the day's total; it gives nothing after). A list, not a copy
 * of the context: a check reads only what it needs (the model checker's
 * abstraction spec holds it to that).
 */
export function endedAtChange(
  therapies: readonly TherapyRecord[],
  record: TherapyRecord,
  givenAt: string,
): CountedRecord[] {
  return therapies.flatMap((t): CountedRecord[] => {
    if (t !== record) return [t];
    if (toMs(givenAt) > toMs(currentDoseSince(t))) {
      return [changing({ ...t, stoppedAt: givenAt })];
    }
    // Replaced at the instant it began: that dose was never given (a
    // correction of the dose, not a day with both).
    const changes = t.doseChanges ?? [];
    const last = changes.at(-1);
    if (last === undefined) return [];
    // (Each field as the earlier dose had it, absent where it was: never
    // the replaced dose's.)
    const { dose, doseMg, route, schedule, doseCheck } = last.previous;
    return [
      changing({
        ...t,
        dose,
        doseMg,
        route,
        schedule,
        doseCheck,
        doseChanges: changes.slice(0, -1),
        stoppedAt: givenAt,
      }),
    ];
  });
}

/**
 * A record as the daily total counts it: `changing` marks the course whose
 * dose a dose change replaces (its earlier dose is said as such).
 */
export type CountedRecord = TherapyRecord & { readonly changing?: true };

function changing(record: TherapyRecord): CountedRecord {
  return { ...record, changing: true };
}

function isChanging(course: CountedRecord | undefined): boolean {
  return course?.changing === true;
}

/**
 * A record's doses as the daily total reads them: one span per dose it was
 * given at, each from when that dose began until the next took over (a
 * record whose dose never changed is its own one span).
 */
function doseSpans(record: TherapyRecord): TherapyRecord[] {
  const changes = record.doseChanges ?? [];
  if (changes.length === 0) return [record];
  const spans: TherapyRecord[] = [];
  let from = record.startedAt;
  for (const change of changes) {
    const { doseMg, schedule } = change.previous;
    // A dose replaced at the instant it began was never given.
    const given = toMs(change.at) > toMs(from);
    if (given && doseMg !== undefined && schedule !== undefined) {
      spans.push({
        ...record,
        doseMg,
        schedule,
        startedAt: from,
        stoppedAt: change.at,
        doseChanges: [],
      });
    }
    from = change.at;
  }
  spans.push({ ...record, startedAt: from, doseChanges: [] });
  return spans;
}

/**
 * A dose change: a running record of the protocol's table, recorded in the
 * episode with its dose (a background course's increase is recorded as
 * such), the new dose given no earlier than the course started, and the new
 * dose checked as a start's would be (hard limits refuse, soft limits need
 * `doseConfirmation`).
 */
export function checkDoseChange(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.dose-changed'>,
): Check {
  const { drug, givenAt } = event.payload;
  const named = namedRecord(context, drug, event.payload.startedAt);
  if ('reason' in named) {
    return {
      ok: false,
      reason: named.reason,
      evidence: recordingRules.evidence,
      ...(named.field === undefined ? {} : { field: named.field }),
    };
  }
  const { record } = named;
  if (record.background) {
    return {
      ok: false,
      reason: `${drug} is recorded as background therapy, given before the episode without its dose: record its dose increase as such, or stop it and start the MAS dose`,
      evidence: recordingRules.evidence,
    };
  }
  if (record.schedule?.kind === 'once') {
    return {
      ok: false,
      reason: `schedule: ${drug} was recorded as a single dose, already given: record another dose as a new start`,
      evidence: recordingRules.evidence,
    };
  }
  const since = currentDoseSince(record);
  if (toMs(givenAt) < toMs(since)) {
    return {
      ok: false,
      reason: `givenAt ${givenAt} is before the dose it replaces (given from ${since}): a dose cannot change before it was given`,
      evidence: recordingRules.evidence,
    };
  }
  const start = doseChangeAsStart(event, record);
  const dose = checkTherapyDose(
    context,
    start,
    endedAtChange(context.therapies, record, givenAt),
  );
  if (!dose.ok) return dose;
  const from = record.dose
    ? `${record.dose.value} ${record.dose.unit}`
    : 'an unrecorded dose';
  // A pulse's day at the change, against the course's own days: said,
  // never refused (a glucocorticoid is never blocked).
  const day = changedPulseDayProblem(record, event.payload.schedule, givenAt);
  const warnings = [...(dose.warnings ?? []), ...(day === null ? [] : [day])];
  return {
    ...dose,
    reason: [
      `${drug} dose changed from ${from} to ${event.payload.dose.value} ${event.payload.dose.unit}`,
      dose.reason,
      ...(day === null ? [] : [day]),
    ].join('; '),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * A dose change of a pulse that names another day than the course's own at
 * that time (its current dose's day, plus the whole days since, within one
 * infusion's tolerance): "day 3 of 3" written on the course's second day.
 */
function changedPulseDayProblem(
  record: TherapyRecord,
  schedule: DoseSchedule,
  givenAt: string,
): string | null {
  if (schedule.kind !== 'pulse' || record.schedule?.kind !== 'pulse') {
    return null;
  }
  if (record.schedule.of !== schedule.of) return null;
  const course = courseDay([record], givenAt, schedule.of);
  if (course === null || course.day === schedule.day) return null;
  return `${record.drug} changed as pulse day ${String(schedule.day)} of ${String(schedule.of)} given ${normalize(givenAt)}: given then, it falls on day ${String(course.day)} of the course whose day ${String(course.from.day)} was given ${course.from.at}: check the day number`;
}
