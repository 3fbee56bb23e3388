import type { Recommendation } from '@mas/mas-episode';
import { eventLabelOf } from '@mas/protocol';

import type { ReopenedOption } from './event-form.js';

/** A senior's own judgement on another's request or start: never prefilled. */
const ownJudgement = new Set([
  'escalation.approved',
  'escalation.rejected',
  'escalation.countersigned',
]);

/** A recommended step as the page shows it. */
export interface RecommendedView {
  readonly key: string;
  /** The step in clinical words (the offered action's label). */
  readonly label: string;
  readonly why: string;
  readonly evidence: readonly string[];
  /**
   * What the user can do about it now: record it, not yet (blocked), not
   * their role's to record, or not offered as an action here.
   */
  readonly status: 'record' | 'blocked' | 'not-yours' | 'not-offered';
  /** Why it cannot be recorded now (blocked: the protocol's reason). */
  readonly blockedReason?: string;
  /**
   * The form to open (record only): the step's rationale filled in, except
   * for a senior's decision on another's request or start (approval,
   * countersignature), which is theirs to write.
   */
  readonly form?: ReopenedOption;
}

/**
 * The recommendations as the action panel lists them: each with the form
 * that records it (its rationale, and for a decision the choice, filled in;
 * dose, route and times left to the form, which computes and checks them),
 * or why it cannot be recorded now.
 */
export function recommendedViews(
  recommendations: readonly Recommendation[],
  canAct: boolean,
): RecommendedView[] {
  return recommendations.map(({ step, option }, index) => {
    const base = {
      key: `${String(index)}-${step.type}-${option?.variant ?? ''}`,
      label: option?.label ?? eventLabelOf(step.type, step.payload),
      why: step.why,
      evidence: step.evidence,
    };
    if (!canAct) return { ...base, status: 'not-yours' };
    if (option === null) return { ...base, status: 'not-offered' };
    if (option.status === 'blocked') {
      return { ...base, status: 'blocked', blockedReason: option.reason };
    }
    const example = (option.examplePayload ?? {}) as Record<string, unknown>;
    return {
      ...base,
      status: 'record',
      form: {
        ...option,
        examplePayload:
          step.type === 'decision.recorded'
            ? { ...example, choice: step.payload['choice'] }
            : example,
        ...(step.rationale === undefined || ownJudgement.has(step.type)
          ? {}
          : { rationale: step.rationale }),
      },
    };
  });
}
