import type { EpisodeEvent } from '@mas/contracts';
import { type LabPanelInput, masProtocol } from '@mas/protocol';
import { type Scenario, simulationModel } from '@mas/simulation';

import { isEscalationWarranted } from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';

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

const everOn = (snapshot: EpisodeSnapshot, drug: string) =>
  snapshot.context.therapies.some((t) => t.drug === drug);

const rules = simulationModel.policy;
const HOUR_MS = 3_600_000;
/** The protocol's interval of monitoring labs (also after remission). */
const monitoringIntervalHours =
  masProtocol.definition.dueTimes.labs.intervalHours;
const refractoryDrug = 'emapalumab';
const screeningsFor = [
  'tb-screening',
  'zoster-prophylaxis',
  'pjp-prophylaxis',
  'fungal-prophylaxis',
] as const;

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
 * The protocol's recommended next steps as a decision rule: glucocorticoid
 * pulse at once (dexamethasone considered in CNS involvement), combination up
 * front when severe, trigger-specific care, reassessment every interval with
 * the labs, escalation after an inadequate response (anakinra, ciclosporin,
 * then emapalumab with four eyes and its screenings), remission and taper,
 * and back to treatment on relapse. Deviations change one option each.
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
      const known = options.actOnResults
        ? view.known
        : { infection: false, ebv: null, malignancy: false };
      const s = view.snapshot;
      const c = s.context;
      const steps: PolicyStep[] = [];
      if (s.status === 'done') return steps;
      // Drugs on board or already planned in this decision.
      const has = (drug: string) =>
        everOn(s, drug) ||
        steps.some(
          (x) => x.type === 'therapy.started' && x.payload['drug'] === drug,
        );
      if (view.hours < options.delayHours) return steps;
      if (
        c.diagnosisBasis === null &&
        (c.criteriaMetAt !== null || view.hours >= options.delayHours)
      ) {
        steps.push(
          c.criteriaMetAt !== null
            ? step('diagnosis.confirmed', { basis: 'criteria' })
            : step(
                'diagnosis.confirmed',
                { basis: 'clinical' },
                { rationale: 'clinical picture of MAS' },
              ),
        );
      }
      if (view.needsOrganSupport && !c.support.includes('ventilation')) {
        steps.push(step('support.started', { kind: 'ventilation' }));
      }
      // Improving: organ support off, severity reassessed.
      if (!view.needsOrganSupport && c.support.includes('ventilation')) {
        steps.push(step('support.stopped', { kind: 'ventilation' }));
      }
      if (c.rapidlyWorsening && c.lastResponse?.verdict === 'responding') {
        steps.push(
          step('severity.assessed', {
            severe: view.needsOrganSupport,
            rapidlyWorsening: false,
          }),
        );
      }
      const plateletsLow =
        (view.panel.platelets?.value ?? Number.POSITIVE_INFINITY) <
        rules.transfusePlateletsBelow.value;
      if (plateletsLow)
        steps.push(step('support.started', { kind: 'transfusion' }));
      const severe = view.needsOrganSupport || c.severe;
      if (view.needsOrganSupport && !c.severe) {
        steps.push(
          step('severity.assessed', { severe: true, rapidlyWorsening: true }),
        );
      }
      // Glucocorticoid pulse.
      if (c.firstGlucocorticoidAt === null) {
        if (view.scenario.cns && options.considerDexamethasone) {
          steps.push(
            step(
              'decision.recorded',
              { topic: 'cns-dexamethasone', choice: 'dexamethasone' },
              {
                rationale:
                  'CNS involvement: dexamethasone crosses the blood-brain barrier',
              },
            ),
            step('therapy.started', { drug: 'dexamethasone', route: 'iv' }),
          );
        } else {
          steps.push(
            step('therapy.started', {
              drug: 'methylprednisolone',
              route: 'iv',
            }),
          );
        }
      }
      // Combination up front when severe, or on over-escalation.
      if ((severe || options.overEscalate) && !has('anakinra')) {
        steps.push(
          step(
            'therapy.started',
            { drug: 'anakinra', route: 'iv' },
            {
              rationale: 'severe MAS: combination up front',
            },
          ),
          step(
            'therapy.started',
            { drug: 'ciclosporin', route: 'iv' },
            {
              rationale: 'severe MAS: combination up front',
            },
          ),
        );
      }
      // Over-escalation: an emergency etoposide start at the first sign
      // of an inadequate response, skipping the steps.
      if (
        options.overEscalate &&
        !has('etoposide') &&
        isEscalationWarranted(c)
      ) {
        steps.push(
          step(
            'therapy.started',
            { drug: 'etoposide', emergency: true },
            { rationale: 'escalating early', actor: 'senior-a' },
          ),
        );
      }
      // Triggers.
      if (known.infection && !c.triggers.infection) {
        steps.push(step('trigger.identified', { trigger: 'infection' }));
      }
      if (
        known.infection &&
        options.antimicrobials &&
        !c.antimicrobialsActive
      ) {
        steps.push(step('antimicrobials.started', { agents: ['ceftriaxone'] }));
      }
      if (known.ebv !== null && !c.triggers.ebv) {
        steps.push(
          step('trigger.identified', {
            trigger: 'ebv',
            ebvCellType: known.ebv,
          }),
        );
      }
      if (known.ebv === 'B' && !has('rituximab')) {
        if (!c.screenings['hbv-serology']) {
          steps.push(
            step('screening.recorded', {
              kind: 'hbv-serology',
              result: 'done',
            }),
          );
        }
        steps.push(step('therapy.started', { drug: 'rituximab' }));
      }
      if (known.malignancy && !c.triggers.malignancy) {
        steps.push(
          step('trigger.identified', { trigger: 'malignancy' }),
          step('malignancy-treatment.started'),
        );
      }
      // Escalation after inadequate responses.
      if (view.failedReassessments >= options.escalateAfter && !c.inRemission) {
        const why = { rationale: 'inadequate response at reassessment' };
        if (!has('anakinra')) {
          steps.push(
            step('therapy.started', { drug: 'anakinra', route: 'iv' }, why),
          );
        } else if (!has('ciclosporin')) {
          steps.push(
            step('therapy.started', { drug: 'ciclosporin', route: 'iv' }, why),
          );
        } else if (
          view.failedReassessments >= options.escalateAfter + 1 &&
          !has(refractoryDrug) &&
          isEscalationWarranted(c)
        ) {
          for (const kind of screeningsFor) {
            if (!c.screenings[kind]) {
              steps.push(step('screening.recorded', { kind, result: 'done' }));
            }
          }
          const pending = c.escalationRequests.find(
            (r) => r.drug === refractoryDrug && r.status === 'pending',
          );
          const approved = c.escalationRequests.find(
            (r) => r.drug === refractoryDrug && r.status === 'approved',
          );
          if (!pending && !approved) {
            const requestId = `sim-${refractoryDrug}-${c.escalationRequests.length + 1}`;
            steps.push(
              step(
                'escalation.requested',
                {
                  requestId,
                  drug: refractoryDrug,
                  evidence: ['seed.refractory.1'],
                },
                {
                  rationale:
                    'refractory to glucocorticoids, anakinra and ciclosporin',
                  actor: 'senior-a',
                },
              ),
              step(
                'escalation.approved',
                { requestId },
                { rationale: 'agreed: refractory MAS', actor: 'senior-b' },
              ),
            );
          }
          steps.push(
            step(
              'therapy.started',
              { drug: refractoryDrug },
              { rationale: 'approved by a second senior', actor: 'senior-a' },
            ),
          );
        }
      }
      // Remission, taper; relapse back to treatment.
      if (
        !c.inRemission &&
        view.respondingReassessments >=
          rules.respondingReassessmentsForRemission.value &&
        view.failedReassessments === 0 &&
        (view.panel.ferritin?.value ?? Number.POSITIVE_INFINITY) <
          rules.remissionFerritinBelow.value
      ) {
        steps.push(
          step(
            'remission.recorded',
            {},
            { rationale: 'labs settling, afebrile' },
          ),
          step('taper.started'),
        );
      }
      // Relapse: ferritin back above the relapse level on consecutive
      // monitoring labs (the latest drawn now). Back to a pulse of the
      // glucocorticoid first chosen, and anakinra on top (a relapse on the
      // taper is glucocorticoid dependence, an inadequate response to
      // glucocorticoids alone).
      const recent = view.ferritinRecorded.slice(
        -rules.relapseConsecutivePanels.value,
      );
      if (
        c.inRemission &&
        c.lastPanel?.at === view.at &&
        recent.length === rules.relapseConsecutivePanels.value &&
        recent.every((f) => f > rules.relapseFerritinAbove.value)
      ) {
        const why = { rationale: 'relapse during the taper' };
        const glucocorticoid =
          c.therapies.find((t) => t.therapyClass === 'glucocorticoid')?.drug ??
          'methylprednisolone';
        steps.push(
          step('relapse.recorded', {}, why),
          step('therapy.started', { drug: glucocorticoid, route: 'iv' }, why),
        );
        if (!has('anakinra')) {
          steps.push(
            step('therapy.started', { drug: 'anakinra', route: 'iv' }, why),
          );
        }
      }
      return steps;
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
  const found = (policies as Record<string, Policy | undefined>)[id];
  if (!found) {
    throw new Error(
      `policy: "${id}" is not one of ${Object.keys(policies).join(', ')}`,
    );
  }
  return found;
}
