/**
 * Replays of an episode's audit: each entry is the machine event it
 * recorded, and the machine stepped through them from the episode's first
 * snapshot must arrive at the stored one.
 */
import canonicalize from 'canonicalize';

import { effectiveEntries, type EpisodeEvent } from '@mas/contracts';
import {
  type EpisodeSnapshot,
  eventOfAuditEntry,
  explainRefusal,
  type HistoryStepOf,
  MAS_EPISODE_MACHINE_VERSION,
  masEpisodeMachine,
  restoreEpisodeSnapshot,
  stepEpisode,
  stepHistory,
} from '@mas/mas-episode';

import type { AuditRow, EpisodeRow } from '../database/entities.js';
import type { WorkItemRow } from '../work-items/work-item.entity.js';
import {
  type ImpliedWorkItem,
  impliedWorkItems,
  type WorkItemChanges,
  workItemChanges,
} from '../work-items/work-item-changes.util.js';
import type { AuditProblem } from './audit-chain.util.js';

/** The machine event an audit entry recorded (for replays). */
export function recordedEvent(entry: AuditRow): EpisodeEvent {
  return eventOfAuditEntry({
    ...entry,
    payload: JSON.parse(entry.payload) as unknown,
  });
}

/**
 * Where an episode's replay starts once a newer statechart took it over.
 * A machine version replays only what it wrote: an older one's steps can
 * differ from its own (a rule added, a criterion read anew), and a replay
 * of them under it would name a faithful record as changed. So the first
 * write under a new version keeps the stored snapshot as it found it (its
 * seal checked first), and the replay starts there.
 */
export interface ReplayBase {
  /** The last entry written before the takeover (the replay starts after it). */
  readonly seq: number;
  /** The stored snapshot then, as stored. */
  readonly snapshot: string;
  /** The machine versions that wrote the entries up to it, oldest first. */
  readonly earlier: readonly {
    readonly machineVersion: string;
    readonly lastSeq: number;
  }[];
  /**
   * The episode's work items then, as stored (times as ISO text): the
   * replay's items start from them (none would be implied before the base,
   * and an item deleted or forged there would go unseen).
   */
  readonly workItems: readonly (Omit<
    ImpliedWorkItem,
    'dueAt' | 'createdAt' | 'recordedAt' | 'doneAt'
  > & {
    readonly dueAt: string | null;
    readonly createdAt: string;
    readonly recordedAt: string;
    readonly doneAt: string | null;
  })[];
  /**
   * What the takeover found wrong with those items against the snapshot it
   * took over (`storedItemsProblem`): sealed with the base, so that an item
   * deleted or forged while an earlier statechart held the record is named
   * for good, not made the replay's starting point in silence. The write
   * itself goes on (a clinical record is never held up by it).
   */
  readonly workItemsProblem?: string;
}

/** The record's replay base, or null (none, or unreadable: then its seal fails). */
export function replayBaseOf(
  row: Pick<EpisodeRow, 'replayBase'>,
): ReplayBase | null {
  if (row.replayBase === null || row.replayBase === undefined) return null;
  try {
    const base = JSON.parse(row.replayBase) as ReplayBase;
    return typeof base.seq === 'number' &&
      typeof base.snapshot === 'string' &&
      Array.isArray(base.earlier) &&
      Array.isArray(base.workItems)
      ? base
      : null;
  } catch {
    return null;
  }
}

/**
 * Where the quality replay takes the record up (`QualityEpisodeInput`'s
 * `takenUp`), or nothing when no later statechart took it over.
 */
export function takenUpOf(row: Pick<EpisodeRow, 'replayBase'>): {
  takenUp?: { afterEvents: number; snapshot: unknown };
} {
  const base = replayBaseOf(row);
  return base
    ? {
        takenUp: {
          afterEvents: base.seq,
          snapshot: JSON.parse(base.snapshot) as unknown,
        },
      }
    : {};
}

/** A base's work items as the replay compares them. */
function baseItems(base: ReplayBase | null): ImpliedWorkItem[] {
  const time = (text: string | null) => (text === null ? null : new Date(text));
  return (base?.workItems ?? []).map((item) => ({
    ...item,
    dueAt: time(item.dueAt),
    createdAt: new Date(item.createdAt),
    recordedAt: new Date(item.recordedAt),
    doneAt: time(item.doneAt),
  }));
}

