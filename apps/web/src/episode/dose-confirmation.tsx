import { useEffect, useRef, useState } from 'react';

import type { DoseCheck } from '@mas/protocol';

import {
  computedDoseText,
  enteredDoseText,
  exceededLimits,
} from './therapy.model.js';

export interface DoseConfirmationProps {
  readonly drug: string;
  readonly weightKg: number;
  /** The protocol library's check in this browser (null: it could not run). */
  readonly check: DoseCheck | null;
  /** The service's words, when it is the service that asks. */
  readonly serverMessage?: string;
  readonly busy: boolean;
  readonly onConfirm: (reason: string) => void;
  readonly onBack: () => void;
}

/**
 * The second ask for a dose outside the range computed for this patient:
 * the dose entered, the computed dose and each limit crossed, and the
 * prescriber's reason (recorded with the dose). Nothing is changed for the
 * prescriber: a dose is never clamped.
 */
export function DoseConfirmation({
  drug,
  weightKg,
  check,
  serverMessage,
  busy,
  onConfirm,
  onBack,
}: DoseConfirmationProps) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const computed = check ? computedDoseText(check) : null;
  const limits = check ? exceededLimits(check) : [];
  // Above a hard limit no reason records the dose: only a change is offered.
  const hard = check?.tier === 'hard';
  return (
    <section
      className="confirm dose-confirmation"
      aria-labelledby="dose-confirmation-title"
    >
      <h4 id="dose-confirmation-title" ref={heading} tabIndex={-1}>
        {hard
          ? 'A dose above a hard limit: change it'
          : 'Confirm a dose outside the range'}
      </h4>
      {serverMessage ? <p role="alert">{serverMessage}</p> : null}
      {check ? (
        <>
          <p>
            Entered: <strong>{enteredDoseText(check)}</strong> of {drug}.
          </p>
          {computed ? (
            <p>
              Computed dose for this patient ({weightKg} kg):{' '}
              <strong data-testid="computed-dose">{computed}</strong>.
            </p>
          ) : null}
          <ul className="limits">
            {limits.map((limit) => (
              <li key={limit.text}>
                <span
                  className={`badge ${limit.tier === 'hard' ? 'critical' : 'warning'}`}
                >
                  {limit.tier} limit
                </span>{' '}
                {limit.text}
              </li>
            ))}
          </ul>
          {check.tier === 'hard' ? (
            <p className="field-error">
              A dose above a hard limit is refused whatever the reason: check
              for a slip (a tenfold dose, a unit) and correct it.
            </p>
          ) : null}
        </>
      ) : null}
      {hard ? (
        <div className="form-buttons">
          <button type="button" onClick={onBack}>
            Change the dose
          </button>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim() === '') {
              setError(
                'a reason is required to record a dose outside the range',
              );
              return;
            }
            setError(null);
            onConfirm(reason.trim());
          }}
        >
          <label htmlFor="dose-confirmation">
            Reason for this dose (recorded as your confirmation)
          </label>
          <textarea
            id="dose-confirmation"
            rows={2}
            value={reason}
            aria-invalid={error !== null}
            aria-describedby={error ? 'dose-confirmation-error' : undefined}
            onChange={(e) => {
              setReason(e.target.value);
            }}
          />
          {error ? (
            <p
              id="dose-confirmation-error"
              className="field-error"
              role="alert"
            >
              {error}
            </p>
          ) : null}
          <div className="form-buttons">
            <button type="submit" disabled={busy}>
              Confirm this dose and record
            </button>{' '}
            <button type="button" onClick={onBack}>
              Change the dose
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
