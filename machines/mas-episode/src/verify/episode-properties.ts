/**
 * The safety properties of the care episode, each stated as the clinical rule
 * in its own terms: a premise and a conclusion over what the record says
 * happened (protocol-facts.ts, from the accepted events alone) and what the
 * machine answers (alerts, tags, what it accepts). They do not call the
 * machine's checks or alert functions, so they do not restate the code they
 * check. A property reads only a `CheckedState`, never the context, so all it
 * reads is in the state key.
 */
import type { EpisodeActor, EpisodeEvent } from '@mas/contracts';
import { supportKinds } from '@mas/contracts';
import { type DrugId, masProtocolDefinition } from '@mas/protocol';

import type { AlertId } from '../lib/mas-episode.types.js';
import { standardPrescription } from '../lib/prescription.util.js';
import {
  cannotReach,
  type CheckedState,
  type Property,
} from './model-checker.js';
import {
  classOf,
  doseMgOf,
  drugsOfClass,
  givesDosesAt,
  type PulseRecordFact,
  rangeTopMg,
} from './protocol-facts.js';

const SENIOR = 'senior-clinician';
const PRESCRIBERS = ['clinician', SENIOR];

const alerting = (state: CheckedState, id: AlertId) =>
  state.observed.alerts.includes(id);

const open = (state: CheckedState) => !state.final;

const probeActor: EpisodeActor = { id: 'probe', role: 'clinician' };
const probe = (
  state: CheckedState,
  type: EpisodeEvent['type'],
  payload: unknown,
): EpisodeEvent =>
  ({ type, at: state.now, actor: probeActor, payload }) as EpisodeEvent;

/** A complete start of `drug` at the patient's standard prescription, now. */
const prescribed = (state: CheckedState, drug: string) => ({
  drug,
  ...standardPrescription(
    drug as DrugId,
    state.root.patient,
    state.root.profile,
  ),
  givenAt: state.now,
});

/** A record of a dose given: a start, or a running course's new dose. */
const recordsDose = (
  event: EpisodeEvent,
): event is Extract<
  EpisodeEvent,
  { type: 'therapy.started' | 'therapy.dose-changed' }
> => event.type === 'therapy.started' || event.type === 'therapy.dose-changed';

/** The institution's hard-limit factor over the upper soft limit, if set. */
const hardFactor = (state: CheckedState): number | undefined =>
  (
    state.root.profile.data as {
      doseLimits?: { hardFactorAboveSoftMax?: number };
    }
  ).doseLimits?.hardFactorAboveSoftMax;

/**
 * The hard limit of a methylprednisolone infusion at the patient's weight
 * now (the institution's factor times the protocol's upper end for that
 * weight), if the institution set the factor.
 */
const hardLimitNowMg = (state: CheckedState): number | undefined => {
  const factor = hardFactor(state);
  return factor === undefined
    ? undefined
    : factor *
        rangeTopMg({
          patient: { weightKg: state.facts.weightKg },
          profile: state.root.profile,
        });
};

/**
 * An open state in a slice that reweighs with a running methylprednisolone
 * record (of those `which` picks) past the hard limit at the weight now.
 * (Read where the slice reweighs: elsewhere the key leaves out when each
 * record ends, and no dose is past the hard limit.)
 */
function pastHardLimitNow(
  state: CheckedState,
  which: (record: PulseRecordFact) => boolean,
): boolean {
  const limit = hardLimitNowMg(state);
  return (
    open(state) &&
    state.observed.measuresChange &&
    limit !== undefined &&
    (state.facts.methylprednisolone ?? []).some(
      (record) => record.mg > limit && which(record),
    )
  );
}

const startOf = (event: EpisodeEvent, therapyClass?: string) =>
  event.type === 'therapy.started' &&
  (therapyClass === undefined || classOf(event.payload.drug) === therapyClass);

const immunosuppressed = (state: CheckedState) =>
  state.facts.active.length > 0 ||
  (state.facts.background.length > 0 && state.facts.suspected);