/**
 * Whether the stored work items are the ones a stored snapshot calls for,
 * for a record this version does not replay (an earlier statechart's,
 * before or at its takeover, whose history cannot tell which items it
 * opened): every pending escalation request has its open approval, every
 * emergency start not countersigned its open countersignature, and no item
 * is open that the record does not call for (an approval of no pending
 * request, a countersignature of a start countersigned or unknown, anything
 * once the episode ended). The reason, or
 * null when they are (or the snapshot does not restore: its seal says so).
 */
export function storedItemsProblem(
  snapshotText: string,
  workItems: readonly Pick<WorkItemRow, 'kind' | 'subject' | 'status'>[],
): string | null {
  let snapshot: ReturnType<typeof restoreEpisodeSnapshot>;
  try {
    snapshot = restoreEpisodeSnapshot(JSON.parse(snapshotText));
  } catch {
    return null;
  }
  const { context } = snapshot;
  const ended = snapshot.status === 'done';
  const open = workItems.filter((item) => item.status === 'open');
  const isOpen = (kind: string, subject: string) =>
    open.some((item) => item.kind === kind && item.subject === subject);
  if (!ended) {
    for (const request of context.escalationRequests) {
      if (
        request.status === 'pending' &&
        !isOpen('second-senior-approval', request.requestId)
      ) {
        return `the pending escalation request ${request.requestId} (${request.drug}) has no open second-senior approval (deleted or closed outside the service, or made before work items were kept)`;
      }
    }
    for (const start of context.emergencyStarts) {
      // (A start the earliest statecharts kept without an id has no item
      // to name.)
      if (
        start.countersignedBy === undefined &&
        typeof start.id === 'string' &&
        !isOpen('countersignature', start.id)
      ) {
        return `the emergency start ${start.id} (${start.drug}) has no open countersignature (deleted or closed outside the service, or made before work items were kept)`;
      }
    }
  }
  const calledFor = (item: Pick<WorkItemRow, 'kind' | 'subject'>): boolean => {
    if (ended) return false;
    switch (item.kind) {
      case 'second-senior-approval':
        return context.escalationRequests.some(
          (r) => r.status === 'pending' && r.requestId === item.subject,
        );
      case 'countersignature':
        return context.emergencyStarts.some(
          (s) => s.countersignedBy === undefined && s.id === item.subject,
        );
      // (Not held against the alerts: a profile adoption can clear one
      // without closing its item, see work-item-changes.util.ts.)
      case 'alert':
        return true;
    }
  };
  const forged = open.find((item) => !calledFor(item));
  return forged === undefined
    ? null
    : `the work item ${forged.kind} about ${forged.subject} is open, but the stored record does not call for it (added or reopened outside the service)`;
}

/** A version as `1`, `2.1` or `2.1.0`, in numbers; null for anything else. */
function versionNumbers(version: string): number[] | null {
  if (!/^\d{1,6}(\.\d{1,6}){0,2}$/.test(version)) return null;
  const parts = version.split('.').map(Number);
  while (parts.length < 3) parts.push(0);
  return parts;
}

