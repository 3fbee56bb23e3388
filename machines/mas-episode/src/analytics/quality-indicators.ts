/**
 * Quality indicators of real care episodes, computed by replaying each
 * episode's audit through the machine (episode-facts.ts), per month of
 * suspicion (UTC) and per ward where one is recorded. Pure: the service
 * feeds it rows, the Quality page and the CSV read what it returns.
 *
 * Durations are in hours, summarised by median and quartiles (type 7,
 * quantile.util.ts), rounded to 4 decimals. A point without data has n = 0
 * and null summaries (never 0). Every point lists the episodes behind it.
 */
import type { EpisodeEvent } from '@mas/contracts';
import { alertLabel, masProtocolDefinition, stateLabel } from '@mas/protocol';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import { MAS_EPISODE_MACHINE_VERSION } from '../lib/mas-episode.machine.js';
import type { EpisodeContext } from '../lib/mas-episode.types.js';
import {
  type EpisodeFacts,
  type OutcomeKey,
  type QualityEpisodeInput,
  qualityFactsOf,
  type QualityFold,
  type RefractoryStartKind,
  replayQualityFold,
  startQualityFold,
  stepQualityFold,
} from './episode-facts.js';
import { quantile, quantileMethod } from './quantile.util.js';

const { dueTimes } = masProtocolDefinition;

/** Episodes behind a count (the count may be of starts or intervals, several per episode). */
export interface Tally {
  readonly count: number;
  readonly episodeIds: readonly string[];
}

interface PointBase {
  /** `YYYY-MM` of the suspicion (UTC). */
  readonly month: string;
  /** Null: every episode of the month, ward recorded or not. */
  readonly ward: string | null;
  /** The episodes the point is computed over. */
  readonly episodeIds: readonly string[];
}

export interface DurationPoint extends PointBase {
  readonly n: number;
  readonly medianHours: number | null;
  readonly q1Hours: number | null;
  readonly q3Hours: number | null;
}

export interface GlucocorticoidPoint extends DurationPoint {
  /** Within the limit of each episode's institution profile (`delays.suspicionToGlucocorticoidMaxHours`). */
  readonly withinTarget: Tally & {
    readonly share: number | null;
    readonly targetHours: readonly number[];
  };
  /** Suspected, no glucocorticoid recorded by the last audited event (MAS excluded after its due time passed included). */
  readonly notStarted: Tally;
  /** MAS excluded before any glucocorticoid was due: never a miss. */
  readonly excludedBeforeStart: Tally;
}

export interface EscalationPoint extends DurationPoint {
  /** Escalation warranted, no decision recorded while it was. */
  readonly withoutDecision: Tally;
}

export interface ReassessmentPoint extends PointBase {
  readonly intervals: number;
  readonly onTime: Tally;
  readonly late: Tally;
  readonly share: number | null;
  readonly overdueHours: number;
}

export interface SharePoint extends PointBase {
  readonly n: number;
  readonly met: Tally;
  readonly share: number | null;
}

export interface Category<K extends string = string> extends Tally {
  readonly key: K;
  readonly label: string;
}

export interface CategoryPoint<K extends string = string> extends PointBase {
  readonly n: number;
  readonly categories: readonly Category<K>[];
}

/** The point of each indicator. */
export interface IndicatorPoints {
  'suspicion-to-glucocorticoid': GlucocorticoidPoint;
  'reassessment-on-time': ReassessmentPoint;
  'escalation-decision': EscalationPoint;
  'refractory-authorisation': CategoryPoint<RefractoryStartKind>;
  'infection-antimicrobials': SharePoint;
  'cns-dexamethasone': SharePoint;
  'first-targeted-therapy': DurationPoint;
  outcomes: CategoryPoint<OutcomeKey>;
  'protocol-versions': CategoryPoint;
}

export type IndicatorId = keyof IndicatorPoints;

export interface IndicatorDefinition {
  /** The seed statement the indicator follows (evidence catalog id). */
  readonly statement: `seed.${string}`;
  /** Every evidence entry behind it. */
  readonly evidence: readonly string[];
  readonly label: string;
}

const capitalised = (text: string): string =>
  text.charAt(0).toUpperCase() + text.slice(1);

