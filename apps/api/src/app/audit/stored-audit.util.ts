/**
 * The stored audit read and verified as a whole: what the service's
 * `GET /api/audit/verify` and checkpoint, and the CLI's `audit verify`, all
 * do (one reading, one verification, the heads taken from the same rows).
 */
import type { KeyObject } from 'node:crypto';

import type { EntityManager } from 'typeorm';

import type { AccessLogRow } from '../access-log/access-log.entity.js';
import type {
  AuditRow,
  Entities,
  EpisodeRow,
  RejectedAttemptRow,
} from '../database/entities.js';
import { storedProtocolReleases } from '../protocol/protocol-release.util.js';
import type { WorkItemRow } from '../work-items/work-item.entity.js';
import { auditByEpisode, verifyAll } from './audit-chain.util.js';
import { replayProblem, replayScope } from './audit-replay.util.js';
import {
  type AccessHead,
  type ChainHead,
  chainHeads,
} from './checkpoint.util.js';

/** Every row the audit's verification reads. */
export interface StoredAudit {
  readonly episodes: readonly EpisodeRow[];
  readonly entries: readonly AuditRow[];
  readonly refusals: readonly RejectedAttemptRow[];
  readonly access: readonly AccessLogRow[];
  /** Only when replaying (work items are checked against the replay). */
  readonly workItems: readonly WorkItemRow[];
}

/** Reads the stored audit through `manager` (in one consistent state). */
export async function readAuditRows(
  manager: EntityManager,
  entities: Entities,
  options: { readonly replay?: boolean } = {},
): Promise<StoredAudit> {
  return {
    episodes: await manager.getRepository(entities.episode).find(),
    entries: await manager.getRepository(entities.audit).find(),
    refusals: await manager.getRepository(entities.rejected).find(),
    access: await manager.getRepository(entities.accessLog).find(),
    workItems: options.replay
      ? await manager.getRepository(entities.workItem).find()
      : [],
  };
}

/** Verifies what `readStoredAudit` read (`replay`: every chain replayed). */
export function verifyAuditRows(
  key: KeyObject,
  stored: StoredAudit,
  options: { readonly replay?: boolean } = {},
) {
  const items = auditByEpisode(stored.workItems);
  const verified = verifyAll(
    key,
    stored.episodes,
    stored.entries,
    (row, chain) =>
      options.replay
        ? replayProblem(row, chain, items.get(row.id) ?? [])
        : null,
    stored.refusals,
    stored.access,
  );
  // Items of no episode at all (a pending approval of a patient nobody
  // has): no history implies them, so each is named.
  const known = new Set(stored.episodes.map((row) => row.id));
  const orphans = [...items]
    .filter(([episodeId]) => !known.has(episodeId))
    .flatMap(([episodeId, list]) =>
      list.map((item) => ({
        episodeId,
        seq: null,
        id: item.id,
        reason: `the work item ${item.kind} about ${item.subject} belongs to no episode (added outside the service)`,
      })),
    );
  // Replayed: which histories are not replayed in full, and why.
  const scopes = options.replay
    ? {
        replayScopes: stored.episodes.flatMap((row) => {
          const scope = replayScope(row);
          return scope ? [scope] : [];
        }),
      }
    : {};
  // What content the records ran under, against the pinned releases: said,
  // not counted as a problem (development builds wrote records before the
  // first pin).
  const contents = {
    protocolReleases: storedProtocolReleases(stored.episodes, stored.entries),
  };
  return orphans.length === 0
    ? { ...verified, ...scopes, ...contents }
    : {
        ...verified,
        ...scopes,
        ...contents,
        ok: false,
        broken: [...verified.broken, ...orphans],
      };
}

/**
 * The heads a checkpoint signs, from the rows read: each episode's chain
 * head and last refused attempt, each user's last access log entry.
 */
export function auditRowHeads(stored: StoredAudit): {
  chains: ChainHead[];
  accessLogs: AccessHead[];
} {
  const last = <T extends { readonly seq: number | null }>(
    rows: readonly T[],
    ownerOf: (row: T) => string,
  ): Map<string, T> => {
    const heads = new Map<string, T>();
    for (const row of rows) {
      if (row.seq === null) continue;
      const head = heads.get(ownerOf(row));
      if (!head || (head.seq ?? 0) < row.seq) heads.set(ownerOf(row), row);
    }
    return heads;
  };
  const authenticated = <T extends { readonly mac: string | null }>(
    rows: readonly T[],
  ) => rows.filter((row) => row.mac !== null);
  const refused = last(authenticated(stored.refusals), (r) => r.episodeId);
  const chains = chainHeads(
    stored.episodes,
    [...last(stored.entries, (e) => e.episodeId).values()],
    [...refused.values()].map((r) => ({
      episodeId: r.episodeId,
      seq: r.seq ?? 0,
      mac: r.mac ?? '',
    })),
  );
  const accessLogs = [
    ...last(authenticated(stored.access), (a) => a.actorId).values(),
  ]
    .map((a) => ({ actorId: a.actorId, seq: a.seq ?? 0, mac: a.mac ?? '' }))
    .sort((a, b) => (a.actorId < b.actorId ? -1 : 1));
  return { chains, accessLogs };
}
