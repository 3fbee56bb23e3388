/**
 * A simulated cohort computed in a worker thread (`simulated-cohort.worker`),
 * so the service keeps answering meanwhile. The worker's file sits beside
 * this module's: the TypeScript loader's entry when the service runs from
 * its sources, the bundled worker beside main.mjs when built.
 */
import { Worker } from 'node:worker_threads';

import type { simulatedQuality } from '@mas/mas-episode/simulation';

import type { CohortRequest } from './simulated-cohort.worker.js';

/** What the worker posts back: the simulator's cohort and its indicators. */
export type CohortResult = ReturnType<typeof simulatedQuality>;

/** Runs one cohort in a worker thread of its own; rejects if the worker fails. */
export function cohortInWorker(request: CohortRequest): Promise<CohortResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      new URL('./simulated-cohort.worker.mjs', import.meta.url),
      {
        workerData: request,
        // Nothing of the parent's flags (Jest's and V8's are refused in a
        // worker).
        execArgv: [],
      },
    );
    worker.once(
      'message',
      (message: { kind: string; result?: CohortResult; message?: string }) => {
        if (message.kind === 'result' && message.result !== undefined) {
          resolve(message.result);
        } else {
          reject(
            new Error(
              `the simulated cohort failed: ${message.message ?? 'no result'}`,
            ),
          );
        }
        void worker.terminate();
      },
    );
    worker.once('error', reject);
    // After an answer this changes nothing (a promise settles once).
    worker.once('exit', (code) => {
      reject(
        new Error(`the simulated cohort's worker stopped (${String(code)})`),
      );
    });
  });
}
