import type { EpisodeEvent, triggerKinds } from '@mas/contracts';
import { alertLabel, dueLabel, masProtocol, subjectLabel } from '@mas/protocol';
import type { Finding } from '@mas/simulation';

type TriggerKind = (typeof triggerKinds)[number];

const capitalised = (text: string): string =>
  text.charAt(0).toUpperCase() + text.slice(1);

import type {
  AlertId,
  DueId,
  EpisodeContext,
} from '../lib/mas-episode.types.js';

/**
 * The debrief's scoring rules, as data: each point rests on the machine's own
 * alerts and due times (so "considered, with a rationale" scores as well as
 * following the default: a recorded decision clears the alert), with the
 * evidence entry behind it.
 */
interface RuleBase {
  readonly id: string;
  readonly label: string;
  readonly points: number;
  readonly evidence: readonly string[];
}

export type DebriefRule =
  | (RuleBase & {
      readonly kind: 'alert-never-raised';
      readonly alert: AlertId;
    })
  | (RuleBase & {
      /** Full points if the alert, once raised, cleared within one reassessment interval. */
      readonly kind: 'alert-resolved-promptly';
      readonly alert: AlertId;
    })
  | (RuleBase & {
      /** Points lost for each time this due time fell overdue. */
      readonly kind: 'due-kept';
      readonly due: DueId;
      readonly perLate: number;
    })
  | (RuleBase & {
      /**
       * Full points if a work-up result the patient produced (known only to
       * the simulation: the machine is never told unless someone records it)
       * was recorded as a trigger within one reassessment interval.
       */
      readonly kind: 'result-recorded';
      readonly finding: Finding;
    });

/**
 * What only a simulation knows: when each work-up result became available
 * (from the virtual patient), and when the clinician recorded the trigger.
 * Real episodes have no such record: the rules that need it do not apply.
 */
export interface DebriefFindings {
  readonly availableAt: Partial<Record<Finding, string>>;
  readonly recordedAt: Partial<Record<Finding, string>>;
}

/** Fails to compile if the contracts' trigger kinds and the findings part. */
const _sameKinds: [Finding, TriggerKind] extends [TriggerKind, Finding]
  ? true
  : never = true;

/** When each trigger was first recorded, from a course's accepted events. */
export function triggersRecordedAt(
  events: readonly Pick<EpisodeEvent, 'type' | 'at' | 'payload'>[],
): Partial<Record<Finding, string>> {
  const recorded: Partial<Record<Finding, string>> = {};
  for (const event of events) {
    if (event.type !== 'trigger.identified') continue;
    // The contracts' trigger kinds are exactly the findings (checked below).
    const { trigger } = event.payload as { trigger: Finding };
    recorded[trigger] ??= event.at;
  }
  return recorded;
}

export const debriefRules: readonly DebriefRule[] = [
  {
    id: 'glucocorticoid-on-time',
    label: 'First glucocorticoid within the institution limit after suspicion',
    points: 20,
    kind: 'alert-never-raised',
    alert: 'glucocorticoid-delayed',
    evidence: ['seed.initial.3', 'seed.pitfalls.1'],
  },
  {
    id: 'reassessments-on-time',
    label: 'Reassessment at least every interval',
    points: 20,
    kind: 'due-kept',
    due: 'reassessment',
    perLate: 5,
    evidence: ['seed.monitoring.1'],
  },
  {
    id: 'antimicrobials',
    label: 'Antimicrobials (or a reasoned decision) for an infectious trigger',
    points: 15,
    kind: 'alert-resolved-promptly',
    alert: 'infection-without-antimicrobials',
    evidence: ['seed.subtype.3', 'seed.pitfalls.2'],
  },
  {
    id: 'dexamethasone-considered',
    label:
      'Dexamethasone considered in CNS involvement (either choice, with a rationale)',
    points: 10,
    kind: 'alert-resolved-promptly',
    alert: 'cns-without-dexamethasone',
    evidence: ['seed.initial.2'],
  },
  {
    id: 'severity-recognised',
    label: 'Severity recognised (organ support means severe)',
    points: 10,
    kind: 'alert-resolved-promptly',
    alert: 'severity-underestimated',
    evidence: ['seed.second-line.5', 'seed.pitfalls.4'],
  },
  {
    id: 'escalation-timing',
    label:
      'Escalation decided within one reassessment interval of an inadequate response',
    points: 15,
    kind: 'alert-resolved-promptly',
    alert: 'escalation-indicated',
    evidence: ['seed.second-line.1', 'seed.second-line.2'],
  },
  {
    id: 'infection-result-recorded',
    label:
      'An infection found in the work-up recorded as a trigger within one reassessment interval',
    points: 10,
    kind: 'result-recorded',
    finding: 'infection',
    evidence: ['seed.subtype.3', 'seed.pitfalls.2'],
  },
  {
    id: 'ebv-result-recorded',
    label:
      'A positive EBV result recorded as a trigger within one reassessment interval',
    points: 10,
    kind: 'result-recorded',
    finding: 'ebv',
    evidence: ['seed.refractory.4'],
  },
  {
    id: 'malignancy-result-recorded',
    label:
      'A malignancy found in the work-up recorded as a trigger within one reassessment interval',
    points: 10,
    kind: 'result-recorded',
    finding: 'malignancy',
    evidence: ['seed.subtype.2'],
  },
  {
    id: 'malignancy-treated',
    label: 'The underlying malignancy treated',
    points: 10,
    kind: 'alert-resolved-promptly',
    alert: 'malignancy-not-treated',
    evidence: ['seed.subtype.2'],
  },
];

