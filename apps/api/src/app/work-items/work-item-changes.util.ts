/**
 * What one accepted event does to the work items, worked out without I/O:
 * the items its effects open, and the items it closes.
 *
 * Opening follows the machine's effects, read from the step's result (the
 * executable actions `stepEpisode` returns, the ones `.provide()` would
 * run): `requestSecondSenior` opens a second-senior approval,
 * `requestCountersignature` a countersignature, `notifyClinician` one alert
 * item per alert raised. Replays step the same machine and write nothing.
 *
 * An alert that stands before and after the event but says something else
 * (its severity or its text) has its item closed as superseded and a new
 * one opened with its words now.
 *
 * Closing follows the machine's context, before and after the event: a
 * pending request decided (approved or rejected), an emergency start
 * countersigned, an alert no longer standing (cleared), and the episode
 * reaching a final state (every open item: nothing can close it any more).
 */
import { randomUUID } from 'node:crypto';

import type {
  EpisodeEvent,
  WorkItemKind,
  WorkItemResolution,
} from '@mas/contracts';
import type { Alert, Effect, EpisodeSnapshot } from '@mas/mas-episode';

import type { WorkItemRow } from './work-item.entity.js';

/** One accepted event, as the write path has it. */
export interface AcceptedStep {
  readonly episode: {
    readonly id: string;
    readonly kind: 'real' | 'training';
    readonly patientIdentifier: string;
  };
  /** The audit sequence number the event is recorded under. */
  readonly seq: number;
  readonly event: EpisodeEvent;
  readonly before: EpisodeSnapshot;
  readonly after: EpisodeSnapshot;
  /** The step's executable actions (`stepEpisode`'s second result). */
  readonly effects: readonly unknown[];
  readonly recordedAt: Date;
}

/** Closes the open item of `kind` about `subject` (null: every open item). */
export interface WorkItemClosure {
  readonly kind: WorkItemKind | null;
  readonly subject: string | null;
  readonly doneAt: Date;
  readonly doneBy: string;
  readonly resolution: WorkItemResolution;
  readonly closedSeq: number;
}

export interface WorkItemChanges {
  /**
   * Alert items whose alert now says something else (its severity or its
   * text): closed before the step's new items open (one of which says it
   * anew), so that the work list never shows an alert's old words.
   */
  readonly superseded: readonly WorkItemClosure[];
  readonly opened: readonly WorkItemRow[];
  readonly closed: readonly WorkItemClosure[];
}

const effectTypes: ReadonlySet<string> = new Set<Effect['type']>([
  'notifyClinician',
  'requestSecondSenior',
  'requestCountersignature',
]);

function isEffect(action: unknown): action is Effect {
  const type = (action as { type?: unknown } | null)?.type;
  return typeof type === 'string' && effectTypes.has(type);
}

/** The items `step` opens and closes; null when it touches none. */
export function workItemChanges(step: AcceptedStep): WorkItemChanges | null {
  const changed = changedAlerts(step);
  const effects = step.effects.filter(isEffect);
  // (An alert turned graver is notified by the machine: its new item is
  // the effect's.)
  const notified = new Set(
    effects.flatMap((effect) =>
      effect.type === 'notifyClinician'
        ? effect.params.alerts.map((alert) => alert.id)
        : [],
    ),
  );
  const opened = [
    ...effects.flatMap((effect) => itemsOf(effect, step)),
    ...changed
      .filter((alert) => !notified.has(alert.id))
      .map((alert) => alertItem(alert, step)),
  ];
  const superseded = changed.map((alert): WorkItemClosure => ({
    kind: 'alert',
    subject: alert.id,
    doneAt: new Date(step.event.at),
    doneBy: step.event.actor.id,
    resolution: 'superseded',
    closedSeq: step.seq,
  }));
  const closed = closuresOf(step);
  return opened.length === 0 && closed.length === 0
    ? null
    : { superseded, opened, closed };
}

/** Alerts standing before and after the step that now say something else. */
function changedAlerts(step: AcceptedStep): Alert[] {
  const { before, after } = step;
  if (after.context.alerts === before.context.alerts) return [];
  return after.context.alerts.filter((alert) => {
    const was = before.context.alerts.find((each) => each.id === alert.id);
    return (
      was !== undefined &&
      (was.severity !== alert.severity || was.message !== alert.message)
    );
  });
}

/** What every item a step opens shares. */
function itemBase(step: AcceptedStep) {
  const { event } = step;
  return {
    episodeId: step.episode.id,
    episodeKind: step.episode.kind,
    patientIdentifier: step.episode.patientIdentifier,
    createdAt: new Date(event.at),
    recordedAt: step.recordedAt,
    openedSeq: step.seq,
    status: 'open' as const,
    doneAt: null,
    doneBy: null,
    resolution: null,
    closedSeq: null,
  };
}

/** The item of a raised (or reworded) alert. */
function alertItem(alert: Alert, step: AcceptedStep): WorkItemRow {
  return {
    ...itemBase(step),
    id: randomUUID(),
    kind: 'alert',
    subject: alert.id,
    details: JSON.stringify({
      alertId: alert.id,
      severity: alert.severity,
      message: alert.message,
      evidence: alert.evidence,
      since: alert.since,
    }),
    requestedBy: null,
    dueAt: null,
  };
}

