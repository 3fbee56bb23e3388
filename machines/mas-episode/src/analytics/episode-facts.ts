/**
 * What one audited episode contributes to the quality indicators: its audit
 * replayed through the machine from its first snapshot, then read off the
 * machine's context and state after each event. Nothing is tallied beside the
 * machine: every fact is a field, a state, an alert or a due time the
 * machine itself recorded.
 */
import type { EpisodeEvent } from '@mas/contracts';
import { requireProfileValue } from '@mas/protocol';

import { stepHistory } from '../lib/history-steps.js';
import { hasEverStarted, therapyClassOf } from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import { restoreEpisodeSnapshot } from '../lib/mas-episode.persistence.js';
import type { EpisodeContext, Outcome } from '../lib/mas-episode.types.js';

/** One episode as the service holds it. */
export interface QualityEpisodeInput {
  /** The episode's id (its row's). */
  readonly episodeId: string;
  /** Training episodes are left out of the indicators. */
  readonly kind: 'real' | 'training';
  /**
   * The snapshot the episode was created with (its row's `initialSnapshot`,
   * parsed); null on rows an older version wrote (listed as not replayable).
   */
  readonly initialSnapshot: unknown;
  /** Its audit entries in `seq` order, each as the machine event it recorded (`recordedEvent`). */
  readonly events: readonly EpisodeEvent[];
  /**
   * Each event's audit entry `seq`, in the order of `events` (the same
   * length). A history with entries entered in error has gaps (the entries
   * voided and the voids are not events), and the replay base names a real
   * `seq`: the replay takes the record up by it, never by position.
   * Absent: the events are entries 1, 2, 3… (a history without gaps).
   */
  readonly seqs?: readonly number[];
  /** The ward or site given when the episode opened (the service reads it from the episode's record), null where none was given. */
  readonly ward?: string | null;
  /**
   * Where a later statechart took the record over (its replay base): the
   * record as stored after the audit entry whose `seq` is `afterEvents`
   * (by `seqs`, not by position). The replay
   * takes it up there, so the steps after it are the record's own, not
   * this statechart's reading of an earlier one's events.
   */
  readonly takenUp?: {
    readonly afterEvents: number;
    readonly snapshot: unknown;
  };
}

/** How a refractory therapy start was authorised. */
export type RefractoryStartKind =
  | 'four-eyes'
  | 'emergency-countersigned'
  | 'emergency-not-countersigned'
  | 'emergency-window-open';

export type OutcomeKey = Outcome | 'open';

/** Durations in hours. */
export interface EpisodeFacts {
  readonly episodeId: string;
  /** `YYYY-MM` of the suspicion (UTC). */
  readonly month: string;
  readonly ward: string | null;
  readonly protocol: EpisodeContext['protocol'];
  readonly outcome: OutcomeKey;
  /** Null: no glucocorticoid recorded. */
  readonly glucocorticoid: {
    readonly hours: number;
    readonly targetHours: number;
  } | null;
  /**
   * The first glucocorticoid's due time passed before one was given (the
   * machine fired it): an exclusion after that does not excuse the miss.
   */
  readonly glucocorticoidOverdue: boolean;
  readonly reassessments: {
    readonly onTime: number;
    readonly late: number;
    readonly overdueHours: number;
  };
  /** Each time escalation became warranted: hours to the decision, null if none was recorded while it was. */
  readonly escalations: readonly (number | null)[];
  readonly refractoryStarts: readonly RefractoryStartKind[];
  /** Null: no infection trigger. */
  readonly infectionCovered: boolean | null;
  /** Null: no CNS involvement. */
  readonly dexamethasoneConsidered: boolean | null;
  /** Null: no targeted therapy. */
  readonly targetedTherapyHours: number | null;
}

const MS_PER_HOUR = 3_600_000;

/**
 * Hours from `from` to `to`, never negative: a therapy given before the
 * moment measured from (recorded later, or before suspicion was recorded)
 * counts as given at that moment.
 */
function hoursFrom(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / MS_PER_HOUR);
}

/**
 * What the facts need from the steps of an episode, folded one audited
 * event at a time (plain JSON: the service keeps it with the episode and
 * folds each new event into it on write, so a report needs no replay). The
 * rest of the facts are read off the latest context. Folding the whole
 * audit gives what the replay gives (tested on a cohort and on simulated
 * courses).
 */
