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

/** What replaying an episode's history under another protocol version gives. */
export interface ReplayUnder {
  /**
   * agrees: every event accepted, the same states and alerts as the plan's
   * mapping; differs: accepted, but the states or alerts differ (detail);
   * refused: an event of the history is refused there (detail);
   * not-replayable: no first snapshot (older rows).
   */
  readonly outcome: 'agrees' | 'differs' | 'refused' | 'not-replayable';
  readonly detail: string;
}

/**
 * The episode's recorded history replayed from its first snapshot as if it
 * had run under `to` from the start, compared with `mapped` (what the
 * migration plan makes of it): evidence for the senior deciding the move.
 * Nothing is written: the plan stays what a migration applies (a replay
 * would rewrite the past, raising alerts the version in force then did not).
 */
export function replayUnder(
  row: Pick<EpisodeRow, 'initialSnapshot'>,
  entries: readonly AuditRow[],
  to: { readonly id: string; readonly version: string; readonly hash: string },
  /** The plan's states for the episode, and the alerts it carries over. */
  mapped: { readonly value: unknown; readonly alertIds: readonly string[] },
  alertWords: (id: string) => string,
): ReplayUnder {
  if (row.initialSnapshot === null) {
    return {
      outcome: 'not-replayable',
      detail: 'this episode predates replayable history',
    };
  }
  const first = JSON.parse(row.initialSnapshot) as {
    context: Record<string, unknown>;
  };
  let snapshot = restoreEpisodeSnapshot({
    ...first,
    context: {
      ...first.context,
      protocol: { id: to.id, version: to.version, hash: to.hash },
    },
  });
  for (const entry of entries) {
    const event = recordedEvent(entry);
    const [next] = stepEpisode(snapshot, event);
    if (next === snapshot) {
      return {
        outcome: 'refused',
        detail: `entry ${String(entry.seq)} (${event.type}) is refused under ${to.version}`,
      };
    }
    snapshot = next;
  }
  const replayed = new Set<string>(snapshot.context.alerts.map((a) => a.id));
  const kept = new Set<string>(mapped.alertIds);
  const gained = [...replayed].filter((id) => !kept.has(id)).map(alertWords);
  const lost = [...kept].filter((id) => !replayed.has(id)).map(alertWords);
  const sameStates =
    JSON.stringify(snapshot.value) === JSON.stringify(mapped.value);
  if (sameStates && gained.length === 0 && lost.length === 0) {
    return {
      outcome: 'agrees',
      detail: `the history replayed under ${to.version} gives the same states and alerts`,
    };
  }
  const parts = [
    ...(sameStates ? [] : ['other states']),
    ...(gained.length === 0 ? [] : [`also ${gained.join(', ')}`]),
    ...(lost.length === 0 ? [] : [`not ${lost.join(', ')}`]),
  ];
  return {
    outcome: 'differs',
    detail: `replayed under ${to.version}, the history would give ${parts.join('; ')}: the plan keeps what was recorded`,
  };
}
