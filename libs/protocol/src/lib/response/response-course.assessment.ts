import type { DrugId } from '../doses/dose-request.schema.js';
import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import { type LabPanel, optionalQuantity } from '../panel/lab-panel.util.js';
import {
  type InstitutionProfile,
  type ProfileStamp,
  profileStamp,
} from '../profile/institution-profile.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { AnalyteId } from '../protocol/protocol.types.js';
import { instantSchema } from '../units/instant.util.js';
import { stripFloatNoise } from '../units/quantity.util.js';
import { MINUTES_PER_HOUR, MS_PER_HOUR } from '../units/time.constant.js';
import type { ResponseVerdict } from './response.assessment.js';
import {
  compareResponsePanels,
  isInflammationImproving,
  panelAt,
  type ParameterChange,
  responseGroup,
  type ResponseGroupId,
  responseGroups,
  tocilizumabMaskingReason,
  type UncomparedParameter,
} from './response-change.util.js';
import { TRAJECTORY_MIN_POINTS } from './response-course.constant.js';

/**
 * The verdict over a course of reassessments. `ResponseVerdict` plus the two
 * answers the timing gives: `too-early` (before the institution's judgeable
 * delay) and `clinician-judgement` (the rule cannot decide; a clinician must).
 */
export type CourseResponseVerdict =
  ResponseVerdict | 'too-early' | 'clinician-judgement';

/** What the panels alone say, before the timing is applied. */
export type CoursePanelVerdict = ResponseVerdict | 'undetermined';

/** Why a `clinician-judgement` verdict was given. */
export type ClinicianJudgementCause =
  'judgeable-delay-not-set' | 'panels-incomplete';

/** A panel and the instant it was drawn (ISO 8601 with a time zone). */
export interface TimedPanel {
  readonly at: string;
  readonly panel: LabPanelInput | LabPanel;
}

export interface ResponseCourseInput {
  /** The pre-treatment panel the cumulative change is measured from. */
  readonly baseline: TimedPanel;
  /**
   * Reassessments between the baseline and `previous` (or `current` when
   * `previous` is absent), oldest first. They feed the trajectories.
   */
  readonly history?: readonly TimedPanel[];
  /** The last assessment before `current`; defaults to the last of `history`. */
  readonly previous?: TimedPanel;
  readonly current: TimedPanel;
  /** When the therapy being judged started (its first dose). */
  readonly therapyStartedAt: string;
  /** The therapy being judged, named in the reasons. */
  readonly therapy?: DrugId;
  readonly profile: InstitutionProfile;
}

/** One of the two comparisons the verdict rests on. */
export interface CourseComparison {
  readonly against: 'baseline' | 'previous';
  /** When the earlier panel was drawn. */
  readonly fromAt: string;
  /** When the current panel was drawn. */
  readonly toAt: string;
  readonly hours: number;
  readonly changes: readonly ParameterChange[];
  /** Groups of the rule no parameter of which is in both panels. */
  readonly groupsNotAssessed: readonly ResponseGroupId[];
  /** Parameters of the rule measured in one of the two panels only. */
  readonly uncompared: readonly UncomparedParameter[];
}

/** One parameter over every panel of the course, in its canonical unit. */
export interface AnalyteTrajectory {
  readonly analyte: AnalyteId;
  readonly unit: string;
  readonly values: readonly {
    readonly at: string;
    readonly hoursSinceTherapyStart: number;
    readonly value: number;
  }[];
}

export interface CourseResponse {
  readonly verdict: CourseResponseVerdict;
  readonly panelVerdict: CoursePanelVerdict;
  /** Present when the verdict is `clinician-judgement`. */
  readonly clinicianJudgementCause?: ClinicianJudgementCause;
  /** First the verdict in words, then the interval and comparison points. */
  readonly reasons: readonly string[];
  readonly therapy?: DrugId;
  /** The instants the verdict used. */
  readonly points: {
    readonly therapyStartedAt: string;
    readonly baselineAt: string;
    readonly historyAt: readonly string[];
    readonly previousAt?: string;
    readonly currentAt: string;
  };
  readonly interval: {
    readonly hoursSinceTherapyStart: number;
    readonly hoursSinceBaseline: number;
    readonly hoursSincePrevious?: number;
    /** Negative when the baseline was drawn before the therapy started. */
    readonly baselineHoursFromTherapyStart: number;
    /** `profile.delays.responseJudgeableAfterHours`, when set. */
    readonly judgeableAfterHours?: number;
  };
  readonly baselineIsPreTreatment: boolean;
  readonly vsBaseline: CourseComparison;
  readonly vsPrevious?: CourseComparison;
  /** Parameters of the rule measured in at least three panels of the course. */
  readonly trajectories: readonly AnalyteTrajectory[];
  readonly tocilizumabMasking: boolean;
  readonly evidence: readonly string[];
  readonly profile: ProfileStamp;
}

