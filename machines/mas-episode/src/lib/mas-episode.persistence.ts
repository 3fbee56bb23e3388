import { type ActorScope, createActor, type SnapshotFrom } from 'xstate';

import { type EpisodeEvent, parseEpisodeEvent } from '@mas/contracts';

import { masEpisodeMachine } from './mas-episode.machine.js';
import type { EpisodeContext } from './mas-episode.types.js';

export type PersistedEpisodeSnapshot = ReturnType<
  typeof masEpisodeMachine.getPersistedSnapshot
>;

type EpisodeMachineSnapshot = SnapshotFrom<typeof masEpisodeMachine>;
type EpisodeActorScope = ActorScope<
  EpisodeMachineSnapshot,
  EpisodeEvent,
  never
>;

let inertScope: EpisodeActorScope | null = null;

/**
 * One inert actor scope for the pure steps below, made on first use.
 *
 * xstate's `transition()` builds a new actor for every call, and an actor
 * works out the machine's initial context when it is built: for this machine
 * that costs more than the step itself (the service's write path spent a
 * tenth of its time there). The machine invokes and spawns nothing, and the
 * scope's action executor only records, so one scope serves every call (calls
 * are synchronous: they cannot interleave).
 */
function scope(): EpisodeActorScope {
  if (inertScope === null) {
    const self = createActor(masEpisodeMachine, { input: undefined });
    inertScope = {
      self,
      defer: () => undefined,
      id: '',
      logger: () => undefined,
      sessionId: '',
      stopChild: () => undefined,
      system: self.system,
      emit: () => undefined,
      actionExecutor: () => undefined,
    } as unknown as EpisodeActorScope;
  }
  return inertScope;
}

/** A stored snapshot, restored into the machine (service, web app, replays). */
export function restoreEpisodeSnapshot(
  persisted: unknown,
): EpisodeMachineSnapshot {
  return masEpisodeMachine.restoreSnapshot(
    persisted as PersistedEpisodeSnapshot,
    scope() as never,
  );
}

/**
 * The machine's next snapshot for `event`, and the effects it asks for (not
 * run): xstate's pure `transition()` without building an actor per call.
 */
export function stepEpisode(
  snapshot: EpisodeMachineSnapshot,
  event: EpisodeEvent,
): [EpisodeMachineSnapshot, unknown[]] {
  const inert = scope();
  const effects: unknown[] = [];
  inert.actionExecutor = (action) => {
    effects.push(action);
  };
  try {
    return [masEpisodeMachine.transition(snapshot, event, inert), effects];
  } finally {
    inert.actionExecutor = () => undefined;
  }
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
