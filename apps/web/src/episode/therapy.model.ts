/**
 * Therapies in words (the dose as given: amount, route, schedule, time) and
 * the dose check a therapy form runs before it sends. The check is the
 * protocol library's own (`checkRecordedDose`, the one the machine runs);
 * this file holds no clinical figure.
 */
import type { DoseSchedule, Patient } from '@mas/contracts';
import type { OtherTherapyRecord, TherapyRecord } from '@mas/mas-episode';
import {
  type AnalyteId,
  checkRecordedDose,
  ClinicalInputError,
  type DoseCheck,
  type DoseLimit,
  drugIds,
  type FindingId,
  type InstitutionProfile,
  type LabPanel,
  panelItemLabel,
  parseLabPanel,
  unitLabel,
} from '@mas/protocol';

import { formatTime } from './clinical-time.model.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const amount = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });

/** Units as people write them (the contract's codes are UCUM). */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  ug: 'µg',
  '[iU]': 'IU',
};

export function unitText(unit: string): string {
  return UNIT_WORDS[unit] ?? unit;
}

/** Routes in words (the contract's codes carry no label). */
const ROUTE_WORDS: Readonly<Record<string, string>> = {
  iv: 'IV',
  oral: 'oral',
  sc: 'subcutaneous',
};

export function routeText(route: string): string {
  return ROUTE_WORDS[route] ?? route;
}

/** Schedule kinds in words, for the form's choice. */
export const SCHEDULE_KIND_WORDS: Readonly<
  Record<DoseSchedule['kind'], string>
> = {
  once: 'once',
  'every-hours': 'every N hours',
  daily: 'daily',
  pulse: 'pulse (day n of N)',
};

/** "every 8 h", "pulse day 1 of 3". */
export function scheduleText(schedule: unknown): string {
  if (!isObject(schedule)) return 'schedule not recorded';
  switch (schedule['kind']) {
    case 'once':
      return 'once';
    case 'daily':
      return 'daily';
    case 'every-hours':
      return `every ${String(schedule['hours'])} h`;
    case 'pulse':
      return `pulse day ${String(schedule['day'])} of ${String(schedule['of'])}`;
    default:
      return 'schedule not recorded';
  }
}

/** "1,000 mg". */
export function doseText(dose: unknown): string {
  if (
    !isObject(dose) ||
    typeof dose['value'] !== 'number' ||
    typeof dose['unit'] !== 'string'
  ) {
    return 'dose not recorded';
  }
  return `${amount.format(dose['value'])} ${unitText(dose['unit'])}`;
}

/** The dose as given: "1,000 mg IV, pulse day 1 of 3". */
export function givenText(given: {
  readonly dose?: unknown;
  readonly route?: unknown;
  readonly schedule?: unknown;
}): string {
  const route =
    typeof given.route === 'string' ? ` ${routeText(given.route)}` : '';
  return `${doseText(given.dose)}${route}, ${scheduleText(given.schedule)}`;
}

/**
 * A therapy event's payload in words for the audit timeline: what, the
 * dose as given, when it was given, and a confirmed dose outside the range.
 * Null for any other event.
 */
export function therapyEventText(
  type: string,
  payload: unknown,
): string | null {
  if (!isObject(payload)) return null;
  const given =
    typeof payload['givenAt'] === 'string'
      ? `, given ${formatTime(payload['givenAt'])}`
      : '';
  const confirmation =
    typeof payload['doseConfirmation'] === 'string'
      ? `; outside the dose range, confirmed: ${payload['doseConfirmation']}`
      : '';
  // Which course, where the drug ran twice and the event named it.
  const course =
    typeof payload['startedAt'] === 'string'
      ? ` (the course started ${formatTime(payload['startedAt'])})`
      : '';
  switch (type) {
    case 'therapy.started':
      return `${String(payload['drug'])} ${givenText(payload)}${given}${payload['emergency'] === true ? ' (emergency start)' : ''}${confirmation}`;
    case 'therapy.dose-changed':
      return `${String(payload['drug'])}${course} dose changed to ${givenText(payload)}${given}${confirmation}`;
    case 'other-therapy.started': {
      const medication = isObject(payload['medication'])
        ? payload['medication']
        : {};
      return `${String(medication['display'])} (${String(medication['code'])}) ${givenText(payload)}${given}${confirmation}`;
    }
    case 'therapy.stopped':
    case 'other-therapy.stopped': {
      const when =
        typeof payload['stoppedAt'] === 'string'
          ? `stopped ${formatTime(payload['stoppedAt'])}`
          : null;
      if (course === '') return when;
      return `${String(payload['drug'])}${course}${when === null ? '' : ` ${when}`}`;
    }
    default:
      return null;
  }
}