type Timing =
  | { readonly kind: 'delay-not-set' }
  | { readonly kind: 'too-early' | 'judgeable'; readonly text: string };

interface ParsedPoint {
  readonly at: string;
  readonly ms: number;
  readonly panel: LabPanel;
}

const rule = masProtocolDefinition.response;
const inflammationLabel = rule.groups.inflammation.label;

function instant(value: string, field: string): number {
  if (!instantSchema.safeParse(value).success) {
    throw new ClinicalInputError(
      field,
      `must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T08:00:00Z (got "${value}")`,
    );
  }
  return Date.parse(value);
}

function parsePoint(point: TimedPanel, where: string): ParsedPoint {
  return {
    at: point.at,
    ms: instant(point.at, `${where}.at`),
    panel: panelAt(point.panel, `${where}.panel`),
  };
}

function hoursBetween(fromMs: number, toMs: number): number {
  return stripFloatNoise((toMs - fromMs) / MS_PER_HOUR);
}

/** `2 h`, `47 h 59 min` (whole minutes, rounded down: never past a limit). */
function formatHours(hours: number): string {
  const minutes = Math.floor(
    stripFloatNoise(Math.abs(hours) * MINUTES_PER_HOUR),
  );
  const whole = Math.floor(minutes / MINUTES_PER_HOUR);
  const rest = minutes % MINUTES_PER_HOUR;
  return rest === 0 ? `${whole} h` : `${whole} h ${rest} min`;
}

function signed(percent: number): string {
  return `${percent > 0 ? '+' : ''}${percent}%`;
}

function compare(
  against: 'baseline' | 'previous',
  earlier: ParsedPoint,
  current: ParsedPoint,
  profile: InstitutionProfile,
): CourseComparison {
  const { changes, unassessedGroups, uncompared } = compareResponsePanels(
    earlier.panel,
    current.panel,
    profile,
  );
  return {
    against,
    fromAt: earlier.at,
    toAt: current.at,
    hours: hoursBetween(earlier.ms, current.ms),
    changes,
    groupsNotAssessed: unassessedGroups,
    uncompared,
  };
}

function comparisonName(comparison: CourseComparison): string {
  return comparison.against === 'baseline'
    ? `the baseline (${comparison.fromAt})`
    : `the previous assessment (${comparison.fromAt})`;
}

function changeLines(comparison: CourseComparison): string[] {
  const since = `since ${comparisonName(comparison)}, over ${formatHours(comparison.hours)}`;
  const lines = comparison.changes.map((c) => `${since}: ${c.reason}`);
  for (const u of comparison.uncompared) {
    const panel =
      u.missingFrom === 'after'
        ? 'the current panel'
        : comparison.against === 'baseline'
          ? 'the baseline panel'
          : 'the previous panel';
    lines.push(`${since}: ${u.analyte} not compared (not in ${panel})`);
  }
  return lines;
}

function trajectoriesOf(
  points: readonly ParsedPoint[],
  therapyMs: number,
): AnalyteTrajectory[] {
  const trajectories: AnalyteTrajectory[] = [];
  for (const [, spec] of responseGroups()) {
    for (const { analyte } of spec.parameters) {
      const unit = masProtocolDefinition.analytes[analyte].canonicalUnit;
      const values = points.flatMap((p) => {
        const value = optionalQuantity(p.panel, analyte, unit);
        return value === undefined
          ? []
          : [
              {
                at: p.at,
                hoursSinceTherapyStart: hoursBetween(therapyMs, p.ms),
                value,
              },
            ];
      });
      if (values.length >= TRAJECTORY_MIN_POINTS) {
        trajectories.push({ analyte, unit, values });
      }
    }
  }
  return trajectories;
}

function trajectoryLine(
  trajectory: AnalyteTrajectory,
  therapyName: string,
): string {
  const steps = trajectory.values
    .map(
      (v) =>
        `${v.hoursSinceTherapyStart < 0 ? '-' : ''}${formatHours(v.hoursSinceTherapyStart)} ${v.value}`,
    )
    .join('; ');
  return `${trajectory.analyte} over the course (${trajectory.unit}, hours after ${therapyName} started): ${steps}`;
}

function checkChronology(
  baseline: ParsedPoint,
  between: readonly { point: ParsedPoint; where: string }[],
  current: ParsedPoint,
): void {
  let earlier = { point: baseline, where: 'baseline' };
  for (const next of [...between, { point: current, where: 'current' }]) {
    if (next.point.ms <= earlier.point.ms) {
      throw new ClinicalInputError(
        `${next.where}.at`,
        `must be later than ${earlier.where}.at (${earlier.point.at}); got ${next.point.at}`,
      );
    }
    earlier = next;
  }
}

