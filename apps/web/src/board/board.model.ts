import { checkPatientMeasures } from '@mas/protocol';

import type { EpisodeListItem } from '../api/types.js';
import { type UnusualItem, unusualText } from '../episode/event-form.model.js';

export type BoardSortKey =
  'urgency' | 'patient' | 'stage' | 'nextDue' | 'suspicion';

export interface BoardFilter {
  readonly stage: string;
  readonly alert: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "3 h 20 min", "45 min", "2 d 4 h": a span of time in words. */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  const days = Math.floor(abs / (24 * HOUR));
  const hours = Math.floor((abs % (24 * HOUR)) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min`;
}

/** Time since a moment, or an em dash when it has not happened. */
export function since(at: string | null, now: number): string {
  return at === null ? '—' : formatSpan(now - Date.parse(at));
}

/** The next reassessment or other due time: a countdown, or how late. */
export function countdown(
  nextDueAt: string | null,
  now: number,
): { text: string; overdue: boolean } {
  if (nextDueAt === null) return { text: 'nothing due', overdue: false };
  const left = Date.parse(nextDueAt) - now;
  return left >= 0
    ? { text: `due in ${formatSpan(left)}`, overdue: false }
    : { text: `overdue by ${formatSpan(left)}`, overdue: true };
}

function compareTimes(a: string | null, b: string | null): number {
  // Missing times sort last in either direction of the key itself.
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return Date.parse(a) - Date.parse(b);
}

/**
 * The board's order. Urgency first puts overdue and critical episodes on
 * top (the service's urgency score), then the soonest due.
 */
export function sortEpisodes(
  items: readonly EpisodeListItem[],
  key: BoardSortKey,
  direction: 'asc' | 'desc',
): EpisodeListItem[] {
  const sign = direction === 'asc' ? 1 : -1;
  const compare = (a: EpisodeListItem, b: EpisodeListItem): number => {
    switch (key) {
      case 'urgency':
        return (
          (b.urgency - a.urgency) * -sign ||
          compareTimes(a.nextDueAt, b.nextDueAt)
        );
      case 'patient':
        return sign * a.patientIdentifier.localeCompare(b.patientIdentifier);
      case 'stage':
        return sign * a.stage.localeCompare(b.stage);
      case 'nextDue':
        return sign * compareTimes(a.nextDueAt, b.nextDueAt);
      case 'suspicion':
        return sign * compareTimes(a.suspicionAt, b.suspicionAt);
    }
  };
  return [...items].sort(compare);
}

export function filterEpisodes(
  items: readonly EpisodeListItem[],
  filter: BoardFilter,
): EpisodeListItem[] {
  return items.filter(
    (item) =>
      (filter.stage === '' || item.stage === filter.stage) &&
      (filter.alert === '' || item.alerts.includes(filter.alert)),
  );
}

/** The distinct stages and alerts present, for the filter menus. */
export function filterChoices(items: readonly EpisodeListItem[]): {
  stages: string[];
  alerts: string[];
} {
  return {
    stages: [...new Set(items.map((i) => i.stage))].sort(),
    alerts: [...new Set(items.flatMap((i) => i.alerts))].sort(),
  };
}

/** What the new-episode form calls each patient measure. */
export const MEASURE_WORDS: Readonly<Record<string, string>> = {
  weightKg: 'Weight',
  heightCm: 'Height',
  birthDate: 'Age (from the birth date)',
};

/**
 * The patient's unusual measures (a likely unit slip: grams for kilograms)
 * not confirmed yet; `only`: the fields the service named. Throws the
 * protocol library's ClinicalInputError for an impossible one.
 */
export function unusualMeasures(
  patient: { weightKg: number; heightCm: number; birthDate: string },
  at: string,
  only?: readonly string[],
): UnusualItem[] {
  const found = checkPatientMeasures(patient, at).unusual.map((item) => ({
    field: item.field,
    label: MEASURE_WORDS[item.field] ?? item.field,
    text: unusualText(item),
  }));
  if (only === undefined) return found;
  const named = found.filter((item) => only.includes(item.field));
  const rest = only
    .filter((field) => !named.some((item) => item.field === field))
    .map((field) => ({
      field,
      label: MEASURE_WORDS[field] ?? field,
      text: 'the service finds this value unusual: check it and its unit',
    }));
  return [...named, ...rest];
}
