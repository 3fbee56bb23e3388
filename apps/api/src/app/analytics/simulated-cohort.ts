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

/** How long a cohort may take before its worker is stopped (ten times the largest seen). */
export const COHORT_TIMEOUT_MS = 60_000;

/**
 * Runs one cohort in a worker thread of its own; rejects if the worker
 * fails, stops, or takes longer than `timeoutMs` (then it is terminated).
 */
export function cohortInWorker(
  request: CohortRequest,
  timeoutMs = COHORT_TIMEOUT_MS,
): Promise<CohortResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      new URL('./simulated-cohort.worker.mjs', import.meta.url),
      {
        workerData: request,
        // Nothing of the parent's flags (Jest's and V8's are refused in a
        // worker).
        execArgv: [],
        // A runaway cohort cannot take the service's memory with it.
        resourceLimits: { maxOldGenerationSizeMb: 512 },
      },
    );
    const timer = setTimeout(() => {
      reject(
        new Error(
          `the simulated cohort took longer than ${String(timeoutMs / 1000)} s: stopped`,
        ),
      );
      void worker.terminate();
    }, timeoutMs);
    worker.once('exit', () => {
      clearTimeout(timer);
    });
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
