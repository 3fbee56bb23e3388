import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';
import { evidenceCatalog, seedStatements } from '@mas/protocol';
import { scenarios } from '@mas/simulation';
import * as testing from '@mas/testing';

import { stepHistory } from '../lib/history-steps.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import {
  restoreEpisodeSnapshot,
  stepEpisode,
} from '../lib/mas-episode.persistence.js';
import { simulateCourse } from '../simulation/course.js';
import { courseSeed } from '../simulation/course-seed.js';
import { policies } from '../simulation/policies.js';
import {
  ev,
  exampleProfile,
  h,
  tick,
} from '../spec-support/episode.spec-support.js';
import {
  episodeFacts,
  type OutcomeKey,
  qualityFactsOf,
  type QualityFold,
  type RefractoryStartKind,
  replayQualityFold,
  startQualityFold,
  stepQualityFold,
} from './episode-facts.js';
import { audited, qualityCohort } from './quality-cohort.spec-support.js';
import {
  type Category,
  computeQualityIndicators,
  type DurationPoint,
  indicatorDefinitions,
  keptQualityAt,
  type QualityIndicators,
  replayKeptQuality,
  type SharePoint,
  type Tally,
} from './quality-indicators.js';
import { quantile, quantileMethod } from './quantile.util.js';

// Built by the tests that read it, not when the file loads (a mutation run
// counts what runs at load against every test).
let built: ReturnType<typeof qualityCohort> | undefined;
const cohortOf = () => (built ??= qualityCohort());

/** `count` things behind the episodes `ids`. */
const tally = (count: number, ...episodeIds: string[]): Tally => ({
  count,
  episodeIds,
});
const none = tally(0);

/** The points of an indicator, in order: March (all, PICU, Ward 3), April (all, Ward 3). */
const periods = [
  { month: '2026-03', ward: null },
  { month: '2026-03', ward: 'PICU' },
  { month: '2026-03', ward: 'Ward 3' },
  { month: '2026-04', ward: null },
  { month: '2026-04', ward: 'Ward 3' },
] as const;
type Period = (typeof periods)[number];
function points<T extends readonly [object, object, object, object, object]>(
  ...values: T
): (T[number] & Period)[] {
  return values.map((value, i) => ({ ...periods[i]!, ...value }));
}

type Summary<P> = Omit<P, 'month' | 'ward'>;

const noDuration: Summary<DurationPoint> = {
  episodeIds: [],
  n: 0,
  medianHours: null,
  q1Hours: null,
  q3Hours: null,
};
/** One observation: median and quartiles are the value itself. */
const single = (id: string, hours: number): Summary<DurationPoint> => ({
  episodeIds: [id],
  n: 1,
  medianHours: hours,
  q1Hours: hours,
  q3Hours: hours,
});

const refractory = (
  fourEyes: Tally,
  countersigned: Tally,
  notCountersigned: Tally,
  windowOpen: Tally,
): Category<RefractoryStartKind>[] => [
  {
    key: 'four-eyes',
    label: 'Approved by a second senior before the start',
    ...fourEyes,
  },
  {
    key: 'emergency-countersigned',
    label: 'Emergency start, countersigned within the window',
    ...countersigned,
  },
  {
    key: 'emergency-not-countersigned',
    label: 'Emergency start, not countersigned within the window',
    ...notCountersigned,
  },
  {
    key: 'emergency-window-open',
    label: 'Emergency start, window still open',
    ...windowOpen,
  },
];
const outcomes = (
  excluded: Tally,
  died: Tally,
  transferred: Tally,
  closed: Tally,
): Category<OutcomeKey>[] => [
  { key: 'excluded', label: 'MAS excluded', ...excluded },
  { key: 'died', label: 'Died', ...died },
  { key: 'transferred-out', label: 'Transferred out', ...transferred },
  { key: 'closed', label: 'Closed', ...closed },
  { key: 'open', label: 'Open', ...none },
];
const version = (...ids: string[]): Category[] => [
  { key: '1.0.0', label: 'mas-protocol 1.0.0', ...tally(ids.length, ...ids) },
];
const noShare: Summary<SharePoint> = {
  episodeIds: [],
  n: 0,
  met: none,
  share: null,
};

