/**
 * What one audited episode contributes to the quality indicators: its audit
 * replayed through the machine from its first snapshot, then read off the
 * machine's context and state after each event. Nothing is tallied beside the
 * machine: every fact is a field, a state, an alert or a due time the
 * machine itself recorded.
 */
import type { EpisodeEvent } from '@mas/contracts';
import { requireProfileValue } from '@mas/protocol';

import { hasEverStarted, therapyClassOf } from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import {
  restoreEpisodeSnapshot,
  stepEpisode,
} from '../lib/mas-episode.persistence.js';
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
  /** The ward or site, where one is recorded (the episodes table has none yet). */
  readonly ward?: string | null;
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

interface Step {
  readonly event: EpisodeEvent;
  readonly before: EpisodeSnapshot;
  readonly after: EpisodeSnapshot;
}

interface Replay {
  readonly initial: EpisodeSnapshot;
  readonly steps: readonly Step[];
  readonly final: EpisodeContext;
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

/** The episode's first snapshot stepped through its audited events. */
function replay(input: QualityEpisodeInput): Replay {
  if (input.initialSnapshot === null) {
    throw new Error('no first snapshot to replay the audit from');
  }
  const initial = restoreEpisodeSnapshot(input.initialSnapshot);
  const steps: Step[] = [];
  let snapshot = initial;
  for (const event of input.events) {
    const [after] = stepEpisode(snapshot, event);
    steps.push({ event, before: snapshot, after });
    snapshot = after;
  }
  return { initial, steps, final: snapshot.context };
}

/** seed.initial.3: suspicion to the first glucocorticoid, against the episode's profile limit. */
function glucocorticoid(final: EpisodeContext): EpisodeFacts['glucocorticoid'] {
  if (final.suspicionAt === null || final.firstGlucocorticoidAt === null) {
    return null;
  }
  return {
    hours: hoursFrom(final.suspicionAt, final.firstGlucocorticoidAt),
    targetHours: requireProfileValue(
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
function reassessments(run: Replay): EpisodeFacts['reassessments'] {
  const dueOf = (snapshot: EpisodeSnapshot) =>
    snapshot.context.dues['reassessment']?.dueAt ?? null;
  const lapsed = run.final.firedDues.filter((f) => f.id === 'reassessment');
  let onTime = 0;
  for (const { event, before } of run.steps) {
    const dueAt = dueOf(before);
    if (event.type !== 'reassessment.recorded' || dueAt === null) continue;
    if (!lapsed.some((f) => f.dueAt === dueAt)) onTime += 1;
  }
  const overdueHours = lapsed.reduce((sum, fired) => {
    if (fired.resolvedLatenessMinutes !== undefined) {
      return sum + fired.resolvedLatenessMinutes / 60;
    }
    const dropped = run.steps.find(
      (s) => dueOf(s.before) === fired.dueAt && dueOf(s.after) !== fired.dueAt,
    );
    return (
      sum + hoursFrom(fired.dueAt, dropped?.after.context.now ?? run.final.now)
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
 * seed.second-line.1: each time the machine's "escalation indicated" alert
 * was raised, the hours from its raising to the first escalation decision
 * while it stood (null: none before it cleared or the audit ended).
 */
function escalations(run: Replay): (number | null)[] {
  const alertOf = (snapshot: EpisodeSnapshot) =>
    snapshot.context.alerts.find((a) => a.id === 'escalation-indicated');
  const results: (number | null)[] = [];
  // When the standing alert was raised, while no decision answers it yet.
  let awaiting = alertOf(run.initial)?.since ?? null;
  // A decision answered the alert that still stands (a request awaiting approval).
  let answered = false;
  for (const { event, after } of run.steps) {
    const standing = alertOf(after);
    const decidedAt = decisionAt(event);
    if (awaiting !== null && decidedAt !== null) {
      results.push(hoursFrom(awaiting, decidedAt));
      awaiting = null;
      answered = true;
    } else if (awaiting !== null && !standing) {
      results.push(null);
      awaiting = null;
    }
    if (!standing) answered = false;
    else if (awaiting === null && !answered) awaiting = standing.since;
  }
  if (awaiting !== null) results.push(null);
  return results;
}

/**
 * Four eyes or emergency (the guards allow no third way); an emergency start
 * countersigned within the profile's window, late or never, or still within
 * it at the last audited event.
 */
function refractoryStarts(final: EpisodeContext): RefractoryStartKind[] {
  const windowHours = requireProfileValue(
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
      if (hoursFrom(start.startedAt, signedAt) <= windowHours) {
        return start.countersignedAt === undefined
          ? 'emergency-window-open'
          : 'emergency-countersigned';
      }
      return 'emergency-not-countersigned';
    });
}

/** seed.subtype.3: the machine's infection region reached "covered" (antimicrobials or a recorded decision). */
function infectionCovered(run: Replay): boolean | null {
  if (!run.final.triggers.infection) return null;
  return [run.initial, ...run.steps.map((s) => s.after)].some((snapshot) =>
    snapshot.matches({
      open: { triggers: { infection: { present: 'covered' } } },
    }),
  );
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
 * The facts of one replayed episode; null when it has no suspicion of MAS
 * recorded (an at-risk patient never suspected: no indicator applies).
 * Throws when the audit does not replay.
 */
export function episodeFacts(input: QualityEpisodeInput): EpisodeFacts | null {
  const run = replay(input);
  const { final } = run;
  if (final.suspicionAt === null) return null;
  return {
    episodeId: input.episodeId,
    month: final.suspicionAt.slice(0, 7),
    ward: input.ward ?? null,
    protocol: final.protocol,
    outcome: final.outcome ?? 'open',
    glucocorticoid: glucocorticoid(final),
    reassessments: reassessments(run),
    escalations: escalations(run),
    refractoryStarts: refractoryStarts(final),
    infectionCovered: infectionCovered(run),
    dexamethasoneConsidered: dexamethasoneConsidered(final),
    // From suspicion, as the glucocorticoid (the machine records no admission time).
    targetedTherapyHours:
      final.firstTargetedTherapyAt === null
        ? null
        : hoursFrom(final.suspicionAt, final.firstTargetedTherapyAt),
  };
}
