import { createActor } from 'xstate';

import type { EpisodeEvent, RouteOfAdministration } from '@mas/contracts';
import {
  type DrugId,
  type InstitutionProfile,
  masProtocol,
} from '@mas/protocol';
import {
  type Finding,
  HOUR,
  initialPatient,
  inRemission,
  intervene,
  type Intervention,
  knownResults,
  labsOf,
  needsOrganSupport,
  type PatientState,
  patientStreams,
  resultsKnownSince,
  type Scenario,
  simulationModel,
  stepHour,
} from '@mas/simulation';

import {
  type EpisodeSnapshot,
  explainRefusal,
} from '../lib/mas-episode.explain.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { nextPendingDue } from '../lib/mas-episode.persistence.js';
import { standardPrescription } from '../lib/prescription.util.js';
import { isGlucocorticoidTaper } from '../lib/therapy-record.util.js';
import { type DebriefFindings, triggersRecordedAt } from './debrief.js';
import type { Policy, PolicyStep, PolicyView } from './policies.js';

/** When work-up results become known to the team (hours after opening). */
const resultHours = {
  infection: simulationModel.delays.infectionResultHours.value,
  ebv: simulationModel.delays.ebvResultHours.value,
  malignancy: simulationModel.delays.malignancyResultHours.value,
};

/** Whether a pending (not fired, not paused) due time has passed by `at` (ms). */
function dueBy(snapshot: EpisodeSnapshot, at: number): boolean {
  const next = nextPendingDue(snapshot.context);
  return next !== null && next <= at;
}

/** The next decision point: every reassessment interval, and when a result arrives. */
function nextDecisionAfter(hours: number, every: number): number {
  const regular = (Math.floor(hours / every) + 1) * every;
  const results = Object.values(resultHours).filter((h) => h > hours);
  return Math.min(regular, ...results);
}

export interface CourseOptions {
  readonly scenario: Scenario;
  readonly policy: Policy;
  readonly seed: number;
  readonly profile: InstitutionProfile;
  /** Simulated hours (default 21 days). */
  readonly horizonHours?: number;
  /** Hours between decision points (default: the protocol's reassessment interval, from the machine). */
  readonly decisionEveryHours?: number;
  /** The episode opens at this time (ISO); the virtual clock starts there. */
  readonly openedAt?: string;
}

export type Outcome = 'died' | 'remission' | 'active';

export interface CourseResult {
  readonly scenarioId: string;
  readonly policyId: string;
  readonly seed: number;
  readonly outcome: Outcome;
  readonly hoursSimulated: number;
  readonly hoursToFirstGlucocorticoid: number | null;
  readonly hoursToFirstTargetedTherapy: number | null;
  readonly hoursToResponse: number | null;
  readonly hoursToRemission: number | null;
  readonly escalations: number;
  readonly alertsRaised: readonly string[];
  readonly toxicities: readonly string[];
  /** Events the machine refused (the policy asked for something the protocol blocks). */
  readonly refused: readonly {
    readonly type: string;
    readonly at: number;
    readonly reason: string;
  }[];
  readonly relapses: number;
  /** The events sent, in order (for the debrief and for replays). */
  readonly events: readonly EpisodeEvent[];
  /** The episode's first snapshot, persisted (the audit replays from it). */
  readonly initialSnapshot: unknown;
  readonly finalSnapshot: EpisodeSnapshot;
  /** When work-up results became available and when triggers were recorded. */
  readonly findings: DebriefFindings;
  /** Labelled model output. */
  readonly notice: string;
}

const actors = {
  clinician: { id: 'sim-clinician', role: 'clinician' },
  'senior-a': { id: 'sim-senior-a', role: 'senior-clinician' },
  'senior-b': { id: 'sim-senior-b', role: 'senior-clinician' },
  scheduler: { id: 'scheduler', role: 'system' },
} as const;

function hoursBetween(
  from: string,
  to: string | null | undefined,
): number | null {
  if (to === null || to === undefined) return null;
  return Math.round(((Date.parse(to) - Date.parse(from)) / HOUR) * 100) / 100;
}

