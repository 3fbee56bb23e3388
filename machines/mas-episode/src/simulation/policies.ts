import type { EpisodeEvent } from '@mas/contracts';
import { type LabPanelInput, masProtocol } from '@mas/protocol';
import { type Scenario, simulationModel } from '@mas/simulation';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import { protocolNextSteps } from '../lib/next-steps.js';

/** What a decision-maker sees at a decision point: never the hidden model state. */
export interface PolicyView {
  readonly hours: number;
  readonly at: string;
  readonly snapshot: EpisodeSnapshot;
  /** The labs just produced (recorded by the policy if it chooses to). */
  readonly panel: LabPanelInput;
  readonly needsOrganSupport: boolean;
  /** Work-up results known by now (infection at once, EBV PCR and biopsy later). */
  readonly known: {
    readonly infection: boolean;
    readonly ebv: 'B' | 'T/NK' | null;
    readonly malignancy: boolean;
  };
  readonly scenario: Pick<Scenario, 'cns'>;
  /** How many reassessments in a row were inadequate or worsening. */
  readonly failedReassessments: number;
  readonly respondingReassessments: number;
  /** Ferritin (ng/mL) of every panel recorded so far, oldest first. */
  readonly ferritinRecorded: readonly number[];
}

/** A step the policy takes: an event body (type, payload, rationale, who). */
export interface PolicyStep {
  readonly type: EpisodeEvent['type'];
  readonly payload: Record<string, unknown>;
  readonly rationale?: string;
  /** Which of the two seniors acts (four eyes needs both). */
  readonly actor?: 'clinician' | 'senior-a' | 'senior-b';
}

export type PolicyId =
  | 'protocol'
  | 'delay'
  | 'no-antimicrobials'
  | 'no-dexamethasone-considered'
  | 'late-escalation'
  | 'over-escalation'
  | 'ignores-results';

export interface Policy {
  readonly id: PolicyId;
  readonly description: string;
  /** First at a decision point: record the labs or the reassessment. */
  record(view: PolicyView): PolicyStep[];
  /** Then, on the episode as it now stands: what to do. */
  decide(view: PolicyView): PolicyStep[];
}

const step = (
  type: PolicyStep['type'],
  payload: Record<string, unknown> = {},
  extra: Omit<PolicyStep, 'type' | 'payload'> = {},
): PolicyStep => ({ type, payload, ...extra });

const rules = simulationModel.policy;
const HOUR_MS = 3_600_000;
/** The protocol's interval of monitoring labs (also after remission). */
const monitoringIntervalHours =
  masProtocol.definition.dueTimes.labs.intervalHours;

interface Options {
  readonly delayHours: number;
  readonly antimicrobials: boolean;
  readonly considerDexamethasone: boolean;
  /** Failed reassessments before each escalation step. */
  readonly escalateAfter: number;
  readonly overEscalate: boolean;
  /** Acts on work-up results (infection, EBV, malignancy) once known. */
  readonly actOnResults: boolean;
}

/**
 * The protocol's recommended next steps (`protocolNextSteps`, the rule the
 * ward's episode page offers first) acted on by a virtual clinician who
 * knows the virtual patient: labs and reassessment every interval, organ
 * support and transfusion as the model needs, escalation after a number of
 * inadequate reassessments in a row, remission and relapse by the model's
 * ferritin levels. Deviations change one option each.
 */