/** A sample time in words ("sample drawn ...") for lab events, or null. */
export function sampleText(type: string, payload: unknown): string | null {
  if (type !== 'labs.recorded' && type !== 'reassessment.recorded') {
    return null;
  }
  return isObject(payload) && typeof payload['collectedAt'] === 'string'
    ? `sample drawn ${formatTime(payload['collectedAt'])}`
    : null;
}

/**
 * A recorded panel in words for the audit timeline: each value with its unit
 * as clinicians write it, then the findings (present, absent, not assessed).
 */
export function panelText(type: string, payload: unknown): string | null {
  if (type !== 'labs.recorded' && type !== 'reassessment.recorded') {
    return null;
  }
  if (!isObject(payload)) return null;
  let panel: LabPanel;
  try {
    panel = parseLabPanel(payload['panel']);
  } catch {
    return null;
  }
  const values = Object.entries(panel.quantities).map(([analyte, quantity]) =>
    `${panelItemLabel(analyte as AnalyteId)} ${quantity.value.toLocaleString('en-GB')} ${unitLabel(quantity.unit)}`.trim(),
  );
  if (panel.temperatureC !== undefined) {
    values.unshift(
      `Temperature ${String(panel.temperatureC)} ${unitLabel('Cel')}`,
    );
  }
  // Findings recorded present or absent (a finding not assessed is left out).
  const findings = Object.entries(panel.findingStatus)
    .filter(([, status]) => status !== 'not-assessed')
    .map(
      ([finding, status]) =>
        `${panelItemLabel(finding as FindingId)}: ${status}`,
    );
  const text = [...values, ...findings].join('; ');
  return text === '' ? null : text;
}

// ------------------------------------------------------------ dose check

/**
 * The protocol's dose check of a therapy form's payload for this patient,
 * as the machine runs it; null when the payload is not complete yet or the
 * library cannot check it (the service then decides, and says why).
 */
export function formDoseCheck(
  payload: unknown,
  patient: Pick<Patient, 'weightKg' | 'heightCm'>,
  profile: InstitutionProfile,
): DoseCheck | null {
  if (!isObject(payload)) return null;
  const { drug, dose, route, schedule, creatinineClearanceMlMin } = payload;
  if (
    typeof drug !== 'string' ||
    !(drugIds as readonly string[]).includes(drug) ||
    !isObject(dose) ||
    typeof dose['value'] !== 'number' ||
    typeof dose['unit'] !== 'string' ||
    (route !== 'iv' && route !== 'oral' && route !== 'sc') ||
    !isObject(schedule)
  ) {
    return null;
  }
  try {
    return checkRecordedDose({
      drug: drug as (typeof drugIds)[number],
      dose: { value: dose['value'], unit: dose['unit'] },
      route,
      schedule: schedule as DoseSchedule,
      patient: {
        weightKg: patient.weightKg,
        heightCm: patient.heightCm,
        // The clearance entered with the dose (a renal rule reads it), as
        // the machine's check does.
        ...(typeof creatinineClearanceMlMin === 'number'
          ? { creatinineClearanceMlMin }
          : {}),
      },
      purpose: 'mas',
      profile,
    });
  } catch (error) {
    if (error instanceof ClinicalInputError) return null;
    throw error;
  }
}

/** Outside a soft or a hard limit: the form asks a second time. */
export function isOutsideRange(check: DoseCheck | null): boolean {
  return check !== null && (check.tier === 'soft' || check.tier === 'hard');
}

const mg = (value: number) => `${amount.format(value)} mg`;