/** Drugs whose latest escalation request stands rejected. */
/** Drugs a rejection stands against: rejected, and not approved since (a new request does not lift it). */
const rejectedDrugs = (state: CheckedState) =>
  Object.entries(state.facts.requests)
    .filter(
      ([, request]) =>
        request.status === 'rejected' ||
        (request.status === 'pending' && request.rejectionStands === true),
    )
    .map(([drug]) => drug);

/** Organ support, CNS involvement or haemorrhage (clinical-facts §10). */
const severitySign = (state: CheckedState) =>
  state.facts.organSupport.length > 0 ||
  state.facts.cnsReported ||
  state.facts.haemorrhageReported;

const reassessmentScheduled = (state: CheckedState) => {
  const due = state.observed.dues.find((d) => d.startsWith('reassessment:'));
  return due !== undefined && due !== 'reassessment:-';
};

const requiredScreenings = masProtocolDefinition.requiredScreenings as Record<
  string,
  readonly string[]
>;

export const episodeProperties: readonly Property[] = [
  {
    id: 'P1',
    name: 'Second-line or refractory therapy before any glucocorticoid only with a recorded rationale, and the team is alerted until one starts',
    protects: ['seed.lead', 'seed.initial.1', 'review.section-10'],
    kind: 'transition',
    applies: (before, event) =>
      (startOf(event, 'second-line') || startOf(event, 'refractory')) &&
      !before.facts.glucocorticoidGiven,
    holds: (_, event, after) =>
      event.rationale !== undefined &&
      alerting(after, 'second-line-before-glucocorticoid'),
  },
  {
    id: 'P2',
    name: 'Refractory therapy only after an inadequate response or rapid worsening, and only approved by a second, different senior, or started as an emergency by a senior with a rationale',
    protects: ['seed.refractory.1', 'seed.second-line.1', 'review.section-10'],
    kind: 'transition',
    applies: (_, event) => startOf(event, 'refractory'),
    holds: (before, event) => {
      if (event.type !== 'therapy.started') return true;
      const warranted =
        before.observed.response.verdict === 'inadequate' ||
        before.observed.response.verdict === 'worsening' ||
        before.facts.markedRapidlyWorsening;
      const request = before.facts.requests[event.payload.drug];
      const approved =
        request?.status === 'approved' &&
        request.requesterRole === SENIOR &&
        request.deciderRole === SENIOR &&
        request.decidedBy !== request.requestedBy;
      const emergency =
        event.payload.emergency === true &&
        event.actor.role === SENIOR &&
        event.rationale !== undefined;
      return warranted && (approved || emergency);
    },
  },
  {
    id: 'P2b',
    name: 'An emergency start not countersigned within the institution window raises the countersignature alert',
    protects: ['review.section-10'],
    kind: 'state',
    applies: (state) =>
      open(state) &&
      state.facts.emergencies.some(
        (e) => !e.countersigned && e.hoursOpen > state.facts.windowHours,
      ),
    holds: (state) => alerting(state, 'countersignature-overdue'),
  },
  {
    id: 'P2c',
    name: 'An emergency start never overrides a rejection: once a request for a drug is rejected, and until a second senior approves one, a senior cannot start it as an emergency (a new request does not lift the rejection)',
    protects: ['review.section-10'],
    kind: 'state',
    applies: (state) => open(state) && rejectedDrugs(state).length > 0,
    holds: (state) =>
      rejectedDrugs(state).every(
        (drug) =>
          !state.can({
            type: 'therapy.started',
            at: state.now,
            actor: { id: 'probe-senior', role: SENIOR },
            payload: { ...prescribed(state, drug), emergency: true },
            rationale: 'probe',
          } as EpisodeEvent),
      ),
  },
  {
    id: 'P2d',
    name: 'Whoever started a drug as an emergency never countersigns it; only a senior countersigns',
    protects: ['review.section-10'],
    kind: 'transition',
    applies: (_, event) => event.type === 'escalation.countersigned',
    holds: (before, event) => {
      if (event.type !== 'escalation.countersigned') return true;
      const start = before.facts.emergencies.find(
        (e) => e.drug === event.payload.drug && !e.countersigned,
      );
      return (
        start !== undefined &&
        event.actor.role === SENIOR &&
        event.actor.id !== start.startedBy
      );
    },
  },
  {
    id: 'P2e',
    name: 'Only seniors request, approve or reject refractory therapy, never their own request; only seniors start it as an emergency; only prescribers start it at all',
    protects: ['review.section-10', 'seed.refractory.1'],
    kind: 'transition',
    applies: (_, event) =>
      event.type === 'escalation.requested' ||
      event.type === 'escalation.approved' ||
      event.type === 'escalation.rejected' ||
      startOf(event, 'refractory'),
    holds: (before, event) => {
      if (event.type === 'escalation.requested') {
        return event.actor.role === SENIOR;
      }
      if (
        event.type === 'escalation.approved' ||
        event.type === 'escalation.rejected'
      ) {
        const pending = Object.values(before.facts.requests).find(
          (r) => r.status === 'pending',
        );
        return (
          event.actor.role === SENIOR &&
          pending !== undefined &&
          pending.requestedBy !== event.actor.id
        );
      }
      if (event.type === 'therapy.started') {
        // An emergency start is one without an approval; a start after an
        // approval is the approved start, whatever its flag says.
        const emergency =
          event.payload.emergency === true &&
          before.facts.requests[event.payload.drug]?.status !== 'approved';
        return (
          PRESCRIBERS.includes(event.actor.role) &&
          (!emergency || event.actor.role === SENIOR)
        );
      }
      return true;
    },
  },
  {
    id: 'P3',
    name: 'No rituximab unless EBV is recorded as the trigger',
    protects: ['seed.refractory.4', 'review.section-10'],
    kind: 'transition',
    applies: (_, event) =>
      event.type === 'therapy.started' && event.payload.drug === 'rituximab',
    holds: (before) => before.facts.ebv,
  },
  {
    id: 'P4',
    name: 'An infection trigger with neither antimicrobials nor a recorded decision is alerted, and the alert clears once either is recorded',
    protects: ['seed.subtype.3', 'seed.pitfalls.2'],
    kind: 'state',
    applies: (state) =>
      open(state) &&
      (state.facts.infection ||
        alerting(state, 'infection-without-antimicrobials')),
    holds: (state) =>
      alerting(state, 'infection-without-antimicrobials') ===
      (state.facts.infection &&
        !state.facts.antimicrobials &&
        !state.facts.decisions.includes('infection-antimicrobials')),
  },
  {
    id: 'P5',
    name: 'CNS involvement on any panel, while no dexamethasone was given and no decision recorded, is alerted; the alert clears once either is',
    protects: ['seed.initial.2', 'review.section-10'],
    kind: 'state',
    applies: (state) =>
      open(state) &&
      (state.facts.cnsReported || alerting(state, 'cns-without-dexamethasone')),
    holds: (state) =>
      alerting(state, 'cns-without-dexamethasone') ===
      (state.facts.cnsReported &&
        !state.facts.dexamethasoneGiven &&
        !state.facts.decisions.includes('cns-dexamethasone')),
  },
  {
    id: 'P6',
    name: `On immunosuppression and not in remission, a reassessment is always scheduled and never paused (whatever the hold), and once its time has passed the episode shows it overdue`,
    protects: ['seed.monitoring.1', 'review.section-10'],
    kind: 'state',
    applies: (state) =>
      open(state) && immunosuppressed(state) && !state.facts.inRemission,
    holds: (state) => {
      const due = state.observed.dues.find((d) =>
        d.startsWith('reassessment:'),
      );
      if (due === undefined || due === 'reassessment:-') return false;
      if (due.startsWith('reassessment:paused')) return false;
      const passed = due === 'reassessment:fired';
      return (
        !passed ||
        (alerting(state, 'reassessment-overdue') && state.hasTag('overdue'))
      );
    },
  },
  {
    id: 'P7',
    name: 'In every open state every glucocorticoid of the protocol is allowed (a repeat pulse included), antimicrobials are allowed, and every supportive care not already running can start',
    protects: ['review.section-10', 'seed.supportive.1', 'seed.supportive.2'],
    kind: 'state',
    applies: open,
    holds: (state) =>
      drugsOfClass('glucocorticoid').every((drug) =>
        state.can(probe(state, 'therapy.started', prescribed(state, drug))),
      ) &&
      state.can(
        probe(state, 'antimicrobials.started', { agents: ['probe'] }),
      ) &&
      supportKinds.every(
        (kind) =>
          state.observed.support.includes(kind) ||
          state.can(probe(state, 'support.started', { kind })),
      ),
  },
  {
    id: 'P8',
    name: 'Organ support, CNS involvement or haemorrhage in an episode not marked severe raises "severity underestimated"; marking it severe clears it',
    protects: ['seed.pitfalls.4', 'seed.second-line.5'],
    kind: 'state',
    applies: (state) =>
      open(state) &&
      (severitySign(state) || alerting(state, 'severity-underestimated')),
    holds: (state) =>
      alerting(state, 'severity-underestimated') ===
      (severitySign(state) && !state.facts.markedSevere),
  },
  {
    id: 'P9',
    name: 'A drug with required screenings (emapalumab: TB and prophylaxis; rituximab: HBV) starts only with each of them recorded or overridden',
    protects: [
      'seed.refractory.1',
      'seed.refractory.4',
      'lit.emapalumab-label',
      'lit.rituximab-label',
    ],
    kind: 'transition',
    applies: (_, event) =>
      event.type === 'therapy.started' &&
      (requiredScreenings[event.payload.drug] ?? []).length > 0,
    holds: (before, event) =>
      event.type === 'therapy.started' &&
      (requiredScreenings[event.payload.drug] ?? []).every((kind) =>
        before.facts.screenings.includes(kind),
      ),
  },
  {
    id: 'P10a',
    name: 'From every state under active treatment, remission is reachable (nothing the protocol records traps a patient in treatment)',
    protects: ['seed.monitoring.3', 'review.section-10'],
    kind: 'graph',
    applies: (node) =>
      !node.summary.final && node.summary.treatment === 'active',
    failing: (graph) =>
      cannotReach(
        graph,
        (node) => node.summary.treatment === 'remission',
        (node) => !node.summary.final && node.summary.treatment === 'active',
      ),
  },
  {
    id: 'P10b',
    name: 'From remission and taper a relapse is reachable (remission is not final)',
    protects: ['review.section-10'],
    kind: 'graph',
    applies: (node) =>
      node.summary.treatment === 'remission' ||
      node.summary.treatment === 'taper',
    failing: (graph) =>
      cannotReach(
        graph,
        (node) => node.summary.relapsed && node.summary.treatment === 'active',
        (node) =>
          node.summary.treatment === 'remission' ||
          node.summary.treatment === 'taper',
      ),
  },
  {
    id: 'P10c',
    name: 'From every open state an outcome other than death is reachable (closure after remission, exclusion or transfer out)',
    protects: ['seed.monitoring.3', 'review.section-10'],
    kind: 'graph',
    applies: (node) => !node.summary.final,
    failing: (graph) =>
      cannotReach(
        graph,
        (node) => node.summary.final && node.summary.outcome !== 'died',
        (node) => !node.summary.final,
      ),
  },
  {
    id: 'P11',
    name: 'No therapy is recorded, nor its dose changed, without the dose (a positive amount in a mass unit), route, schedule and the time it was given',
    protects: ['software.recording', 'seed.initial.1'],
    kind: 'transition',
    applies: (_, event) => recordsDose(event),
    holds: (_, event) => {
      if (!recordsDose(event)) return true;
      const payload = event.payload as Partial<typeof event.payload>;
      return (
        doseMgOf(event) > 0 &&
        typeof payload.route === 'string' &&
        typeof payload.schedule?.kind === 'string' &&
        typeof payload.givenAt === 'string'
      );
    },
  },
  {
    id: 'P12',
    name: "No methylprednisolone infusion above the institution's hard-limit factor times the upper end of the protocol's range for this patient (30 mg/kg, within the 1 g cap per infusion) is ever accepted, at a start or as a running course's new dose, whatever the rationale or confirmation (a tenfold slip, or one just past the limit)",
    protects: ['software.recording', 'seed.initial.1', 'review.section-10'],
    kind: 'transition',
    // A start, or a running course's new dose.
    applies: (before, event) =>
      recordsDose(event) &&
      event.payload.drug === 'methylprednisolone' &&
      hardFactor(before) !== undefined,
    holds: (before, event) =>
      !recordsDose(event) ||
      doseMgOf(event) <=
        (hardFactor(before) ?? Infinity) * rangeTopMg(before.root),
  },
  {
    id: 'P13',
    name: "The scheduler's clock event is accepted from the service alone, never from a user",
    protects: ['software.recording', 'seed.monitoring.1'],
    kind: 'transition',
    applies: (_, event) => event.type === 'clock.ticked',
    holds: (_, event) => event.actor.role === 'system',
  },
  {
    id: 'P14',
    name: 'Once set, the reassessment due time is never lost while the episode is open and not in remission (no event clears it)',
    protects: ['seed.monitoring.1', 'review.section-10'],
    kind: 'transition',
    applies: (before, _event, after) =>
      open(after) && !after.facts.inRemission && reassessmentScheduled(before),
    holds: (_before, _event, after) => reassessmentScheduled(after),
  },
  {
    id: 'P16',
    name: 'A stop that names no record is taken only while the drug runs as one course: of a drug recorded twice, the ward says which record stops (an unnamed stop never ends both, nor is taken as if it had)',
    protects: ['software.recording', 'seed.initial.1'],
    kind: 'transition',
    applies: (_, event) =>
      event.type === 'therapy.stopped' && event.payload.startedAt === undefined,
    // (In the alphabet every course is recorded as its first day: two
    // records of a drug are two courses, never one recorded day by day.)
    holds: (before, event) =>
      event.type !== 'therapy.stopped' ||
      before.facts.active.filter((drug) => drug === event.payload.drug)
        .length <= 1,
  },
  {
    id: 'P17',
    name: "A running methylprednisolone infusion past the hard limit at the patient's weight now (accepted within it, then a lower weight recorded) is alerted as outside the limits now, as critical, for as long as its schedule has a dose to give (a pulse until its last infusion)",
    protects: ['seed.initial.1', 'review.section-10', 'software.recording'],
    kind: 'state',
    applies: (state) =>
      pastHardLimitNow(state, (record) => givesDosesAt(record, state.now)),
    holds: (state) =>
      state.observed.criticalAlerts.includes('dose-outside-limits-now'),
  },
  {
    id: 'P17b',
    name: 'A methylprednisolone pulse whose last infusion is given, nobody having recorded its stop, is never alerted as a dose outside the limits now: no dose of it is left to change, whatever the weight recorded since',
    protects: ['seed.initial.1', 'review.section-10'],
    kind: 'state',
    applies: (state) => {
      const records = state.facts.methylprednisolone;
      return (
        open(state) &&
        state.observed.measuresChange &&
        records !== null &&
        records.length > 0 &&
        records.every((record) => !givesDosesAt(record, state.now)) &&
        state.facts.background.length === 0 &&
        state.facts.active.every((drug) => drug === 'methylprednisolone')
      );
    },
    holds: (state) =>
      !state.observed.alerts.includes('dose-outside-limits-now'),
  },
  {
    id: 'P17c',
    name: "A methylprednisolone pulse whose last infusion is given, its stop never recorded, whose dose is past the hard limit at the patient's weight now is told as given past the limit (no dose is left to change, but if the weight was wrong, the doses given were too high)",
    protects: ['seed.initial.1', 'review.section-10', 'software.recording'],
    kind: 'state',
    applies: (state) =>
      pastHardLimitNow(
        state,
        (record) => record.pulse && !givesDosesAt(record, state.now),
      ),
    holds: (state) =>
      state.observed.alerts.includes('dose-given-outside-limits-now'),
  },
  {
    id: 'P15',
    name: "The subtype shown follows the patient's recorded underlying disease (Still's disease, SLE, another named one)",
    protects: ['seed.subtype.1'],
    kind: 'state',
    applies: open,
    holds: (state) => {
      const value = state.value as { open?: { subtype?: unknown } };
      const disease = state.root.patient.underlyingDisease;
      const expected = (
        masProtocolDefinition.stillsDiseases as readonly string[]
      ).includes(disease)
        ? 'stills'
        : disease === 'SLE'
          ? 'sle'
          : disease === 'other'
            ? 'other'
            : 'unclassified';
      return value.open?.subtype === expected;
    },
  },
];
