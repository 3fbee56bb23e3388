/**
 * One patient's MAS care episode as one statechart. Pure and deterministic:
 * no clock, no I/O, no `after` delays (an episode lives for days across
 * restarts). Due times live in context; time arrives in events.
 *
 * Regions of the open episode:
 * - diagnosis: at risk -> suspected -> work-up -> confirmed (or excluded)
 * - treatment: untreated -> active (first line, escalated, refractory) ->
 *   remission -> taper, with relapse back to active treatment
 * - hold: none / on hold (transfer, awaiting data)
 * - reassessment: not scheduled / on time / overdue (follows the due time)
 * - triggers: infection, malignancy, EBV (parallel concerns)
 * - subtype, support, alerting: follow the context, for tags
 */
import { enqueueActions, not, setup } from 'xstate';

import { masProtocolDefinition } from '@mas/protocol';

import {
  checkEvent,
  isImmunosuppressed,
  therapyClassOf,
} from './mas-episode.checks.js';
import { applyEvent, createInitialContext } from './mas-episode.reducer.js';
import type { Alert } from './mas-episode.types.js';
import type {
  EpisodeContext,
  EpisodeEvent,
  EpisodeInput,
  EpisodeTag,
  Outcome,
} from './mas-episode.types.js';
import { isGlucocorticoidTaper } from './therapy-record.util.js';

/**
 * 2.0.0: complete therapy records (dose, route, schedule, given at) checked
 * in two tiers, other therapies, roles and clinical times checked, the lab
 * picture and the response course (older snapshots are upgraded on restore).
 * 2.1.0: a running course's dose changes (`therapy.dose-changed`); a stop
 * names the course where a drug runs twice; the alerts "a therapy recorded
 * twice" and "glucocorticoid started in remission"; the 2016 criteria read
 * the admission's Still's disease (2.0.0 snapshots restore as they are: the
 * new fields are optional).
 * 2.2.0: a reassessment without a laboratory value keeps the last verdict;
 * findings alone meet no labs due; a second result for a sample already
 * recorded with another value states its reason (the laboratory's own
 * system excepted), and corrects a response baseline taken from it; the
 * alert "running dose outside the limits at the current weight or height"
 * (2.1.0 records are taken over from their stored snapshot at their next
 * event: their steps under 2.1.0 are not replayed by this version).
 * 2.3.0: a record keeps the creatinine clearance given with its dose (a dose
 * change without one keeps the course's), and a dose confirmed outside soft
 * limits is said to be outside them now where a new weight or height puts
 * it further outside than what was confirmed (each record keeps the limits
 * it was confirmed against, past the profile's review drift); a standing
 * alert that turns graver (a warning turned critical) is notified again; the
 * delay alert is worded by times that stay put; a stop naming a day-by-day
 * pulse's current day ends the course; the renal flag names its drug, says
 * what the label advises and clears once the record is given at the
 * label's interval; a pulse schedule is refused for a drug the protocol
 * does not give as pulses; a refusal about one payload field names it; a
 * start refused for its own requirement says the record's own problems too;
 * a course whose dose changed is named by its dose now and since when; the
 * alert of doses outside the rules names each drug once
 * (no 2.3.0 record was written under an earlier form of it: none landed).
 * 2.4.0: a pulse whose last infusion is given (stopped or not) is no longer
 * alerted as a dose outside the limits at a new weight or height, and no
 * dose change is offered for it: no dose of it is left to change; past a
 * hard limit its doses are told as given past it (a warning, until its stop
 * is recorded); a pulse longer than the institution's maximum is flagged; a
 * pulse's days count from its latest dose change; a refusal to name a
 * record names startedAt; the audit keeps a record's flags; the alert log
 * keeps each alert's severity and words as raised. 2.3.0 records
 * are taken over from their stored snapshot at their next event, as
 * earlier ones.
 * 2.5.0: the weight and height held keep when they were measured (the
 * admission's at the opening; a measure's `measuredAt`, else its time): a
 * measure older than the one held is recorded, said, and not used for
 * doses; a dose computed from a measure older than the institution's
 * `doseLimits.measuresValidDays` is warned of; a pulse record of day n > 1
 * that no earlier record bears out, its earlier days within the episode,
 * is warned of (the day it falls on named), as is a dose change naming
 * another day than its course's; a measure older than the one held is
 * not asked to be confirmed as a figure doses would use. 2.4.0 records are taken over
 * from their stored snapshot (their measures' times unknown: a new measure
 * is taken whatever its time, and no measure is called too old).
 */
