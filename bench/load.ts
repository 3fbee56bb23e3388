/**
 * The load of the API benches: a load generator in a worker thread
 * (load.worker.mjs) driving one client per target, and the figures and
 * ratios the benches print.
 */
import { createHmac, type KeyObject, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

export interface Figures {
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  /** How busy the server's event loop was (1: saturated). */
  readonly busy: number;
  /** The longest the server's event loop was blocked, in ms. */
  readonly loopMaxMs: number;
  /** The service's writes per SQLite commit (group commit), API only. */
  readonly writesPerCommit?: number;
}

export function percentile(sorted: number[], p: number): number {
  return (
    sorted[
      Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
    ] ?? 0
  );
}

export interface Target {
  readonly url: string;
  readonly body: Record<string, unknown>;
  readonly version: number;
}

/**
 * One loop per target for the bench duration, run by a load generator in a
 * worker thread (bench/load.worker.mjs): on these 2-core machines the client
 * gets a core of its own instead of sharing the server's event loop.
 */
export async function drive(
  targets: readonly Target[],
  headers: Record<string, string>,
  seconds: number,
): Promise<Figures> {
  const before = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const worker = new Worker(new URL('./load.worker.mjs', import.meta.url), {
    workerData: { targets, seconds, headers },
  });
  const result = await new Promise<{
    latencies: number[];
    failure: string | null;
  }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const busy = performance.eventLoopUtilization(before).utilization;
  delay.disable();
  await worker.terminate();
  if (result.failure) throw new Error(result.failure);
  const latencies = result.latencies.sort((a, b) => a - b);
  return {
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    busy,
    loopMaxMs: delay.max / 1e6,
  };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2 === 1
      ? (sorted[middle] ?? Number.NaN)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
export const fixed = (value: number, digits: number, width: number) =>
  (Number.isFinite(value) ? value.toFixed(digits) : '-').padStart(width);

/** Medians over the rounds of one handler at one level. */
export function cells(runs: readonly Figures[]): string[] {
  return [
    fixed(median(runs.map((r) => r.throughput)), 0, 7),
    fixed(median(runs.map((r) => r.p99)), 1, 6),
    `${fixed(median(runs.map((r) => r.busy * 100)), 0, 3)}%`,
    fixed(Math.max(...runs.map((r) => r.loopMaxMs)), 0, 5),
  ];
}

/** The median of the rounds' paired ratios (API over the bare handler). */
export function ratios(
  api: readonly Figures[],
  bare: readonly Figures[],
): string[] {
  const paired = (of: (f: Figures) => number) =>
    median(
      api.flatMap((a, round) => {
        const b = bare[round];
        return b ? [of(a) / of(b)] : [];
      }),
    );
  return [
    fixed(
      paired((f) => f.throughput),
      2,
      5,
    ),
    fixed(
      paired((f) => f.p99),
      1,
      5,
    ),
  ];
}

/** The columns of an episode's row the bare SQL handlers read. */
export interface BareEpisodeRow {
  readonly version: number;
  readonly snapshot: string;
  readonly stage: string;
  readonly tags: string;
  readonly alert_ids: string;
  readonly urgency: number;
  readonly protocol_hash: string;
  readonly profile_hash: string;
}

/**
 * The audit entry of the bare SQL handlers: the columns of a labs event's
 * row, of the same size as the service's, with its chained HMAC (the
 * values a bare handler writes without a statechart).
 */
export function fixedAuditEntry<Time>(
  key: KeyObject | Buffer,
  at: {
    id: string;
    previous: { seq: number; hash: string } | undefined;
    payload: string;
    now: Time;
    row: Pick<BareEpisodeRow, 'protocol_hash' | 'profile_hash'>;
  },
) {
  const entry = [
    randomUUID(),
    at.id,
    (at.previous?.seq ?? 0) + 1,
    'labs.recorded',
    at.payload,
    'bench',
    'clinician',
    at.now,
    at.now,
    null,
    '["seed.diagnosis.1","lit.ravelli-2016"]',
    '{"outcome":"allowed","reason":"labs may be recorded at any time"}',
    '{"diagnosis":"suspected","treatment":"awaitingDecision"}',
    '{"diagnosis":"suspected","treatment":"awaitingDecision"}',
    at.row.protocol_hash,
    at.row.profile_hash,
    at.previous?.hash ?? 'genesis',
  ] as const;
  const hash = createHmac('sha256', key)
    .update(JSON.stringify(entry))
    .digest('hex');
  return [entry, hash] as const;
}
