import { useState } from 'react';

import type { Patient } from '@mas/contracts';
import { type EpisodeContext, staleMeasuresWarning } from '@mas/mas-episode';
import {
  calculateDose,
  type DoseResult,
  type InstitutionProfile,
} from '@mas/protocol';

/** When the patient's weight and height were measured (the episode's). */
export type MeasuresTimes = Pick<EpisodeContext, 'measuredAt' | 'openedAt'>;

export interface DosePreviewProps {
  readonly drug: string;
  readonly route?: string;
  readonly patient: Patient;
  /**
   * When the measures were taken, and when the dose is to be given: a dose
   * computed from a measure older than the institution allows says so
   * before it is recorded (the service says it again in its answer).
   */
  readonly measures?: MeasuresTimes;
  readonly givenAt?: string;
  readonly profile: InstitutionProfile;
  /**
   * Puts the computed dose into the form: the amount per administration
   * (a daily dose split into its doses) and the route it was computed for.
   */
  readonly onUse: (
    dose: { readonly value: number; readonly unit: 'mg' },
    route: DoseResult['route'],
  ) => void;
}

type Outcome =
  | { readonly ok: true; readonly result: DoseResult }
  | { readonly ok: false; readonly message: string };

function compute(
  drug: string,
  request: Record<string, unknown>,
  profile: InstitutionProfile,
): Outcome {
  try {
    return { ok: true, result: calculateDose(drug, request, profile) };
  } catch (error) {
    return {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** A dose per day given in several doses: the amount of each. */
function perAdministration(result: DoseResult): number {
  const doses = result.per === 'day' ? (result.dosesPerDay ?? 1) : 1;
  return Math.round((result.doseMg / doses) * 100) / 100;
}

const mg = (value: number) =>
  `${new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(value)} mg`;

/**
 * The dose the protocol's calculator gives for this patient: its basis, who
 * set each figure, and every cap checked (the one that applied says so; a
 * dose is never clamped silently).
 */
export function DosePreview({
  drug,
  route,
  patient,
  measures,
  givenAt,
  profile,
  onUse,
}: DosePreviewProps) {
  const [perKg, setPerKg] = useState('');
  const [perM2, setPerM2] = useState('');
  const request: Record<string, unknown> = {
    weightKg: patient.weightKg,
    heightCm: patient.heightCm,
    ...(route ? { route } : {}),
    ...(perKg.trim() === '' ? {} : { mgPerKg: Number(perKg) }),
    ...(perM2.trim() === '' ? {} : { mgPerM2: Number(perM2) }),
  };
  const outcome = compute(drug, request, profile);
  const stale =
    outcome.ok && measures && givenAt
      ? staleMeasuresWarning(
          { ...measures, patient, profileData: profile.data },
          [outcome.result],
          givenAt,
        )
      : null;
  return (
    <section className="dose" aria-labelledby="dose-title">
      <h4 id="dose-title">Computed dose: {drug}</h4>
      <p className="hint">
        For {patient.weightKg} kg, {patient.heightCm} cm. Decision support:
        check against your institution&apos;s prescribing rules.
      </p>
      <div className="inline-fields">
        <label>
          mg/kg{' '}
          <input
            type="number"
            step="any"
            min="0"
            value={perKg}
            onChange={(e) => setPerKg(e.target.value)}
          />
        </label>
        <label>
          mg/m²{' '}
          <input
            type="number"
            step="any"
            min="0"
            value={perM2}
            onChange={(e) => setPerM2(e.target.value)}
          />
        </label>
      </div>
      {outcome.ok ? (
        <div aria-live="polite">
          <p>
            <strong data-testid="dose-mg">{mg(outcome.result.doseMg)}</strong>{' '}
            per {outcome.result.per} ({outcome.result.route})
            {outcome.result.schedule ? `, ${outcome.result.schedule}` : ''}
          </p>
          <p>
            Basis: {outcome.result.basis.amountPerUnit}{' '}
            {outcome.result.basis.kind} (set by {outcome.result.basis.setBy}),
            weight {outcome.result.basis.weightKg} kg
            {outcome.result.basis.bodySurfaceAreaM2 === undefined
              ? ''
              : `, BSA ${outcome.result.basis.bodySurfaceAreaM2.toFixed(2)} m²`}
            ; before any cap {mg(outcome.result.uncappedDoseMg)}.
          </p>
          {outcome.result.caps.length > 0 ? (
            <ul>
              {outcome.result.caps.map((cap) => (
                <li key={`${cap.description}-${cap.mg}`}>
                  {cap.applied ? (
                    <strong className="badge warning">
                      Cap applied: {mg(cap.mg)} per {cap.per}
                    </strong>
                  ) : (
                    <span>
                      Cap {mg(cap.mg)} per {cap.per}: not reached
                    </span>
                  )}{' '}
                  — {cap.description} ({cap.source}; {cap.evidence.join(', ')})
                </li>
              ))}
            </ul>
          ) : null}
          {outcome.result.adjustments.map((a) => (
            <p key={a.reason}>
              Adjusted ×{a.factor}: {a.reason} ({a.source})
            </p>
          ))}
          {outcome.result.warnings.map((w) => (
            <p key={w} className="badge warning">
              {w}
            </p>
          ))}
          {stale === null ? null : (
            <p className="badge warning" data-testid="stale-measures">
              {stale}
            </p>
          )}
          <button
            type="button"
            onClick={() => {
              onUse(
                { value: perAdministration(outcome.result), unit: 'mg' },
                outcome.result.route,
              );
            }}
          >
            Use {mg(perAdministration(outcome.result))} in the form
            {perAdministration(outcome.result) === outcome.result.doseMg
              ? ''
              : ` (per dose, ${String(outcome.result.dosesPerDay)} a day)`}
          </button>
        </div>
      ) : (
        <p className="field-error">{outcome.message}</p>
      )}
    </section>
  );
}
