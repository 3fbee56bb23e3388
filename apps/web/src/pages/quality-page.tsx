import { type JSX, useEffect, useId, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import { MAX_SIMULATED_RUNS } from '@mas/contracts';
import { findEvidence } from '@mas/protocol';

import type { ApiClient } from '../api/client.js';
import type { QualityReport, SimulatedQuality } from '../api/types.js';
import { hrefOf } from '../routes.js';
import {
  formatHours,
  formatShare,
  type Indicator,
  type IndicatorId,
  type IndicatorView,
  indicatorView,
  type PointRow,
  type QualityFilter,
  qualityQuery,
  simulatedRow,
  simulatedText,
} from './quality.model.js';

import './quality-page.css';

const CHART = { width: 480, height: 200 } as const;
const AXIS_TICK = { fontSize: 12, fill: '#24292f' };
const SERIES = '#0b4f8a';
const TARGET = '#a30000';

/** The point whose episodes are listed. */
interface Selection {
  readonly id: IndicatorId;
  readonly month: string;
  readonly ward: string | null;
}

const place = (row: { month: string; ward: string | null }) =>
  `${row.month}, ${row.ward ?? 'every ward'}`;

const episodes = (n: number, what = 'episode') =>
  `${String(n)} ${what}${n === 1 ? '' : 's'}`;

/** The month a click on a chart landed on. */
const monthOf = (state: { activeLabel?: unknown }): string | null =>
  typeof state.activeLabel === 'string' ? state.activeLabel : null;

function RunChart({
  indicator,
  view,
  onSelect,
}: {
  readonly indicator: Indicator;
  readonly view: IndicatorView;
  readonly onSelect: (month: string) => void;
}): JSX.Element {
  const captionId = useId();
  const data = view.rows
    .filter((r) => r.ward === null)
    .map((r) => ({ month: r.month, median: r.medianHours }));
  return (
    <figure className="quality-chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        Median hours per month
        {view.targetHours.length > 0
          ? `; the institution's limit: ${view.targetHours.map((h) => formatHours(h)).join(', ')}`
          : ''}{' '}
        (the table has every figure; choose a point to list its episodes)
      </figcaption>
      <LineChart
        {...CHART}
        data={data}
        margin={{ top: 12, right: 16, bottom: 4, left: 4 }}
        title={`Run chart of ${indicator.label}: median hours per month`}
        onClick={(state) => {
          const month = monthOf(state);
          if (month) onSelect(month);
        }}
      >
        <CartesianGrid stroke="#d0d7de" strokeDasharray="3 3" />
        <XAxis
          dataKey="month"
          tick={AXIS_TICK}
          padding={{ left: 16, right: 16 }}
        />
        <YAxis
          domain={[0, 'auto']}
          tick={AXIS_TICK}
          width={48}
          tickFormatter={(v: unknown) =>
            typeof v === 'number' ? `${String(v)} h` : ''
          }
        />
        <Tooltip
          formatter={(value: unknown) =>
            typeof value === 'number' ? formatHours(value) : '—'
          }
        />
        {view.targetHours.map((hours) => (
          <ReferenceLine
            key={hours}
            y={hours}
            ifOverflow="extendDomain"
            stroke={TARGET}
            strokeDasharray="6 3"
            label={{
              value: `limit ${formatHours(hours)}`,
              position: 'insideTopRight',
              fill: TARGET,
              fontSize: 12,
            }}
          />
        ))}
        <Line
          dataKey="median"
          name="Median"
          stroke={SERIES}
          strokeWidth={2}
          activeDot={{ r: 6 }}
          isAnimationActive={false}
        />
      </LineChart>
    </figure>
  );
}

function ShareChart({
  indicator,
  view,
  onSelect,
}: {
  readonly indicator: Indicator;
  readonly view: IndicatorView;
  readonly onSelect: (month: string) => void;
}): JSX.Element {
  const captionId = useId();
  const data = view.rows
    .filter((r) => r.ward === null)
    .map((r) => ({
      month: r.month,
      percent: r.share === null ? null : Math.round(r.share * 100),
    }));
  return (
    <figure className="quality-chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        Share {view.shareOf} per month (the table has every figure; choose a bar
        to list its episodes)
      </figcaption>
      <BarChart
        {...CHART}
        data={data}
        margin={{ top: 12, right: 16, bottom: 4, left: 4 }}
        title={`Bar chart of ${indicator.label}: share per month`}
        onClick={(state) => {
          const month = monthOf(state);
          if (month) onSelect(month);
        }}
      >
        <CartesianGrid stroke="#d0d7de" strokeDasharray="3 3" />
        <XAxis dataKey="month" tick={AXIS_TICK} />
        <YAxis
          domain={[0, 100]}
          tick={AXIS_TICK}
          width={48}
          tickFormatter={(v: unknown) =>
            typeof v === 'number' ? `${String(v)} %` : ''
          }
        />
        <Tooltip
          formatter={(value: unknown) =>
            typeof value === 'number' ? `${String(value)} %` : '—'
          }
        />
        <Bar
          dataKey="percent"
          name={`Share ${view.shareOf ?? ''}`}
          fill={SERIES}
          isAnimationActive={false}
        />
      </BarChart>
    </figure>
  );
}

