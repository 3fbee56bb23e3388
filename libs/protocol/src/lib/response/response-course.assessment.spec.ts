import { describe, expect, it } from '@jest/globals';

import {
  clinicalErrorOf,
  readExampleProfile,
} from '../../spec-support/spec-support.js';
import { quantity } from '../../testing.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  parseInstitutionProfile,
  profileStamp,
} from '../profile/institution-profile.js';
import { assessResponse } from './response.assessment.js';
import {
  assessResponseCourse,
  type ResponseCourseInput,
  type TimedPanel,
} from './response-course.assessment.js';

const raw = readExampleProfile();
// The example profile: ferritin improves at a 25% fall and worsens at a 20%
// rise; platelets and fibrinogen at 20% either way; judgeable from 48 h.
const profile = parseInstitutionProfile(raw);
const { responseJudgeableAfterHours: _delay, ...otherDelays } = raw.delays;
const profileWithoutDelay = parseInstitutionProfile({
  ...raw,
  delays: otherDelays,
});

const START = '2024-05-01T08:00:00.000Z';
const HOUR_MS = 3_600_000;
/** The instant `hours` after the first dose. */
const at = (hours: number) =>
  new Date(Date.parse(START) + hours * HOUR_MS).toISOString();

const panel = (
  ferritin: number,
  platelets: number,
  fibrinogen: number,
): LabPanelInput => ({
  ferritin: quantity(ferritin, 'ng/mL'),
  platelets: quantity(platelets, '10*9/L'),
  fibrinogen: quantity(fibrinogen, 'g/L'),
});
const point = (hours: number, p: LabPanelInput): TimedPanel => ({
  at: at(hours),
  panel: p,
});

/** Baseline 2 h before methylprednisolone started, then the given points. */
function course(
  current: TimedPanel,
  extra: Partial<ResponseCourseInput> = {},
): ResponseCourseInput {
  return {
    baseline: point(-2, panel(10000, 60, 1.0)),
    current,
    therapyStartedAt: START,
    therapy: 'methylprednisolone',
    profile,
    ...extra,
  };
}