/** Whether `version` is an earlier statechart than the one running. */
export function isEarlierMachine(version: string): boolean {
  const earlier = versionNumbers(version);
  const current = versionNumbers(MAS_EPISODE_MACHINE_VERSION);
  if (earlier === null || current === null) return false;
  for (let at = 0; at < current.length; at += 1) {
    const a = earlier[at] ?? 0;
    const b = current[at] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

/**
 * The columns a write under this machine version changes on a record an
 * earlier one wrote: the version, and the replay base at the entry
 * `lastSeq` (the chain's head before the write) with the episode's stored
 * work items. Nothing when this version wrote it. Only a record whose seal
 * holds is taken over from (`sealed`): an unsealed one (written before
 * records were sealed, or its seal removed) gets the version and no base,
 * so its whole history is still replayed from the first snapshot, and a
 * snapshot edited with the seal removed is not made the replay's start.
 */
export function takeover(
  row: Pick<EpisodeRow, 'machineVersion' | 'replayBase' | 'snapshot'>,
  lastSeq: number,
  workItems: readonly WorkItemRow[],
  sealed: boolean,
): Pick<EpisodeRow, 'machineVersion' | 'replayBase'> | null {
  if (row.machineVersion === MAS_EPISODE_MACHINE_VERSION) return null;
  if (!sealed) {
    return { machineVersion: MAS_EPISODE_MACHINE_VERSION, replayBase: null };
  }
  const before = replayBaseOf(row)?.earlier ?? [];
  const iso = (time: Date | null) =>
    time === null ? null : new Date(time).toISOString();
  const workItemsProblem = storedItemsProblem(row.snapshot, workItems);
  const base: ReplayBase = {
    seq: lastSeq,
    snapshot: row.snapshot,
    ...(workItemsProblem === null ? {} : { workItemsProblem }),
    earlier: [...before, { machineVersion: row.machineVersion, lastSeq }],
    workItems: [...workItems]
      .sort((a, b) => a.openedSeq - b.openedSeq || a.id.localeCompare(b.id))
      .map((item) => ({
        kind: item.kind,
        subject: item.subject,
        openedSeq: item.openedSeq,
        status: item.status,
        closedSeq: item.closedSeq,
        resolution: item.resolution,
        doneBy: item.doneBy,
        episodeKind: item.episodeKind,
        patientIdentifier: item.patientIdentifier,
        details: item.details,
        requestedBy: item.requestedBy,
        dueAt: iso(item.dueAt),
        createdAt: new Date(item.createdAt).toISOString(),
        recordedAt: new Date(item.recordedAt).toISOString(),
        doneAt: iso(item.doneAt),
      })),
  };
  return {
    machineVersion: MAS_EPISODE_MACHINE_VERSION,
    replayBase: JSON.stringify(base),
  };
}

/** One step of an episode's history as a reader replays it. */
export type HistoryStep = HistoryStepOf<AuditRow>;

/**
 * An episode's history stepped for reading (the state at a time, the
 * escalation decisions), by the readers' one rule (`stepHistory`): from
 * its first snapshot, and at the replay base from the record as stored
 * then, so that every step after a newer statechart took over is the
 * record's own, not this statechart's reading of an earlier one's entries.
 */
export function historySteps(
  row: Pick<EpisodeRow, 'initialSnapshot' | 'replayBase' | 'machineVersion'>,
  entries: readonly AuditRow[],
): Generator<HistoryStep> {
  const base = replayBaseOf(row);
  return stepHistory(
    row.initialSnapshot === null
      ? null
      : restoreEpisodeSnapshot(JSON.parse(row.initialSnapshot)),
    // (Without the entries entered in error so far, nor the voids.)
    effectiveEntries(entries),
    recordedEvent,
    {
      takenUp: base
        ? { afterSeq: base.seq, snapshot: JSON.parse(base.snapshot) }
        : null,
      earlier: row.machineVersion !== MAS_EPISODE_MACHINE_VERSION,
    },
  );
}

/**
 * What the replay of an episode's audit covers, in words for an auditor:
 * null when it replays in full under this machine version.
 */
export function replayScope(
  row: Pick<
    EpisodeRow,
    'id' | 'machineVersion' | 'replayBase' | 'initialSnapshot'
  >,
): { readonly episodeId: string; readonly scope: string } | null {
  const said = (scope: string) => ({ episodeId: row.id, scope });
  if (row.machineVersion !== MAS_EPISODE_MACHINE_VERSION) {
    return said(
      `written under statechart ${row.machineVersion}; this service runs ${MAS_EPISODE_MACHINE_VERSION}, whose steps may differ: not replayed (its chain and sealed record are verified); its next event is replayed from the record as stored then`,
    );
  }
  const base = replayBaseOf(row);
  if (base) {
    const versions = base.earlier
      .map(
        (each) => `${each.machineVersion} (to entry ${String(each.lastSeq)})`,
      )
      .join(', ');
    return said(
      `replayed from entry ${String(base.seq + 1)} on, where statechart ${MAS_EPISODE_MACHINE_VERSION} took over from ${versions}: the entries before it are verified by their chain and the sealed record, not by replay`,
    );
  }
  if (row.initialSnapshot === null) {
    return said(
      'written before the first snapshot was kept: not replayed (its chain and sealed record are verified)',
    );
  }
  return null;
}

/**
 * Whether the stored snapshot is what the machine makes of the first
 * snapshot (or of the replay base, once a newer statechart took the
 * episode over: `ReplayBase`) and the chain's events; null when it is. With `workItems` (the
 * episode's stored work items), also whether they are the ones the history
 * implies: an item deleted (a pending approval or countersignature nobody
 * would see), closed or reopened outside the service, or one added.
 */
export function replayProblem(
  row: EpisodeRow,
  entries: readonly AuditRow[],
  workItems?: readonly WorkItemRow[],
): AuditProblem | null {
  const problem = (reason: string): AuditProblem => ({
    episodeId: row.id,
    seq: null,
    id: null,
    reason,
  });
  // Only what this machine version wrote is replayed (see ReplayBase). The
  // work items of an earlier statechart's record are held against what its
  // stored snapshot calls for.
  if (row.machineVersion !== MAS_EPISODE_MACHINE_VERSION) {
    const found = workItems
      ? storedItemsProblem(row.snapshot, workItems)
      : null;
    return found === null
      ? null
      : problem(
          `${found}; the record is statechart ${row.machineVersion}'s, not yet taken over by ${MAS_EPISODE_MACHINE_VERSION}`,
        );
  }
  const base = replayBaseOf(row);
  let replayed: EffectiveReplay | null;
  try {
    replayed = replayEffective(row, entries);
  } catch (error) {
    return problem(
      `the chain does not replay: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (replayed === null) return null;
  if (replayed.kind === 'refused') {
    return problem(
      `the chain does not replay: entry ${String(replayed.entry.seq)} (${replayed.event.type}) is refused: ${replayed.reason}`,
    );
  }
  if (
    JSON.stringify(
      masEpisodeMachine.getPersistedSnapshot(replayed.snapshot),
    ) !== row.snapshot
  ) {
    return problem(
      'the stored snapshot differs from the replay of its audit chain',
    );
  }
  // (Read in one consistent state with the entries, audit.service.ts: an
  // item of a later event is not excused, it cannot be there.)
  // (Items opened before a takeover start from the base's, as stored
  // then and sealed with it; what the takeover found wrong with them is
  // named for good.)
  if (workItems && base?.workItemsProblem !== undefined) {
    return problem(
      `at the takeover after entry ${String(base.seq)}: ${base.workItemsProblem}`,
    );
  }
  return workItems
    ? workItemsProblem(replayed.workItems, workItems, problem)
    : null;
}

/** What an episode's history replays to (`replayEffective`). */
export type EffectiveReplay =
  | {
      readonly kind: 'replayed';
      readonly snapshot: EpisodeSnapshot;
      /** The work items the history implies (the base's, then each step's). */
      readonly workItems: ImpliedWorkItem[];
      /** The events stepped after the base, in order. */
      readonly events: readonly EpisodeEvent[];
    }
  | {
      /** An entry the machine refuses on the way (`refusals` only). */
      readonly kind: 'refused';
      readonly entry: AuditRow;
      readonly event: EpisodeEvent;
      readonly reason: string;
    };

/**
 * The one replay of an episode's history under this statechart, by the
 * readers' rule for entries entered in error (`effectiveEntries`): from the
 * replay base (or the first snapshot), every entry after it but the voids
 * and the entries they void (and `without`, an entry about to be voided),
 * with the work items each step implies. `refusals`: an entry the machine
 * refuses on the way ends the replay, named with the machine's reason (a
 * later entry that rests on the one voided). Null when there is nothing to
 * replay from (no first snapshot kept). Throws when an entry cannot be read.
 */
export function replayEffective(
  row: Pick<
    EpisodeRow,
    'id' | 'kind' | 'patientIdentifier' | 'initialSnapshot' | 'replayBase'
  >,
  entries: readonly AuditRow[],
  options: { readonly without?: number; readonly refusals?: boolean } = {},
): EffectiveReplay | null {
  const base = replayBaseOf(row);
  const start = base?.snapshot ?? row.initialSnapshot;
  if (start === null) return null;
  const baseSeq = base?.seq ?? 0;
  const changes: WorkItemChanges[] = [];
  const events: EpisodeEvent[] = [];
  let snapshot = restoreEpisodeSnapshot(JSON.parse(start));
  for (const entry of effectiveEntries(entries)) {
    if (entry.seq <= baseSeq || entry.seq === options.without) continue;
    const event = recordedEvent(entry);
    const [after, effects] = stepEpisode(snapshot, event);
    if (options.refusals === true && after === snapshot) {
      const refusal = explainRefusal(snapshot, event);
      if (refusal) {
        return { kind: 'refused', entry, event, reason: refusal.reason };
      }
    }
    // (The write path works out the items of an event recorded with a
    // profile adoption from the adopted snapshot, and none for the
    // adoption itself: so does the replay.)
    if (event.type !== 'profile.adopted') {
      const changed = workItemChanges({
        episode: row,
        seq: entry.seq,
        event,
        before: snapshot,
        after,
        effects,
        recordedAt: new Date(entry.recordedAt),
      });
      if (changed) changes.push(changed);
    }
    events.push(event);
    snapshot = after;
  }
  return {
    kind: 'replayed',
    snapshot,
    workItems: impliedWorkItems(changes, baseItems(base)),
    events,
  };
}

/** A time as compared: its instant (engines keep it to the millisecond). */
const instant = (value: Date | string | null): string =>
  value === null ? 'none' : new Date(value).toISOString();

/** Details as compared: their content, whatever the key order. */
function detailsText(details: string): string {
  try {
    return canonicalize(JSON.parse(details)) ?? details;
  } catch {
    return details;
  }
}

/**
 * The first of an item's columns (whom it concerns, what it says, when it
 * is due, who asked) that is not what the audit implies, or null: the work
 * list reads them all (a critical alert moved to another patient, to the
 * training list, or due in 2030 is as hidden as one deleted).
 */
function changedField(
  row: WorkItemRow,
  implied: ImpliedWorkItem,
): { field: string; stored: string; implied: string } | null {
  const fields: [string, string, string][] = [
    ['episode kind', row.episodeKind, implied.episodeKind],
    ['patient', row.patientIdentifier, implied.patientIdentifier],
    ['details', detailsText(row.details), detailsText(implied.details)],
    ['requester', row.requestedBy ?? 'none', implied.requestedBy ?? 'none'],
    ['due time', instant(row.dueAt), instant(implied.dueAt)],
    ['time', instant(row.createdAt), instant(implied.createdAt)],
    ['recording time', instant(row.recordedAt), instant(implied.recordedAt)],
    ['time done', instant(row.doneAt), instant(implied.doneAt)],
  ];
  const found = fields.find(([, stored, expected]) => stored !== expected);
  return found
    ? { field: found[0], stored: found[1], implied: found[2] }
    : null;
}

/** The first difference between the implied and the stored work items. */
function workItemsProblem(
  implied: readonly ImpliedWorkItem[],
  stored: readonly WorkItemRow[],
  problem: (reason: string) => AuditProblem,
): AuditProblem | null {
  const keyOf = (item: { kind: string; subject: string; openedSeq: number }) =>
    `${item.kind} about ${item.subject} opened at entry ${String(item.openedSeq)}`;
  const state = (item: {
    status: string;
    closedSeq: number | null;
    resolution: string | null;
    doneBy: string | null;
  }) =>
    item.status === 'open'
      ? 'open'
      : `done at entry ${String(item.closedSeq)} (${String(item.resolution)}, by ${String(item.doneBy)})`;
  const kept = new Map<string, WorkItemRow[]>();
  for (const item of stored) {
    const list = kept.get(keyOf(item)) ?? [];
    list.push(item);
    kept.set(keyOf(item), list);
  }
  for (const item of implied) {
    const key = keyOf(item);
    const list = kept.get(key) ?? [];
    const at = list.findIndex(
      (row) => state(row) === state(item) && changedField(row, item) === null,
    );
    if (at >= 0) {
      list.splice(at, 1);
      continue;
    }
    const first = list[0];
    if (first === undefined) {
      return problem(
        `the work item ${key} is missing (deleted outside the service)`,
      );
    }
    if (state(first) !== state(item)) {
      return problem(
        `the work item ${key} is ${state(first)}, but the audit has it ${state(item)} (changed outside the service)`,
      );
    }
    const changed = changedField(first, item);
    return problem(
      `the work item ${key} has its ${changed?.field ?? 'content'} ${changed?.stored ?? ''} where the audit has ${changed?.implied ?? ''} (changed outside the service)`,
    );
  }
  for (const [key, list] of kept) {
    if (list.length > 0) {
      return problem(
        `the work item ${key} is not one the audit implies (added outside the service)`,
      );
    }
  }
  return null;
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
  for (const entry of effectiveEntries(entries)) {
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
