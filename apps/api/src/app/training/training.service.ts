import type { DataSource } from 'typeorm';

import {
  effectiveEntries,
  type EpisodeEvent,
  parseOrThrow,
  trainingAdvanceSchema,
  trainingStartSchema,
} from '@mas/contracts';
import {
  courseFindings,
  debrief,
  interventionOf,
  policies,
  simulateCourse,
} from '@mas/mas-episode/simulation';
import type { InstitutionProfile } from '@mas/protocol';
import {
  createRandom,
  HOUR,
  initialPatient,
  intervene,
  type Intervention,
  knownResults,
  labsOf,
  needsOrganSupport,
  type PatientState,
  patientStreams,
  resultsKnownSince,
  scenarioById,
  scenarios,
  simulationModel,
  stepHour,
} from '@mas/simulation';

import type { Clock } from '../clock/clock.js';
import type { Entities, TrainingSessionRow } from '../database/entities.js';
import { WriteGate } from '../database/write-gate.js';
import {
  type AuthenticatedUser,
  type EpisodesService,
  ServiceError,
} from '../episodes/episodes.service.js';

const startSchema = trainingStartSchema(scenarios.map((s) => s.id));

/**
 * Training: a trainee runs a scenario as a training episode (listed apart),
 * moves its virtual clock in steps, sees the labs the virtual patient
 * produces, decides with the same forms, and gets a debrief beside the
 * protocol policy's course for the same seed. Everything here is model
 * output, never evidence.
 */
