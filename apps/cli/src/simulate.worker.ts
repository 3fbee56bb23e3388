/**
 * One worker thread of a parallel batch (`simulate --workers N`): runs the
 * batch's courses `from` to `to` (exclusive) and sends back their rows. Each
 * course is a pure function of its index, so the rows are those one loop
 * would give. Progress goes to the parent after each course, through a port
 * it reads synchronously, and a shared counter it waits on.
 */
import { type MessagePort, workerData } from 'node:worker_threads';

import { courseRowAt, policyById } from '@mas/mas-episode/simulation';
import type { InstitutionProfile } from '@mas/protocol';
import { scenarioById } from '@mas/simulation';

export interface SliceRequest {
  readonly scenarioIds: readonly string[];
  readonly policyId: string;
  readonly runs: number;
  readonly seed: number;
  readonly profile: InstitutionProfile;
  readonly from: number;
  readonly to: number;
  readonly port: MessagePort;
  /** Bumped (and notified) after every message, so the parent can wait on it. */
  readonly signal: Int32Array;
}

const request = workerData as SliceRequest;
const post = (message: unknown) => {
  request.port.postMessage(message);
  Atomics.add(request.signal, 0, 1);
  Atomics.notify(request.signal, 0);
};

try {
  const plan = {
    scenarios: request.scenarioIds.map((id) => scenarioById(id)),
    policy: policyById(request.policyId),
    runs: request.runs,
    seed: request.seed,
    profile: request.profile,
  };
  const rows = [];
  for (let index = request.from; index < request.to; index += 1) {
    rows.push(courseRowAt(plan, index));
    post({ kind: 'progress' });
  }
  post({ kind: 'rows', rows });
} catch (error) {
  post({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  });
}
