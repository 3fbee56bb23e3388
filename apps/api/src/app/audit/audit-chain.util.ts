/**
 * The anchored audit: every entry authenticated with a key the database does
 * not hold (HMAC-SHA-256), chained to its predecessor, and each episode's
 * record sealed with the same key over its snapshots, its version and the
 * hash of its chain's last entry. Whoever can write the database but lacks
 * the key cannot rewrite an entry (even recomputing every hash), cut the
 * chain's tail, drop a chain, or edit a stored snapshot without verification
 * naming it. Deleting an episode together with its whole chain is what a
 * signed checkpoint kept outside the database shows (checkpoint.util.ts).
 */
import { createHash, createHmac, type KeyObject } from 'node:crypto';

import canonicalize from 'canonicalize';

import type { AccessLogRow } from '../access-log/access-log.entity.js';
import type {
  AuditRow,
  EpisodeRow,
  RejectedAttemptRow,
} from '../database/entities.js';
import { boardColumnsDiffer } from '../episodes/board-columns.util.js';

/** The prefix of an authenticated hash. */
export const MAC_PREFIX = 'hmac-sha256:';

/** The hash of the first entry's predecessor. */
export const GENESIS_HASH = 'sha256:genesis';

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}

function mac(key: KeyObject, text: string): string {
  return `${MAC_PREFIX}${createHmac('sha256', key).update(text, 'utf8').digest('hex')}`;
}