/** The computed dose for this patient: "900–1,000 mg per infusion". */
export function computedDoseText(check: DoseCheck): string | null {
  const computed = check.computed;
  if (!computed) return null;
  const { minMg, maxMg, per } = computed;
  const range =
    minMg === undefined
      ? `up to ${mg(maxMg)}`
      : minMg === maxMg
        ? mg(maxMg)
        : `${amount.format(minMg)}–${mg(maxMg)}`;
  return `${range} per ${per}`;
}

/** The entered dose as the limits count it: "10,000 mg per infusion". */
export function enteredDoseText(check: DoseCheck): string {
  const per = check.computed?.per;
  if (per === 'day' || check.administrationsPerDay > 1) {
    return `${mg(check.doseMg)} per administration, ${mg(check.dailyMg)} per day`;
  }
  return per ? `${mg(check.doseMg)} per ${per}` : mg(check.doseMg);
}

/** Each limit the dose crosses, hard ones first, in words. */
export function exceededLimits(check: DoseCheck): readonly {
  readonly tier: DoseLimit['tier'];
  readonly text: string;
}[] {
  return check.limits
    .filter((limit) => limit.exceeded)
    .sort((a, b) => Number(b.tier === 'hard') - Number(a.tier === 'hard'))
    .map((limit) => ({
      tier: limit.tier,
      text: `${limit.bound === 'upper' ? 'Above' : 'Below'} the ${limit.tier} limit of ${mg(limit.limitMg ?? 0)} per ${limit.per}: ${limit.description}`,
    }));
}

// ------------------------------------------------------------ records

export interface TherapyLine {
  readonly key: string;
  readonly name: string;
  /** The dose as given, or why there is none. */
  readonly given: string;
  readonly givenAt: string;
  /** When it was recorded, when that is not when it was given. */
  readonly recordedAt?: string;
  readonly by: string;
  readonly notes: readonly string[];
  /** A dose outside the range, confirmed by the prescriber. */
  readonly confirmedOutside?: string;
}

/** A protocol therapy, as the ward reads it. */
export function therapyLine(record: TherapyRecord): TherapyLine {
  const check = record.doseCheck;
  const notes = [
    ...(record.background ? ['background therapy (before the episode)'] : []),
    ...(record.emergency ? ['emergency start'] : []),
    ...(check?.tier === 'unchecked' && check.messages.length > 0
      ? [`dose not checked: ${check.messages.join('; ')}`]
      : []),
    ...(check?.computed ? [`computed dose: ${check.computed}`] : []),
    // The course's earlier doses, latest first.
    ...[...(record.doseChanges ?? [])]
      .reverse()
      .map(
        (change) =>
          `dose changed ${formatTime(change.at)} by ${change.by.id}, from ${change.previous.dose ? givenText(change.previous) : 'a dose not recorded'}`,
      ),
  ];
  return {
    key: `${record.drug}-${record.startedAt}`,
    name: record.drug,
    given: record.dose
      ? givenText(record)
      : record.background
        ? 'dose not recorded (background therapy)'
        : 'dose not recorded',
    givenAt: record.startedAt,
    ...(record.recordedAt ? { recordedAt: record.recordedAt } : {}),
    by: record.startedBy.id,
    notes,
    ...(check?.tier === 'soft'
      ? {
          confirmedOutside: `outside range, confirmed by ${check.confirmedBy?.id ?? 'the prescriber'}: ${check.confirmation ?? ''}`,
        }
      : {}),
  };
}

/** A therapy outside the protocol's table, as the ward reads it. */
export function otherTherapyLine(record: OtherTherapyRecord): TherapyLine {
  return {
    key: record.recordId,
    name: `${record.medication.display} (${record.medication.code})`,
    given: givenText(record),
    givenAt: record.startedAt,
    ...(record.recordedAt !== record.startedAt
      ? { recordedAt: record.recordedAt }
      : {}),
    by: record.startedBy.id,
    notes: record.glucocorticoidTaper
      ? ['the oral glucocorticoid taper the protocol tracks']
      : [],
    ...(record.doseConfirmation
      ? { confirmedOutside: `dose confirmed: ${record.doseConfirmation}` }
      : {}),
  };
}
