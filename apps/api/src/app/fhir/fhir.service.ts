import type { Bundle, Resource } from '@medplum/fhirtypes';

import {
  effectiveEntries,
  episodeEventSchema,
  parseOrThrow,
} from '@mas/contracts';
import { ClinicalInputError, unusualValues } from '@mas/protocol';

import type { AccessLogService } from '../access-log/access-log.service.js';
import type { Clock } from '../clock/clock.js';
import {
  type AuthenticatedUser,
  checkClinicalTimes,
  type EpisodesService,
  SEAL_BROKEN,
  ServiceError,
} from '../episodes/episodes.service.js';
import type { WorkItemsService } from '../work-items/work-items.service.js';
import {
  type FhirResourceType,
  fhirResourceTypes,
  patientSearchParameter,
  searchBundle,
} from './fhir-bundle.util.js';
import {
  FhirImportError,
  fieldAt,
  type ImportedPanel,
  importLabResults,
  recordedKeys,
  voidedKeys,
} from './fhir-import.util.js';
import {
  episodeResources,
  type FhirAuditEntry,
  type FhirEpisodeSource,
} from './fhir-resources.util.js';
import {
  type EverythingPage,
  type EverythingSnapshot,
  FhirSearchError,
  type ParsedSearch,
  parseEverythingPage,
  parseSearch,
  runSearch,
  snapshotText,
} from './fhir-search.util.js';

const EPISODE_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const iso = (value: unknown): string => new Date(value as string).toISOString();

const walkKey = (id: string, version: number, at: Date) =>
  `${id}|${String(version)}|${at.toISOString()}`;

/**
 * A page's links: itself, and the first, previous and next pages when
 * `_count` cuts the matches (the same query with another `_offset`).
 */
function pageLinks(
  url: string,
  query: Record<string, unknown>,
  asked: { readonly count: number | null; readonly offset: number },
  total: number,
): { relation: string; url: string }[] {
  const at = (offset: number): string => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key === '_offset') continue;
      for (const one of Array.isArray(value) ? value : [value]) {
        params.append(key, String(one));
      }
    }
    if (offset > 0) params.set('_offset', String(offset));
    return `${url}?${params.toString()}`;
  };
  const links = [{ relation: 'self', url: at(asked.offset) }];
  if (asked.count === null) return links;
  if (asked.offset > 0) {
    links.push({ relation: 'first', url: at(0) });
    links.push({
      relation: 'previous',
      url: at(Math.max(0, asked.offset - asked.count)),
    });
  }
  if (asked.count > 0 && asked.offset + asked.count < total) {
    links.push({ relation: 'next', url: at(asked.offset + asked.count) });
  }
  return links;
}

/**
 * `read`'s answer; an episode this user may not read is answered as one
 * that does not exist (a trainee cannot tell a real patient's id from none).
 */
async function readable<T>(episodeId: string, read: () => Promise<T>) {
  try {
    return await read();
  } catch (error) {
    if (
      error instanceof ServiceError &&
      (error.status === 404 || error.status === 403)
    ) {
      throw new FhirRefusal(404, 'not-found', `no episode ${episodeId}`);
    }
    throw error;
  }
}

/** A next page asked after the episode it stands on has changed. */
function changedSince(snapshot: EverythingSnapshot, version: number) {
  return new FhirRefusal(
    409,
    'conflict',
    `_snapshot: the episode has changed since the first page (version ${String(snapshot.version)}, now ${String(version)}); ask $everything again without _snapshot and _offset`,
    '_snapshot',
  );
}

/** How many walks of `$everything` under way keep their resources. */
const WALKS_KEPT = 16;