/** What an accepted event does to the virtual patient (null: nothing). */
export function interventionOf(
  event: Pick<EpisodeEvent, 'type' | 'payload'>,
): Intervention | null {
  const payload = event.payload as Record<string, unknown>;
  switch (event.type) {
    case 'therapy.started':
      return { kind: 'therapy-started', drug: String(payload['drug']) };
    case 'therapy.stopped':
      return { kind: 'therapy-stopped', drug: String(payload['drug']) };
    case 'antimicrobials.started':
      return { kind: 'antimicrobials-started' };
    case 'antimicrobials.stopped':
      return { kind: 'antimicrobials-stopped' };
    case 'malignancy-treatment.started':
      return { kind: 'malignancy-treatment-started' };
    case 'support.started':
      return payload['kind'] === 'transfusion' ? { kind: 'transfusion' } : null;
    case 'taper.started':
      return { kind: 'taper-started' };
    case 'other-therapy.started':
      // The oral glucocorticoid taper is the taper; other drugs outside the
      // protocol's table do not act on the model.
      return isGlucocorticoidTaper(
        payload as Parameters<typeof isGlucocorticoidTaper>[0],
      )
        ? { kind: 'taper-started' }
        : null;
    // The rest record, decide or document: nothing reaches the patient.
    // (The virtual patient's model does not read doses: a dose change of a
    // running course leaves it as it is.)
    case 'therapy.dose-changed':
    case 'background-therapy.recorded':
    case 'clock.ticked':
    case 'death.recorded':
    case 'decision.recorded':
    case 'diagnosis.confirmed':
    case 'diagnosis.excluded':
    case 'episode.closed':
    case 'protocol.migrated':
    case 'profile.adopted':
    case 'escalation.approved':
    case 'escalation.countersigned':
    case 'escalation.rejected':
    case 'escalation.requested':
    case 'hold.ended':
    case 'hold.started':
    case 'labs.recorded':
    case 'other-therapy.stopped':
    case 'measures.recorded':
    case 'reassessment.recorded':
    case 'relapse.recorded':
    case 'remission.recorded':
    case 'screening.recorded':
    case 'severity.assessed':
    case 'support.stopped':
    case 'suspicion.recorded':
    case 'transfer-out.recorded':
    case 'trigger.identified':
    case 'workup.started':
      return null;
  }
}

/**
 * The debrief's view of a simulated course's work-up: the hours results
 * became available (from the virtual patient) as instants, beside the
 * triggers recorded.
 */
export function courseFindings(
  openedAt: string,
  knownSince: Partial<Record<Finding, number>>,
  events: readonly Pick<EpisodeEvent, 'type' | 'at' | 'payload'>[],
): DebriefFindings {
  const t0 = Date.parse(openedAt);
  return {
    availableAt: Object.fromEntries(
      Object.entries(knownSince).map(([finding, hour]) => [
        finding,
        new Date(t0 + hour * HOUR).toISOString(),
      ]),
    ),
    recordedAt: triggersRecordedAt(events),
  };
}

/**
 * One simulated course: the virtual patient evolves hour by hour; at each
 * decision point the machine gets the scheduler's `clock.ticked` (as from
 * the service), then the policy's events; accepted therapy events act on the
 * patient. The machine runs as an actor. Same seed, same course.
 */
