/**
 * The model checking a spec asks for, run in this process (a plain Node
 * process with tsx, not Jest's module sandbox, where every global a hot
 * loop touches goes through the sandbox's interceptors: the same checking
 * takes about 1.5 times the CPU there). Reads one request (JSON) from its
 * first argument, writes the answer (JSON) to standard output.
 */
import { migrationPlans } from '../lib/migration-plans.js';
import { slices } from '../verify/episode-alphabet.js';
import { episodeMutants } from '../verify/episode-mutants.js';
import { verifyEpisodeMachine } from '../verify/verify-episode.js';
import { checkMigrationPlan } from '../verify/verify-migration.js';
import { exampleProfile } from './example-profile.js';
import type {
  CheckingAnswer,
  CheckingRequest,
} from './model-checking.spec-support.js';

function answer(request: CheckingRequest): CheckingAnswer {
  if (request.kind === 'deployed') {
    return {
      kind: 'deployed',
      verification: verifyEpisodeMachine(exampleProfile(), {
        soundnessEvery: request.soundnessEvery,
      }),
    };
  }
  if (request.kind === 'migration') {
    const plan = migrationPlans.find(
      (each) => each.from === request.from && each.to === request.to,
    );
    if (plan === undefined) {
      throw new Error(`no shipped plan ${request.from} -> ${request.to}`);
    }
    return {
      kind: 'migration',
      proof: checkMigrationPlan(plan, exampleProfile(), {
        slices: slices.filter((s) => request.slices.includes(s.name)),
      }),
    };
  }
  return {
    kind: 'mutants',
    mutants: episodeMutants.map((mutant) => {
      const result = verifyEpisodeMachine(exampleProfile(), {
        machine: mutant.machine(),
        slices: slices.filter((s) => mutant.slices.includes(s.name)),
        stopOnFailureOf: [mutant.caughtBy],
        soundnessEvery: 0,
      });
      const property = result.results.find((r) => r.id === mutant.caughtBy);
      return {
        id: mutant.id,
        status: property?.status ?? null,
        counterexampleLength: property?.counterexample?.events.length ?? null,
      };
    }),
  };
}

process.stdout.write(
  JSON.stringify(
    answer(JSON.parse(process.argv[2] ?? '{}') as CheckingRequest),
  ),
);
