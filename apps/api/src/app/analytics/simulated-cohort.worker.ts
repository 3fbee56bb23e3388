/**
 * The worker thread of a simulated cohort (`GET /api/analytics/simulated`):
 * every scenario's courses under one policy, and their indicators, computed
 * off the service's thread (about two seconds at the largest cohort, during
 * which the service would otherwise answer nobody), posted back once.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { policyById, simulatedQuality } from '@mas/mas-episode/simulation';
import type { InstitutionProfile } from '@mas/protocol';
import { scenarios } from '@mas/simulation';

/** What the service asks of the worker. */
export interface CohortRequest {
  readonly policyId: string;
  readonly runs: number;
  readonly seed: number;
  readonly profile: InstitutionProfile;
}

const request = workerData as CohortRequest;
try {
  const result = simulatedQuality({
    scenarios,
    policy: policyById(request.policyId),
    runs: request.runs,
    seed: request.seed,
    profile: request.profile,
  });
  parentPort?.postMessage({ kind: 'result', result });
} catch (error) {
  parentPort?.postMessage({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  });
}
