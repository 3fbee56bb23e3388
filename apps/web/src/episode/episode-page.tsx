import { useActorRef, useMachine, useSelector } from '@xstate/react';
import { useEffect, useMemo, useState } from 'react';

import type { EpisodeActor } from '@mas/contracts';
import {
  type EventOption,
  explainSnapshot,
  masEpisodeMachine,
  recommendNextSteps,
} from '@mas/mas-episode';
import {
  alertLabel,
  clinicalUnits,
  eventLabelOf,
  type InstitutionProfile,
} from '@mas/protocol';

import type { ApiClient } from '../api/client.js';
import type { Session } from '../api/types.js';
import { SkipLink } from '../skip-link.js';
import type { TrainingState } from '../training/training.api.js';
import { TrainingPanel } from '../training/training-panel.js';
import { useLiveChanges } from '../use-live-changes.js';
import { ActionPanel } from './action-panel.js';
import { ActiveTherapies } from './active-therapies.js';
import { AuditTimeline } from './audit-timeline.js';
import {
  formatLocal,
  formatTime,
  minuteOf,
  readableTimes,
} from './clinical-time.model.js';
import {
  activeStateIds,
  labPictureOf,
  panelsOf,
  replayAudit,
  userOptions,
  visitedStates,
} from './episode.model.js';
import { EpisodeMigration } from './episode-migration.js';
import {
  type EpisodeData,
  episodePageMachine,
  type Feedback,
  type Submission,
} from './episode-page.machine.js';
import type { ReopenedOption } from './event-form.js';
import { prettify } from './labs.model.js';
import { LabsPanel } from './labs-panel.js';
import { PatientCard } from './patient-card.js';
import { ProtocolReleaseNote } from './protocol-release.js';
import { ProtocolTrack } from './protocol-track.js';
import { recommendedViews } from './recommended-steps.model.js';
import { StatechartDiagram } from './statechart-diagram.js';

/** The machine's actor for a signed-in user (null: reads only). */
export function actorOf(session: Session): EpisodeActor | null {
  switch (session.role) {
    case 'clinician':
    case 'trainee':
      return { id: session.username, role: 'clinician' };
    case 'senior':
      return { id: session.username, role: 'senior-clinician' };
    case 'auditor':
    case 'admin':
      return null;
  }
}

/** A warning as a clinician reads it: its first letter capitalised. */
function clinicalWarning(warning: string): string {
  return warning.charAt(0).toUpperCase() + warning.slice(1);
}

