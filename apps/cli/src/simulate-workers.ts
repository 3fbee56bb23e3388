/**
 * A batch over worker threads (`simulate --workers N`): the courses split in
 * N contiguous slices, one thread each, the rows joined in course order, so
 * the result is the one a single loop gives for the same seed (each course
 * depends on its index only). The caller stays synchronous: it waits on a
 * shared counter the workers bump and reads their messages with
 * receiveMessageOnPort, reporting progress as courses finish.
 */
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';

import {
  type BatchResult,
  batchResultOf,
  type CourseRow,
} from '@mas/mas-episode/simulation';
import type { InstitutionProfile } from '@mas/protocol';

import type { SliceRequest } from './simulate.worker.js';

export interface ParallelBatch {
  readonly scenarioIds: readonly string[];
  readonly policyId: string;
  readonly runs: number;
  readonly seed: number;
  readonly profile: InstitutionProfile;
  readonly workers: number;
  readonly onCourse?: (done: number, total: number) => void;
}

/** Without a word from any worker for this long, the batch has failed. */
const SILENCE_MS = 120_000;

const workerUrl = new URL('./simulate.worker.mjs', import.meta.url);

/** The slices [from, to) of `total` courses for `workers` threads. */
export function slices(total: number, workers: number): [number, number][] {
  const count = Math.max(1, Math.min(workers, total));
  const base = Math.floor(total / count);
  const extra = total % count;
  const result: [number, number][] = [];
  let from = 0;
  for (let i = 0; i < count; i += 1) {
    const to = from + base + (i < extra ? 1 : 0);
    result.push([from, to]);
    from = to;
  }
  return result;
}

interface Running {
  readonly worker: Worker;
  readonly port: MessagePort;
  rows: CourseRow[] | null;
}

export function runBatchOnWorkers(batch: ParallelBatch): BatchResult {
  const total = batch.scenarioIds.length * batch.runs;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const running: Running[] = slices(total, batch.workers).map(([from, to]) => {
    const { port1, port2 } = new MessageChannel();
    const request: SliceRequest = {
      scenarioIds: batch.scenarioIds,
      policyId: batch.policyId,
      runs: batch.runs,
      seed: batch.seed,
      profile: batch.profile,
      from,
      to,
      port: port2,
      signal,
    };
    const worker = new Worker(workerUrl, {
      workerData: request,
      transferList: [port2],
      // Nothing of the parent's flags (Jest's and V8's are refused in a
      // worker): the entry registers the TypeScript loader itself.
      execArgv: [],
    });
    return { worker, port: port1, rows: null };
  });
  let done = 0;
  try {
    let lastHeard = Date.now();
    while (running.some((r) => r.rows === null)) {
      const seen = Atomics.load(signal, 0);
      for (const entry of running) {
        for (
          let received = receiveMessageOnPort(entry.port);
          received !== undefined;
          received = receiveMessageOnPort(entry.port)
        ) {
          lastHeard = Date.now();
          const message = received.message as
            | { kind: 'progress' }
            | { kind: 'rows'; rows: CourseRow[] }
            | { kind: 'error'; message: string };
          if (message.kind === 'progress') {
            done += 1;
            batch.onCourse?.(done, total);
          } else if (message.kind === 'rows') {
            entry.rows = message.rows;
          } else {
            throw new Error(`a simulation worker failed: ${message.message}`);
          }
        }
      }
      if (running.every((r) => r.rows !== null)) break;
      if (Date.now() - lastHeard > SILENCE_MS) {
        throw new Error(
          `the simulation workers said nothing for ${String(SILENCE_MS / 1000)} s`,
        );
      }
      Atomics.wait(signal, 0, seen, 1_000);
    }
  } finally {
    for (const entry of running) {
      entry.port.close();
      void entry.worker.terminate();
    }
  }
  return batchResultOf(
    batch,
    running.flatMap((r) => r.rows ?? []),
  );
}
