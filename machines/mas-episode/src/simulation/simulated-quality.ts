/**
 * The quality indicators of a simulated cohort: the simulator's courses
 * analysed as the service analyses real episodes (each course's first
 * snapshot replayed through its events), so educators can set what a policy
 * would have achieved beside what the ward achieved. MODEL OUTPUT, never
 * evidence: the answer says so.
 */
import type { InstitutionProfile } from '@mas/protocol';
import { type Scenario, simulationModel } from '@mas/simulation';

import {
  analyseEpisode,
  indicatorsOf,
  type QualityIndicators,
} from '../analytics/quality-indicators.js';
import { type CourseResult, simulateCourse } from './course.js';
import { courseSeed } from './course-seed.js';
import type { Policy } from './policies.js';

export interface SimulatedQuality extends QualityIndicators {
  /** Labelled model output. */
  readonly notice: string;
  readonly model: { readonly id: string; readonly version: string };
  readonly policy: string;
  readonly runs: number;
  readonly seed: number;
}

/** A course as the indicators read an episode: named by scenario and run. */
export function courseAsEpisode(course: CourseResult, run: number) {
  return {
    episodeId: `${course.scenarioId}#${String(run + 1)}`,
    kind: 'real' as const,
    initialSnapshot: course.initialSnapshot,
    events: course.events,
  };
}

/** `runs` courses of every scenario under `policy`, analysed. */
export function simulatedQuality(options: {
  readonly scenarios: readonly Scenario[];
  readonly policy: Policy;
  readonly runs: number;
  readonly seed: number;
  readonly profile: InstitutionProfile;
}): SimulatedQuality {
  const analyses = options.scenarios.flatMap((scenario) =>
    Array.from({ length: options.runs }, (_, run) =>
      analyseEpisode(
        courseAsEpisode(
          simulateCourse({
            scenario,
            policy: options.policy,
            seed: courseSeed(options.seed, run),
            profile: options.profile,
          }),
          run,
        ),
      ),
    ),
  );
  return {
    notice: simulationModel.notice,
    model: { id: simulationModel.id, version: simulationModel.version },
    policy: options.policy.id,
    runs: options.runs,
    seed: options.seed,
    ...indicatorsOf(analyses),
  };
}
