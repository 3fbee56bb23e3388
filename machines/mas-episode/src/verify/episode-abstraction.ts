/**
 * The abstraction the model checker explores: one declaration of what it
 * observes of an episode's context. The state key is built from it, and the
 * properties read only what it observes (they are given the observations,
 * never the context), so a property cannot read a field the key leaves out.
 *
 * Every context field is either observed (listed in an observation's
 * `covers`) or set aside here with the reason it cannot change what happens
 * next (`unobserved`). A test records, with a proxy over the context, every
 * field the machine's guards, clinical checks and alerts read on explored
 * states, and fails if one is neither covered nor constant per root.
 *
 * Times are observed relative to the episode's clock (the machine depends on
 * differences of times only), and exactly where the clock alphabet could part
 * two states: a due time's remaining hours are kept exact while the due time
 * is in the future; once passed, only that it passed.
 */
import { masProtocolDefinition } from '@mas/protocol';

import { startedInRemission } from '../lib/mas-episode.alerts.js';
import { activeTherapies } from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import type {
  EpisodeContext,
  TherapyRecord,
} from '../lib/mas-episode.types.js';
import { measureTooOld } from '../lib/measures.util.js';
import { scheduleEndsAt } from '../lib/therapy-record.util.js';
import { timeSteps } from './episode-alphabet.js';
import {
  atMostTwice,
  type ProtocolFacts,
  protocolFactsKey,
} from './protocol-facts.js';

type ContextField = keyof EpisodeContext;

const HOUR_MS = 3_600_000;

/** Hours from the episode's clock to `iso` (negative: in the past). */
function hoursFromNow(context: EpisodeContext, iso: string): number {
  return (Date.parse(iso) - Date.parse(context.now)) / HOUR_MS;
}

/** Panels are interned: equal panels get the same small number. */
const panelIds = new Map<string, number>();
/** Context values are never mutated: an object seen once keeps its id. */
const idsByObject = new WeakMap<object, number>();
function panelId(panel: unknown): number | null {
  if (panel === null || panel === undefined) return null;
  const known = typeof panel === 'object' ? idsByObject.get(panel) : undefined;
  if (known !== undefined) return known;
  const text = JSON.stringify(panel);
  let id = panelIds.get(text);
  if (id === undefined) {
    id = panelIds.size;
    panelIds.set(text, id);
  }
  if (typeof panel === 'object') idsByObject.set(panel, id);
  return id;
}

const actorOf = (actor: { id: string; role: string } | undefined) =>
  actor === undefined ? null : `${actor.id}/${actor.role}`;

function resumePolicyOf(id: string): string {
  const kind = id.startsWith('countersignature:') ? 'countersignature' : id;
  return (
    (
      masProtocolDefinition.dueTimes as Record<string, { resumePolicy: string }>
    )[kind]?.resumePolicy ?? 'keep'
  );
}

/**
 * The steps the clock can take in a slice, in hours: the sums of these are
 * every time a due time can be compared with.
 */
export type ClockSteps = readonly number[];

/** What the slice explored lets the observations leave out. */
export interface SliceTraits {
  /** The sums of these steps are the only times the clock reaches. */
  readonly steps: ClockSteps;
  /**
   * Every panel of the slice replaces the whole lab picture (the same items
   * in each): the picture before a panel never reaches a screen.
   */
  readonly panelsReplacePicture: boolean;
  /**
   * The patient's weight or height can change: the only event that moves
   * a running dose's check after it was recorded (its dose change re-checks
   * it at once), so the only one that makes a pulse's last day matter.
   */
  readonly measuresChange: boolean;
}

/**
 * The class of a due time `left` hours ahead, as far as the clock alphabet
 * can tell: time moves only by sums of the slice's tick steps (events happen
 * at the clock's time), and a due time fires once the clock is strictly past
 * it. Two due times fire after the same ticks exactly when no reachable sum
 * of steps lies between them, so the class is the reachable sum itself, or
 * the open interval between two consecutive sums. Exact where the alphabet
 * could part two states; merged only where no sequence of ticks can.
 */
