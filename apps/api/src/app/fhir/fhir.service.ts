import type { Bundle, Resource } from '@medplum/fhirtypes';

import type { AccessLogService } from '../access-log/access-log.service.js';
import {
  type AuthenticatedUser,
  type EpisodesService,
  ServiceError,
} from '../episodes/episodes.service.js';
import {
  type FhirResourceType,
  fhirResourceTypes,
  patientSearchParameter,
  searchBundle,
} from './fhir-bundle.util.js';
import {
  episodeResources,
  type FhirAuditEntry,
  type FhirEpisodeSource,
} from './fhir-resources.util.js';

const EPISODE_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const iso = (value: unknown): string => new Date(value as string).toISOString();

/** A FHIR refusal: the HTTP status, the issue code, the words, where. */
export class FhirRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: 'invalid' | 'not-found' | 'forbidden' | 'not-supported',
    message: string,
    readonly expression?: string,
  ) {
    super(message);
  }
}

function resourceType(type: string): FhirResourceType {
  if (!(fhirResourceTypes as readonly string[]).includes(type)) {
    throw new FhirRefusal(
      404,
      'not-supported',
      `${type} is not served here (${fhirResourceTypes.join(', ')})`,
    );
  }
  return type as FhirResourceType;
}

/**
 * The FHIR R4 view of the episodes, read-only: each read goes through the
 * episode service (the same access rules: trainees their training episodes)
 * and is written to the access log under the episode it concerns.
 */
export class FhirService {
  constructor(
    private readonly episodes: EpisodesService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Every resource of one episode. */
  private async resources(
    episodeId: string,
    user: AuthenticatedUser,
  ): Promise<Resource[]> {
    let detail: Awaited<ReturnType<EpisodesService['get']>>;
    let audit: Awaited<ReturnType<EpisodesService['audit']>>;
    try {
      detail = await this.episodes.get(episodeId, user);
      audit = await this.episodes.audit(episodeId, user);
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404) {
        throw new FhirRefusal(404, 'not-found', `no episode ${episodeId}`);
      }
      if (error instanceof ServiceError && error.status === 403) {
        throw new FhirRefusal(403, 'forbidden', error.message);
      }
      throw error;
    }
    const context = detail.context as {
      openedAt: string;
      suspicionAt: string | null;
    };
    const source: FhirEpisodeSource = {
      id: detail.id,
      kind: detail.kind,
      patient: detail.patient,
      openedAt: context.openedAt,
      stage: detail.stage,
      final: detail.final,
      value: detail.value,
      alerts: detail.alerts,
      nextDueAt: detail.nextDueAt,
      suspicionAt: context.suspicionAt,
      protocol: detail.protocol,
      entries: audit.map((entry): FhirAuditEntry => ({
        seq: entry.seq,
        type: entry.type,
        payload: entry.payload,
        actorId: entry.actorId,
        actorRole: entry.actorRole,
        occurredAt: iso(entry.occurredAt),
        recordedAt: iso(entry.recordedAt),
        rationale: entry.rationale,
      })),
    };
    return episodeResources(source);
  }

  /** `GET [base]/{type}/{id}`. */
  async read(
    type: string,
    id: string,
    user: AuthenticatedUser,
  ): Promise<Resource> {
    const wanted = resourceType(type);
    const episodeId = EPISODE_ID.exec(id)?.[0];
    if (episodeId === undefined) {
      throw new FhirRefusal(404, 'not-found', `no ${wanted}/${id}`);
    }
    const found = (await this.resources(episodeId, user)).find(
      (resource) => resource.resourceType === wanted && resource.id === id,
    );
    if (!found) throw new FhirRefusal(404, 'not-found', `no ${wanted}/${id}`);
    await this.accessLog.record({
      user,
      action: 'fhir.read',
      episodeId,
      detail: { resource: `${wanted}/${id}` },
    });
    return found;
  }

  /** `GET [base]/{type}?patient=` (or `_id` for Patient): one patient's. */
  async search(
    type: string,
    query: Record<string, unknown>,
    user: AuthenticatedUser,
    base: string,
  ): Promise<Bundle> {
    const wanted = resourceType(type);
    const parameter = patientSearchParameter[wanted];
    const unknown = Object.keys(query).filter((key) => key !== parameter);
    if (unknown.length > 0) {
      throw new FhirRefusal(
        400,
        'not-supported',
        `${wanted} is searched by ${parameter} only, not ${unknown.join(', ')}`,
        unknown[0],
      );
    }
    const value = query[parameter];
    const episodeId =
      typeof value === 'string'
        ? /^(?:Patient\/)?([0-9a-f-]{36})$/.exec(value)?.[1]
        : undefined;
    if (episodeId === undefined) {
      throw new FhirRefusal(
        400,
        'invalid',
        `a search of ${wanted} names one patient: ${parameter}=${wanted === 'Patient' ? '{id}' : 'Patient/{id}'}`,
        parameter,
      );
    }
    let resources: Resource[];
    try {
      resources = await this.resources(episodeId, user);
    } catch (error) {
      // A patient one may not read, or none: an empty search, as FHIR has it.
      if (error instanceof FhirRefusal && error.status === 404) {
        return searchBundle(base, []);
      }
      throw error;
    }
    await this.accessLog.record({
      user,
      action: 'fhir.search',
      episodeId,
      detail: { resourceType: wanted },
    });
    return searchBundle(
      base,
      resources.filter((resource) => resource.resourceType === wanted),
    );
  }

  /** `GET [base]/Patient/{id}/$everything`, and the same for the episode. */
  async everything(
    type: string,
    id: string,
    user: AuthenticatedUser,
    base: string,
  ): Promise<Bundle> {
    const wanted = resourceType(type);
    if (wanted !== 'Patient' && wanted !== 'EpisodeOfCare') {
      throw new FhirRefusal(
        404,
        'not-supported',
        `$everything is an operation on Patient and EpisodeOfCare, not ${wanted}`,
      );
    }
    if (!EPISODE_ID.test(id) || id.length !== 36) {
      throw new FhirRefusal(404, 'not-found', `no ${wanted}/${id}`);
    }
    const resources = await this.resources(id, user);
    await this.accessLog.record({
      user,
      action: 'fhir.everything',
      episodeId: id,
    });
    return searchBundle(base, resources);
  }
}
