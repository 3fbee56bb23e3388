/**
 * Migration plans: how a running episode moves from one deployed protocol
 * version to another (issue 18). A plan is data: every state of the old
 * statechart maps to a state of the new one (a leaf path not listed stays
 * where it is), and the context carries over whole, the protocol identity
 * replaced. Its hash names it in the audit. A plan is shipped only once the
 * model checker has proven it (`checkMigrationPlan`: every mapped state
 * reachable under the new version and no safety property of the new
 * version violated right after the move); `npm test` fails otherwise.
 */
import { contentHash } from '@mas/protocol';

export interface MigrationPlan {
  readonly from: string;
  readonly to: string;
  /** What the move changes for a running episode, in words. */
  readonly summary: string;
  /**
   * Leaf state paths of the old statechart (`open.reassessment.overdue`) and
   * the leaf of the new one each moves to; a leaf not listed keeps its path.
   */
  readonly states: Readonly<Record<string, string>>;
  /**
   * How the context carries over: every field as it was, the protocol
   * identity replaced. `recomputedAtNext` names the fields the new version
   * derives differently, recomputed by the next event that derives them
   * (never rewritten backwards: what was recorded stays as recorded).
   */
  readonly context: {
    readonly carry: 'all';
    readonly recomputedAtNext: readonly string[];
  };
  /** Evidence entries of the change the plan serves. */
  readonly evidence: readonly string[];
}

/**
 * The plans this build ships, each proven by the model checker before it
 * ships (`npm test` proves every one on a slice, `cli protocol
 * check-migration` on all). Append only: replays apply the plan an audit
 * entry names by its hash.
 */
export const migrationPlans: readonly MigrationPlan[] = [
  {
    from: '1.0.0',
    to: '1.1.0',
    summary:
      'LDH joins the items each reassessment panel should hold. Every state stays as it is; the context carries over whole; the next reassessment is checked for the 1.1.0 items (LDH included).',
    states: {},
    context: { carry: 'all', recomputedAtNext: ['missingMonitoringItems'] },
    evidence: ['seed.monitoring.2', 'lit.minoia-2019'],
  },
];

const planHashes = new WeakMap<MigrationPlan, string>();

/**
 * The content hash that names a plan in the audit: over what it does (the
 * versions, the state map, the context rule), not its words, so rewording a
 * summary never orphans the audit entries that name the plan. A plan once
 * applied stays in `migrationPlans` (replays look it up by this hash).
 */
export function migrationPlanHash(plan: MigrationPlan): string {
  // Plans are data that never change once made: hashed once each (the
  // guard and the model checker ask for it at every move).
  let hash = planHashes.get(plan);
  if (hash === undefined) {
    const { from, to, states, context } = plan;
    hash = contentHash({ from, to, states, context });
    planHashes.set(plan, hash);
  }
  return hash;
}

/** The shipped plan with this hash, if any (what a replay applies). */
export function findMigrationPlanByHash(
  hash: string,
  plans: readonly MigrationPlan[] = migrationPlans,
): MigrationPlan | undefined {
  return plans.find((plan) => migrationPlanHash(plan) === hash);
}

/** The shipped plan from one version to another, if any. */
export function findMigrationPlan(
  from: string,
  to: string,
  plans: readonly MigrationPlan[] = migrationPlans,
): MigrationPlan | undefined {
  return plans.find((plan) => plan.from === from && plan.to === to);
}
