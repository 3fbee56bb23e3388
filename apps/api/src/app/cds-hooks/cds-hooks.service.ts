import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';
import { z } from 'zod';

import { instantSchema, parseOrThrow } from '@mas/contracts';
import {
  type EpisodeContext,
  staleMeasuresWarning,
  standardDose,
} from '@mas/mas-episode';
import type { DoseResult, InstitutionProfile } from '@mas/protocol';

import { ACCESS_LOG_ACTOR_MAX_LENGTH } from '../access-log/access-log.entity.js';
import type { AccessLogService } from '../access-log/access-log.service.js';
import type { Entities } from '../database/entities.js';
import type {
  AuthenticatedUser,
  EpisodesService,
} from '../episodes/episodes.service.js';
import { FHIR_NAMESPACE } from '../fhir/fhir-resources.util.js';
import {
  type Card,
  type CardEpisode,
  orderedDrug,
  orderSignCard,
  patientViewCards,
} from './cds-cards.util.js';

/** The services this CDS service offers (the discovery's list). */
export const cdsServices = [
  {
    hook: 'patient-view',
    id: 'mas-patient-view',
    title: 'MAS protocol: what is due',
    description:
      "The patient's MAS care episode: reassessment due or overdue, and its open alerts (decision support, not a medical device).",
    prefetch: { patient: 'Patient/{{context.patientId}}' },
  },
  {
    hook: 'order-sign',
    id: 'mas-order-sign',
    title: 'MAS protocol: may this drug be started now?',
    description:
      'For a protocol drug being ordered: whether the MAS protocol allows it now, why or why not, with the evidence and the standard dose.',
    prefetch: { patient: 'Patient/{{context.patientId}}' },
  },
] as const;

const requestSchema = z.looseObject({
  hook: z.string().min(1),
  hookInstance: z.string().min(1),
  context: z.looseObject({
    userId: z.string().min(1),
    patientId: z.string().min(1),
    draftOrders: z
      .looseObject({
        resourceType: z.literal('Bundle'),
        entry: z.array(z.looseObject({ resource: z.unknown() })).optional(),
      })
      .optional(),
  }),
  prefetch: z.record(z.string(), z.unknown()).optional(),
});

/** A Coding as a draft order may carry it (only its strings are read). */
const codingSchema = z.looseObject({
  system: z.string().optional(),
  code: z.string().optional(),
  display: z.string().optional(),
});

/** The drug of a draft MedicationRequest, where it names one. */
const medicationConceptSchema = z.looseObject({
  coding: z.array(codingSchema).optional(),
  text: z.string().optional(),
});

/** The patient a prefetch may carry (null: the EHR could not fetch it). */
const prefetchedPatientSchema = z
  .looseObject({
    id: z.string().optional(),
    identifier: z
      .array(
        z.looseObject({
          system: z.string().optional(),
          value: z.string().optional(),
        }),
      )
      .optional(),
  })
  .nullable();

const feedbackSchema = z.looseObject({
  feedback: z
    .array(
      z.looseObject({
        card: z.string().min(1),
        outcome: z.enum(['accepted', 'overridden']),
        overrideReason: z
          .looseObject({
            reason: z.looseObject({ code: z.string() }).optional(),
            userComment: z.string().max(2000).optional(),
          })
          .optional(),
        outcomeTimestamp: instantSchema,
      }),
    )
    .min(1)
    .max(50),
});

/** How long a card is remembered for its feedback (an hour). */
const CARD_MEMORY_MS = 3_600_000;

/**
 * CDS Hooks 2.0: the protocol where the clinician already works. Cards are
 * read from the patient's real, open episodes (matched by the pseudonymous
 * identifier: the EHR's patient id, or an identifier of the prefetched
 * Patient in this service's namespace); every call and every feedback is in
 * the access log, under the episode, with the calling EHR and its user.
 */
