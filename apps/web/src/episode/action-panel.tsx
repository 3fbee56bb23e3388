import type { Patient } from '@mas/contracts';
import type { EscalationRequest, EventOption } from '@mas/mas-episode';
import { actionGroups, type InstitutionProfile } from '@mas/protocol';

import { readableTimes } from './clinical-time.model.js';
import type { MeasuresTimes } from './dose-preview.js';
import { userOptions } from './episode.model.js';
import type { Feedback, Submission } from './episode-page.machine.js';
import { EventForm, optionLabel } from './event-form.js';
import { RecommendedSteps } from './recommended-steps.js';
import type { RecommendedView } from './recommended-steps.model.js';

export interface ActionPanelProps {
  readonly allowed: readonly EventOption[];
  readonly blocked: readonly EventOption[];
  readonly requests: readonly EscalationRequest[];
  /** The protocol's recommended next steps, listed first. */
  readonly recommended?: readonly RecommendedView[];
  readonly chosen: EventOption | null;
  readonly canAct: boolean;
  readonly patient: Patient;
  /** When the patient's measures were taken (a dose from an old one is said). */
  readonly measures?: MeasuresTimes;
  readonly profile: InstitutionProfile;
  readonly busy: boolean;
  /** The clinical times' default: the wall clock, or a training episode's virtual time. */
  readonly now: string;
  /** The page's last answer (the open form acts on its own). */
  readonly feedback?: Feedback | null;
  readonly onChoose: (option: EventOption | null) => void;
  readonly onSubmit: (submission: Submission) => void;
}

/** Options by task, in the order the protocol data lists the tasks. */
function grouped(options: readonly EventOption[]) {
  return actionGroups
    .map((group) => ({
      group,
      options: options.filter((option) => option.group === group.id),
    }))
    .filter((entry) => entry.options.length > 0);
}

/** What can be recorded now (one form per allowed event) and what cannot. */
export function ActionPanel(props: ActionPanelProps) {
  const pending = props.requests.filter((r) => r.status === 'pending');
  return (
    <section className="actions" aria-labelledby="actions-title">
      <h2 id="actions-title" tabIndex={-1}>
        Actions
      </h2>
      {pending.map((r) => (
        <p key={r.requestId} className="notice awaiting" role="status">
          Escalation to {r.drug} requested by {r.requestedBy.id} ({r.requestId}
          ): <strong>awaiting approval</strong> by a different senior clinician.
        </p>
      ))}
      {props.chosen ? null : (
        <RecommendedSteps
          steps={props.recommended ?? []}
          onChoose={props.onChoose}
        />
      )}
      {!props.canAct ? (
        <p>Your role reads this episode; it does not record events.</p>
      ) : props.chosen ? (
        <EventForm
          key={optionLabel(props.chosen)}
          option={props.chosen}
          patient={props.patient}
          {...(props.measures ? { measures: props.measures } : {})}
          profile={props.profile}
          busy={props.busy}
          now={props.now}
          feedback={props.feedback ?? null}
          onSubmit={props.onSubmit}
          onCancel={() => props.onChoose(null)}
        />
      ) : (
        <>
          <h3>Allowed now</h3>
          {grouped(userOptions(props.allowed)).map(({ group, options }) => (
            <div key={group.id} className="action-group">
              <h4>{group.label}</h4>
              <ul className="options">
                {options.map((option) => (
                  <li key={optionLabel(option)}>
                    <button
                      type="button"
                      onClick={() => props.onChoose(option)}
                    >
                      {readableTimes(option.label)}
                    </button>
                    {option.status === 'allowed-with-rationale' ? (
                      <span className="badge warning">rationale required</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
      <details>
        <summary>
          Blocked now ({userOptions(props.blocked).length}), with reasons
        </summary>
        <ul className="blocked">
          {userOptions(props.blocked).map((option) => (
            <li key={optionLabel(option)}>
              <strong>{readableTimes(option.label)}</strong>:{' '}
              {readableTimes(option.reason)}
              {option.evidence.length > 0 ? (
                <span className="hint"> ({option.evidence.join(', ')})</span>
              ) : null}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
