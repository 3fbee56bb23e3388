import {
  activeTherapies,
  type EpisodeContext,
  type EscalationRequest,
  measureTooOld,
} from '@mas/mas-episode';
import { alertLabel, subjectLabel } from '@mas/protocol';

import { formatLocal, formatUtcTime } from './clinical-time.model.js';
import { ageText, bsaText, dueItems, labTrends } from './patient-card.model.js';
import { therapyLine } from './therapy.model.js';

/** A time in the browser's local time, its UTC time on hover. */
export function LocalTime({ iso }: { readonly iso: string }) {
  return (
    <time dateTime={iso} title={formatUtcTime(iso)}>
      {formatLocal(iso)}
    </time>
  );
}

/**
 * When a measure the doses are computed from was taken (the admission's:
 * at admission), and whether it is older than the institution allows; on
 * a record from before statechart 2.5.0, which kept no time, nothing.
 */
function MeasuredAt({
  context,
  field,
  now,
}: {
  readonly context: EpisodeContext;
  readonly field: 'weightKg' | 'heightCm';
  readonly now: string;
}) {
  if (context.measuredAt === undefined) return null;
  const at = context.measuredAt[field];
  const days = context.profileData.doseLimits?.measuresValidDays;
  const old = measureTooOld(context, field, now);
  return (
    <span className={old ? 'measured-at stale' : 'measured-at'}>
      {' ('}
      {at === undefined ? (
        'at admission'
      ) : (
        <>
          measured <LocalTime iso={at} />
        </>
      )}
      {old ? `; more than ${String(days)} days ago: measure again` : ''}
      {')'}
    </span>
  );
}

export interface PatientCardProps {
  readonly context: EpisodeContext;
  /** The page's now (the wall clock, or a training episode's virtual time). */
  readonly now: string;
  readonly alerts: readonly {
    readonly id: string;
    readonly severity: string;
  }[];
}

/**
 * The patient at a glance, at the top of the episode: who (age from the
 * birth date, weight, height, body surface area, disease), what they are
 * on, what falls due next in local time, the latest labs against the
 * pre-treatment baseline, and the open approvals and alerts.
 */
export function PatientCard({ context, now, alerts }: PatientCardProps) {
  const { patient } = context;
  const dues = dueItems(context, now);
  const trends = labTrends(context);
  const therapies = activeTherapies(context).map(therapyLine);
  const pending: readonly EscalationRequest[] =
    context.escalationRequests.filter((r) => r.status === 'pending');
  const uncountersigned = context.emergencyStarts.filter(
    (start) => start.countersignedBy === undefined,
  );
  return (
    <section className="patient-card" aria-labelledby="patient-card-title">
      <h2 id="patient-card-title" className="visually-hidden">
        Patient
      </h2>
      <dl className="card-facts">
        <div>
          <dt>Age</dt>
          <dd>{ageText(patient.birthDate, now)}</dd>
        </div>
        <div>
          <dt>Weight</dt>
          <dd>
            {patient.weightKg} kg
            <MeasuredAt context={context} field="weightKg" now={now} />
          </dd>
        </div>
        <div>
          <dt>Height</dt>
          <dd>
            {patient.heightCm} cm
            <MeasuredAt context={context} field="heightCm" now={now} />
          </dd>
        </div>
        <div>
          <dt>Body surface area</dt>
          <dd>{bsaText(patient.heightCm, patient.weightKg)}</dd>
        </div>
        <div>
          <dt>Disease</dt>
          <dd>{patient.underlyingDisease}</dd>
        </div>
        <div>
          <dt>Sex</dt>
          <dd>{patient.sex}</dd>
        </div>
      </dl>
      <div className="card-columns">
        <div>
          <h3>On treatment</h3>
          {therapies.length === 0 ? (
            <p>No protocol therapy running.</p>
          ) : (
            <ul className="plain">
              {therapies.map((line) => (
                <li key={line.key}>
                  <strong>{subjectLabel(line.name)}</strong>: {line.given},
                  since <LocalTime iso={line.givenAt} />
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Due next</h3>
          {dues.length === 0 ? (
            <p>Nothing due.</p>
          ) : (
            <ul className="plain">
              {dues.map((due) => (
                <li key={due.id} className={due.overdue ? 'overdue' : ''}>
                  {due.overdue ? <strong>Overdue: </strong> : null}
                  {due.label.charAt(0).toUpperCase() + due.label.slice(1)},{' '}
                  <LocalTime iso={due.at} />
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card-lab-column">
          <h3>Latest labs</h3>
          {trends.length === 0 ? (
            <p>No laboratory results yet.</p>
          ) : (
            <table className="card-labs">
              <caption className="visually-hidden">
                Latest values against the pre-treatment baseline
              </caption>
              <thead>
                <tr>
                  <th scope="col">Analyte</th>
                  <th scope="col">Latest (sampled)</th>
                  <th scope="col">Baseline</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {trends.map((trend) => (
                  <tr key={trend.analyte}>
                    <th scope="row">{trend.label}</th>
                    <td>
                      {trend.latestText} {trend.unit}
                      <br />
                      <span className="hint">
                        <LocalTime iso={trend.latestAt} />
                      </span>
                    </td>
                    <td>
                      {trend.baselineText === null
                        ? '—'
                        : `${trend.baselineText} ${trend.unit}`}
                    </td>
                    <td>
                      {trend.changePercent === null ? (
                        '—'
                      ) : (
                        <>
                          <span aria-hidden="true">{trend.arrow} </span>
                          {trend.changePercent > 0 ? '+' : ''}
                          {trend.changePercent}%
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>Open</h3>
          <ul className="plain">
            {pending.map((request) => (
              <li key={request.requestId}>
                <span className="badge warning">approval</span> escalation to{' '}
                {subjectLabel(request.drug)} requested by{' '}
                {request.requestedBy.id}, awaiting a second senior
              </li>
            ))}
            {alerts.map((alert) => (
              <li key={alert.id}>
                <span className={`badge ${alert.severity}`}>
                  {alert.severity}
                </span>{' '}
                {alertLabel(alert.id)}
              </li>
            ))}
            {uncountersigned.map((start) => (
              <li key={start.id}>
                <span className="badge warning">countersignature</span>{' '}
                emergency start of {subjectLabel(start.drug)} by{' '}
                {start.startedBy.id}, awaiting a second senior
              </li>
            ))}
            {pending.length === 0 &&
            uncountersigned.length === 0 &&
            alerts.length === 0 ? (
              <li>No open approval or alert.</li>
            ) : null}
          </ul>
        </div>
      </div>
    </section>
  );
}