/** A FHIR refusal: the HTTP status, the issue code, the words, where. */
export class FhirRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code:
      'invalid' | 'not-found' | 'forbidden' | 'not-supported' | 'conflict',
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
  /**
   * The resources of the walks of `$everything` under way, by episode,
   * version and instant: a walk's next pages are cut from them rather than
   * built again (most of a page's cost); the last page lets them go.
   */
  private readonly walks = new Map<string, Resource[]>();

  constructor(
    private readonly episodes: EpisodesService,
    private readonly workItems: WorkItemsService,
    private readonly accessLog: AccessLogService,
    private readonly clock: Clock,
  ) {}

  /**
   * Every resource of one episode, and the version they are of; with
   * `readsBefore`, the reads recorded from that instant on left out.
   */
  private async resources(
    episodeId: string,
    user: AuthenticatedUser,
    readsBefore?: Date,
  ): Promise<{ resources: Resource[]; version: number }> {
    const { detail, audit, workItems, reads } = await readable(
      episodeId,
      async () => ({
        detail: await this.episodes.state(episodeId, user),
        audit: await this.episodes.auditedEvents(episodeId, user),
        // Every approval and countersignature asked for, in one query (the
        // episode service above has checked that this user may read it).
        workItems: await this.workItems.allOfEpisode(
          episodeId,
          ['second-senior-approval', 'countersignature'],
          user,
        ),
        reads: await this.accessLog.readsOf(episodeId),
      }),
    );
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
      workItems,
      reads: (readsBefore === undefined
        ? reads
        : reads.filter(
            (read) => new Date(read.at).getTime() < readsBefore.getTime(),
          )
      ).map((read) => ({
        id: read.id,
        at: iso(read.at),
        actorId: read.actorId,
        actorRole: read.actorRole,
        action: read.action,
      })),
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
    return { resources: episodeResources(source), version: detail.version };
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
    const found = (await this.resources(episodeId, user)).resources.find(
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

  /**
   * `GET [base]/{type}?patient=...` (or `_id` for Patient): within one
   * patient's record, filtered, sorted and paged by the parameters the
   * CapabilityStatement declares (`fhir-search.util.ts`).
   */
  async search(
    type: string,
    query: Record<string, unknown>,
    user: AuthenticatedUser,
    base: string,
  ): Promise<Bundle> {
    const wanted = resourceType(type);
    const parameter = patientSearchParameter[wanted];
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
    const rest = Object.fromEntries(
      Object.entries(query).filter(([key]) => key !== parameter),
    );
    let asked: ParsedSearch;
    try {
      asked = parseSearch(wanted, rest);
    } catch (error) {
      if (!(error instanceof FhirSearchError)) throw error;
      throw new FhirRefusal(400, error.code, error.message, error.parameter);
    }
    let resources: Resource[];
    try {
      ({ resources } = await this.resources(episodeId, user));
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
      detail: {
        resourceType: wanted,
        ...(Object.keys(rest).length === 0 ? {} : { query: rest }),
      },
    });
    const { total, page } = runSearch(wanted, resources, asked);
    return searchBundle(base, page, {
      total,
      links: pageLinks(`${base}/${wanted}`, query, asked, total),
    });
  }

  /**
   * `GET [base]/Patient/{id}/$everything`, and the same for the episode: a
   * page of the record (`_count`, EVERYTHING_PAGE when not given), with
   * its links. The first page pins the record (the episode's version, the
   * instant) in the links' `_snapshot`: the pages after it are cut from
   * the same resources in the same order, and a change to the episode in
   * between is a 409 (start again), never a page that skips or repeats.
   */
  async everything(
    type: string,
    id: string,
    user: AuthenticatedUser,
    base: string,
    query: Record<string, unknown> = {},
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
    let page: EverythingPage;
    try {
      page = parseEverythingPage(query);
    } catch (error) {
      if (!(error instanceof FhirSearchError)) throw error;
      throw new FhirRefusal(400, error.code, error.message, error.parameter);
    }
    const at = page.snapshot?.at ?? this.clock.now();
    // A next page: the episode unchanged, the resources its first page was
    // cut from (kept here, or built again where they are not: the same).
    let kept: { resources: Resource[]; version: number } | undefined;
    if (page.snapshot !== null) {
      const { version } = await readable(id, () =>
        this.episodes.state(id, user),
      );
      if (version !== page.snapshot.version) {
        throw changedSince(page.snapshot, version);
      }
      const resources = this.walks.get(walkKey(id, version, at));
      if (resources !== undefined) kept = { resources, version };
    }
    const { resources, version } = kept ?? (await this.resources(id, user, at));
    if (page.snapshot !== null && page.snapshot.version !== version) {
      throw changedSince(page.snapshot, version);
    }
    const key = walkKey(id, version, at);
    this.walks.delete(key);
    if (page.offset + page.count < resources.length) {
      // More pages to come: kept for them (the oldest walk dropped).
      this.walks.set(key, resources);
      if (this.walks.size > WALKS_KEPT) {
        const oldest = this.walks.keys().next().value;
        if (oldest !== undefined) this.walks.delete(oldest);
      }
    }
    await this.accessLog.record({
      user,
      action: 'fhir.everything',
      episodeId: id,
    });
    const links = pageLinks(
      `${base}/${wanted}/${id}/$everything`,
      {
        ...(query['_format'] === undefined
          ? {}
          : { _format: query['_format'] }),
        _count: String(page.count),
        _snapshot: snapshotText({ version, at }),
      },
      page,
      resources.length,
    );
    return searchBundle(
      base,
      resources.slice(page.offset, page.offset + page.count),
      { total: resources.length, links },
    );
  }

  /**
   * `POST /api/episodes/{id}/fhir`: laboratory results (a Bundle of
   * Observations, a subscription notification, or one Observation) recorded
   * as the episode's labs, one `labs.recorded` per sample time, each with the
   * Observations' keys. Every entry is checked before anything is written
   * (code, unit, status, sample time, plausible and usual values): a bad one
   * is a 400 naming it, an unusual value a 422 naming it (a feed does not
   * confirm for a clinician); an Observation sent again is left out.
   */
  async importLabs(
    id: string,
    body: unknown,
    user: AuthenticatedUser,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const detail = await this.episodes.get(id, user);
    if (detail.kind !== 'real') {
      throw new ServiceError(409, {
        message:
          'a training episode takes its labs from its virtual patient, not from a laboratory system',
      });
    }
    const audit = await this.episodes.audit(id, user);
    // Only the panels in force: one the ward marked entered in error is
    // recorded again when sent again, and its result withdrawn is already
    // corrected.
    const imported = importLabResults(
      body,
      recordedKeys(effectiveEntries(audit)),
      { id: detail.id, identifier: detail.patient.identifier },
      voidedKeys(audit),
    );
    const openedAt = (detail.context as { openedAt: string }).openedAt;
    const now = this.clock.now();
    for (const panel of imported.panels) this.check(panel, openedAt, now);
    // Every event the import will send, checked as its route checks it
    // before the first is written: bad input never leaves half a Bundle.
    for (const panel of imported.panels) {
      try {
        parseOrThrow(
          episodeEventSchema,
          {
            type: 'labs.recorded',
            at: now.toISOString(),
            actor: { id: user.username, role: 'clinician' },
            payload: this.payloadOf(panel),
          },
          '',
        );
      } catch (error) {
        if (!(error instanceof ClinicalInputError)) throw error;
        throw new FhirImportError(
          panel.values[0]?.path ?? 'entry',
          `${error.field}: ${error.rule}`,
        );
      }
    }
    let version = detail.version;
    const recorded: { collectedAt: string; version: number }[] = [];
    for (const panel of imported.panels) {
      let answer: { status: number; body: unknown };
      try {
        answer = await this.episodes.send(
          id,
          {
            type: 'labs.recorded',
            payload: this.payloadOf(panel),
            expectedVersion: version,
          },
          user,
          undefined,
          'fhir-import',
        );
      } catch (error) {
        // Another change came first (the version moved on): answered below
        // as such. A record failing its seal is not a race: said as it is.
        if (
          !(error instanceof ServiceError) ||
          error.status !== 409 ||
          error.body['rule'] === SEAL_BROKEN
        ) {
          throw error;
        }
        answer = { status: 409, body: error.body };
      }
      if (answer.status !== 201) {
        // Refused by the protocol (the episode has ended, say), or another
        // change came between two samples: what was recorded before it
        // stays, and is said; sent again, the Bundle's recorded results are
        // recognised as repeats and the rest is recorded.
        const refusal = answer.body as Record<string, unknown>;
        return {
          status: answer.status,
          body:
            answer.status === 409
              ? {
                  message: `another change to this episode was recorded while the Bundle was being recorded: ${String(recorded.length)} of its ${String(imported.panels.length)} samples are recorded; send the same Bundle again (the results already recorded are recognised and left out)`,
                  recorded,
                }
              : { ...refusal, recorded },
        };
      }
      version = (answer.body as { version: number }).version;
      recorded.push({ collectedAt: panel.collectedAt, version });
    }
    return {
      status: recorded.length > 0 ? 201 : 200,
      body: {
        recorded,
        observations: imported.panels.reduce(
          (sum, panel) => sum + panel.values.length,
          0,
        ),
        duplicates: imported.duplicates.length,
        alreadyCorrected: imported.alreadyCorrected.length,
        ignored: imported.ignored,
        version,
      },
    };
  }

  /** The `labs.recorded` payload of one imported sample. */
  private payloadOf(panel: ImportedPanel) {
    return {
      panel: panel.panel,
      collectedAt: panel.collectedAt,
      source: {
        system: 'fhir' as const,
        observations: panel.values.map((value) => value.key),
        fields: panel.values.map((value) => value.field),
      },
    };
  }

  /** One sample's values: plausible, usual, in time; else the entry named. */
  private check(panel: ImportedPanel, openedAt: string, now: Date): void {
    const entryOf = (field: string) =>
      panel.values.find((value) => value.field === field.split('.')[0]);
    let unusual: ReturnType<typeof unusualValues>;
    try {
      unusual = unusualValues(panel.panel);
    } catch (error) {
      if (!(error instanceof ClinicalInputError)) throw error;
      const entry = entryOf(error.field);
      throw new FhirImportError(
        entry ? fieldAt(entry.path, 'valueQuantity.value') : 'entry',
        error.rule,
      );
    }
    const first = unusual[0];
    if (first !== undefined) {
      const entry = entryOf(first.field);
      const field = entry
        ? fieldAt(entry.path, 'valueQuantity.value')
        : 'entry';
      throw new ServiceError(422, {
        message: `${field}: ${first.message}; a laboratory feed does not confirm an unusual value: record it by hand, confirmed`,
        field,
        rule: first.message,
        unusualFields: unusual.map((value) => value.field),
      });
    }
    try {
      checkClinicalTimes(
        {
          type: 'labs.recorded',
          at: now.toISOString(),
          actor: { id: 'laboratory', role: 'clinician' },
          payload: { panel: panel.panel, collectedAt: panel.collectedAt },
        },
        openedAt,
        null,
        now,
      );
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      const stated = error.body['rule'];
      const rule = typeof stated === 'string' ? stated : error.message;
      throw new FhirImportError(
        fieldAt(panel.values[0]?.path ?? 'entry', 'effectiveDateTime'),
        rule,
      );
    }
  }
}
