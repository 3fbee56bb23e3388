import type { DataSource } from 'typeorm';

import { ENTRY_VOIDED, voidsOf } from '@mas/contracts';
import {
  type EpisodeSnapshot,
  MAS_EPISODE_MACHINE_VERSION,
} from '@mas/mas-episode';

import type { AccessLogService } from '../access-log/access-log.service.js';
import { historySteps } from '../audit/audit-replay.util.js';
import type { AuditRow, Entities } from '../database/entities.js';
import { ServiceError } from '../episodes/episodes.service.js';

/**
 * The escalation report: every decision to escalate treatment and every
 * override of a safeguard, rebuilt from the audit (it reads, never writes).
 */
export class EscalationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    /** Who read the decisions (they name patients and clinicians). */
    readonly accessLog: AccessLogService,
  ) {}

  /**
   * Every escalation decision (request, approval, rejection, emergency start,
   * countersignature) and every override of the protocol's safeguards (a
   * required screening overridden with a rationale), with who, why, on what
   * evidence, and the hours from the moment escalation became warranted
   * (inadequate response, worsening or rapid worsening) to the decision.
   * Rebuilt by replaying each audit.
   */
  async report() {
    const types = [
      'escalation.requested',
      'escalation.approved',
      'escalation.rejected',
      'escalation.countersigned',
    ];
    const involved = await this.dataSource
      .getRepository(this.entities.audit)
      .createQueryBuilder('entry')
      .select('DISTINCT entry.episodeId', 'episodeId')
      .where('entry.type IN (:...types)', {
        types: [
          ...types,
          'therapy.started',
          'therapy.dose-changed',
          'screening.recorded',
          'reassessment.recorded',
        ],
      })
      .getRawMany<{ episodeId: string }>();
    const episodes = this.dataSource.getRepository(this.entities.episode);
    const decisions = [];
    for (const { episodeId } of involved) {
      const row = await episodes.findOneBy({ id: episodeId });
      // A chain whose episode is gone refuses the report, as it always has
      // (the audit's verification names that chain).
      if (!row) {
        throw new ServiceError(404, { message: `no episode ${episodeId}` });
      }
      if (row.initialSnapshot === null) continue;
      const entries = await this.dataSource
        .getRepository(this.entities.audit)
        .find({ where: { episodeId }, order: { seq: 'ASC' } });
      let warrantedSince: string | null = null;
      const read = new Set<number>();
      // Entries entered in error: the replay steps neither them nor their
      // voids (the one rule, effectiveEntries). A voided decision is still
      // listed, marked entered in error (who voided it, when, why); a void
      // is no decision of its own and is shown on the row it marks.
      const voids = voidsOf(entries);
      // (From the replay base on, the record's own steps: see historySteps.)
      const steps = new Map(
        [...historySteps(row, entries)].map((step) => [step.entry.seq, step]),
      );
      let stateThen: EpisodeSnapshot | null = null;
      for (const entry of entries) {
        if (entry.type === ENTRY_VOIDED) {
          read.add(entry.seq);
          continue;
        }
        const voidedBy = voids.get(entry.seq);
        if (voidedBy) {
          read.add(entry.seq);
          const listed = this.voidedDecision(
            entry,
            voidedBy,
            stateThen,
            types,
            warrantedSince,
            entries,
          );
          if (listed) {
            decisions.push({
              episodeId,
              patientIdentifier: row.patientIdentifier,
              kind: row.kind,
              ...listed,
            });
          }
          continue;
        }
        const step = steps.get(entry.seq);
        if (!step) continue;
        stateThen = step.after;
        const { event } = step;
        read.add(entry.seq);
        const payload = event.payload as Record<string, unknown>;
        const snapshot = step.after;
        const at = new Date(entry.occurredAt).toISOString();
        const { emergency, override, judged } = markedDecisions(
          entry.type,
          payload,
        );
        // Only a dose the check found outside a soft limit (a confirmation
        // sent with a dose within the limits confirmed nothing).
        // A running course's new dose is checked as a start: the record
        // whose dose changed in this step carries its check.
        const changedRecord =
          entry.type === 'therapy.dose-changed'
            ? snapshot.context.therapies.find(
                (t, index) =>
                  (t.doseChanges?.length ?? 0) >
                  (step.before.context.therapies[index]?.doseChanges?.length ??
                    0),
              )
            : undefined;
        const doseConfirmed =
          (entry.type === 'therapy.started' &&
            snapshot.context.therapies.findLast(
              (t) => t.drug === payload['drug'],
            )?.doseCheck?.tier === 'soft') ||
          changedRecord?.doseCheck?.tier === 'soft';
        if (
          types.includes(entry.type) ||
          emergency ||
          override ||
          judged ||
          doseConfirmed
        ) {
          decisions.push({
            episodeId,
            patientIdentifier: row.patientIdentifier,
            kind: row.kind,
            seq: entry.seq,
            ...decisionRow(
              entry,
              payload,
              doseConfirmed ? 'dose-outside-range-confirmed' : null,
              partiesIn(step.before, payload),
            ),
            at,
            // The decision's own reason; a dose confirmed outside its range
            // beside another decision (an emergency start) is added to it,
            // never put in its place.
            rationale:
              doseConfirmed && !emergency
                ? String(payload['doseConfirmation'])
                : doseConfirmed
                  ? `${entry.rationale ?? ''}; dose outside range confirmed: ${String(payload['doseConfirmation'])}`
                  : entry.rationale,
            evidence: JSON.parse(entry.evidence) as string[],
            warrantedSince,
            // A decision dated before the finding that warranted it (a
            // reassessment recorded later but dated earlier) has no interval
            // to report: null, not a negative number of hours.
            enteredInError: null,
            hoursFromWarrantedToDecision:
              warrantedSince === null ||
              Date.parse(at) < Date.parse(warrantedSince)
                ? null
                : Math.round(
                    ((Date.parse(at) - Date.parse(warrantedSince)) /
                      3_600_000) *
                      100,
                  ) / 100,
          });
        }
        const verdict = snapshot.context.lastResponse?.verdict;
        const warranted =
          verdict === 'inadequate' ||
          verdict === 'worsening' ||
          snapshot.context.rapidlyWorsening;
        if (warranted && warrantedSince === null) warrantedSince = at;
        if (!warranted) warrantedSince = null;
      }
      // Entries an earlier statechart wrote in a form this one cannot read
      // (after a later one took the record over): their decisions cannot be
      // listed, and the report says so rather than leaving them out unseen.
      const unread = entries.filter((entry) => !read.has(entry.seq));
      const [first] = unread;
      if (first) {
        const last = unread.at(-1) ?? first;
        decisions.push({
          episodeId,
          patientIdentifier: row.patientIdentifier,
          kind: row.kind,
          seq: first.seq,
          decision: 'history-not-read',
          drug: '',
          requestId: null,
          requestedBy: null,
          decidedBy: null,
          role: 'system',
          at: new Date(first.occurredAt).toISOString(),
          rationale: `entries ${String(first.seq)} to ${String(last.seq)} were written by an earlier statechart in a form statechart ${MAS_EPISODE_MACHINE_VERSION} cannot read: any escalation decision among them is not listed here (the record keeps them as written)`,
          evidence: [],
          warrantedSince: null,
          hoursFromWarrantedToDecision: null,
          enteredInError: null,
        });
      }
    }
    return decisions.sort((a, b) => a.at.localeCompare(b.at));
  }

  /**
   * A decision entered in error, as the report lists it (null: the entry
   * voided was no decision). The replay does not step it, so what it was is
   * read from its payload and the state the history stood in before it
   * (`stateThen`: who requested what); its row names the void (who, when,
   * why), and it has no interval from warranted to decided (it decided
   * nothing). A dose confirmed outside its range is the machine's finding
   * on a step that was not taken: not listed.
   */
  private voidedDecision(
    entry: AuditRow,
    voidedBy: AuditRow,
    stateThen: EpisodeSnapshot | null,
    types: readonly string[],
    warrantedSince: string | null,
    entries: readonly AuditRow[],
  ) {
    let payload: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(entry.payload) as unknown;
      if (parsed !== null && typeof parsed === 'object') {
        payload = parsed as Record<string, unknown>;
      }
    } catch {
      // An unreadable payload: its row names the entry, not what it held.
    }
    const { emergency, override, judged } = markedDecisions(
      entry.type,
      payload,
    );
    if (!types.includes(entry.type) && !emergency && !override && !judged) {
      return null;
    }
    const parties = partiesIn(stateThen, payload);
    // A decision on a request itself entered in error: the request as it
    // was recorded, the last one of that id before the decision (an id a
    // void freed may be asked for again later: that is another request).
    const recorded =
      parties.request === undefined && typeof payload['requestId'] === 'string'
        ? recordedRequest(entries, payload['requestId'], entry.seq)
        : undefined;
    let evidence: string[] = [];
    try {
      const parsed = JSON.parse(entry.evidence) as unknown;
      if (Array.isArray(parsed)) evidence = parsed.map(String);
    } catch {
      // As above.
    }
    return {
      seq: entry.seq,
      ...decisionRow(entry, payload, null, {
        ...parties,
        ...(recorded ? { recorded } : {}),
      }),
      at: new Date(entry.occurredAt).toISOString(),
      rationale: entry.rationale,
      evidence,
      warrantedSince,
      hoursFromWarrantedToDecision: null,
      enteredInError: {
        voidSeq: voidedBy.seq,
        actorId: voidedBy.actorId,
        actorRole: voidedBy.actorRole,
        recordedAt: new Date(voidedBy.recordedAt).toISOString(),
        rationale: voidedBy.rationale,
      },
    };
  }
}

