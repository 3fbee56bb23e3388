import type { StateValue } from 'xstate';

import { effectiveEntries } from '@mas/contracts';
import {
  type Alert,
  eventOfAuditEntry,
  masEpisodeMachine,
  restoreEpisodeSnapshot,
  stepHistory,
} from '@mas/mas-episode';
import { type LabPanelInput, type LabPicture, rolesFor } from '@mas/protocol';

import type { AuditEntry } from '../api/types.js';

interface StateNodeLike {
  readonly id: string;
  readonly states: Readonly<Record<string, StateNodeLike>>;
}

/** Ids of every active state node (all levels) for a state value. */
export function activeStateIds(value: StateValue): string[] {
  const ids: string[] = [];
  const walk = (node: StateNodeLike, v: StateValue): void => {
    ids.push(node.id);
    if (typeof v === 'string') {
      const child = node.states[v];
      if (child) ids.push(child.id);
      return;
    }
    for (const [key, childValue] of Object.entries(v)) {
      const child = node.states[key];
      if (child && childValue !== undefined) walk(child, childValue);
    }
  };
  walk(masEpisodeMachine.root, value);
  return ids;
}

export interface ReplayedEntry {
  readonly entry: AuditEntry;
  /** The alerts standing once this entry was taken. */
  readonly alerts: readonly Alert[];
  readonly stateIds: readonly string[];
  /**
   * Written by an earlier statechart in a form this one cannot read: shown
   * as recorded, without the alerts and states of a replay.
   */
  readonly unread?: true;
  /**
   * Not stepped: a correction, or an entry one marked entered in error
   * (the replays' one rule, `effectiveEntries`).
   */
  readonly notReplayed?: true;
}

/**
 * The audit replayed on the episode's first snapshot with the same machine
 * (the readers' one rule, `stepHistory`): the alerts standing after each
 * entry, and the states it entered.
 */
export function replayAudit(
  initialSnapshot: unknown,
  entries: readonly AuditEntry[],
  /**
   * Where a later statechart took the record over (after the entry whose
   * `seq` is `afterEntries`): from there on, the record's own steps (the
   * ones before are this statechart's reading).
   */
  takenUp?: {
    readonly afterEntries: number;
    readonly snapshot: unknown;
  } | null,
): { replayed: ReplayedEntry[]; initialStateIds: string[] } {
  const initial = restoreEpisodeSnapshot(initialSnapshot);
  const stepped = new Map<number, ReplayedEntry>();
  try {
    for (const { entry, after } of stepHistory(
      initial,
      effectiveEntries(entries),
      eventOfAuditEntry,
      {
        takenUp: takenUp
          ? { afterSeq: takenUp.afterEntries, snapshot: takenUp.snapshot }
          : null,
      },
    )) {
      stepped.set(entry.seq, {
        entry,
        alerts: after.context.alerts,
        stateIds: activeStateIds(after.value),
      });
    }
  } catch {
    // An entry this page's statechart cannot step (a record an earlier
    // one wrote and no later one took over yet): the page still shows
    // every entry as recorded, the ones from there on without a replay.
  }
  const replayable = new Set(effectiveEntries(entries).map((e) => e.seq));
  return {
    replayed: entries.map(
      (entry) =>
        stepped.get(entry.seq) ??
        (replayable.has(entry.seq)
          ? { entry, alerts: [], stateIds: [], unread: true }
          : { entry, alerts: [], stateIds: [], notReplayed: true }),
    ),
    initialStateIds: activeStateIds(initial.value),
  };
}

/** The path taken: each state and when it was first entered. */
export function visitedStates(
  openedAt: string,
  initialStateIds: readonly string[],
  replayed: readonly ReplayedEntry[],
): { stateId: string; at: string }[] {
  const first = new Map<string, string>();
  for (const id of initialStateIds) first.set(id, openedAt);
  for (const { entry, stateIds } of replayed) {
    for (const id of stateIds) {
      if (!first.has(id)) first.set(id, entry.occurredAt);
    }
  }
  return [...first.entries()].map(([stateId, at]) => ({ stateId, at }));
}

/**
 * Every lab panel recorded in the episode, in the order recorded, each at
 * the time its sample was drawn (the time of recording for an entry made
 * before samples carried their time); none entered in error.
 */
export function panelsOf(
  entries: readonly AuditEntry[],
): { at: string; panel: LabPanelInput }[] {
  return effectiveEntries(entries).flatMap((entry) => {
    if (
      entry.type !== 'labs.recorded' &&
      entry.type !== 'reassessment.recorded'
    ) {
      return [];
    }
    const payload = entry.payload as {
      panel?: LabPanelInput;
      collectedAt?: unknown;
    };
    const at =
      typeof payload.collectedAt === 'string'
        ? payload.collectedAt
        : entry.occurredAt;
    return payload.panel ? [{ at, panel: payload.panel }] : [];
  });
}

/**
 * The options a person may be offered: never an event only the service
 * records (the scheduler's clock), whatever a snapshot explains.
 */
export function userOptions<T extends { readonly type: string }>(
  options: readonly T[],
): T[] {
  return options.filter((option) =>
    rolesFor(option.type).some((role) => role !== 'system'),
  );
}

/**
 * The episode's lab picture (the latest value of each item, with its sample
 * time), when the machine keeps one; null for a snapshot without it.
 */
export function labPictureOf(context: unknown): LabPicture | null {
  if (typeof context !== 'object' || context === null) return null;
  const picture = (context as { labPicture?: unknown }).labPicture;
  return typeof picture === 'object' && picture !== null ? picture : null;
}