export interface DebriefItem {
  readonly rule: string;
  readonly label: string;
  readonly points: number;
  /** null: the rule did not apply to this course. */
  readonly earned: number | null;
  readonly detail: string;
  readonly evidence: readonly string[];
}

export interface Debrief {
  readonly score: number;
  readonly max: number;
  readonly items: readonly DebriefItem[];
}

const HOUR = 3_600_000;

/** Scores an episode (real course or simulated) against the rules. */
export function debrief(
  context: EpisodeContext,
  rules: readonly DebriefRule[] = debriefRules,
  findings: DebriefFindings | null = null,
): Debrief {
  const window =
    masProtocol.definition.dueTimes.reassessment.intervalHours * HOUR;
  const items = rules.map((rule): DebriefItem => {
    const base = {
      rule: rule.id,
      label: rule.label,
      points: rule.points,
      evidence: rule.evidence,
    };
    switch (rule.kind) {
      case 'alert-never-raised': {
        const raised = context.alertLog.find((a) => a.id === rule.alert);
        return raised
          ? {
              ...base,
              earned: 0,
              detail: `“${alertLabel(rule.alert)}” raised at ${raised.raisedAt}`,
            }
          : {
              ...base,
              earned: rule.points,
              detail: `“${alertLabel(rule.alert)}” never raised`,
            };
      }
      case 'alert-resolved-promptly': {
        const raised = context.alertLog.filter((a) => a.id === rule.alert);
        if (raised.length === 0) {
          return { ...base, earned: null, detail: 'did not arise' };
        }
        // Still standing counts as slow once its window has passed, or when
        // the episode has ended (death, transfer) with it unresolved.
        const slow = raised.filter((a) =>
          a.clearedAt === undefined
            ? context.outcome !== null ||
              Date.parse(context.now) - Date.parse(a.raisedAt) > window
            : Date.parse(a.clearedAt) - Date.parse(a.raisedAt) > window,
        );
        return slow.length === 0
          ? {
              ...base,
              earned: rule.points,
              detail: `“${alertLabel(rule.alert)}” resolved within ${window / HOUR} h`,
            }
          : {
              ...base,
              earned: 0,
              detail: `“${alertLabel(rule.alert)}” raised at ${slow[0]?.raisedAt ?? '?'} and not resolved within ${window / HOUR} h${slow[0]?.clearedAt === undefined ? ' (still standing)' : ''}`,
            };
      }
      case 'result-recorded': {
        const available = findings?.availableAt[rule.finding];
        if (available === undefined) {
          return {
            ...base,
            earned: null,
            detail:
              findings === null
                ? 'no simulated work-up to compare with'
                : 'no such result in this course',
          };
        }
        const recorded = findings?.recordedAt[rule.finding];
        const late = (until: string) =>
          Date.parse(until) - Date.parse(available) > window;
        if (recorded === undefined) {
          // Not recorded: slow once the window has passed (by the end of the
          // episode, if it ended: a death within the window is not the
          // trainee's missed result).
          return late(context.now)
            ? {
                ...base,
                earned: 0,
                detail: `Result for ${subjectLabel(rule.finding)} available at ${available}, never recorded as a trigger`,
              }
            : {
                ...base,
                earned: null,
                detail: `Result for ${subjectLabel(rule.finding)} available at ${available}; ${context.outcome === null ? 'still' : 'the episode ended'} within ${window / HOUR} h`,
              };
        }
        if (Date.parse(recorded) < Date.parse(available)) {
          // Recorded before there was a result: on suspicion, or for another
          // reason; the rule cannot tell which, so it does not score it.
          return {
            ...base,
            earned: null,
            detail: `${subjectLabel(rule.finding)} recorded at ${recorded}, before the result (available at ${available}): not scored`,
          };
        }
        return late(recorded)
          ? {
              ...base,
              earned: 0,
              detail: `Result for ${subjectLabel(rule.finding)} available at ${available}, recorded at ${recorded} (over ${window / HOUR} h)`,
            }
          : {
              ...base,
              earned: rule.points,
              detail: `Result for ${subjectLabel(rule.finding)} available at ${available}, recorded at ${recorded}`,
            };
      }
      case 'due-kept': {
        const late = context.firedDues.filter((d) => d.id === rule.due);
        return {
          ...base,
          earned: Math.max(0, rule.points - late.length * rule.perLate),
          detail:
            late.length === 0
              ? `${capitalised(dueLabel(rule.due))} never overdue`
              : `${capitalised(dueLabel(rule.due))} overdue ${late.length} time(s), longest ${Math.max(...late.map((d) => d.resolvedLatenessMinutes ?? d.latenessMinutes))} min`,
        };
      }
    }
  });
  const applied = items.filter((i) => i.earned !== null);
  return {
    score: applied.reduce((sum, i) => sum + (i.earned ?? 0), 0),
    max: applied.reduce((sum, i) => sum + i.points, 0),
    items,
  };
}
