/**
 * Signed checkpoints of the audit: every chain's head (its last entry's seq
 * and hash) at a moment, signed by the service with Ed25519. An auditor keeps
 * one outside the database; later, `cli audit verify --checkpoint FILE`
 * shows whether any chain it lists lost entries, was rewritten, or vanished
 * with its episode since. The signature is checked with the public key alone
 * (the file carries it and its id; compare the id with the one the service
 * publishes).
 */
import { createPublicKey, sign, verify } from 'node:crypto';

import canonicalize from 'canonicalize';

import type { AuditRow, EpisodeRow } from '../database/entities.js';
import { type CheckpointKeys, keyIdOf } from '../keys/service-keys.js';
import type { AuditProblem } from './audit-chain.util.js';

export const CHECKPOINT_FORMAT = 'mas-audit-checkpoint/1';

export interface ChainHead {
  readonly episodeId: string;
  /** The last entry's seq (0: an episode with no event yet). */
  readonly seq: number;
  /** The last entry's hash (null when seq is 0). */
  readonly hash: string | null;
  /** The episode's last refused attempt (its seq and code), if any. */
  readonly refused?: { readonly seq: number; readonly mac: string };
}

/** What the signature covers. */
export interface CheckpointBody {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly issuedAt: string;
  readonly episodes: number;
  readonly entries: number;
  readonly chains: readonly ChainHead[];
  /** Each user's last access log entry (absent from older checkpoints). */
  readonly accessLogs?: readonly AccessHead[];
  readonly keyId: string;
}

/** The head of one user's chain of access log entries. */
export interface AccessHead {
  readonly actorId: string;
  readonly seq: number;
  readonly mac: string;
}

export interface Checkpoint extends CheckpointBody {
  /** Ed25519 signature of the canonical JSON of the body, base64. */
  readonly signature: string;
  /** The public key (SPKI PEM) that checks it. */
  readonly publicKey: string;
}

function signedBytes(body: CheckpointBody): Buffer {
  const text = canonicalize({
    format: body.format,
    issuedAt: body.issuedAt,
    episodes: body.episodes,
    entries: body.entries,
    chains: body.chains.map((c) => ({
      episodeId: c.episodeId,
      seq: c.seq,
      hash: c.hash,
      // (Absent from checkpoints written before refusals were chained:
      // their signed bytes are unchanged.)
      ...(c.refused
        ? { refused: { seq: c.refused.seq, mac: c.refused.mac } }
        : {}),
    })),
    ...(body.accessLogs
      ? {
          accessLogs: body.accessLogs.map((a) => ({
            actorId: a.actorId,
            seq: a.seq,
            mac: a.mac,
          })),
        }
      : {}),
    keyId: body.keyId,
  });
  if (text === undefined) throw new Error('checkpoint has no JSON form');
  return Buffer.from(text, 'utf8');
}

/** Every episode's chain head, sorted by episode id. */
export function chainHeads(
  episodes: readonly Pick<EpisodeRow, 'id'>[],
  heads: readonly Pick<AuditRow, 'episodeId' | 'seq' | 'hash'>[],
  /** Each episode's last refused attempt. */
  refusedHeads: readonly {
    readonly episodeId: string;
    readonly seq: number;
    readonly mac: string;
  }[] = [],
): ChainHead[] {
  const byEpisode = new Map(heads.map((h) => [h.episodeId, h]));
  const refusedBy = new Map(refusedHeads.map((h) => [h.episodeId, h]));
  return episodes
    .map((episode) => {
      const head = byEpisode.get(episode.id);
      const refused = refusedBy.get(episode.id);
      return {
        episodeId: episode.id,
        seq: head ? head.seq : 0,
        hash: head?.hash ?? null,
        ...(refused ? { refused: { seq: refused.seq, mac: refused.mac } } : {}),
      };
    })
    .sort((a, b) => (a.episodeId < b.episodeId ? -1 : 1));
}

