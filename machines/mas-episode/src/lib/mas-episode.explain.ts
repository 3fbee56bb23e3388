/**
 * Explains any snapshot: the stage in words, the alerts, the events allowed
 * now (each with the JSON Schema of its payload) and the events blocked, with
 * the reason in words and the evidence behind the rule. The API and the UI
 * show this; `snapshot.can` decides, the pure checks say why.
 */
import { getNextTransitions, type SnapshotFrom } from 'xstate';

import {
  backgroundDrugs,
  decisionTopics,
  type EpisodeActor,
  type EpisodeEvent,
  type EpisodeEventOf,
  type EpisodeEventType,
  payloadJsonSchema,
  refractoryDrugs,
  type RouteOfAdministration,
  screeningKinds,
  supportKinds,
  triggerKinds,
} from '@mas/contracts';
import {
  type ActionGroup,
  alertLabels,
  ClinicalInputError,
  type DrugId,
  drugIds,
  eventGroup,
  eventLabel,
  eventLabels,
  eventWording,
  type EventWords,
  masProtocolDefinition,
  rolesFor,
} from '@mas/protocol';

import {
  activeTherapies,
  checkEvent,
  therapyClassOf,
  therapyEvidence,
} from './mas-episode.checks.js';
import type { MasEpisodeMachine } from './mas-episode.machine.js';
import type { Alert, AlertId, EpisodeContext } from './mas-episode.types.js';
import { standardPrescription } from './prescription.util.js';
import {
  continuedRecords,
  givesMoreDoses,
  recordedDoseCheck,
  recordPrescription,
  recordText,
  scheduleAt,
  scheduleEndsAt,
} from './therapy-record.util.js';
import { toMs } from './time.util.js';

export type EpisodeSnapshot = SnapshotFrom<MasEpisodeMachine>;

export interface EventOption {
  readonly type: EpisodeEventType;
  /** Which drug, kind or topic, where the type has several. */
  readonly variant?: string;
  /** The event in clinical words, from protocol data ("Start anakinra"). */
  readonly label: string;
  /** The task it belongs to (diagnose, treat, escalate, ...). */
  readonly group: ActionGroup;
  readonly status: 'allowed' | 'allowed-with-rationale' | 'blocked';
  readonly reason: string;
  readonly evidence: readonly string[];
  /** A payload that would be accepted, as a starting point for forms. */
  readonly examplePayload: unknown;
  readonly payloadSchema?: unknown;
}

export interface EpisodeExplanation {
  readonly value: unknown;
  readonly stage: string;
  readonly final: boolean;
  readonly tags: readonly string[];
  readonly alerts: readonly Alert[];
  readonly allowed: readonly EventOption[];
  readonly blocked: readonly EventOption[];
  readonly protocol: EpisodeContext['protocol'];
  readonly profile: EpisodeContext['profile'];
}

/**
 * Every event and every alert with its words in protocol data: a new event
 * or alert without them does not compile.
 */
export const wordedEventsAndAlerts: {
  readonly events: Readonly<Record<EpisodeEventType, EventWords>>;
  readonly alerts: Readonly<Record<AlertId, string>>;
} = { events: eventLabels, alerts: alertLabels };

const otherSenior: EpisodeActor = {
  id: '(a second senior)',
  role: 'senior-clinician',
};
const clinician: EpisodeActor = { id: '(clinician)', role: 'clinician' };

interface Candidate {
  readonly event: EpisodeEvent;
  readonly variant?: string;
  /** The event in clinical words, and the task it belongs to. */
  readonly label: string;
  readonly group: ActionGroup;
}