export function dueClass(left: number, steps: ClockSteps): string {
  if (left < 0) return 'passed';
  const positive = steps.filter((step) => step > 0);
  if (positive.length === 0) return 'ahead';
  let below = 0;
  let above = Number.POSITIVE_INFINITY;
  const bound = left + Math.max(...positive);
  // Every sum of steps up to the bound, smallest first.
  const sums = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const sum = queue.shift() as number;
    if (sum === left) return String(left);
    if (sum < left) below = Math.max(below, sum);
    else above = Math.min(above, sum);
    for (const step of positive) {
      const next = sum + step;
      if (next <= bound && !sums.has(next)) {
        sums.add(next);
        queue.push(next);
      }
    }
  }
  return `(${below},${above})`;
}

/**
 * When a treatment's response becomes judgeable, `left` hours ahead: a
 * reassessment drawn at or after that instant is judged (`>=`, unlike a due
 * time, which fires only once strictly passed), so every `left <= 0` is one
 * class; ahead of it, the classes the clock alphabet can tell apart.
 */
function judgeableClass(left: number, steps: ClockSteps): string {
  return left <= 0 ? 'judgeable' : dueClass(left, steps);
}

/**
 * The class of when a record's schedule has given its last dose (a pulse's
 * last day over), as far as the clock alphabet can tell: "ended" from that
 * instant on (no dose left), before it as a due time; none for a schedule
 * without an end.
 */
function endClass(
  context: EpisodeContext,
  record: TherapyRecord,
  steps: ClockSteps,
): string {
  const end = scheduleEndsAt(record);
  if (end === null) return '';
  const left = hoursFromNow(context, end);
  return left <= 0 ? 'ended' : dueClass(left, steps);
}

interface Observation<T> {
  /** The context fields this observation carries into the key. */
  readonly covers: readonly ContextField[];
  /** `slice`: what the slice explored lets it leave out. */
  readonly project: (context: EpisodeContext, slice: SliceTraits) => T;
}

const observation = <T>(
  covers: readonly ContextField[],
  project: (context: EpisodeContext, slice: SliceTraits) => T,
): Observation<T> => ({ covers, project });

