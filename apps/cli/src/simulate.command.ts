import { SingleBar } from 'cli-progress';

import {
  type BatchResult,
  coursesCsv,
  policyById,
  runBatch,
} from '@mas/mas-episode/simulation';
import { ClinicalInputError, type InstitutionProfile } from '@mas/protocol';
import { scenarioById, scenarios } from '@mas/simulation';

import { runBatchOnWorkers } from './simulate-workers.js';

export interface SimulateOptions {
  readonly scenario: string;
  readonly runs: number;
  readonly seed: number;
  readonly policy: string;
  /** Worker threads (1: the batch runs in this thread). */
  readonly workers?: number;
}

/** The most worker threads a batch may ask for. */
export const MAX_WORKERS = 64;

const fmt = (value: number | null, digits = 1) =>
  value === null ? '—' : value.toFixed(digits);

/** The batch's summary table, labelled as model output. */
export function formatSummary(result: BatchResult): string {
  const header = [
    'scenario'.padEnd(24),
    'policy'.padEnd(28),
    'runs'.padStart(5),
    'died'.padStart(6),
    'remis.'.padStart(7),
    'active'.padStart(7),
    'h→GC'.padStart(6),
    'h→targ.'.padStart(8),
    'h→resp.'.padStart(8),
    'h→remis.'.padStart(9),
    'escal.'.padStart(7),
    'alerts'.padStart(7),
    'toxic.'.padStart(7),
    'score%'.padStart(7),
  ].join(' ');
  const rows = result.summary.map((s) =>
    [
      s.scenarioId.padEnd(24),
      s.policyId.padEnd(28),
      String(s.runs).padStart(5),
      `${((100 * s.died) / s.runs).toFixed(0)}%`.padStart(6),
      `${((100 * s.remission) / s.runs).toFixed(0)}%`.padStart(7),
      `${((100 * s.active) / s.runs).toFixed(0)}%`.padStart(7),
      fmt(s.medianHoursToFirstGlucocorticoid).padStart(6),
      fmt(s.medianHoursToFirstTargetedTherapy).padStart(8),
      fmt(s.medianHoursToResponse).padStart(8),
      fmt(s.medianHoursToRemission).padStart(9),
      fmt(s.meanEscalations, 2).padStart(7),
      fmt(s.meanAlertsRaised, 2).padStart(7),
      fmt(s.meanToxicities, 2).padStart(7),
      fmt(s.meanScorePercent, 0).padStart(7),
    ].join(' '),
  );
  return [
    `MODEL OUTPUT — ${result.notice}`,
    `model ${result.model.id} ${result.model.version}, seed ${result.seed}; times are medians in hours from the episode opening, escalations/alerts/toxicities/score are means`,
    '',
    header,
    ...rows,
    '',
  ].join('\n');
}

/**
 * Runs the batch. A progress bar goes to stderr only when stderr is a
 * terminal; JSON and CSV are written by the caller.
 */
export function simulate(
  options: SimulateOptions,
  profile: InstitutionProfile,
  showProgress: boolean,
): { result: BatchResult; csv: string } {
  if (!Number.isInteger(options.runs) || options.runs < 1) {
    throw new ClinicalInputError('--runs', 'must be a positive whole number');
  }
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new ClinicalInputError(
      '--workers',
      `must be a whole number from 1 to ${String(MAX_WORKERS)}`,
    );
  }
  if (!Number.isInteger(options.seed)) {
    throw new ClinicalInputError('--seed', 'must be a whole number');
  }
  let policy;
  try {
    policy = policyById(options.policy);
  } catch (error) {
    throw new ClinicalInputError('--policy', (error as Error).message);
  }
  let chosen;
  try {
    chosen =
      options.scenario === 'all' ? scenarios : [scenarioById(options.scenario)];
  } catch (error) {
    throw new ClinicalInputError('--scenario', (error as Error).message);
  }
  const bar = showProgress
    ? new SingleBar({
        format: 'simulating [{bar}] {value}/{total} courses',
        stream: process.stderr,
        clearOnComplete: true,
      })
    : null;
  bar?.start(chosen.length * options.runs, 0);
  const onCourse = (done: number) => bar?.update(done);
  const result =
    workers > 1
      ? runBatchOnWorkers({
          scenarioIds: chosen.map((s) => s.id),
          policyId: policy.id,
          runs: options.runs,
          seed: options.seed,
          profile,
          workers,
          onCourse,
        })
      : runBatch({
          scenarios: chosen,
          policy,
          runs: options.runs,
          seed: options.seed,
          profile,
          onCourse,
        });
  bar?.stop();
  return { result, csv: coursesCsv(result.courses) };
}