function representative(
  type: EpisodeEventType,
  at: string,
  payload: unknown,
  variant: string | undefined,
  actor: EpisodeActor,
): Candidate {
  // The payload names the drug, kind or topic; else the variant does (a
  // free-text medication, "oral glucocorticoid taper").
  const wording = eventWording(type, payload);
  const subject = wording.subject ?? variant;
  const drugClass =
    type === 'therapy.started' && subject !== undefined
      ? therapyClassOf(subject)
      : undefined;
  return {
    event: { type, at, actor, payload } as EpisodeEvent,
    ...(variant === undefined ? {} : { variant }),
    label: eventLabel(type, subject, wording.qualifier),
    // A drug beyond the first line is an escalation, whatever starts it.
    group:
      drugClass !== undefined && drugClass !== 'glucocorticoid'
        ? 'escalate'
        : eventGroup(type, wording.qualifier),
  };
}

function candidates(
  context: EpisodeContext,
  viewer: EpisodeActor | undefined,
): Candidate[] {
  const at = context.now;
  /** The viewer's own actions, or a representative actor's. */
  const candidate = <T extends EpisodeEventType>(
    type: T,
    time: string,
    payload: Extract<EpisodeEvent, { type: T }>['payload'],
    variant?: string,
    actor: EpisodeActor = clinician,
  ): Candidate => representative(type, time, payload, variant, viewer ?? actor);
  // The scheduler's clock event is never offered: it comes from the service.
  const list: Candidate[] = [
    candidate('labs.recorded', at, { panel: {}, collectedAt: at }),
    candidate('reassessment.recorded', at, { panel: {}, collectedAt: at }),
    candidate('suspicion.recorded', at, {}),
    candidate('workup.started', at, {}),
    candidate('diagnosis.confirmed', at, { basis: 'criteria' }, 'on criteria'),
    candidate(
      'diagnosis.confirmed',
      at,
      { basis: 'clinical' },
      'on clinical grounds',
    ),
    candidate('diagnosis.excluded', at, {}),
    candidate('severity.assessed', at, {
      severe: true,
      rapidlyWorsening: false,
    }),
  ];
  for (const drug of drugIds) {
    const order = { drug, ...prescriptionFor(context, drug), givenAt: at };
    list.push(candidate('therapy.started', at, order, drug));
    if (therapyClassOf(drug) === 'refractory') {
      list.push(
        candidate(
          'therapy.started',
          at,
          { ...order, emergency: true },
          `${drug} (emergency start)`,
          otherSenior,
        ),
      );
    }
  }
  list.push(
    candidate('measures.recorded', at, {
      weightKg: context.patient.weightKg,
    }),
  );
  list.push(
    candidate(
      'other-therapy.started',
      at,
      {
        recordId: `other-${context.otherTherapies.length + 1}`,
        medication: {
          system: 'http://www.whocc.no/atc',
          code: 'H02AB06',
          display: 'prednisolone',
        },
        dose: { value: 1, unit: 'mg' },
        route: 'oral',
        schedule: { kind: 'daily' },
        givenAt: at,
      },
      'oral glucocorticoid taper',
    ),
  );
  for (const other of context.otherTherapies) {
    if (other.stoppedAt === undefined) {
      list.push(
        candidate(
          'other-therapy.stopped',
          at,
          { recordId: other.recordId },
          other.medication.display,
        ),
      );
    }
  }
  const running = activeTherapies(context);
  // A pulse recorded day by day is one course, named by its current day.
  const continued = continuedRecords(running);
  for (const therapy of running) {
    if (continued.has(therapy)) continue;
    // A drug running as two courses: each by its start, in words.
    const twice =
      running.filter((t) => t.drug === therapy.drug && !continued.has(t))
        .length > 1;
    const which = twice ? { startedAt: therapy.startedAt } : {};
    const variant = twice
      ? `${therapy.drug} (${recordText(therapy)})`
      : therapy.drug;
    // The label says which course: "(background course)", "(course
    // started ...)".
    const named = (c: Candidate): Candidate =>
      twice
        ? {
            ...c,
            label: `${c.label} (${therapy.background ? 'background course' : `course started ${therapy.startedAt}`})`,
          }
        : c;
    // A pulse whose last infusion is given stopped then, not when someone
    // gets round to recording it (since the opening: an earlier time would
    // ask for a rationale).
    const lastDose =
      therapy.schedule?.kind === 'pulse' && !givesMoreDoses(therapy, at)
        ? scheduleEndsAt(therapy)
        : null;
    const stoppedAt =
      lastDose !== null && toMs(lastDose) >= toMs(context.openedAt)
        ? { stoppedAt: lastDose }
        : {};
    list.push(
      named(
        candidate(
          'therapy.stopped',
          at,
          { drug: therapy.drug, ...which, ...stoppedAt },
          variant,
        ),
      ),
    );
    // A course given in the episode, with its dose: the dose can change
    // (not a pulse whose last infusion is given: a change would record an
    // infusion too many; a further course is a start).
    if (
      !therapy.background &&
      therapy.dose &&
      therapy.route &&
      therapy.schedule &&
      (therapy.schedule.kind !== 'pulse' || givesMoreDoses(therapy, at))
    ) {
      list.push(
        named(
          candidate(
            'therapy.dose-changed',
            at,
            {
              drug: therapy.drug,
              ...which,
              dose: changeExampleDose(context, therapy),
              route: therapy.route,
              schedule: changeExampleSchedule(therapy, therapy.schedule, at),
              givenAt: at,
              // The clearance the course's doses are checked with (a change
              // without one keeps it): shown in the form, not hidden.
              ...(therapy.creatinineClearanceMlMin === undefined
                ? {}
                : {
                    creatinineClearanceMlMin: therapy.creatinineClearanceMlMin,
                  }),
            },
            variant,
          ),
        ),
      );
    }
  }
  for (const drug of backgroundDrugs) {
    list.push(candidate('background-therapy.recorded', at, { drug }, drug));
  }
  // A background therapy running: its dose raised (to an MAS dose).
  for (const therapy of activeTherapies(context)) {
    const drug = backgroundDrugs.find((d) => d === therapy.drug);
    if (!therapy.background || drug === undefined) continue;
    list.push(
      candidate(
        'background-therapy.recorded',
        at,
        { drug, doseIncreased: true },
        `${drug} (dose increased)`,
      ),
    );
  }
  for (const drug of refractoryDrugs) {
    list.push(
      candidate(
        'escalation.requested',
        at,
        { requestId: '(new)', drug, evidence: [...therapyEvidence(drug)] },
        drug,
      ),
    );
  }
  const pending = context.escalationRequests.filter(
    (r) => r.status === 'pending',
  );
  for (const request of pending) {
    const decider: EpisodeActor =
      request.requestedBy.id === otherSenior.id
        ? { id: '(another senior)', role: 'senior-clinician' }
        : otherSenior;
    list.push(
      candidate(
        'escalation.approved',
        at,
        { requestId: request.requestId },
        request.drug,
        decider,
      ),
      candidate(
        'escalation.rejected',
        at,
        { requestId: request.requestId },
        request.drug,
        decider,
      ),
    );
  }
  if (pending.length === 0) {
    list.push(
      candidate(
        'escalation.approved',
        at,
        { requestId: '(none)' },
        undefined,
        otherSenior,
      ),
    );
  }
  for (const start of context.emergencyStarts.filter(
    (s) => s.countersignedBy === undefined,
  )) {
    const drug = start.drug as (typeof refractoryDrugs)[number];
    list.push(
      candidate('escalation.countersigned', at, { drug }, drug, otherSenior),
    );
  }
  for (const kind of screeningKinds) {
    list.push(
      candidate('screening.recorded', at, { kind, result: 'done' }, kind),
    );
  }
  for (const trigger of triggerKinds) {
    list.push(candidate('trigger.identified', at, { trigger }, trigger));
  }
  list.push(candidate('antimicrobials.started', at, { agents: ['(agent)'] }));
  if (context.antimicrobialsActive)
    list.push(candidate('antimicrobials.stopped', at, {}));
  for (const topic of decisionTopics) {
    list.push(
      candidate('decision.recorded', at, { topic, choice: '(choice)' }, topic),
    );
  }
  list.push(candidate('malignancy-treatment.started', at, {}));
  for (const kind of supportKinds) {
    list.push(
      context.support.includes(kind)
        ? candidate('support.stopped', at, { kind }, kind)
        : candidate('support.started', at, { kind }, kind),
    );
  }
  list.push(
    candidate('hold.started', at, { reason: 'transfer' }),
    candidate('hold.ended', at, {}),
    candidate('remission.recorded', at, {}),
    candidate('taper.started', at, {}),
    candidate('relapse.recorded', at, {}),
    candidate('death.recorded', at, {}),
    candidate('transfer-out.recorded', at, {}),
    candidate('episode.closed', at, {}),
  );
  // A user is offered only what their role may record.
  return viewer
    ? list.filter((c) => rolesFor(c.event.type).includes(viewer.role))
    : list;
}

