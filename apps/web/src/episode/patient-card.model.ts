/**
 * What the patient card shows, as pure functions: the age from the birth
 * date, the body surface area, what falls due next, and the latest labs
 * against the pre-treatment baseline.
 */
import type { EpisodeContext } from '@mas/mas-episode';
import {
  type AnalyteId,
  bodySurfaceAreaM2,
  convertQuantity,
  dueLabel,
  formatAnalyteValue,
  masProtocolDefinition,
  parseLabPanel,
  unitLabel,
} from '@mas/protocol';

import { ageInDays } from './clinical-time.model.js';

const MONTHS_PER_YEAR = 12;
/** Under this age (in months) an age reads in months; under a month, in days. */
const AGE_IN_MONTHS_BELOW = 24;
/** From this age (in years) an age reads in whole years (an adult's). */
const AGE_IN_YEARS_FROM = 18;

/**
 * An age as a paediatric ward writes it: days under a month, months under
 * two years, years and months under eighteen, years after.
 */
export function ageText(birthDate: string, at: string): string {
  const born = new Date(`${birthDate}T00:00:00Z`);
  const now = new Date(at);
  if (Number.isNaN(born.getTime()) || Number.isNaN(now.getTime())) return '—';
  let months =
    (now.getUTCFullYear() - born.getUTCFullYear()) * MONTHS_PER_YEAR +
    (now.getUTCMonth() - born.getUTCMonth());
  if (now.getUTCDate() < born.getUTCDate()) months -= 1;
  if (months < 1) {
    const days = Math.max(0, ageInDays(birthDate, at) ?? 0);
    return `${String(days)} day${days === 1 ? '' : 's'}`;
  }
  if (months < AGE_IN_MONTHS_BELOW) return `${String(months)} months`;
  const years = Math.floor(months / MONTHS_PER_YEAR);
  const rest = months % MONTHS_PER_YEAR;
  return rest === 0 || years >= AGE_IN_YEARS_FROM
    ? `${String(years)} years`
    : `${String(years)} years ${String(rest)} months`;
}

/** Body surface area (Mosteller, the protocol library's), to 2 decimals. */
export function bsaText(heightCm: number, weightKg: number): string {
  const bsa = bodySurfaceAreaM2(heightCm, weightKg);
  return `${bsa.toFixed(2)} ${unitLabel('m2')}`;
}

export interface DueItem {
  readonly id: string;
  readonly label: string;
  readonly at: string;
  readonly overdue: boolean;
}

/** What falls due, soonest first, with what is overdue. */
export function dueItems(context: EpisodeContext, now: string): DueItem[] {
  const nowMs = Date.parse(now);
  return Object.entries(context.dues)
    .filter(([, due]) => due.dueAt !== null && due.pausedAt === null)
    .map(([id, due]) => ({
      id,
      label: dueLabel(id),
      at: due.dueAt ?? '',
      overdue: Date.parse(due.dueAt ?? '') <= nowMs,
    }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The analytes the card shows (the ones the response is judged on). */
export const CARD_ANALYTES: readonly AnalyteId[] = [
  'ferritin',
  'platelets',
  'fibrinogen',
  'ast',
  'ldh',
  'crp',
];

export interface LabTrend {
  readonly analyte: AnalyteId;
  readonly label: string;
  readonly unit: string;
  readonly latest: number;
  /** The latest value at the analyte's display precision (12,023; 1.52). */
  readonly latestText: string;
  readonly latestAt: string;
  readonly baseline: number | null;
  readonly baselineText: string | null;
  /** Rounded to a whole percent; null without a baseline. */
  readonly changePercent: number | null;
  readonly arrow: '↑' | '↓' | '→' | '';
}

function valueIn(
  panel: unknown,
  analyte: AnalyteId,
  unit: string,
): number | null {
  try {
    const quantity = parseLabPanel(panel).quantities[analyte];
    if (quantity === undefined) return null;
    return convertQuantity(
      quantity,
      unit,
      analyte,
      masProtocolDefinition.analytes[analyte].molarMassGPerMol,
    );
  } catch {
    return null;
  }
}

/**
 * The latest value of each card analyte against the pre-treatment baseline
 * (the picture when treatment of this flare started), in the protocol's
 * unit, with the direction of the change.
 */
export function labTrends(context: EpisodeContext): LabTrend[] {
  const latest = context.lastPanel;
  if (latest === null) return [];
  const baseline = context.treatmentBaseline;
  return CARD_ANALYTES.flatMap((analyte) => {
    const definition = masProtocolDefinition.analytes[analyte];
    const unit = definition.canonicalUnit;
    const now = valueIn(latest.panel, analyte, unit);
    if (now === null) return [];
    const before =
      baseline === null || baseline.at === latest.at
        ? null
        : valueIn(baseline.panel, analyte, unit);
    const change =
      before === null || before === 0
        ? null
        : Math.round(((now - before) / before) * 100);
    return [
      {
        analyte,
        label: definition.label,
        unit: unitLabel(unit),
        latest: now,
        latestText: formatAnalyteValue(analyte, now),
        // Each value's own sample (the picture combines partial panels).
        latestAt: context.lastScreen?.sampledAt?.[analyte] ?? latest.at,
        baseline: before,
        baselineText:
          before === null ? null : formatAnalyteValue(analyte, before),
        changePercent: change,
        arrow: change === null ? '' : change > 0 ? '↑' : change < 0 ? '↓' : '→',
      },
    ];
  });
}
