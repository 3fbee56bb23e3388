/**
 * The columns of an episode's record the board filters and sorts on (stage,
 * tags, alerts, overdue, urgency, next due), derived from its snapshot: the
 * write path stores them, and the audit's verification derives them again
 * where the seal does not cover them (records sealed before it did).
 */
import {
  describeStage,
  type EpisodeSnapshot,
  nextPendingDue,
  restoreEpisodeSnapshot,
} from '@mas/mas-episode';

import type { EpisodeRow } from '../database/entities.js';

/** The board's columns of a record, as stored. */
export type BoardColumns = Pick<
  EpisodeRow,
  'stage' | 'tags' | 'alertIds' | 'overdue' | 'urgency' | 'nextDueAt'
>;

function urgencyOf(snapshot: EpisodeSnapshot): number {
  const alerts = snapshot.context.alerts;
  const critical = alerts.filter((a) => a.severity === 'critical').length;
  return (
    (snapshot.hasTag('overdue') ? 1000 : 0) +
    critical * 100 +
    alerts.length * 10
  );
}

function nextDueAt(snapshot: EpisodeSnapshot): Date | null {
  const next = nextPendingDue(snapshot.context);
  return next === null ? null : new Date(next);
}

/** The columns the board filters and sorts on, derived from the snapshot. */
export function derivedColumns(snapshot: EpisodeSnapshot): BoardColumns {
  return {
    stage: describeStage(snapshot),
    tags: JSON.stringify([...snapshot.tags].sort()),
    alertIds: JSON.stringify(snapshot.context.alerts.map((a) => a.id)),
    overdue: snapshot.hasTag('overdue'),
    urgency: urgencyOf(snapshot),
    nextDueAt: nextDueAt(snapshot),
  };
}

/** An instant as text; an unreadable one (edited by hand) as such. */
function instant(at: Date | string | null): string | null {
  if (at === null) return null;
  const time = new Date(at);
  return Number.isNaN(time.getTime())
    ? `unreadable: ${String(at)}`
    : time.toISOString();
}

/** The board columns of `row` that are not those derived from `snapshot`. */
export function boardChanged(
  row: BoardColumns,
  snapshot: EpisodeSnapshot,
): (keyof BoardColumns)[] | null {
  const derived = derivedColumns(snapshot);
  const changed = (Object.keys(derived) as (keyof BoardColumns)[]).filter(
    (column) =>
      column === 'nextDueAt'
        ? instant(row.nextDueAt) !== instant(derived.nextDueAt)
        : row[column] !== derived[column],
  );
  return changed.length > 0 ? changed : null;
}

/**
 * Which board columns of a record are not those of its stored snapshot
 * (empty: all agree); the snapshot unreadable: every column.
 */
export function boardColumnsDiffer(
  row: BoardColumns & { readonly snapshot: string },
): (keyof BoardColumns)[] {
  let snapshot: EpisodeSnapshot;
  try {
    snapshot = restoreEpisodeSnapshot(JSON.parse(row.snapshot) as never);
  } catch {
    return ['stage', 'tags', 'alertIds', 'overdue', 'urgency', 'nextDueAt'];
  }
  return boardChanged(row, snapshot) ?? [];
}
