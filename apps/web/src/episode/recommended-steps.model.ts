import type { Recommendation } from '@mas/mas-episode';
import { eventLabelOf } from '@mas/protocol';

import type { ReopenedOption } from './event-form.js';

/** A recommended step as the page shows it. */
export interface RecommendedView {
  readonly key: string;
  /** The step in clinical words (the offered action's label). */
  readonly label: string;
  readonly why: string;
  readonly evidence: readonly string[];
  /** What the user can do about it now. */
  readonly status: 'record' | 'blocked' | 'not-yours';
  /** Why it cannot be recorded now (blocked: the protocol's reason). */
  readonly blockedReason?: string;
  /** The form to open (record only): the step's rationale filled in. */
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
    if (option === null || !canAct) return { ...base, status: 'not-yours' };
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
        ...(step.rationale === undefined ? {} : { rationale: step.rationale }),
      },
    };
  });
}