export function signCheckpoint(
  keys: CheckpointKeys,
  content: Omit<CheckpointBody, 'format' | 'keyId'>,
): Checkpoint {
  const body: CheckpointBody = {
    format: CHECKPOINT_FORMAT,
    ...content,
    keyId: keys.keyId,
  };
  return {
    ...body,
    signature: sign(null, signedBytes(body), keys.privateKey).toString(
      'base64',
    ),
    publicKey: keys.publicKeyPem,
  };
}

/** Why a checkpoint file cannot be trusted, or null when its signature holds. */
export function checkpointSignatureProblem(
  checkpoint: Checkpoint,
): string | null {
  // A file read from disk: its format is whatever it says.
  if (
    (checkpoint as { readonly format: unknown }).format !== CHECKPOINT_FORMAT
  ) {
    return `not a checkpoint of format ${CHECKPOINT_FORMAT}`;
  }
  let publicKey;
  try {
    publicKey = createPublicKey(checkpoint.publicKey);
  } catch {
    return 'its public key cannot be read';
  }
  if (keyIdOf(publicKey) !== checkpoint.keyId) {
    return 'its public key does not match its key id';
  }
  const holds = verify(
    null,
    signedBytes(checkpoint),
    publicKey,
    Buffer.from(checkpoint.signature, 'base64'),
  );
  return holds ? null : 'its signature does not hold (the file was altered)';
}

/**
 * What changed since a checkpoint: each chain it lists must still exist with
 * its episode and hold, at the checkpoint's seq, the entry it recorded.
 * `entryAt` gives the hash of an episode's entry at a seq (undefined: none).
 */
export function sinceCheckpoint(
  checkpoint: Checkpoint,
  episodeIds: ReadonlySet<string>,
  entryAt: (episodeId: string, seq: number) => string | undefined,
  /** The code of an episode's refused attempt at a seq (undefined: none). */
  refusedAt: (episodeId: string, seq: number) => string | undefined = () =>
    undefined,
  /** The code of a user's access log entry at a seq (undefined: none). */
  accessAt: (actorId: string, seq: number) => string | undefined = () =>
    undefined,
): AuditProblem[] {
  const problems: AuditProblem[] = [];
  for (const head of checkpoint.accessLogs ?? []) {
    const code = accessAt(head.actorId, head.seq);
    if (code !== head.mac) {
      problems.push({
        episodeId: '*',
        seq: null,
        id: null,
        reason:
          code === undefined
            ? `access log entry ${String(head.seq)} of ${head.actorId} is missing, though the checkpoint of ${checkpoint.issuedAt} recorded it`
            : `access log entry ${String(head.seq)} of ${head.actorId} differs from the checkpoint of ${checkpoint.issuedAt}: the log up to it was rewritten`,
      });
    }
  }
  for (const chain of checkpoint.chains) {
    const base = { episodeId: chain.episodeId, id: null };
    if (!episodeIds.has(chain.episodeId)) {
      problems.push({
        ...base,
        seq: null,
        reason: `the episode is missing, though the checkpoint of ${checkpoint.issuedAt} lists it with ${chain.seq} entries`,
      });
      continue;
    }
    if (chain.refused) {
      const code = refusedAt(chain.episodeId, chain.refused.seq);
      if (code !== chain.refused.mac) {
        problems.push({
          ...base,
          seq: null,
          reason:
            code === undefined
              ? `refused attempt ${String(chain.refused.seq)} is missing, though the checkpoint of ${checkpoint.issuedAt} recorded it`
              : `refused attempt ${String(chain.refused.seq)} differs from the checkpoint of ${checkpoint.issuedAt}: the refusals up to it were rewritten`,
        });
      }
    }
    if (chain.seq === 0) continue;
    const hash = entryAt(chain.episodeId, chain.seq);
    if (hash === undefined) {
      problems.push({
        ...base,
        seq: chain.seq,
        reason: `entry ${chain.seq} is missing, though the checkpoint of ${checkpoint.issuedAt} recorded it`,
      });
    } else if (hash !== chain.hash) {
      problems.push({
        ...base,
        seq: chain.seq,
        reason: `entry ${chain.seq} differs from the checkpoint of ${checkpoint.issuedAt}: the history up to it was rewritten`,
      });
    }
  }
  return problems;
}
