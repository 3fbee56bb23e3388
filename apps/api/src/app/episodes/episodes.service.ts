import { type KeyObject, randomUUID } from 'node:crypto';

import canonicalize from 'canonicalize';
import { type DataSource, type EntityManager, In, LessThan } from 'typeorm';
import { initialTransition } from 'xstate';

import {
  type BulkMigrationAnswer,
  bulkMigrationRequestSchema,
  correctionRefusal,
  effectiveEntries,
  type EnteredInError,
  ENTRY_VOIDED,
  entryVoidRequestSchema,
  type EpisodeActor,
  episodeCreateSchema,
  type EpisodeEvent,
  type EpisodeEventOf,
  episodeListQuerySchema,
  eventRequestSchema,
  instantSchema,
  migrationRequestSchema,
  parseEpisodeEvent,
  parseOrThrow,
  patientSchema,
  voidsOf,
} from '@mas/contracts';
import {
  checkEvent,
  checkProfileForEpisode,
  describeStage,
  type EpisodeSnapshot,
  explainRefusal,
  explainSnapshot,
  findMigrationPlan,
  mappedValue,
  MAS_EPISODE_MACHINE_VERSION,
  masEpisodeMachine,
  type MigrationPlan,
  migrationPlanHash,
  restoreEpisodeSnapshot,
  stepEpisode,
} from '@mas/mas-episode';
import {
  type KeptQuality,
  keptQualityAfter,
  keptQualityAtStart,
  replayKeptQuality,
} from '@mas/mas-episode/analytics';
import {
  alertLabel,
  checkPatientMeasures,
  ClinicalInputError,
  deployedProtocolVersion,
  describeRoles,
  eventLabelOf,
  type InstitutionProfile,
  knownProtocolVersion,
  masProtocol,
  parseLabPanel,
  recordingRules,
  rolesFor,
} from '@mas/protocol';

import {
  auditByEpisode,
  auditEntryHash,
  episodeSeal,
  GENESIS_HASH,
  qualitySeal,
  rejectedAttemptMac,
  sealForm,
  sha256Text,
  vouchedQuality,
} from '../audit/audit-chain.util.js';
import {
  historySteps,
  isEarlierMachine,
  recordedEvent,
  replayBaseOf,
  replayEffective,
  replayScope,
  replayUnder,
  takenUpOf,
  takeover,
} from '../audit/audit-replay.util.js';
import { appendChained } from '../audit/chain-append.util.js';
import { SnapshotDigests } from '../audit/snapshot-digests.util.js';
import type { UserRole } from '../auth/roles.js';
import type { Clock } from '../clock/clock.js';
import { BoundStatements } from '../database/bound-statements.js';
import {
  type AuditRow,
  type Entities,
  type EpisodeRow,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  type IdempotencyRow,
  type RejectedAttemptRow,
} from '../database/entities.js';
import { WriteGate } from '../database/write-gate.js';
import {
  auditProtocolReleases,
  protocolReleaseOf,
} from '../protocol/protocol-release.util.js';
import { workItemChanges } from '../work-items/work-item-changes.util.js';
import type { WorkItemsService } from '../work-items/work-items.service.js';
import {
  boardChanged,
  type BoardColumns,
  derivedColumns,
} from './board-columns.util.js';

export type { UserRole };

export interface AuthenticatedUser {
  readonly id: string;
  readonly username: string;
  readonly role: UserRole;
}

/**
 * When an episode is next due, as its reads say it: an ended episode is due
 * for nothing (its record may keep the due time it had when it ended).
 */
function dueAtOf(row: EpisodeRow, final: boolean): string | null {
  return row.nextDueAt && !final ? new Date(row.nextDueAt).toISOString() : null;
}

/** An answer with its HTTP status; errors carry a body naming the problem. */
/**
 * `work`, with the bad input it finds in an event's payload (a route the
 * drug is not given by, say) surfaced as the 400 naming the field under
 * `body.payload`, never as a 500.
 */
function clinicalInputOf<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ClinicalInputError) {
      throw error.under('body.payload');
    }
    throw error;
  }
}

/** At most this many open episodes of a patient are named when one more opens. */
const MAX_OPEN_NAMED = 5;

/** The board's tags column of an ended episode holds this (a final state's tag). */
const ENDED_TAGS = '%"final"%';

/** Whether the record's board columns say the episode has ended. */
function ended(row: Pick<EpisodeRow, 'tags'>): boolean {
  return row.tags.includes('"final"');
}

/** A refused attempt before it takes its place in the episode's chain. */
type NewRefusal = Omit<RejectedAttemptRow, 'seq' | 'prevMac' | 'mac'>;

/** The rule of the 409 for an episode record that does not match its seal. */
export const SEAL_BROKEN =
  'an episode record changed outside the service is not written on';

/**
 * The rule of the 409 for an episode a later (or unknown) statechart wrote:
 * this version never steps it. Not a race: retrying will not move it.
 */
export const LATER_STATECHART =
  'a record is written only by its own statechart or a later one';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    const message = body['message'];
    super(typeof message === 'string' ? message : `HTTP ${status}`);
  }
}

/**
 * The recording rules' time limits, as a 400 naming the field: a clinical
 * time (the event's, `givenAt`, `collectedAt`, `stoppedAt`) may not lie past
 * the service's own clock (the episode's virtual clock for training) by more
 * than the skew, nor before the episode opened by more than the look-back;
 * before the opening it needs a rationale. So a bad time can never move the
 * episode's clock past now and silence a due reassessment.
 */
export function checkClinicalTimes(
  event: EpisodeEvent,
  openedAt: string,
  occurredAtField: string | null,
  now: Date,
): void {
  const { futureSkewMinutes, lookBackHours } = recordingRules.time;
  const latest = now.getTime() + futureSkewMinutes * 60_000;
  const opened = Date.parse(openedAt);
  const earliest = opened - lookBackHours * 3_600_000;
  const times: { field: string; at: string }[] = [];
  if (occurredAtField) times.push({ field: occurredAtField, at: event.at });
  const payload = event.payload as Record<string, unknown>;
  for (const name of ['givenAt', 'collectedAt', 'stoppedAt']) {
    const value = payload[name];
    if (typeof value === 'string') {
      times.push({ field: `body.payload.${name}`, at: value });
    }
  }
  for (const { field, at } of times) {
    const ms = Date.parse(at);
    let rule: string | null = null;
    if (ms > latest) {
      rule = `must not lie in the future (more than ${futureSkewMinutes} min after ${now.toISOString()})`;
    } else if (ms < earliest) {
      rule = `must not lie more than ${lookBackHours} h before the episode opened (${openedAt})`;
    } else if (ms < opened - futureSkewMinutes * 60_000 && !event.rationale) {
      // (Within the clock skew of the opening is the admission itself.)
      rule = `lies before the episode opened (${openedAt}): recording what happened before admission needs a rationale`;
    }
    if (rule) {
      throw new ServiceError(400, {
        message: `${field}: ${rule}`,
        field,
        rule,
      });
    }
  }
}

/** The route an Idempotency-Key of an event is bound to. */
const EVENTS_ROUTE = 'POST /api/episodes/:id/events';
/** The route an Idempotency-Key of a void is bound to. */
const VOID_ROUTE = 'POST /api/episodes/:id/entered-in-error';

/**
 * The rule of the 409 for a record its history does not replay to: no
 * entry of it is voided (a rebuilt record would silently replace one that
 * cannot be reproduced).
 */
export const NOT_REPRODUCED =
  'an entry is marked entered in error only on a record its history reproduces';

/**
 * How long an Idempotency-Key is kept: a client retries within minutes; a
 * day covers a workstation that was off overnight.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/**
 * How often expired Idempotency-Keys are purged (by the scheduler's step):
 * a lookup ignores an expired key anyway, so the purge only keeps the table
 * small, and a scan of it every scheduler tick would be wasted.
 */
const IDEMPOTENCY_PURGE_EVERY_MS = 3600 * 1000;

/** The request an Idempotency-Key names. */
interface IdempotencyClaim {
  readonly key: string;
  readonly userId: string;
  readonly route: string;
  readonly episodeId: string;
  readonly bodyHash: string;
  /** The key's record is past its lifetime: this request's answer replaces it. */
  readonly replacesExpired?: boolean;
}

/** How many episodes' latest snapshots the service keeps restored. */
const RECENT_SNAPSHOTS = 1000;

/** The actor of the scheduler's clock events. */
const SCHEDULER: EpisodeActor = { id: 'scheduler', role: 'system' };
/** The service itself, adopting the institution profile it runs with. */
const SERVICE: EpisodeActor = { id: 'service', role: 'system' };

/** The machine's actor role for a user's role (null: may not record events). */
function machineRole(role: UserRole): EpisodeActor['role'] | null {
  switch (role) {
    case 'clinician':
    case 'trainee':
      return 'clinician';
    case 'senior':
      return 'senior-clinician';
    case 'auditor':
    case 'admin':
      return null;
  }
}

/** The audit entry of an accepted event (all but its id and hash). */
export function auditEntryFor(accepted: {
  readonly episodeId: string;
  readonly seq: number;
  readonly event: EpisodeEvent;
  readonly before: EpisodeSnapshot;
  readonly after: EpisodeSnapshot;
  readonly check: { readonly reason: string; readonly evidence: unknown };
  readonly recordedAt: Date;
  readonly prevHash: string;
}): Omit<AuditRow, 'id' | 'hash'> {
  const { event, before, after, check } = accepted;
  return {
    episodeId: accepted.episodeId,
    seq: accepted.seq,
    type: event.type,
    payload: JSON.stringify(event.payload),
    actorId: event.actor.id,
    actorRole: event.actor.role,
    occurredAt: new Date(event.at),
    recordedAt: accepted.recordedAt,
    rationale: event.rationale ?? null,
    evidence: JSON.stringify(check.evidence),
    guard: JSON.stringify({ outcome: 'allowed', reason: check.reason }),
    stateBefore: JSON.stringify(before.value),
    stateAfter: JSON.stringify(after.value),
    protocolHash: after.context.protocol.hash,
    profileHash: after.context.profile.hash,
    prevHash: accepted.prevHash,
  };
}