/**
 * The last `escalation.requested` entry of `requestId` recorded before
 * entry `before` (voided or not): its drug and who asked.
 */
function recordedRequest(
  entries: readonly AuditRow[],
  requestId: string,
  before: number,
): { drug: string; requestedBy: string } | undefined {
  for (const entry of [...entries].reverse()) {
    if (entry.seq >= before || entry.type !== 'escalation.requested') continue;
    let payload: unknown;
    try {
      payload = JSON.parse(entry.payload);
    } catch {
      continue;
    }
    if (
      payload !== null &&
      typeof payload === 'object' &&
      (payload as Record<string, unknown>)['requestId'] === requestId
    ) {
      const drug = (payload as Record<string, unknown>)['drug'];
      return {
        drug: typeof drug === 'string' ? drug : '',
        requestedBy: entry.actorId,
      };
    }
  }
  return undefined;
}

/** The decisions an entry's payload marks, beside its type's own. */
function markedDecisions(type: string, payload: Record<string, unknown>) {
  return {
    emergency: type === 'therapy.started' && payload['emergency'] === true,
    override:
      type === 'screening.recorded' && payload['result'] === 'overridden',
    // A senior's judgement of an inadequate response on clinical grounds
    // (a route to escalation).
    judged:
      type === 'reassessment.recorded' &&
      payload['clinicalJudgement'] === 'inadequate',
  };
}