/** What the checker observes of the context: the one declaration. */
export const observations = {
  /**
   * The protocol version the episode runs under (the machine reads its
   * monitoring items; a migration changes it).
   */
  protocolVersion: observation(['protocol'], (c) => c.protocol.version),
  /**
   * The patient's weight and height (a new measure changes them, and every
   * dose computed after reads them); the rest of the patient (identifier,
   * birth date, sex, underlying disease) no event changes.
   */
  patient: observation(['patient'], (c) => ({
    weightKg: c.patient.weightKg,
    heightCm: c.patient.heightCm,
  })),
  suspected: observation(['suspicionAt'], (c) => c.suspicionAt !== null),
  glucocorticoidStarted: observation(
    ['firstGlucocorticoidAt'],
    (c) => c.firstGlucocorticoidAt !== null,
  ),
  targetedTherapyStarted: observation(
    ['firstTargetedTherapyAt'],
    (c) => c.firstTargetedTherapyAt !== null,
  ),
  /**
   * Active therapy records (alike records kept at most twice: see below),
   * the drugs ever started, and whether a non-background,
   * non-glucocorticoid therapy started since the latest response verdict (the
   * only comparison of a therapy's time that any reader makes).
   */
  therapies: observation(['therapies', 'lastResponse'], (c, slice) => {
    const since = c.lastResponse?.at;
    // Records alike are kept at most twice: a stop naming one of two
    // records leaves one running, of three leaves two (which the
    // alphabet's named stop never meets: a second record starts only while
    // one runs).
    return {
      active: atMostTwice(
        activeTherapies(c)
          .map((t) =>
            [
              t.drug,
              t.background ? 'bg' : '',
              t.emergency ? 'em' : '',
              t.beforeGlucocorticoid ? 'pre-gc' : '',
              t.route ?? '',
              t.doseMg ?? '',
              t.doseCheck?.tier ?? '',
              (t.doseCheck?.alerts ?? []).map((a) => a.id).join('+'),
              t.doseIncreases.length > 0 ? 'increased' : '',
              // When its schedule gives its last dose, as a due time: a
              // running dose past its last day is no longer reviewed at a
              // new weight (where nothing reweighs, nothing reads it).
              slice.measuresChange ? endClass(c, t, slice.steps) : '',
            ].join(':'),
          )
          .sort(),
      ),
      ever: [...new Set(c.therapies.map((t) => t.drug))].sort(),
      // Started at this very instant: an event at the same time counts it
      // as escalated after that event's verdict (found by the soundness
      // check: without it, two states part on the next reassessment).
      escalatedNow: c.therapies.some(
        (t) =>
          !t.background &&
          t.therapyClass !== 'glucocorticoid' &&
          t.startedAt >= c.now,
      ),
      escalatedSinceVerdict: c.therapies.some(
        (t) =>
          !t.background &&
          t.therapyClass !== 'glucocorticoid' &&
          (since === undefined || t.startedAt >= since),
      ),
    };
  }),
  /** Other therapies: which records run (their ids are per episode). */
  otherTherapies: observation(['otherTherapies'], (c) =>
    c.otherTherapies.map((t) =>
      [
        t.recordId,
        t.stoppedAt === undefined ? 'active' : 'stopped',
        t.glucocorticoidTaper ? 'taper' : '',
      ].join(':'),
    ),
  ),
  severity: observation(['severe', 'rapidlyWorsening'], (c) => ({
    severe: c.severe,
    rapidlyWorsening: c.rapidlyWorsening,
  })),
  findings: observation(['cnsInvolvement', 'hemorrhage'], (c) => ({
    cns: c.cnsInvolvement,
    haemorrhage: c.hemorrhage,
  })),
  response: observation(
    ['lastResponse', 'inadequateResponseRecorded'],
    (c) => ({
      verdict: c.lastResponse?.verdict ?? null,
      inadequateRecorded: c.inadequateResponseRecorded,
    }),
  ),
  /**
   * The panels the next reassessment and screen compare with (by content),
   * and what the screens found.
   */
  panels: observation(
    [
      'lastPanel',
      'responseBaseline',
      'lastScreen',
      'criteriaMetAt',
      'unrecognisedSuggestiveAt',
    ],
    (c) => ({
      last: panelId(c.lastPanel?.panel),
      // Drawn now or before: a therapy started now takes it as the
      // treatment baseline, and a reassessment now compares only with a
      // baseline drawn strictly before.
      lastNow: c.lastPanel !== null && c.lastPanel.at === c.now,
      baseline: panelId(c.responseBaseline?.panel),
      suggestive: c.lastScreen?.suggestive ?? null,
      criteriaMetOnLast: c.lastScreen?.criteriaMet ?? null,
      criteriaMet: c.criteriaMetAt !== null,
      unrecognisedSuggestive: c.unrecognisedSuggestiveAt !== null,
    }),
  ),
  /**
   * The lab picture: its content, and per sample time the class of when its
   * items leave the protocol's window, as for due times (what ticks can
   * part). A coarser "in or out of the window now" was tried and reported
   * unsound by the soundness check (two panels 0 h and 13 h old part after
   * the next 13 h tick).
   */
  picture: observation(['labPicture'], (c, { steps, panelsReplacePicture }) => {
    if (panelsReplacePicture) return null;
    const windowHours = masProtocolDefinition.labPicture.windowHours;
    const bySample = new Map<string, string[]>();
    for (const [item, entry] of Object.entries(c.labPicture)) {
      const items = bySample.get(entry.collectedAt) ?? [];
      items.push(`${item}=${JSON.stringify(entry.value)}`);
      bySample.set(entry.collectedAt, items);
    }
    return [...bySample.entries()]
      .map(([collectedAt, items]) => [
        dueClass(hoursFromNow(c, collectedAt) + windowHours, steps),
        panelId(items.sort()),
      ])
      .sort((a, b) => String(a).localeCompare(String(b)));
  }),
  /**
   * The response course: the pre-treatment baseline (by content), whether
   * the previous assessment and the baseline were drawn now or before (the
   * course compares only strictly ordered samples), and when the treatment's
   * response becomes judgeable, as a due time.
   */
  course: observation(
    ['treatmentBaseline', 'treatmentStartedAt'],
    (c, { steps }) => {
      const judgeable = c.profileData.delays.responseJudgeableAfterHours;
      return {
        baseline: panelId(c.treatmentBaseline?.panel),
        baselineNow: c.treatmentBaseline?.at === c.now,
        previousNow: c.responseBaseline?.at === c.now,
        previousAfterBaseline:
          c.responseBaseline !== null &&
          c.treatmentBaseline !== null &&
          c.responseBaseline.at > c.treatmentBaseline.at,
        judgeable:
          c.treatmentStartedAt === null || judgeable === undefined
            ? null
            : judgeableClass(
                hoursFromNow(c, c.treatmentStartedAt) + judgeable,
                steps,
              ),
      };
    },
  ),
  triggers: observation(['triggers'], (c) => c.triggers),
  antimicrobials: observation(
    ['antimicrobialsActive'],
    (c) => c.antimicrobialsActive,
  ),
  decisions: observation(['decisions'], (c) => Object.keys(c.decisions).sort()),
  malignancyTreated: observation(
    ['malignancyTreatmentStarted'],
    (c) => c.malignancyTreatmentStarted,
  ),
  support: observation(['support'], (c) => [...c.support].sort()),
  screenings: observation(['screenings'], (c) =>
    Object.entries(c.screenings)
      .map(([kind, record]) => `${kind}:${record.result}`)
      .sort(),
  ),
  /**
   * Per drug, the latest request with who requested and who decided it (a
   * new request needs the previous one closed, so the latest is the only one
   * open), and whether a rejection of the drug stands (a rejected request
   * and no approval since: the emergency start's check reads it, whatever
   * the latest request).
   */
  requests: observation(['escalationRequests'], (c) => {
    const latest = new Map<string, unknown>();
    const rejectionStands = new Map<string, boolean>();
    for (const r of c.escalationRequests) {
      if (r.status === 'rejected') rejectionStands.set(r.drug, true);
      if (r.status === 'approved' || r.status === 'started') {
        rejectionStands.set(r.drug, false);
      }
      latest.set(r.drug, [
        r.status,
        actorOf(r.requestedBy),
        actorOf(r.decidedBy),
        rejectionStands.get(r.drug) === true,
      ]);
    }
    return [...latest.entries()].sort(([a], [b]) => a.localeCompare(b));
  }),
  emergencyStarts: observation(['emergencyStarts'], (c) =>
    c.emergencyStarts.map((s) => [
      s.id,
      actorOf(s.startedBy),
      actorOf(s.countersignedBy),
    ]),
  ),
  /**
   * Due times relative to the clock, in the classes the clock alphabet can
   * tell apart (`dueClass`). A paused due time that restarts on resume keeps
   * nothing of its old time; one that keeps it keeps its class.
   */
  dues: observation(['dues', 'now'], (c, { steps }) =>
    Object.entries(c.dues)
      .map(([id, due]) => {
        if (due.dueAt === null) return `${id}:-`;
        if (due.firedAt !== null) return `${id}:fired`;
        const paused = due.pausedAt !== null;
        if (paused && resumePolicyOf(id) === 'restart') return `${id}:paused`;
        const when = dueClass(hoursFromNow(c, due.dueAt), steps);
        return `${id}:${paused ? 'paused:' : ''}${when}`;
      })
      .sort(),
  ),
  hold: observation(['hold'], (c) => c.hold !== null),
  diagnosis: observation(
    ['diagnosisBasis', 'clinicalDiagnosisWithoutCriteria'],
    (c) => [c.diagnosisBasis, c.clinicalDiagnosisWithoutCriteria],
  ),
  /**
   * In remission, and which glucocorticoids running were started since it
   * was recorded (they raise their alert until a relapse is recorded).
   */
  remission: observation(['inRemission', 'remission', 'therapies'], (c) => [
    c.inRemission,
    startedInRemission(c)
      .map((t) => t.drug)
      .sort(),
  ]),
  monitoring: observation(['missingMonitoringItems'], (c) =>
    [...c.missingMonitoringItems].sort(),
  ),
  /** Whether the episode has relapsed (only that is read, by P10b). */
  relapsed: observation(['relapses'], (c) => c.relapses > 0),
  reassessed: observation(['reassessments'], (c) => c.reassessments > 0),
  tocilizumab: observation(['tocilizumabGiven'], (c) => c.tocilizumabGiven),
  /**
   * Of when the weight and height held were measured, what a check reads:
   * whether each is older now than the institution allows (the dose
   * check's warning; no guard, alert or property reads it). Not the times
   * themselves: the alphabet's measures are measured when recorded, at the
   * clock, so each replaces the figure held (a measure older than the one
   * held, not taken, is the machine spec's, and the facts take every
   * measure). Whether the warning is given is the machine specs' to test:
   * no property reads it, and the new-weight slice, probed, never ran a
   * measure past the example's 7 days.
   */
  measuredAt: observation(['measuredAt'], (c) => [
    c.measuredAt === undefined,
    measureTooOld(c, 'weightKg', c.now),
    measureTooOld(c, 'heightCm', c.now),
  ]),
  alerts: observation(['alerts'], (c) => c.alerts.map((a) => a.id).sort()),
  /** The alerts standing as critical (a warning turned critical parts states: P17 reads it). */
  criticalAlerts: observation(['alerts'], (c) =>
    c.alerts
      .filter((a) => a.severity === 'critical')
      .map((a) => a.id)
      .sort(),
  ),
  outcome: observation(['outcome'], (c) => c.outcome),
  /**
   * Not of the context: whether the slice reweighs, so that the key keeps
   * the facts' hours left of each methylprednisolone record (elsewhere no
   * property reads them: P17's premise needs a dose past the hard limit at
   * a weight recorded since).
   */
  measuresChange: observation([], (_c, slice) => slice.measuresChange),
} satisfies Record<string, Observation<unknown>>;