export function simulateCourse(options: CourseOptions): CourseResult {
  const { scenario, policy, seed } = options;
  const { course: random, labs: labsRandom } = patientStreams(seed);
  const openedAt = options.openedAt ?? '2026-03-01T08:00:00.000Z';
  const t0 = Date.parse(openedAt);
  const horizon = options.horizonHours ?? 21 * 24;
  const every =
    options.decisionEveryHours ??
    masProtocol.definition.dueTimes.reassessment.intervalHours;
  const actor = createActor(masEpisodeMachine, {
    input: {
      episodeId: `sim-${scenario.id}-${seed}`,
      patient: scenario.patient,
      openedAt,
      initialStage: 'suspected',
      profile: options.profile,
    },
  });
  actor.start();
  const initialSnapshot = actor.getPersistedSnapshot();
  let patient: PatientState = initialPatient(scenario);
  const events: EpisodeEvent[] = [];
  const refused: { type: string; at: number; reason: string }[] = [];
  let failed = 0;
  let responding = 0;
  let hoursToResponse: number | null = null;
  let remissionAt: number | null = null;
  const ferritinRecorded: number[] = [];
  const send = (
    body:
      | PolicyStep
      | {
          type: 'clock.ticked';
          payload: Record<string, never>;
          actor: 'scheduler';
        },
    hours: number,
  ) => {
    // Built from typed policy steps; not re-validated here (a test parses
    // every event a course produces with the contracts' schema).
    const at = new Date(t0 + hours * HOUR).toISOString();
    const event = {
      type: body.type,
      at,
      actor: actors[body.actor ?? 'clinician'],
      payload: completePayload(body.type, body.payload, at),
      ...('rationale' in body && body.rationale
        ? { rationale: body.rationale }
        : {}),
    } as EpisodeEvent;
    const before = actor.getSnapshot();
    actor.send(event);
    const after = actor.getSnapshot();
    if (after === before) {
      refused.push({
        type: event.type,
        at: hours,
        reason: explainRefusal(before, event)?.reason ?? 'refused',
      });
      return;
    }
    events.push(event);
    const intervention = interventionOf(event);
    if (intervention) patient = intervene(patient, intervention);
    if (event.type === 'reassessment.recorded') {
      const verdict = after.context.lastResponse?.verdict;
      if (verdict === 'responding') {
        responding += 1;
        failed = 0;
        hoursToResponse ??= hours;
      } else if (verdict === 'inadequate' || verdict === 'worsening') {
        failed += 1;
        responding = 0;
      }
    }
    if (event.type === 'remission.recorded') remissionAt ??= hours;
    // A relapse starts the count of the response over.
    if (event.type === 'relapse.recorded') {
      responding = 0;
      failed = 0;
    }
    if (
      event.type === 'labs.recorded' ||
      event.type === 'reassessment.recorded'
    ) {
      const ferritin = event.payload.panel.ferritin;
      if (ferritin !== undefined) ferritinRecorded.push(ferritin.value);
    }
  };
  /**
   * What the virtual clinician writes on the record: a therapy with the
   * patient's standard prescription (route as the policy chose), given now;
   * a panel drawn now.
   */
  const completePayload = (
    type: string,
    payload: Record<string, unknown>,
    at: string,
  ): Record<string, unknown> => {
    if (type === 'therapy.started' && payload['dose'] === undefined) {
      const route = payload['route'] as RouteOfAdministration | undefined;
      return {
        ...standardPrescription(
          payload['drug'] as DrugId,
          scenario.patient,
          options.profile,
          route,
        ),
        ...payload,
        givenAt: at,
      };
    }
    if (type === 'labs.recorded' || type === 'reassessment.recorded') {
      return { collectedAt: at, ...payload };
    }
    return payload;
  };
  let hours = 0;
  let nextDecision = 0;
  while (hours <= horizon) {
    if (hours >= nextDecision) {
      // As the service's scheduler: a tick only when a due time has passed.
      if (dueBy(actor.getSnapshot(), t0 + hours * HOUR)) {
        send({ type: 'clock.ticked', payload: {}, actor: 'scheduler' }, hours);
      }
      if (actor.getSnapshot().status === 'done') break;
      const panel = labsOf(patient, scenario, labsRandom);
      const view = (): PolicyView => ({
        hours,
        at: new Date(t0 + hours * HOUR).toISOString(),
        snapshot: actor.getSnapshot(),
        panel,
        needsOrganSupport: needsOrganSupport(patient),
        known: knownResults(scenario, patient),
        scenario: { cns: scenario.cns },
        failedReassessments: failed,
        respondingReassessments: responding,
        ferritinRecorded,
      });
      for (const s of policy.record(view())) send(s, hours);
      const steps = policy.decide(view());
      for (const s of steps) send(s, hours);
      nextDecision = nextDecisionAfter(hours, every);
    }
    patient = stepHour(patient, scenario, random);
    hours += 1;
    if (!patient.alive) {
      send({ type: 'death.recorded', payload: {} }, hours);
      break;
    }
  }
  const final = actor.getSnapshot();
  actor.stop();
  const c = final.context;
  const outcome: Outcome = !patient.alive
    ? 'died'
    : c.inRemission && inRemission(patient)
      ? 'remission'
      : 'active';
  return {
    scenarioId: scenario.id,
    policyId: policy.id,
    seed,
    outcome,
    hoursSimulated: hours,
    hoursToFirstGlucocorticoid: hoursBetween(openedAt, c.firstGlucocorticoidAt),
    hoursToFirstTargetedTherapy: hoursBetween(
      openedAt,
      c.firstTargetedTherapyAt,
    ),
    hoursToResponse,
    hoursToRemission: remissionAt,
    escalations: c.therapies.filter(
      (t) => !t.background && t.therapyClass !== 'glucocorticoid',
    ).length,
    alertsRaised: [...new Set(c.alertLog.map((a) => a.id))].sort(),
    toxicities: patient.toxicities.map((t) => t.kind),
    refused,
    relapses: c.relapses,
    events,
    initialSnapshot,
    finalSnapshot: final,
    findings: courseFindings(
      openedAt,
      resultsKnownSince(scenario, patient),
      events,
    ),
    notice: simulationModel.notice,
  };
}
