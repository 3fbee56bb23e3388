import { type JSX, useId, useMemo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import {
  type CriterionResult,
  findEvidence,
  type LabPanelInput,
  type LabPicture,
  masProtocol,
  panelItemLabel,
} from '@mas/protocol';

import {
  type CalculatorView,
  calculatorViews,
  criterionPoints,
  criterionValue,
  displayUnit,
  formatNumber,
  formatQuantity,
  formatSampleTime,
  type LabSeries,
  labSeries,
  prettify,
  readPanels,
  screenEpisodePicture,
  screenLatest,
  SOURCE_NAMES,
  statusText,
  type ThresholdSource,
} from './labs.model.js';

import './labs-panel.css';

export interface LabsPanelProps {
  /** Every panel recorded in the episode, oldest first (from labs.recorded and reassessment.recorded events). */
  readonly panels: readonly {
    readonly at: string;
    readonly panel: LabPanelInput;
  }[];
  /**
   * The episode's lab picture (the latest value of each item, with its
   * sample) and the time to read it at: the calculators run on it. Without
   * one they run on the latest panel alone.
   */
  readonly picture?: { readonly picture: LabPicture; readonly at: string };
  /** Whether tocilizumab was given (it masks fever/CRP; the screening functions take it). */
  readonly tocilizumabGiven: boolean;
  /**
   * The underlying disease recorded at admission: with a Still's disease a
   * panel that leaves "known or suspected sJIA" open reads it as known.
   */
  readonly underlyingDisease?: string;
  /** Width of each trend chart in pixels (charts have a fixed size). */
  readonly chartWidth?: number;
  /** Height of each trend chart in pixels. */
  readonly chartHeight?: number;
  /** The protocol version the episode runs under (default: the deployed one this build ships). */
  readonly protocolVersion?: string;
}

const DEFAULT_CHART_WIDTH = 340;
const DEFAULT_CHART_HEIGHT = 200;

/** Line colours (all at least 4.5:1 on white) and dash patterns per source. */
const SOURCE_STYLE: Readonly<
  Record<ThresholdSource, { readonly stroke: string; readonly dash: string }>
> = {
  mas2016: { stroke: '#a4161a', dash: '6 3' },
  hlh2004: { stroke: '#5a189a', dash: '2 2' },
  hscore: { stroke: '#7a4b00', dash: '8 3 2 3' },
};
const SERIES_STROKE = '#1d3557';
const GRID_STROKE = '#d0d7de';
const AXIS_FONT_SIZE = 11;
const LABEL_FONT_SIZE = 10;

const LABEL_POSITIONS = ['insideTopRight', 'insideBottomLeft'] as const;

function unitSuffix(unit: string): string {
  const shown = displayUnit(unit);
  return shown === '' ? '' : ` (${shown})`;
}

/** "03-01 08:30": a compact UTC tick for the time axis. */
function formatTick(time: unknown): string {
  if (typeof time !== 'number') return '';
  const iso = new Date(time).toISOString();
  return iso
    .slice(iso.indexOf('-') + 1, iso.lastIndexOf(':'))
    .replace('T', ' ');
}

function EvidenceIds({
  ids,
}: {
  readonly ids: readonly string[];
}): JSX.Element {
  return (
    <ul className="labs-evidence">
      {ids.map((id) => {
        const entry = findEvidence(id);
        return (
          <li key={id}>
            <code
              title={
                entry === undefined
                  ? undefined
                  : 'citation' in entry
                    ? `${entry.citation}: ${entry.text}`
                    : entry.text
              }
            >
              {id}
            </code>
          </li>
        );
      })}
    </ul>
  );
}

function TrendChart({
  series,
  width,
  height,
}: {
  readonly series: LabSeries;
  readonly width: number;
  readonly height: number;
}): JSX.Element {
  const captionId = useId();
  const unit = unitSuffix(series.unit);
  const data = series.points.map((p) => ({ time: p.time, value: p.value }));
  return (
    <figure className="labs-chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        {series.label}
        {unit}
      </figcaption>
      <LineChart
        width={width}
        height={height}
        data={data}
        margin={{ top: 12, right: 12, bottom: 4, left: 4 }}
        title={`Trend of ${series.label}${unit} over time (local time); the values are in the table below`}
      >
        <CartesianGrid stroke={GRID_STROKE} strokeDasharray="3 3" />
        <XAxis
          dataKey="time"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          padding={{ left: 16, right: 16 }}
          tickFormatter={formatTick}
          tick={{ fontSize: AXIS_FONT_SIZE, fill: '#24292f' }}
        />
        <YAxis
          // Around the values and thresholds, not from zero: a temperature
          // of 38-40 °C on an axis from 0 is a flat line.
          domain={['auto', 'auto']}
          tickFormatter={(v: unknown) =>
            typeof v === 'number' ? formatNumber(v) : ''
          }
          tick={{ fontSize: AXIS_FONT_SIZE, fill: '#24292f' }}
          width={56}
        />
        <Tooltip
          labelFormatter={(label: unknown) =>
            typeof label === 'number' ? formatSampleTime(label) : ''
          }
          formatter={(value: unknown) =>
            typeof value === 'number'
              ? formatQuantity(value, series.unit)
              : String(value)
          }
        />
        {series.thresholds.map((t, index) => (
          <ReferenceLine
            key={t.label}
            y={t.value}
            ifOverflow="extendDomain"
            stroke={SOURCE_STYLE[t.source].stroke}
            strokeDasharray={SOURCE_STYLE[t.source].dash}
            // Two lines are named on the chart (one above its line on the
            // right, the other below on the left: never over each other);
            // more are named by the key below, their styles told apart.
            {...(series.thresholds.length <= LABEL_POSITIONS.length
              ? {
                  label: {
                    value: t.shortLabel,
                    position: LABEL_POSITIONS[index % LABEL_POSITIONS.length],
                    fill: SOURCE_STYLE[t.source].stroke,
                    fontSize: LABEL_FONT_SIZE,
                  },
                }
              : {})}
          />
        ))}
        <Line
          dataKey="value"
          name={series.label}
          type="linear"
          stroke={SERIES_STROKE}
          strokeWidth={2}
          isAnimationActive={false}
        />
      </LineChart>
      {series.thresholds.length > 0 ? (
        <ul className="labs-chart__key" aria-label="Threshold lines">
          {series.thresholds.map((t) => (
            <li key={t.label} data-source={t.source}>
              <svg width="24" height="8" aria-hidden="true">
                <line
                  x1="0"
                  y1="4"
                  x2="24"
                  y2="4"
                  stroke={SOURCE_STYLE[t.source].stroke}
                  strokeWidth="2"
                  strokeDasharray={SOURCE_STYLE[t.source].dash}
                />
              </svg>{' '}
              <span>{t.label}</span>{' '}
              <span className="labs-chart__evidence">
                [{t.evidence.join(', ')}]
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <table className="labs-chart__table">
        <caption>
          Values of {series.label}
          {unit}
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Value{unit}</th>
            <th scope="col">As recorded</th>
          </tr>
        </thead>
        <tbody>
          {series.points.map((p) => (
            <tr key={`${p.at}-${p.time}`}>
              <th scope="row">{formatSampleTime(p.time)}</th>
              <td>{formatNumber(p.value)}</td>
              <td>{formatQuantity(p.recorded.value, p.recorded.unit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function criterionNote(
  criterion: CriterionResult,
  calculatorEvidence: readonly string[],
): string {
  const extra = criterion.evidence.filter(
    (id) => !calculatorEvidence.includes(id),
  );
  const missing =
    criterion.status === 'not-assessed' && criterion.missing
      ? `Not assessed: ${criterion.missing.join(', ')}`
      : '';
  return [
    criterion.note === undefined || criterion.note === 'not assessed'
      ? ''
      : prettify(criterion.note),
    missing,
    extra.length > 0 ? `Evidence: ${extra.join(', ')}` : '',
  ]
    .filter((s) => s !== '')
    .join('. ');
}

function CalculatorCard({
  view,
}: {
  readonly view: CalculatorView;
}): JSX.Element {
  const headingId = useId();
  const withPoints = view.criteria.some((c) => c.points !== undefined);
  return (
    <article
      className="labs-calculator"
      aria-labelledby={headingId}
      data-calculator={view.id}
      data-outcome={view.outcome}
    >
      <h4 id={headingId}>{view.title}</h4>
      {view.computed ? (
        <>
          <p
            className={`labs-calculator__result${view.outcome === 'undecided' ? ' labs-calculator__result--undecided' : ''}`}
          >
            <strong>{view.result}</strong>
          </p>
          {view.details.length > 0 ? (
            <ul className="labs-calculator__details">
              {view.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          ) : null}
          <table className="labs-calculator__criteria">
            <caption>Criteria of the {view.title}</caption>
            <thead>
              <tr>
                <th scope="col">Criterion</th>
                <th scope="col">Status</th>
                <th scope="col">Value</th>
                <th scope="col">Threshold</th>
                {withPoints ? <th scope="col">Points</th> : null}
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {view.criteria.map((c) => (
                <tr key={c.id} data-criterion={c.id} data-status={c.status}>
                  <th scope="row">{prettify(c.label)}</th>
                  <td className={`labs-status labs-status--${c.status}`}>
                    {statusText(c.status)}
                  </td>
                  <td>{criterionValue(c)}</td>
                  <td>{prettify(c.rule)}</td>
                  {withPoints ? <td>{criterionPoints(c)}</td> : null}
                  <td>{criterionNote(c, view.evidence)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="labs-calculator__not-computed">
          <strong>Not computed</strong>: {view.notComputedReason}
        </p>
      )}
      <div className="labs-calculator__evidence">
        Evidence: <EvidenceIds ids={view.evidence} />
      </div>
    </article>
  );
}

function PictureTable({
  items,
  excluded,
  windowHours,
}: {
  readonly items: readonly {
    readonly item: string;
    readonly label: string;
    readonly value: string;
    readonly collectedAt: string;
  }[];
  readonly excluded: readonly {
    readonly item: Parameters<typeof panelItemLabel>[0];
    readonly collectedAt: string;
    readonly reason: string;
  }[];
  readonly windowHours: number;
}): JSX.Element {
  return (
    <details className="labs-picture">
      <summary>
        Values the calculators used ({items.length}), each with its sample time
      </summary>
      <table>
        <caption className="visually-hidden">
          The lab picture: each item with its sample time
        </caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Value</th>
            <th scope="col">Sample drawn</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.item} data-item={i.item}>
              <th scope="row">{i.label}</th>
              <td>{prettify(i.value)}</td>
              <td>{formatSampleTime(Date.parse(i.collectedAt))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {excluded.length > 0 ? (
        <p>
          Not assessed now (older than {windowHours} h, or drawn later):{' '}
          {excluded
            .map(
              (e) =>
                `${panelItemLabel(e.item)} (${formatSampleTime(Date.parse(e.collectedAt))})`,
            )
            .join(', ')}
          .
        </p>
      ) : null}
    </details>
  );
}

/**
 * The labs of an episode: a trend chart per analyte in its canonical unit,
 * with the protocol's thresholds, and the calculators on the episode's lab
 * picture (or, without one, the latest panel), items not assessed shown as
 * such.
 */
export function LabsPanel({
  panels,
  tocilizumabGiven,
  underlyingDisease,
  picture,
  chartWidth = DEFAULT_CHART_WIDTH,
  chartHeight = DEFAULT_CHART_HEIGHT,
  protocolVersion = masProtocol.version,
}: LabsPanelProps): JSX.Element {
  const trendsId = useId();
  const calculatorsId = useId();
  const { rejected } = useMemo(() => readPanels(panels), [panels]);
  const series = useMemo(() => labSeries(panels), [panels]);
  const latest = useMemo(
    () =>
      picture
        ? screenEpisodePicture(
            picture.picture,
            picture.at,
            tocilizumabGiven,
            underlyingDisease,
          )
        : screenLatest(panels, tocilizumabGiven, underlyingDisease),
    [panels, picture, tocilizumabGiven, underlyingDisease],
  );

  if (panels.length === 0) {
    return (
      <div className="labs-panel">
        <p className="labs-panel__empty">No labs recorded yet</p>
      </div>
    );
  }

  return (
    <div className="labs-panel">
      {rejected.length > 0 ? (
        <div className="labs-panel__rejected" role="alert">
          <p>
            <strong>
              {rejected.length === 1
                ? '1 panel could not be read'
                : `${rejected.length} panels could not be read`}
            </strong>{' '}
            (left out of the trends):
          </p>
          <ul>
            {rejected.map((r) => (
              <li key={`${r.at}-${r.reason}`}>
                {r.at}: {prettify(r.reason)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <section aria-labelledby={trendsId}>
        <h3 id={trendsId}>Lab trends</h3>
        <p className="labs-panel__legend">
          Times are local, with their zone. Each analyte is shown in one unit;
          values recorded in another unit are converted with the protocol
          library (UCUM). Dashed lines are the protocol&apos;s thresholds:{' '}
          {(Object.keys(SOURCE_NAMES) as ThresholdSource[]).map((s, i) => (
            <span key={s} style={{ color: SOURCE_STYLE[s].stroke }}>
              {i > 0 ? ', ' : ''}
              {SOURCE_NAMES[s]}
            </span>
          ))}
          .
        </p>
        {series.length === 0 ? (
          <p>No readable lab values.</p>
        ) : (
          <div className="labs-panel__charts">
            {series.map((s) => (
              <TrendChart
                key={s.analyte}
                series={s}
                width={chartWidth}
                height={chartHeight}
              />
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby={calculatorsId}>
        <h3 id={calculatorsId}>Calculators</h3>
        <p className="labs-panel__support">
          <strong>Decision support only</strong>: these results are computed by{' '}
          {masProtocol.id} {protocolVersion} from{' '}
          {latest.kind === 'picture'
            ? 'the latest value of each item (each from its own sample)'
            : 'the latest panel'}{' '}
          and do not replace clinical judgement. An item not assessed is never
          counted as absent: a result it could change says so.
        </p>
        {tocilizumabGiven ? (
          <p className="labs-panel__tocilizumab">
            Tocilizumab was given: it masks fever and CRP, and the calculators
            are told so.
          </p>
        ) : null}
        {latest.kind === 'none' ? (
          <p>No readable panel to compute from.</p>
        ) : latest.kind === 'rejected' ? (
          <p className="labs-calculator__not-computed">
            <strong>Not computed</strong>: the latest panel ({latest.at}) could
            not be read: {prettify(latest.reason)}
          </p>
        ) : (
          <>
            <p>
              {latest.kind === 'picture' ? 'Lab picture at' : 'Latest panel'}:{' '}
              <time dateTime={latest.at}>{formatSampleTime(latest.time)}</time>.{' '}
              {latest.screen.reasons.length > 0
                ? `${latest.screen.suggestive ? 'Points to MAS' : 'Findings'}: ${latest.screen.reasons.map(prettify).join('; ')}.`
                : 'No calculator points to MAS on these values.'}
            </p>
            {latest.kind === 'picture' ? (
              <PictureTable
                items={latest.items}
                excluded={latest.excluded}
                windowHours={latest.windowHours}
              />
            ) : null}
            <div className="labs-panel__calculators">
              {calculatorViews(latest.screen).map((view) => (
                <CalculatorCard key={view.id} view={view} />
              ))}
            </div>
          </>
        )}
      </section>
    </div>
  );
}