describe('quality indicators replayed from the audit', () => {
  it('computes every indicator of a fixed cohort per month and ward, as worked by hand', () => {
    const result = computeQualityIndicators(cohortOf());
    const expected: QualityIndicators = {
      quantileMethod,
      episodes: 4,
      skipped: [
        { episodeId: 'kofi', reason: 'training' },
        { episodeId: 'hana', reason: 'no-suspicion' },
      ],
      indicators: {
        // Suspicion to first glucocorticoid (limit 6 h): amira 08:00 →
        // 10:30 = 2.5 h, ben 8 h, chloe 10:00 → 11:00 = 1 h, dario 2 h.
        // March [2.5, 8]: median 5.25, Q1 2.5 + 0.25 × 5.5 = 3.875,
        // Q3 2.5 + 0.75 × 5.5 = 6.625; April [1, 2]: 1.5, 1.25, 1.75.
        'suspicion-to-glucocorticoid': {
          id: 'suspicion-to-glucocorticoid',
          statement: 'seed.initial.3',
          evidence: ['seed.initial.3', 'seed.pitfalls.1'],
          label: 'Time to the first glucocorticoid after suspicion',
          points: points(
            {
              episodeIds: ['amira', 'ben'],
              n: 2,
              medianHours: 5.25,
              q1Hours: 3.875,
              q3Hours: 6.625,
              withinTarget: {
                ...tally(1, 'amira'),
                share: 0.5,
                targetHours: [6],
              },
              notStarted: none,
              excludedBeforeStart: none,
            },
            {
              ...single('ben', 8),
              withinTarget: { ...none, share: 0, targetHours: [6] },
              notStarted: none,
              excludedBeforeStart: none,
            },
            {
              ...single('amira', 2.5),
              withinTarget: {
                ...tally(1, 'amira'),
                share: 1,
                targetHours: [6],
              },
              notStarted: none,
              excludedBeforeStart: none,
            },
            {
              episodeIds: ['chloe', 'dario'],
              n: 2,
              medianHours: 1.5,
              q1Hours: 1.25,
              q3Hours: 1.75,
              withinTarget: {
                ...tally(2, 'chloe', 'dario'),
                share: 1,
                targetHours: [6],
              },
              notStarted: none,
              excludedBeforeStart: none,
            },
            {
              ...single('chloe', 1),
              withinTarget: {
                ...tally(1, 'chloe'),
                share: 1,
                targetHours: [6],
              },
              notStarted: none,
              excludedBeforeStart: none,
            },
          ),
        },
        // amira: on time at 12 h, 2 h late at 26 h; ben: on time at 12 h,
        // due 24 h still open at death 30 h → 6 h overdue; chloe: 13, 24,
        // 36 h all on time (due 14, 25, 36 h); dario: due 12 h, done 15 h
        // → 3 h late. March 2 of 4 (8 h overdue); April 3 of 4 (3 h).
        'reassessment-on-time': {
          id: 'reassessment-on-time',
          statement: 'seed.monitoring.1',
          evidence: ['seed.monitoring.1', 'review.section-10'],
          label: 'Clinical reassessment on time (at least every 12 h)',
          points: points(
            {
              episodeIds: ['amira', 'ben'],
              intervals: 4,
              onTime: tally(2, 'amira', 'ben'),
              late: tally(2, 'amira', 'ben'),
              share: 0.5,
              overdueHours: 8,
            },
            {
              episodeIds: ['ben'],
              intervals: 2,
              onTime: tally(1, 'ben'),
              late: tally(1, 'ben'),
              share: 0.5,
              overdueHours: 6,
            },
            {
              episodeIds: ['amira'],
              intervals: 2,
              onTime: tally(1, 'amira'),
              late: tally(1, 'amira'),
              share: 0.5,
              overdueHours: 2,
            },
            {
              episodeIds: ['chloe', 'dario'],
              intervals: 4,
              onTime: tally(3, 'chloe'),
              late: tally(1, 'dario'),
              share: 0.75,
              overdueHours: 3,
            },
            {
              episodeIds: ['chloe'],
              intervals: 3,
              onTime: tally(3, 'chloe'),
              late: none,
              share: 1,
              overdueHours: 0,
            },
          ),
        },
        // ben: indicated at 10 h → anakinra 11 h = 1 h; indicated again at
        // 12 h → ruxolitinib requested 13.5 h = 1.5 h. [1, 1.5]: median
        // 1.25, Q1 1.125, Q3 1.375. chloe: 14 h → etoposide 16 h = 2 h.
        'escalation-decision': {
          id: 'escalation-decision',
          statement: 'seed.second-line.1',
          evidence: ['seed.second-line.1', 'seed.second-line.5'],
          label: 'Time from “Escalation indicated” to the escalation decision',
          points: points(
            {
              episodeIds: ['ben'],
              n: 2,
              medianHours: 1.25,
              q1Hours: 1.125,
              q3Hours: 1.375,
              withoutDecision: none,
            },
            {
              episodeIds: ['ben'],
              n: 2,
              medianHours: 1.25,
              q1Hours: 1.125,
              q3Hours: 1.375,
              withoutDecision: none,
            },
            { ...noDuration, withoutDecision: none },
            { ...single('chloe', 2), withoutDecision: none },
            { ...single('chloe', 2), withoutDecision: none },
          ),
        },
        // ben: ruxolitinib after a second senior's approval; chloe:
        // emergency etoposide 16 h, countersigned 45 h > 16 + 24 = 40 h.
        'refractory-authorisation': {
          id: 'refractory-authorisation',
          statement: 'seed.refractory.1',
          evidence: [
            'seed.refractory.1',
            'seed.refractory.2',
            'seed.refractory.3',
            'review.section-10',
          ],
          label: 'Refractory therapy: four eyes or emergency start',
          points: points(
            {
              episodeIds: ['ben'],
              n: 1,
              categories: refractory(tally(1, 'ben'), none, none, none),
            },
            {
              episodeIds: ['ben'],
              n: 1,
              categories: refractory(tally(1, 'ben'), none, none, none),
            },
            {
              episodeIds: [],
              n: 0,
              categories: refractory(none, none, none, none),
            },
            {
              episodeIds: ['chloe'],
              n: 1,
              categories: refractory(none, none, tally(1, 'chloe'), none),
            },
            {
              episodeIds: ['chloe'],
              n: 1,
              categories: refractory(none, none, tally(1, 'chloe'), none),
            },
          ),
        },
        // amira's infection never covered; dario's covered at 1.5 h.
        'infection-antimicrobials': {
          id: 'infection-antimicrobials',
          statement: 'seed.subtype.3',
          evidence: ['seed.subtype.3', 'seed.pitfalls.2'],
          label:
            'Infection triggers with antimicrobials or a recorded decision',
          points: points(
            { episodeIds: ['amira'], n: 1, met: none, share: 0 },
            noShare,
            { episodeIds: ['amira'], n: 1, met: none, share: 0 },
            { episodeIds: ['dario'], n: 1, met: tally(1, 'dario'), share: 1 },
            noShare,
          ),
        },
        // chloe: CNS involvement, a recorded decision about dexamethasone.
        'cns-dexamethasone': {
          id: 'cns-dexamethasone',
          statement: 'seed.initial.2',
          evidence: ['seed.initial.2', 'review.section-10'],
          label: 'CNS involvement with dexamethasone considered',
          points: points(
            noShare,
            noShare,
            noShare,
            { episodeIds: ['chloe'], n: 1, met: tally(1, 'chloe'), share: 1 },
            { episodeIds: ['chloe'], n: 1, met: tally(1, 'chloe'), share: 1 },
          ),
        },
        // ben: anakinra 11 h after suspicion; chloe: etoposide 16 − 2 = 14 h.
        'first-targeted-therapy': {
          id: 'first-targeted-therapy',
          statement: 'seed.emerging.3',
          evidence: ['seed.emerging.3', 'review.section-10'],
          label: 'Time from suspicion to the first targeted therapy',
          points: points(
            single('ben', 11),
            single('ben', 11),
            noDuration,
            single('chloe', 14),
            single('chloe', 14),
          ),
        },
        outcomes: {
          id: 'outcomes',
          statement: 'seed.pitfalls.1',
          evidence: ['seed.pitfalls.1', 'seed.initial.3'],
          label: 'Outcomes',
          points: points(
            {
              episodeIds: ['amira', 'ben'],
              n: 2,
              categories: outcomes(
                none,
                tally(1, 'ben'),
                none,
                tally(1, 'amira'),
              ),
            },
            {
              episodeIds: ['ben'],
              n: 1,
              categories: outcomes(none, tally(1, 'ben'), none, none),
            },
            {
              episodeIds: ['amira'],
              n: 1,
              categories: outcomes(none, none, none, tally(1, 'amira')),
            },
            {
              episodeIds: ['chloe', 'dario'],
              n: 2,
              categories: outcomes(
                tally(1, 'dario'),
                none,
                tally(1, 'chloe'),
                none,
              ),
            },
            {
              episodeIds: ['chloe'],
              n: 1,
              categories: outcomes(none, none, tally(1, 'chloe'), none),
            },
          ),
        },
        'protocol-versions': {
          id: 'protocol-versions',
          statement: 'seed.lead',
          evidence: ['seed.lead'],
          label: 'Protocol versions',
          points: points(
            {
              episodeIds: ['amira', 'ben'],
              n: 2,
              categories: version('amira', 'ben'),
            },
            { episodeIds: ['ben'], n: 1, categories: version('ben') },
            { episodeIds: ['amira'], n: 1, categories: version('amira') },
            {
              episodeIds: ['chloe', 'dario'],
              n: 2,
              categories: version('chloe', 'dario'),
            },
            { episodeIds: ['chloe'], n: 1, categories: version('chloe') },
          ),
        },
      },
    };
    expect(result).toEqual(expected);
  });

  it('leaves training episodes out: the cohort without them gives the same indicators', () => {
    const real = cohortOf().filter((e) => e.kind === 'real');
    const withTraining = computeQualityIndicators(cohortOf());
    expect(computeQualityIndicators(real)).toEqual({
      ...withTraining,
      skipped: [{ episodeId: 'hana', reason: 'no-suspicion' }],
    });
  });

  it('an indicator without data has n = 0 and no median (not 0)', () => {
    const result = computeQualityIndicators(
      cohortOf().filter((e) => e.episodeId === 'amira'),
    );
    expect(result.indicators['first-targeted-therapy'].points).toEqual([
      { month: '2026-03', ward: null, ...noDuration },
      { month: '2026-03', ward: 'Ward 3', ...noDuration },
    ]);
    expect(result.indicators['cns-dexamethasone'].points[0]).toMatchObject({
      n: 0,
      share: null,
    });
    expect(computeQualityIndicators([]).indicators.outcomes.points).toEqual([]);
  });

  it('an episode whose audit does not replay is named, not counted', () => {
    const broken = {
      ...cohortOf()[0]!,
      episodeId: 'broken',
      initialSnapshot: {},
    };
    const result = computeQualityIndicators([broken]);
    expect(result.episodes).toBe(0);
    expect(result.skipped).toEqual([
      {
        episodeId: 'broken',
        reason: 'not-replayable',
        detail: expect.any(String),
      },
    ]);
  });

  it('a reassessment documented after its due time fired, but dated before it, was on time: not late, and no negative hours overdue [seed.monitoring.1]', () => {
    const { amira, floridMas, febrileSjia, panelOf } = testing;
    const florid = panelOf(floridMas, febrileSjia);
    const course = (reassessedAt: number) =>
      episodeFacts(
        audited('backdated', amira, 'suspected', h(0), [
          ev('labs.recorded', h(0.5), { panel: florid }),
          ev('therapy.started', h(1), { drug: 'methylprednisolone' }),
          // Due 12 h after suspicion; the scheduler fires it at 14 h.
          tick(h(14)),
          ev('reassessment.recorded', h(reassessedAt), { panel: florid }),
        ]),
      )?.reassessments;
    // Examined at 11.5 h, written up after 14 h.
    expect(course(11.5)).toEqual({ onTime: 1, late: 0, overdueHours: 0 });
    // Examined at 15 h: three hours late.
    expect(course(15)).toEqual({ onTime: 0, late: 1, overdueHours: 3 });
  });

  it("an episode a later statechart took over is taken up at its replay base: the steps after it are the record's own", () => {
    const { amira, floridMas, febrileSjia, panelOf } = testing;
    const florid = panelOf(floridMas, febrileSjia);
    const input = audited('taken-up', amira, 'suspected', h(0), [
      ev('labs.recorded', h(0.5), { panel: florid }),
      ev('therapy.started', h(1), { drug: 'methylprednisolone' }),
      ev('reassessment.recorded', h(11), { panel: florid }),
    ]);
    // The record as an earlier statechart stored it after two events (here
    // with a weight this replay could not have reached).
    let snapshot = restoreEpisodeSnapshot(input.initialSnapshot);
    for (const event of input.events.slice(0, 2)) {
      [snapshot] = stepEpisode(snapshot, event);
    }
    const stored = JSON.parse(
      JSON.stringify(masEpisodeMachine.getPersistedSnapshot(snapshot)),
    ) as { context: { patient: Record<string, unknown> } };
    const takenUp = {
      afterEvents: 2,
      snapshot: {
        ...stored,
        context: {
          ...stored.context,
          patient: { ...stored.context.patient, weightKg: 31 },
        },
      },
    };
    expect(
      replayQualityFold({ ...input, takenUp }).final.patient.weightKg,
    ).toBe(31);
    expect(replayQualityFold(input).final.patient.weightKg).toBe(
      amira.weightKg,
    );
    // The facts of both: the same course, counted the same here.
    expect(episodeFacts({ ...input, takenUp })).toEqual(episodeFacts(input));
  });

  it('an entry entered in error before the replay base does not shift where the record is taken up: each event keeps its audit seq', () => {
    const { amira, floridMas, febrileSjia, panelOf } = testing;
    const florid = panelOf(floridMas, febrileSjia);
    // The audit: 1 labs, 2 labs, 3 void of 2, 4 labs, [replay base after
    // 4], 5 diagnosis confirmed, 6-8 three panels. The replays step the
    // effective entries 1, 4, 5, 6, 7, 8.
    const input = audited('voided-before-base', amira, 'suspected', h(0), [
      ev('labs.recorded', h(0.5), { panel: florid }),
      ev('labs.recorded', h(1.5), { panel: florid }),
      ev('diagnosis.confirmed', h(2), { basis: 'criteria' }),
      ev('labs.recorded', h(3), { panel: florid }),
      ev('labs.recorded', h(4), { panel: florid }),
      ev('labs.recorded', h(5), { panel: florid }),
    ]);
    const seqs = [1, 4, 5, 6, 7, 8];
    let snapshot = restoreEpisodeSnapshot(input.initialSnapshot);
    for (const event of input.events.slice(0, 2)) {
      [snapshot] = stepEpisode(snapshot, event);
    }
    const takenUp = {
      afterEvents: 4,
      snapshot: JSON.parse(
        JSON.stringify(masEpisodeMachine.getPersistedSnapshot(snapshot)),
      ) as unknown,
    };
    // What the service's replays (historySteps, replayEffective) make of it:
    // stepped by seq, taken up after entry 4.
    const steps = [
      ...stepHistory(
        restoreEpisodeSnapshot(input.initialSnapshot),
        input.events.map((event, index) => ({ seq: seqs[index]!, event })),
        (entry) => entry.event,
        { takenUp: { afterSeq: 4, snapshot: takenUp.snapshot } },
      ),
    ];
    const replayed = steps.at(-1)!.after.context;
    expect(replayed.diagnosisBasis).toBe('criteria');

    const { final } = replayQualityFold({ ...input, seqs, takenUp });
    expect(final.diagnosisBasis).toBe('criteria');
    expect(final).toEqual(replayed);
    expect(episodeFacts({ ...input, seqs, takenUp })).toEqual(
      episodeFacts(input),
    );
    // Seqs that do not match the events are refused, not guessed at.
    expect(() => replayQualityFold({ ...input, seqs: [1, 4] })).toThrow(
      '2 audit seqs for 6 events',
    );
  });

  it('an emergency start still within its window at the last audited event is neither countersigned nor late', () => {
    const chloe = cohortOf().find((e) => e.episodeId === 'chloe')!;
    const untilStart = chloe.events.filter(
      (e) => e.at <= '2026-04-03T00:00:00.000Z',
    );
    expect(episodeFacts({ ...chloe, events: untilStart })).toMatchObject({
      refractoryStarts: ['emergency-window-open'],
      outcome: 'open',
    });
  });

  it('each indicator names a statement of the seed and entries of the evidence catalog', () => {
    const seedIds = new Set(seedStatements.map((s) => s.id));
    const catalogIds = new Set(evidenceCatalog.map((e) => e.id));
    for (const definition of Object.values(indicatorDefinitions)) {
      expect(seedIds.has(definition.statement)).toBe(true);
      expect(definition.evidence).toContain(definition.statement);
      for (const id of definition.evidence)
        expect(catalogIds.has(id)).toBe(true);
    }
  });
});