/** The indicators, in the order a page lists them. */
export const indicatorDefinitions: {
  readonly [K in IndicatorId]: IndicatorDefinition;
} = {
  'suspicion-to-glucocorticoid': {
    statement: 'seed.initial.3',
    evidence: dueTimes.glucocorticoidStart.evidence,
    label: `Time to the ${dueTimes.glucocorticoidStart.label}`,
  },
  'reassessment-on-time': {
    statement: 'seed.monitoring.1',
    evidence: dueTimes.reassessment.evidence,
    label: `${capitalised(dueTimes.reassessment.label)} on time (at least every ${String(dueTimes.reassessment.intervalHours)} h)`,
  },
  'escalation-decision': {
    statement: 'seed.second-line.1',
    evidence: ['seed.second-line.1', 'seed.second-line.5'],
    label: `Time from “${alertLabel('escalation-indicated')}” to the escalation decision`,
  },
  'refractory-authorisation': {
    statement: 'seed.refractory.1',
    evidence: [
      'seed.refractory.1',
      'seed.refractory.2',
      'seed.refractory.3',
      'review.section-10',
    ],
    label: `${stateLabel('masEpisode.open.treatment.active.refractory')}: four eyes or emergency start`,
  },
  'infection-antimicrobials': {
    statement: 'seed.subtype.3',
    evidence: ['seed.subtype.3', 'seed.pitfalls.2'],
    label: 'Infection triggers with antimicrobials or a recorded decision',
  },
  'cns-dexamethasone': {
    statement: 'seed.initial.2',
    evidence: ['seed.initial.2', 'review.section-10'],
    label: 'CNS involvement with dexamethasone considered',
  },
  'first-targeted-therapy': {
    statement: 'seed.emerging.3',
    evidence: ['seed.emerging.3', 'review.section-10'],
    label: 'Time from suspicion to the first targeted therapy',
  },
  outcomes: {
    statement: 'seed.pitfalls.1',
    evidence: ['seed.pitfalls.1', 'seed.initial.3'],
    label: 'Outcomes',
  },
  'protocol-versions': {
    statement: 'seed.lead',
    evidence: ['seed.lead'],
    label: 'Protocol versions',
  },
};

export const indicatorIds = Object.keys(indicatorDefinitions) as IndicatorId[];

const refractoryLabels: Readonly<Record<RefractoryStartKind, string>> = {
  'four-eyes': 'Approved by a second senior before the start',
  'emergency-countersigned': 'Emergency start, countersigned within the window',
  'emergency-not-countersigned':
    'Emergency start, not countersigned within the window',
  'emergency-window-open': 'Emergency start, window still open',
};

/** Outcomes in words: the machine's final states (open: not yet final). */
const outcomeLabels: Readonly<Record<OutcomeKey, string>> = {
  excluded: stateLabel('masEpisode.excluded'),
  died: stateLabel('masEpisode.died'),
  'transferred-out': stateLabel('masEpisode.transferredOut'),
  closed: stateLabel('masEpisode.closed'),
  open: stateLabel('masEpisode.open'),
};

export type IndicatorResult<K extends IndicatorId = IndicatorId> =
  IndicatorDefinition & {
    readonly id: K;
    readonly points: readonly IndicatorPoints[K][];
  };

export interface SkippedEpisode {
  readonly episodeId: string;
  readonly reason: 'training' | 'no-suspicion' | 'not-replayable';
  readonly detail?: string;
}

export interface QualityIndicators {
  readonly quantileMethod: string;
  /** Real episodes counted. */
  readonly episodes: number;
  /** Episodes left out, and why. */
  readonly skipped: readonly SkippedEpisode[];
  readonly indicators: { readonly [K in IndicatorId]: IndicatorResult<K> };
}

// ---------------------------------------------------------------- summaries

const round = (hours: number): number => Math.round(hours * 10_000) / 10_000;

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

function tally(ids: readonly string[]): Tally {
  return { count: ids.length, episodeIds: unique(ids) };
}

const shareOf = (met: number, n: number): number | null =>
  n === 0 ? null : met / n;

interface Observation {
  readonly episodeId: string;
  readonly hours: number;
}

