/**
 * Model checking for the specs, run outside Jest's module sandbox (see
 * model-checking.child.ts): the same code, the same profile, in a child
 * Node process; its answer comes back as JSON and the spec asserts on it as
 * it would on an answer computed in the sandbox. A child that fails (a
 * throw, a crash, no answer) fails the spec with its output.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import type { Verdict } from '../verify/model-checker.js';
import type { EpisodeVerification } from '../verify/verify-episode.js';
import type { MigrationProof } from '../verify/verify-migration.js';

export type CheckingRequest =
  | { readonly kind: 'deployed'; readonly soundnessEvery: number }
  | { readonly kind: 'mutants' }
  | {
      /** A shipped migration plan (by its versions) on the slices named. */
      readonly kind: 'migration';
      readonly from: string;
      readonly to: string;
      readonly slices: readonly string[];
    };

export interface MutantOutcome {
  readonly id: string;
  /** The verdict of the property that should catch it. */
  readonly status: Verdict | null;
  /** The events of its counterexample (null: none). */
  readonly counterexampleLength: number | null;
}

export type CheckingAnswer =
  | { readonly kind: 'deployed'; readonly verification: EpisodeVerification }
  | { readonly kind: 'mutants'; readonly mutants: readonly MutantOutcome[] }
  | { readonly kind: 'migration'; readonly proof: MigrationProof };

const child = join(import.meta.dirname, 'model-checking.child.ts');

/** Runs the checking `request` asks for in a child process; its answer. */
export function checkOutsideSandbox<K extends CheckingRequest['kind']>(
  request: Extract<CheckingRequest, { kind: K }>,
): Extract<CheckingAnswer, { kind: K }> {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', child, JSON.stringify(request)],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      // Jest's own flags are not the child's.
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  if (run.status !== 0 || run.error !== undefined) {
    throw new Error(
      `the model checking (${request.kind}) did not answer: exit ${String(run.status)} ${run.signal ?? ''} ${String(run.error ?? '')}\n${run.stderr.slice(-4000)}`,
    );
  }
  const answer = JSON.parse(run.stdout) as CheckingAnswer;
  if (answer.kind !== request.kind) {
    throw new Error(`asked for ${request.kind}, answered ${answer.kind}`);
  }
  return answer as Extract<CheckingAnswer, { kind: K }>;
}