/**
 * The facts as the service keeps them: the fold stored as JSON after every
 * event and read back before the next, the facts read off the latest context.
 */
function factsFoldedOnWrite(
  initialSnapshot: unknown,
  events: readonly EpisodeEvent[],
  episodeId: string,
) {
  let snapshot = restoreEpisodeSnapshot(initialSnapshot);
  let stored = JSON.stringify(startQualityFold(snapshot));
  for (const event of events) {
    const [after] = stepEpisode(snapshot, event);
    const fold = JSON.parse(stored) as QualityFold;
    stored = JSON.stringify(stepQualityFold(fold, snapshot, event, after));
    snapshot = after;
  }
  return qualityFactsOf(JSON.parse(stored) as QualityFold, snapshot.context, {
    episodeId,
  });
}

describe('the facts kept on write equal the replay', () => {
  it('on the hand-computed cohort, every episode, the fold stored as JSON after each event', () => {
    for (const episode of cohortOf()) {
      if (episode.initialSnapshot === null) continue;
      expect(
        factsFoldedOnWrite(
          episode.initialSnapshot,
          episode.events,
          episode.episodeId,
        ),
      ).toEqual(episodeFacts({ ...episode, ward: null }));
    }
  });

  it('on simulated courses of every scenario under three policies (escalations, triggers, remission, relapse)', () => {
    const profile = exampleProfile();
    let withEscalations = 0;
    for (const policy of [
      policies.protocol,
      policies['late-escalation'],
      policies['no-antimicrobials'],
    ]) {
      for (const scenario of scenarios) {
        const course = simulateCourse({
          scenario,
          policy,
          seed: courseSeed(3, 0),
          profile,
        });
        const [first] = initialTransition(masEpisodeMachine, {
          episodeId: 'e',
          patient: scenario.patient,
          openedAt: '2026-03-01T08:00:00.000Z',
          initialStage: 'suspected',
          profile,
        });
        const initialSnapshot = masEpisodeMachine.getPersistedSnapshot(first);
        const replayed = episodeFacts({
          episodeId: 'e',
          kind: 'real',
          initialSnapshot,
          events: course.events,
        });
        expect(factsFoldedOnWrite(initialSnapshot, course.events, 'e')).toEqual(
          replayed,
        );
        if ((replayed?.escalations.length ?? 0) > 0) withEscalations += 1;
      }
    }
    // The courses exercise the escalation fold, not only empty lists.
    expect(withEscalations).toBeGreaterThan(3);
  });
});

describe('kept facts are used only for the version they are of', () => {
  it('a kept value of another version or format is not folded on nor read (the episode is replayed instead)', () => {
    const [episode] = cohortOf();
    if (!episode) throw new Error('no cohort');
    const kept = replayKeptQuality(episode);
    expect(kept?.atVersion).toBe(episode.events.length);
    expect(keptQualityAt(kept, episode.events.length)).toBe(kept);
    // An instance of another version wrote an event without folding it.
    expect(keptQualityAt(kept, episode.events.length + 1)).toBeNull();
    expect(
      keptQualityAt(
        kept && { ...kept, format: 'facts-0/machine-1.0.0' },
        episode.events.length,
      ),
    ).toBeNull();
  });
});

describe('quantiles (type 7)', () => {
  it('interpolates linearly between order statistics; none for no values', () => {
    // (n − 1)p = 0.75 → 1 + 0.75 × (2 − 1).
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([7], 0.75)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});