function EpisodeList({
  indicator,
  row,
  patients,
}: {
  readonly indicator: Indicator;
  readonly row: PointRow;
  readonly patients: QualityReport['patients'];
}): JSX.Element {
  const headingId = useId();
  return (
    <section className="quality-episodes" aria-labelledby={headingId}>
      <h3 id={headingId} tabIndex={-1}>
        Episodes behind “{indicator.label}”, {place(row)}
      </h3>
      {row.episodeIds.length === 0 ? (
        <p>No episode.</p>
      ) : (
        <ul>
          {row.episodeIds.map((id) => (
            <li key={id}>
              <a href={hrefOf({ page: 'episode', id })}>{patients[id] ?? id}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function IndicatorSection({
  indicator,
  patients,
  selected,
  onSelect,
  simulated,
}: {
  readonly indicator: Indicator;
  readonly patients: QualityReport['patients'];
  readonly selected: Selection | null;
  readonly onSelect: (selection: Selection) => void;
  /** The same indicator over a simulated cohort (model output), if asked for. */
  readonly simulated?: {
    readonly indicator: Indicator;
    readonly label: string;
  };
}): JSX.Element {
  const headingId = useId();
  const view = indicatorView(indicator);
  const statement = findEvidence(indicator.statement);
  const durations = view.shape === 'durations';
  // A chart only where a month has a figure to draw.
  const drawn = view.rows.some(
    (r) => r.ward === null && (r.medianHours ?? r.share) !== null,
  );
  const chosen =
    selected?.id === indicator.id
      ? view.rows.find(
          (r) => r.month === selected.month && r.ward === selected.ward,
        )
      : undefined;
  const select = (month: string, ward: string | null = null) => {
    onSelect({ id: indicator.id, month, ward });
  };
  return (
    <section className="quality-indicator" aria-labelledby={headingId}>
      <h2 id={headingId}>{indicator.label}</h2>
      <p className="quality-statement">
        Follows <code>{indicator.statement}</code>
        {statement ? `: “${statement.text}”` : ''}
      </p>
      {simulated ? (
        <SimulatedLine
          row={simulatedRow(simulated.indicator)}
          shareOf={view.shareOf}
          label={simulated.label}
        />
      ) : null}
      {view.rows.length === 0 ? (
        <p>No episode in the months chosen.</p>
      ) : (
        <>
          {drawn && durations ? (
            <RunChart indicator={indicator} view={view} onSelect={select} />
          ) : null}
          {drawn && view.shape === 'shares' ? (
            <ShareChart indicator={indicator} view={view} onSelect={select} />
          ) : null}
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">
                {indicator.label} by month and ward
              </caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Ward</th>
                  <th scope="col">n</th>
                  {durations ? (
                    <>
                      <th scope="col">Median</th>
                      <th scope="col">Interquartile range</th>
                    </>
                  ) : null}
                  {view.shareOf === null ? null : (
                    <th scope="col">Share {view.shareOf}</th>
                  )}
                  <th scope="col">Counted</th>
                  <th scope="col">Episodes</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.map((row) => (
                  <tr key={`${row.month}-${row.ward ?? ''}`}>
                    <th scope="row">{row.month}</th>
                    <td>{row.ward ?? 'every ward'}</td>
                    <td>{row.n}</td>
                    {durations ? (
                      <>
                        <td>{formatHours(row.medianHours)}</td>
                        <td>
                          {row.q1Hours === null
                            ? '—'
                            : `${formatHours(row.q1Hours)} – ${formatHours(row.q3Hours)}`}
                        </td>
                      </>
                    ) : null}
                    {view.shareOf === null ? null : (
                      <td>{formatShare(row.share)}</td>
                    )}
                    <td>{row.detail}</td>
                    <td>
                      {row.episodeIds.length === 0 ? (
                        'none'
                      ) : (
                        <button
                          type="button"
                          className="link"
                          aria-label={`List the ${episodes(row.episodeIds.length)} of ${place(row)}`}
                          aria-expanded={chosen === row}
                          onClick={() => select(row.month, row.ward)}
                        >
                          {episodes(row.episodeIds.length)}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {chosen ? (
            <EpisodeList
              indicator={indicator}
              row={chosen}
              patients={patients}
            />
          ) : null}
        </>
      )}
    </section>
  );
}

/** The simulated cohort's figures of one indicator, labelled model output. */
function SimulatedLine({
  row,
  shareOf,
  label,
}: {
  readonly row: PointRow | null;
  readonly shareOf: string | null;
  readonly label: string;
}): JSX.Element {
  return (
    <p className="quality-simulated">
      <span className="badge info">MODEL OUTPUT</span> {label}:{' '}
      {row === null ? 'no course counted' : simulatedText(row, shareOf)}
    </p>
  );
}

/**
 * Asks for a simulated cohort (a policy of the simulator, courses per
 * scenario, a seed) and says what came back, labelled model output.
 */
function SimulatedCohortPanel({
  api,
  result,
  onResult,
}: {
  readonly api: ApiClient;
  readonly result: SimulatedQuality | null;
  readonly onResult: (result: SimulatedQuality | null) => void;
}): JSX.Element {
  const [policy, setPolicy] = useState('protocol');
  const [runs, setRuns] = useState('5');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setBusy(true);
    setError(null);
    const query = new URLSearchParams({ policy, runs, seed: '1' });
    api
      .request<SimulatedQuality>(
        'GET',
        `/api/analytics/simulated?${query.toString()}`,
      )
      .then(
        (answer) => {
          onResult(answer);
        },
        (e: unknown) => {
          setError(e instanceof Error ? e.message : String(e));
        },
      )
      .finally(() => {
        setBusy(false);
      });
  };
  return (
    <section
      className="quality-simulated-panel"
      aria-labelledby="simulated-title"
    >
      <h2 id="simulated-title">Beside a simulated cohort (model output)</h2>
      <p>
        What a policy of the simulator would have achieved on its virtual
        patients (every scenario), computed as the real indicators are. Model
        output for teaching and for studying the protocol: never evidence, never
        a prediction for a real patient.
      </p>
      <div className="filters" role="group" aria-label="Simulated cohort">
        <label>
          Policy{' '}
          <select value={policy} onChange={(e) => setPolicy(e.target.value)}>
            {(
              result?.policies ?? [
                { id: 'protocol', description: "the protocol's next step" },
              ]
            ).map((p) => (
              <option key={p.id} value={p.id}>
                {p.description}
              </option>
            ))}
          </select>
        </label>
        <label>
          Courses per scenario{' '}
          <input
            type="number"
            min={1}
            max={MAX_SIMULATED_RUNS}
            value={runs}
            onChange={(e) => setRuns(e.target.value)}
          />
        </label>
        <button type="button" onClick={run} disabled={busy}>
          {busy ? 'Simulating…' : 'Simulate and compare'}
        </button>
        {result ? (
          <button type="button" onClick={() => onResult(null)}>
            Hide the simulated cohort
          </button>
        ) : null}
      </div>
      {error ? <p role="alert">{error}</p> : null}
      {result ? (
        <p role="status">
          {result.notice} {simulatedLabel(result)}: {String(result.episodes)}{' '}
          courses counted.
        </p>
      ) : null}
    </section>
  );
}

/** Which simulated cohort, in words. */
function simulatedLabel(result: SimulatedQuality): string {
  const policy =
    result.policies.find((p) => p.id === result.policy)?.description ??
    result.policy;
  return `simulated, ${policy}, ${String(result.runs)} per scenario, model ${result.model.id} ${result.model.version}`;
}

export interface QualityPageProps {
  readonly api: ApiClient;
}

/**
 * The quality indicators of real episodes, per month of suspicion and ward:
 * a run chart of monthly medians (with the institution's limit where the
 * indicator has one) or a bar per month for shares, every figure in a
 * table, the episodes behind each point, and the same figures as CSV.
 */
export function QualityPage({ api }: QualityPageProps): JSX.Element {
  const [filter, setFilter] = useState<QualityFilter>({
    from: '',
    to: '',
    version: '',
  });
  const [report, setReport] = useState<QualityReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Selection | null>(null);
  const [simulated, setSimulated] = useState<SimulatedQuality | null>(null);
  const path = qualityQuery(filter);
  useEffect(() => {
    let live = true;
    api.request<QualityReport>('GET', path).then(
      (answer) => {
        if (!live) return;
        setReport(answer);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api, path]);
  const change = (next: Partial<QualityFilter>) => {
    setFilter({ ...filter, ...next });
    setSelected(null);
  };
  const leftOut = (reason: QualityReport['skipped'][number]['reason']) =>
    report?.skipped.filter((s) => s.reason === reason).length ?? 0;
  return (
    <section aria-labelledby="quality-page-title" className="quality">
      <h1 id="quality-page-title">Quality indicators</h1>
      <p>
        Real episodes only (training left out), by month of suspicion (UTC) and
        ward, each replayed from its audit. Hours from the moment of suspicion;
        median and interquartile range. For audit and improvement, not for the
        care of a patient.
      </p>
      <div className="filters" role="group" aria-label="Filter indicators">
        <label>
          From month{' '}
          <input
            type="month"
            value={filter.from}
            onChange={(e) => change({ from: e.target.value })}
          />
        </label>
        <label>
          To month{' '}
          <input
            type="month"
            value={filter.to}
            onChange={(e) => change({ to: e.target.value })}
          />
        </label>
        <label>
          Protocol version{' '}
          <select
            value={filter.version}
            onChange={(e) => change({ version: e.target.value })}
          >
            <option value="">every version</option>
            {(report?.versions ?? []).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <a href={qualityQuery(filter, true)} download="quality-indicators.csv">
          Download CSV
        </a>
      </div>
      {error ? <p role="alert">{error}</p> : null}
      {report === null && error === null ? <p role="status">Loading…</p> : null}
      {report ? (
        <>
          <p role="status">
            {episodes(report.episodes, 'real episode')} counted.
            {leftOut('no-suspicion') > 0
              ? ` Left out: ${episodes(leftOut('no-suspicion'))} without a suspicion of MAS recorded.`
              : ''}
            {leftOut('not-replayable') > 0
              ? ` Not counted: ${episodes(leftOut('not-replayable'))} whose audit does not replay.`
              : ''}
          </p>
          <SimulatedCohortPanel
            api={api}
            result={simulated}
            onResult={setSimulated}
          />
          {Object.values(report.indicators).map((indicator) => (
            <IndicatorSection
              key={indicator.id}
              indicator={indicator}
              patients={report.patients}
              selected={selected}
              onSelect={setSelected}
              {...(simulated
                ? {
                    simulated: {
                      indicator: simulated.indicators[indicator.id],
                      label: simulatedLabel(simulated),
                    },
                  }
                : {})}
            />
          ))}
        </>
      ) : null}
    </section>
  );
}
