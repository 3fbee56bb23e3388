/**
 * The Quality page's reading of the report (GET /api/analytics): each
 * indicator as rows of the same columns (n, median, quartiles, share, what
 * was counted) and how it is drawn. No figure is computed here: every number
 * is the service's.
 */
import type { QualityReport } from '../api/types.js';

export type Indicators = QualityReport['indicators'];
export type IndicatorId = keyof Indicators;
export type Indicator = Indicators[IndicatorId];

/** Durations: a run chart of monthly medians; shares: a bar per month; categories: counts. */
export type IndicatorShape = 'durations' | 'shares' | 'categories';

export interface PointRow {
  readonly month: string;
  /** Null: every ward. */
  readonly ward: string | null;
  readonly n: number;
  readonly medianHours: number | null;
  readonly q1Hours: number | null;
  readonly q3Hours: number | null;
  readonly share: number | null;
  /** What was counted, in words. */
  readonly detail: string;
  readonly episodeIds: readonly string[];
}

export interface IndicatorView {
  readonly shape: IndicatorShape;
  /** What the share is of (null: the indicator has none). */
  readonly shareOf: string | null;
  /** The institution profile's limits, drawn on the run chart. */
  readonly targetHours: readonly number[];
  readonly rows: readonly PointRow[];
}

/** The screen's filter (an empty field: no filter). */
export interface QualityFilter {
  readonly from: string;
  readonly to: string;
  readonly version: string;
}

/** The filter as the service's query (the CSV link carries the same). */
export function qualityQuery(filter: QualityFilter, csv = false): string {
  const query = new URLSearchParams();
  for (const key of ['from', 'to', 'version'] as const) {
    if (filter[key] !== '') query.set(key, filter[key]);
  }
  if (csv) query.set('format', 'csv');
  const text = query.toString();
  return text === '' ? '/api/analytics' : `/api/analytics?${text}`;
}

export function formatHours(hours: number | null): string {
  return hours === null ? '—' : `${String(Number(hours.toFixed(1)))} h`;
}

export function formatShare(share: number | null): string {
  return share === null ? '—' : `${String(Math.round(share * 100))} %`;
}

const noSummary = {
  medianHours: null,
  q1Hours: null,
  q3Hours: null,
  share: null,
};

const place = (p: {
  month: string;
  ward: string | null;
  episodeIds: readonly string[];
}) => ({ month: p.month, ward: p.ward, episodeIds: p.episodeIds });

const summary = (p: {
  n: number;
  medianHours: number | null;
  q1Hours: number | null;
  q3Hours: number | null;
}) => ({
  n: p.n,
  medianHours: p.medianHours,
  q1Hours: p.q1Hours,
  q3Hours: p.q3Hours,
});

const breakdown = (
  categories: readonly { label: string; count: number }[],
): string =>
  categories
    .filter((c) => c.count > 0)
    .map((c) => `${c.label}: ${String(c.count)}`)
    .join('; ');

/** A duration indicator with no institutional limit to draw. */
function durationsWithoutTarget<
  P extends Parameters<typeof place>[0] & Parameters<typeof summary>[0],
>(points: readonly P[], detail: (point: P) => string): IndicatorView {
  return {
    shape: 'durations',
    shareOf: null,
    targetHours: [],
    rows: points.map((p) => ({
      ...place(p),
      ...summary(p),
      share: null,
      detail: detail(p),
    })),
  };
}

/** How one indicator reads on the page. */
export function indicatorView(indicator: Indicator): IndicatorView {
  switch (indicator.id) {
    case 'suspicion-to-glucocorticoid':
      return {
        shape: 'durations',
        shareOf: 'within the limit',
        targetHours: [
          ...new Set(
            indicator.points.flatMap((p) => p.withinTarget.targetHours),
          ),
        ].sort((a, b) => a - b),
        rows: indicator.points.map((p) => ({
          ...place(p),
          ...summary(p),
          share: p.withinTarget.share,
          detail: `${String(p.withinTarget.count)} within the limit; ${String(p.notStarted.count)} without a glucocorticoid recorded${p.excludedBeforeStart.count > 0 ? `; ${String(p.excludedBeforeStart.count)} with MAS excluded before any (none was due)` : ''}`,
        })),
      };
    case 'escalation-decision':
      return durationsWithoutTarget(
        indicator.points,
        (p) =>
          `${String(p.withoutDecision.count)} without a decision while warranted`,
      );
    case 'first-targeted-therapy':
      return durationsWithoutTarget(indicator.points, () => '');
    case 'reassessment-on-time':
      return {
        shape: 'shares',
        shareOf: 'on time',
        targetHours: [],
        rows: indicator.points.map((p) => ({
          ...place(p),
          ...noSummary,
          n: p.intervals,
          share: p.share,
          detail: `${String(p.onTime.count)} on time, ${String(p.late.count)} late (${formatHours(p.overdueHours)} overdue in all)`,
        })),
      };
    case 'infection-antimicrobials':
    case 'cns-dexamethasone':
      return {
        shape: 'shares',
        shareOf:
          indicator.id === 'cns-dexamethasone' ? 'considered' : 'covered',
        targetHours: [],
        rows: indicator.points.map((p) => ({
          ...place(p),
          ...noSummary,
          n: p.n,
          share: p.share,
          detail: `${String(p.met.count)} of ${String(p.n)}`,
        })),
      };
    case 'refractory-authorisation':
    case 'outcomes':
    case 'protocol-versions':
      return {
        shape: 'categories',
        shareOf: null,
        targetHours: [],
        rows: indicator.points.map((p) => ({
          ...place(p),
          ...noSummary,
          n: p.n,
          detail: breakdown(p.categories),
        })),
      };
  }
}

/**
 * The simulated cohort's figures of an indicator, for the line beside the
 * real ones: its every-ward row (a simulated cohort has one month).
 */
export function simulatedRow(
  indicator: Indicator | undefined,
): PointRow | null {
  if (indicator === undefined) return null;
  return indicatorView(indicator).rows.find((r) => r.ward === null) ?? null;
}

/** The simulated figures of a row in words: n, median and IQR, share. */
export function simulatedText(row: PointRow, shareOf: string | null): string {
  const parts = [`n ${String(row.n)}`];
  if (row.medianHours !== null) {
    parts.push(
      `median ${formatHours(row.medianHours)}` +
        (row.q1Hours === null
          ? ''
          : ` (IQR ${formatHours(row.q1Hours)} – ${formatHours(row.q3Hours)})`),
    );
  }
  if (shareOf !== null && row.share !== null) {
    parts.push(`${formatShare(row.share)} ${shareOf}`);
  }
  if (row.detail !== '') parts.push(row.detail);
  return parts.join('; ');
}