export const MAS_EPISODE_MACHINE_VERSION = '2.5.0';

/** The effects the machine requests; the shells implement them. */
export type Effect =
  | { type: 'notifyClinician'; params: { alerts: readonly Alert[] } }
  | {
      type: 'requestSecondSenior';
      params: { requestId: string; drug: string; requestedBy: string };
    }
  | {
      type: 'requestCountersignature';
      params: { drug: string; startedBy: string; dueAt: string };
    };

const { stillsDiseases } = masProtocolDefinition;

/** How grave an alert is, to tell one that turned graver. */
const severityRank: Readonly<Record<Alert['severity'], number>> = {
  info: 0,
  warning: 1,
  critical: 2,
};

type RoutedClass =
  'glucocorticoid' | 'second-line' | 'refractory' | 'ebv-directed';

/**
 * The `therapy.started` handlers of a treatment state: each class of drug
 * moves to its line (or stays, where no target is given); anything else the
 * checks allow is recorded in place.
 */
const therapyStarts = (targets: Partial<Record<RoutedClass, string>>) => [
  ...(Object.entries(targets) as [RoutedClass, string][]).map(
    ([therapyClass, target]) => ({
      guard: {
        type: 'isTherapyStartOfClass' as const,
        params: { therapyClass },
      },
      target,
      actions: 'apply' as const,
    }),
  ),
  { guard: 'isAllowed' as const, actions: 'apply' as const },
];

/** Confirming or excluding MAS: possible while suspected or under work-up. */
const diagnosisDecisions = {
  'diagnosis.confirmed': {
    guard: 'isAllowed' as const,
    target: '#masEpisode.open.diagnosis.confirmed',
    actions: 'apply' as const,
  },
  'diagnosis.excluded': {
    guard: 'isAllowed' as const,
    target: '#masEpisode.excluded',
    actions: 'apply' as const,
  },
};