export type Observed = {
  readonly [K in keyof typeof observations]: ReturnType<
    (typeof observations)[K]['project']
  >;
};

/**
 * Context fields left out of the key, each with why it cannot change what
 * happens next.
 */
export const unobserved: Readonly<Partial<Record<ContextField, string>>> = {
  episodeId: 'constant per root',
  initialStage:
    "read once, by the at-risk stage's eventless guard: an episode opened on suspicion leaves that stage at once, so only the at-risk root is ever in it, and every other state behaves alike whichever root it came from (so the roots' states may merge)",
  protocol: 'constant: one protocol version',
  profile: 'constant per root',
  profileData: 'constant per root',
  openedAt:
    'constant per root; read as the first clock value, which every time is observed relative to, and by the recording rules, which compare a clinical time with it: every letter is dated at the clock, never before the opening, so that comparison is the same in every state',
  firedDues:
    'history of lateness, read by the debrief and the audit, never by a guard or an alert',
  alertLog:
    'history of raised and cleared alerts, read by the debrief and the UI, never by a guard or an alert',
};

/** Fields read as constants of the root (profile limits, the opening). */
export const constantPerRoot: readonly ContextField[] = [
  'episodeId',
  'initialStage',
  'profile',
  'profileData',
  'openedAt',
];