/** SHA-256 of a stored text (a snapshot), as `sha256:<hex>`. */
export function sha256Text(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/**
 * The authenticated hash of an entry: HMAC-SHA-256, under the audit key, of
 * the canonical JSON (RFC 8785) of every field but its id and hash (its
 * predecessor's hash included, which makes the chain).
 */
export function auditEntryHash(
  key: KeyObject,
  entry: Omit<AuditRow, 'id' | 'hash'>,
): string {
  // The canonical JSON of a flat object of strings, whole numbers and nulls
  // is JSON.stringify of it with its keys in sorted order (RFC 8785 takes
  // ECMAScript's serialisation of strings and numbers): written out here in
  // that order, it is the same text at a third of the cost of the general
  // algorithm (the spec compares the two).
  return mac(
    key,
    JSON.stringify({
      actorId: entry.actorId,
      actorRole: entry.actorRole,
      episodeId: entry.episodeId,
      evidence: entry.evidence,
      guard: entry.guard,
      occurredAt: new Date(entry.occurredAt).toISOString(),
      payload: entry.payload,
      prevHash: entry.prevHash,
      profileHash: entry.profileHash,
      protocolHash: entry.protocolHash,
      rationale: entry.rationale,
      recordedAt: new Date(entry.recordedAt).toISOString(),
      seq: entry.seq,
      stateAfter: entry.stateAfter,
      stateBefore: entry.stateBefore,
      type: entry.type,
    }),
  );
}

/** What an episode's seal covers. */
export type SealedEpisode = Pick<
  EpisodeRow,
  | 'id'
  | 'kind'
  | 'patientIdentifier'
  | 'snapshot'
  | 'initialSnapshot'
  | 'version'
  | 'protocolHash'
  | 'profileHash'
  | 'machineVersion'
  | 'createdAt'
  // The board's columns (derived from the snapshot, read without it): a
  // patient hidden from the overdue list is a change the seal shows.
  | 'stage'
  | 'tags'
  | 'alertIds'
  | 'overdue'
  | 'urgency'
  | 'nextDueAt'
> & {
  readonly openedBy?: string | null;
  readonly ward?: string | null;
  readonly replayBase?: string | null;
};

/** How a seal gets the SHA-256 of an episode's snapshot texts. */
export interface SnapshotHasher {
  sha256(
    episodeId: string,
    field: 'snapshot' | 'initialSnapshot',
    text: string,
  ): string;
}

/** Every text hashed afresh (verification). */
const hashAfresh: SnapshotHasher = {
  sha256: (_episodeId, _field, text) => sha256Text(text),
};

/**
 * The seal of an episode's record: HMAC-SHA-256 of its identity, its stored
 * snapshots (by their SHA-256), its version and the hash of its chain's last
 * entry (`null` before the first event). `hasher`: where the write path
 * reuses the hash of a text it hashed before (snapshot-digests.util.ts).
 */
export function episodeSeal(
  key: KeyObject,
  episode: SealedEpisode,
  headHash: string | null,
  hasher: SnapshotHasher = hashAfresh,
  /**
   * 'board': over the board's columns too (every record this version
   * writes); 'before-board': without them, as versions before 2026-12-06
   * sealed (a record not written since is still recognised).
   */
  form: 'board' | 'before-board' = 'board',
): string {
  return mac(
    key,
    canonical({
      id: episode.id,
      kind: episode.kind,
      patientIdentifier: episode.patientIdentifier,
      snapshot: hasher.sha256(episode.id, 'snapshot', episode.snapshot),
      initialSnapshot:
        episode.initialSnapshot === null
          ? null
          : hasher.sha256(
              episode.id,
              'initialSnapshot',
              episode.initialSnapshot,
            ),
      version: episode.version,
      protocolHash: episode.protocolHash,
      profileHash: episode.profileHash,
      machineVersion: episode.machineVersion,
      createdAt: new Date(episode.createdAt).toISOString(),
      // Who opened it, where known (rows an older version wrote have none).
      ...(episode.openedBy ? { openedBy: episode.openedBy } : {}),
      // The ward the indicators group by, where one was given.
      // (An empty one is sealed too: only null, rows an older version
      // wrote, leaves the seal as it was.)
      ...(episode.ward === null || episode.ward === undefined
        ? {}
        : { ward: episode.ward }),
      // Where the replay starts since a newer statechart took it over
      // (audit-replay.util.ts): moving it would excuse a rewritten past.
      ...(episode.replayBase === null || episode.replayBase === undefined
        ? {}
        : { replayBase: sha256Text(episode.replayBase) }),
      headHash,
      ...(form === 'board'
        ? {
            board: {
              stage: episode.stage,
              tags: episode.tags,
              alertIds: episode.alertIds,
              overdue: episode.overdue,
              urgency: episode.urgency,
              // (A time edited into something unreadable seals as such:
              // the seal then differs, never a thrown error.)
              nextDueAt:
                episode.nextDueAt === null
                  ? null
                  : Number.isNaN(new Date(episode.nextDueAt).getTime())
                    ? `unreadable: ${String(episode.nextDueAt)}`
                    : new Date(episode.nextDueAt).toISOString(),
            },
          }
        : {}),
    }),
  );
}

/**
 * Whether an episode's record matches its seal: the seal this version
 * writes, or the one before the board's columns were sealed (a record no
 * event has touched since; its board columns are then not vouched for).
 */
export function sealHolds(
  key: KeyObject,
  episode: SealedEpisode & { readonly seal: string | null },
  headHash: string | null,
  hasher: SnapshotHasher = hashAfresh,
): boolean {
  return sealForm(key, episode, headHash, hasher) !== null;
}

/**
 * Which form of the seal the record matches ('board': this version's, over
 * the board's columns too; 'before-board': an older one without them), or
 * null when none does.
 */
export function sealForm(
  key: KeyObject,
  episode: SealedEpisode & { readonly seal: string | null },
  headHash: string | null,
  hasher: SnapshotHasher = hashAfresh,
): 'board' | 'before-board' | null {
  if (episode.seal === null) return null;
  if (episodeSeal(key, episode, headHash, hasher) === episode.seal) {
    return 'board';
  }
  return episodeSeal(key, episode, headHash, hasher, 'before-board') ===
    episode.seal
    ? 'before-board'
    : null;
}

/** What the seal of an episode's kept quality facts covers. */
export type SealedQuality = Pick<EpisodeRow, 'id' | 'version' | 'quality'>;

/**
 * The seal of an episode's kept quality facts (derived data the report
 * reads instead of replaying the audit): the episode, the version they were
 * written at and their text, under the audit key. Apart from the record's
 * seal so that a report checks it without reading the snapshots (an HMAC of
 * a few kilobytes per episode).
 */
export function qualitySeal(key: KeyObject, episode: SealedQuality): string {
  return mac(
    key,
    `quality\n${episode.id}\n${String(episode.version)}\n${episode.quality ?? ''}`,
  );
}

/**
 * The kept quality facts when their seal vouches for them; null when there
 * are none, they carry no seal (written before seals) or the seal does not
 * match (changed outside the service): the audit is replayed instead.
 */
export function vouchedQuality(
  key: KeyObject,
  episode: SealedQuality & { readonly qualitySeal: string | null },
): string | null {
  if (episode.quality === null || episode.qualitySeal === null) return null;
  return qualitySeal(key, episode) === episode.qualitySeal
    ? episode.quality
    : null;
}

/** One thing verification found wrong, named. */
export interface AuditProblem {
  readonly episodeId: string;
  /** The entry concerned, when it is one entry. */
  readonly seq: number | null;
  readonly id: string | null;
  readonly reason: string;
}

/**
 * The authentication code of a refused attempt: HMAC-SHA-256 under the
 * audit key of its fields, its place in its episode's chain of refusals and
 * the previous attempt's code.
 */
export function rejectedAttemptMac(
  key: KeyObject,
  attempt: Omit<RejectedAttemptRow, 'mac'>,
): string {
  return mac(
    key,
    canonical({
      id: attempt.id,
      episodeId: attempt.episodeId,
      seq: attempt.seq,
      type: attempt.type,
      payload: attempt.payload,
      actorId: attempt.actorId,
      actorRole: attempt.actorRole,
      recordedAt: new Date(attempt.recordedAt).toISOString(),
      reason: attempt.reason,
      evidence: attempt.evidence,
      prevMac: attempt.prevMac,
    }),
  );
}

/** A row of a keyed chain of its own (refused attempts, the access log). */
interface ChainedRow {
  readonly id: string;
  readonly seq: number | null;
  readonly prevMac: string | null;
  readonly mac: string | null;
}

/** What a chain's problems say, in its own words. */
interface ChainWords {
  readonly episodeId: string;
  stripped(id: string): string;
  altered(seq: number): string;
  gap(seq: number, deleted: number): string;
  unlinked(seq: number): string;
}

/**
 * Everything wrong with one chain of rows: one altered, deleted from the
 * middle (a gap, or a broken link), or out of order; one without a code
 * recorded after the chain's first authenticated row (its code removed, or
 * forged). (One deleted from the end shows against a signed checkpoint.)
 * Rows without a code recorded before any authenticated one were written
 * by an older version: they cannot be vouched for, and are counted apart,
 * not named as broken.
 */
function rowChainProblems<T extends ChainedRow>(
  rows: readonly T[],
  macOf: (row: T) => string,
  timeOf: (row: T) => Date,
  words: ChainWords,
): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const chained = rows
    .filter((row) => !unauthenticated(row))
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  // (A loop, not Math.min(...): a user's access log may hold more entries
  // than a call takes arguments.)
  let chainBegan = Infinity;
  for (const row of chained) {
    chainBegan = Math.min(chainBegan, new Date(timeOf(row)).getTime());
  }
  const at = (row: T) => ({
    episodeId: words.episodeId,
    seq: null,
    id: row.id,
  });
  for (const row of rows) {
    if (unauthenticated(row) && new Date(timeOf(row)).getTime() >= chainBegan) {
      problems.push({ ...at(row), reason: words.stripped(row.id) });
    }
  }
  let previous: T | null = null;
  for (const row of chained) {
    const seq = row.seq ?? 0;
    const expected = (previous?.seq ?? 0) + 1;
    if (macOf(row) !== row.mac) {
      problems.push({ ...at(row), reason: words.altered(seq) });
    } else if (seq !== expected) {
      problems.push({ ...at(row), reason: words.gap(seq, seq - expected) });
    } else if (row.prevMac !== (previous?.mac ?? null)) {
      problems.push({ ...at(row), reason: words.unlinked(seq) });
    }
    previous = row;
  }
  return problems;
}

