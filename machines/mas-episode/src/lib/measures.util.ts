/**
 * The patient's weight and height as the ward measures them: each with the
 * time it was taken. A measure entered late (yesterday's weight typed in
 * after today's) is kept in the record but never replaces a newer one:
 * doses are computed from the newest figure, not from the last typed.
 */
import type { EpisodeEventOf } from '@mas/contracts';
import type { DoseResult } from '@mas/protocol';

import type { EpisodeContext } from './mas-episode.types.js';
import { HOURS_PER_DAY, hoursBetween, normalize, toMs } from './time.util.js';

export type MeasureField = 'weightKg' | 'heightCm';

const measureFields: readonly MeasureField[] = ['weightKg', 'heightCm'];

const words: Readonly<Record<MeasureField, { name: string; unit: string }>> = {
  weightKg: { name: 'weight', unit: 'kg' },
  heightCm: { name: 'height', unit: 'cm' },
};

/**
 * When the figure held was measured, as far as the record knows: a measure
 * recorded since the opening, by its time; the admission's figure, by
 * nothing (entered with the episode, measured at some time before it).
 */
export function measuredAtOf(
  context: Pick<EpisodeContext, 'measuredAt'>,
  field: MeasureField,
): string | undefined {
  return context.measuredAt?.[field];
}

/**
 * The latest time the figure held can have been measured (its age counts
 * from it): its measuring time, else, for the admission's figure, the
 * opening. Unknown in a snapshot before statechart 2.5.0 (a measure may
 * have been recorded since the opening at a time it did not keep).
 */
export function measuredByOf(
  context: Pick<EpisodeContext, 'measuredAt' | 'openedAt'>,
  field: MeasureField,
): string | undefined {
  return context.measuredAt === undefined
    ? undefined
    : (context.measuredAt[field] ?? context.openedAt);
}

export interface MeasuresTaken {
  /** When this event's figures were measured (its `measuredAt`, or its time). */
  readonly measuredAt: string;
  /** The figures that replace those held (as new or newer). */
  readonly taken: Partial<Record<MeasureField, number>>;
  /** The figures older than those held: recorded, not used, each said. */
  readonly older: readonly string[];
}

/**
 * Which figures of a measures event replace those held: each one measured
 * at or after the held one's time (the same time: a correction of it), and
 * any in place of the admission's figure (its time unknown: a measure at
 * the emergency department before the opening corrects a figure mistyped
 * at admission).
 */
export function measuresTaken(
  context: Pick<EpisodeContext, 'measuredAt' | 'patient'>,
  payload: EpisodeEventOf<'measures.recorded'>['payload'],
  at: string,
): MeasuresTaken {
  // A time after the recording (within the clock skew the recording rules
  // allow) is the recording's: dated minutes ahead, it would make every
  // measure taken meanwhile "older" and shut it out of the doses.
  const given = normalize(payload.measuredAt ?? at);
  const measuredAt = toMs(given) > toMs(at) ? normalize(at) : given;
  const taken: Partial<Record<MeasureField, number>> = {};
  const older: string[] = [];
  for (const field of measureFields) {
    const value = payload[field];
    if (value === undefined) continue;
    const held = measuredAtOf(context, field);
    if (held !== undefined && toMs(measuredAt) < toMs(held)) {
      const { name, unit } = words[field];
      older.push(
        `the ${name} of ${String(value)} ${unit} measured ${measuredAt} is older than the ${name} held (${String(context.patient[field])} ${unit}, measured ${held}): recorded, not used for doses`,
      );
    } else {
      taken[field] = value;
    }
  }
  return { measuredAt, taken, older };
}

/** The context with a measures event's newer figures and their times. */
export function withMeasures(
  context: EpisodeContext,
  event: EpisodeEventOf<'measures.recorded'>,
  at: string,
): EpisodeContext {
  const { measuredAt, taken } = measuresTaken(context, event.payload, at);
  if (taken.weightKg === undefined && taken.heightCm === undefined) {
    return context;
  }
  // Later dose checks read the new figures; what was checked before stays
  // as it was checked (the records keep their own checks).
  const patient = { ...context.patient, ...taken };
  // A record from before statechart 2.5.0 knows no measure's time (one
  // may have been recorded since the opening): it keeps none, rather than
  // dating the other figure from the opening.
  if (context.measuredAt === undefined) return { ...context, patient };
  return {
    ...context,
    patient,
    measuredAt: {
      ...context.measuredAt,
      ...(taken.weightKg === undefined ? {} : { weightKg: measuredAt }),
      ...(taken.heightCm === undefined ? {} : { heightCm: measuredAt }),
    },
  };
}

/**
 * Whether the figure held was measured longer before `at` than the
 * institution's `doseLimits.measuresValidDays` (false where the figure is
 * unset or the measure's time unknown).
 */
export function measureTooOld(
  context: Pick<EpisodeContext, 'measuredAt' | 'openedAt' | 'profileData'>,
  field: MeasureField,
  at: string,
): boolean {
  const days = context.profileData.doseLimits?.measuresValidDays;
  const measured = measuredByOf(context, field);
  if (days === undefined || measured === undefined) return false;
  return hoursBetween(measured, at) / HOURS_PER_DAY > days;
}

/**
 * A dose computed from a measure older than the institution allows
 * (`doseLimits.measuresValidDays`) when it is given: said beside the
 * record, never a refusal. A dose per kg reads the weight; one per m2 the
 * weight and the height. Unset, or the measure's time unknown: nothing.
 */
export function staleMeasuresWarning(
  context: Pick<
    EpisodeContext,
    'measuredAt' | 'openedAt' | 'patient' | 'profileData'
  >,
  /** The dose calculator's results the dose was computed by (none: unchecked). */
  results: readonly Pick<DoseResult, 'basis'>[],
  givenAt: string,
): string | null {
  const days = context.profileData.doseLimits?.measuresValidDays;
  if (days === undefined || results.length === 0) return null;
  const read: MeasureField[] = results.some(
    (result) => result.basis.kind === 'mg/m2',
  )
    ? ['weightKg', 'heightCm']
    : ['weightKg'];
  const stale = read.flatMap((field) => {
    const measured = measuredByOf(context, field);
    if (measured === undefined || !measureTooOld(context, field, givenAt)) {
      return [];
    }
    const { name, unit } = words[field];
    const when =
      measuredAtOf(context, field) === undefined
        ? `entered at admission (${measured})`
        : `measured ${measured}`;
    return [
      `the ${name} it is computed from (${String(context.patient[field])} ${unit}) was ${when}, ${ageText(hoursBetween(measured, normalize(givenAt)))} before this dose`,
    ];
  });
  return stale.length === 0
    ? null
    : `${stale.join('; ')}: more than the institution's ${String(days)} days (doseLimits.measuresValidDays); measure the patient again and record it`;
}

/** An age in whole days and hours: "8 days", "7 days 1 h". */
function ageText(hours: number): string {
  const days = Math.floor(hours / HOURS_PER_DAY);
  const rest = Math.floor(hours - days * HOURS_PER_DAY);
  return `${String(days)} day${days === 1 ? '' : 's'}${rest > 0 ? ` ${String(rest)} h` : ''}`;
}
