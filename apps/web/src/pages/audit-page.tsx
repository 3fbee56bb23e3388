import { useEffect, useState } from 'react';

import { filterEscalations } from '@mas/contracts';
import { escalationDecisionLabel } from '@mas/protocol';

import type { ApiClient } from '../api/client.js';
import type { AuditVerification, EscalationDecision } from '../api/types.js';
import { formatTime } from '../episode/clinical-time.model.js';
import { StoredProtocolReleases } from '../episode/protocol-release.js';

export interface EscalationFilter {
  readonly from: string;
  readonly to: string;
  readonly decision: string;
  readonly kind: 'real' | 'training' | '';
}

/**
 * The screen's filter as the service's (an empty choice is no filter): the
 * same function narrows the table here and the CSV there.
 */
export function asEscalationFilter(filter: EscalationFilter) {
  return {
    ...(filter.from === '' ? {} : { from: filter.from }),
    ...(filter.to === '' ? {} : { to: filter.to }),
    ...(filter.decision === '' ? {} : { decision: filter.decision }),
    ...(filter.kind === '' ? {} : { kind: filter.kind }),
  };
}

/** Decisions within the dates (inclusive, UTC days) and of the kind chosen. */
export function filterDecisions(
  decisions: readonly EscalationDecision[],
  filter: EscalationFilter,
): EscalationDecision[] {
  return filterEscalations(decisions, asEscalationFilter(filter));
}

export interface AuditPageProps {
  readonly api: ApiClient;
  readonly onOpen: (id: string) => void;
}

/**
 * Every escalation decision across episodes: who requested and who decided,
 * why, on what evidence, and the hours from the moment escalation became
 * warranted; filter by date and kind; CSV export; the audit chains checked.
 */
export function AuditPage({ api, onOpen }: AuditPageProps) {
  const [decisions, setDecisions] = useState<EscalationDecision[] | null>(null);
  const [verification, setVerification] = useState<AuditVerification | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<EscalationFilter>({
    from: '',
    to: '',
    decision: '',
    kind: 'real',
  });
  useEffect(() => {
    let live = true;
    Promise.all([
      api.request<EscalationDecision[]>('GET', '/api/escalations'),
      api.request<AuditVerification>('GET', '/api/audit/verify'),
    ]).then(
      ([d, v]) => {
        if (!live) return;
        setDecisions(d);
        setVerification(v);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api]);
  const downloadCsv = () => {
    // The file holds what the screen shows: the same filter, applied there.
    const query = new URLSearchParams({
      format: 'csv',
      ...asEscalationFilter(filter),
    });
    api.text(`/api/escalations?${query.toString()}`).then(
      (csv) => {
        const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
        const link = document.createElement('a');
        link.href = url;
        link.download = 'escalations.csv';
        link.click();
        URL.revokeObjectURL(url);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  const rows = decisions ? filterDecisions(decisions, filter) : [];
  const kinds = decisions ? [...new Set(decisions.map((d) => d.decision))] : [];
  return (
    <section aria-labelledby="audit-page-title">
      <h1 id="audit-page-title">Escalation decisions</h1>
      {verification ? (
        <p
          role="status"
          className={verification.ok ? 'chain ok' : 'chain broken'}
        >
          {verification.ok
            ? `✓ Every audit chain verifies (${verification.episodes} episodes, ${verification.entries} recorded events, ${verification.refusals} refused attempts${verification.unauthenticatedRefusals > 0 ? `, of which ${verification.unauthenticatedRefusals} written before refusals were authenticated and not vouched for` : ''}).`
            : `✕ The audit does not verify: ${verification.broken
                .map(
                  (b) =>
                    `episode ${b.episodeId}${b.seq === null ? '' : ` at entry ${String(b.seq)}`} (${b.reason})`,
                )
                .join('; ')}`}
        </p>
      ) : null}
      {verification ? (
        <StoredProtocolReleases releases={verification.protocolReleases} />
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      <div className="filters" role="group" aria-label="Filter decisions">
        <label>
          From{' '}
          <input
            type="date"
            value={filter.from}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </label>
        <label>
          To{' '}
          <input
            type="date"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </label>
        <label>
          Decision{' '}
          <select
            value={filter.decision}
            onChange={(e) => setFilter({ ...filter, decision: e.target.value })}
          >
            <option value="">all</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {escalationDecisionLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Episodes{' '}
          <select
            value={filter.kind}
            onChange={(e) =>
              setFilter({
                ...filter,
                kind: e.target.value as EscalationFilter['kind'],
              })
            }
          >
            <option value="real">real</option>
            <option value="training">training</option>
            <option value="">both</option>
          </select>
        </label>
        <button type="button" onClick={downloadCsv}>
          Export CSV
        </button>
      </div>
      {decisions === null && error === null ? <p>Loading…</p> : null}
      {decisions ? (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">
              Escalation decisions ({rows.length})
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Patient</th>
                <th scope="col">Decision</th>
                <th scope="col">Drug</th>
                <th scope="col">Requested by</th>
                <th scope="col">Decided by</th>
                <th scope="col">Rationale</th>
                <th scope="col">Evidence</th>
                <th scope="col">Hours from warranted</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr
                  key={`${d.episodeId}-${d.seq}`}
                  className={d.enteredInError ? 'entered-in-error' : undefined}
                >
                  <td>{formatTime(d.at)}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => onOpen(d.episodeId)}
                    >
                      {d.patientIdentifier}
                    </button>
                  </td>
                  <td>
                    {d.enteredInError ? (
                      <s>{escalationDecisionLabel(d.decision)}</s>
                    ) : (
                      escalationDecisionLabel(d.decision)
                    )}
                  </td>
                  <td>{d.drug}</td>
                  <td>{d.requestedBy ?? '—'}</td>
                  <td>
                    {d.decidedBy === null ? '—' : `${d.decidedBy} (${d.role})`}
                  </td>
                  <td>{d.rationale ?? '—'}</td>
                  <td>{d.evidence.join(', ')}</td>
                  <td>
                    {d.hoursFromWarrantedToDecision === null
                      ? '—'
                      : d.hoursFromWarrantedToDecision}
                  </td>
                  <td>
                    {d.enteredInError
                      ? `Entered in error: marked by ${d.enteredInError.actorId} (${d.enteredInError.actorRole}), ${formatTime(d.enteredInError.recordedAt)}${d.enteredInError.rationale ? `: ${d.enteredInError.rationale}` : ''}`
                      : 'Recorded'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
