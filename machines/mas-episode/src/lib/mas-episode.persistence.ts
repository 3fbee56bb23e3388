import { createActor, type SnapshotFrom } from 'xstate';

import { type EpisodeEvent, parseEpisodeEvent } from '@mas/contracts';

import { masEpisodeMachine } from './mas-episode.machine.js';
import type { EpisodeContext } from './mas-episode.types.js';

export type PersistedEpisodeSnapshot = ReturnType<
  typeof masEpisodeMachine.getPersistedSnapshot
>;

/** A stored snapshot, restored into the machine (service, web app, replays). */
export function restoreEpisodeSnapshot(
  persisted: unknown,
): SnapshotFrom<typeof masEpisodeMachine> {
  return createActor(masEpisodeMachine, {
    snapshot: persisted as PersistedEpisodeSnapshot,
    input: undefined,
  }).getSnapshot();
}

/** The fields of an audit entry the machine's event is rebuilt from. */
export interface AuditEntryFields {
  readonly seq: number;
  readonly type: string;
  readonly occurredAt: Date | string;
  readonly actorId: string;
  readonly actorRole: string;
  /** Parsed payload. */
  readonly payload: unknown;
  readonly rationale: string | null;
}

/** The event an audit entry recorded, as the machine takes it. */
export function eventOfAuditEntry(entry: AuditEntryFields): EpisodeEvent {
  return parseEpisodeEvent(
    {
      type: entry.type,
      at: new Date(entry.occurredAt).toISOString(),
      actor: { id: entry.actorId, role: entry.actorRole },
      payload: entry.payload,
      ...(entry.rationale === null ? {} : { rationale: entry.rationale }),
    },
    `audit[${String(entry.seq)}]`,
  );
}

/** The earliest pending due time (not fired, not paused), in ms; null if none. */
export function nextPendingDue(context: EpisodeContext): number | null {
  let next: number | null = null;
  for (const due of Object.values(context.dues)) {
    if (due.dueAt === null || due.firedAt !== null || due.pausedAt !== null)
      continue;
    const at = Date.parse(due.dueAt);
    if (next === null || at < next) next = at;
  }
  return next;
}