export const masEpisodeMachine = setup({
  types: {
    context: {} as EpisodeContext,
    events: {} as EpisodeEvent,
    input: {} as EpisodeInput,
    tags: {} as EpisodeTag,
    output: {} as { episodeId: string; outcome: Outcome | null },
  },
  guards: {
    isAllowed: ({ context, event }) => checkEvent(context, event).ok,
    isMigrationAllowed: ({ context, event }) => checkEvent(context, event).ok,
    startsTaper: ({ context, event }) =>
      event.type === 'other-therapy.started' &&
      checkEvent(context, event).ok &&
      isGlucocorticoidTaper(event.payload),
    isTherapyStartOfClass: (
      { context, event },
      params: { therapyClass: RoutedClass },
    ) =>
      event.type === 'therapy.started' &&
      therapyClassOf(event.payload.drug) === params.therapyClass &&
      checkEvent(context, event).ok,
    opensOnSuspicion: ({ context }) => context.initialStage === 'suspected',
    isReassessmentScheduled: ({ context }) =>
      context.dues['reassessment']?.dueAt != null,
    isReassessmentOverdue: ({ context }) =>
      context.alerts.some((a) => a.id === 'reassessment-overdue'),
    hasInfection: ({ context }) => context.triggers.infection,
    isInfectionCovered: ({ context }) =>
      context.antimicrobialsActive ||
      context.decisions['infection-antimicrobials'] !== undefined,
    hasMalignancy: ({ context }) => context.triggers.malignancy,
    isMalignancyTreated: ({ context }) => context.malignancyTreatmentStarted,
    hasEbv: ({ context }) => context.triggers.ebv,
    isStillsDisease: ({ context }) =>
      (stillsDiseases as readonly string[]).includes(
        context.patient.underlyingDisease,
      ),
    isSle: ({ context }) => context.patient.underlyingDisease === 'SLE',
    isOtherDisease: ({ context }) =>
      context.patient.underlyingDisease === 'other',
    hasSupport: ({ context }) => context.support.length > 0,
    hasAlerts: ({ context }) => context.alerts.length > 0,
    isImmunosuppressed: ({ context }) => isImmunosuppressed(context),
  },
  actions: {
    /** Applies the event to the context and requests the effects it calls for. */
    apply: enqueueActions(({ context, event, enqueue }) => {
      const next = applyEvent(context, event);
      enqueue.assign(() => next);
      // Sibling actions of `setup` are not in the types of an action defined
      // in the same `setup` (xstate 5 typing limit): the effects are typed
      // by `Effect` above and enqueued by name.
      const effect = (action: Effect) => {
        enqueue(action as never);
      };
      // Raised: new, or standing and graver than it was (a warning turned
      // critical is told as a new one would be).
      const raised = next.alerts.filter((alert) => {
        const was = context.alerts.find((before) => before.id === alert.id);
        return (
          was === undefined ||
          severityRank[alert.severity] > severityRank[was.severity]
        );
      });
      if (raised.length > 0) {
        effect({ type: 'notifyClinician', params: { alerts: raised } });
      }
      if (event.type === 'escalation.requested') {
        effect({
          type: 'requestSecondSenior',
          params: {
            requestId: event.payload.requestId,
            drug: event.payload.drug,
            requestedBy: event.actor.id,
          },
        });
      }
      const emergency =
        next.emergencyStarts.length > context.emergencyStarts.length
          ? next.emergencyStarts[next.emergencyStarts.length - 1]
          : undefined;
      if (emergency) {
        effect({
          type: 'requestCountersignature',
          params: {
            drug: emergency.drug,
            startedBy: emergency.startedBy.id,
            dueAt: next.dues[`countersignature:${emergency.id}`]?.dueAt ?? '',
          },
        });
      }
    }),
    // Effect slots: no-ops here; the service and the simulator fill them in
    // with `.provide()` (notifications, paging, queues).
    notifyClinician: (_, _params: { alerts: readonly Alert[] }) => undefined,
    requestSecondSenior: (
      _,
      _params: { requestId: string; drug: string; requestedBy: string },
    ) => undefined,
    requestCountersignature: (
      _,
      _params: { drug: string; startedBy: string; dueAt: string },
    ) => undefined,
  },
}).createMachine({
  id: 'masEpisode',
  version: MAS_EPISODE_MACHINE_VERSION,
  description:
    "One patient's MAS care episode, from suspicion (or follow-up of an at-risk patient) to an outcome.",
  context: ({ input }) => createInitialContext(input),
  initial: 'open',
  output: ({ context }) => ({
    episodeId: context.episodeId,
    outcome: context.outcome,
  }),
  states: {
    open: {
      type: 'parallel',
      description:
        'The episode is open. Glucocorticoids, antimicrobials, transfusion and organ support are possible in every open stage.',
      on: {
        // Guarded too: the clock is the service's, never a user's.
        'clock.ticked': { guard: 'isAllowed', actions: 'apply' },
        // Its own guard: the model checker provides one that accepts the
        // plan under proof.
        'protocol.migrated': { guard: 'isMigrationAllowed', actions: 'apply' },
        'profile.adopted': { guard: 'isAllowed', actions: 'apply' },
        'labs.recorded': { guard: 'isAllowed', actions: 'apply' },
        'reassessment.recorded': { guard: 'isAllowed', actions: 'apply' },
        'severity.assessed': { guard: 'isAllowed', actions: 'apply' },
        'therapy.stopped': { guard: 'isAllowed', actions: 'apply' },
        'therapy.dose-changed': { guard: 'isAllowed', actions: 'apply' },
        'background-therapy.recorded': { guard: 'isAllowed', actions: 'apply' },
        'escalation.requested': { guard: 'isAllowed', actions: 'apply' },
        'escalation.approved': { guard: 'isAllowed', actions: 'apply' },
        'escalation.rejected': { guard: 'isAllowed', actions: 'apply' },
        'escalation.countersigned': { guard: 'isAllowed', actions: 'apply' },
        'screening.recorded': { guard: 'isAllowed', actions: 'apply' },
        'trigger.identified': { guard: 'isAllowed', actions: 'apply' },
        'antimicrobials.started': { guard: 'isAllowed', actions: 'apply' },
        'antimicrobials.stopped': { guard: 'isAllowed', actions: 'apply' },
        'decision.recorded': { guard: 'isAllowed', actions: 'apply' },
        'malignancy-treatment.started': {
          guard: 'isAllowed',
          actions: 'apply',
        },
        'support.started': { guard: 'isAllowed', actions: 'apply' },
        'support.stopped': { guard: 'isAllowed', actions: 'apply' },
        'other-therapy.started': { guard: 'isAllowed', actions: 'apply' },
        'other-therapy.stopped': { guard: 'isAllowed', actions: 'apply' },
        'measures.recorded': { guard: 'isAllowed', actions: 'apply' },
        'death.recorded': {
          guard: 'isAllowed',
          target: 'died',
          actions: 'apply',
        },
        'transfer-out.recorded': {
          guard: 'isAllowed',
          target: 'transferredOut',
          actions: 'apply',
        },
      },
      states: {
        diagnosis: {
          description: 'Where the diagnosis stands.',
          initial: 'atRisk',
          states: {
            atRisk: {
              description:
                'A patient with sJIA, AOSD or SLE followed before any suspicion; every recorded panel is screened.',
              tags: ['at-risk'],
              meta: { evidence: ['seed.pitfalls.3', 'review.section-10'] },
              always: { guard: 'opensOnSuspicion', target: 'suspected' },
              on: {
                'suspicion.recorded': {
                  guard: 'isAllowed',
                  target: 'suspected',
                  actions: 'apply',
                },
              },
            },
            suspected: {
              description: 'MAS is suspected; treatment may start now.',
              tags: ['suspected'],
              meta: { evidence: ['seed.initial.3', 'seed.pitfalls.1'] },
              on: {
                'workup.started': {
                  guard: 'isAllowed',
                  target: 'workUp',
                  actions: 'apply',
                },
                ...diagnosisDecisions,
              },
            },
            workUp: {
              description:
                'Diagnostic work-up under way (criteria labs, marrow, triggers).',
              tags: ['work-up'],
              meta: { evidence: ['seed.monitoring.2', 'seed.pitfalls.3'] },
              on: {
                ...diagnosisDecisions,
              },
            },
            confirmed: {
              description:
                'MAS confirmed, on criteria or on clinical grounds with a rationale.',
              tags: ['confirmed'],
              meta: {
                evidence: [
                  'lit.ravelli-2016',
                  'lit.fardet-2014',
                  'lit.henter-2007',
                ],
              },
            },
          },
        },
        treatment: {
          description: 'The line of treatment and the response to it.',
          initial: 'untreated',
          states: {
            untreated: {
              description: 'No immunosuppression started in this episode.',
              tags: ['untreated'],
              meta: { evidence: ['seed.initial.3', 'review.section-10'] },
              on: {
                'therapy.started': therapyStarts({
                  glucocorticoid: '#masEpisode.open.treatment.active.firstLine',
                  'ebv-directed': '#masEpisode.open.treatment.active.firstLine',
                  'second-line': '#masEpisode.open.treatment.active.escalated',
                  refractory: '#masEpisode.open.treatment.active.refractory',
                }),
              },
            },
            active: {
              description:
                'Active treatment; reassessment at least every 12 h.',
              initial: 'firstLine',
              on: {
                'remission.recorded': {
                  guard: 'isAllowed',
                  target: 'remission',
                  actions: 'apply',
                },
              },
              states: {
                firstLine: {
                  description:
                    'High-dose glucocorticoid pulse (methylprednisolone; dexamethasone with CNS involvement), or trigger-directed rituximab for EBV.',
                  tags: ['first-line'],
                  meta: {
                    evidence: [
                      'seed.lead',
                      'seed.initial.1',
                      'seed.initial.2',
                      'seed.initial.4',
                      'seed.refractory.4',
                    ],
                  },
                  on: {
                    'therapy.started': therapyStarts({
                      'second-line':
                        '#masEpisode.open.treatment.active.escalated',
                      refractory:
                        '#masEpisode.open.treatment.active.refractory',
                    }),
                  },
                },
                escalated: {
                  description:
                    'Second-line or combination therapy (ciclosporin, high-dose anakinra, tocilizumab).',
                  tags: ['escalated'],
                  meta: {
                    evidence: [
                      'seed.second-line.1',
                      'seed.second-line.2',
                      'seed.second-line.3',
                      'seed.second-line.4',
                      'seed.second-line.5',
                      'seed.subtype.1',
                      'seed.emerging.1',
                      'seed.emerging.3',
                    ],
                  },
                  on: {
                    'therapy.started': therapyStarts({
                      refractory:
                        '#masEpisode.open.treatment.active.refractory',
                    }),
                  },
                },
                refractory: {
                  description:
                    'Refractory therapy (emapalumab, JAK inhibitor, low-dose etoposide) approved by four eyes or started as an emergency.',
                  tags: ['refractory'],
                  meta: {
                    evidence: [
                      'seed.refractory.1',
                      'seed.refractory.2',
                      'seed.refractory.3',
                    ],
                  },
                  on: {
                    'therapy.started': therapyStarts({}),
                  },
                },
                history: { type: 'history', history: 'shallow' },
              },
            },
            remission: {
              description:
                'In remission; not final: a relapse returns to treatment.',
              tags: ['remission'],
              meta: { evidence: ['seed.monitoring.3', 'review.section-10'] },
              on: {
                'therapy.started': therapyStarts({}),
                'taper.started': {
                  guard: 'isAllowed',
                  target: 'taper',
                  actions: 'apply',
                },
                // The oral glucocorticoid taper recorded as another therapy
                // is the taper the protocol tracks.
                'other-therapy.started': [
                  {
                    guard: 'startsTaper',
                    target: 'taper',
                    actions: 'apply',
                  },
                  { guard: 'isAllowed', actions: 'apply' },
                ],
                'relapse.recorded': {
                  guard: 'isAllowed',
                  target: '#masEpisode.open.treatment.active.history',
                  actions: 'apply',
                },
                'episode.closed': {
                  guard: 'isAllowed',
                  target: '#masEpisode.closed',
                  actions: 'apply',
                },
              },
            },
            taper: {
              description: 'Tapering treatment in remission.',
              tags: ['taper'],
              meta: { evidence: ['review.section-10'] },
              on: {
                'therapy.started': therapyStarts({}),
                'relapse.recorded': {
                  guard: 'isAllowed',
                  target: '#masEpisode.open.treatment.active.history',
                  actions: 'apply',
                },
                'episode.closed': {
                  guard: 'isAllowed',
                  target: '#masEpisode.closed',
                  actions: 'apply',
                },
              },
            },
          },
        },
        hold: {
          description:
            'Transfer between units or awaiting data. Due times pause or not as each declares; reassessment under immunosuppression never pauses.',
          initial: 'none',
          states: {
            none: {
              description: 'Not on hold.',
              on: {
                'hold.started': {
                  guard: 'isAllowed',
                  target: 'onHold',
                  actions: 'apply',
                },
              },
            },
            onHold: {
              description: 'On hold.',
              tags: ['on-hold'],
              meta: { evidence: ['review.section-10', 'seed.monitoring.1'] },
              on: {
                'hold.ended': {
                  guard: 'isAllowed',
                  target: 'none',
                  actions: 'apply',
                },
              },
            },
          },
        },
        reassessment: {
          description: 'The 12-hourly clinical reassessment, as a due time.',
          initial: 'notScheduled',
          states: {
            notScheduled: {
              description:
                'No reassessment due (not yet suspected or treated).',
              always: [
                { guard: 'isReassessmentOverdue', target: 'overdue' },
                { guard: 'isReassessmentScheduled', target: 'onTime' },
              ],
            },
            onTime: {
              description: 'The next reassessment is due later.',
              tags: ['on-time'],
              meta: { evidence: ['seed.monitoring.1'] },
              always: [
                { guard: 'isReassessmentOverdue', target: 'overdue' },
                {
                  guard: not('isReassessmentScheduled'),
                  target: 'notScheduled',
                },
              ],
            },
            overdue: {
              description:
                'Past due: visibly overdue until a reassessment is recorded.',
              tags: ['overdue'],
              meta: { evidence: ['seed.monitoring.1'] },
              always: {
                guard: not('isReassessmentOverdue'),
                target: 'notScheduled',
              },
            },
          },
        },
        triggers: {
          description: 'Triggers as parallel concerns.',
          type: 'parallel',
          states: {
            infection: {
              description:
                'Infection trigger: antimicrobials alongside immunosuppression.',
              initial: 'absent',
              states: {
                absent: {
                  description: 'No infection recorded.',
                  always: { guard: 'hasInfection', target: 'present' },
                },
                present: {
                  description: 'Infection recorded.',
                  tags: ['infection'],
                  meta: { evidence: ['seed.subtype.3', 'seed.pitfalls.2'] },
                  initial: 'uncovered',
                  states: {
                    uncovered: {
                      description:
                        'No antimicrobials and no recorded decision: alert (never a block).',
                      always: {
                        guard: 'isInfectionCovered',
                        target: 'covered',
                      },
                    },
                    covered: {
                      description:
                        'Antimicrobials active, or a decision recorded (e.g. no specific antimicrobial, viral trigger).',
                      always: {
                        guard: not('isInfectionCovered'),
                        target: 'uncovered',
                      },
                    },
                  },
                },
              },
            },
            malignancy: {
              description: 'Malignancy trigger: treat the malignancy too.',
              initial: 'absent',
              states: {
                absent: {
                  description: 'No malignancy recorded.',
                  always: { guard: 'hasMalignancy', target: 'present' },
                },
                present: {
                  description: 'Malignancy recorded.',
                  tags: ['malignancy'],
                  meta: { evidence: ['seed.subtype.2'] },
                  initial: 'untreated',
                  states: {
                    untreated: {
                      description: 'Malignancy not yet treated: alert.',
                      always: {
                        guard: 'isMalignancyTreated',
                        target: 'treated',
                      },
                    },
                    treated: {
                      description: 'Malignancy-directed treatment started.',
                    },
                  },
                },
              },
            },
            ebv: {
              description: 'EBV trigger: rituximab may be beneficial.',
              initial: 'absent',
              states: {
                absent: {
                  description: 'No EBV recorded.',
                  always: { guard: 'hasEbv', target: 'present' },
                },
                present: {
                  description: 'EBV recorded.',
                  tags: ['ebv'],
                  meta: { evidence: ['seed.refractory.4'] },
                },
              },
            },
          },
        },
        subtype: {
          description: 'The underlying disease.',
          initial: 'unclassified',
          states: {
            unclassified: {
              description:
                'Underlying disease unknown (resolved at once when the record names one).',
              always: [
                { guard: 'isStillsDisease', target: 'stills' },
                { guard: 'isSle', target: 'sle' },
                { guard: 'isOtherDisease', target: 'other' },
              ],
            },
            stills: {
              description:
                "Still's disease (sJIA, AOSD): tocilizumab is an option.",
              meta: { evidence: ['seed.subtype.1'] },
            },
            sle: { description: 'Systemic lupus erythematosus.' },
            other: { description: 'Another named underlying disease.' },
          },
        },
        support: {
          description: 'Supportive care (starts and stops at any time).',
          initial: 'none',
          states: {
            none: {
              description: 'No supportive care active.',
              always: { guard: 'hasSupport', target: 'active' },
            },
            active: {
              description: 'Supportive care active.',
              tags: ['supportive-care'],
              meta: {
                evidence: [
                  'seed.supportive.1',
                  'seed.supportive.2',
                  'seed.supportive.3',
                ],
              },
              always: { guard: not('hasSupport'), target: 'none' },
            },
          },
        },
        alerting: {
          description: 'Whether any alert is active.',
          initial: 'quiet',
          states: {
            quiet: {
              description: 'No active alert.',
              always: { guard: 'hasAlerts', target: 'alerting' },
            },
            alerting: {
              description: 'At least one alert is active.',
              tags: ['alerting'],
              meta: { evidence: ['seed.pitfalls.4', 'seed.pitfalls.1'] },
              always: { guard: not('hasAlerts'), target: 'quiet' },
            },
          },
        },
      },
    },
    excluded: {
      description: 'MAS excluded: the episode is closed.',
      type: 'final',
      tags: ['final'],
    },
    died: { description: 'The patient died.', type: 'final', tags: ['final'] },
    transferredOut: {
      description: 'Transferred out of this service.',
      type: 'final',
      tags: ['final'],
    },
    closed: {
      description: 'Closed after remission.',
      type: 'final',
      tags: ['final'],
    },
  },
});

export type MasEpisodeMachine = typeof masEpisodeMachine;
