import { useState } from 'react';

import {
  type LabPanelInput,
  masProtocol,
  panelItemLabel,
  unitLabel,
} from '@mas/protocol';

import type { ApiClient } from '../api/client.js';
import { formatTime } from '../episode/clinical-time.model.js';
import type { TrainingDebrief, TrainingState } from './training.api.js';

/** Steps of the virtual clock: a few hours, and the protocol's reassessment interval (once and twice). */
const interval = masProtocol.definition.dueTimes.reassessment.intervalHours;
const steps = [interval / 3, interval, 2 * interval];

const keyAnalytes = [
  'ferritin',
  'platelets',
  'fibrinogen',
  'ast',
  'triglycerides',
  'neutrophils',
  'crp',
  'sCD25',
] as const;

export interface TrainingPanelProps {
  readonly api: ApiClient;
  readonly state: TrainingState;
  readonly onAdvanced: () => void;
  readonly onUseLabs: (panel: LabPanelInput) => void;
}

/** A result: what it found, "negative", or pending until its hour. */
function resultText(
  found: string | null,
  expectedAt: number,
  hours: number,
): string {
  if (found !== null) return found;
  return hours >= expectedAt ? 'negative' : `pending until hour ${expectedAt}`;
}

/** The virtual clock, the labs the virtual patient produces, the debrief. */
export function TrainingPanel({
  api,
  state,
  onAdvanced,
  onUseLabs,
}: TrainingPanelProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [debrief, setDebrief] = useState<TrainingDebrief | null>(null);
  const advance = (hours: number) => {
    setBusy(true);
    setError(null);
    api
      .request('POST', `/api/training/episodes/${state.episodeId}/advance`, {
        hours,
      })
      .then(
        () => {
          setBusy(false);
          setDebrief(null);
          onAdvanced();
        },
        (e: unknown) => {
          setBusy(false);
          setError(e instanceof Error ? e.message : String(e));
        },
      );
  };
  const showDebrief = () => {
    api
      .request<TrainingDebrief>(
        'GET',
        `/api/training/episodes/${state.episodeId}/debrief`,
      )
      .then(setDebrief, (e: unknown) =>
        setError(e instanceof Error ? e.message : String(e)),
      );
  };
  return (
    <section className="training" aria-labelledby="training-title">
      <h2 id="training-title">Training: {state.scenario.title}</h2>
      <p className="notice training" role="note">
        Simulated patient — MODEL OUTPUT, never evidence. {state.notice}
      </p>
      <p>
        <strong>Virtual time:</strong> hour {state.virtualHours} (
        {formatTime(state.virtualNow)}) · seed {state.seed} ·{' '}
        {state.alive ? (
          state.needsOrganSupport ? (
            <strong className="badge critical">needs organ support</strong>
          ) : (
            'alive'
          )
        ) : (
          <strong className="badge critical">the patient died</strong>
        )}
      </p>
      <div className="form-buttons">
        {steps.map((hours) => (
          <button
            key={hours}
            type="button"
            disabled={busy || !state.alive}
            onClick={() => advance(hours)}
          >
            +{hours} h
          </button>
        ))}{' '}
        <button type="button" onClick={showDebrief}>
          Debrief
        </button>
      </div>
      {error ? <p role="alert">{error}</p> : null}
      <h3>Results</h3>
      <ul>
        <li>
          Infection work-up:{' '}
          {resultText(
            state.results.infection ? 'bacterial infection found' : null,
            state.resultsAt.infection,
            state.virtualHours,
          )}
        </li>
        <li>
          EBV PCR:{' '}
          {resultText(
            state.results.ebv ? `positive (${state.results.ebv} cells)` : null,
            state.resultsAt.ebv,
            state.virtualHours,
          )}
        </li>
        <li>
          Malignancy work-up:{' '}
          {resultText(
            state.results.malignancy ? 'lymphoma found' : null,
            state.resultsAt.malignancy,
            state.virtualHours,
          )}
        </li>
      </ul>
      <h3>Labs drawn now</h3>
      <table className="compact">
        <caption className="visually-hidden">
          Labs of the virtual patient at hour {state.virtualHours}
        </caption>
        <tbody>
          <tr>
            <th scope="row">Temperature</th>
            <td>{state.labs.temperatureC ?? '—'} °C</td>
          </tr>
          {keyAnalytes.map((id) => {
            const q = state.labs[id];
            return q ? (
              <tr key={id}>
                <th scope="row">{panelItemLabel(id)}</th>
                <td>
                  {q.value} {unitLabel(q.unit)}
                </td>
              </tr>
            ) : null;
          })}
        </tbody>
      </table>
      <button type="button" onClick={() => onUseLabs(state.labs)}>
        Record these labs
      </button>
      {debrief ? <DebriefView debrief={debrief} /> : null}
    </section>
  );
}

function DebriefView({ debrief }: { debrief: TrainingDebrief }) {
  const rows = debrief.trainee.items.map((item) => ({
    item,
    reference: debrief.protocolPolicy.items.find((r) => r.rule === item.rule),
  }));
  const points = (earned: number | null, of: number) =>
    earned === null ? 'n/a' : `${earned}/${of}`;
  return (
    <section aria-labelledby="debrief-title" className="debrief">
      <h3 id="debrief-title">
        Debrief: {debrief.trainee.score}/{debrief.trainee.max} (protocol policy,
        same seed: {debrief.protocolPolicy.score}/{debrief.protocolPolicy.max})
      </h3>
      <p className="hint">
        {debrief.notice} The protocol policy&apos;s course: outcome{' '}
        {debrief.protocolPolicy.outcome} after{' '}
        {debrief.protocolPolicy.hoursSimulated} h; first glucocorticoid at{' '}
        {debrief.protocolPolicy.hoursToFirstGlucocorticoid ?? '—'} h (yours:{' '}
        {debrief.trainee.hoursToFirstGlucocorticoid ?? '—'} h).
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Point</th>
            <th scope="col">You</th>
            <th scope="col">Protocol policy</th>
            <th scope="col">Why</th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ item, reference }) => (
            <tr key={item.rule}>
              <td>{item.label}</td>
              <td>{points(item.earned, item.points)}</td>
              <td>
                {reference ? points(reference.earned, reference.points) : '—'}
              </td>
              <td>{item.detail}</td>
              <td>{item.evidence.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
