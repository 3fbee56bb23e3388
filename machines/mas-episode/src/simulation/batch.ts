import type { InstitutionProfile } from '@mas/protocol';
import { type Scenario, simulationModel } from '@mas/simulation';

import { type CourseResult, simulateCourse } from './course.js';
import { courseSeed } from './course-seed.js';
import { debrief } from './debrief.js';
import type { Policy } from './policies.js';

/** One course, as the batch keeps it (no snapshot, no event list). */
export interface CourseRow {
  readonly scenarioId: string;
  readonly policyId: string;
  readonly seed: number;
  readonly outcome: CourseResult['outcome'];
  readonly hoursToFirstGlucocorticoid: number | null;
  readonly hoursToFirstTargetedTherapy: number | null;
  readonly hoursToResponse: number | null;
  readonly hoursToRemission: number | null;
  readonly escalations: number;
  readonly alertsRaised: number;
  readonly toxicities: number;
  readonly refused: number;
  readonly score: number;
  readonly maxScore: number;
}

export interface ScenarioSummary {
  readonly scenarioId: string;
  readonly policyId: string;
  readonly runs: number;
  readonly died: number;
  readonly remission: number;
  readonly active: number;
  readonly medianHoursToFirstGlucocorticoid: number | null;
  readonly medianHoursToFirstTargetedTherapy: number | null;
  readonly medianHoursToResponse: number | null;
  readonly medianHoursToRemission: number | null;
  readonly meanEscalations: number;
  readonly meanAlertsRaised: number;
  readonly meanToxicities: number;
  /** Mean debrief score, in percent of the points that applied. */
  readonly meanScorePercent: number;
}

export interface BatchResult {
  readonly notice: string;
  readonly model: { readonly id: string; readonly version: string };
  readonly seed: number;
  readonly courses: readonly CourseRow[];
  readonly summary: readonly ScenarioSummary[];
}

// The seed of each course of a batch (with the calibration, which runs the
// same batches): exported from here as before.
export { courseSeed } from './course-seed.js';
// The death hazard's calibration, a fit over batches (`npm run calibrate`).
export * from './calibrate.js';

export function courseRow(result: CourseResult): CourseRow {
  const scored = debrief(
    result.finalSnapshot.context,
    undefined,
    result.findings,
  );
  return {
    scenarioId: result.scenarioId,
    policyId: result.policyId,
    seed: result.seed,
    outcome: result.outcome,
    hoursToFirstGlucocorticoid: result.hoursToFirstGlucocorticoid,
    hoursToFirstTargetedTherapy: result.hoursToFirstTargetedTherapy,
    hoursToResponse: result.hoursToResponse,
    hoursToRemission: result.hoursToRemission,
    escalations: result.escalations,
    alertsRaised: result.alertsRaised.length,
    toxicities: result.toxicities.length,
    refused: result.refused.length,
    score: scored.score,
    maxScore: scored.max,
  };
}

function median(values: readonly (number | null)[]): number | null {
  const present = values
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  if (present.length === 0) return null;
  const middle = Math.floor(present.length / 2);
  return present.length % 2 === 1
    ? (present[middle] ?? null)
    : ((present[middle - 1] ?? 0) + (present[middle] ?? 0)) / 2;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

export function summarise(rows: readonly CourseRow[]): ScenarioSummary[] {
  const groups = new Map<string, CourseRow[]>();
  for (const row of rows) {
    const key = `${row.scenarioId}\u0000${row.policyId}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    return {
      scenarioId: first?.scenarioId ?? '',
      policyId: first?.policyId ?? '',
      runs: group.length,
      died: group.filter((r) => r.outcome === 'died').length,
      remission: group.filter((r) => r.outcome === 'remission').length,
      active: group.filter((r) => r.outcome === 'active').length,
      medianHoursToFirstGlucocorticoid: median(
        group.map((r) => r.hoursToFirstGlucocorticoid),
      ),
      medianHoursToFirstTargetedTherapy: median(
        group.map((r) => r.hoursToFirstTargetedTherapy),
      ),
      medianHoursToResponse: median(group.map((r) => r.hoursToResponse)),
      medianHoursToRemission: median(group.map((r) => r.hoursToRemission)),
      meanEscalations: mean(group.map((r) => r.escalations)),
      meanAlertsRaised: mean(group.map((r) => r.alertsRaised)),
      meanToxicities: mean(group.map((r) => r.toxicities)),
      meanScorePercent: mean(
        group.map((r) =>
          r.maxScore === 0 ? 100 : (100 * r.score) / r.maxScore,
        ),
      ),
    };
  });
}

/** A batch: N courses per scenario under one policy, from one seed. */
export interface BatchPlan {
  readonly scenarios: readonly Scenario[];
  readonly policy: Policy;
  readonly runs: number;
  readonly seed: number;
  readonly profile: InstitutionProfile;
}

/** How many courses the batch has. */
export function batchSize(plan: BatchPlan): number {
  return plan.scenarios.length * plan.runs;
}

/**
 * The batch's course number `index` (scenario by scenario, then run by
 * run): each course depends on its index only, so any split of the indices
 * (worker threads) gives the same rows as one loop.
 */
export function courseRowAt(plan: BatchPlan, index: number): CourseRow {
  const scenario = plan.scenarios[Math.floor(index / plan.runs)];
  if (!Number.isInteger(index) || index < 0 || scenario === undefined) {
    throw new RangeError(
      `course ${String(index)} is not in a batch of ${String(batchSize(plan))}`,
    );
  }
  return courseRow(
    simulateCourse({
      scenario,
      policy: plan.policy,
      seed: courseSeed(plan.seed, index % plan.runs),
      profile: plan.profile,
    }),
  );
}

/** The batch's result from its rows, in course order. */
export function batchResultOf(
  plan: Pick<BatchPlan, 'seed'>,
  courses: readonly CourseRow[],
): BatchResult {
  return {
    notice: simulationModel.notice,
    model: { id: simulationModel.id, version: simulationModel.version },
    seed: plan.seed,
    courses,
    summary: summarise(courses),
  };
}

/** N courses per scenario under one policy; `onCourse` reports progress. */
export function runBatch(
  options: BatchPlan & {
    readonly onCourse?: (done: number, total: number) => void;
  },
): BatchResult {
  const total = batchSize(options);
  const courses: CourseRow[] = [];
  for (let index = 0; index < total; index += 1) {
    courses.push(courseRowAt(options, index));
    options.onCourse?.(courses.length, total);
  }
  return batchResultOf(options, courses);
}

/** The courses as CSV (one row per course). */
export function coursesCsv(rows: readonly CourseRow[]): string {
  const columns: (keyof CourseRow)[] = [
    'scenarioId',
    'policyId',
    'seed',
    'outcome',
    'hoursToFirstGlucocorticoid',
    'hoursToFirstTargetedTherapy',
    'hoursToResponse',
    'hoursToRemission',
    'escalations',
    'alertsRaised',
    'toxicities',
    'refused',
    'score',
    'maxScore',
  ];
  return [
    columns.join(','),
    ...rows.map((row) => columns.map((c) => String(row[c] ?? '')).join(',')),
  ].join('\n');
}