export interface QualityFold {
  /**
   * seed.monitoring.1: the due time of each reassessment recorded while one
   * was due (on time unless that due time fired: known at the end).
   */
  readonly reassessedWhileDue: readonly string[];
  /** When each reassessment due time the machine dropped or replaced went (first time). */
  readonly dueDroppedAt: Readonly<Record<string, string>>;
  /** seed.second-line.1: the escalation decisions so far, and the alert standing. */
  readonly escalation: {
    readonly results: readonly (number | null)[];
    /** When the standing alert was raised, while no decision answers it yet. */
    readonly awaiting: string | null;
    /** A decision answered the alert that still stands. */
    readonly answered: boolean;
  };
  /** seed.subtype.3: the infection region reached "covered" at some point. */
  readonly infectionCovered: boolean;
  /**
   * The institution profile's limits in force when they were set: at
   * suspicion (the first glucocorticoid's), and at each emergency start
   * (its countersignature window, by start id). A later profile adopted by
   * the episode never judges what was decided before it.
   */
  readonly limits: {
    readonly glucocorticoidHours: number | null;
    readonly countersignatureHours: Readonly<Record<string, number>>;
  };
}

/** The profile's limits a step set: at suspicion, and at each new emergency start. */
function limitsAfter(
  limits: QualityFold['limits'],
  before: EpisodeSnapshot | null,
  after: EpisodeSnapshot,
): QualityFold['limits'] {
  const { delays } = after.context.profileData;
  const suspected =
    after.context.suspicionAt !== null &&
    (before === null || before.context.suspicionAt === null);
  const known = new Set(before?.context.emergencyStarts.map((s) => s.id));
  const started = after.context.emergencyStarts.filter((s) => !known.has(s.id));
  const window = delays.countersignatureWindowHours;
  if (!suspected && (started.length === 0 || window === undefined)) {
    return limits;
  }
  return {
    glucocorticoidHours: suspected
      ? (delays.suspicionToGlucocorticoidMaxHours ?? null)
      : limits.glucocorticoidHours,
    countersignatureHours:
      started.length === 0 || window === undefined
        ? limits.countersignatureHours
        : {
            ...limits.countersignatureHours,
            ...Object.fromEntries(started.map((s) => [s.id, window])),
          },
  };
}

const dueOf = (snapshot: EpisodeSnapshot) =>
  snapshot.context.dues['reassessment']?.dueAt ?? null;

const escalationAlertOf = (snapshot: EpisodeSnapshot) =>
  snapshot.context.alerts.find((a) => a.id === 'escalation-indicated');

const isCovered = (snapshot: EpisodeSnapshot) =>
  snapshot.matches({
    open: { triggers: { infection: { present: 'covered' } } },
  });

/** The fold of an episode's first snapshot, before any audited event. */
export function startQualityFold(initial: EpisodeSnapshot): QualityFold {
  return {
    reassessedWhileDue: [],
    dueDroppedAt: {},
    escalation: {
      results: [],
      awaiting: escalationAlertOf(initial)?.since ?? null,
      answered: false,
    },
    infectionCovered: isCovered(initial),
    limits: limitsAfter(
      { glucocorticoidHours: null, countersignatureHours: {} },
      null,
      initial,
    ),
  };
}

/** One audited event folded in: the snapshot before it and after it. */
export function stepQualityFold(
  fold: QualityFold,
  before: EpisodeSnapshot,
  event: EpisodeEvent,
  after: EpisodeSnapshot,
): QualityFold {
  const dueBefore = dueOf(before);
  const reassessedWhileDue =
    event.type === 'reassessment.recorded' && dueBefore !== null
      ? [...fold.reassessedWhileDue, dueBefore]
      : fold.reassessedWhileDue;
  const dueDroppedAt =
    dueBefore !== null &&
    dueOf(after) !== dueBefore &&
    fold.dueDroppedAt[dueBefore] === undefined
      ? { ...fold.dueDroppedAt, [dueBefore]: after.context.now }
      : fold.dueDroppedAt;
  // seed.second-line.1: each time the machine's "escalation indicated"
  // alert was raised, the hours from its raising to the first escalation
  // decision while it stood (null: none before it cleared).
  let { results, awaiting, answered } = fold.escalation;
  const standing = escalationAlertOf(after);
  const decidedAt = decisionAt(event);
  if (awaiting !== null && decidedAt !== null) {
    results = [...results, hoursFrom(awaiting, decidedAt)];
    awaiting = null;
    answered = true;
  } else if (awaiting !== null && !standing) {
    results = [...results, null];
    awaiting = null;
  }
  if (!standing) answered = false;
  else if (awaiting === null && !answered) awaiting = standing.since;
  return {
    reassessedWhileDue,
    dueDroppedAt,
    escalation: { results, awaiting, answered },
    infectionCovered: fold.infectionCovered || isCovered(after),
    limits: limitsAfter(fold.limits, before, after),
  };
}