/** A void as the readers show it on the entry it voids (null: none). */
function enteredInErrorOf(
  voided:
    | Pick<
        AuditRow,
        'seq' | 'actorId' | 'actorRole' | 'recordedAt' | 'rationale'
      >
    | undefined,
): EnteredInError | null {
  return voided === undefined
    ? null
    : {
        voidSeq: voided.seq,
        actorId: voided.actorId,
        actorRole: voided.actorRole,
        recordedAt: new Date(voided.recordedAt).toISOString(),
        rationale: voided.rationale,
      };
}

/** Episodes read at a time by a bulk migration. */
const BULK_MIGRATION_PAGE = 100;

type AlertBrief = Pick<
  EpisodeSnapshot['context']['alerts'][number],
  'id' | 'severity' | 'message'
>;

function briefs(
  alerts: EpisodeSnapshot['context']['alerts'],
  except: ReadonlySet<string>,
): AlertBrief[] {
  return alerts
    .filter((alert) => !except.has(alert.id))
    .map(({ id, severity, message }) => ({ id, severity, message }));
}

/**
 * What `event` (a migration) would make of one episode: the stage before
 * and after, the alerts gained and cleared, or the protocol's refusal.
 */
export function migrationPreview(
  row: Pick<
    EpisodeRow,
    'id' | 'patientIdentifier' | 'version' | 'initialSnapshot'
  >,
  before: EpisodeSnapshot,
  event: EpisodeEventOf<'protocol.migrated'>,
  history: {
    readonly entries: readonly AuditRow[];
    readonly plan: MigrationPlan;
  },
): BulkMigrationAnswer['episodes'][number] {
  const [after] = stepEpisode(before, event);
  const stageBefore = describeStage(before);
  const common = {
    id: row.id,
    patientIdentifier: row.patientIdentifier,
    version: row.version,
    stageBefore,
    replay: replayUnder(
      row,
      history.entries,
      knownProtocolVersion(event.payload.toVersion, 'body.toVersion'),
      {
        value: mappedValue(before.value, history.plan),
        alertIds: before.context.alerts.map((alert) => alert.id),
      },
      (id) => alertLabel(id),
    ),
  };
  if (after === before) {
    const refusal = explainRefusal(before, event);
    return {
      ...common,
      outcome: 'refused',
      reason: refusal?.reason ?? 'refused by the protocol',
      stageAfter: stageBefore,
      stageChanged: false,
      alertsGained: [],
      alertsCleared: [],
    };
  }
  const stageAfter = describeStage(after);
  const had = new Set(before.context.alerts.map((alert) => alert.id));
  const has = new Set(after.context.alerts.map((alert) => alert.id));
  return {
    ...common,
    outcome: 'would-migrate',
    stageAfter,
    stageChanged: stageAfter !== stageBefore,
    alertsGained: briefs(after.context.alerts, had),
    alertsCleared: briefs(before.context.alerts, has),
  };
}

/**
 * A trainee works on the training episodes they opened; any other episode
 * is answered as one that does not exist, exactly as an unknown id is (a
 * trainee cannot tell a real patient's episode from none, as in FHIR). The
 * one rule for every route that names an episode.
 */
export function refuseOthersEpisode(
  episode: Pick<EpisodeRow, 'id' | 'kind' | 'openedBy'>,
  user: Pick<AuthenticatedUser, 'role' | 'username'>,
): void {
  if (user.role !== 'trainee') return;
  if (episode.kind !== 'training' || episode.openedBy !== user.username) {
    throw new ServiceError(404, { message: `no episode ${episode.id}` });
  }
}

/**
 * The record as a write left it, for its answer: the same fields after an
 * event and after an entry marked entered in error.
 */
function writtenRecord(
  id: string,
  version: number,
  after: EpisodeSnapshot,
  derived: BoardColumns,
) {
  return {
    id,
    version,
    value: after.value,
    stage: derived.stage,
    tags: [...after.tags].sort(),
    alerts: after.context.alerts,
    lastResponse: after.context.lastResponse,
    nextDueAt: derived.nextDueAt?.toISOString() ?? null,
  };
}

/**
 * The single authority on every episode: rehydrates the machine from the
 * stored snapshot, lets it decide, and saves the new snapshot and the audit
 * entry in one transaction.
 */
