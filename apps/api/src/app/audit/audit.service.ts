import type { KeyObject } from 'node:crypto';

import type { DataSource, EntityManager } from 'typeorm';

import type { AccessLogService } from '../access-log/access-log.service.js';
import type { Clock } from '../clock/clock.js';
import type { Entities } from '../database/entities.js';
import { WriteGate } from '../database/write-gate.js';
import {
  type AuthenticatedUser,
  type EpisodesService,
  ServiceError,
} from '../episodes/episodes.service.js';
import type { CheckpointKeys } from '../keys/service-keys.js';
import type { WorkItemRow } from '../work-items/work-item.entity.js';
import {
  auditByEpisode,
  chainProblems,
  refusalProblems,
  verifyAll,
} from './audit-chain.util.js';
import { replayProblem } from './audit-replay.util.js';
import {
  chainHeads,
  type Checkpoint,
  signCheckpoint,
} from './checkpoint.util.js';

/**
 * The audit as an auditor uses it: verification of every chain against its
 * episode (or of one episode's), the access log, and signed checkpoints to
 * keep outside the database.
 */
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly clock: Clock,
    /** The audit key (HMAC): never stored in the database. */
    private readonly auditKey: KeyObject,
    private readonly checkpointKeys: CheckpointKeys,
    /** Who may read which episode (a trainee: the ones they opened). */
    private readonly episodes: EpisodesService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Who read which episode and who administered which user, when. */
  access(query: Record<string, unknown>) {
    return this.accessLog.query(query);
  }

  /**
   * `work` reading one consistent, committed state: on SQLite between writes
   * (a group of writes still open shares the one connection), on PostgreSQL
   * in one REPEATABLE READ transaction. What is verified, and what a
   * checkpoint signs, is then one state: no write committed between two of
   * its reads passes for tampering, and none is excused as one.
   */
  private consistently<T>(work: (manager: EntityManager) => Promise<T>) {
    if (this.dataSource.options.type === 'postgres') {
      return this.dataSource.transaction('REPEATABLE READ', work);
    }
    return WriteGate.for(this.dataSource).run(() =>
      work(this.dataSource.manager),
    );
  }

  /**
   * Verifies every episode's audit (see `verifyEpisode`), and finds the
   * chains whose episode is gone and the episodes whose chain is gone.
   * `replay`: also replays every chain (slower).
   */
  verify(options: { replay?: boolean } = {}) {
    return this.consistently((manager) => this.verifyWith(manager, options));
  }

  private async verifyWith(
    manager: EntityManager,
    options: { replay?: boolean },
  ) {
    const entries = await manager.getRepository(this.entities.audit).find();
    const episodes = await manager.getRepository(this.entities.episode).find();
    const refusals = await manager.getRepository(this.entities.rejected).find();
    const access = await manager.getRepository(this.entities.accessLog).find();
    const items = options.replay
      ? auditByEpisode(
          await manager.getRepository(this.entities.workItem).find(),
        )
      : new Map<string, WorkItemRow[]>();
    return verifyAll(
      this.auditKey,
      episodes,
      entries,
      (row, chain) =>
        options.replay
          ? replayProblem(row, chain, items.get(row.id) ?? [])
          : null,
      refusals,
      access,
    );
  }

  /**
   * Verifies one episode's audit: each entry's authentication code and link,
   * the chain against the episode (no missing tail), the record against its
   * seal, its refused attempts, and the stored snapshot and work items
   * against the replay of the chain from the first snapshot.
   */
  async verifyEpisode(id: string, user: AuthenticatedUser) {
    // Whether this user may read it (and the read logged), first.
    await this.episodes.readable(id, user);
    return this.consistently(async (manager) => {
      const row = await manager
        .getRepository(this.entities.episode)
        .findOneByOrFail({ id });
      const entries = await manager
        .getRepository(this.entities.audit)
        .find({ where: { episodeId: id }, order: { seq: 'ASC' } });
      const problems = chainProblems(this.auditKey, id, row, entries);
      problems.push(
        ...refusalProblems(
          this.auditKey,
          id,
          await manager
            .getRepository(this.entities.rejected)
            .find({ where: { episodeId: id } }),
        ),
      );
      const replay = replayProblem(
        row,
        entries,
        await manager
          .getRepository(this.entities.workItem)
          .find({ where: { episodeId: id } }),
      );
      if (replay) problems.push(replay);
      return {
        ok: problems.length === 0,
        entries: entries.length,
        version: row.version,
        broken: problems[0] ?? null,
        problems,
      };
    });
  }

  /**
   * Every chain's head now, signed. Issued only for an audit that verifies:
   * a checkpoint vouches for what it lists.
   */
  checkpoint(): Promise<Checkpoint> {
    // Verified and signed in one consistent state: what it signs is what
    // was verified. (On SQLite writes wait for the verification: an
    // auditor's occasional act.)
    return this.consistently(async (manager) => {
      const verification = await this.verifyWith(manager, {});
      if (!verification.ok) {
        throw new ServiceError(409, {
          message: `the audit does not verify (${verification.broken.length} problems): no checkpoint is issued for it; GET /api/audit/verify names them`,
          broken: verification.broken,
        });
      }
      return this.signedHeads(manager);
    });
  }

  private async signedHeads(manager: EntityManager): Promise<Checkpoint> {
    const episode = this.dataSource.getMetadata(this.entities.episode);
    const audit = this.dataSource.getMetadata(this.entities.audit);
    const column = (metadata: typeof episode, property: string): string => {
      const found = metadata.findColumnWithPropertyName(property);
      if (!found) throw new Error(`${metadata.name} has no ${property}`);
      return `"${found.databaseName}"`;
    };
    // One statement: one consistent view of the episodes and their heads.
    const rows: {
      episodeId: string;
      seq: number | string | null;
      hash: string | null;
    }[] = await manager.query(
      `SELECT e.${column(episode, 'id')} AS "episodeId", a.${column(audit, 'seq')} AS "seq", a.${column(audit, 'hash')} AS "hash"
       FROM "${episode.tableName}" e
       LEFT JOIN "${audit.tableName}" a
         ON a.${column(audit, 'episodeId')} = e.${column(episode, 'id')}
        AND a.${column(audit, 'seq')} = (SELECT MAX(b.${column(audit, 'seq')}) FROM "${audit.tableName}" b WHERE b.${column(audit, 'episodeId')} = e.${column(episode, 'id')})`,
    );
    // Each episode's last refused attempt (its chain verified above).
    const refused = this.dataSource.getMetadata(this.entities.rejected);
    const refusedRows: {
      episodeId: string;
      seq: number | string;
      mac: string;
    }[] = await manager.query(
      `SELECT r.${column(refused, 'episodeId')} AS "episodeId", r.${column(refused, 'seq')} AS "seq", r.${column(refused, 'mac')} AS "mac"
       FROM "${refused.tableName}" r
       WHERE r.${column(refused, 'mac')} IS NOT NULL
         AND r.${column(refused, 'seq')} = (SELECT MAX(q.${column(refused, 'seq')}) FROM "${refused.tableName}" q WHERE q.${column(refused, 'episodeId')} = r.${column(refused, 'episodeId')})`,
    );
    const chains = chainHeads(
      rows.map((r) => ({ id: r.episodeId })),
      rows
        .filter((r) => r.seq !== null && r.hash !== null)
        .map((r) => ({
          episodeId: r.episodeId,
          seq: Number(r.seq),
          hash: r.hash as string,
        })),
      refusedRows.map((r) => ({
        episodeId: r.episodeId,
        seq: Number(r.seq),
        mac: r.mac,
      })),
    );
    // Each user's last access log entry.
    const log = this.dataSource.getMetadata(this.entities.accessLog);
    const accessRows: {
      actorId: string;
      seq: number | string;
      mac: string;
    }[] = await manager.query(
      `SELECT l.${column(log, 'actorId')} AS "actorId", l.${column(log, 'seq')} AS "seq", l.${column(log, 'mac')} AS "mac"
       FROM "${log.tableName}" l
       WHERE l.${column(log, 'mac')} IS NOT NULL
         AND l.${column(log, 'seq')} = (SELECT MAX(m.${column(log, 'seq')}) FROM "${log.tableName}" m WHERE m.${column(log, 'actorId')} = l.${column(log, 'actorId')})`,
    );
    return signCheckpoint(this.checkpointKeys, {
      issuedAt: this.clock.now().toISOString(),
      episodes: chains.length,
      entries: chains.reduce((sum, c) => sum + c.seq, 0),
      chains,
      accessLogs: accessRows
        .map((r) => ({ actorId: r.actorId, seq: Number(r.seq), mac: r.mac }))
        .sort((a, b) => (a.actorId < b.actorId ? -1 : 1)),
    });
  }
}