function FeedbackBanner({
  feedback,
  onDismiss,
}: {
  feedback: Feedback;
  readonly onDismiss: () => void;
}) {
  return (
    <div
      className={`feedback ${feedback.kind}${feedback.warnings ? ' warned' : ''}`}
      // Recorded with a warning: said as an alert (read out at once).
      role={
        feedback.kind === 'recorded' && !feedback.warnings ? 'status' : 'alert'
      }
    >
      <p>{feedback.message}</p>
      {feedback.warnings && feedback.kind === 'recorded' ? (
        <ul className="warnings" aria-label="Warnings">
          {feedback.warnings.map((warning) => (
            <li key={warning}>{clinicalWarning(warning)}</li>
          ))}
        </ul>
      ) : null}
      {feedback.changes && feedback.changes.length > 0 ? (
        <>
          <p>The page is reloaded. What changed meanwhile:</p>
          <ul>
            {feedback.changes.map((entry) => (
              <li key={entry.id}>
                #{entry.seq} {eventLabelOf(entry.type, entry.payload)} by{' '}
                {entry.actorId} at {formatTime(entry.occurredAt)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

interface EpisodeViewProps {
  readonly data: EpisodeData;
  readonly session: Session;
  readonly busy: boolean;
  readonly feedback: Feedback | null;
  readonly onSend: (submission: Submission) => void;
  readonly onDismiss: () => void;
  /** `true`: a live reload nobody asked for (not counted as activity). */
  readonly onReload: (background?: boolean) => void;
  readonly api: ApiClient;
}

/**
 * One version of the episode: the service's snapshot restored into the same
 * machine (@xstate/react), explained by the same function the service uses,
 * so the page never offers what the service would refuse.
 */
/** A training episode's virtual patient and clock (null for real ones). */
function useTraining(
  api: ApiClient,
  id: string,
  enabled: boolean,
  /** Any reload of the episode reloads the training state too. */
  loaded: unknown,
) {
  const [state, setState] = useState<TrainingState | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    api
      .request<TrainingState>('GET', `/api/training/episodes/${id}`)
      .then((answer) => {
        if (live) setState(answer);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, id, enabled, loaded]);
  return state;
}

function EpisodeView({
  data,
  session,
  busy,
  feedback,
  onSend,
  onDismiss,
  onReload,
  api,
}: EpisodeViewProps) {
  const training = useTraining(
    api,
    data.detail.id,
    data.detail.kind === 'training',
    data,
  );
  // A training episode's events happen at its virtual time: the service
  // sets it.
  const send = onSend;
  const actorRef = useActorRef(masEpisodeMachine, {
    snapshot: data.detail.snapshot as ReturnType<
      typeof masEpisodeMachine.getPersistedSnapshot
    >,
    input: undefined,
  });
  const snapshot = useSelector(actorRef, (s) => s);
  const actor = actorOf(session);
  const explanation = useMemo(
    () => explainSnapshot(snapshot, actor ? { actor } : {}),
    [snapshot, actor?.id, actor?.role],
  );
  const context = snapshot.context;
  const profile: InstitutionProfile = useMemo(
    () => ({ data: context.profileData, hash: context.profile.hash }),
    [context.profileData, context.profile.hash],
  );
  // What a person may be offered (never the scheduler's clock).
  const canRecord = actor !== null;
  const allowed = useMemo(
    () => (canRecord ? userOptions(explanation.allowed) : []),
    [canRecord, explanation.allowed],
  );
  const blocked = useMemo(
    () => userOptions(explanation.blocked),
    [explanation.blocked],
  );
  const recommended = useMemo(
    () =>
      recommendedViews(
        recommendNextSteps(snapshot, { allowed, blocked }),
        canRecord && !explanation.final,
      ),
    [snapshot, allowed, blocked, canRecord, explanation.final],
  );
  const picture = labPictureOf(context);
  const replay = useMemo(
    () =>
      replayAudit(data.detail.initialSnapshot, data.audit, data.detail.takenUp),
    [data],
  );
  const visited = visitedStates(
    context.openedAt,
    replay.initialStateIds,
    replay.replayed,
  );
  // After a conflict the page reloads: the form that was sent opens again
  // with what was typed, if the event is still allowed.
  const [chartOpen, setChartOpen] = useState(false);
  // Live: a change made elsewhere reloads the page, unless a form is open
  // (then the user is told, and chooses when).
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  useLiveChanges(
    (change) => {
      if (
        change.id !== data.detail.id ||
        change.version <= data.detail.version
      ) {
        return;
      }
      if (chosen === null && !busy) onReload(true);
      else setChangedElsewhere(true);
    },
    // The stream was lost: reload what may have been missed (an ended
    // session signs out), unless a form is open.
    () => {
      if (chosen === null && !busy) onReload(true);
    },
    { id: data.detail.id, version: data.detail.version },
  );
  const [chosen, setOpenForm] = useState<EventOption | null>(() =>
    feedback?.kind === 'conflict' && feedback.submission
      ? reopened(allowed, feedback.submission)
      : null,
  );
  /** Opens (or closes) a form; an answer about an earlier form goes. */
  const setChosen = (option: EventOption | null) => {
    if (feedback?.submission) onDismiss();
    setOpenForm(option);
  };
  const choose = (type: string) => {
    const option = allowed.find((o) => o.type === type);
    if (option) {
      setChosen(option);
      document.getElementById('actions-title')?.scrollIntoView();
    }
  };
  return (
    // Busy while a recording is sent and the episode read again: what shows
    // is the episode as it was until then (assistive technology is told).
    <div className="episode-view" aria-busy={busy}>
      <header className="episode-header">
        <h1>
          {context.patient.identifier}{' '}
          {data.detail.kind === 'training' ? (
            <span className="badge info">training</span>
          ) : null}
        </h1>
        <p className="no-print">
          <SkipLink target="actions-title" className="skip-inline">
            Skip to the actions
          </SkipLink>{' '}
          <button type="button" onClick={() => window.print()}>
            Print handover
          </button>
        </p>
        <p className="print-only">
          Handover of {context.patient.identifier}, printed{' '}
          {formatLocal(new Date(Date.now()).toISOString())} by{' '}
          {session.username} from record version {data.detail.version}. Decision
          support, not a medical device: check against the chart.
        </p>
        <p>
          <strong>Stage:</strong> {explanation.stage} · version{' '}
          {data.detail.version} ·{' '}
          {data.detail.nextDueAt
            ? `next due ${formatTime(data.detail.nextDueAt)}`
            : 'nothing due'}
        </p>
        <PatientCard
          context={context}
          now={training ? training.virtualNow : minuteOf(Date.now())}
          alerts={explanation.alerts}
        />
        <p className="hint">
          Born {context.patient.birthDate} · protocol {context.protocol.id}{' '}
          {context.protocol.version} · profile {context.profile.id}{' '}
          {context.profile.version}
          {data.detail.ward ? ` · ward ${data.detail.ward}` : ''}
        </p>
        <ProtocolReleaseNote release={data.detail.protocolRelease} />
        {session.role === 'senior' && !explanation.final ? (
          <EpisodeMigration
            api={api}
            episodeId={data.detail.id}
            version={data.detail.version}
            protocolVersion={context.protocol.version}
            onMoved={() => {
              onReload();
            }}
          />
        ) : null}
        {context.lastResponse ? (
          <p>
            <strong>Last response assessment</strong> (
            {formatTime(context.lastResponse.at)}):{' '}
            <span
              className={`badge ${context.lastResponse.verdict === 'responding' ? 'info' : 'warning'}`}
            >
              {context.lastResponse.verdict}
            </span>{' '}
            <span className="hint response-reasons">
              {context.lastResponse.reasons.map(prettify).join('; ')}
            </span>
          </p>
        ) : null}
        {context.profile.example ? (
          <p className="notice warning-banner" role="note">
            This episode runs under the EXAMPLE institution profile: its figures
            are placeholders, not clinical guidance.
          </p>
        ) : null}
        {explanation.alerts.length > 0 ? (
          <ul className="alerts" aria-label="Alerts">
            {explanation.alerts.map((a) => (
              <li key={a.id} className={`alert ${a.severity}`}>
                <strong>
                  {a.severity === 'critical' ? '⚠ ' : ''}
                  {alertLabel(a.id)}
                </strong>{' '}
                ({a.severity}) {readableTimes(clinicalUnits(a.message))}{' '}
                <span className="hint">({a.evidence.join(', ')})</span>
              </li>
            ))}
          </ul>
        ) : null}
      </header>
      {changedElsewhere ? (
        <div className="feedback changed" role="status">
          <p>
            Someone else changed this episode meanwhile. Your form is still
            open; showing the change closes it.
          </p>
          <button type="button" onClick={() => onReload()}>
            Show the change
          </button>
        </div>
      ) : null}
      {feedback &&
      (feedback.kind === 'conflict' || !(chosen && feedback.submission)) ? (
        // An answer about the open form's event shows in the form.
        <FeedbackBanner feedback={feedback} onDismiss={onDismiss} />
      ) : null}
      {training ? (
        <TrainingPanel
          api={api}
          state={training}
          onAdvanced={() => onReload()}
          onUseLabs={(panel) => {
            const option =
              allowed.find(
                (o) =>
                  o.type === 'reassessment.recorded' &&
                  context.firstGlucocorticoidAt !== null,
              ) ?? allowed.find((o) => o.type === 'labs.recorded');
            if (option) {
              setChosen({ ...option, examplePayload: { panel } });
              document.getElementById('actions-title')?.scrollIntoView();
            }
          }}
        />
      ) : null}
      <div className="episode-grid no-print">
        <div className="diagram-column">
          <section aria-labelledby="chart-title">
            <h2 id="chart-title">Protocol</h2>
            <ProtocolTrack
              active={activeStateIds(snapshot.value)}
              visited={new Set(visited.map((v) => v.stateId))}
            />
            <details
              className="full-chart"
              onToggle={(event) => setChartOpen(event.currentTarget.open)}
            >
              <summary>Show the full statechart</summary>
              {chartOpen ? (
                // Laid out only when asked for (in a Web Worker).
                <StatechartDiagram
                  activeStateIds={activeStateIds(snapshot.value)}
                  visited={visited}
                  allowedEvents={allowed}
                  blockedEvents={blocked}
                  onChooseEvent={choose}
                />
              ) : null}
            </details>
          </section>
        </div>
        <div className="action-column">
          <ActionPanel
            allowed={allowed}
            blocked={blocked}
            requests={context.escalationRequests}
            recommended={recommended}
            chosen={chosen}
            canAct={actor !== null && !explanation.final}
            patient={context.patient}
            measures={context}
            profile={profile}
            busy={busy}
            now={training ? training.virtualNow : minuteOf(Date.now())}
            feedback={feedback}
            onChoose={setChosen}
            onSubmit={send}
          />
        </div>
      </div>
      <div className="no-print">
        <ActiveTherapies
          therapies={context.therapies}
          otherTherapies={context.otherTherapies}
        />
      </div>
      <section aria-labelledby="labs-title" className="no-print">
        <h2 id="labs-title">Labs</h2>
        <LabsPanel
          panels={panelsOf(data.audit)}
          tocilizumabGiven={context.tocilizumabGiven}
          underlyingDisease={context.patient.underlyingDisease}
          protocolVersion={context.protocol.version}
          {...(picture ? { picture: { picture, at: context.now } } : {})}
        />
      </section>
      <div className="no-print">
        <AuditTimeline
          replayed={replay.replayed}
          chain={data.chain}
          {...(actor
            ? {
                correction: {
                  api,
                  episodeId: data.detail.id,
                  version: data.detail.version,
                  user: { id: actor.id, role: actor.role },
                  onMarked: () => {
                    onReload();
                  },
                },
              }
            : {})}
        />
      </div>
    </div>
  );
}

export interface EpisodePageProps {
  readonly api: ApiClient;
  readonly session: Session;
  readonly id: string;
}

/**
 * The allowed option a conflicting submission was made from, with what the
 * user typed: their clinical times kept, their rationale restored; what
 * only stood for the values sent (a confirmation of a dose or of unusual
 * values, the age at sampling) left out, to be asked or computed again.
 */
export function reopened(
  allowed: readonly EventOption[],
  submission: Submission,
): ReopenedOption | null {
  const label = eventLabelOf(submission.type, submission.payload);
  const option = allowed.find(
    (o) => o.type === submission.type && o.label === label,
  );
  if (option === undefined) return null;
  const sent = (submission.payload ?? {}) as Record<string, unknown>;
  const { doseConfirmation: _dose, confirmUnusual: _unusual, ...kept } = sent;
  const panel = kept['panel'];
  if (panel !== null && typeof panel === 'object' && !Array.isArray(panel)) {
    const { ageDays: _age, ...rest } = panel as Record<string, unknown>;
    kept['panel'] = rest;
  }
  return {
    ...option,
    examplePayload: kept,
    reopened: true,
    ...(submission.rationale === undefined
      ? {}
      : { rationale: submission.rationale }),
  };
}

export function EpisodePage({ api, session, id }: EpisodePageProps) {
  const [state, send] = useMachine(episodePageMachine, {
    input: { api, id },
  });
  const { data, feedback, loadError } = state.context;
  if (state.matches('failed')) {
    // No such episode here (or not for this role): trying again cannot help;
    // the way back can.
    const gone = state.context.loadStatus === 404;
    return (
      <section>
        <p role="alert">
          {gone
            ? `There is no episode ${id} here: the link may be mistyped, or the episode is not one your role may open.`
            : loadError}
        </p>
        <p>
          <a href="#/">Back to the board</a>
          {gone ? null : (
            <>
              {' '}
              <button type="button" onClick={() => send({ type: 'RELOAD' })}>
                Try again
              </button>
            </>
          )}
        </p>
      </section>
    );
  }
  if (!data) return <p>Loading the episode…</p>;
  return (
    <EpisodeView
      // A new version is a new snapshot: restore the machine afresh.
      key={data.detail.version}
      data={data}
      session={session}
      busy={!state.matches('ready')}
      feedback={feedback}
      onSend={(submission) => send({ type: 'SEND', submission })}
      onDismiss={() => send({ type: 'DISMISS' })}
      onReload={(background) =>
        send({ type: 'RELOAD', background: background === true })
      }
      api={api}
    />
  );
}
