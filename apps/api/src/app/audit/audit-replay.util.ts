/**
 * Replays of an episode's audit: each entry is the machine event it
 * recorded, and the machine stepped through them from the episode's first
 * snapshot must arrive at the stored one.
 */
import type { EpisodeEvent } from '@mas/contracts';
import {
  eventOfAuditEntry,
  masEpisodeMachine,
  restoreEpisodeSnapshot,
  stepEpisode,
} from '@mas/mas-episode';

import type { AuditRow, EpisodeRow } from '../database/entities.js';
import type { AuditProblem } from './audit-chain.util.js';

/** The machine event an audit entry recorded (for replays). */
export function recordedEvent(entry: AuditRow): EpisodeEvent {
  return eventOfAuditEntry({
    ...entry,
    payload: JSON.parse(entry.payload) as unknown,
  });
}

/**
 * Whether the stored snapshot is what the machine makes of the first
 * snapshot and the chain's events; null when it is.
 */
export function replayProblem(
  row: EpisodeRow,
  entries: readonly AuditRow[],
): AuditProblem | null {
  if (row.initialSnapshot === null) return null;
  try {
    let snapshot = restoreEpisodeSnapshot(JSON.parse(row.initialSnapshot));
    for (const entry of entries) {
      [snapshot] = stepEpisode(snapshot, recordedEvent(entry));
    }
    const replayed = JSON.stringify(
      masEpisodeMachine.getPersistedSnapshot(snapshot),
    );
    return replayed === row.snapshot
      ? null
      : {
          episodeId: row.id,
          seq: null,
          id: null,
          reason:
            'the stored snapshot differs from the replay of its audit chain',
        };
  } catch (error) {
    return {
      episodeId: row.id,
      seq: null,
      id: null,
      reason: `the chain does not replay: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
