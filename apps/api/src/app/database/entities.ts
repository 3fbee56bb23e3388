/**
 * The tables, as TypeORM entity schemas. The same entities serve SQLite and
 * PostgreSQL: `timeType` picks each engine's instant type in one place.
 */
import { EntitySchema, type QueryRunner } from 'typeorm';

import {
  buildAccessLogEntity,
  chainColumns,
} from '../access-log/access-log.entity.js';
import { buildWorkItemEntity } from '../work-items/work-item.entity.js';

export type Engine = 'sqlite' | 'postgres';

/** The engine a migration runs on. */
export function engineOf(queryRunner: QueryRunner): Engine {
  return queryRunner.dataSource.options.type === 'postgres'
    ? 'postgres'
    : 'sqlite';
}

/** timestamptz on PostgreSQL; SQLite has no such type. */
export function timeType(engine: Engine): 'timestamptz' | 'datetime' {
  return engine === 'postgres' ? 'timestamptz' : 'datetime';
}

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  role: 'clinician' | 'senior' | 'trainee' | 'auditor' | 'admin';
  createdAt: Date;
  /** Set while the account is disabled: no login, every token refused. */
  disabledAt: Date | null;
  /**
   * Moved on by a password change, a role change, a disable or "sign out
   * everywhere": every token issued before is refused at once.
   */
  tokenVersion: number;
  /** Wrong passwords since the last successful login. */
  failedLogins: number;
  /** No login before this instant (a temporary lockout). */
  lockedUntil: Date | null;
  /**
   * A user of the hospital's identity provider (OpenID Connect): its issuer
   * and subject; such a user has no local password.
   */
  oidcIssuer?: string | null;
  oidcSubject?: string | null;
}

/** A token signed out before it expired (kept until it would have). */
export interface RevokedTokenRow {
  jti: string;
  userId: string;
  expiresAt: Date;
}

export interface EpisodeRow {
  id: string;
  kind: 'real' | 'training';
  patientIdentifier: string;
  snapshot: string;
  /** The snapshot at creation: the audit replays from it. */
  initialSnapshot: string | null;
  stage: string;
  tags: string;
  alertIds: string;
  overdue: boolean;
  urgency: number;
  nextDueAt: Date | null;
  protocolVersion: string;
  protocolHash: string;
  profileHash: string;
  machineVersion: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The record's seal under the audit key (audit-chain.util.ts): null only
   * on rows an older version wrote.
   */
  seal: string | null;
  /**
   * Who opened the episode (username): a trainee reaches only the training
   * episodes they opened. Null on rows an older version wrote.
   */
  openedBy: string | null;
  /**
   * The quality indicators' facts of a real episode, folded on each write
   * (`KeptQuality` as JSON: derived from the audit, recomputable from it;
   * null on training episodes and rows an older version wrote, which a
   * report replays instead).
   */
  quality: string | null;
  /**
   * The seal of `quality` under the audit key (`qualitySeal`): facts
   * without a matching one are never read, the audit is replayed instead.
   */
  qualitySeal: string | null;
  /**
   * The ward or site the episode is cared for on, as given when it opened
   * (the quality indicators group by it); null where none was given.
   */
  ward?: string | null;
  /**
   * Where the audit's replay starts once a newer statechart took the
   * episode over (`ReplayBase` as JSON, audit-replay.util.ts): sealed with
   * the record. Null while one machine version wrote it all.
   */
  replayBase?: string | null;
}

export interface AuditRow {
  id: string;
  episodeId: string;
  seq: number;
  type: string;
  payload: string;
  actorId: string;
  actorRole: string;
  occurredAt: Date;
  recordedAt: Date;
  rationale: string | null;
  evidence: string;
  guard: string;
  stateBefore: string;
  stateAfter: string;
  protocolHash: string;
  profileHash: string;
  prevHash: string;
  hash: string;
}

export interface RejectedAttemptRow {
  id: string;
  episodeId: string;
  type: string;
  payload: string;
  actorId: string;
  actorRole: string;
  recordedAt: Date;
  reason: string;
  evidence: string;
  /**
   * The attempt's place in its episode's chain of refusals (1, 2, ...),
   * the previous attempt's code (null for the first) and its own HMAC under
   * the audit key; all null on rows an older version wrote.
   */
  seq: number | null;
  prevMac: string | null;
  mac: string | null;
}

export interface TrainingSessionRow {
  episodeId: string;
  scenarioId: string;
  seed: number;
  virtualHours: number;
  startedBy: string;
  createdAt: Date;
}

/** The longest Idempotency-Key kept (its column's length). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;

export interface IdempotencyRow {
  key: string;
  userId: string;
  status: number;
  body: string;
  createdAt: Date;
  /** The request the key was used for: its route and episode ... */
  route: string | null;
  episodeId: string | null;
  /** ... and the SHA-256 of its body (null on rows an older version wrote). */
  bodyHash: string | null;
}

