/**
 * One rule for every reader of an episode's history (the service's state at
 * a time and escalation list, the episode page's timeline, the quality
 * replay): step the entries from the first snapshot, and where a later
 * statechart took the record over, take the record up as it was stored
 * then, so that every step after it is the record's own.
 */
import type { EpisodeEvent } from '@mas/contracts';

import type { EpisodeSnapshot } from './mas-episode.explain.js';
import {
  restoreEpisodeSnapshot,
  stepEpisode,
} from './mas-episode.persistence.js';

/** Where a later statechart took the record over. */
export interface TakenUp {
  /** The last entry written before the takeover (its `seq`). */
  readonly afterSeq: number;
  /** The record's persisted snapshot then, as stored. */
  readonly snapshot: unknown;
}

/** One entry stepped. */
export interface HistoryStepOf<E> {
  readonly entry: E;
  readonly event: EpisodeEvent;
  readonly before: EpisodeSnapshot;
  readonly after: EpisodeSnapshot;
  /**
   * Written by an earlier statechart (before the takeover, or all of a
   * record no later statechart took over yet): this statechart's reading of
   * it, since the record kept no snapshot per entry.
   */
  readonly readAnew: boolean;
}

/**
 * The entries (in `seq` order) stepped from `initial` (null: none kept, the
 * history starts at the takeover or yields nothing). The record is taken
 * up at the first entry after `takenUp.afterSeq` (by `seq`, not by
 * position). An entry read anew that this statechart cannot read (an event
 * it no longer knows, a payload it reads otherwise) ends the reading anew:
 * nothing is yielded until the takeover, and the readers say what they
 * cannot show. After it, every entry is this statechart's own, and one it
 * cannot step is an error.
 */
export function* stepHistory<E extends { readonly seq: number }>(
  initial: EpisodeSnapshot | null,
  entries: Iterable<E>,
  eventOf: (entry: E) => EpisodeEvent,
  options: {
    readonly takenUp?: TakenUp | null;
    /** The record was written by an earlier statechart and not taken over yet. */
    readonly earlier?: boolean;
  } = {},
): Generator<HistoryStepOf<E>> {
  const { takenUp = null, earlier = false } = options;
  let snapshot = initial;
  let takenAt = false;
  for (const entry of entries) {
    if (takenUp && !takenAt && entry.seq > takenUp.afterSeq) {
      takenAt = true;
      snapshot = restoreEpisodeSnapshot(takenUp.snapshot);
    }
    if (snapshot === null) continue;
    const readAnew = earlier || (takenUp !== null && !takenAt);
    let event: EpisodeEvent;
    let after: EpisodeSnapshot;
    try {
      event = eventOf(entry);
      [after] = stepEpisode(snapshot, event);
    } catch (error) {
      if (!readAnew) throw error;
      snapshot = null;
      continue;
    }
    yield { entry, event, before: snapshot, after, readAnew };
    snapshot = after;
  }
}
