import {
  type ActorScope,
  type AnyStateMachine,
  createActor,
  type SnapshotFrom,
} from 'xstate';

import { type EpisodeEvent, parseEpisodeEvent } from '@mas/contracts';

import { masEpisodeMachine } from './mas-episode.machine.js';
import { applyStateMap } from './mas-episode.migration.js';
import type { EpisodeContext } from './mas-episode.types.js';
import { findMigrationPlanByHash } from './migration-plans.js';
import { scheduleEndsAt } from './therapy-record.util.js';

export type PersistedEpisodeSnapshot = ReturnType<
  typeof masEpisodeMachine.getPersistedSnapshot
>;

type EpisodeMachineSnapshot = SnapshotFrom<typeof masEpisodeMachine>;
type EpisodeActorScope = ActorScope<
  EpisodeMachineSnapshot,
  EpisodeEvent,
  never
>;

const inertScopes = new WeakMap<AnyStateMachine, ActorScope<never, never>>();

/**
 * One inert actor scope per machine for pure steps, made on first use.
 *
 * xstate's `transition()` builds a new actor for every call, and an actor
 * works out the machine's initial context when it is built: for this machine
 * that costs more than the step itself (the service's write path spent a
 * tenth of its time there). The machine invokes and spawns nothing, and the
 * scope's action executor only records, so one scope serves every call (calls
 * are synchronous: they cannot interleave). The model checker steps its
 * mutants (other machines) the same way.
 */
export function inertScopeFor(
  machine: AnyStateMachine,
): ActorScope<never, never> {
  let scope = inertScopes.get(machine);
  if (!scope) {
    const self = createActor(machine, { input: undefined as never });
    scope = {
      self,
      defer: () => undefined,
      id: '',
      logger: () => undefined,
      sessionId: '',
      stopChild: () => undefined,
      system: self.system,
      emit: () => undefined,
      actionExecutor: () => undefined,
    } as unknown as ActorScope<never, never>;
    inertScopes.set(machine, scope);
  }
  return scope;
}

function scope(): EpisodeActorScope {
  return inertScopeFor(masEpisodeMachine) as unknown as EpisodeActorScope;
}

/**
 * Context fields added since machine 1.0.0, with what a snapshot stored
 * before them means: no other therapies, an empty lab picture rebuilt from
 * the next panel on (the latest panel stays as it was), the step-by-step
 * baseline as the treatment baseline.
 */
function upgradeContext(context: Partial<EpisodeContext>): EpisodeContext {
  return {
    ...context,
    otherTherapies: context.otherTherapies ?? [],
    labPicture: context.labPicture ?? {},
    treatmentBaseline:
      context.treatmentBaseline ?? context.responseBaseline ?? null,
    treatmentStartedAt:
      context.treatmentStartedAt ??
      context.therapies?.find((t) => !t.background)?.startedAt ??
      null,
  } as EpisodeContext;
}

/** A stored snapshot, restored into the machine (service, web app, replays). */
export function restoreEpisodeSnapshot(
  persisted: unknown,
): EpisodeMachineSnapshot {
  const stored = persisted as { context: Partial<EpisodeContext> };
  return masEpisodeMachine.restoreSnapshot(
    {
      ...stored,
      context: upgradeContext(stored.context),
    } as unknown as PersistedEpisodeSnapshot,
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
    const after = masEpisodeMachine.transition(snapshot, event, inert);
    if (event.type !== 'protocol.migrated' || after === snapshot) {
      return [after, effects];
    }
    // Accepted, so the plan the event names by its hash is shipped (the
    // guard found it): the very plan is applied, on replays too.
    const plan = findMigrationPlanByHash(event.payload.planHash);
    return [
      plan ? applyStateMap(masEpisodeMachine, after, plan) : after,
      effects,
    ];
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

/**
 * The earliest instant the clock alone changes what the episode says, in
 * ms; null if none: a pending due time (not fired, not paused), or, while a
 * running dose is alerted as outside the limits now, the end of a running
 * pulse's last day (its alert then clears: the scheduler's tick at that
 * instant clears it, not the next event someone happens to record).
 */
export function nextPendingDue(context: EpisodeContext): number | null {
  let next: number | null = null;
  const consider = (at: number) => {
    if (next === null || at < next) next = at;
  };
  for (const due of Object.values(context.dues)) {
    if (due.dueAt === null || due.firedAt !== null || due.pausedAt !== null)
      continue;
    consider(Date.parse(due.dueAt));
  }
  if (context.alerts.some((alert) => alert.id === 'dose-outside-limits-now')) {
    const now = Date.parse(context.now);
    for (const therapy of context.therapies) {
      if (therapy.background || therapy.stoppedAt !== undefined) continue;
      const end = scheduleEndsAt(therapy);
      if (end !== null && Date.parse(end) > now) consider(Date.parse(end));
    }
  }
  return next;
}