/**
 * The patient's standard prescription of `drug` (the example a form starts
 * from); where the profile lacks a figure the calculator needs, a placeholder
 * the form asks the prescriber to replace.
 */
function prescriptionFor(context: EpisodeContext, drug: DrugId) {
  return (
    standardFor(context, drug) ?? {
      dose: { value: 1, unit: 'mg' as const },
      route: 'iv' as const,
      schedule: { kind: 'once' as const },
    }
  );
}

/**
 * The patient's standard prescription of `drug` now (by `route`, else the
 * usual one); null where the profile lacks a figure the calculator needs.
 */
function standardFor(
  context: EpisodeContext,
  drug: DrugId,
  route?: RouteOfAdministration,
) {
  try {
    return standardPrescription(
      drug,
      context.patient,
      { data: context.profileData, hash: context.profile.hash },
      route,
    );
  } catch (error) {
    if (!(error instanceof ClinicalInputError)) throw error;
    return null;
  }
}

/** Where an event is possible, for the reason of a structural block. */
const availability: Partial<
  Record<EpisodeEventType, { where: string; evidence: string[] }>
> = {
  'suspicion.recorded': {
    where:
      'only while the patient is followed at risk; suspicion is already recorded',
    evidence: ['seed.pitfalls.3'],
  },
  'workup.started': {
    where: 'only once MAS is suspected, before the work-up or the diagnosis',
    evidence: ['seed.initial.3'],
  },
  'diagnosis.confirmed': {
    where: 'only while MAS is suspected or under work-up',
    evidence: ['lit.ravelli-2016'],
  },
  'diagnosis.excluded': {
    where: 'only while MAS is suspected or under work-up',
    evidence: ['seed.pitfalls.3'],
  },
  'remission.recorded': {
    where: 'only during active treatment',
    evidence: ['seed.monitoring.3'],
  },
  'taper.started': {
    where: 'only in remission',
    evidence: ['review.section-10'],
  },
  'relapse.recorded': {
    where: 'only in remission or during the taper',
    evidence: ['review.section-10'],
  },
  'episode.closed': {
    where: 'only in remission or during the taper',
    evidence: ['review.section-10'],
  },
  'hold.started': { where: 'the episode is already on hold', evidence: [] },
  'hold.ended': { where: 'the episode is not on hold', evidence: [] },
};