/**
 * Response to a therapy over the course of reassessments. The seed reads
 * response as ferritin falling, cytopenias improving and coagulopathy
 * resolving; directions come from the protocol, margins from the institution
 * profile. The current panel is compared with the pre-treatment baseline
 * (the cumulative change: a steady fall of ferritin made of steps each below
 * the margin still shows) and with the previous assessment (a fresh turn for
 * the worse). The two combine as follows (first match wins):
 *
 * 1. `worsening`: a parameter has changed the wrong way by at least its
 *    worsening margin since the baseline or since the previous assessment.
 *    Always reported, however early.
 * 2. `responding`: ferritin has fallen by at least its margin since the
 *    baseline, and every required group was compared with the baseline.
 * 3. `undetermined` (panel verdict) when a required group could not be
 *    compared with the baseline; `inadequate` otherwise.
 *
 * The timing then applies to a panel verdict of `inadequate` or
 * `undetermined`: before `profile.delays.responseJudgeableAfterHours` after
 * the therapy started it is `too-early`; without that parameter (no default),
 * or with panels too incomplete to judge, it is `clinician-judgement`. Fever
 * and CRP are not part of the rule (tocilizumab masks them).
 */
export function assessResponseCourse(
  input: ResponseCourseInput,
): CourseResponse {
  const { profile, therapy } = input;
  const therapyMs = instant(input.therapyStartedAt, 'therapyStartedAt');
  const baseline = parsePoint(input.baseline, 'baseline');
  const history = (input.history ?? []).map((p, i) => ({
    point: parsePoint(p, `history[${i}]`),
    where: `history[${i}]`,
  }));
  const explicitPrevious =
    input.previous === undefined
      ? undefined
      : { point: parsePoint(input.previous, 'previous'), where: 'previous' };
  const current = parsePoint(input.current, 'current');
  const between = explicitPrevious ? [...history, explicitPrevious] : history;
  checkChronology(baseline, between, current);
  if (current.ms < therapyMs) {
    throw new ClinicalInputError(
      'current.at',
      `is before the therapy started (therapyStartedAt ${input.therapyStartedAt}): there is no response to judge`,
    );
  }
  const previous = between.at(-1)?.point;

  const vsBaseline = compare('baseline', baseline, current, profile);
  const vsPrevious = previous
    ? compare('previous', previous, current, profile)
    : undefined;
  const comparisons = vsPrevious ? [vsBaseline, vsPrevious] : [vsBaseline];

  const hoursSinceTherapyStart = hoursBetween(therapyMs, current.ms);
  const baselineHoursFromTherapyStart = hoursBetween(therapyMs, baseline.ms);
  const judgeableAfterHours = profile.data.delays.responseJudgeableAfterHours;
  const therapyName = therapy ?? 'the therapy';
  const since = `${formatHours(hoursSinceTherapyStart)} after ${therapyName} started`;

  // The panels' verdict.
  const worsening = comparisons.flatMap((comparison) =>
    comparison.changes
      .filter((c) => c.trend === 'worsening')
      .map((c) => ({ comparison, change: c })),
  );
  const ferritinSinceBaseline = vsBaseline.changes.find(
    (c) => c.group === 'inflammation',
  );
  const requiredNotAssessed = vsBaseline.groupsNotAssessed.filter(
    (group) => responseGroup(group).required,
  );
  const ferritinImproving = isInflammationImproving(vsBaseline.changes);
  let panelVerdict: CoursePanelVerdict;
  if (worsening.length > 0) panelVerdict = 'worsening';
  else if (ferritinImproving) {
    panelVerdict =
      requiredNotAssessed.length === 0 ? 'responding' : 'undetermined';
  } else {
    panelVerdict =
      ferritinSinceBaseline === undefined ? 'undetermined' : 'inadequate';
  }

  // The timing.
  const timing: Timing =
    judgeableAfterHours === undefined
      ? { kind: 'delay-not-set' }
      : {
          kind:
            hoursSinceTherapyStart < judgeableAfterHours
              ? 'too-early'
              : 'judgeable',
          text: `the institution judges response from ${formatHours(judgeableAfterHours)}`,
        };
  const ferritinNote = ferritinSinceBaseline
    ? ` (${inflammationLabel} ${signed(ferritinSinceBaseline.changePercent)} since the baseline over ${formatHours(vsBaseline.hours)})`
    : '';

  let verdict: CourseResponseVerdict;
  let cause: ClinicianJudgementCause | undefined;
  let headline: string;
  const details: string[] = [];
  switch (panelVerdict) {
    case 'worsening': {
      verdict = 'worsening';
      const worse = worsening.map(
        (w) => `${w.change.analyte} since ${comparisonName(w.comparison)}`,
      );
      headline = `worsening, ${since}: ${worse.join(', ')} changed the wrong way by at least the institution-set worsening margin`;
      details.push(
        ...worsening.map(
          (w) => `since ${comparisonName(w.comparison)}: ${w.change.reason}`,
        ),
      );
      break;
    }
    case 'responding':
      verdict = 'responding';
      headline = `responding, ${since}: ${inflammationLabel} fell by at least the institution-set margin since the baseline${ferritinNote}, and no parameter is worse by its worsening margin than at the baseline${vsPrevious ? ' or the previous assessment' : ''}`;
      if (timing.kind === 'too-early') {
        headline += `; early (${timing.text}): keep reassessing`;
      }
      break;
    case 'inadequate':
    case 'undetermined': {
      const notResponding =
        panelVerdict === 'inadequate'
          ? `${inflammationLabel} is not falling by the institution-set margin${ferritinNote}`
          : `the rule cannot ${ferritinImproving ? 'call this a response' : 'judge the response'}: ${requiredNotAssessed.map((g) => rule.groups[g].label).join(', ')} not measured in both the baseline and the current panel${ferritinNote}`;
      if (timing.kind === 'too-early') {
        verdict = 'too-early';
        headline = `too early to judge: ${since}; ${timing.text}`;
        details.push(`so far ${notResponding}`);
      } else if (panelVerdict === 'undetermined') {
        verdict = 'clinician-judgement';
        cause = 'panels-incomplete';
        headline = `clinician judgement needed, ${since}: ${notResponding}; complete the panel or judge clinically`;
      } else if (timing.kind === 'delay-not-set') {
        verdict = 'clinician-judgement';
        cause = 'judgeable-delay-not-set';
        headline = `clinician judgement needed, ${since}: ${notResponding}, and the institution profile sets no time from which response is judged (delays.responseJudgeableAfterHours, no default): judge whether the response is inadequate`;
      } else {
        verdict = 'inadequate';
        headline = `inadequate, ${since} (${timing.text}): ${notResponding}`;
      }
      break;
    }
  }

  const pointsText = `assessed at ${current.at}, ${since} (${input.therapyStartedAt}); compared with the baseline of ${baseline.at} (${formatHours(vsBaseline.hours)} earlier)${
    vsPrevious
      ? ` and the previous assessment of ${vsPrevious.fromAt} (${formatHours(vsPrevious.hours)} earlier)`
      : '; no assessment in between'
  }`;
  const baselineIsPreTreatment = baseline.ms <= therapyMs;
  const allPoints = [baseline, ...between.map((b) => b.point), current];
  const trajectories = trajectoriesOf(allPoints, therapyMs);
  const tocilizumabMasking =
    therapy === 'tocilizumab' ||
    allPoints.some((p) => p.panel.findings.onTocilizumab);

  const reasons = [
    headline,
    pointsText,
    ...details,
    ...comparisons.flatMap(changeLines),
    ...trajectories.map((t) => trajectoryLine(t, therapyName)),
  ];
  for (const comparison of comparisons) {
    if (comparison.groupsNotAssessed.length > 0) {
      reasons.push(
        `not assessed since ${comparisonName(comparison)}: ${comparison.groupsNotAssessed.map((g) => rule.groups[g].label).join(', ')}`,
      );
    }
  }
  if (!baselineIsPreTreatment) {
    reasons.push(
      `the baseline was drawn ${formatHours(baselineHoursFromTherapyStart)} after ${therapyName} started: not a pre-treatment baseline, so the change since it understates the course`,
    );
  }
  if (tocilizumabMasking) reasons.push(tocilizumabMaskingReason);

  return {
    verdict,
    panelVerdict,
    ...(cause === undefined ? {} : { clinicianJudgementCause: cause }),
    reasons,
    ...(therapy === undefined ? {} : { therapy }),
    points: {
      therapyStartedAt: input.therapyStartedAt,
      baselineAt: baseline.at,
      historyAt: history.map((h) => h.point.at),
      ...(previous === undefined ? {} : { previousAt: previous.at }),
      currentAt: current.at,
    },
    interval: {
      hoursSinceTherapyStart,
      hoursSinceBaseline: vsBaseline.hours,
      ...(vsPrevious === undefined
        ? {}
        : { hoursSincePrevious: vsPrevious.hours }),
      baselineHoursFromTherapyStart,
      ...(judgeableAfterHours === undefined ? {} : { judgeableAfterHours }),
    },
    baselineIsPreTreatment,
    vsBaseline,
    ...(vsPrevious === undefined ? {} : { vsPrevious }),
    trajectories,
    tocilizumabMasking,
    evidence: rule.evidence,
    profile: profileStamp(profile),
  };
}