/** A row without its place and code (an older version's). */
function unauthenticated(row: ChainedRow): boolean {
  return row.seq === null || row.mac === null;
}

/**
 * Everything wrong with one episode's refused attempts (see
 * `rowChainProblems`); rows an older version wrote are counted apart
 * (`unauthenticatedRefusals`).
 */
export function refusalProblems(
  key: KeyObject,
  episodeId: string,
  attempts: readonly RejectedAttemptRow[],
): AuditProblem[] {
  return rowChainProblems(
    attempts,
    (attempt) => rejectedAttemptMac(key, attempt),
    (attempt) => attempt.recordedAt,
    {
      episodeId,
      stripped: (id) =>
        `refused attempt ${id} carries no authentication code though recorded after this episode's refusals were authenticated (its code removed, or forged)`,
      altered: (seq) =>
        `refused attempt ${String(seq)}: content does not match its authentication code (altered, or written without the audit key)`,
      gap: (seq, deleted) =>
        `refused attempts: sequence gap before ${String(seq)} (${String(deleted)} deleted)`,
      unlinked: (seq) =>
        `refused attempt ${String(seq)} does not follow the attempt before it (the chain of refusals was rewritten)`,
    },
  );
}

/**
 * The authentication code of an access log entry: HMAC-SHA-256 under the
 * audit key of its fields, its place in its user's chain and the previous
 * entry's code.
 */
export function accessEntryMac(
  key: KeyObject,
  entry: Omit<AccessLogRow, 'mac'>,
): string {
  return mac(
    key,
    canonical({
      id: entry.id,
      at: new Date(entry.at).toISOString(),
      actorId: entry.actorId,
      actorRole: entry.actorRole,
      action: entry.action,
      episodeId: entry.episodeId,
      subject: entry.subject,
      detail: entry.detail,
      seq: entry.seq,
      prevMac: entry.prevMac,
    }),
  );
}

