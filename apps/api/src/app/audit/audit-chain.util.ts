import { createHash } from 'node:crypto';

import canonicalize from 'canonicalize';

import type { AuditRow } from '../database/entities.js';

/**
 * `contentHash` of @mas/protocol (SHA-256 of the canonical JSON, RFC 8785),
 * computed with Node's own SHA-256 on the write path: the portable one took
 * 30 µs of each accepted event. The same digest (a test compares them).
 */
function sha256OfCanonical(value: unknown): string {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new Error('value has no JSON form');
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

/** The hash of the first entry's predecessor. */
export const GENESIS_HASH = 'sha256:genesis';

/** The fields an entry's hash covers (everything but its id and hash). */
export function auditEntryHash(entry: Omit<AuditRow, 'id' | 'hash'>): string {
  return sha256OfCanonical({
    episodeId: entry.episodeId,
    seq: entry.seq,
    type: entry.type,
    payload: entry.payload,
    actorId: entry.actorId,
    actorRole: entry.actorRole,
    occurredAt: new Date(entry.occurredAt).toISOString(),
    recordedAt: new Date(entry.recordedAt).toISOString(),
    rationale: entry.rationale,
    evidence: entry.evidence,
    guard: entry.guard,
    stateBefore: entry.stateBefore,
    stateAfter: entry.stateAfter,
    protocolHash: entry.protocolHash,
    profileHash: entry.profileHash,
    prevHash: entry.prevHash,
  });
}

/** The first entry whose hash or link is wrong, or null when the chain holds. */
export function firstBrokenEntry(
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
    if (auditEntryHash(entry) !== entry.hash) {
      return {
        seq: entry.seq,
        id: entry.id,
        reason: 'content does not match its hash',
      };
    }
    previous = entry.hash;
  }
  return null;
}
