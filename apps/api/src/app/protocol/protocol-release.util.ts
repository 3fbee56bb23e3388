import type {
  AuditProtocolRelease,
  ProtocolReleaseAnswer,
  StoredProtocolRelease,
} from '@mas/contracts';
import {
  compareVersions,
  contentReleaseStatement,
  releaseOfContent,
} from '@mas/protocol';

import { auditByEpisode } from '../audit/audit-chain.util.js';
import type { AuditRow, EpisodeRow } from '../database/entities.js';

/**
 * Whether the protocol content a record names is a pinned release of its
 * version, as the API answers it (`ProtocolRelease`): a hash not pinned is
 * stated, never refused (development builds wrote records before the pin).
 */
export function protocolReleaseOf(
  version: string,
  hash: string,
): ProtocolReleaseAnswer {
  const match = releaseOfContent(version, hash);
  return {
    version,
    hash,
    status: match.status,
    pinned:
      match.status === 'pinned'
        ? { date: match.release.date, change: match.release.change }
        : null,
    releases: match.releases.map((r) => ({ hash: r.hash, date: r.date })),
    statement: contentReleaseStatement(match),
  };
}

/** `toVersion` of a `protocol.migrated` entry's stored payload, if it names one. */
function migratedTo(payload: string): string | undefined {
  try {
    const parsed = JSON.parse(payload) as { toVersion?: unknown } | null;
    return typeof parsed?.toVersion === 'string' ? parsed.toVersion : undefined;
  } catch {
    // A payload edited into something unreadable names no version (the
    // verification names the edit).
    return undefined;
  }
}

/** `fromVersion` of the first migration in the chain, if any. */
function firstVersion(
  entries: readonly Pick<AuditRow, 'type' | 'payload'>[],
): string | undefined {
  const first = entries.find((e) => e.type === 'protocol.migrated');
  if (first === undefined) return undefined;
  try {
    const parsed = JSON.parse(first.payload) as {
      fromVersion?: unknown;
    } | null;
    return typeof parsed?.fromVersion === 'string'
      ? parsed.fromVersion
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The protocol release of each entry of an episode's chain (oldest first),
 * and each distinct content the chain records with the entries under it.
 * An entry carries the content hash but not the version number: the
 * version is the one the episode ran under then, known from the chain
 * itself (a `protocol.migrated` entry names both ends; its own hash is
 * already of the version it moved to), else the episode's own version.
 */
export function auditProtocolReleases(
  entries: readonly Pick<
    AuditRow,
    'seq' | 'type' | 'payload' | 'protocolHash'
  >[],
  episodeVersion: string,
): {
  readonly perEntry: readonly ProtocolReleaseAnswer[];
  readonly distinct: AuditProtocolRelease[];
} {
  let version = firstVersion(entries) ?? episodeVersion;
  // One answer per distinct content, shared by its entries.
  const known = new Map<string, ProtocolReleaseAnswer>();
  const distinct = new Map<string, AuditProtocolRelease>();
  const perEntry = entries.map((entry) => {
    if (entry.type === 'protocol.migrated') {
      version = migratedTo(entry.payload) ?? version;
    }
    const key = `${version} ${entry.protocolHash}`;
    const release =
      known.get(key) ?? protocolReleaseOf(version, entry.protocolHash);
    known.set(key, release);
    const seen = distinct.get(key);
    distinct.set(
      key,
      seen === undefined
        ? { ...release, fromSeq: entry.seq, toSeq: entry.seq, entries: 1 }
        : { ...seen, toSeq: entry.seq, entries: seen.entries + 1 },
    );
    return release;
  });
  return { perEntry, distinct: [...distinct.values()] };
}

/**
 * Each protocol content the stored audit records, over every episode (its
 * chain's contents, and the one its record runs under now), with the
 * episodes and entries under it, pinned releases first: what an auditor
 * checking the whole database reads of it (a chain whose episode is gone
 * names no version, and is a problem of its own).
 */
export function storedProtocolReleases(
  episodes: readonly Pick<
    EpisodeRow,
    'id' | 'protocolVersion' | 'protocolHash'
  >[],
  entries: readonly Pick<
    AuditRow,
    'episodeId' | 'seq' | 'type' | 'payload' | 'protocolHash'
  >[],
): StoredProtocolRelease[] {
  const chains = auditByEpisode(entries);
  const totals = new Map<string, StoredProtocolRelease>();
  const add = (release: ProtocolReleaseAnswer, count: number) => {
    const key = `${release.version} ${release.hash}`;
    const seen = totals.get(key);
    totals.set(
      key,
      seen === undefined
        ? { ...release, episodes: 1, entries: count }
        : {
            ...seen,
            episodes: seen.episodes + 1,
            entries: seen.entries + count,
          },
    );
  };
  for (const row of episodes) {
    const chain = [...(chains.get(row.id) ?? [])].sort((a, b) => a.seq - b.seq);
    const { distinct } = auditProtocolReleases(chain, row.protocolVersion);
    for (const {
      fromSeq: _from,
      toSeq: _to,
      entries,
      ...release
    } of distinct) {
      add(release, entries);
    }
    // The record's own content, where no entry names it yet (an episode
    // opened and not written on since).
    if (
      !distinct.some(
        (r) => r.version === row.protocolVersion && r.hash === row.protocolHash,
      )
    ) {
      add(protocolReleaseOf(row.protocolVersion, row.protocolHash), 0);
    }
  }
  const order = (r: StoredProtocolRelease) => (r.status === 'pinned' ? 0 : 1);
  return [...totals.values()].sort(
    (a, b) =>
      order(a) - order(b) ||
      compareVersions(a.version, b.version) ||
      a.hash.localeCompare(b.hash),
  );
}