function itemsOf(effect: Effect, step: AcceptedStep): WorkItemRow[] {
  const { event } = step;
  const base = itemBase(step);
  const rationale = event.rationale ?? null;
  switch (effect.type) {
    case 'requestSecondSenior': {
      const { requestId, drug, requestedBy } = effect.params;
      return [
        {
          ...base,
          id: randomUUID(),
          kind: 'second-senior-approval',
          subject: requestId,
          details: JSON.stringify({ requestId, drug, requestedBy, rationale }),
          requestedBy,
          dueAt: null,
        },
      ];
    }
    case 'requestCountersignature': {
      const { drug, startedBy, dueAt } = effect.params;
      // The effect names the drug; the start it asks about is the one this
      // event added (its id is what the countersignature closes).
      const known = new Set(
        step.before.context.emergencyStarts.map((s) => s.id),
      );
      const start = step.after.context.emergencyStarts.find(
        (s) => !known.has(s.id) && s.drug === drug,
      );
      const emergencyStartId = start?.id ?? `${drug}@${event.at}`;
      return [
        {
          ...base,
          id: randomUUID(),
          kind: 'countersignature',
          subject: emergencyStartId,
          details: JSON.stringify({
            emergencyStartId,
            drug,
            startedBy,
            rationale,
          }),
          requestedBy: startedBy,
          dueAt: dueAt === '' ? null : new Date(dueAt),
        },
      ];
    }
    case 'notifyClinician':
      return effect.params.alerts.map((alert) => alertItem(alert, step));
  }
}

function closuresOf(step: AcceptedStep): WorkItemClosure[] {
  const { event, before, after } = step;
  const done = {
    doneAt: new Date(event.at),
    doneBy: event.actor.id,
    closedSeq: step.seq,
  };
  const closures: WorkItemClosure[] = [];
  for (const request of after.context.escalationRequests) {
    const was = before.context.escalationRequests.find(
      (r) => r.requestId === request.requestId,
    );
    if (
      was?.status === 'pending' &&
      (request.status === 'approved' || request.status === 'rejected')
    ) {
      closures.push({
        ...done,
        kind: 'second-senior-approval',
        subject: request.requestId,
        resolution: request.status,
      });
    }
  }
  for (const start of after.context.emergencyStarts) {
    if (start.countersignedBy === undefined) continue;
    const was = before.context.emergencyStarts.find((s) => s.id === start.id);
    if (was && was.countersignedBy === undefined) {
      closures.push({
        ...done,
        kind: 'countersignature',
        subject: start.id,
        resolution: 'countersigned',
      });
    }
  }
  if (after.context.alerts !== before.context.alerts) {
    const standing = new Set(after.context.alerts.map((a) => a.id));
    for (const alert of before.context.alerts) {
      if (!standing.has(alert.id)) {
        closures.push({
          ...done,
          kind: 'alert',
          subject: alert.id,
          resolution: 'cleared',
        });
      }
    }
  }
  if (after.status === 'done' && before.status !== 'done') {
    closures.push({
      ...done,
      kind: null,
      subject: null,
      resolution: 'episode-ended',
    });
  }
  return closures;
}

/** A work item as an episode's history implies it (ids and texts aside). */
export interface ImpliedWorkItem {
  readonly kind: WorkItemKind;
  readonly subject: string;
  readonly openedSeq: number;
  readonly status: 'open' | 'done';
  readonly closedSeq: number | null;
  readonly resolution: WorkItemResolution | null;
  readonly doneBy: string | null;
  /** What the item says and whom it concerns, as the write path wrote it. */
  readonly episodeKind: 'real' | 'training';
  readonly patientIdentifier: string;
  readonly details: string;
  readonly requestedBy: string | null;
  readonly dueAt: Date | null;
  readonly createdAt: Date;
  readonly recordedAt: Date;
  readonly doneAt: Date | null;
}

/**
 * The work items a history's changes leave, applied in order as the write
 * path records them (a step's items opened first, then its closures, each
 * closing every open item of its kind and subject).
 */
export function impliedWorkItems(
  changes: readonly WorkItemChanges[],
  /** The items already there before the first change (a replay base's). */
  before: readonly ImpliedWorkItem[] = [],
): ImpliedWorkItem[] {
  const items: {
    -readonly [K in keyof ImpliedWorkItem]: ImpliedWorkItem[K];
  }[] = before.map((item) => ({ ...item }));
  const close = (closure: WorkItemClosure) => {
    for (const item of items) {
      if (
        item.status === 'open' &&
        (closure.kind === null || item.kind === closure.kind) &&
        (closure.subject === null || item.subject === closure.subject)
      ) {
        item.status = 'done';
        item.closedSeq = closure.closedSeq;
        item.resolution = closure.resolution;
        item.doneBy = closure.doneBy;
        item.doneAt = closure.doneAt;
      }
    }
  };
  for (const step of changes) {
    step.superseded.forEach(close);
    for (const item of step.opened) {
      items.push({
        kind: item.kind,
        subject: item.subject,
        openedSeq: item.openedSeq,
        status: 'open',
        closedSeq: null,
        resolution: null,
        doneBy: null,
        episodeKind: item.episodeKind,
        patientIdentifier: item.patientIdentifier,
        details: item.details,
        requestedBy: item.requestedBy,
        dueAt: item.dueAt,
        createdAt: item.createdAt,
        recordedAt: item.recordedAt,
        doneAt: null,
      });
    }
    step.closed.forEach(close);
  }
  return items;
}