function durations(
  observations: readonly Observation[],
): Omit<DurationPoint, 'month' | 'ward'> {
  const sorted = observations.map((o) => o.hours).sort((a, b) => a - b);
  const at = (p: number) => {
    const value = quantile(sorted, p);
    return value === null ? null : round(value);
  };
  return {
    episodeIds: unique(observations.map((o) => o.episodeId)),
    n: sorted.length,
    medianHours: at(0.5),
    q1Hours: at(0.25),
    q3Hours: at(0.75),
  };
}

function share(
  facts: readonly EpisodeFacts[],
  met: (f: EpisodeFacts) => boolean | null,
): Omit<SharePoint, 'month' | 'ward'> {
  const eligible = facts.filter((f) => met(f) !== null);
  const metIds = eligible.filter((f) => met(f)).map((f) => f.episodeId);
  return {
    episodeIds: eligible.map((f) => f.episodeId),
    n: eligible.length,
    met: tally(metIds),
    share: shareOf(metIds.length, eligible.length),
  };
}

function categories<K extends string>(
  entries: readonly { readonly episodeId: string; readonly key: K }[],
  keys: readonly K[],
  labelOf: (key: K) => string,
): Omit<CategoryPoint<K>, 'month' | 'ward'> {
  return {
    episodeIds: unique(entries.map((e) => e.episodeId)),
    n: entries.length,
    categories: keys.map((key) => ({
      key,
      label: labelOf(key),
      ...tally(entries.filter((e) => e.key === key).map((e) => e.episodeId)),
    })),
  };
}

// ---------------------------------------------------------------- indicators

type Summary<K extends IndicatorId> = Omit<
  IndicatorPoints[K],
  'month' | 'ward'
>;

/** MAS excluded before the first glucocorticoid was due: none was missed. */
function excusedStart(facts: EpisodeFacts): boolean {
  return facts.outcome === 'excluded' && !facts.glucocorticoidOverdue;
}

/** Each indicator from the facts of one period and ward. */
const summaries: {
  readonly [K in IndicatorId]: (facts: readonly EpisodeFacts[]) => Summary<K>;
} = {
  'suspicion-to-glucocorticoid': (facts) => {
    const started = facts.flatMap((f) =>
      f.glucocorticoid ? [{ episodeId: f.episodeId, ...f.glucocorticoid }] : [],
    );
    const within = started.filter((g) => g.hours <= g.targetHours);
    return {
      ...durations(started),
      withinTarget: {
        ...tally(within.map((g) => g.episodeId)),
        share: shareOf(within.length, started.length),
        targetHours: [...new Set(started.map((g) => g.targetHours))].sort(
          (a, b) => a - b,
        ),
      },
      notStarted: tally(
        facts
          .filter((f) => f.glucocorticoid === null && !excusedStart(f))
          .map((f) => f.episodeId),
      ),
      excludedBeforeStart: tally(
        facts
          .filter((f) => f.glucocorticoid === null && excusedStart(f))
          .map((f) => f.episodeId),
      ),
    };
  },
  'reassessment-on-time': (facts) => {
    const times = (count: (f: EpisodeFacts) => number) =>
      facts.flatMap((f) => Array<string>(count(f)).fill(f.episodeId));
    const onTime = times((f) => f.reassessments.onTime);
    const late = times((f) => f.reassessments.late);
    const intervals = onTime.length + late.length;
    return {
      episodeIds: unique([...onTime, ...late]),
      intervals,
      onTime: tally(onTime),
      late: tally(late),
      share: shareOf(onTime.length, intervals),
      overdueHours: round(
        facts.reduce((sum, f) => sum + f.reassessments.overdueHours, 0),
      ),
    };
  },
  'escalation-decision': (facts) => {
    const occasions = facts.flatMap((f) =>
      f.escalations.map((hours) => ({ episodeId: f.episodeId, hours })),
    );
    const decided = occasions.flatMap((o) =>
      o.hours === null ? [] : [{ episodeId: o.episodeId, hours: o.hours }],
    );
    return {
      ...durations(decided),
      withoutDecision: tally(
        occasions.filter((o) => o.hours === null).map((o) => o.episodeId),
      ),
    };
  },
  'refractory-authorisation': (facts) =>
    categories(
      facts.flatMap((f) =>
        f.refractoryStarts.map((key) => ({ episodeId: f.episodeId, key })),
      ),
      Object.keys(refractoryLabels) as RefractoryStartKind[],
      (key) => refractoryLabels[key],
    ),
  'infection-antimicrobials': (facts) =>
    share(facts, (f) => f.infectionCovered),
  'cns-dexamethasone': (facts) =>
    share(facts, (f) => f.dexamethasoneConsidered),
  'first-targeted-therapy': (facts) =>
    durations(
      facts.flatMap((f) =>
        f.targetedTherapyHours === null
          ? []
          : [{ episodeId: f.episodeId, hours: f.targetedTherapyHours }],
      ),
    ),
  outcomes: (facts) =>
    categories(
      facts.map((f) => ({ episodeId: f.episodeId, key: f.outcome })),
      Object.keys(outcomeLabels) as OutcomeKey[],
      (key) => outcomeLabels[key],
    ),
  'protocol-versions': (facts) => {
    const entries = facts.map((f) => ({
      episodeId: f.episodeId,
      key: f.protocol.version,
      label: `${f.protocol.id} ${f.protocol.version}`,
    }));
    const labels = new Map(entries.map((e) => [e.key, e.label]));
    return categories(
      entries,
      [...labels.keys()].sort(),
      (key) => labels.get(key) ?? key,
    );
  },
};

