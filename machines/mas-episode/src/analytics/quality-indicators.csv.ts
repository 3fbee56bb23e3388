/**
 * The quality indicators as CSV (RFC 4180): a header, then one row per
 * indicator × month × ward (an empty ward: every ward of the month). Cells
 * that do not apply to an indicator are empty; so are summaries without data.
 *
 * - n: the durations observed, the reassessment intervals, the episodes
 *   eligible for a share, or the episodes / refractory starts counted.
 * - met / share: within the profile's limit, on time, covered, considered.
 * - not_met: no glucocorticoid recorded, late reassessments, escalation
 *   warranted without a decision.
 * - breakdown: `label: count` for each category, separated by `; `.
 * - episode_ids: the episodes behind the row, separated by spaces.
 */
import {
  type IndicatorId,
  indicatorIds,
  type IndicatorPoints,
  type IndicatorResult,
  type QualityIndicators,
} from './quality-indicators.js';

const columns = [
  'indicator',
  'statement',
  'label',
  'month',
  'ward',
  'n',
  'median_hours',
  'q1_hours',
  'q3_hours',
  'met',
  'share',
  'not_met',
  'overdue_hours',
  'breakdown',
  'episode_ids',
] as const;

type Column = (typeof columns)[number];
type Cell = string | number | null;
type Measures = Partial<Record<Column, Cell>>;

const breakdown = (
  categories: readonly { label: string; count: number }[],
): string => categories.map((c) => `${c.label}: ${String(c.count)}`).join('; ');

/** The measure cells of each indicator's point. */
const measures: {
  readonly [K in IndicatorId]: (point: IndicatorPoints[K]) => Measures;
} = {
  'suspicion-to-glucocorticoid': (p) => ({
    n: p.n,
    median_hours: p.medianHours,
    q1_hours: p.q1Hours,
    q3_hours: p.q3Hours,
    met: p.withinTarget.count,
    share: p.withinTarget.share,
    not_met: p.notStarted.count,
  }),
  'reassessment-on-time': (p) => ({
    n: p.intervals,
    met: p.onTime.count,
    share: p.share,
    not_met: p.late.count,
    overdue_hours: p.overdueHours,
  }),
  'escalation-decision': (p) => ({
    n: p.n,
    median_hours: p.medianHours,
    q1_hours: p.q1Hours,
    q3_hours: p.q3Hours,
    not_met: p.withoutDecision.count,
  }),
  'refractory-authorisation': (p) => ({
    n: p.n,
    breakdown: breakdown(p.categories),
  }),
  'infection-antimicrobials': (p) => ({
    n: p.n,
    met: p.met.count,
    share: p.share,
  }),
  'cns-dexamethasone': (p) => ({ n: p.n, met: p.met.count, share: p.share }),
  'first-targeted-therapy': (p) => ({
    n: p.n,
    median_hours: p.medianHours,
    q1_hours: p.q1Hours,
    q3_hours: p.q3Hours,
  }),
  outcomes: (p) => ({ n: p.n, breakdown: breakdown(p.categories) }),
  'protocol-versions': (p) => ({
    n: p.n,
    breakdown: breakdown(p.categories),
  }),
};

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: Cell): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function rowsOf<K extends IndicatorId>(
  indicator: IndicatorResult<K>,
): Measures[] {
  const measure = measures[indicator.id];
  return indicator.points.map((point) => ({
    indicator: indicator.id,
    statement: indicator.statement,
    label: indicator.label,
    month: point.month,
    ward: point.ward,
    ...measure(point),
    episode_ids: point.episodeIds.join(' '),
  }));
}

/** The indicators as one CSV text (CRLF line ends, header first). */
export function qualityIndicatorsCsv(result: QualityIndicators): string {
  const rows = indicatorIds.flatMap((id) => rowsOf(result.indicators[id]));
  return [
    columns.join(','),
    ...rows.map((row) =>
      columns.map((column) => csvField(row[column] ?? null)).join(','),
    ),
  ]
    .map((line) => `${line}\r\n`)
    .join('');
}
