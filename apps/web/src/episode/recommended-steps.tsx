import type { EventOption } from '@mas/mas-episode';

import type { RecommendedView } from './recommended-steps.model.js';

export interface RecommendedStepsProps {
  readonly steps: readonly RecommendedView[];
  readonly onChoose: (option: EventOption) => void;
}

/**
 * The protocol's recommended next steps, first in the action panel: the
 * rule the simulator's protocol policy follows, applied to what is recorded.
 */
export function RecommendedSteps({ steps, onChoose }: RecommendedStepsProps) {
  if (steps.length === 0) return null;
  return (
    <section className="recommended" aria-labelledby="recommended-title">
      <h3 id="recommended-title">Recommended next step</h3>
      <p className="hint">
        The protocol&apos;s rule on what is recorded (decision support: the
        clinician decides).
      </p>
      <ol>
        {steps.map((step) => (
          <li key={step.key}>
            {step.status === 'record' && step.form ? (
              <button
                type="button"
                className="primary"
                aria-label={`Recommended: ${step.label}`}
                onClick={() => {
                  if (step.form) onChoose(step.form);
                }}
              >
                {step.label}
              </button>
            ) : (
              <strong>{step.label}</strong>
            )}{' '}
            <span className="why">{step.why}</span>
            {step.evidence.length > 0 ? (
              <span className="hint"> ({step.evidence.join(', ')})</span>
            ) : null}
            {step.status === 'blocked' ? (
              <span className="blocked-reason">
                {' '}
                Not yet: {step.blockedReason}
              </span>
            ) : null}
            {step.status === 'not-yours' ? (
              <span className="hint"> (not for your role to record)</span>
            ) : null}
            {step.status === 'not-offered' ? (
              <span className="hint"> (not offered as an action here)</span>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
