import type { KeyObject } from 'node:crypto';

import type { DataSource, EntityManager } from 'typeorm';

import type { EpisodeRefusalList } from '@mas/contracts';

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
import { auditProtocolReleases } from '../protocol/protocol-release.util.js';
import { chainProblems, refusalProblems } from './audit-chain.util.js';
import { replayProblem, replayScope } from './audit-replay.util.js';
import { type Checkpoint, signCheckpoint } from './checkpoint.util.js';
import {
  auditRowHeads,
  readAuditRows,
  verifyAuditRows,
} from './stored-audit.util.js';

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
    return verifyAuditRows(
      this.auditKey,
      await readAuditRows(manager, this.entities, options),
      options,
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
        replayScope: replayScope(row)?.scope ?? null,
        protocolReleases: auditProtocolReleases(entries, row.protocolVersion)
          .distinct,
      };
    });
  }

  /**
   * The events refused for one episode, oldest first (what was tried, by
   * whom, when, why): an auditor reads the attempts as well as the record.
   */
  async refusals(
    id: string,
    user: AuthenticatedUser,
  ): Promise<EpisodeRefusalList> {
    await this.episodes.readable(id, user);
    const rows = await this.dataSource
      .getRepository(this.entities.rejected)
      .find({
        where: { episodeId: id },
        order: { recordedAt: 'ASC', seq: 'ASC' },
      });
    const parsed = (text: string): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    };
    return rows.map((row) => {
      const evidence = parsed(row.evidence);
      return {
        seq: row.seq,
        type: row.type,
        actor: { id: row.actorId, role: row.actorRole },
        recordedAt: new Date(row.recordedAt).toISOString(),
        reason: row.reason,
        evidence: Array.isArray(evidence) ? evidence.map(String) : [],
        payload: parsed(row.payload),
      };
    });
  }

  /**
   * Every chain's head now, signed. Issued only for an audit that verifies:
   * a checkpoint vouches for what it lists.
   */
  checkpoint(): Promise<Checkpoint> {
    // Verified and signed in one consistent state, from the same rows: what
    // it signs is what was verified. (On SQLite writes wait for the
    // verification: an auditor's occasional act.)
    return this.consistently(async (manager) => {
      const stored = await readAuditRows(manager, this.entities);
      const verification = verifyAuditRows(this.auditKey, stored);
      if (!verification.ok) {
        throw new ServiceError(409, {
          message: `the audit does not verify (${verification.broken.length} problems): no checkpoint is issued for it; GET /api/audit/verify names them`,
          broken: verification.broken,
        });
      }
      const { chains, accessLogs } = auditRowHeads(stored);
      return signCheckpoint(this.checkpointKeys, {
        issuedAt: this.clock.now().toISOString(),
        episodes: chains.length,
        entries: chains.reduce((sum, c) => sum + c.seq, 0),
        chains,
        accessLogs,
      });
    });
  }
}