const diagnosisWords: Record<string, string> = {
  atRisk: 'followed at risk (no suspicion recorded)',
  suspected: 'MAS suspected',
  workUp: 'work-up under way',
  confirmed: 'MAS confirmed',
};
const treatmentWords: Record<string, string> = {
  untreated: 'no immunosuppression yet',
  firstLine: 'first line: high-dose glucocorticoids',
  escalated: 'escalated: second-line or combination therapy',
  refractory: 'refractory therapy',
  remission: 'in remission',
  taper: 'tapering in remission',
};
const finalWords: Record<string, string> = {
  excluded: 'closed: MAS excluded',
  died: 'closed: the patient died',
  transferredOut: 'closed: transferred out',
  closed: 'closed after remission',
};

/** The stage in words, e.g. "MAS confirmed · escalated: … · on hold (transfer)". */
export function describeStage(snapshot: EpisodeSnapshot): string {
  const value = snapshot.value;
  if (typeof value === 'string') return finalWords[value] ?? value;
  const open = (value as { open: Record<string, unknown> }).open;
  const diagnosis = String(open['diagnosis']);
  const treatment = open['treatment'];
  const treatmentKey =
    typeof treatment === 'string'
      ? treatment
      : String((treatment as Record<string, unknown>)['active']);
  const parts = [
    diagnosisWords[diagnosis] ?? diagnosis,
    treatmentWords[treatmentKey] ?? treatmentKey,
  ];
  if (open['hold'] === 'onHold') {
    parts.push(`on hold (${snapshot.context.hold?.reason ?? 'hold'})`);
  }
  if (open['reassessment'] === 'overdue') parts.push('reassessment overdue');
  return parts.join(' · ');
}