/** Each month with its every-ward group first, then one group per recorded ward. */
function groups(
  facts: readonly EpisodeFacts[],
): { month: string; ward: string | null; facts: EpisodeFacts[] }[] {
  const months = [...new Set(facts.map((f) => f.month))].sort();
  return months.flatMap((month) => {
    const ofMonth = facts.filter((f) => f.month === month);
    const wards = [
      ...new Set(ofMonth.flatMap((f) => (f.ward === null ? [] : [f.ward]))),
    ].sort();
    return [
      { month, ward: null, facts: ofMonth },
      ...wards.map((ward) => ({
        month,
        ward,
        facts: ofMonth.filter((f) => f.ward === ward),
      })),
    ];
  });
}

function indicator<K extends IndicatorId>(
  id: K,
  periods: ReturnType<typeof groups>,
): IndicatorResult<K> {
  const summarise = summaries[id];
  return {
    id,
    ...indicatorDefinitions[id],
    points: periods.map(
      ({ month, ward, facts }) =>
        ({ month, ward, ...summarise(facts) }) as IndicatorPoints[K],
    ),
  };
}

/** What one episode contributes: its facts, or why it is left out. */
export type EpisodeAnalysis =
  { readonly facts: EpisodeFacts } | { readonly skipped: SkippedEpisode };

/**
 * One episode replayed (training episodes and those never suspected are
 * left out, an audit that does not replay is named). A caller may keep it
 * while the episode does not change: `indicatorsOf` gives the same result
 * from kept analyses as `computeQualityIndicators` from the audit.
 */
export function analyseEpisode(episode: QualityEpisodeInput): EpisodeAnalysis {
  const { episodeId } = episode;
  if (episode.kind === 'training') {
    return { skipped: { episodeId, reason: 'training' } };
  }
  let replayed: ReturnType<typeof replayQualityFold>;
  try {
    replayed = replayQualityFold(episode);
  } catch (error) {
    return notReplayable(episodeId, error);
  }
  return analysisOfFold(replayed.fold, replayed.final, episode);
}

function notReplayable(episodeId: string, error: unknown): EpisodeAnalysis {
  return {
    skipped: {
      episodeId,
      reason: 'not-replayable',
      detail: error instanceof Error ? error.message : String(error),
    },
  };
}

/**
 * The format of what a service keeps per episode (`KeptQuality`): a kept
 * value of another format is not used (the episode is replayed instead).
 */
export const QUALITY_FOLD_FORMAT = `facts-3/machine-${MAS_EPISODE_MACHINE_VERSION}`;

/** What a service keeps with an episode, folded on each write. */
export interface KeptQuality {
  /** The facts' format and the machine's version: another is never used. */
  readonly format: string;
  /** The episode's version the facts are of (its audited events). */
  readonly atVersion: number;
  readonly fold: QualityFold;
  readonly analysis: EpisodeAnalysis;
}

