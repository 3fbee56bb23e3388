import { correctionRefusal, ENTRY_VOIDED, voidedSeqOf } from '@mas/contracts';
import {
  alertLabel,
  entryCorrectionLabels,
  eventLabel,
  eventLabelOf,
  type RecordingRole,
  rolesFor,
} from '@mas/protocol';

import type { ApiClient } from '../api/client.js';
import type { AuditProtocolRelease } from '../api/types.js';
import { formatTime } from './clinical-time.model.js';
import { EntryCorrection } from './entry-correction.js';
import type { ReplayedEntry } from './episode.model.js';
import { prettify } from './labs.model.js';
import { AuditProtocolReleases } from './protocol-release.js';
import { panelText, sampleText, therapyEventText } from './therapy.model.js';

/** The service's own actors in words. */
const systemActors: Readonly<Record<string, string>> = {
  scheduler: 'the scheduler',
  service: 'the service, adopting its institution profile',
};

export interface AuditTimelineProps {
  readonly replayed: readonly ReplayedEntry[];
  readonly chain: {
    readonly ok: boolean;
    readonly entries: number;
    /** The first problem (`seq` null: the chain or record as a whole). */
    readonly broken: {
      readonly seq: number | null;
      readonly reason: string;
    } | null;
    /** Each protocol content the chain records (none before the first entry). */
    readonly protocolReleases: readonly AuditProtocolRelease[];
  };
  /**
   * For a user who records events: "Mark entered in error" on each entry
   * their role records (not the service's own, a migration or a void).
   */
  readonly correction?: {
    readonly api: ApiClient;
    readonly episodeId: string;
    /** The record version the page shows. */
    readonly version: number;
    /** The user, and their role as the protocol names it. */
    readonly user: { readonly id: string; readonly role: RecordingRole };
    readonly onMarked: () => void;
  };
}

/**
 * Whether this user may mark the entry entered in error: their role
 * records its kind of event, and they are its author, a senior clinician,
 * or it came from the laboratory's interface; a four-eyes record only its
 * author (the service's own rule, `correctionRefusal`).
 */
export function isCorrectable(
  entry: {
    readonly type: string;
    readonly actorId: string;
    readonly actorRole: string;
    readonly enteredInError?: unknown;
  },
  user: { readonly id: string; readonly role: RecordingRole },
): boolean {
  return (
    entry.type !== ENTRY_VOIDED &&
    entry.type !== 'protocol.migrated' &&
    (entry.enteredInError ?? null) === null &&
    rolesFor(entry.type).includes(user.role) &&
    correctionRefusal(entry, user) === null
  );
}

/**
 * Who did what, when, why, on what evidence, and the alerts standing then;
 * a therapy with its dose as given, a panel with its sample time.
 */
export function AuditTimeline({
  replayed,
  chain,
  correction,
}: AuditTimelineProps) {
  // A decision on an escalation names its request; the request, its drug.
  const requested = new Map<string, string>();
  for (const { entry } of replayed) {
    const payload = entry.payload as Record<string, unknown> | null;
    if (
      entry.type === 'escalation.requested' &&
      typeof payload?.['requestId'] === 'string' &&
      typeof payload['drug'] === 'string'
    ) {
      requested.set(payload['requestId'], payload['drug']);
    }
  }
  const labelOf = (type: string, payload: unknown): string => {
    const voided = voidedSeqOf({ seq: 0, type, payload });
    if (voided !== null) {
      return entryCorrectionLabels.voidEntry.replace('{seq}', String(voided));
    }
    const requestId = (payload as Record<string, unknown> | null)?.[
      'requestId'
    ];
    const drug =
      typeof requestId === 'string' ? requested.get(requestId) : undefined;
    return drug === undefined
      ? eventLabelOf(type, payload)
      : eventLabel(type, drug);
  };
  return (
    <section className="audit" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit timeline</h2>
      <p role="status" className={chain.ok ? 'chain ok' : 'chain broken'}>
        {chain.ok
          ? `✓ The audit chain verifies (${chain.entries} entries).`
          : `✕ The audit does not verify${chain.broken?.seq == null ? '' : ` at entry ${String(chain.broken.seq)}`}: ${chain.broken?.reason ?? ''}`}
      </p>
      <AuditProtocolReleases releases={chain.protocolReleases} />
      {replayed.length === 0 ? <p>No events recorded yet.</p> : null}
      <ol className="timeline">
        {replayed.map(({ entry, alerts, unread }) => (
          <li key={entry.id}>
            <p>
              <strong>
                #{entry.seq}{' '}
                {entry.enteredInError ? (
                  <s>{labelOf(entry.type, entry.payload)}</s>
                ) : (
                  labelOf(entry.type, entry.payload)
                )}
              </strong>{' '}
              — {formatTime(entry.occurredAt)}{' '}
              {entry.actorRole === 'system'
                ? `by the system (${systemActors[entry.actorId] ?? entry.actorId})`
                : `by ${entry.actorId} (${entry.actorRole})`}
              {entry.recordedAt !== entry.occurredAt
                ? `, recorded ${formatTime(entry.recordedAt)}`
                : ''}
            </p>
            {therapyEventText(entry.type, entry.payload) ? (
              <p className="given">
                {therapyEventText(entry.type, entry.payload)}
              </p>
            ) : null}
            {panelText(entry.type, entry.payload) ? (
              <p className="given">{panelText(entry.type, entry.payload)}</p>
            ) : null}
            {sampleText(entry.type, entry.payload) ? (
              <p className="hint">{sampleText(entry.type, entry.payload)}</p>
            ) : null}
            {entry.enteredInError ? (
              <p className="badge warning" data-testid="entered-in-error">
                {entryCorrectionLabels.enteredInError} (#
                {entry.enteredInError.voidSeq}) — by{' '}
                {entry.enteredInError.actorId} ({entry.enteredInError.actorRole}
                ), {formatTime(entry.enteredInError.recordedAt)}
                {entry.enteredInError.rationale
                  ? `: ${entry.enteredInError.rationale}`
                  : ''}
              </p>
            ) : null}
            {entry.rationale ? <p>Rationale: {entry.rationale}</p> : null}
            <p className="hint">
              {prettify(entry.guard.reason)}
              {entry.evidence.length > 0
                ? ` — evidence: ${entry.evidence.join(', ')}`
                : ''}
            </p>
            {unread ? (
              <p className="hint">
                Written by an earlier version of the protocol engine in a form
                this one cannot replay: shown as recorded, without the alerts
                then.
              </p>
            ) : null}
            {correction && isCorrectable(entry, correction.user) ? (
              <EntryCorrection
                api={correction.api}
                episodeId={correction.episodeId}
                version={correction.version}
                seq={entry.seq}
                userId={correction.user.id}
                label={labelOf(entry.type, entry.payload)}
                onMarked={correction.onMarked}
              />
            ) : null}
            {alerts.length > 0 ? (
              <p className="hint">
                Alerts then:{' '}
                {alerts
                  .map((a) => `${alertLabel(a.id)} (${a.severity})`)
                  .join(', ')}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