export class CdsHooksService {
  private readonly cards = new Map<
    string,
    { episodeId: string; until: number }
  >();

  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly episodes: EpisodesService,
    private readonly accessLog: AccessLogService,
    private readonly profile: InstitutionProfile,
  ) {}

  discovery() {
    return { services: cdsServices };
  }

  /** The reader a call acts as: the EHR's user, a clinician, for reading. */
  private reader(client: string, userId: string): AuthenticatedUser {
    return {
      id: `cds:${client}`,
      username: `${client} ${userId}`,
      role: 'clinician',
    };
  }

  private async episodesOf(
    patientIds: readonly string[],
    reader: AuthenticatedUser,
  ): Promise<
    (CardEpisode & {
      patient: { weightKg: number; heightCm: number };
      context: EpisodeContext;
    })[]
  > {
    if (patientIds.length === 0) return [];
    const rows = await this.dataSource
      .getRepository(this.entities.episode)
      .createQueryBuilder('episode')
      .select(['episode.id', 'episode.overdue'])
      .where('episode.kind = :kind', { kind: 'real' })
      .andWhere('episode.patientIdentifier IN (:...ids)', { ids: patientIds })
      .orderBy('episode.createdAt', 'DESC')
      .limit(10)
      .getMany();
    const found = [];
    for (const row of rows) {
      const detail = await this.episodes.get(row.id, reader);
      if (detail.final) continue;
      found.push({
        id: detail.id,
        stage: detail.stage,
        nextDueAt: detail.nextDueAt,
        overdue: row.overdue,
        alerts: detail.alerts,
        allowed: detail.allowed,
        blocked: detail.blocked,
        patient: detail.patient,
        context: detail.context,
      });
    }
    return found;
  }

  /** A hook call: the cards for it. */
  async call(
    serviceId: string,
    body: unknown,
    client: string,
    appUrl: string,
    now: Date,
  ): Promise<{ cards: Card[] }> {
    const service = cdsServices.find((s) => s.id === serviceId);
    if (!service) throw new CdsNotFound(`no CDS service ${serviceId}`);
    const request = parseOrThrow(requestSchema, body, 'body');
    if (request.hook !== service.hook) {
      throw new CdsBadRequest('body.hook', `must be ${service.hook}`);
    }
    const reader = this.reader(client, request.context.userId);
    if (reader.username.length > ACCESS_LOG_ACTOR_MAX_LENGTH) {
      // Named in the access log as "<client> <userId>".
      throw new CdsBadRequest(
        'body.context.userId',
        `must be at most ${String(ACCESS_LOG_ACTOR_MAX_LENGTH - client.length - 1)} characters`,
      );
    }
    const prefetched =
      request.prefetch?.['patient'] === undefined
        ? undefined
        : parseOrThrow(
            prefetchedPatientSchema,
            request.prefetch['patient'],
            'body.prefetch.patient',
          );
    // Each draft order's drug, checked before anything is read.
    (request.context.draftOrders?.entry ?? []).forEach((entry, index) => {
      const resource = entry.resource;
      if (
        typeof resource === 'object' &&
        resource !== null &&
        'medicationCodeableConcept' in resource
      ) {
        parseOrThrow(
          medicationConceptSchema,
          resource.medicationCodeableConcept,
          `body.context.draftOrders.entry.${String(index)}.resource.medicationCodeableConcept`,
        );
      }
    });
    // One patient: the prefetched Patient is the context's (the template
    // asks for Patient/{{context.patientId}}); this service's identifier on
    // it, when there is one, names the patient, else the EHR's id does.
    // Never both: cards for two patients in one answer would show in one
    // chart.
    if (
      prefetched?.id !== undefined &&
      prefetched.id !== request.context.patientId
    ) {
      throw new CdsBadRequest(
        'body.prefetch.patient.id',
        `must be the patient of context.patientId (${request.context.patientId}), not ${prefetched.id}`,
      );
    }
    const ours = [
      ...new Set(
        (prefetched?.identifier ?? [])
          .filter((i) => i.system === `${FHIR_NAMESPACE}:patient-identifier`)
          .map((i) => i.value)
          .filter((v): v is string => typeof v === 'string'),
      ),
    ];
    if (ours.length > 1) {
      throw new CdsBadRequest(
        'body.prefetch.patient.identifier',
        `names ${String(ours.length)} patients in this service's namespace (${ours.join(', ')}): a hook is about one patient`,
      );
    }
    if (ours.length === 1 && prefetched?.id === undefined) {
      // Only the EHR's own fetch of Patient/{{context.patientId}} says whose
      // identifier it is: without its id, the identifier could be anyone's.
      throw new CdsBadRequest(
        'body.prefetch.patient.id',
        `must be present and be context.patientId (${request.context.patientId}) when the prefetched Patient carries this service's identifier`,
      );
    }
    const patientIds = ours.length === 1 ? ours : [request.context.patientId];
    if (ours.length === 1 && ours[0] !== request.context.patientId) {
      // The EHR's id names another patient of this service: two patients.
      const other = await this.dataSource
        .getRepository(this.entities.episode)
        .createQueryBuilder('episode')
        .select('episode.id')
        .where('episode.kind = :kind', { kind: 'real' })
        .andWhere('episode.patientIdentifier = :id', {
          id: request.context.patientId,
        })
        .getOne();
      if (other !== null) {
        throw new CdsBadRequest(
          'body.context.patientId',
          `names another patient of this service than the prefetched Patient's identifier (${ours[0] ?? ''}): a hook is about one patient`,
        );
      }
    }
    const episodes = await this.episodesOf(patientIds, reader);
    const uuid = () => randomUUID();
    const cards: Card[] = [];
    for (const episode of episodes) {
      const made =
        service.hook === 'patient-view'
          ? patientViewCards(episode, appUrl, uuid)
          : (request.context.draftOrders?.entry ?? []).flatMap((entry) => {
              const drug = orderedDrug(entry.resource);
              if (drug === null) return [];
              let dose: DoseResult | string;
              try {
                dose = standardDose(drug, episode.patient, this.profile);
              } catch (error) {
                dose = error instanceof Error ? error.message : String(error);
              }
              // The dose is still to be given: a weight (or height) older
              // than the institution allows is said on the card.
              const measures =
                typeof dose === 'string'
                  ? null
                  : staleMeasuresWarning(
                      episode.context,
                      [dose],
                      now.toISOString(),
                    );
              return [
                orderSignCard(episode, drug, dose, appUrl, uuid, measures),
              ];
            });
      for (const card of made) {
        this.cards.set(card.uuid, {
          episodeId: episode.id,
          until: now.getTime() + CARD_MEMORY_MS,
        });
      }
      cards.push(...made);
      await this.accessLog.record({
        user: reader,
        action: `cds.${service.hook}`,
        episodeId: episode.id,
        detail: { hookInstance: request.hookInstance, cards: made.length },
      });
    }
    return { cards };
  }

  /** The clinician's answer to cards (accepted, overridden and why). */
  async feedback(
    serviceId: string,
    body: unknown,
    client: string,
    now: Date,
  ): Promise<void> {
    if (!cdsServices.some((s) => s.id === serviceId)) {
      throw new CdsNotFound(`no CDS service ${serviceId}`);
    }
    const request = parseOrThrow(feedbackSchema, body, 'body');
    for (const [id, card] of this.cards) {
      if (card.until < now.getTime()) this.cards.delete(id);
    }
    for (const item of request.feedback) {
      const card = this.cards.get(item.card);
      await this.accessLog.record({
        user: { id: `cds:${client}`, username: client, role: 'clinician' },
        action: `cds.feedback.${item.outcome}`,
        episodeId: card?.episodeId ?? null,
        detail: {
          service: serviceId,
          card: item.card,
          known: card !== undefined,
          ...(item.overrideReason
            ? { overrideReason: item.overrideReason }
            : {}),
          at: item.outcomeTimestamp,
        },
      });
    }
  }
}

export class CdsNotFound extends Error {}

export class CdsBadRequest extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}