function option(
  snapshot: EpisodeSnapshot,
  { event, variant, label, group }: Candidate,
): EventOption {
  const base = {
    type: event.type,
    ...(variant === undefined ? {} : { variant }),
    label,
    group,
    examplePayload: event.payload,
  };
  if (snapshot.status === 'done') {
    return {
      ...base,
      status: 'blocked',
      reason: `the episode has ended (${describeStage(snapshot)})`,
      evidence: [],
    };
  }
  const handled = getNextTransitions(snapshot).some(
    (transition) => transition.eventType === event.type,
  );
  if (!handled) {
    const where = availability[event.type];
    return {
      ...base,
      status: 'blocked',
      reason: `not possible now: ${where?.where ?? 'not possible in the current stage'} (now: ${describeStage(snapshot)})`,
      evidence: where?.evidence ?? [],
    };
  }
  const check = checkEvent(snapshot.context, event);
  if (snapshot.can(event)) {
    return {
      ...base,
      status: 'allowed',
      reason: check.reason,
      evidence: check.evidence,
      payloadSchema: payloadJsonSchema(event.type),
    };
  }
  const withRationale = { ...event, rationale: '(rationale)' } as EpisodeEvent;
  if (snapshot.can(withRationale)) {
    return {
      ...base,
      status: 'allowed-with-rationale',
      reason: check.reason,
      evidence: check.evidence,
      payloadSchema: payloadJsonSchema(event.type),
    };
  }
  const rationaleCheck = checkEvent(snapshot.context, withRationale);
  if (rationaleCheck.ok) {
    const where = availability[event.type];
    return {
      ...base,
      status: 'blocked',
      reason: `not possible now: ${where?.where ?? 'not possible in the current stage'} (now: ${describeStage(snapshot)})`,
      evidence: where?.evidence ?? [],
    };
  }
  return {
    ...base,
    status: 'blocked',
    reason: rationaleCheck.reason,
    evidence: rationaleCheck.evidence,
  };
}

type ChangedDose = EpisodeEventOf<'therapy.dose-changed'>['payload']['dose'];

/**
 * The dose a course's change is offered with: its dose now, unless that is
 * outside the limits at the patient's weight now (a new weight, a new
 * profile): then the protocol's standard dose for the patient now, where it
 * is given on the course's kind of schedule, so the change the dose alert
 * asks for is offered as allowed, never shown blocked by the old dose.
 */
function changeExampleDose(
  context: EpisodeContext,
  therapy: EpisodeContext['therapies'][number],
): ChangedDose {
  const current = therapy.dose as ChangedDose;
  const prescription = recordPrescription(therapy);
  if (prescription === null) return current;
  const { tier } = recordedDoseCheck(context, prescription);
  if (tier !== 'soft' && tier !== 'hard') return current;
  // (No standard dose for this patient, or not on this kind of schedule:
  // the current dose is offered.)
  const standard = standardFor(context, therapy.drug, prescription.route);
  return standard?.schedule.kind === prescription.schedule.kind
    ? standard.dose
    : current;
}