/** seed.initial.3: suspicion to the first glucocorticoid, against the profile limit in force at suspicion. */
function glucocorticoid(
  fold: QualityFold,
  final: EpisodeContext,
): EpisodeFacts['glucocorticoid'] {
  if (final.suspicionAt === null || final.firstGlucocorticoidAt === null) {
    return null;
  }
  return {
    hours: hoursFrom(final.suspicionAt, final.firstGlucocorticoidAt),
    targetHours: requireProfileValue(
      fold.limits.glucocorticoidHours ??
        final.profileData.delays.suspicionToGlucocorticoidMaxHours,
      'delays.suspicionToGlucocorticoidMaxHours',
      'the quality indicators',
    ),
  };
}

/**
 * seed.monitoring.1: each reassessment due time the machine scheduled (from
 * the protocol's interval) that ended, on time or late. A reassessment
 * recorded while one was due is on time unless the due time fired (the
 * machine's `firedDues`). A fired one is overdue until its reassessment
 * (the machine's lateness), or until the machine dropped or replaced it
 * (remission, relapse), or until the last audited event. A due time dropped
 * or replaced before it fell due is not an interval that ended.
 */
function reassessments(
  fold: QualityFold,
  final: EpisodeContext,
): EpisodeFacts['reassessments'] {
  // A reassessment documented after its due time fired but dated (its
  // clinical time) at or before the due time was on time, recorded late: it
  // is neither counted late nor subtracted from the hours overdue.
  const lapsed = final.firedDues.filter(
    (f) =>
      f.id === 'reassessment' &&
      (f.resolvedLatenessMinutes === undefined ||
        f.resolvedLatenessMinutes > 0),
  );
  const onTime = fold.reassessedWhileDue.filter(
    (dueAt) => !lapsed.some((f) => f.dueAt === dueAt),
  ).length;
  const overdueHours = lapsed.reduce((sum, fired) => {
    if (fired.resolvedLatenessMinutes !== undefined) {
      return sum + fired.resolvedLatenessMinutes / 60;
    }
    return (
      sum + hoursFrom(fired.dueAt, fold.dueDroppedAt[fired.dueAt] ?? final.now)
    );
  }, 0);
  return { onTime, late: lapsed.length, overdueHours };
}

/** An escalation decided: a second-line or refractory start, or a request for one. */
function decisionAt(event: EpisodeEvent): string | null {
  if (event.type === 'escalation.requested') return event.at;
  if (
    event.type === 'therapy.started' &&
    therapyClassOf(event.payload.drug) !== 'glucocorticoid'
  ) {
    return event.payload.givenAt;
  }
  return null;
}

/**
 * Four eyes or emergency (the guards allow no third way); an emergency start
 * countersigned within the profile's window, late or never, or still within
 * it at the last audited event.
 */
function refractoryStarts(
  fold: QualityFold,
  final: EpisodeContext,
): RefractoryStartKind[] {
  // The window in force at each start (the episode's latest as a fallback).
  const windowOf = (id: string) =>
    requireProfileValue(
      fold.limits.countersignatureHours[id] ??
        final.profileData.delays.countersignatureWindowHours,
      'delays.countersignatureWindowHours',
      'the quality indicators',
    );
  return final.therapies
    .filter((t) => t.therapyClass === 'refractory' && !t.background)
    .map((therapy) => {
      const start = final.emergencyStarts.find(
        (s) => s.drug === therapy.drug && s.startedAt === therapy.startedAt,
      );
      if (start === undefined) return 'four-eyes';
      const signedAt = start.countersignedAt ?? final.now;
      if (hoursFrom(start.startedAt, signedAt) <= windowOf(start.id)) {
        return start.countersignedAt === undefined
          ? 'emergency-window-open'
          : 'emergency-countersigned';
      }
      return 'emergency-not-countersigned';
    });
}