interface Parties {
  /** The request a decision names, as the state before it held it. */
  readonly request?:
    EpisodeSnapshot['context']['escalationRequests'][number] | undefined;
  /** The emergency start a countersignature is for (four eyes shown). */
  readonly countersigned?:
    EpisodeSnapshot['context']['emergencyStarts'][number] | undefined;
  /** The request as recorded, where the state no longer holds it. */
  readonly recorded?: { readonly drug: string; readonly requestedBy: string };
}

/** Who and what a decision is about, as the state before it knew. */
function partiesIn(
  before: EpisodeSnapshot | null,
  payload: Record<string, unknown>,
): Parties {
  return {
    request: before?.context.escalationRequests.find(
      (r) => r.requestId === payload['requestId'],
    ),
    countersigned: before?.context.emergencyStarts.find(
      (start) =>
        start.drug === payload['drug'] && start.countersignedBy === undefined,
    ),
  };
}

/**
 * A report row's decision, drug, request and people: the same words for a
 * decision stepped and for one entered in error. `finding` names what the
 * machine found on the step (a dose confirmed outside its range).
 */
function decisionRow(
  entry: AuditRow,
  payload: Record<string, unknown>,
  finding: string | null,
  parties: Parties,
) {
  const { emergency, override, judged } = markedDecisions(entry.type, payload);
  const countersigned =
    entry.type === 'escalation.countersigned'
      ? parties.countersigned
      : undefined;
  return {
    decision: emergency
      ? 'emergency-start'
      : override
        ? `screening-overridden: ${String(payload['kind'])}`
        : judged
          ? 'response-judged-inadequate-on-clinical-grounds'
          : (finding ?? entry.type.replace('escalation.', '')),
    drug:
      typeof payload['drug'] === 'string'
        ? payload['drug']
        : (parties.request?.drug ?? parties.recorded?.drug ?? ''),
    requestId:
      typeof payload['requestId'] === 'string' ? payload['requestId'] : null,
    requestedBy:
      parties.request?.requestedBy.id ??
      parties.recorded?.requestedBy ??
      countersigned?.startedBy.id ??
      (entry.type === 'escalation.requested' || emergency
        ? entry.actorId
        : null),
    // A request is no decision: nobody decided it yet.
    decidedBy: entry.type === 'escalation.requested' ? null : entry.actorId,
    role: entry.actorRole,
  };
}
