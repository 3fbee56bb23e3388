/**
 * Helpers for the machine's specs: a named patient's episode driven through
 * the pure `transition` function, with time as explicit instants.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { afterAll, expect } from '@jest/globals';
import { initialTransition, transition } from 'xstate';

import type {
  EpisodeActor,
  EpisodeEvent,
  EpisodeEventOf,
  Patient,
} from '@mas/contracts';
import type { DrugId } from '@mas/protocol';

import { activeStateIds, transitionsTaken } from '../lib/machine-coverage.js';
import { checkEvent } from '../lib/mas-episode.checks.js';
import { explainRefusal } from '../lib/mas-episode.explain.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import type {
  EpisodeContext,
  EpisodeInput,
  InitialStage,
} from '../lib/mas-episode.types.js';
import { standardPrescription } from '../lib/prescription.util.js';
import { exampleProfile } from './example-profile.js';

export const T0 = '2026-03-01T08:00:00.000Z';

/** Where the scenario specs record the states and transitions they visit. */
export const coverageDir = join(
  import.meta.dirname,
  '../../../../reports/machine-coverage',
);
const visitedStates = new Set<string>();
const visitedTransitions = new Set<string>();

afterAll(() => {
  if (visitedStates.size === 0) return;
  mkdirSync(coverageDir, { recursive: true });
  const spec = basename(expect.getState().testPath ?? `spec-${process.pid}`);
  writeFileSync(
    join(coverageDir, `${spec}.json`),
    JSON.stringify({
      states: [...visitedStates].sort(),
      transitions: [...visitedTransitions].sort(),
    }),
  );
});

/** T0 plus `hours` (fractions allowed). */
export function h(hours: number): string {
  return new Date(Date.parse(T0) + hours * 3_600_000).toISOString();
}

export const drAdams: EpisodeActor = { id: 'dr-adams', role: 'clinician' };
export const drBaker: EpisodeActor = {
  id: 'dr-baker',
  role: 'senior-clinician',
};
export const drChen: EpisodeActor = { id: 'dr-chen', role: 'senior-clinician' };
export const nurseDiaz: EpisodeActor = { id: 'nurse-diaz', role: 'nurse' };
export const scheduler: EpisodeActor = { id: 'scheduler', role: 'system' };

export { exampleProfile };

export function episodeInput(
  patient: Patient,
  initialStage: InitialStage = 'suspected',
  openedAt = T0,
): EpisodeInput {
  return {
    episodeId: `episode-${patient.identifier}`,
    patient,
    openedAt,
    initialStage,
    profile: exampleProfile(),
  };
}

type Snapshot = ReturnType<
  typeof initialTransition<typeof masEpisodeMachine>
>[0];
type Actions = ReturnType<typeof transition<typeof masEpisodeMachine>>[1];

type PayloadOf<T extends EpisodeEvent['type']> = Extract<
  EpisodeEvent,
  { type: T }
>['payload'];

/**
 * What a spec writes: a therapy start may leave out dose, route, schedule
 * and `givenAt` (the patient's standard prescription, given at the event's
 * time, is filled in when the episode takes it); a panel may leave out
 * `collectedAt` (drawn at the event's time).
 */
export type SpecPayload<T extends EpisodeEvent['type']> =
  T extends 'therapy.started'
    ? Omit<TherapyPayload, 'dose' | 'route' | 'schedule' | 'givenAt'> &
        Partial<Pick<TherapyPayload, 'dose' | 'route' | 'schedule' | 'givenAt'>>
    : T extends 'labs.recorded' | 'reassessment.recorded'
      ? Omit<PayloadOf<T>, 'collectedAt'> & { collectedAt?: string }
      : PayloadOf<T>;
type TherapyPayload = PayloadOf<'therapy.started'>;

