/**
 * FHIR Bundles, the CapabilityStatement and OperationOutcomes of the
 * service's FHIR R4 endpoint (`/api/fhir/R4`).
 */
import type {
  Bundle,
  CapabilityStatement,
  OperationOutcome,
  Resource,
} from '@medplum/fhirtypes';

import {
  declaredSearchParameters,
  EVERYTHING_PAGE,
  MAX_PAGE,
} from './fhir-search.util.js';

/** The resource types the endpoint serves, and what each is searched by. */
export const fhirResourceTypes = [
  'Patient',
  'EpisodeOfCare',
  'Condition',
  'CarePlan',
  'Observation',
  'MedicationAdministration',
  'DetectedIssue',
  'Task',
  'Provenance',
  'AuditEvent',
] as const;
export type FhirResourceType = (typeof fhirResourceTypes)[number];

/** The search parameter naming the patient, per type (FHIR's own names). */
export const patientSearchParameter: Readonly<
  Record<FhirResourceType, string>
> = {
  Patient: '_id',
  EpisodeOfCare: 'patient',
  Condition: 'patient',
  CarePlan: 'patient',
  Observation: 'patient',
  MedicationAdministration: 'patient',
  DetectedIssue: 'patient',
  Task: 'patient',
  Provenance: 'patient',
  AuditEvent: 'patient',
};

/**
 * A search answer: the matches (a page of them when `page` is given, with
 * its self, previous and next links and the total of all matches), each
 * with its full URL.
 */
export function searchBundle(
  base: string,
  resources: readonly Resource[],
  page?: {
    readonly total: number;
    readonly links: readonly { relation: string; url: string }[];
  },
): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: page?.total ?? resources.length,
    ...(page === undefined || page.links.length === 0
      ? {}
      : { link: page.links.map((link) => ({ ...link })) }),
    entry: resources.map((resource) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

/** What a refusal says, the FHIR way. */
export function operationOutcome(
  code:
    | 'invalid'
    | 'not-found'
    | 'forbidden'
    | 'not-supported'
    | 'processing'
    | 'conflict',
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code,
        diagnostics,
        ...(expression === undefined ? {} : { expression: [expression] }),
      },
    ],
  };
}

/** What the endpoint can do (`GET /api/fhir/R4/metadata`). */
export function capabilityStatement(options: {
  readonly base: string;
  readonly version: string;
  readonly date: string;
}): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.date,
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    software: { name: 'MAS care-episode service', version: options.version },
    implementation: {
      description:
        'Decision support for the treatment protocol of macrophage activation syndrome (not a medical device): each care episode as FHIR R4 resources, read-only.',
      url: options.base,
    },
    rest: [
      {
        mode: 'server',
        security: {
          description:
            'A bearer token (POST /api/auth/login) or the browser session; the roles that read episodes read these.',
        },
        resource: fhirResourceTypes.map((type) => ({
          type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: [
            {
              name: patientSearchParameter[type],
              type: type === 'Patient' ? 'token' : 'reference',
              documentation:
                type === 'Patient'
                  ? 'The episode id (each episode keeps its own pseudonymous patient). Required: a search is within one patient.'
                  : 'Patient/{episode id}, or the id alone. Required: a search is within one patient.',
            },
            ...(type === 'Patient'
              ? []
              : [
                  {
                    name: '_id',
                    type: 'token' as const,
                    documentation: 'The resource id.',
                  },
                ]),
            ...declaredSearchParameters(type).map((parameter) => ({
              name: parameter.name,
              type: parameter.type,
              definition: parameter.url,
            })),
          ],
          ...(type === 'Patient' || type === 'EpisodeOfCare'
            ? {
                operation: [
                  {
                    name: 'everything',
                    definition:
                      type === 'Patient'
                        ? 'http://hl7.org/fhir/OperationDefinition/Patient-everything'
                        : 'http://hl7.org/fhir/OperationDefinition/EpisodeOfCare-everything',
                    documentation: `In pages: _count from 1 to ${String(MAX_PAGE)} entries, ${String(EVERYTHING_PAGE)} when not given; follow the next links to the end of the record. Every page of one walk is cut from the record as it was at the first page (_snapshot, in the links); a change to the episode since is a 409.`,
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