function rulePolicy(
  id: PolicyId,
  description: string,
  options: Options,
): Policy {
  return {
    id,
    description,
    record(view) {
      const c = view.snapshot.context;
      if (view.snapshot.status === 'done') return [];
      if (c.lastPanel === null) {
        return [step('labs.recorded', { panel: view.panel })];
      }
      // In remission and on the taper the labs go on at the monitoring
      // interval: remission is not final (relapse during the taper).
      if (c.inRemission) {
        const since =
          (Date.parse(view.at) - Date.parse(c.lastPanel.at)) / HOUR_MS;
        return since >= monitoringIntervalHours
          ? [step('labs.recorded', { panel: view.panel })]
          : [];
      }
      const due = c.dues['reassessment']?.dueAt ?? null;
      const reassessmentDue =
        c.firstGlucocorticoidAt !== null &&
        due !== null &&
        Date.parse(due) <= Date.parse(view.at);
      return reassessmentDue || c.firstGlucocorticoidAt === null
        ? [step('reassessment.recorded', { panel: view.panel })]
        : [];
    },
    decide(view) {
      if (view.hours < options.delayHours) return [];
      const c = view.snapshot.context;
      const recent = view.ferritinRecorded.slice(
        -rules.relapseConsecutivePanels.value,
      );
      return protocolNextSteps(
        view.snapshot,
        {
          known: options.actOnResults
            ? view.known
            : { infection: false, ebv: null, malignancy: false },
          cns: view.scenario.cns,
          needsOrganSupport: view.needsOrganSupport,
          plateletsLow:
            (view.panel.platelets?.value ?? Number.POSITIVE_INFINITY) <
            rules.transfusePlateletsBelow.value,
          escalate: view.failedReassessments >= options.escalateAfter,
          refractory: view.failedReassessments >= options.escalateAfter + 1,
          remission:
            !c.inRemission &&
            view.respondingReassessments >=
              rules.respondingReassessmentsForRemission.value &&
            view.failedReassessments === 0 &&
            (view.panel.ferritin?.value ?? Number.POSITIVE_INFINITY) <
              rules.remissionFerritinBelow.value,
          // Relapse: ferritin back above the relapse level on consecutive
          // monitoring labs (the latest drawn now).
          relapse:
            c.inRemission &&
            c.lastPanel?.at === view.at &&
            recent.length === rules.relapseConsecutivePanels.value &&
            recent.every((f) => f > rules.relapseFerritinAbove.value),
        },
        {
          antimicrobials: options.antimicrobials,
          considerDexamethasone: options.considerDexamethasone,
          overEscalate: options.overEscalate,
          clinicalDiagnosis: true,
        },
      );
    },
  };
}

const protocolOptions: Options = {
  delayHours: 0,
  antimicrobials: true,
  considerDexamethasone: true,
  // Two inadequate reassessments in a row (a day on the pulse) before
  // stepping up: one, twelve hours in, is too early to judge a pulse.
  escalateAfter: rules.failedReassessmentsBeforeEscalation.value,
  overEscalate: false,
  actOnResults: true,
};

export const policies: Readonly<Record<PolicyId, Policy>> = {
  protocol: rulePolicy(
    'protocol',
    "follows the protocol's recommended next step",
    protocolOptions,
  ),
  delay: rulePolicy('delay', 'every decision a day late', {
    ...protocolOptions,
    delayHours: rules.deviationDelayHours.value,
  }),
  'no-antimicrobials': rulePolicy(
    'no-antimicrobials',
    'treats MAS but not the infection that triggered it',
    { ...protocolOptions, antimicrobials: false },
  ),
  'no-dexamethasone-considered': rulePolicy(
    'no-dexamethasone-considered',
    'methylprednisolone in CNS involvement without considering dexamethasone',
    { ...protocolOptions, considerDexamethasone: false },
  ),
  'late-escalation': rulePolicy(
    'late-escalation',
    'escalates only after four inadequate reassessments',
    { ...protocolOptions, escalateAfter: protocolOptions.escalateAfter + 2 },
  ),
  'over-escalation': rulePolicy(
    'over-escalation',
    'combination and etoposide at once, whatever the severity',
    { ...protocolOptions, overEscalate: true },
  ),
  'ignores-results': rulePolicy(
    'ignores-results',
    'never acts on work-up results (infection, EBV, malignancy found)',
    { ...protocolOptions, actOnResults: false },
  ),
};

export function policyById(id: string): Policy {
  // Own keys only: "constructor" or "toString" are no policy.
  const found = Object.hasOwn(policies, id)
    ? (policies as Record<string, Policy | undefined>)[id]
    : undefined;
  if (!found) {
    throw new Error(
      `policy: "${id}" is not one of ${Object.keys(policies).join(', ')}`,
    );
  }
  return found;
}