/**
 * The schedule a course's change is offered with: its own as it stands at
 * `at` (a pulse on the day it has reached: day 2 of 3 the day after day 1,
 * never day 1 again, which would add a day to the course), unless its dose
 * check flags the anakinra label's renal adjustment: then the label's
 * interval (the same dose, less often), so the change the flag asks for is
 * the one offered.
 */
function changeExampleSchedule(
  therapy: EpisodeContext['therapies'][number],
  schedule: NonNullable<EpisodeContext['therapies'][number]['schedule']>,
  at: string,
): NonNullable<EpisodeContext['therapies'][number]['schedule']> {
  const renal = therapy.doseCheck?.alerts?.some(
    (alert) => alert.id === 'anakinra-renal-adjustment',
  );
  return renal === true
    ? {
        kind: 'every-hours',
        hours: masProtocolDefinition.doses.anakinra.renalAdjustedEveryHours,
      }
    : scheduleAt(therapy, schedule, at);
}

/**
 * The explanation of a snapshot: stage, alerts, allowed and blocked events.
 * Give the `actor` who is looking (the signed-in clinician) to see what that
 * person may do: four-eyes rules depend on who acts.
 */
export function explainSnapshot(
  snapshot: EpisodeSnapshot,
  options: { readonly actor?: EpisodeActor } = {},
): EpisodeExplanation {
  const eventOptions = candidates(snapshot.context, options.actor).map((c) =>
    option(snapshot, c),
  );
  return {
    value: snapshot.value,
    stage: describeStage(snapshot),
    final: snapshot.status === 'done',
    tags: [...snapshot.tags].sort(),
    alerts: snapshot.context.alerts,
    allowed: eventOptions.filter((o) => o.status !== 'blocked'),
    blocked: eventOptions.filter((o) => o.status === 'blocked'),
    protocol: snapshot.context.protocol,
    profile: snapshot.context.profile,
  };
}

/** Why this exact event would be refused now, or null if it would be taken. */
export function explainRefusal(
  snapshot: EpisodeSnapshot,
  event: EpisodeEvent,
): {
  reason: string;
  evidence: readonly string[];
  /** A dose outside a soft limit: the prescriber may confirm it. */
  confirmationWouldAllow?: boolean;
  /** Unusual panel values the recorder may confirm (`confirmUnusual`). */
  unusualFields?: readonly string[];
  /** What the one confirming should see too (a day's total). */
  warnings?: readonly string[];
  /** A rationale is needed too (an emergency start with a dose to confirm). */
  rationaleWouldAllow?: boolean;
  /** The payload field the refusal is about, where it is one. */
  field?: string;
} | null {
  if (snapshot.status !== 'done' && snapshot.can(event)) return null;
  if (snapshot.status !== 'done') {
    // A dose or value the recorder may confirm: say so, before anything else.
    const check = checkEvent(snapshot.context, event);
    if (check.confirmationWouldAllow || check.unusualFields) {
      return {
        reason: check.reason,
        evidence: check.evidence,
        ...(check.confirmationWouldAllow
          ? { confirmationWouldAllow: true }
          : {}),
        ...(check.unusualFields ? { unusualFields: check.unusualFields } : {}),
        ...(check.warnings ? { warnings: check.warnings } : {}),
        ...(check.rationaleWouldAllow ? { rationaleWouldAllow: true } : {}),
      };
    }
  }
  const result = option(snapshot, {
    event,
    label: eventLabel(event.type),
    group: eventGroup(event.type),
  });
  // The field, where the refusal is the check's own (not the stage's).
  const check =
    snapshot.status === 'done'
      ? null
      : checkEvent(snapshot.context, {
          ...event,
          rationale: '(rationale)',
        });
  return {
    reason: result.reason,
    evidence: result.evidence,
    ...(check?.field !== undefined && check.reason === result.reason
      ? { field: check.field }
      : {}),
  };
}