export class TrainingService {
  private readonly gate: WriteGate;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly clock: Clock,
    private readonly profile: InstitutionProfile,
    private readonly episodes: EpisodesService,
  ) {
    this.gate = WriteGate.for(dataSource);
    // A training episode's events happen at its virtual time.
    episodes.useVirtualTime(async (row, manager) => {
      const session = await manager
        .getRepository(this.entities.training)
        .findOneBy({ episodeId: row.id });
      return session
        ? new Date(
            new Date(row.createdAt).getTime() + session.virtualHours * HOUR,
          )
        : null;
    });
  }

  scenarios() {
    return {
      notice: simulationModel.notice,
      scenarios: scenarios.map((s) => ({
        id: s.id,
        title: s.title,
        description: s.description,
        basis: s.basis,
      })),
    };
  }

  async start(body: unknown, user: AuthenticatedUser) {
    const request = parseOrThrow(startSchema, body, 'body');
    const scenario = scenarioById(request.scenarioId);
    const seed =
      request.seed ?? Math.floor(this.clock.now().getTime() % 2_147_483_647);
    const created = (await this.episodes.create(
      {
        patient: {
          ...scenario.patient,
          identifier: `${scenario.patient.identifier}-${String(seed)}`,
        },
        kind: 'training',
        initialStage: 'suspected',
      },
      user,
    )) as { id: string };
    const row: TrainingSessionRow = {
      episodeId: created.id,
      scenarioId: scenario.id,
      seed,
      virtualHours: 0,
      startedBy: user.username,
      createdAt: this.clock.now(),
    };
    await this.gate.run(() =>
      this.dataSource.getRepository(this.entities.training).insert(row),
    );
    return this.state(created.id, user);
  }

  /** The session; a trainee reaches only the sessions they started. */
  private async session(
    id: string,
    user: AuthenticatedUser,
  ): Promise<TrainingSessionRow> {
    const session = /^[0-9a-f-]{36}$/.test(id)
      ? await this.dataSource
          .getRepository(this.entities.training)
          .findOneBy({ episodeId: id })
      : null;
    // Another trainee's session is, to a trainee, one that does not exist.
    if (
      !session ||
      (user.role === 'trainee' && session.startedBy !== user.username)
    ) {
      throw new ServiceError(404, { message: `no training session ${id}` });
    }
    return session;
  }

  /**
   * The virtual patient now, rebuilt from the seed and the episode's audit:
   * each recorded intervention acts from the hour it was recorded. The audit
   * read for it comes back too.
   */
  private async patientNow(
    id: string,
    session: TrainingSessionRow,
    openedAt: string,
    user: AuthenticatedUser,
  ): Promise<{
    patient: PatientState;
    entries: Awaited<ReturnType<EpisodesService['audit']>>;
  }> {
    const scenario = scenarioById(session.scenarioId);
    const random = patientStreams(session.seed).course;
    // Without the entries entered in error, nor the voids (the replays' one
    // rule): a therapy voided never treated the virtual patient, and the
    // debrief does not count it.
    const entries = effectiveEntries(await this.episodes.audit(id, user));
    const byHour = new Map<number, Intervention[]>();
    for (const entry of entries) {
      const intervention = interventionOf({
        type: entry.type,
        payload: entry.payload,
      } as Parameters<typeof interventionOf>[0]);
      if (!intervention) continue;
      const hour = Math.max(
        0,
        Math.floor(
          (new Date(entry.occurredAt).getTime() - Date.parse(openedAt)) / HOUR,
        ),
      );
      byHour.set(hour, [...(byHour.get(hour) ?? []), intervention]);
    }
    let patient = initialPatient(scenario);
    for (let hour = 0; hour < session.virtualHours; hour += 1) {
      for (const i of byHour.get(hour) ?? []) patient = intervene(patient, i);
      patient = stepHour(patient, scenario, random);
      if (!patient.alive) break;
    }
    for (const i of byHour.get(session.virtualHours) ?? []) {
      patient = intervene(patient, i);
    }
    return { patient, entries };
  }

  async state(id: string, user: AuthenticatedUser) {
    const session = await this.session(id, user);
    const { snapshot } = await this.episodes.snapshotOf(id, user);
    const scenario = scenarioById(session.scenarioId);
    const openedAt = snapshot.context.openedAt;
    const { patient } = await this.patientNow(id, session, openedAt, user);
    const virtualNow = new Date(
      Date.parse(openedAt) + session.virtualHours * HOUR,
    ).toISOString();
    return {
      notice: simulationModel.notice,
      episodeId: id,
      scenario: {
        id: scenario.id,
        title: scenario.title,
        description: scenario.description,
      },
      seed: session.seed,
      virtualHours: session.virtualHours,
      virtualNow,
      alive: patient.alive,
      needsOrganSupport: needsOrganSupport(patient),
      // The labs drawn now: the same for the same seed and hour.
      labs: labsOf(
        patient,
        scenario,
        createRandom(session.seed + session.virtualHours * 7919),
      ),
      results: knownResults(scenario, patient),
      // When each result is expected (virtual hour), for "pending until".
      resultsAt: {
        infection: simulationModel.delays.infectionResultHours.value,
        ebv: simulationModel.delays.ebvResultHours.value,
        malignancy: simulationModel.delays.malignancyResultHours.value,
      },
    };
  }

  /** Moves the virtual clock; the machine gets the scheduler's tick then. */
  async advance(id: string, body: unknown, user: AuthenticatedUser) {
    const request = parseOrThrow(trainingAdvanceSchema, body, 'body');
    const session = await this.session(id, user);
    const { snapshot } = await this.episodes.snapshotOf(id, user);
    if (snapshot.status === 'done') {
      throw new ServiceError(422, { message: 'the episode has ended' });
    }
    const { patient: now } = await this.patientNow(
      id,
      session,
      snapshot.context.openedAt,
      user,
    );
    if (!now.alive) {
      throw new ServiceError(422, {
        message: 'the virtual patient has died: open the debrief',
      });
    }
    // One atomic step of the virtual clock, however many advance at once.
    await this.gate.run(() =>
      this.dataSource
        .getRepository(this.entities.training)
        .increment({ episodeId: id }, 'virtualHours', request.hours),
    );
    const moved = await this.session(id, user);
    await this.episodes.tickAt(
      id,
      new Date(
        Date.parse(snapshot.context.openedAt) + moved.virtualHours * HOUR,
      ),
    );
    return this.state(id, user);
  }

  /**
   * The debrief: the trainee's course scored against the rules (each point
   * with its evidence), beside the protocol policy's course for the same
   * scenario and seed.
   */
  async debrief(id: string, user: AuthenticatedUser) {
    const session = await this.session(id, user);
    const { snapshot } = await this.episodes.snapshotOf(id, user);
    const scenario = scenarioById(session.scenarioId);
    const openedAt = snapshot.context.openedAt;
    // What only the simulation knows: when each work-up result became
    // available, beside when the trainee recorded the trigger.
    const { patient, entries } = await this.patientNow(
      id,
      session,
      openedAt,
      user,
    );
    const recorded = entries.map((entry) => ({
      type: entry.type as EpisodeEvent['type'],
      at: new Date(entry.occurredAt).toISOString(),
      payload: entry.payload as EpisodeEvent['payload'],
    }));
    const findings = courseFindings(
      openedAt,
      resultsKnownSince(scenario, patient),
      recorded,
    );
    const reference = simulateCourse({
      scenario,
      policy: policies.protocol,
      seed: session.seed,
      profile: this.profile,
      // The same span of virtual time as the trainee's course.
      horizonHours: Math.max(session.virtualHours, 1),
    });
    const times = (c: typeof snapshot.context) => ({
      hoursToFirstGlucocorticoid: hoursFrom(
        c.openedAt,
        c.firstGlucocorticoidAt,
      ),
      hoursToFirstTargetedTherapy: hoursFrom(
        c.openedAt,
        c.firstTargetedTherapyAt,
      ),
    });
    return {
      notice: simulationModel.notice,
      trainee: {
        ...debrief(snapshot.context, undefined, findings),
        ...times(snapshot.context),
      },
      protocolPolicy: {
        ...debrief(
          reference.finalSnapshot.context,
          undefined,
          reference.findings,
        ),
        ...times(reference.finalSnapshot.context),
        outcome: reference.outcome,
        hoursSimulated: reference.hoursSimulated,
      },
    };
  }
}

function hoursFrom(from: string, to: string | null): number | null {
  return to === null
    ? null
    : Math.round(((Date.parse(to) - Date.parse(from)) / HOUR) * 10) / 10;
}