export function buildEntities(engine: Engine) {
  const time = timeType(engine);
  const user = new EntitySchema<UserRow>({
    name: 'User',
    tableName: 'users',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      username: { type: 'varchar', length: 100, unique: true },
      passwordHash: { name: 'password_hash', type: 'varchar', length: 300 },
      role: { type: 'varchar', length: 20 },
      createdAt: { name: 'created_at', type: time },
      disabledAt: { name: 'disabled_at', type: time, nullable: true },
      tokenVersion: { name: 'token_version', type: 'integer', default: 0 },
      failedLogins: { name: 'failed_logins', type: 'integer', default: 0 },
      lockedUntil: { name: 'locked_until', type: time, nullable: true },
      oidcIssuer: {
        name: 'oidc_issuer',
        type: 'varchar',
        length: 300,
        nullable: true,
      },
      oidcSubject: {
        name: 'oidc_subject',
        type: 'varchar',
        length: 255,
        nullable: true,
      },
    },
  });
  const revokedToken = new EntitySchema<RevokedTokenRow>({
    name: 'RevokedToken',
    tableName: 'revoked_tokens',
    columns: {
      jti: { type: 'varchar', length: 36, primary: true },
      userId: { name: 'user_id', type: 'varchar', length: 36 },
      expiresAt: { name: 'expires_at', type: time },
    },
  });
  const episode = new EntitySchema<EpisodeRow>({
    name: 'Episode',
    tableName: 'episodes',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      kind: { type: 'varchar', length: 10 },
      patientIdentifier: {
        name: 'patient_identifier',
        type: 'varchar',
        length: 100,
      },
      snapshot: { type: 'text' },
      initialSnapshot: {
        name: 'initial_snapshot',
        type: 'text',
        nullable: true,
      },
      stage: { type: 'varchar', length: 300 },
      tags: { type: 'text' },
      alertIds: { name: 'alert_ids', type: 'text' },
      overdue: { type: 'boolean' },
      urgency: { type: 'integer' },
      nextDueAt: { name: 'next_due_at', type: time, nullable: true },
      protocolVersion: {
        name: 'protocol_version',
        type: 'varchar',
        length: 20,
      },
      protocolHash: { name: 'protocol_hash', type: 'varchar', length: 80 },
      profileHash: { name: 'profile_hash', type: 'varchar', length: 80 },
      machineVersion: { name: 'machine_version', type: 'varchar', length: 20 },
      version: { type: 'integer' },
      createdAt: { name: 'created_at', type: time },
      updatedAt: { name: 'updated_at', type: time },
      seal: { type: 'varchar', length: 80, nullable: true },
      openedBy: {
        name: 'opened_by',
        type: 'varchar',
        length: 100,
        nullable: true,
      },
      quality: { type: 'text', nullable: true },
      qualitySeal: {
        name: 'quality_seal',
        type: 'varchar',
        length: 80,
        nullable: true,
      },
      ward: { type: 'varchar', length: 64, nullable: true },
      replayBase: { name: 'replay_base', type: 'text', nullable: true },
    },
  });
  const audit = new EntitySchema<AuditRow>({
    name: 'AuditEntry',
    tableName: 'audit_entries',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      episodeId: { name: 'episode_id', type: 'varchar', length: 36 },
      seq: { type: 'integer' },
      type: { type: 'varchar', length: 60 },
      payload: { type: 'text' },
      actorId: { name: 'actor_id', type: 'varchar', length: 100 },
      actorRole: { name: 'actor_role', type: 'varchar', length: 30 },
      occurredAt: { name: 'occurred_at', type: time },
      recordedAt: { name: 'recorded_at', type: time },
      rationale: { type: 'text', nullable: true },
      evidence: { type: 'text' },
      guard: { type: 'text' },
      stateBefore: { name: 'state_before', type: 'text' },
      stateAfter: { name: 'state_after', type: 'text' },
      protocolHash: { name: 'protocol_hash', type: 'varchar', length: 80 },
      profileHash: { name: 'profile_hash', type: 'varchar', length: 80 },
      prevHash: { name: 'prev_hash', type: 'varchar', length: 80 },
      hash: { type: 'varchar', length: 80 },
    },
  });
  const rejected = new EntitySchema<RejectedAttemptRow>({
    name: 'RejectedAttempt',
    tableName: 'rejected_attempts',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      episodeId: { name: 'episode_id', type: 'varchar', length: 36 },
      type: { type: 'varchar', length: 60 },
      payload: { type: 'text' },
      actorId: { name: 'actor_id', type: 'varchar', length: 100 },
      actorRole: { name: 'actor_role', type: 'varchar', length: 30 },
      recordedAt: { name: 'recorded_at', type: time },
      reason: { type: 'text' },
      evidence: { type: 'text' },
      ...chainColumns,
    },
  });
  const idempotency = new EntitySchema<IdempotencyRow>({
    name: 'IdempotencyRecord',
    tableName: 'idempotency_keys',
    columns: {
      key: {
        type: 'varchar',
        length: IDEMPOTENCY_KEY_MAX_LENGTH,
        primary: true,
      },
      userId: { name: 'user_id', type: 'varchar', length: 36, primary: true },
      status: { type: 'integer' },
      body: { type: 'text' },
      createdAt: { name: 'created_at', type: time },
      route: { type: 'varchar', length: 60, nullable: true },
      episodeId: {
        name: 'episode_id',
        type: 'varchar',
        length: 36,
        nullable: true,
      },
      bodyHash: {
        name: 'body_hash',
        type: 'varchar',
        length: 80,
        nullable: true,
      },
    },
  });
  const training = new EntitySchema<TrainingSessionRow>({
    name: 'TrainingSession',
    tableName: 'training_sessions',
    columns: {
      episodeId: {
        name: 'episode_id',
        type: 'varchar',
        length: 36,
        primary: true,
      },
      scenarioId: { name: 'scenario_id', type: 'varchar', length: 60 },
      seed: { type: 'integer' },
      virtualHours: { name: 'virtual_hours', type: 'integer' },
      startedBy: { name: 'started_by', type: 'varchar', length: 100 },
      createdAt: { name: 'created_at', type: time },
    },
  });
  return {
    user,
    revokedToken,
    episode,
    audit,
    rejected,
    idempotency,
    training,
    workItem: buildWorkItemEntity(time),
    accessLog: buildAccessLogEntity(time),
  };
}

export type Entities = ReturnType<typeof buildEntities>;