/**
 * Everything wrong with the access log (each user's chain, see
 * `rowChainProblems`), named under episode `*` with the user; with the
 * count of entries an older version wrote.
 */
export function accessLogProblems(
  key: KeyObject,
  entries: readonly AccessLogRow[],
): { problems: AuditProblem[]; unauthenticated: number } {
  const byActor = new Map<string, AccessLogRow[]>();
  for (const entry of entries) {
    const list = byActor.get(entry.actorId);
    if (list) list.push(entry);
    else byActor.set(entry.actorId, [entry]);
  }
  const problems: AuditProblem[] = [];
  for (const [actor, rows] of byActor) {
    problems.push(
      ...rowChainProblems(
        rows,
        (entry) => accessEntryMac(key, entry),
        (entry) => entry.at,
        {
          episodeId: '*',
          stripped: (id) =>
            `access log entry ${id} of ${actor} carries no authentication code though recorded after ${actor}'s entries were authenticated (its code removed, or forged)`,
          altered: (seq) =>
            `access log entry ${String(seq)} of ${actor}: content does not match its authentication code (altered, or written without the audit key)`,
          gap: (seq, deleted) =>
            `access log of ${actor}: sequence gap before ${String(seq)} (${String(deleted)} deleted)`,
          unlinked: (seq) =>
            `access log entry ${String(seq)} of ${actor} does not follow the entry before it (the access log was rewritten)`,
        },
      ),
    );
  }
  return {
    problems,
    unauthenticated: entries.filter(unauthenticated).length,
  };
}

/** The first entry whose hash or link is wrong, or null when the chain holds. */
export function firstBrokenEntry(
  key: KeyObject,
  entries: readonly AuditRow[],
): { seq: number; id: string; reason: string } | null {
  let previous = GENESIS_HASH;
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  for (const [index, entry] of sorted.entries()) {
    if (entry.seq !== index + 1) {
      return {
        seq: entry.seq,
        id: entry.id,
        reason: `sequence gap before ${entry.seq}`,
      };
    }
    if (entry.prevHash !== previous) {
      return {
        seq: entry.seq,
        id: entry.id,
        reason: 'link to the previous entry broken',
      };
    }
    if (!entry.hash.startsWith(MAC_PREFIX)) {
      return {
        seq: entry.seq,
        id: entry.id,
        reason:
          'not authenticated with the audit key (an unkeyed hash: written by an older version, or forged)',
      };
    }
    if (auditEntryHash(key, entry) !== entry.hash) {
      return {
        seq: entry.seq,
        id: entry.id,
        reason:
          'content does not match its authentication code (altered, or written without the audit key)',
      };
    }
    previous = entry.hash;
  }
  return null;
}

/**
 * Everything wrong with one episode's audit: its chain (each entry), the
 * chain against the episode (a missing tail, a missing chain, entries past
 * the episode's version) and the episode's record against its seal (an edited
 * snapshot, identifier or version). `episode` undefined: a chain whose
 * episode is gone.
 */