/** Builds an event (see SpecPayload for what may be left out). */
export function ev<T extends EpisodeEvent['type']>(
  type: T,
  at: string,
  payload: SpecPayload<T>,
  actor: EpisodeActor = drAdams,
  rationale?: string,
): Extract<EpisodeEvent, { type: T }> {
  const timed =
    type === 'therapy.started'
      ? { givenAt: at, ...payload }
      : type === 'labs.recorded' || type === 'reassessment.recorded'
        ? { collectedAt: at, ...payload }
        : payload;
  return {
    type,
    at,
    actor,
    payload: timed,
    ...(rationale === undefined ? {} : { rationale }),
  } as Extract<EpisodeEvent, { type: T }>;
}

/**
 * The event with a therapy start's missing dose, route and schedule filled
 * in with the patient's standard prescription (prescription.util).
 */
export function complete<E extends EpisodeEvent>(
  context: EpisodeContext,
  event: E,
): E {
  if (event.type !== 'therapy.started') return event;
  const payload = event.payload as SpecPayload<'therapy.started'>;
  if (
    payload.dose !== undefined &&
    payload.route !== undefined &&
    payload.schedule !== undefined
  ) {
    return event;
  }
  const prescription = standardPrescription(
    payload.drug,
    context.patient,
    { data: context.profileData, hash: context.profile.hash },
    payload.route,
  );
  return {
    ...event,
    payload: {
      ...payload,
      dose: payload.dose ?? prescription.dose,
      route: payload.route ?? prescription.route,
      schedule: payload.schedule ?? prescription.schedule,
    },
  };
}

export const tick = (at: string) => ev('clock.ticked', at, {}, scheduler);

/**
 * A complete therapy start of `drug` for `patient` at the standard
 * prescription (example profile), given at `at`: for specs that drive the
 * machine without an Episode.
 */
export function prescribedStart(
  patient: Patient,
  drug: DrugId,
  at: string,
  actor: EpisodeActor = drAdams,
): EpisodeEventOf<'therapy.started'> {
  return ev(
    'therapy.started',
    at,
    { drug, ...standardPrescription(drug, patient, exampleProfile()) },
    actor,
  );
}

/** An episode under test: its snapshot and the actions of the last step. */
export class Episode {
  snapshot: Snapshot;
  actions: Actions = [];

  constructor(input: EpisodeInput) {
    const [snapshot, actions] = initialTransition(masEpisodeMachine, input);
    this.snapshot = snapshot;
    this.actions = actions;
    for (const id of activeStateIds(snapshot.value)) visitedStates.add(id);
  }

  get context() {
    return this.snapshot.context;
  }

  /** Sends an event that must be accepted. */
  send(spec: EpisodeEvent): this {
    const event = complete(this.snapshot.context, spec);
    if (!this.snapshot.can(event)) {
      const check = checkEvent(this.snapshot.context, event);
      throw new Error(
        `${event.type} was refused at ${JSON.stringify(this.snapshot.value)}: ${check.reason}`,
      );
    }
    const [next, actions] = transition(masEpisodeMachine, this.snapshot, event);
    for (const taken of transitionsTaken(this.snapshot, event.type)) {
      visitedTransitions.add(taken);
    }
    this.snapshot = next;
    this.actions = actions;
    for (const id of activeStateIds(next.value)) visitedStates.add(id);
    return this;
  }

  /** Why the machine would refuse the (completed) event now, if it would. */
  refusal(event: EpisodeEvent): string | undefined {
    return explainRefusal(this.snapshot, complete(this.snapshot.context, event))
      ?.reason;
  }

  /** The payload field the machine's refusal of the event names, if any. */
  refusedField(event: EpisodeEvent): string | undefined {
    return explainRefusal(this.snapshot, complete(this.snapshot.context, event))
      ?.field;
  }

  /** Whether the machine would take the event now. */
  can(event: EpisodeEvent): boolean {
    return this.snapshot.can(complete(this.snapshot.context, event));
  }

  hasTag(tag: Parameters<Snapshot['hasTag']>[0]): boolean {
    return this.snapshot.hasTag(tag);
  }

  alertIds(): string[] {
    return this.snapshot.context.alerts.map((a) => a.id);
  }

  actionTypes(): string[] {
    return this.actions.map((a) => a.type);
  }
}