export const coveredFields: ReadonlySet<ContextField> = new Set(
  Object.values(observations).flatMap((o) => o.covers),
);

/**
 * What the checker observes of a context, as far as the slice explored can
 * tell states apart (default: both clock steps, any panels).
 */
export function observe(
  context: EpisodeContext,
  slice: SliceTraits = anySlice(context),
): Observed {
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(observations)) {
    out[name] = (o as Observation<unknown>).project(context, slice);
  }
  return out as Observed;
}

/** Traits that leave nothing out: both clock steps, partial panels. */
export function anySlice(context: EpisodeContext): SliceTraits {
  const { short, long } = timeSteps(context);
  return {
    steps: [short, long],
    panelsReplacePicture: false,
    measuresChange: true,
  };
}

/**
 * The abstract state key: status, state value, observations and facts. A
 * final state has no future and every property is about open states, so its
 * key is its outcome alone.
 */
export function abstractKey(
  snapshot: EpisodeSnapshot,
  facts: ProtocolFacts,
  observed: Observed = observe(snapshot.context),
): string {
  if (snapshot.status === 'done') {
    return JSON.stringify([snapshot.status, snapshot.value]);
  }
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    observed,
    protocolFactsKey(facts, {
      now: snapshot.context.now,
      ends: observed.measuresChange,
    }),
  ]);
}

/**
 * The concrete state up to a shift of time, without history and alert
 * wording: two states with equal fingerprints behave alike by construction,
 * so only states whose fingerprints differ are compared for soundness.
 */
export function concreteFingerprint(snapshot: EpisodeSnapshot): string {
  const { context } = snapshot;
  const skip = new Set<string>([...constantPerRoot, 'firedDues', 'alertLog']);
  const now = Date.parse(context.now);
  return JSON.stringify(
    [snapshot.value, context],
    function replacer(key: string, value: unknown) {
      if (this === context && skip.has(key)) return undefined;
      if (key === 'message' || key === 'since' || key === 'reasons') {
        return undefined;
      }
      if (
        typeof value === 'string' &&
        value.length >= 20 &&
        /^\d{4}-\d\d-\d\dT/.test(value)
      ) {
        return (Date.parse(value) - now) / HOUR_MS;
      }
      return value;
    },
  );
}

/** The protocol's reassessment interval (for property texts). */
export const reassessmentIntervalHours =
  masProtocolDefinition.monitoring.reassessmentIntervalHours;