/**
 * The kept facts of an episode at `version`, if they are of this format and
 * of that very version (an instance of another version may have written
 * events without folding them: then the episode is replayed).
 */
export function keptQualityAt(
  kept: KeptQuality | null,
  version: number,
): KeptQuality | null {
  return kept?.format === QUALITY_FOLD_FORMAT && kept.atVersion === version
    ? kept
    : null;
}

/**
 * The analysis of a real episode from its fold and its latest context: what
 * `analyseEpisode` gives from the whole audit (tested), without the replay.
 */
export function analysisOfFold(
  fold: QualityFold,
  final: EpisodeContext,
  episode: { readonly episodeId: string; readonly ward?: string | null },
): EpisodeAnalysis {
  const { episodeId } = episode;
  try {
    const found = qualityFactsOf(fold, final, episode);
    return found
      ? { facts: found }
      : { skipped: { episodeId, reason: 'no-suspicion' } };
  } catch (error) {
    return notReplayable(episodeId, error);
  }
}

/**
 * The kept quality of a real episode after `event` (null: nothing kept
 * before it, or of another format: the report replays the episode).
 */
export function keptQualityAfter(
  kept: KeptQuality | null,
  versionBefore: number,
  before: EpisodeSnapshot,
  event: EpisodeEvent,
  after: EpisodeSnapshot,
  episodeId: string,
): KeptQuality | null {
  const current = keptQualityAt(kept, versionBefore);
  if (current === null) return null;
  const fold = stepQualityFold(current.fold, before, event, after);
  return {
    format: QUALITY_FOLD_FORMAT,
    atVersion: versionBefore + 1,
    fold,
    analysis: analysisOfFold(fold, after.context, { episodeId }),
  };
}

/**
 * What a service keeps for a real episode, from its whole audit (for rows
 * written before it kept any); null for a training episode or an audit that
 * does not replay (`analyseEpisode` names it).
 */
export function replayKeptQuality(
  episode: QualityEpisodeInput,
): KeptQuality | null {
  if (episode.kind !== 'real') return null;
  try {
    const { fold, final } = replayQualityFold(episode);
    return {
      format: QUALITY_FOLD_FORMAT,
      atVersion: episode.events.length,
      fold,
      analysis: analysisOfFold(fold, final, episode),
    };
  } catch {
    return null;
  }
}

/** The kept quality of a real episode just opened. */
export function keptQualityAtStart(
  initial: EpisodeSnapshot,
  episodeId: string,
): KeptQuality {
  const fold = startQualityFold(initial);
  return {
    format: QUALITY_FOLD_FORMAT,
    atVersion: 0,
    fold,
    analysis: analysisOfFold(fold, initial.context, { episodeId }),
  };
}

/** The indicators from the episodes' analyses, in the order given. */
export function indicatorsOf(
  analyses: readonly EpisodeAnalysis[],
): QualityIndicators {
  const facts: EpisodeFacts[] = [];
  const skipped: SkippedEpisode[] = [];
  for (const analysis of analyses) {
    if ('facts' in analysis) facts.push(analysis.facts);
    else skipped.push(analysis.skipped);
  }
  const periods = groups(facts);
  return {
    quantileMethod,
    episodes: facts.length,
    skipped,
    indicators: {
      'suspicion-to-glucocorticoid': indicator(
        'suspicion-to-glucocorticoid',
        periods,
      ),
      'reassessment-on-time': indicator('reassessment-on-time', periods),
      'escalation-decision': indicator('escalation-decision', periods),
      'refractory-authorisation': indicator(
        'refractory-authorisation',
        periods,
      ),
      'infection-antimicrobials': indicator(
        'infection-antimicrobials',
        periods,
      ),
      'cns-dexamethasone': indicator('cns-dexamethasone', periods),
      'first-targeted-therapy': indicator('first-targeted-therapy', periods),
      outcomes: indicator('outcomes', periods),
      'protocol-versions': indicator('protocol-versions', periods),
    },
  };
}

/**
 * The quality indicators of `episodes`: real episodes with a suspicion of
 * MAS recorded, each replayed from its first snapshot through its audit.
 */
export function computeQualityIndicators(
  episodes: readonly QualityEpisodeInput[],
): QualityIndicators {
  return indicatorsOf(episodes.map(analyseEpisode));
}