/** seed.initial.2: dexamethasone started or a decision about it recorded (the alert's own condition). */
function dexamethasoneConsidered(final: EpisodeContext): boolean | null {
  if (!final.cnsInvolvement) return null;
  return (
    hasEverStarted(final, 'dexamethasone') ||
    final.decisions['cns-dexamethasone'] !== undefined
  );
}

/**
 * The facts of an episode from its fold and its latest context; null when it
 * has no suspicion of MAS recorded (an at-risk patient never suspected: no
 * indicator applies).
 */
export function qualityFactsOf(
  fold: QualityFold,
  final: EpisodeContext,
  episode: { readonly episodeId: string; readonly ward?: string | null },
): EpisodeFacts | null {
  if (final.suspicionAt === null) return null;
  const { awaiting, results } = fold.escalation;
  return {
    episodeId: episode.episodeId,
    month: final.suspicionAt.slice(0, 7),
    ward: episode.ward ?? null,
    protocol: final.protocol,
    outcome: final.outcome ?? 'open',
    glucocorticoid: glucocorticoid(fold, final),
    glucocorticoidOverdue: final.firedDues.some(
      (due) => due.id === 'glucocorticoidStart',
    ),
    reassessments: reassessments(fold, final),
    escalations: awaiting !== null ? [...results, null] : [...results],
    refractoryStarts: refractoryStarts(fold, final),
    infectionCovered: final.triggers.infection ? fold.infectionCovered : null,
    dexamethasoneConsidered: dexamethasoneConsidered(final),
    // From suspicion, as the glucocorticoid (the machine records no admission time).
    targetedTherapyHours:
      final.firstTargetedTherapyAt === null
        ? null
        : hoursFrom(final.suspicionAt, final.firstTargetedTherapyAt),
  };
}

/**
 * The facts of one replayed episode: its first snapshot stepped through its
 * audited events, folded; null when it has no suspicion of MAS recorded.
 * Throws when the audit does not replay.
 */
export function episodeFacts(input: QualityEpisodeInput): EpisodeFacts | null {
  const { fold, final } = replayQualityFold(input);
  return qualityFactsOf(fold, final, input);
}

/**
 * The episode's first snapshot stepped through its audited events, folded:
 * the fold and the latest context. Throws when the audit does not replay.
 */
export function replayQualityFold(input: QualityEpisodeInput): {
  readonly fold: QualityFold;
  readonly final: EpisodeContext;
} {
  if (input.initialSnapshot === null) {
    throw new Error('no first snapshot to replay the audit from');
  }
  const initial = restoreEpisodeSnapshot(input.initialSnapshot);
  let fold = startQualityFold(initial);
  let final = initial.context;
  let stepped = 0;
  const { seqs } = input;
  if (seqs !== undefined && seqs.length !== input.events.length) {
    throw new Error(
      `${String(seqs.length)} audit seqs for ${String(input.events.length)} events`,
    );
  }
  // (The readers' one rule: the record taken up at its replay base, by
  // each entry's own seq.)
  for (const { event, before, after } of stepHistory(
    initial,
    input.events.map((event, index) => ({
      seq: seqs?.[index] ?? index + 1,
      event,
    })),
    (entry) => entry.event,
    {
      takenUp: input.takenUp
        ? {
            afterSeq: input.takenUp.afterEvents,
            snapshot: input.takenUp.snapshot,
          }
        : null,
    },
  )) {
    fold = stepQualityFold(fold, before, event, after);
    final = after.context;
    stepped += 1;
  }
  // Every fact rests on every event: an earlier statechart's event this
  // one cannot read leaves the episode out, named, rather than counted
  // without it.
  if (stepped !== input.events.length) {
    throw new Error(
      `${String(input.events.length - stepped)} of its events, written by an earlier statechart, cannot be read by this one`,
    );
  }
  return { fold, final };
}
