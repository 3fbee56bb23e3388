import { type KeyObject, randomUUID } from 'node:crypto';

import type { DataSource, EntitySchema } from 'typeorm';

import { accessLogQuerySchema, parseOrThrow } from '@mas/contracts';

import { accessEntryMac } from '../audit/audit-chain.util.js';
import { appendChained } from '../audit/chain-append.util.js';
import type { Clock } from '../clock/clock.js';
import { WriteGate } from '../database/write-gate.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import type { AccessLogRow } from './access-log.entity.js';

export interface AccessRecord {
  readonly user: AuthenticatedUser;
  readonly action: string;
  readonly episodeId?: string | null;
  readonly subject?: string | null;
  readonly detail?: unknown;
}

/**
 * The access log: every read of patient data (who, which episode, when) and
 * every act of user administration, for auditors to query. Appended only:
 * the service has no route that changes or deletes an entry.
 */
export class AccessLogService {
  private readonly gate: WriteGate;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntitySchema<AccessLogRow>,
    private readonly clock: Clock,
    /** The audit key (HMAC): never stored in the database. */
    private readonly auditKey: KeyObject,
  ) {
    this.gate = WriteGate.for(dataSource);
  }

  /**
   * Appends one entry, chained to its user's entries before it (its seq,
   * the previous code) and authenticated with the audit key: an entry
   * edited or deleted later is named by the audit's verification. On
   * PostgreSQL an advisory lock per user orders two entries of one user
   * (read after the lock, under READ COMMITTED; the unique index (user,
   * seq) stops two of one seq under a stricter isolation).
   */
  async record(entry: AccessRecord): Promise<void> {
    const row = {
      id: randomUUID(),
      at: this.clock.now(),
      actorId: entry.user.username,
      actorRole: entry.user.role,
      action: entry.action,
      episodeId: entry.episodeId ?? null,
      subject: entry.subject ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    };
    await this.gate.transaction((manager) =>
      appendChained(
        manager,
        this.entity,
        { column: 'actorId', lockKey: `access:${row.actorId}` },
        row,
        (chained) => accessEntryMac(this.auditKey, chained),
      ),
    );
  }

  /** Every read of one episode, oldest first (its FHIR AuditEvents). */
  async readsOf(episodeId: string): Promise<AccessLogRow[]> {
    return this.dataSource.getRepository(this.entity).find({
      where: { episodeId },
      order: { at: 'ASC', id: 'ASC' },
    });
  }

  /** Entries, newest first, filtered by the auditor's query. */
  async query(query: Record<string, unknown>) {
    const { page, pageSize, episodeId, actor, action, from, to } = parseOrThrow(
      accessLogQuerySchema,
      query,
      '',
    );
    const builder = this.dataSource
      .getRepository(this.entity)
      .createQueryBuilder('log');
    if (episodeId !== undefined) {
      builder.andWhere('log.episodeId = :episodeId', { episodeId });
    }
    if (actor !== undefined)
      builder.andWhere('log.actorId = :actor', { actor });
    if (action !== undefined) {
      builder.andWhere('log.action = :action', { action });
    }
    if (from !== undefined) {
      builder.andWhere('log.at >= :from', { from: new Date(from) });
    }
    if (to !== undefined)
      builder.andWhere('log.at < :to', { to: new Date(to) });
    const [rows, total] = await builder
      .orderBy('log.at', 'DESC')
      .addOrderBy('log.id', 'ASC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return {
      page,
      pageSize,
      total,
      // (The chain's columns are the audit's, not the auditor's page.)
      items: rows.map(
        ({ seq: _seq, prevMac: _prevMac, mac: _mac, ...row }) => ({
          ...row,
          at: new Date(row.at).toISOString(),
          detail:
            row.detail === null ? null : (JSON.parse(row.detail) as unknown),
        }),
      ),
    };
  }
}