describe('response over the course: cumulative (baseline) and recent (previous) change', () => {
  it('ferritin falling 10% per reassessment over four reassessments: responding, though no single step reaches the 25% margin [seed.monitoring.3]', () => {
    const result = assessResponseCourse(
      course(point(48, panel(6561, 60, 1.0)), {
        history: [
          point(12, panel(9000, 60, 1.0)),
          point(24, panel(8100, 60, 1.0)),
        ],
        previous: point(36, panel(7290, 60, 1.0)),
      }),
    );
    expect(result.verdict).toBe('responding');
    expect(result.panelVerdict).toBe('responding');
    expect(result.vsBaseline.changes[0]).toMatchObject({
      analyte: 'ferritin',
      changePercent: -34.39,
      trend: 'improving',
    });
    expect(result.vsPrevious?.changes[0]).toMatchObject({
      analyte: 'ferritin',
      changePercent: -10,
      trend: 'stable',
    });
    // The same last step judged on its own is not a response.
    expect(
      assessResponse(panel(7290, 60, 1.0), panel(6561, 60, 1.0), profile)
        .verdict,
    ).toBe('inadequate');
    expect(result.reasons[0]).toBe(
      'responding, 48 h after methylprednisolone started: ferritin fell by at least the institution-set margin since the baseline (ferritin -34.39% since the baseline over 50 h), and no parameter is worse by its worsening margin than at the baseline or the previous assessment',
    );
    expect(result.trajectories.map((t) => t.analyte)).toEqual([
      'ferritin',
      'platelets',
      'fibrinogen',
    ]);
    expect(result.trajectories[0]?.values).toEqual([
      { at: at(-2), hoursSinceTherapyStart: -2, value: 10000 },
      { at: at(12), hoursSinceTherapyStart: 12, value: 9000 },
      { at: at(24), hoursSinceTherapyStart: 24, value: 8100 },
      { at: at(36), hoursSinceTherapyStart: 36, value: 7290 },
      { at: at(48), hoursSinceTherapyStart: 48, value: 6561 },
    ]);
    expect(result.reasons).toContain(
      'ferritin over the course (ng/mL, hours after methylprednisolone started): -2 h 10000; 12 h 9000; 24 h 8100; 36 h 7290; 48 h 6561',
    );
  });

  it('without `previous`, the last of the history is the previous assessment [seed.monitoring.3]', () => {
    const result = assessResponseCourse(
      course(point(48, panel(6561, 60, 1.0)), {
        history: [
          point(12, panel(9000, 60, 1.0)),
          point(24, panel(8100, 60, 1.0)),
          point(36, panel(7290, 60, 1.0)),
        ],
      }),
    );
    expect(result.verdict).toBe('responding');
    expect(result.vsPrevious?.fromAt).toBe(at(36));
    expect(result.points.previousAt).toBe(at(36));
    expect(result.points.historyAt).toEqual([at(12), at(24), at(36)]);
  });

  it('platelets falling by less than the margin at each step but by more than it since the baseline: worsening [seed.monitoring.3]', () => {
    const result = assessResponseCourse(
      course(point(36, panel(5000, 78, 1.0)), {
        baseline: point(-2, panel(10000, 100, 1.0)),
        history: [point(12, panel(7000, 92, 1.0))],
        previous: point(24, panel(6000, 85, 1.0)),
      }),
    );
    expect(result.vsPrevious?.changes[1]).toMatchObject({
      analyte: 'platelets',
      trend: 'stable',
    });
    expect(result.verdict).toBe('worsening');
    expect(result.reasons[0]).toBe(
      `worsening, 36 h after methylprednisolone started: platelets since the baseline (${at(-2)}) changed the wrong way by at least the institution-set worsening margin`,
    );
  });

  it('worse than the previous assessment despite a large fall since the baseline: worsening, naming the comparison [seed.monitoring.3]', () => {
    const result = assessResponseCourse(
      course(point(36, panel(5000, 60, 1.0)), {
        previous: point(24, panel(4000, 60, 1.0)),
      }),
    );
    expect(result.vsBaseline.changes[0]?.trend).toBe('improving');
    expect(result.vsPrevious?.changes[0]).toMatchObject({
      changePercent: 25,
      trend: 'worsening',
    });
    expect(result.verdict).toBe('worsening');
    expect(result.panelVerdict).toBe('worsening');
    // Three panels make a trajectory (baseline, previous, current).
    expect(result.trajectories[0]?.values.map((v) => v.value)).toEqual([
      10000, 4000, 5000,
    ]);
    expect(result.reasons[0]).toBe(
      `worsening, 36 h after methylprednisolone started: ferritin since the previous assessment (${at(24)}) changed the wrong way by at least the institution-set worsening margin`,
    );
    expect(result.reasons[2]).toBe(
      `since the previous assessment (${at(24)}): ferritin 4000 -> 5000 ng/mL (+25%): worsening (improving needs a fall of >= 25%, worsening is a change the other way of >= 20%)`,
    );
  });

  it('better than the previous assessment but worse than the baseline: worsening [seed.monitoring.3]', () => {
    const result = assessResponseCourse(
      course(point(36, panel(15000, 60, 1.0)), {
        previous: point(24, panel(20000, 60, 1.0)),
      }),
    );
    expect(result.vsPrevious?.changes[0]?.trend).toBe('improving');
    expect(result.verdict).toBe('worsening');
    expect(result.reasons[0]).toMatch(/: ferritin since the baseline \(/);
  });

  it('names the interval and the comparison points, in fields and in the reasons [seed.monitoring.3]', () => {
    const result = assessResponseCourse(
      course(point(48, panel(9000, 60, 1.0)), {
        history: [point(12, panel(9500, 60, 1.0))],
        previous: point(36, panel(9200, 60, 1.0)),
      }),
    );
    expect(result.points).toEqual({
      therapyStartedAt: START,
      baselineAt: at(-2),
      historyAt: [at(12)],
      previousAt: at(36),
      currentAt: at(48),
    });
    expect(result.interval).toEqual({
      hoursSinceTherapyStart: 48,
      hoursSinceBaseline: 50,
      hoursSincePrevious: 12,
      baselineHoursFromTherapyStart: -2,
      judgeableAfterHours: 48,
    });
    expect(result.vsBaseline).toMatchObject({
      against: 'baseline',
      fromAt: at(-2),
      toAt: at(48),
      hours: 50,
    });
    expect(result.vsPrevious).toMatchObject({
      against: 'previous',
      fromAt: at(36),
      toAt: at(48),
      hours: 12,
    });
    expect(result.reasons[1]).toBe(
      `assessed at ${at(48)}, 48 h after methylprednisolone started (${START}); compared with the baseline of ${at(-2)} (50 h earlier) and the previous assessment of ${at(36)} (12 h earlier)`,
    );
    expect(result.reasons).toContain(
      `since the baseline (${at(-2)}), over 50 h: ferritin 10000 -> 9000 ng/mL (-10%): stable (improving needs a fall of >= 25%, worsening is a change the other way of >= 20%)`,
    );
    expect(result.reasons).toContain(
      `since the previous assessment (${at(36)}), over 12 h: platelets 60 -> 60 10*9/L (0%): stable (improving needs a rise of >= 20%, worsening is a change the other way of >= 20%)`,
    );
    expect(result.baselineIsPreTreatment).toBe(true);
    expect(result.evidence).toContain('seed.monitoring.3');
    expect(result.profile).toEqual(profileStamp(profile));
  });

  it('with the baseline only: no previous comparison, and the reasons say so [seed.monitoring.3]', () => {
    const result = assessResponseCourse(course(point(48, panel(9000, 60, 1))));
    expect(result.vsPrevious).toBeUndefined();
    expect(result.points.previousAt).toBeUndefined();
    expect(result.interval.hoursSincePrevious).toBeUndefined();
    expect(result.trajectories).toEqual([]);
    expect(result.reasons[1]).toBe(
      `assessed at ${at(48)}, 48 h after methylprednisolone started (${START}); compared with the baseline of ${at(-2)} (50 h earlier); no assessment in between`,
    );
  });
});

describe('response over the course: when it may be judged (profile delays.responseJudgeableAfterHours) [review.section-10]', () => {
  it('2 h after the first dose, ferritin not yet falling: too early, not inadequate', () => {
    const result = assessResponseCourse(course(point(2, panel(9500, 60, 1))));
    expect(result.verdict).toBe('too-early');
    expect(result.panelVerdict).toBe('inadequate');
    expect(result.reasons[0]).toBe(
      'too early to judge: 2 h after methylprednisolone started; the institution judges response from 48 h',
    );
    expect(result.reasons[2]).toBe(
      'so far ferritin is not falling by the institution-set margin (ferritin -5% since the baseline over 4 h)',
    );
  });

  it('one minute before the delay is still too early; at the delay the same picture is inadequate', () => {
    const early = assessResponseCourse(
      course(point(48 - 1 / 60, panel(9500, 60, 1))),
    );
    expect(early.verdict).toBe('too-early');
    expect(early.reasons[0]).toBe(
      'too early to judge: 47 h 59 min after methylprednisolone started; the institution judges response from 48 h',
    );
    const due = assessResponseCourse(course(point(48, panel(9500, 60, 1))));
    expect(due.verdict).toBe('inadequate');
    expect(due.reasons[0]).toBe(
      'inadequate, 48 h after methylprednisolone started (the institution judges response from 48 h): ferritin is not falling by the institution-set margin (ferritin -5% since the baseline over 50 h)',
    );
  });

  it('worsening is reported however early', () => {
    const result = assessResponseCourse(
      course(point(2, panel(10000, 45, 1)), {
        baseline: point(-2, panel(10000, 60, 1)),
      }),
    );
    expect(result.verdict).toBe('worsening');
  });

  it('a response before the delay is reported as responding, with a note to keep reassessing', () => {
    const result = assessResponseCourse(course(point(12, panel(7000, 60, 1))));
    expect(result.verdict).toBe('responding');
    expect(result.reasons[0]).toMatch(
      /; early \(the institution judges response from 48 h\): keep reassessing$/,
    );
  });

  it('without the parameter (no default): a picture that is not a response asks for clinician judgement, stating the interval', () => {
    const result = assessResponseCourse(
      course(point(60, panel(9500, 60, 1)), { profile: profileWithoutDelay }),
    );
    expect(result.verdict).toBe('clinician-judgement');
    expect(result.clinicianJudgementCause).toBe('judgeable-delay-not-set');
    expect(result.panelVerdict).toBe('inadequate');
    expect(result.interval.judgeableAfterHours).toBeUndefined();
    expect(result.reasons[0]).toBe(
      'clinician judgement needed, 60 h after methylprednisolone started: ferritin is not falling by the institution-set margin (ferritin -5% since the baseline over 62 h), and the institution profile sets no time from which response is judged (delays.responseJudgeableAfterHours, no default): judge whether the response is inadequate',
    );
  });

  it('without the parameter, responding and worsening are still reported as such', () => {
    expect(
      assessResponseCourse(
        course(point(2, panel(7000, 60, 1)), { profile: profileWithoutDelay }),
      ).verdict,
    ).toBe('responding');
    expect(
      assessResponseCourse(
        course(point(2, panel(13000, 60, 1)), { profile: profileWithoutDelay }),
      ).verdict,
    ).toBe('worsening');
  });

  it('without a therapy name the reasons say "the therapy"', () => {
    const { therapy: _t, ...unnamed } = course(point(2, panel(9500, 60, 1)));
    const result = assessResponseCourse(unnamed);
    expect(result.therapy).toBeUndefined();
    expect(result.reasons[0]).toBe(
      'too early to judge: 2 h after the therapy started; the institution judges response from 48 h',
    );
  });
});

describe('response over the course: incomplete panels never throw, never claim a response', () => {
  it('current panel without platelets (no blood count at all): ferritin falling is not called a response', () => {
    const result = assessResponseCourse(
      course(point(60, { ferritin: quantity(5000, 'ng/mL') })),
    );
    expect(result.verdict).toBe('clinician-judgement');
    expect(result.clinicianJudgementCause).toBe('panels-incomplete');
    expect(result.panelVerdict).toBe('undetermined');
    expect(result.vsBaseline.groupsNotAssessed).toEqual([
      'cytopenias',
      'coagulopathy',
    ]);
    expect(result.vsBaseline.uncompared).toEqual([
      { analyte: 'platelets', group: 'cytopenias', missingFrom: 'after' },
      { analyte: 'fibrinogen', group: 'coagulopathy', missingFrom: 'after' },
    ]);
    expect(result.reasons[0]).toBe(
      'clinician judgement needed, 60 h after methylprednisolone started: the rule cannot call this a response: blood counts, coagulation not measured in both the baseline and the current panel (ferritin -50% since the baseline over 62 h); complete the panel or judge clinically',
    );
    expect(result.reasons).toContain(
      `since the baseline (${at(-2)}), over 62 h: platelets not compared (not in the current panel)`,
    );
    expect(result.reasons).toContain(
      `not assessed since the baseline (${at(-2)}): blood counts, coagulation`,
    );
  });

  it('platelets missing but neutrophils in both panels: the blood counts are assessed, platelets listed as not compared', () => {
    const result = assessResponseCourse(
      course(
        point(60, {
          ferritin: quantity(5000, 'ng/mL'),
          neutrophils: quantity(1.5, '10*9/L'),
          fibrinogen: quantity(1.5, 'g/L'),
        }),
        {
          baseline: point(-2, {
            ...panel(10000, 60, 1.0),
            neutrophils: quantity(1.0, '10*9/L'),
          }),
        },
      ),
    );
    expect(result.verdict).toBe('responding');
    expect(result.vsBaseline.changes.map((c) => c.analyte)).toEqual([
      'ferritin',
      'neutrophils',
      'fibrinogen',
    ]);
    expect(result.vsBaseline.uncompared).toEqual([
      { analyte: 'platelets', group: 'cytopenias', missingFrom: 'after' },
    ]);
  });

  it('ferritin missing from the current panel: too early before the delay, clinician judgement after it', () => {
    const noFerritin = { platelets: quantity(60, '10*9/L') } as const;
    const early = assessResponseCourse(
      course(point(2, { ...noFerritin, fibrinogen: quantity(1, 'g/L') })),
    );
    expect(early.verdict).toBe('too-early');
    expect(early.panelVerdict).toBe('undetermined');
    expect(early.reasons[2]).toBe(
      'so far the rule cannot judge the response: ferritin not measured in both the baseline and the current panel',
    );
    const late = assessResponseCourse(
      course(point(60, { ...noFerritin, fibrinogen: quantity(1, 'g/L') })),
    );
    expect(late.verdict).toBe('clinician-judgement');
    expect(late.clinicianJudgementCause).toBe('panels-incomplete');
  });

  it('ferritin present and not falling, platelets missing: inadequate (a missing count cannot make it a response)', () => {
    const result = assessResponseCourse(
      course(
        point(60, {
          ferritin: quantity(9500, 'ng/mL'),
          fibrinogen: quantity(1, 'g/L'),
        }),
      ),
    );
    expect(result.verdict).toBe('inadequate');
  });

  it('a parameter that worsened is reported even when ferritin is missing', () => {
    const result = assessResponseCourse(
      course(
        point(2, {
          platelets: quantity(60, '10*9/L'),
          fibrinogen: quantity(0.5, 'g/L'),
        }),
      ),
    );
    expect(result.verdict).toBe('worsening');
    expect(result.reasons[0]).toMatch(/: fibrinogen since the baseline/);
  });

  it('a previous panel sharing no parameter with the current one: compared with the baseline only, and said so', () => {
    const result = assessResponseCourse(
      course(point(48, panel(7000, 60, 1)), {
        previous: point(36, { ldh: quantity(900, 'U/L') }),
      }),
    );
    expect(result.verdict).toBe('responding');
    expect(result.vsPrevious?.changes).toEqual([]);
    expect(result.vsPrevious?.uncompared[0]).toEqual({
      analyte: 'ferritin',
      group: 'inflammation',
      missingFrom: 'before',
    });
    expect(result.reasons).toContain(
      `since the previous assessment (${at(36)}), over 12 h: ferritin not compared (not in the previous panel)`,
    );
    expect(result.reasons).toContain(
      `not assessed since the previous assessment (${at(36)}): ferritin, blood counts, coagulation`,
    );
  });
});

describe('response over the course: tocilizumab masking [review.section-10, lit.shimizu-2020]', () => {
  const masking =
    'on tocilizumab: fever and CRP are masked and are not part of this rule';

  it('judging tocilizumab itself: fever and CRP leave the rule, the masking is stated', () => {
    const result = assessResponseCourse(
      course(
        point(48, {
          ...panel(10000, 60, 1),
          febrile: true,
          crp: quantity(200, 'mg/L'),
        }),
        { therapy: 'tocilizumab' },
      ),
    );
    expect(result.tocilizumabMasking).toBe(true);
    expect(result.verdict).toBe('inadequate');
    expect(result.vsBaseline.changes.map((c) => c.analyte)).not.toContain(
      'crp',
    );
    expect(result.reasons.at(-1)).toBe(masking);
  });

  it('background tocilizumab recorded on a panel of the history: masking stated', () => {
    const result = assessResponseCourse(
      course(point(48, panel(7000, 60, 1)), {
        history: [point(24, { ...panel(8000, 60, 1), onTocilizumab: true })],
      }),
    );
    expect(result.tocilizumabMasking).toBe(true);
    expect(result.reasons).toContain(masking);
  });

  it('no tocilizumab: no masking reason', () => {
    const result = assessResponseCourse(course(point(48, panel(7000, 60, 1))));
    expect(result.tocilizumabMasking).toBe(false);
    expect(result.reasons).not.toContain(masking);
  });
});

describe('response over the course: input checks name the field', () => {
  it('an instant that is not ISO 8601 with a time zone', () => {
    const error = clinicalErrorOf(() =>
      assessResponseCourse(
        course({ at: '2024-05-03T08:00:00', panel: panel(1, 1, 1) }),
      ),
    );
    expect(error.field).toBe('current.at');
    expect(error.rule).toMatch(
      /^must be an ISO 8601 date-time with a time zone/,
    );
    expect(
      clinicalErrorOf(() =>
        assessResponseCourse({
          ...course(point(48, panel(1, 1, 1))),
          therapyStartedAt: 'yesterday',
        }),
      ).field,
    ).toBe('therapyStartedAt');
  });

  it('points out of order: the later field is named', () => {
    const error = clinicalErrorOf(() =>
      assessResponseCourse(
        course(point(48, panel(1, 1, 1)), {
          history: [point(24, panel(1, 1, 1)), point(12, panel(1, 1, 1))],
        }),
      ),
    );
    expect(error.field).toBe('history[1].at');
    expect(error.rule).toBe(
      `must be later than history[0].at (${at(24)}); got ${at(12)}`,
    );
    expect(
      clinicalErrorOf(() =>
        assessResponseCourse(
          course(point(48, panel(1, 1, 1)), {
            previous: point(48, panel(1, 1, 1)),
          }),
        ),
      ).field,
    ).toBe('current.at');
  });

  it('a current panel before the therapy started', () => {
    const error = clinicalErrorOf(() =>
      assessResponseCourse(
        course(point(-1, panel(1, 1, 1)), {
          baseline: point(-2, panel(1, 1, 1)),
        }),
      ),
    );
    expect(error.field).toBe('current.at');
    expect(error.rule).toMatch(/^is before the therapy started/);
  });

  it('an invalid panel is named by its place in the course', () => {
    const error = clinicalErrorOf(() =>
      assessResponseCourse(
        course(point(48, panel(1, 1, 1)), {
          history: [point(12, { ferritin: quantity(-1, 'ng/mL') })],
        }),
      ),
    );
    expect(error.field).toBe('history[0].panel.ferritin.value');
  });

  it('a baseline drawn at the first dose is pre-treatment', () => {
    const result = assessResponseCourse(
      course(point(48, panel(7000, 60, 1)), {
        baseline: point(0, panel(10000, 60, 1)),
      }),
    );
    expect(result.baselineIsPreTreatment).toBe(true);
    expect(result.reasons.join('\n')).not.toMatch(/pre-treatment/);
  });

  it('a baseline drawn after the therapy started is used, with a note', () => {
    const result = assessResponseCourse(
      course(point(48, panel(7000, 60, 1)), {
        baseline: point(6, panel(10000, 60, 1)),
      }),
    );
    expect(result.baselineIsPreTreatment).toBe(false);
    expect(result.interval.baselineHoursFromTherapyStart).toBe(6);
    expect(result.reasons).toContain(
      'the baseline was drawn 6 h after methylprednisolone started: not a pre-treatment baseline, so the change since it understates the course',
    );
  });
});

describe('what a course result holds, and only that (mutation survivors)', () => {
  it('what was not given is absent, not undefined: no therapy, no previous, no delay, no clinician cause', () => {
    const { therapy: _therapy, ...withoutTherapy } = course(
      point(48, panel(5000, 90, 1.5)),
      { profile: profileWithoutDelay },
    );
    const result = assessResponseCourse(withoutTherapy);
    expect(Object.keys(result)).not.toContain('therapy');
    expect(Object.keys(result)).not.toContain('vsPrevious');
    expect(Object.keys(result)).not.toContain('clinicianJudgementCause');
    expect(Object.keys(result.interval)).not.toContain('hoursSincePrevious');
    expect(Object.keys(result.interval)).not.toContain('judgeableAfterHours');
    expect(Object.keys(result.points)).not.toContain('previousAt');
    // Named as "the therapy" where none was named.
    expect(result.reasons.join(' ')).toContain('the therapy');
    // Every group assessed: no "not assessed" line.
    expect(result.reasons.join(' ')).not.toContain('not assessed since');
  });

  it('what was given is kept: the therapy named, the previous panel and the delay', () => {
    const result = assessResponseCourse(
      course(point(48, panel(5000, 90, 1.5)), {
        previous: point(24, panel(8000, 70, 1.2)),
      }),
    );
    expect(result.therapy).toBe('methylprednisolone');
    expect(result.interval).toMatchObject({
      hoursSincePrevious: 24,
      judgeableAfterHours: 48,
    });
    expect(result.points.previousAt).toBe(at(24));
    expect(result.vsPrevious?.against).toBe('previous');
  });

  it('a panel time without its time zone is refused, naming it (it would read as the machine clock)', () => {
    const error = clinicalErrorOf(() =>
      assessResponseCourse(
        course({
          at: at(48).replace('Z', ''),
          panel: panel(5000, 90, 1.5),
        }),
      ),
    );
    expect(error.field).toMatch(/^current/);
  });
});