export class EpisodesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly clock: Clock,
    private readonly profile: InstitutionProfile,
    private readonly workItems: WorkItemsService,
    /** The audit key (HMAC): never stored in the database. */
    private readonly auditKey: KeyObject,
    /** The deployed protocol version new episodes open under. */
    private readonly currentProtocolVersion: string = masProtocol.version,
  ) {
    this.statements = new BoundStatements(dataSource);
    this.gate = WriteGate.for(dataSource);
  }

  private readonly statements: BoundStatements;
  private readonly gate: WriteGate;
  /** The SHA-256 of the snapshots the seals cover, reused for the same text. */
  private readonly digests = new SnapshotDigests(RECENT_SNAPSHOTS);
  private virtualTime:
    ((row: EpisodeRow, manager: EntityManager) => Promise<Date | null>) | null =
    null;

  /**
   * Training episodes run on a virtual clock: their events happen at its
   * time, set here by the training service, never by the client.
   */
  useVirtualTime(
    clock: (row: EpisodeRow, manager: EntityManager) => Promise<Date | null>,
  ): void {
    this.virtualTime = clock;
  }

  /**
   * Recently written snapshots by episode, with the version they were written
   * at. Snapshots are immutable and every write moves the version on, so a
   * snapshot is reused only for the row version it belongs to: another
   * instance's write (PostgreSQL) or any other change makes it a miss.
   * Spares parsing and restoring kilobytes of JSON on every event.
   */
  private readonly recent = new Map<
    string,
    { readonly version: number; readonly snapshot: EpisodeSnapshot }
  >();

  private remember(id: string, version: number, snapshot: EpisodeSnapshot) {
    this.recent.delete(id);
    this.recent.set(id, { version, snapshot });
    if (this.recent.size > RECENT_SNAPSHOTS) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
  }

  private restore(row: EpisodeRow): EpisodeSnapshot {
    const recent = this.recent.get(row.id);
    if (recent?.version === row.version) return recent.snapshot;
    const snapshot = this.fromPersisted(row.snapshot);
    this.remember(row.id, row.version, snapshot);
    return snapshot;
  }

  private fromPersisted(json: string): EpisodeSnapshot {
    return restoreEpisodeSnapshot(JSON.parse(json));
  }

  /**
   * The state at a past time, rebuilt by replaying the audit (entries
   * recorded at or before `at`) on the episode's first snapshot.
   */
  async stateAt(id: string, at: unknown, user: AuthenticatedUser) {
    const instant = parseOrThrow(instantSchema, at, 'at');
    const row = await this.readable(id, user);
    if (row.initialSnapshot === null) {
      throw new ServiceError(409, {
        message: 'this episode predates replayable history',
      });
    }
    const entries = await this.dataSource
      .getRepository(this.entities.audit)
      .find({ where: { episodeId: id }, order: { seq: 'ASC' } });
    let snapshot = this.fromPersisted(row.initialSnapshot);
    const until = Date.parse(instant);
    // Before the episode opened there was no episode to show.
    const { openedAt } = snapshot.context;
    if (until < Date.parse(openedAt)) {
      const rule = `the episode opened at ${openedAt}: there is no state before it`;
      throw new ServiceError(400, {
        message: `at: ${rule}`,
        field: 'at',
        rule,
      });
    }
    // The history as it stood then: the entries recorded by that time,
    // without those entered in error by a void recorded by then (a void
    // recorded later does not reach back: the state then is the record's
    // as it stood, which the audit shows with its correction).
    const recorded = entries.filter(
      (entry) => new Date(entry.recordedAt).getTime() <= until,
    );
    const effective = effectiveEntries(recorded);
    let replayed = 0;
    let lastRead = 0;
    // (From the replay base on, the record's own steps: see historySteps.)
    for (const step of historySteps(row, recorded)) {
      snapshot = step.after;
      replayed += 1;
      lastRead = step.entry.seq;
    }
    // The last entry at that time was an earlier statechart's, and this one
    // cannot read the history up to it: no state is shown rather than an
    // earlier one passed off as it.
    const last = effective.at(-1);
    if (last && last.seq !== lastRead) {
      throw new ServiceError(409, {
        message: `the state at ${instant} cannot be rebuilt: the history up to entry ${String(last.seq)} was written by an earlier statechart in a form statechart ${MAS_EPISODE_MACHINE_VERSION} cannot read (the record is kept as written; ${replayScope(row)?.scope ?? 'see its verification'})`,
        rule: 'a past state is shown only when the history up to it can be read',
      });
    }
    return {
      at: instant,
      replayedEntries: replayed,
      value: snapshot.value,
      stage: describeStage(snapshot),
      tags: [...snapshot.tags].sort(),
      alerts: snapshot.context.alerts,
      context: snapshot.context,
    };
  }

  private summary(
    row: EpisodeRow,
    snapshot: EpisodeSnapshot,
    viewer?: EpisodeActor,
  ) {
    const explanation = explainSnapshot(
      snapshot,
      viewer ? { actor: viewer } : {},
    );
    return {
      id: row.id,
      kind: row.kind,
      ward: row.ward ?? null,
      patient: snapshot.context.patient,
      version: row.version,
      value: snapshot.value,
      stage: explanation.stage,
      final: explanation.final,
      tags: explanation.tags,
      alerts: explanation.alerts,
      nextDueAt: dueAtOf(row, explanation.final),
      protocol: snapshot.context.protocol,
      protocolRelease: protocolReleaseOf(
        snapshot.context.protocol.version,
        snapshot.context.protocol.hash,
      ),
      profile: snapshot.context.profile,
      context: snapshot.context,
      allowed: explanation.allowed,
      blocked: explanation.blocked,
      /** The persisted snapshot: the web app restores the same machine. */
      snapshot: masEpisodeMachine.getPersistedSnapshot(snapshot),
    };
  }

  async create(body: unknown, user: AuthenticatedUser) {
    if (machineRole(user.role) === null) {
      throw new ServiceError(403, {
        message: `the ${user.role} role does not open episodes`,
      });
    }
    const request = parseOrThrow(episodeCreateSchema, body, 'body');
    const patient = parseOrThrow(patientSchema, request.patient, 'patient');
    if (user.role === 'trainee' && request.kind !== 'training') {
      throw new ServiceError(403, {
        message: 'trainees open training episodes only',
      });
    }
    // Pseudonymous: the identifier has the institution's format (a name
    // or a national number does not).
    const format = this.profile.data.patientIdentifier;
    if (
      format &&
      !new RegExp(`^(?:${format.pattern})$`, 'u').test(patient.identifier)
    ) {
      const rule = `must be ${format.description}`;
      throw new ServiceError(400, {
        message: `patient.identifier: ${rule}`,
        field: 'patient.identifier',
        rule,
      });
    }
    const now = this.clock.now();
    // Impossible measures are a 400 naming the field and the bound; unusual
    // ones (a likely unit slip) need the recorder's confirmation.
    let measures;
    try {
      measures = checkPatientMeasures(patient, now.toISOString());
    } catch (error) {
      if (error instanceof ClinicalInputError) throw error.under('patient');
      throw error;
    }
    const confirmed = new Set(request.confirmUnusual ?? []);
    const unconfirmed = measures.unusual.filter(
      (item) => !confirmed.has(item.field),
    );
    if (unconfirmed.length > 0) {
      throw new ServiceError(422, {
        message: `unusual patient measures, confirm each (confirmUnusual) or correct it: ${unconfirmed.map((item) => `patient.${item.field}: ${item.message}`).join('; ')}`,
        unusualFields: unconfirmed.map((item) => item.field),
      });
    }
    // A second open episode of one patient splits the record (alerts and
    // reassessments in two places): most often the first was not found.
    // Opened all the same (another illness is possible), and the answer
    // names the ones already open, for the page to say so.
    const alreadyOpen = await this.dataSource
      .getRepository(this.entities.episode)
      .createQueryBuilder('episode')
      .select(['episode.id', 'episode.createdAt', 'episode.stage'])
      .where('episode.patientIdentifier = :identifier', {
        identifier: patient.identifier,
      })
      .andWhere('episode.kind = :kind', { kind: request.kind })
      .andWhere('episode.tags NOT LIKE :final', { final: ENDED_TAGS })
      .orderBy('episode.createdAt', 'DESC')
      .limit(MAX_OPEN_NAMED)
      .getMany();
    const id = randomUUID();
    // No effects here: the machine requests them only from events (its
    // `apply` action), so opening an episode opens no work item.
    const [snapshot] = initialTransition(masEpisodeMachine, {
      episodeId: id,
      patient,
      openedAt: now.toISOString(),
      initialStage: request.initialStage,
      profile: this.profile,
      protocolVersion: this.currentProtocolVersion,
    });
    const persisted = JSON.stringify(
      masEpisodeMachine.getPersistedSnapshot(snapshot),
    );
    const row: EpisodeRow = {
      id,
      kind: request.kind,
      patientIdentifier: patient.identifier,
      snapshot: persisted,
      initialSnapshot: persisted,
      ...derivedColumns(snapshot),
      protocolVersion: snapshot.context.protocol.version,
      protocolHash: snapshot.context.protocol.hash,
      profileHash: snapshot.context.profile.hash,
      machineVersion: MAS_EPISODE_MACHINE_VERSION,
      version: 0,
      createdAt: now,
      updatedAt: now,
      seal: null,
      openedBy: user.username,
      // One spelling per ward: composed characters, single spaces.
      ward: request.ward?.normalize('NFC').replace(/\s+/gu, ' ') ?? null,
      quality:
        request.kind === 'real'
          ? JSON.stringify(keptQualityAtStart(snapshot, id))
          : null,
      qualitySeal: null,
    };
    row.seal = episodeSeal(this.auditKey, row, null, this.digests);
    row.qualitySeal =
      row.quality === null ? null : qualitySeal(this.auditKey, row);
    await this.gate.run(() =>
      this.dataSource.getRepository(this.entities.episode).insert(row),
    );
    // (Trainees share the scenarios' identifiers: said for real ones only.)
    return {
      ...this.summary(row, snapshot),
      ...(alreadyOpen.length > 0 && request.kind === 'real'
        ? {
            openEpisodes: alreadyOpen.map((open) => ({
              id: open.id,
              openedAt: new Date(open.createdAt).toISOString(),
              stage: open.stage,
            })),
          }
        : {}),
    };
  }

  async list(query: Record<string, unknown>, user: AuthenticatedUser) {
    // Every filter checked before it reaches the database: a page of 1e18,
    // a NUL character or a lone surrogate is a 400 naming the parameter.
    const { page, pageSize, ...filters } = parseOrThrow(
      episodeListQuerySchema,
      query,
      '',
    );
    const builder = this.dataSource
      .getRepository(this.entities.episode)
      .createQueryBuilder('episode')
      // The list never needs the snapshots (kilobytes each).
      .select([
        'episode.id',
        'episode.kind',
        'episode.patientIdentifier',
        'episode.ward',
        'episode.stage',
        'episode.tags',
        'episode.alertIds',
        'episode.overdue',
        'episode.nextDueAt',
        'episode.version',
        'episode.urgency',
        'episode.updatedAt',
        // The board shows a few facts from the snapshot (times, therapies,
        // alert wording): read for this page only.
        'episode.snapshot',
      ])
      .orderBy('episode.urgency', 'DESC')
      .addOrderBy('episode.updatedAt', 'DESC')
      .offset((page - 1) * pageSize)
      .limit(pageSize);
    // Training episodes never appear among real ones: one kind per list
    // (real by default; trainees see training episodes only).
    const kind = user.role === 'trainee' ? 'training' : filters.kind;
    builder.andWhere('episode.kind = :kind', { kind });
    // A trainee's list holds the training episodes they opened.
    if (user.role === 'trainee') {
      builder.andWhere('episode.openedBy = :me', { me: user.username });
    }
    if (filters.overdue === 'true')
      builder.andWhere('episode.overdue = :overdue', { overdue: true });
    if (filters.stage !== undefined) {
      builder.andWhere('episode.stage LIKE :stage', {
        stage: `%${filters.stage}%`,
      });
    }
    if (filters.alert !== undefined) {
      builder.andWhere('episode.alertIds LIKE :alert', {
        alert: `%"${filters.alert}"%`,
      });
    }
    // COUNT(*), not TypeORM's COUNT(DISTINCT id): one row per episode here,
    // and the count of a kind then comes from the (kind, urgency) index.
    const [rows, counted] = await Promise.all([
      builder.getMany(),
      builder
        .clone()
        .select('COUNT(*)', 'total')
        .offset(undefined)
        .limit(undefined)
        .orderBy()
        .getRawOne<{ total: number | string }>(),
    ]);
    const total = Number(counted?.total ?? 0);
    return {
      page,
      pageSize,
      total,
      items: rows.map((row) => {
        const context = (
          JSON.parse(row.snapshot) as { context: EpisodeSnapshot['context'] }
        ).context;
        return {
          id: row.id,
          kind: row.kind,
          patientIdentifier: row.patientIdentifier,
          ward: row.ward ?? null,
          stage: row.stage,
          tags: JSON.parse(row.tags) as string[],
          alerts: JSON.parse(row.alertIds) as string[],
          alertDetails: context.alerts.map((a) => ({
            id: a.id,
            severity: a.severity,
            message: a.message,
          })),
          therapies: context.therapies
            .filter((t) => t.stoppedAt === undefined)
            .map((t) => t.drug),
          suspicionAt: context.suspicionAt,
          firstGlucocorticoidAt: context.firstGlucocorticoidAt,
          overdue: row.overdue,
          urgency: row.urgency,
          nextDueAt:
            row.nextDueAt && !ended(row)
              ? new Date(row.nextDueAt).toISOString()
              : null,
          version: row.version,
        };
      }),
    };
  }

  private async load(id: string, manager?: EntityManager): Promise<EpisodeRow> {
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      throw new ServiceError(404, { message: `no episode ${id}` });
    }
    const row = await (manager ?? this.dataSource.manager)
      .getRepository(this.entities.episode)
      .findOneBy({ id });
    if (!row) throw new ServiceError(404, { message: `no episode ${id}` });
    return row;
  }

  /** The episode's row, if this user may work on it (404, 403). */
  async readable(id: string, user: AuthenticatedUser): Promise<EpisodeRow> {
    const row = await this.load(id);
    refuseOthersEpisode(row, user);
    return row;
  }

  /** `load` inside a write transaction, with a statement prepared once. */
  private async loadForWrite(
    id: string,
    manager: EntityManager,
  ): Promise<EpisodeRow> {
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      throw new ServiceError(404, { message: `no episode ${id}` });
    }
    const row = await this.statements.findById(
      manager,
      this.entities.episode,
      id,
    );
    if (!row) throw new ServiceError(404, { message: `no episode ${id}` });
    return row;
  }

  async get(id: string, user: AuthenticatedUser) {
    const row = await this.readable(id, user);
    const role = machineRole(user.role);
    const taken = takenUpOf(row).takenUp;
    return {
      ...this.summary(
        row,
        this.restore(row),
        role ? { id: user.username, role } : undefined,
      ),
      /** Where the audit's replay starts (the web app shows alerts per entry). */
      initialSnapshot:
        row.initialSnapshot === null
          ? null
          : (JSON.parse(row.initialSnapshot) as unknown),
      /** Where a later statechart took the record over (replays take it up). */
      takenUp: taken
        ? { afterEntries: taken.afterEvents, snapshot: taken.snapshot }
        : null,
    };
  }

  /** The episode's row and its restored snapshot (training reads them). */
  async snapshotOf(
    id: string,
    user: AuthenticatedUser,
  ): Promise<{ row: EpisodeRow; snapshot: EpisodeSnapshot }> {
    const row = await this.readable(id, user);
    return { row, snapshot: this.restore(row) };
  }

  /**
   * Sends the scheduler's `clock.ticked` at `at` (a training episode's
   * virtual time), as the scheduler does at the wall-clock time.
   */
  async tickAt(id: string, at: Date): Promise<void> {
    const event = parseEpisodeEvent(
      {
        type: 'clock.ticked',
        at: at.toISOString(),
        actor: SCHEDULER,
        payload: {},
      },
      'tick',
    );
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const row = await this.load(id);
      try {
        await this.apply(id, event, row.version, null, this.clock.now());
        return;
      } catch (error) {
        // A race is retried; a record changed outside the service is not
        // (it never will be written on until an auditor has checked it).
        if (
          !(error instanceof ServiceError && error.status === 409) ||
          error.body.rule === SEAL_BROKEN
        ) {
          throw error;
        }
      }
    }
    throw new ServiceError(409, {
      message: 'the episode kept changing: the clock did not tick; retry',
    });
  }

  /** "Now" for an event's clinical times: the virtual clock in training. */
  private referenceNow(
    event: EpisodeEvent,
    row: EpisodeRow,
    now: Date,
    timeGiven: boolean,
  ): Date {
    // A training episode's event already carries its virtual time.
    if (row.kind === 'training' && !timeGiven) {
      const at = new Date(event.at);
      return at.getTime() > now.getTime() ? at : now;
    }
    return now;
  }

  /**
   * What an episode is now, as `get` says it, without what may be recorded
   * next: explaining every candidate event is most of `get`'s cost, and an
   * export of the record (FHIR) shows none of it.
   */
  async state(id: string, user: AuthenticatedUser) {
    const row = await this.readable(id, user);
    const snapshot = this.restore(row);
    const final = snapshot.status === 'done';
    return {
      id: row.id,
      kind: row.kind,
      version: row.version,
      patient: snapshot.context.patient,
      value: snapshot.value,
      stage: describeStage(snapshot),
      final,
      alerts: snapshot.context.alerts,
      nextDueAt: dueAtOf(row, final),
      protocol: snapshot.context.protocol,
      context: snapshot.context,
    };
  }

  /**
   * The audited events as `audit` gives them, without the states, guard and
   * evidence each entry also keeps (most of its bytes, and nothing an export
   * of the record shows): read from the database without them.
   */
  async auditedEvents(id: string, user: AuthenticatedUser) {
    await this.readable(id, user);
    const entries = await this.dataSource
      .getRepository(this.entities.audit)
      .find({
        select: {
          seq: true,
          type: true,
          payload: true,
          actorId: true,
          actorRole: true,
          occurredAt: true,
          recordedAt: true,
          rationale: true,
        },
        where: { episodeId: id },
        order: { seq: 'ASC' },
      });
    const voids = voidsOf(entries);
    return entries.map((entry) => ({
      seq: entry.seq,
      enteredInError: enteredInErrorOf(voids.get(entry.seq)),
      type: entry.type,
      payload: JSON.parse(entry.payload) as unknown,
      actorId: entry.actorId,
      actorRole: entry.actorRole,
      occurredAt: entry.occurredAt,
      recordedAt: entry.recordedAt,
      rationale: entry.rationale,
    }));
  }

  async audit(id: string, user: AuthenticatedUser) {
    const row = await this.readable(id, user);
    const entries = await this.dataSource
      .getRepository(this.entities.audit)
      .find({ where: { episodeId: id }, order: { seq: 'ASC' } });
    const { perEntry } = auditProtocolReleases(entries, row.protocolVersion);
    const voids = voidsOf(entries);
    return entries.map((entry, i) => ({
      ...entry,
      protocolRelease: perEntry[i],
      enteredInError: enteredInErrorOf(voids.get(entry.seq)),
      payload: JSON.parse(entry.payload) as unknown,
      evidence: JSON.parse(entry.evidence) as unknown,
      guard: JSON.parse(entry.guard) as unknown,
      stateBefore: JSON.parse(entry.stateBefore) as unknown,
      stateAfter: JSON.parse(entry.stateAfter) as unknown,
    }));
  }

  /** Records an event: 400 bad payload, 409 stale version, 422 refused by the machine. */
  async send(
    id: string,
    body: unknown,
    user: AuthenticatedUser,
    idempotencyKey: string | undefined,
    /** 'fhir-import': the service's own import, the one to name a source. */
    via: 'request' | 'fhir-import' = 'request',
  ): Promise<{ status: number; body: unknown }> {
    // The key names this request: this user, this route, this episode and
    // this body. A repeat gets the answer recorded with the event (in its
    // transaction); the same key for another request is refused.
    let claim = this.claimOf(idempotencyKey, user, EVENTS_ROUTE, id, body);
    const role = machineRole(user.role);
    if (role === null) {
      throw new ServiceError(403, {
        message: `the ${user.role} role does not record events`,
      });
    }
    const request = parseOrThrow(eventRequestSchema, body, 'body');
    if (request.type === 'protocol.migrated') {
      // Only its own route records a migration, at the service's time.
      const rule = `a protocol migration is recorded through POST /api/episodes/${id}/migrate, never as an event`;
      throw new ServiceError(400, {
        message: `body.type: ${rule}`,
        field: 'body.type',
        rule,
      });
    }
    if (
      via === 'request' &&
      typeof request.payload === 'object' &&
      request.payload !== null &&
      'source' in request.payload
    ) {
      // What a laboratory sent, and under which identifiers, is the
      // import's to say (an export names the result by them).
      const rule = `results from a laboratory system are recorded through POST /api/episodes/${id}/fhir, which names their source; an event never does`;
      throw new ServiceError(400, {
        message: `body.payload.source: ${rule}`,
        field: 'body.payload.source',
        rule,
      });
    }
    const allowed = rolesFor(request.type);
    if (!allowed.includes(role)) {
      const rule =
        request.type === 'clock.ticked'
          ? 'the clock is moved by the service scheduler alone, never by a user'
          : request.type === 'profile.adopted'
            ? 'an institution profile is adopted by the service alone, when it runs with another, never by a user'
            : `${request.type} is recorded by a ${describeRoles(allowed)}`;
      throw new ServiceError(403, {
        message: `body.type: ${rule}`,
        field: 'body.type',
        rule,
      });
    }
    const repeated = await this.repeatedAnswer(claim, id, user);
    if (repeated.answer) return repeated.answer;
    claim = repeated.claim;
    const now = this.clock.now();
    const actor: EpisodeActor = { id: user.username, role };
    const event = parseEpisodeEvent(
      {
        type: request.type,
        at: request.occurredAt ?? now.toISOString(),
        actor,
        payload: request.payload ?? {},
        ...(request.rationale === undefined
          ? {}
          : { rationale: request.rationale }),
      },
      'body',
    );

    if (
      event.type === 'labs.recorded' ||
      event.type === 'reassessment.recorded'
    ) {
      // A physiologically impossible value is bad input (400 naming the
      // field and the bound); an unusual one is the machine's to confirm.
      try {
        parseLabPanel(event.payload.panel);
      } catch (error) {
        if (error instanceof ClinicalInputError) {
          throw error.under('body.payload.panel');
        }
        throw error;
      }
    }
    try {
      return await this.apply(
        id,
        event,
        request.expectedVersion,
        user,
        now,
        request.occurredAt !== undefined,
        claim,
      );
    } catch (error) {
      // The same key sent twice at once: one committed, the other lost the
      // race (a stale version, or the key already recorded): its answer is
      // the committed one.
      if (claim && error instanceof ServiceError && error.status === 409) {
        const { answer } = await this.committedKeyRecord(claim);
        if (answer) return answer;
      }
      throw error;
    }
  }

  /**
   * The claim an Idempotency-Key makes (null: no key): 400 naming the
   * header for a key the table cannot hold, checked before anything is
   * written (it would fail after the write, leaving a retry unprotected).
   */
  private claimOf(
    idempotencyKey: string | undefined,
    user: AuthenticatedUser,
    route: string,
    episodeId: string,
    body: unknown,
  ): IdempotencyClaim | null {
    if (idempotencyKey === undefined) return null;
    if (
      idempotencyKey.length === 0 ||
      idempotencyKey.length > IDEMPOTENCY_KEY_MAX_LENGTH
    ) {
      const rule = `must be 1 to ${String(IDEMPOTENCY_KEY_MAX_LENGTH)} characters`;
      throw new ServiceError(400, {
        message: `idempotency-key: ${rule}`,
        field: 'idempotency-key',
        rule,
      });
    }
    return {
      key: idempotencyKey,
      userId: user.id,
      route,
      episodeId,
      bodyHash: sha256Text(canonicalize(body) ?? ''),
    };
  }

  /**
   * The answer already recorded for the claim's request, if any, and the
   * claim to record this one under (an expired record is replaced).
   */
  private async repeatedAnswer(
    claim: IdempotencyClaim | null,
    id: string,
    user: AuthenticatedUser,
  ): Promise<{
    answer: { status: number; body: unknown } | null;
    claim: IdempotencyClaim | null;
  }> {
    if (!claim) return { answer: null, claim };
    const record = await this.committedKeyRecord(claim);
    if (record.answer) {
      // A repeat's answer carries the episode's state: given only to a
      // user who may still work on the episode now (a role changed since
      // is checked as for any request, never bypassed by a key).
      await this.readable(id, user);
      return { answer: record.answer, claim };
    }
    return {
      answer: null,
      claim: record.expired ? { ...claim, replacesExpired: true } : claim,
    };
  }

  /**
   * Moves a running episode to another deployed protocol version by the
   * proven plan for the pair (`protocol.migrated`, audited like any event:
   * who, when, why, from, to and the plan's hash). 400 naming the field for
   * a version not deployed, 422 where no proven plan leads there or the
   * machine refuses, 409 for a stale version.
   */
  async migrate(
    id: string,
    body: unknown,
    user: AuthenticatedUser,
  ): Promise<{ status: number; body: unknown }> {
    if (user.role !== 'senior') {
      throw new ServiceError(403, {
        message: 'a protocol migration is decided by a senior clinician',
      });
    }
    const request = parseOrThrow(migrationRequestSchema, body, 'body');
    // A version not deployed: a 400 naming the field (the errors filter).
    deployedProtocolVersion(request.toVersion, 'body.toVersion');
    const row = await this.readable(id, user);
    const fromVersion = this.restore(row).context.protocol.version;
    const plan = findMigrationPlan(fromVersion, request.toVersion);
    const now = this.clock.now();
    if (plan === undefined) {
      const reason = `no proven migration plan leads from protocol version ${fromVersion} to ${request.toVersion}`;
      // Kept with the machine's refusals: an auditor sees the attempt.
      await this.gate.transaction(async (manager) => {
        const attempt: NewRefusal = {
          id: randomUUID(),
          episodeId: id,
          type: 'protocol.migrated',
          payload: JSON.stringify({
            fromVersion,
            toVersion: request.toVersion,
          }),
          actorId: user.username,
          actorRole: 'senior-clinician',
          recordedAt: now,
          reason,
          evidence: '[]',
        };
        await this.recordRefusal(manager, attempt);
      });
      return {
        status: 422,
        body: { message: reason, type: 'protocol.migrated', evidence: [] },
      };
    }
    const event = parseEpisodeEvent(
      {
        type: 'protocol.migrated',
        at: now.toISOString(),
        actor: { id: user.username, role: 'senior-clinician' },
        payload: {
          fromVersion,
          toVersion: request.toVersion,
          planHash: migrationPlanHash(plan),
        },
        rationale: request.rationale,
      },
      'body',
    );
    return this.apply(id, event, request.expectedVersion, user, now);
  }

  /**
   * Marks an audited event as entered in error (FHIR `entered-in-error`):
   * nothing is deleted or rewritten; an audit entry of its own
   * (`entry.voided`: which entry, who, when, why) is chained like any
   * other, and the episode becomes its history replayed without the entries
   * voided so far (`replayEffective`), saved in the same transaction with
   * its board columns, work items and quality facts, the version one
   * higher. Refused, with nothing written: a role that records no events
   * (403), or not the event's (403); a body without `seq`, `rationale` or
   * `expectedVersion` (400 naming it); a stale version (409); an entry that
   * is not an event a clinician recorded in this episode, already voided, a
   * void, or before the replay base (422); an entry a later one rests on
   * (422 naming the later entry and the machine's reason); a record its
   * history does not reproduce (409).
   */
  async voidEntry(
    id: string,
    body: unknown,
    user: AuthenticatedUser,
    idempotencyKey: string | undefined,
  ): Promise<{ status: number; body: unknown }> {
    let claim = this.claimOf(idempotencyKey, user, VOID_ROUTE, id, body);
    const role = machineRole(user.role);
    if (role === null) {
      throw new ServiceError(403, {
        message: `the ${user.role} role does not mark entries entered in error (clinicians and seniors do)`,
      });
    }
    const request = parseOrThrow(entryVoidRequestSchema, body, 'body');
    const repeated = await this.repeatedAnswer(claim, id, user);
    if (repeated.answer) return repeated.answer;
    claim = repeated.claim;
    const now = this.clock.now();
    try {
      return await this.writeVoid(id, request, user, role, now, claim);
    } catch (error) {
      // The same key sent twice at once: the committed answer.
      if (claim && error instanceof ServiceError && error.status === 409) {
        const { answer } = await this.committedKeyRecord(claim);
        if (answer) return answer;
      }
      // A refused void is kept as a refused event is (chained in
      // rejected_attempts, with the entry it named): who tried to void
      // what, when, and why it was refused. (A 404 names no episode.)
      if (
        error instanceof ServiceError &&
        [403, 409, 422].includes(error.status)
      ) {
        await this.recordVoidRefusal(id, request.seq, user, error, role);
      }
      throw error;
    }
  }

  /** A refused void, kept with the episode's refused events. */
  private async recordVoidRefusal(
    id: string,
    seq: number,
    user: AuthenticatedUser,
    refused: ServiceError,
    role: EpisodeActor['role'],
  ): Promise<void> {
    const attempt: NewRefusal = {
      id: randomUUID(),
      episodeId: id,
      type: ENTRY_VOIDED,
      payload: JSON.stringify({ seq }),
      actorId: user.username,
      actorRole: role,
      recordedAt: this.clock.now(),
      reason: `${String(refused.status)}: ${refused.message}`,
      evidence: '[]',
    };
    await this.gate.transaction((manager) =>
      this.recordRefusal(manager, attempt),
    );
  }

  private async writeVoid(
    id: string,
    request: { seq: number; rationale: string; expectedVersion: number },
    user: AuthenticatedUser,
    role: EpisodeActor['role'],
    now: Date,
    claim: IdempotencyClaim | null,
  ): Promise<{ status: number; body: unknown }> {
    const { seq } = request;
    const refuse = (status: number, rule: string, more = {}) =>
      new ServiceError(status, {
        message: `body.seq: ${rule}`,
        field: 'body.seq',
        rule,
        seq,
        ...more,
      });
    let written: { version: number; snapshot: EpisodeSnapshot } | null = null;
    const outcome = await this.gate.transaction(async (manager) => {
      const row = await this.loadForWrite(id, manager);
      refuseOthersEpisode(row, user);
      if (row.version !== request.expectedVersion) {
        throw new ServiceError(409, {
          message: `expectedVersion ${request.expectedVersion} is stale: the episode is at version ${row.version}`,
          version: row.version,
        });
      }
      const last = await this.statements.chainHead(
        manager,
        this.entities.audit,
        id,
      );
      // As for an event: a record changed outside the service is never
      // built upon.
      const form =
        row.seal === null
          ? null
          : sealForm(this.auditKey, row, last?.hash ?? null, this.digests);
      if (
        form === null ||
        (form === 'before-board' && boardChanged(row, this.restore(row)))
      ) {
        throw new ServiceError(409, {
          message:
            'the episode record does not match its seal (changed outside the service): no entry is marked entered in error on it until an auditor has checked it (GET /api/audit/verify)',
          rule: SEAL_BROKEN,
        });
      }
      if (row.machineVersion !== MAS_EPISODE_MACHINE_VERSION) {
        throw refuse(
          422,
          `the episode was written by statechart ${row.machineVersion}, which statechart ${MAS_EPISODE_MACHINE_VERSION} does not replay: no entry of it is marked entered in error until an event has been recorded under ${MAS_EPISODE_MACHINE_VERSION}`,
        );
      }
      const entries = await manager
        .getRepository(this.entities.audit)
        .find({ where: { episodeId: id }, order: { seq: 'ASC' } });
      const target = entries.find((entry) => entry.seq === seq);
      if (target === undefined) {
        throw refuse(
          422,
          `the episode's audit has no entry ${String(seq)} (its entries are 1 to ${String(last?.seq ?? 0)})`,
        );
      }
      // A stored payload that does not parse (changed outside the service)
      // is answered, never a 500: the entry cannot be read, so not voided.
      let targetPayload: unknown;
      try {
        targetPayload = JSON.parse(target.payload) as unknown;
      } catch {
        throw refuse(
          422,
          `entry ${String(seq)} cannot be read: its stored payload is not valid JSON (changed outside the service?); it is not marked entered in error until an auditor has checked the episode (GET /api/episodes/${id}/audit/verify)`,
        );
      }
      const label = `entry ${String(seq)} (${eventLabelOf(target.type, targetPayload)})`;
      if (target.type === ENTRY_VOIDED) {
        throw refuse(
          422,
          `${label} is itself a correction: a correction is never marked entered in error`,
        );
      }
      const roles = rolesFor(target.type);
      if (
        target.type === 'protocol.migrated' ||
        !roles.some((each) => each !== 'system')
      ) {
        throw refuse(
          422,
          `${label} is not a clinical event: the service's own entries (the clock, a profile adopted, a protocol migration) are never marked entered in error`,
        );
      }
      const voided = voidsOf(entries).get(seq);
      if (voided) {
        throw refuse(
          422,
          `${label} was already marked entered in error by entry ${String(voided.seq)} (${voided.actorId}, ${new Date(voided.recordedAt).toISOString()})`,
          { voidSeq: voided.seq },
        );
      }
      if (!roles.includes(role)) {
        throw new ServiceError(403, {
          message: `body.seq: ${label} is recorded by a ${describeRoles(roles)}: only they mark it entered in error`,
          field: 'body.seq',
        });
      }
      const corrector = correctionRefusal(target, {
        id: user.username,
        role,
      });
      if (corrector !== null) {
        throw new ServiceError(403, {
          message: `body.seq: ${label} ${corrector}`,
          field: 'body.seq',
        });
      }
      const base = replayBaseOf(row);
      if (base && seq <= base.seq) {
        throw refuse(
          422,
          `${label} lies before the episode's replay base (entry ${String(base.seq)}, where statechart ${MAS_EPISODE_MACHINE_VERSION} took the record over): an earlier statechart wrote it, and a replay without it cannot be rebuilt`,
        );
      }
      // The record as stored must be its history replayed (never rebuild
      // a record that cannot be reproduced: its seal holds, but a replay
      // that differs would silently change it).
      let current: ReturnType<typeof replayEffective>;
      try {
        current = replayEffective(row, entries);
      } catch {
        current = null;
      }
      const stored = this.restore(row);
      if (
        current === null ||
        current.kind !== 'replayed' ||
        JSON.stringify(
          masEpisodeMachine.getPersistedSnapshot(current.snapshot),
        ) !== row.snapshot
      ) {
        throw new ServiceError(409, {
          message: `body.seq: ${label} is not marked entered in error: the episode's record is not what its history replays to (GET /api/episodes/${id}/audit/verify names why), and a rebuilt record would silently change it`,
          field: 'body.seq',
          rule: NOT_REPRODUCED,
        });
      }
      const rebuilt = replayEffective(row, entries, {
        without: seq,
        refusals: true,
      });
      if (rebuilt === null) throw new Error('replayable a moment ago');
      if (rebuilt.kind === 'refused') {
        const later = `entry ${String(rebuilt.entry.seq)} (${eventLabelOf(rebuilt.event.type, rebuilt.event.payload)})`;
        throw refuse(
          422,
          `${label} is not marked entered in error: ${later} rests on it, and without it the protocol refuses ${later}: ${rebuilt.reason}. Mark ${later} entered in error first.`,
          {
            dependentSeq: rebuilt.entry.seq,
            dependentType: rebuilt.event.type,
            reason: rebuilt.reason,
          },
        );
      }
      const after = rebuilt.snapshot;
      const version = row.version + 1;
      const entry: Omit<AuditRow, 'id' | 'hash'> = {
        episodeId: id,
        seq: (last?.seq ?? 0) + 1,
        type: ENTRY_VOIDED,
        payload: JSON.stringify({ seq, type: target.type }),
        actorId: user.username,
        actorRole: role,
        occurredAt: now,
        recordedAt: now,
        rationale: request.rationale,
        evidence: '[]',
        guard: JSON.stringify({
          outcome: 'allowed',
          reason: `${label} entered in error: the episode is its history replayed without it`,
        }),
        stateBefore: JSON.stringify(stored.value),
        stateAfter: JSON.stringify(after.value),
        protocolHash: after.context.protocol.hash,
        profileHash: after.context.profile.hash,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const hash = auditEntryHash(this.auditKey, entry);
      const derived = await this.saveRecord(manager, row, {
        after,
        version,
        headHash: hash,
        now,
        quality: this.qualityReplayed(row, version, entries, seq),
        columns: {
          protocolVersion: after.context.protocol.version,
          protocolHash: after.context.protocol.hash,
          profileHash: after.context.profile.hash,
        },
      });
      // The work items the history now implies (the same rule as after
      // any event: the replay's steps), in this transaction.
      await this.workItems.reconcile(manager, id, rebuilt.workItems);
      await this.statements.insert(manager, this.entities.audit, {
        ...entry,
        id: randomUUID(),
        hash,
      });
      written = { version, snapshot: after };
      const accepted = {
        status: 201,
        body: {
          ...writtenRecord(id, version, after, derived),
          enteredInError: { seq, type: target.type, voidSeq: entry.seq },
        },
      };
      await this.recordAnswer(manager, claim, accepted, now);
      return accepted;
    });
    this.rememberWritten(id, written);
    return outcome;
  }

  /**
   * The kept quality facts of a record whose history changed (an entry
   * entered in error), replayed from its history without the voided
   * entries and kept at `version`: none where none were kept (the report
   * replays it); facts changed outside the service are left as found, for
   * verification to name.
   */
  private qualityReplayed(
    row: EpisodeRow,
    version: number,
    entries: readonly AuditRow[],
    without: number,
  ): Pick<EpisodeRow, 'quality' | 'qualitySeal'> {
    if (row.quality === null) return { quality: null, qualitySeal: null };
    if (vouchedQuality(this.auditKey, row) === null) {
      return { quality: row.quality, qualitySeal: row.qualitySeal };
    }
    // (Each event keeps its audit seq: the replay base names one.)
    const effective = effectiveEntries(entries).filter(
      (entry) => entry.seq !== without,
    );
    const kept = replayKeptQuality({
      episodeId: row.id,
      kind: row.kind,
      ward: row.ward ?? null,
      initialSnapshot:
        row.initialSnapshot === null
          ? null
          : (JSON.parse(row.initialSnapshot) as unknown),
      events: effective.map(recordedEvent),
      seqs: effective.map((entry) => entry.seq),
      ...takenUpOf(row),
    });
    return this.sealedQuality(
      row.id,
      version,
      kept === null ? null : JSON.stringify({ ...kept, atVersion: version }),
    );
  }

  /**
   * Every running episode of one kind under `fromVersion`, moved to
   * `toVersion` by the proven plan for the pair: each in its own
   * transaction and audit entry, exactly as the one-episode route does. A
   * dry run (the default; auditors may run it too) writes nothing and says
   * what each episode would become: its stage before and after, the alerts
   * it would gain or lose, or the protocol's reason for refusing. Finished
   * episodes stay under the version they ran under. Run again, a migration
   * finds nothing left under the old version (idempotent by construction).
   */
  async migrateAll(
    body: unknown,
    user: AuthenticatedUser,
  ): Promise<BulkMigrationAnswer> {
    if (user.role !== 'senior' && user.role !== 'auditor') {
      throw new ServiceError(403, {
        message:
          'a protocol migration is decided by a senior clinician (auditors may ask for its dry run)',
      });
    }
    const request = parseOrThrow(bulkMigrationRequestSchema, body, 'body');
    if (!request.dryRun && user.role !== 'senior') {
      throw new ServiceError(403, {
        message:
          'a protocol migration is decided by a senior clinician: auditors may ask for its dry run (dryRun true)',
      });
    }
    deployedProtocolVersion(request.fromVersion, 'body.fromVersion');
    deployedProtocolVersion(request.toVersion, 'body.toVersion');
    const plan = findMigrationPlan(request.fromVersion, request.toVersion);
    if (plan === undefined) {
      throw new ServiceError(422, {
        message: `no proven migration plan leads from protocol version ${request.fromVersion} to ${request.toVersion}`,
      });
    }
    const planHash = migrationPlanHash(plan);
    const now = this.clock.now();
    const totals = {
      running: 0,
      finished: 0,
      wouldMigrate: 0,
      migrated: 0,
      refused: 0,
      changed: 0,
      stageChanges: 0,
      gainingAlerts: 0,
    };
    const episodes: BulkMigrationAnswer['episodes'] = [];
    const repository = this.dataSource.getRepository(this.entities.episode);
    // A page at a time in id order: a ward's thousands of snapshots are
    // never all in memory at once.
    let after = '';
    for (;;) {
      const rows = await repository
        .createQueryBuilder('episode')
        .where('episode.protocolVersion = :version', {
          version: request.fromVersion,
        })
        .andWhere('episode.kind = :kind', { kind: request.kind })
        .andWhere('episode.id > :after', { after })
        .orderBy('episode.id', 'ASC')
        .limit(BULK_MIGRATION_PAGE)
        .getMany();
      const last = rows.at(-1);
      if (last === undefined) break;
      after = last.id;
      // Each episode's history, replayed under the new version beside the
      // plan's mapping (evidence for the senior, never written).
      const history = auditByEpisode(
        await this.dataSource.getRepository(this.entities.audit).find({
          where: { episodeId: In(rows.map((row) => row.id)) },
          order: { episodeId: 'ASC', seq: 'ASC' },
        }),
      );
      for (const row of rows) {
        const before = this.fromPersisted(row.snapshot);
        if (before.status !== 'active') {
          totals.finished += 1;
          continue;
        }
        totals.running += 1;
        // A training episode lives at its virtual time, as on every write.
        const virtual =
          row.kind === 'training' && this.virtualTime
            ? await this.virtualTime(row, this.dataSource.manager)
            : null;
        const event = parseEpisodeEvent(
          {
            type: 'protocol.migrated',
            at: (virtual ?? now).toISOString(),
            actor: { id: user.username, role: 'senior-clinician' },
            payload: {
              fromVersion: request.fromVersion,
              toVersion: request.toVersion,
              planHash,
            },
            rationale: request.rationale ?? 'dry run',
          },
          'body',
        ) as EpisodeEventOf<'protocol.migrated'>;
        const item = migrationPreview(row, before, event, {
          entries: history.get(row.id) ?? [],
          plan,
        });
        if (item.outcome === 'refused') {
          totals.refused += 1;
        } else if (request.dryRun) {
          totals.wouldMigrate += 1;
        } else {
          const outcome = await this.migrateOne(row, event, user, now);
          item.outcome = outcome.outcome;
          if (outcome.reason !== undefined) item.reason = outcome.reason;
          totals[outcome.outcome] += 1;
        }
        if (item.outcome !== 'refused' && item.outcome !== 'changed') {
          if (item.stageChanged) totals.stageChanges += 1;
          if (item.alertsGained.length > 0) totals.gainingAlerts += 1;
        }
        episodes.push(item);
      }
    }
    return {
      fromVersion: request.fromVersion,
      toVersion: request.toVersion,
      planHash,
      planSummary: plan.summary,
      kind: request.kind,
      dryRun: request.dryRun,
      at: now.toISOString(),
      totals,
      episodes,
    };
  }

  /** One episode of a bulk migration, at the version its preview was computed on. */
  private async migrateOne(
    row: EpisodeRow,
    event: EpisodeEvent,
    user: AuthenticatedUser,
    now: Date,
  ): Promise<{
    outcome: 'migrated' | 'refused' | 'changed';
    reason?: string;
  }> {
    try {
      const answer = await this.apply(row.id, event, row.version, user, now);
      if (answer.status === 201) return { outcome: 'migrated' };
      const { message } = answer.body as { message?: string };
      return { outcome: 'refused', reason: message ?? 'refused' };
    } catch (error) {
      if (
        error instanceof ServiceError &&
        error.status === 409 &&
        error.body.rule === SEAL_BROKEN
      ) {
        // Not a race: running the migration again will not move it.
        return { outcome: 'refused', reason: error.message };
      }
      if (error instanceof ServiceError && error.status === 409) {
        return {
          outcome: 'changed',
          reason:
            'recorded on since the preview: not migrated, run the migration again',
        };
      }
      throw error;
    }
  }

  /**
   * `keyRecord` read between writes: on SQLite every query shares the one
   * connection, so a read made while a group of writes is open would see
   * their uncommitted rows, and a retry could be answered with a write
   * that is then lost (a failed COMMIT, a power cut). Through the write
   * gate, the record read is a committed one. (PostgreSQL reads only what
   * is committed anyway.)
   */
  private committedKeyRecord(
    claim: IdempotencyClaim,
  ): ReturnType<EpisodesService['keyRecord']> {
    return this.gate.run(() => this.keyRecord(claim));
  }

  /**
   * What the key's record says: the answer recorded for this very request
   * within the key's lifetime (`answer`), or that the record is past its
   * lifetime (`expired`: the key is free again, whatever it named; the
   * scheduler purges such records, but a lookup never trusts that it has);
   * a 422 naming the key if it was used for another request.
   */
  private async keyRecord(claim: IdempotencyClaim): Promise<{
    answer: { status: number; body: unknown } | null;
    expired: boolean;
  }> {
    const previous = await this.dataSource
      .getRepository(this.entities.idempotency)
      .findOneBy({ key: claim.key, userId: claim.userId });
    if (!previous) return { answer: null, expired: false };
    const ageMs =
      this.clock.now().getTime() - new Date(previous.createdAt).getTime();
    if (ageMs > IDEMPOTENCY_TTL_MS) return { answer: null, expired: true };
    // Rows an older version wrote carry no scope: replayed as before.
    if (previous.bodyHash !== null) {
      const rule =
        previous.route !== claim.route || previous.episodeId !== claim.episodeId
          ? `already used for another request (${previous.route ?? '?'} on episode ${previous.episodeId ?? '?'})`
          : previous.bodyHash !== claim.bodyHash
            ? 'already used with a different body: a new request needs a new key'
            : null;
      if (rule) {
        throw new ServiceError(422, {
          message: `idempotency-key: ${rule}`,
          field: 'idempotency-key',
          rule,
        });
      }
    }
    return {
      answer: {
        status: previous.status,
        body: JSON.parse(previous.body) as unknown,
      },
      expired: false,
    };
  }

  /**
   * The quality indicators' facts of a real episode with `event` folded in
   * (null: a training episode, or nothing kept before: a report replays it).
   * Derived data: a failure here never stops the clinical write.
   */
  private qualityAfter(
    row: EpisodeRow,
    /** The row's facts its seal vouches for (null: none to fold on). */
    vouched: string | null,
    before: EpisodeSnapshot,
    event: EpisodeEvent,
    after: EpisodeSnapshot,
  ): string | null {
    if (row.kind !== 'real' || vouched === null) return null;
    try {
      const kept = keptQualityAfter(
        JSON.parse(vouched) as KeptQuality,
        row.version,
        before,
        event,
        after,
        row.id,
      );
      return kept === null ? null : JSON.stringify(kept);
    } catch {
      return null;
    }
  }

  /**
   * The adoption of the service's institution profile an event must come
   * after: where a running episode runs under an earlier version of the
   * same profile (never a downgrade or another institution's profile: two
   * instances on different files would otherwise swap episodes back and
   * forth), and the machine accepts it. Null otherwise.
   */
  private adoptionOf(
    stored: EpisodeSnapshot,
    event: EpisodeEvent,
  ): { event: EpisodeEvent; after: EpisodeSnapshot } | null {
    // Which profile may be adopted (the same institution's, a later version)
    // is the machine's rule (`checkProfileAdoption`): a refused adoption
    // leaves the snapshot as it was, and the write goes on without it.
    if (
      event.type === 'profile.adopted' ||
      stored.status !== 'active' ||
      stored.context.profile.hash === this.profile.hash ||
      !this.profileAdoptable
    ) {
      return null;
    }
    const adoption = parseEpisodeEvent(
      {
        type: 'profile.adopted',
        at: stored.context.now,
        actor: SERVICE,
        payload: { profile: this.profile.source, hash: this.profile.hash },
      },
      'profile',
    );
    const [after] = stepEpisode(stored, adoption);
    return after === stored ? null : { event: adoption, after };
  }

  /** The audit row of an adoption (its hash chained on `prevHash`). */
  private adoptionEntry(
    episodeId: string,
    seq: number,
    stored: EpisodeSnapshot,
    adoption: { event: EpisodeEvent; after: EpisodeSnapshot },
    at: { recordedAt: Date; prevHash: string },
  ): { seq: number; hash: string; row: AuditRow } {
    const entry = auditEntryFor({
      episodeId,
      seq,
      event: adoption.event,
      before: stored,
      after: adoption.after,
      check: checkEvent(stored.context, adoption.event),
      ...at,
    });
    const hash = auditEntryHash(this.auditKey, entry);
    return { seq, hash, row: { ...entry, id: randomUUID(), hash } };
  }

  /**
   * Whether the service's profile can be adopted by running episodes: the
   * file as read is known and holds every value an episode needs (else
   * they stay under theirs, as new episodes could not open either).
   */
  private get profileAdoptable(): boolean {
    if (this.adoptable === undefined) {
      try {
        checkProfileForEpisode(this.profile);
        this.adoptable = this.profile.source !== undefined;
      } catch {
        this.adoptable = false;
      }
    }
    return this.adoptable;
  }

  private adoptable: boolean | undefined;

  /**
   * Keeps a refused attempt, chained to the episode's refusals before it
   * (its seq, the previous code) and authenticated with the audit key: an
   * attempt edited or deleted later is named by the audit's verification.
   * Inside the caller's transaction; on PostgreSQL an advisory lock on the
   * episode orders two refusals of the same episode (a refusal writes no
   * episode row, so nothing else serialises them). The last seq is read
   * after the lock, by a statement of its own: under READ COMMITTED (the
   * data source's, PostgreSQL's default) it sees the refusal committed by
   * whoever held the lock before; the unique index (episode, seq) stops a
   * stricter isolation from writing two of one seq.
   */
  private async recordRefusal(
    manager: EntityManager,
    attempt: NewRefusal,
  ): Promise<void> {
    await appendChained(
      manager,
      this.entities.rejected,
      { column: 'episodeId', lockKey: `refusals:${attempt.episodeId}` },
      attempt,
      (chained) => rejectedAttemptMac(this.auditKey, chained),
    );
  }

  /** Due episodes with a broken seal the scheduler has already reported. */
  private readonly sealBrokenTold = new Set<string>();
  /** Due episodes of a later statechart already told of in the log. */
  private readonly laterStatechartTold = new Set<string>();

  /**
   * Lets the machine decide on one event and, if it accepts, saves the new
   * snapshot and the audit entry in one transaction (optimistic version).
   * An episode still under an older version of the service's institution
   * profile adopts it first, in the same transaction (`profile.adopted`,
   * recorded by the service at the episode's time, its own audit entry just
   * before the event's): every decision from the change on runs under the
   * new profile and names it, the client's expected version stays the one
   * it saw, and a refused or failed write leaves no adoption behind.
   */
  private async apply(
    id: string,
    event: EpisodeEvent,
    expectedVersion: number,
    user: AuthenticatedUser | null,
    now: Date,
    timeGiven = false,
    claim: IdempotencyClaim | null = null,
  ): Promise<{ status: number; body: unknown }> {
    // Set by the transaction when it wrote a new snapshot; remembered only
    // once the transaction has committed.
    let written: { version: number; snapshot: EpisodeSnapshot } | null = null;
    const outcome = await this.gate.transaction(async (manager) => {
      const row = await this.loadForWrite(id, manager);
      if (user) refuseOthersEpisode(row, user);
      if (user && row.kind === 'training' && this.virtualTime) {
        const virtual = await this.virtualTime(row, manager);
        if (virtual) {
          if (timeGiven) {
            throw new ServiceError(400, {
              message:
                "body.occurredAt: a training episode's events happen at its virtual time",
              field: 'body.occurredAt',
              rule: "a training episode's events happen at its virtual time",
            });
          }
          event = { ...event, at: virtual.toISOString() };
        }
      }
      if (row.version !== expectedVersion) {
        throw new ServiceError(409, {
          message: `expectedVersion ${expectedVersion} is stale: the episode is at version ${row.version}`,
          version: row.version,
        });
      }
      const last = await this.statements.chainHead(
        manager,
        this.entities.audit,
        id,
      );
      // A record changed outside the service is never built upon, nor
      // judged: its next seal would vouch for the change, and a refusal
      // worked out on it would be stored as if the episode said so. (The
      // digests reuse a hash only for the identical text: an edited
      // snapshot is hashed anew.)
      const form =
        row.seal === null
          ? null
          : sealForm(this.auditKey, row, last?.hash ?? null, this.digests);
      const sealBroken = () =>
        new ServiceError(409, {
          message:
            'the episode record does not match its seal (changed outside the service): no event is recorded on it until an auditor has checked it (GET /api/audit/verify)',
          rule: SEAL_BROKEN,
        });
      if (row.seal !== null && form === null) throw sealBroken();
      // A replay base is only ever written with a seal: one without (its
      // seal removed) is never resealed, which would vouch for whatever
      // base and snapshot were put there.
      if (row.seal === null && (row.replayBase ?? null) !== null) {
        throw sealBroken();
      }
      // Written by an earlier statechart: this one takes it over from the
      // record as stored (never from a snapshot this process kept), and
      // its audit replays from there (audit-replay.util.ts). A record of a
      // later or unknown one is never stepped by this one.
      const older = row.machineVersion !== MAS_EPISODE_MACHINE_VERSION;
      if (older && !isEarlierMachine(row.machineVersion)) {
        throw new ServiceError(409, {
          message: `the episode was written by statechart ${row.machineVersion}, not an earlier version of this service's ${MAS_EPISODE_MACHINE_VERSION}: no event is recorded on it by this version`,
          rule: LATER_STATECHART,
        });
      }
      const taken = older
        ? takeover(
            row,
            last?.seq ?? 0,
            await manager
              .getRepository(this.entities.workItem)
              .find({ where: { episodeId: id } }),
            form !== null,
          )
        : null;
      const stored = taken
        ? this.fromPersisted(row.snapshot)
        : this.restore(row);
      // Sealed before the seal covered the board's columns: they must be
      // its snapshot's (else the write would reseal a change, and erase it).
      if (form === 'before-board' && boardChanged(row, stored)) {
        throw sealBroken();
      }
      const adoption = this.adoptionOf(stored, event);
      const before = adoption?.after ?? stored;
      if (user) {
        checkClinicalTimes(
          event,
          before.context.openedAt,
          timeGiven ? 'body.occurredAt' : null,
          this.referenceNow(event, row, now, timeGiven),
        );
      }
      // The protocol's checks first, on their own: bad input they find (a
      // route the drug is not given by) is a 400 naming the field; inside
      // the machine's guards XState would wrap it into an opaque error.
      const check = clinicalInputOf(() => checkEvent(before.context, event));
      // One run of the machine: a refused event leaves the snapshot as it
      // was (the same object), and only then is the reason worked out.
      const [after, effects] = stepEpisode(before, event);
      const refusal = after === before ? explainRefusal(before, event) : null;
      if (refusal) {
        // Refused under a profile the episode was about to adopt: say so,
        // as the episode still shows its own until a write succeeds.
        const { profile } = before.context;
        const reason = adoption
          ? `${refusal.reason} (judged under the institution profile ${profile.id} ${profile.version}, which the service runs now; the episode adopts it with its next recorded event)`
          : refusal.reason;
        const attempt: NewRefusal = {
          id: randomUUID(),
          episodeId: id,
          type: event.type,
          payload: JSON.stringify(event.payload),
          actorId: event.actor.id,
          actorRole: event.actor.role,
          recordedAt: now,
          reason,
          evidence: JSON.stringify(refusal.evidence),
        };
        await this.recordRefusal(manager, attempt);
        const refused = {
          status: 422,
          body: {
            message: reason,
            evidence: refusal.evidence,
            type: event.type,
            ...(refusal.confirmationWouldAllow
              ? { confirmationWouldAllow: true }
              : {}),
            ...(refusal.warnings && refusal.warnings.length > 0
              ? { warnings: refusal.warnings }
              : {}),
            ...(refusal.rationaleWouldAllow
              ? { rationaleWouldAllow: true }
              : {}),
            ...(refusal.unusualFields
              ? { unusualFields: refusal.unusualFields }
              : {}),
            ...(refusal.field === undefined
              ? {}
              : { field: `body.payload.${refusal.field}` }),
          },
        };
        await this.recordAnswer(manager, claim, refused, now);
        return refused;
      }
      // The adoption and the event: two versions, two audit entries.
      const version = row.version + (adoption ? 2 : 1);
      const adopted = adoption
        ? this.adoptionEntry(id, (last?.seq ?? 0) + 1, stored, adoption, {
            recordedAt: now,
            prevHash: last?.hash ?? GENESIS_HASH,
          })
        : null;
      const seq = (adopted?.seq ?? last?.seq ?? 0) + 1;
      const entry = auditEntryFor({
        episodeId: id,
        seq,
        event,
        before,
        after,
        check,
        recordedAt: now,
        prevHash: adopted?.hash ?? last?.hash ?? GENESIS_HASH,
      });
      const hash = auditEntryHash(this.auditKey, entry);
      // Kept facts the seal does not vouch for were changed outside the
      // service: left as found for verification to name (the report
      // replays the episode meanwhile); a clinical write is never refused
      // for derived data.
      // (One HMAC per write: the facts folded on are the vouched ones.)
      const vouched = vouchedQuality(this.auditKey, row);
      const forged = row.quality !== null && vouched === null;
      const quality = forged
        ? { quality: row.quality, qualitySeal: row.qualitySeal }
        : this.sealedQuality(
            id,
            version,
            this.qualityAfter(
              adoption ? { ...row, version: row.version + 1 } : row,
              adoption
                ? this.qualityAfter(
                    row,
                    vouched,
                    stored,
                    adoption.event,
                    before,
                  )
                : vouched,
              before,
              event,
              after,
            ),
          );
      // A migration moves the episode to another protocol version, an
      // adoption to another profile: the columns that name them move
      // with them (and the seal vouches for them).
      const protocol = {
        ...(adoption ? { profileHash: after.context.profile.hash } : {}),
        ...(event.type === 'protocol.migrated'
          ? {
              protocolVersion: after.context.protocol.version,
              protocolHash: after.context.protocol.hash,
            }
          : {}),
      };
      const derived = await this.saveRecord(manager, row, {
        after,
        version,
        headHash: hash,
        now,
        quality,
        columns: { ...protocol, ...(taken ?? {}) },
      });
      // The machine's effects as work items, and the items this event
      // closes: in this transaction, before the audit entry (a failure of
      // either undoes both). Most events touch none: no statement then.
      const changes = workItemChanges({
        episode: row,
        seq,
        event,
        before,
        after,
        effects,
        recordedAt: now,
      });
      if (changes) await this.workItems.record(manager, id, changes);
      if (adopted) {
        await this.statements.insert(manager, this.entities.audit, {
          ...adopted.row,
        });
      }
      await this.statements.insert(manager, this.entities.audit, {
        ...entry,
        id: randomUUID(),
        hash,
      });
      written = { version, snapshot: after };
      // A compact answer: the write path skips the explanation of every
      // possible next event (GET /api/episodes/:id gives it).
      const accepted = {
        status: 201,
        body: {
          ...writtenRecord(id, version, after, derived),
          // Said, not blocked: for whoever recorded it to see now.
          ...(check.warnings && check.warnings.length > 0
            ? { warnings: check.warnings }
            : {}),
        },
      };
      await this.recordAnswer(manager, claim, accepted, now);
      return accepted;
    });
    this.rememberWritten(id, written);
    return outcome;
  }

  /**
   * Kept quality facts with their seal at `version` (none: both null).
   */
  private sealedQuality(
    id: string,
    version: number,
    quality: string | null,
  ): Pick<EpisodeRow, 'quality' | 'qualitySeal'> {
    return {
      quality,
      qualitySeal:
        quality === null
          ? null
          : qualitySeal(this.auditKey, { id, version, quality }),
    };
  }

  /**
   * The one write of a record's new state (after an event, or a void):
   * `after` as the episode's snapshot at `version`, with its board columns,
   * the kept quality facts, `columns` (protocol, profile, takeover) and
   * the seal over the chain's new head `headHash`, on the row as read (its
   * version): a 409 if it moved meanwhile. The board columns written.
   */
  /**
   * Keeps the snapshot a committed write left (`written` is assigned inside
   * the transaction's callback, which TypeScript cannot see: null when
   * nothing was written).
   */
  private rememberWritten(id: string, written: unknown): void {
    const committed = written as {
      version: number;
      snapshot: EpisodeSnapshot;
    } | null;
    if (committed) this.remember(id, committed.version, committed.snapshot);
  }

  private async saveRecord(
    manager: EntityManager,
    row: EpisodeRow,
    write: {
      readonly after: EpisodeSnapshot;
      readonly version: number;
      readonly headHash: string;
      readonly now: Date;
      readonly quality: Pick<EpisodeRow, 'quality' | 'qualitySeal'>;
      readonly columns: Partial<EpisodeRow>;
    },
  ): Promise<ReturnType<typeof derivedColumns>> {
    const { after, version, columns } = write;
    const derived = derivedColumns(after);
    const snapshot = JSON.stringify(
      masEpisodeMachine.getPersistedSnapshot(after),
    );
    const updated = await this.statements.updateVersioned(
      manager,
      this.entities.episode,
      row.id,
      row.version,
      {
        snapshot,
        ...derived,
        ...columns,
        ...write.quality,
        version,
        updatedAt: write.now,
        seal: episodeSeal(
          this.auditKey,
          { ...row, ...columns, ...derived, snapshot, version },
          write.headHash,
          this.digests,
        ),
      },
    );
    if (updated !== 1) {
      throw new ServiceError(409, {
        message: 'the episode changed meanwhile: reload it',
      });
    }
    return derived;
  }

  /**
   * The answer to a request with an Idempotency-Key, stored in the
   * transaction of its event (a crash keeps both or neither). An expired
   * record of the same key is replaced; other expired records are left to
   * the scheduler's purge (`purgeExpiredKeys`), off the write path.
   */
  private async recordAnswer(
    manager: EntityManager,
    claim: IdempotencyClaim | null,
    answer: { status: number; body: unknown },
    now: Date,
  ): Promise<void> {
    if (!claim) return;
    const repository = manager.getRepository(this.entities.idempotency);
    if (claim.replacesExpired === true) {
      await repository.delete({
        key: claim.key,
        userId: claim.userId,
        createdAt: LessThan(new Date(now.getTime() - IDEMPOTENCY_TTL_MS)),
      });
    }
    const record: IdempotencyRow = {
      key: claim.key,
      userId: claim.userId,
      status: answer.status,
      body: JSON.stringify(answer.body),
      createdAt: now,
      route: claim.route,
      episodeId: claim.episodeId,
      bodyHash: claim.bodyHash,
    };
    try {
      await repository.insert(record);
    } catch {
      // The same key committed meanwhile (another instance, PostgreSQL):
      // this transaction is undone; the caller replays the stored answer.
      throw new ServiceError(409, {
        message: 'idempotency-key: the same request was recorded meanwhile',
      });
    }
  }

  private lastPurgeMs: number | null = null;

  /**
   * Deletes the Idempotency-Key records past their lifetime, at most once
   * an hour (the scheduler calls it on every step); the records deleted.
   */
  async purgeExpiredKeys(): Promise<number> {
    const nowMs = this.clock.now().getTime();
    if (
      this.lastPurgeMs !== null &&
      nowMs - this.lastPurgeMs < IDEMPOTENCY_PURGE_EVERY_MS
    ) {
      return 0;
    }
    this.lastPurgeMs = nowMs;
    const result = await this.gate.run(() =>
      this.dataSource.getRepository(this.entities.idempotency).delete({
        createdAt: LessThan(new Date(nowMs - IDEMPOTENCY_TTL_MS)),
      }),
    );
    return result.affected ?? 0;
  }

  /**
   * The scheduler's step: sends `clock.ticked` to every episode whose next
   * due time has passed (read from the database, so a restart loses none).
   * Several instances may run it at once: the version check lets exactly one
   * tick land per episode and version.
   */
  async tickDue(): Promise<{
    fired: number;
    raced: number;
    /** Due episodes whose record does not match its seal: not ticked. */
    sealBroken: string[];
    /**
     * Due episodes a later statechart wrote (another instance of a newer
     * version runs beside this one): left to it, not ticked here.
     */
    laterStatechart: string[];
  }> {
    const now = this.clock.now();
    const due = await this.dataSource
      .getRepository(this.entities.episode)
      .createQueryBuilder('episode')
      .where('episode.nextDueAt IS NOT NULL AND episode.nextDueAt <= :now', {
        now,
      })
      // An ended episode keeps the due time it had when it ended, and a
      // tick would only be refused, stored again at every step.
      .andWhere('episode.tags NOT LIKE :final', { final: ENDED_TAGS })
      // Training episodes run on their own virtual clock (training advance).
      .andWhere('episode.kind = :kind', { kind: 'real' })
      .orderBy('episode.nextDueAt', 'ASC')
      .getMany();
    let fired = 0;
    let raced = 0;
    const sealBroken: string[] = [];
    const laterStatechart: string[] = [];
    for (const row of due) {
      const event = parseEpisodeEvent(
        {
          type: 'clock.ticked',
          at: now.toISOString(),
          actor: SCHEDULER,
          payload: {},
        },
        'tick',
      );
      try {
        const outcome = await this.apply(row.id, event, row.version, null, now);
        if (outcome.status === 201) fired += 1;
      } catch (error) {
        if (!(error instanceof ServiceError) || error.status !== 409) {
          throw error;
        }
        // Another instance ticked it first (a stale version: a race), or
        // its record was changed outside the service, or a later statechart
        // wrote it: not races, said where the operators look, once per
        // episode and process.
        if (error.body.rule === SEAL_BROKEN) {
          sealBroken.push(row.id);
          if (!this.sealBrokenTold.has(row.id)) {
            this.sealBrokenTold.add(row.id);
            console.error(
              `scheduler: episode ${row.id} is due but its record does not match its seal (changed outside the service); not ticked until an auditor has checked it (GET /api/audit/verify)`,
            );
          }
        } else if (error.body.rule === LATER_STATECHART) {
          laterStatechart.push(row.id);
          if (!this.laterStatechartTold.has(row.id)) {
            this.laterStatechartTold.add(row.id);
            console.error(
              `scheduler: episode ${row.id} is due but was written by statechart ${row.machineVersion}, later than this instance's ${MAS_EPISODE_MACHINE_VERSION}; left to an instance of that version`,
            );
          }
        } else raced += 1;
      }
    }
    return { fired, raced, sealBroken, laterStatechart };
  }
}