export function chainProblems(
  key: KeyObject,
  episodeId: string,
  episode:
    | (SealedEpisode & {
        seal: string | null;
        quality?: string | null;
        qualitySeal?: string | null;
        protocolVersion?: string;
      })
    | undefined,
  entries: readonly AuditRow[],
): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const broken = firstBrokenEntry(key, entries);
  if (broken) problems.push({ episodeId, ...broken });
  if (episode === undefined) {
    problems.push({
      episodeId,
      seq: null,
      id: null,
      reason: `an audit chain of ${entries.length} entries whose episode is missing (deleted outside the service)`,
    });
    return problems;
  }
  const head = entries.reduce<AuditRow | undefined>(
    (last, entry) =>
      last === undefined || entry.seq > last.seq ? entry : last,
    undefined,
  );
  const length = head?.seq ?? 0;
  if (length < episode.version) {
    problems.push({
      episodeId,
      seq: length + 1,
      id: null,
      reason:
        length === 0
          ? `the episode is at version ${episode.version} but its audit chain is missing`
          : `the chain ends at entry ${length} but the episode is at version ${episode.version}: ${episode.version - length} entries missing at the end`,
    });
  } else if (length > episode.version) {
    problems.push({
      episodeId,
      seq: episode.version + 1,
      id: null,
      reason: `the chain has ${length} entries but the episode is at version ${episode.version}`,
    });
  }
  if (episode.seal === null) {
    problems.push({
      episodeId,
      seq: null,
      id: null,
      reason:
        'the episode record is not sealed with the audit key (written by an older version, or forged)',
    });
  } else {
    const form = sealForm(key, episode, head?.hash ?? null);
    if (form === null) {
      problems.push({
        episodeId,
        seq: null,
        id: null,
        reason:
          'the episode record does not match its seal: its snapshot, identifier, version, chain head or board columns (stage, alerts, overdue, urgency, next due) were changed outside the service',
      });
    } else if (form === 'before-board') {
      // Sealed before the seal covered the board's columns and not written
      // since: they must be what its sealed snapshot says.
      const changed = boardColumnsDiffer(episode);
      if (changed.length > 0) {
        problems.push({
          episodeId,
          seq: null,
          id: null,
          reason: `the episode record's board columns (${changed.join(', ')}) are not those of its sealed snapshot: changed outside the service (the record was sealed before its seal covered them)`,
        });
      }
    }
  }
  // The protocol version the reports filter by is a column of its own:
  // it must be the sealed snapshot's.
  if (episode.protocolVersion !== undefined) {
    let sealed: unknown;
    try {
      sealed = (
        JSON.parse(episode.snapshot) as {
          context?: { protocol?: { version?: unknown } };
        }
      ).context?.protocol?.version;
    } catch {
      sealed = undefined;
    }
    if (sealed !== episode.protocolVersion) {
      problems.push({
        episodeId,
        seq: null,
        id: null,
        reason: `the episode's protocol version (${episode.protocolVersion}) is not its sealed snapshot's (${String(sealed)}): changed outside the service`,
      });
    }
  }
  if (
    episode.quality !== undefined &&
    episode.quality !== null &&
    vouchedQuality(key, {
      id: episode.id,
      version: episode.version,
      quality: episode.quality,
      qualitySeal: episode.qualitySeal ?? null,
    }) === null
  ) {
    problems.push({
      episodeId,
      seq: null,
      id: null,
      reason:
        episode.qualitySeal === null || episode.qualitySeal === undefined
          ? 'kept quality facts without a seal: written outside the service (the quality report replays this episode from its audit instead)'
          : 'the kept quality facts do not match their seal: changed outside the service (the quality report replays this episode from its audit instead)',
    });
  }
  return problems;
}

/**
 * Rows grouped by episode (audit entries, refused attempts, work items),
 * each list in the order given.
 */
export function auditByEpisode<T extends { readonly episodeId: string }>(
  entries: readonly T[],
): Map<string, T[]> {
  const byEpisode = new Map<string, T[]>();
  for (const entry of entries) {
    const list = byEpisode.get(entry.episodeId);
    if (list) list.push(entry);
    else byEpisode.set(entry.episodeId, [entry]);
  }
  return byEpisode;
}

/**
 * Every problem of every chain and episode (see `chainProblems`), with the
 * counts; `extra` adds a check per episode (the replay).
 */
export function verifyAll(
  key: KeyObject,
  episodes: readonly EpisodeRow[],
  entries: readonly AuditRow[],
  extra: (
    row: EpisodeRow,
    chain: readonly AuditRow[],
  ) => AuditProblem | null = () => null,
  /** The refused attempts, every episode's (their chains are checked too). */
  refusals: readonly RejectedAttemptRow[] = [],
  /** The access log, every user's (their chains are checked too). */
  access: readonly AccessLogRow[] = [],
) {
  const byEpisode = auditByEpisode(entries);
  const rows = new Map(episodes.map((row) => [row.id, row]));
  const problems: AuditProblem[] = [];
  for (const [episodeId, attempts] of auditByEpisode(refusals)) {
    problems.push(...refusalProblems(key, episodeId, attempts));
  }
  const accessLog = accessLogProblems(key, access);
  problems.push(...accessLog.problems);
  for (const row of episodes) {
    const chain = byEpisode.get(row.id) ?? [];
    chain.sort((a, b) => a.seq - b.seq);
    problems.push(...chainProblems(key, row.id, row, chain));
    const more = extra(row, chain);
    if (more) problems.push(more);
  }
  for (const [episodeId, chain] of byEpisode) {
    if (!rows.has(episodeId)) {
      problems.push(...chainProblems(key, episodeId, undefined, chain));
    }
  }
  return {
    ok: problems.length === 0,
    episodes: episodes.length,
    entries: entries.length,
    refusals: refusals.length,
    unauthenticatedRefusals: refusals.filter(unauthenticated).length,
    accessEntries: access.length,
    unauthenticatedAccessEntries: accessLog.unauthenticated,
    broken: problems,
  };
}
