/**
 * The service's OpenAPI 3.1 document, generated from the zod schemas that
 * validate its requests and describe its answers (`@asteasolutions/
 * zod-to-openapi`): every route, its parameters, body, each answer and each
 * refusal, who may call it. The API serves it at `/api/docs-json`; the
 * contract suite checks every answer of a tour of the service against it.
 */
import {
  OpenApiGeneratorV31,
  OpenAPIRegistry,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

import {
  auditVerifyQuerySchema,
  bulkMigrationRequestSchema,
  changesQuerySchema,
  episodeCreateSchema,
  loginSchema,
  migrationRequestSchema,
  newUserSchema,
  passwordChangeSchema,
  passwordResetSchema,
  protocolDiffQuerySchema,
  stateAtQuerySchema,
  trainingAdvanceSchema,
  trainingStartSchema,
  userChangeSchema,
  type UserRole,
} from './api-requests.schema.js';
import {
  accessLogPageSchema,
  auditEntrySchema,
  auditVerificationSchema,
  bulkMigrationAnswerSchema,
  checkpointSchema,
  entryVoidedSchema,
  episodeAuditVerificationSchema,
  episodeDetailSchema,
  episodeListSchema,
  episodeRefusalListSchema,
  errorBodySchema,
  escalationDecisionSchema,
  eventAcceptedSchema,
  fhirImportResultSchema,
  healthSchema,
  loginAnswerSchema,
  protocolDiffSchema,
  protocolDocumentSchema,
  protocolVersionListSchema,
  sessionSchema,
  signInProvidersSchema,
  stateAtSchema,
  trainingDebriefSchema,
  trainingScenariosSchema,
  trainingStateSchema,
  userSummarySchema,
} from './api-responses.schema.js';
import { entryVoidRequestSchema } from './entered-in-error.schema.js';
import {
  episodeEventTypes,
  instantSchema,
  payloadSchemas,
} from './episode-event.schema.js';
import { escalationFilterSchema } from './escalation-filter.schema.js';
import {
  accessLogQuerySchema,
  episodeListQuerySchema,
} from './list-query.schema.js';
import { patientSchema } from './patient.schema.js';
import {
  qualityQuerySchema,
  qualityReportSchema,
  simulatedQualityQuerySchema,
  simulatedQualitySchema,
} from './quality-report.schema.js';
import {
  episodeWorkItemQuerySchema,
  workItemPageSchema,
  workItemQuerySchema,
} from './work-item.schema.js';

export interface OpenApiOptions {
  /** The service's version (the protocol's). */
  readonly version: string;
  /** The training scenarios the simulator offers (their ids). */
  readonly scenarioIds: readonly string[];
}

/** The refusals a route may give, each with what it means there. */
type Refusal = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

const refusalWords: Record<Refusal, string> = {
  400: 'Bad input: the field and the rule it broke. Nothing was changed.',
  401: 'No valid session or token (signed out, expired, revoked, user disabled).',
  403: "The caller's role may not do this.",
  404: 'No such resource (or not configured).',
  409: 'A conflict: a stale expectedVersion, a taken name, a record failing its seal.',
  413: 'The body is larger than the limit.',
  415: 'The body is not JSON in UTF-8.',
  422: 'Understood but refused by a rule (the protocol, an unusual value to confirm, a reused key).',
  429: 'Too many attempts: try again after Retry-After seconds.',
  503: 'Busy with work of this kind (simulated cohorts): ask again in a minute.',
};

const idParam = z.object({
  id: z.string().meta({ description: 'The id (a UUID).' }),
});

const fhirTypeParam = z.object({
  type: z.string().meta({
    description:
      'Patient, EpisodeOfCare, Condition, CarePlan, Observation, MedicationAdministration, DetectedIssue, Task, Provenance or AuditEvent.',
  }),
});

/** A FHIR search's text values: one, or several (an AND). */
const fhirSearchValue = z.union([z.string(), z.array(z.string())]).optional();

/**
 * The FHIR search parameters (FHIR R4's own; which type answers which is
 * in the CapabilityStatement, `GET /api/fhir/R4/metadata`; any other is a
 * 400). Modifiers :missing (any) and :not (tokens) go after the name.
 */
export const fhirSearchQuery = z.object({
  patient: z.string().optional().meta({
    description:
      'Patient/{episode id}: required, a search is within one patient.',
  }),
  _id: fhirSearchValue,
  _count: z.string().optional().meta({
    description: 'Entries per page, 0 to 1000.',
  }),
  _offset: z.string().optional().meta({
    description: 'Where the page starts (the next link carries it).',
  }),
  _sort: z.string().optional().meta({
    description:
      'Date or token parameters and _id, comma-separated; - for descending.',
  }),
  _format: z.string().optional(),
  code: fhirSearchValue,
  category: fhirSearchValue,
  status: fhirSearchValue,
  date: fhirSearchValue,
  'value-quantity': fhirSearchValue,
  'effective-time': fhirSearchValue,
  'clinical-status': fhirSearchValue,
  'verification-status': fhirSearchValue,
  'onset-date': fhirSearchValue,
  'recorded-date': fhirSearchValue,
  identified: fhirSearchValue,
  'authored-on': fhirSearchValue,
  recorded: fhirSearchValue,
  action: fhirSearchValue,
  subtype: fhirSearchValue,
  outcome: fhirSearchValue,
});

/**
 * The paging of `$everything` (FHIR's `_count`; `_offset` and `_snapshot`
 * as its links give them). Mirrors `parseEverythingPage` in the API's FHIR
 * search (apps/api/src/app/fhir/fhir-search.util.ts).
 */
export const fhirEverythingQuery = z.object({
  _count: z.string().optional().meta({
    description:
      'Entries per page, a whole number from 1 to 1000; 200 when not given. Follow the next links to the end of the record.',
  }),
  _offset: z.string().optional().meta({
    description: 'Where the page starts (the links carry it).',
  }),
  _snapshot: z.string().optional().meta({
    description:
      "The record a walk of pages stands on (the episode's version and the instant of the first page), as the links carry it: reads from that instant on come in the next export, and a change to the episode since is a 409.",
  }),
  _format: z.string().optional(),
});

const idempotencyHeader = z.object({
  'idempotency-key': z.string().max(200).optional().meta({
    description:
      'Sent again with the same body, the request is answered as the first time (200 with the same body) and recorded once.',
  }),
});

/** The body of a care event: its envelope with the payload of its type. */
function eventBody() {
  const variants = episodeEventTypes.map((type) =>
    z
      .object({
        type: z.literal(type),
        payload: payloadSchemas[type],
        rationale: z.string().min(1).optional(),
        occurredAt: instantSchema.optional().meta({
          description:
            'When it happened at the bedside (defaults to now; not for training episodes).',
        }),
        expectedVersion: z.number().int().min(0).meta({
          description: 'The version the client saw (optimistic concurrency).',
        }),
      })
      .strict(),
  );
  return z
    .discriminatedUnion(
      'type',
      variants as unknown as [
        (typeof variants)[number],
        ...(typeof variants)[number][],
      ],
    )
    .meta({ id: 'EventRequest' });
}

const json = (schema: z.ZodType) => ({
  content: { 'application/json': { schema } },
});

interface Route {
  readonly method: RouteConfig['method'];
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** Who may call it; `public` needs no session. */
  readonly roles: readonly UserRole[] | 'public' | 'any' | 'cds-client';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly ok: Record<number, ResponseConfig>;
  readonly refusals: readonly Refusal[];
  /** A FHIR route: its own refusals (400, 403, 404, 409) as OperationOutcome too. */
  readonly fhir?: boolean;
}

/** A FHIR resource or Bundle (validated against R4 by the FHIR suite). */
const fhirResourceSchema = z
  .looseObject({ resourceType: z.string(), id: z.string().optional() })
  .meta({
    id: 'FhirResource',
    description:
      'A FHIR R4 resource (or a Bundle of them), as the R4 specification defines it.',
  });

const operationOutcomeSchema = z
  .looseObject({
    resourceType: z.literal('OperationOutcome'),
    issue: z.array(
      z.looseObject({
        severity: z.string(),
        code: z.string(),
        diagnostics: z.string().optional(),
        expression: z.array(z.string()).optional(),
      }),
    ),
  })
  .meta({ id: 'OperationOutcome' });

const codingSchema = z.looseObject({
  system: z.string().optional(),
  code: z.string(),
  display: z.string().optional(),
});

const cdsDiscoverySchema = z
  .object({
    services: z.array(
      z
        .object({
          hook: z.string(),
          id: z.string(),
          title: z.string(),
          description: z.string(),
          prefetch: z.record(z.string(), z.string()),
        })
        .strict(),
    ),
  })
  .strict()
  .meta({ id: 'CdsDiscovery' });

const cdsCardsSchema = z
  .object({
    cards: z.array(
      z
        .object({
          uuid: z.string(),
          summary: z.string().max(140),
          detail: z.string().optional(),
          indicator: z.enum(['info', 'warning', 'critical']),
          source: z
            .object({ label: z.string(), topic: codingSchema.optional() })
            .strict(),
          links: z
            .array(
              z
                .object({
                  label: z.string(),
                  url: z.string(),
                  type: z.literal('absolute'),
                })
                .strict(),
            )
            .optional(),
          overrideReasons: z.array(codingSchema).optional(),
        })
        .strict(),
    ),
  })
  .strict()
  .meta({ id: 'CdsCards' });

const fhirJson = (schema: z.ZodType) => ({
  content: { 'application/fhir+json': { schema } },
});

/** `get /api/episodes/{id}/audit` → `getEpisodesIdAudit`. */
export function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '');
  return [method, ...words]
    .map((word, index) =>
      index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1),
    )
    .join('');
}

function register(registry: OpenAPIRegistry, route: Route): void {
  const who =
    route.roles === 'public'
      ? 'Public.'
      : route.roles === 'any'
        ? 'Any signed-in user.'
        : route.roles === 'cds-client'
          ? 'A CDS client (EHR) listed in CDS_HOOKS_CLIENTS_FILE, with its signed JWT.'
          : `Roles: ${route.roles.join(', ')}.`;
  const refusals = new Set<Refusal>(route.refusals);
  if (route.roles !== 'public') refusals.add(401);
  if (Array.isArray(route.roles)) refusals.add(403);
  if (route.body !== undefined) {
    refusals.add(400);
    refusals.add(413);
    refusals.add(415);
  }
  const responses: RouteConfig['responses'] = {};
  for (const [status, answer] of Object.entries(route.ok)) {
    responses[status] = answer;
  }
  for (const status of [...refusals].sort()) {
    const outcome =
      route.fhir === true &&
      (status === 400 || status === 403 || status === 404 || status === 409);
    responses[String(status)] = {
      description: refusalWords[status],
      content: {
        'application/json': { schema: errorBodySchema },
        ...(outcome
          ? { 'application/fhir+json': { schema: operationOutcomeSchema } }
          : {}),
      },
      ...(status === 429
        ? {
            headers: {
              'retry-after': {
                description: 'Seconds to wait.',
                schema: { type: 'integer' },
              },
            },
          }
        : {}),
    };
  }
  registry.registerPath({
    operationId: operationId(route.method, route.path),
    method: route.method,
    path: route.path,
    summary: route.summary,
    description: who,
    tags: [route.tag],
    ...(route.roles === 'public'
      ? { security: [] }
      : route.roles === 'cds-client'
        ? { security: [{ cdsClient: [] }] }
        : { security: [{ bearer: [] }, { session: [], csrf: [] }] }),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.headers ? { headers: route.headers } : {}),
      ...(route.body
        ? {
            body: {
              required: true,
              content: {
                'application/json': { schema: route.body },
                ...(route.fhir === true
                  ? { 'application/fhir+json': { schema: route.body } }
                  : {}),
              },
            },
          }
        : {}),
    },
    responses,
  });
}

const clinical: UserRole[] = ['clinician', 'senior', 'trainee'];
const readers: UserRole[] = ['clinician', 'senior', 'trainee', 'auditor'];

/** Every route of the service. */
function routes(options: OpenApiOptions): Route[] {
  const noContent = { 204: { description: 'Done.' } };
  return [
    {
      method: 'get',
      path: '/api/health',
      summary: 'Liveness, and the protocol version served',
      tag: 'service',
      roles: 'public',
      ok: { 200: { description: 'Up.', ...json(healthSchema) } },
      refusals: [],
    },
    {
      method: 'get',
      path: '/api/protocol',
      summary: 'The statechart, its version and hash, and the evidence catalog',
      tag: 'service',
      roles: 'any',
      ok: {
        200: { description: 'The protocol.', ...json(protocolDocumentSchema) },
      },
      refusals: [],
    },
    {
      method: 'get',
      path: '/api/protocol/versions',
      summary:
        'The protocol versions this build knows (deployed, candidates), each with its episodes',
      tag: 'service',
      roles: 'any',
      ok: {
        200: {
          description: 'The versions, the deployed one first.',
          ...json(protocolVersionListSchema),
        },
      },
      refusals: [],
    },
    {
      method: 'get',
      path: '/api/protocol/diff',
      summary:
        'What one protocol version changes against another, in clinical words with its evidence',
      tag: 'service',
      roles: 'any',
      query: protocolDiffQuerySchema,
      ok: {
        200: {
          description: 'The changes, then the evidence entries changed.',
          ...json(protocolDiffSchema),
        },
      },
      refusals: [400],
    },
    {
      method: 'get',
      path: '/api/auth/providers',
      summary: 'How one can sign in (password, the hospital identity provider)',
      tag: 'auth',
      roles: 'public',
      ok: { 200: { description: 'The ways.', ...json(signInProvidersSchema) } },
      refusals: [],
    },
    {
      method: 'post',
      path: '/api/auth/login',
      summary: 'Sign in with a password',
      tag: 'auth',
      roles: 'public',
      headers: z.object({
        'x-mas-session': z.enum(['cookie']).optional().meta({
          description:
            'The web app asks for a browser session (an httpOnly cookie and a CSRF token) instead of a bearer token.',
        }),
      }),
      body: loginSchema,
      ok: { 200: { description: 'Signed in.', ...json(loginAnswerSchema) } },
      refusals: [401, 429],
    },
    {
      method: 'get',
      path: '/api/auth/session',
      summary: 'Who is signed in',
      tag: 'auth',
      roles: 'any',
      ok: { 200: { description: 'The session.', ...json(sessionSchema) } },
      refusals: [],
    },
    {
      method: 'post',
      path: '/api/auth/logout',
      summary: 'Sign this session out',
      tag: 'auth',
      roles: 'any',
      ok: noContent,
      refusals: [],
    },
    {
      method: 'post',
      path: '/api/auth/logout-everywhere',
      summary: "Sign every one of the caller's sessions out",
      tag: 'auth',
      roles: 'any',
      ok: noContent,
      refusals: [],
    },
    {
      method: 'post',
      path: '/api/auth/password',
      summary: "Change one's own password (the other sessions end)",
      tag: 'auth',
      roles: 'any',
      body: passwordChangeSchema,
      ok: {
        200: {
          description: 'Changed: a new token.',
          ...json(loginAnswerSchema),
        },
      },
      refusals: [409, 429],
    },
    {
      method: 'get',
      path: '/api/auth/oidc/login',
      summary: "Sign in at the hospital's identity provider (a redirect)",
      tag: 'auth',
      roles: 'public',
      query: z.object({
        returnTo: z.string().optional().meta({
          description: 'A path of this site to come back to.',
        }),
      }),
      ok: { 302: { description: 'To the identity provider.' } },
      refusals: [404, 429],
    },
    {
      method: 'get',
      path: '/api/auth/oidc/callback',
      summary: "The identity provider's answer (a redirect back to the app)",
      tag: 'auth',
      roles: 'public',
      query: z.looseObject({}),
      ok: {
        302: {
          description:
            'Back to the app, signed in, or to `/?sign-in-error=CODE`.',
        },
      },
      refusals: [404, 429],
    },
    {
      method: 'get',
      path: '/api/users',
      summary: 'Every user account',
      tag: 'users',
      roles: ['admin'],
      ok: {
        200: {
          description: 'The accounts.',
          ...json(z.array(userSummarySchema)),
        },
      },
      refusals: [],
    },
    {
      method: 'post',
      path: '/api/users',
      summary: 'Create a user',
      tag: 'users',
      roles: ['admin'],
      body: newUserSchema,
      ok: { 201: { description: 'Created.', ...json(userSummarySchema) } },
      refusals: [409],
    },
    {
      method: 'patch',
      path: '/api/users/{id}',
      summary: 'Change a role, disable or enable',
      tag: 'users',
      roles: ['admin'],
      params: idParam,
      body: userChangeSchema,
      ok: { 200: { description: 'Changed.', ...json(userSummarySchema) } },
      refusals: [404, 409],
    },
    {
      method: 'post',
      path: '/api/users/{id}/password',
      summary: "Reset a user's password (their sessions end)",
      tag: 'users',
      roles: ['admin'],
      params: idParam,
      body: passwordResetSchema,
      ok: { 201: { description: 'Reset.', ...json(userSummarySchema) } },
      refusals: [404, 409],
    },
    {
      method: 'post',
      path: '/api/episodes',
      summary: 'Open a care episode for a pseudonymous patient',
      tag: 'episodes',
      roles: clinical,
      body: episodeCreateSchema.extend({ patient: patientSchema }),
      ok: { 201: { description: 'Opened.', ...json(episodeDetailSchema) } },
      refusals: [422],
    },
    {
      method: 'get',
      path: '/api/episodes',
      summary: 'The board: open episodes, most urgent first',
      tag: 'episodes',
      roles: readers,
      query: episodeListQuerySchema,
      ok: { 200: { description: 'A page.', ...json(episodeListSchema) } },
      refusals: [400],
    },
    {
      method: 'get',
      path: '/api/episodes/{id}',
      summary:
        'One episode: its stage, alerts, and the care events allowed and blocked now, with why',
      tag: 'episodes',
      roles: readers,
      params: idParam,
      ok: {
        200: { description: 'The episode.', ...json(episodeDetailSchema) },
      },
      refusals: [404],
    },
    {
      method: 'get',
      path: '/api/episodes/{id}/state',
      summary:
        'The episode as it stood at an instant (replayed from its audit)',
      tag: 'episodes',
      roles: readers,
      params: idParam,
      query: stateAtQuerySchema,
      ok: { 200: { description: 'The state then.', ...json(stateAtSchema) } },
      refusals: [400, 404, 409],
    },
    {
      method: 'get',
      path: '/api/episodes/{id}/audit',
      summary: "The episode's audit chain",
      tag: 'audit',
      roles: readers,
      params: idParam,
      ok: {
        200: {
          description: 'Every entry.',
          ...json(z.array(auditEntrySchema)),
        },
      },
      refusals: [404],
    },
    {
      method: 'post',
      path: '/api/episodes/{id}/events',
      summary: 'Record a care event (checked by the protocol)',
      tag: 'episodes',
      roles: clinical,
      params: idParam,
      headers: idempotencyHeader,
      body: eventBody(),
      ok: {
        200: {
          description:
            'The same request again (Idempotency-Key): the first answer.',
          ...json(eventAcceptedSchema),
        },
        201: { description: 'Recorded.', ...json(eventAcceptedSchema) },
      },
      refusals: [404, 409, 422],
    },
    {
      method: 'post',
      path: '/api/episodes/{id}/entered-in-error',
      summary:
        'Mark an audited care event entered in error (a void entry of its own: who, when, why); the episode is replayed without it. Refused, nothing written, for an entry that is not a clinical event of the episode, already voided, a later entry rests on, or before the replay base.',
      tag: 'episodes',
      roles: clinical,
      params: idParam,
      headers: idempotencyHeader,
      body: entryVoidRequestSchema,
      ok: {
        200: {
          description:
            'The same request again (Idempotency-Key): the first answer.',
          ...json(entryVoidedSchema),
        },
        201: {
          description: 'Marked; the episode rebuilt.',
          ...json(entryVoidedSchema),
        },
      },
      refusals: [400, 404, 409, 422],
    },
    {
      method: 'post',
      path: '/api/episodes/{id}/migrate',
      summary:
        'Move a running episode to another deployed protocol version by the proven plan for the pair (audited: who, why, from, to, plan hash)',
      tag: 'episodes',
      roles: ['senior'],
      params: idParam,
      body: migrationRequestSchema,
      ok: { 201: { description: 'Migrated.', ...json(eventAcceptedSchema) } },
      refusals: [400, 404, 409, 422],
    },
    {
      method: 'post',
      path: '/api/episodes/migrate',
      summary:
        'Every running episode of one kind under a protocol version, moved to another by the proven plan for the pair (each its own audit entry); a dry run (the default) lists which would change stage or gain alerts. Run again, it finds none left under the old version.',
      tag: 'episodes',
      roles: ['senior', 'auditor'],
      body: bulkMigrationRequestSchema,
      ok: {
        200: {
          description:
            'The dry run, or the migration done (auditors: dry run only).',
          ...json(bulkMigrationAnswerSchema),
        },
      },
      refusals: [400, 422],
    },
    {
      method: 'get',
      path: '/api/episodes/{id}/work-items',
      summary: "One episode's work items",
      tag: 'work items',
      roles: readers,
      params: idParam,
      query: episodeWorkItemQuerySchema,
      ok: { 200: { description: 'A page.', ...json(workItemPageSchema) } },
      refusals: [400, 404],
    },
    {
      method: 'get',
      path: '/api/work-items',
      summary: "The caller's work list (approvals, countersignatures, alerts)",
      tag: 'work items',
      roles: readers,
      query: workItemQuerySchema,
      ok: { 200: { description: 'A page.', ...json(workItemPageSchema) } },
      refusals: [400],
    },
    {
      method: 'get',
      path: '/api/episodes/{id}/audit/verify',
      summary: "Verify one episode's chain, seal and replay",
      tag: 'audit',
      roles: readers,
      params: idParam,
      ok: {
        200: {
          description: 'The verdict.',
          ...json(episodeAuditVerificationSchema),
        },
      },
      refusals: [404],
    },
    {
      method: 'get',
      path: '/api/episodes/{id}/refusals',
      summary:
        'The events refused for one episode: what was tried, by whom, when, why',
      tag: 'audit',
      roles: readers,
      params: idParam,
      ok: {
        200: {
          description: 'Oldest first.',
          ...json(episodeRefusalListSchema),
        },
      },
      refusals: [404],
    },
    {
      method: 'get',
      path: '/api/audit/verify',
      summary: 'Verify every chain (replay=true: also replay each)',
      tag: 'audit',
      roles: ['auditor', 'senior', 'clinician', 'admin'],
      query: auditVerifyQuerySchema,
      ok: {
        200: { description: 'The verdict.', ...json(auditVerificationSchema) },
      },
      refusals: [400, 429],
    },
    {
      method: 'get',
      path: '/api/audit/access',
      summary: 'The access log: reads of patient data, user administration',
      tag: 'audit',
      roles: ['auditor'],
      query: accessLogQuerySchema,
      ok: { 200: { description: 'A page.', ...json(accessLogPageSchema) } },
      refusals: [400],
    },
    {
      method: 'get',
      path: '/api/audit/checkpoint',
      summary: "A signed checkpoint of every chain's head",
      tag: 'audit',
      roles: ['auditor', 'admin'],
      ok: {
        200: { description: 'The checkpoint.', ...json(checkpointSchema) },
      },
      refusals: [409, 429],
    },
    {
      method: 'get',
      path: '/api/escalations',
      summary: 'Every escalation decision and override (JSON or CSV)',
      tag: 'audit',
      roles: ['auditor', 'senior', 'clinician'],
      query: escalationFilterSchema,
      ok: {
        200: {
          description: 'The decisions (`format=csv`: the same rows as CSV).',
          content: {
            'application/json': { schema: z.array(escalationDecisionSchema) },
            'text/csv': { schema: z.string() },
          },
        },
      },
      refusals: [400],
    },
    {
      method: 'get',
      path: '/api/analytics',
      summary:
        'Quality indicators of real episodes by month and ward, each point with its episodes (JSON or CSV)',
      tag: 'audit',
      roles: ['auditor', 'senior'],
      query: qualityQuerySchema,
      ok: {
        200: {
          description:
            'The indicators (`format=csv`: one row per indicator, month and ward).',
          content: {
            'application/json': { schema: qualityReportSchema },
            'text/csv': { schema: z.string() },
          },
        },
      },
      refusals: [400],
    },
    {
      method: 'get',
      path: '/api/analytics/simulated',
      summary:
        'The same indicators over a simulated cohort of one policy (MODEL OUTPUT): educators set it beside the real ones',
      tag: 'audit',
      roles: ['auditor', 'senior'],
      query: simulatedQualityQuerySchema,
      ok: {
        200: {
          description:
            "The indicators of every scenario's courses under the policy, labelled model output.",
          content: {
            'application/json': { schema: simulatedQualitySchema },
          },
        },
      },
      refusals: [400, 429, 503],
    },
    {
      method: 'get',
      path: '/api/changes',
      summary: 'Server-sent events: which episodes changed (the live board)',
      tag: 'episodes',
      roles: readers,
      query: changesQuerySchema,
      ok: {
        200: {
          description:
            'An event stream; each `data:` line is `{"id","kind","version"}` of an episode that changed.',
          content: { 'text/event-stream': { schema: z.string() } },
        },
      },
      refusals: [],
    },
    {
      method: 'get',
      path: '/api/fhir/R4/metadata',
      summary: 'FHIR: the CapabilityStatement',
      tag: 'fhir',
      roles: 'public',
      ok: {
        200: {
          description: 'What the endpoint serves.',
          ...fhirJson(fhirResourceSchema),
        },
      },
      refusals: [],
    },
    {
      method: 'get',
      path: '/api/fhir/R4/{type}',
      summary:
        "FHIR: search one patient's resources of a type (patient=Patient/{id}; Patient: _id)",
      tag: 'fhir',
      roles: readers,
      params: fhirTypeParam,
      query: fhirSearchQuery,
      ok: {
        200: {
          description:
            'A searchset Bundle: the matches within the patient, a page of them with self, previous and next links when _count is given.',
          ...fhirJson(fhirResourceSchema),
        },
      },
      refusals: [400, 404],
      fhir: true,
    },
    {
      method: 'get',
      path: '/api/fhir/R4/{type}/{id}',
      summary: 'FHIR: read one resource',
      tag: 'fhir',
      roles: readers,
      params: fhirTypeParam.extend({ id: z.string() }),
      ok: {
        200: { description: 'The resource.', ...fhirJson(fhirResourceSchema) },
      },
      refusals: [404],
      fhir: true,
    },
    {
      method: 'get',
      path: '/api/fhir/R4/{type}/{id}/$everything',
      summary:
        "FHIR: everything of one episode's patient (Patient or EpisodeOfCare)",
      tag: 'fhir',
      roles: readers,
      params: fhirTypeParam.extend({ id: z.string() }),
      query: fhirEverythingQuery,
      ok: {
        200: {
          description:
            'A searchset Bundle: a page of the record (200 entries unless _count says otherwise) with its total and its self, first, previous and next links; every page of one walk is cut from the same record.',
          ...fhirJson(fhirResourceSchema),
        },
      },
      refusals: [400, 404, 409],
      fhir: true,
    },
    {
      method: 'post',
      path: '/api/episodes/{id}/fhir',
      summary:
        "FHIR in: a laboratory system's results (a Bundle of Observations, a subscription notification, or one Observation) recorded as the episode's labs",
      tag: 'fhir',
      roles: ['clinician', 'senior'],
      params: idParam,
      body: fhirResourceSchema,
      ok: {
        200: {
          description: 'Nothing new: every Observation was recorded before.',
          ...json(fhirImportResultSchema),
        },
        201: {
          description: 'Recorded: one lab entry per sample time.',
          ...json(fhirImportResultSchema),
        },
      },
      refusals: [404, 409, 422],
      fhir: true,
    },
    {
      method: 'get',
      path: '/cds-services',
      summary: 'CDS Hooks: discovery of the services',
      tag: 'cds-hooks',
      roles: 'public',
      ok: {
        200: { description: 'The services.', ...json(cdsDiscoverySchema) },
      },
      refusals: [404],
    },
    {
      method: 'post',
      path: '/cds-services/{id}',
      summary: 'CDS Hooks: call a service (patient-view, order-sign)',
      tag: 'cds-hooks',
      roles: 'cds-client',
      params: idParam,
      body: z.looseObject({
        hook: z.string(),
        hookInstance: z.string(),
        context: z.looseObject({}),
        prefetch: z.record(z.string(), z.unknown()).optional(),
      }),
      ok: { 200: { description: 'The cards.', ...json(cdsCardsSchema) } },
      refusals: [404],
    },
    {
      method: 'post',
      path: '/cds-services/{id}/feedback',
      summary:
        'CDS Hooks: what the clinician did with the cards (in the access log)',
      tag: 'cds-hooks',
      roles: 'cds-client',
      params: idParam,
      body: z.looseObject({ feedback: z.array(z.looseObject({})) }),
      ok: { 200: { description: 'Recorded.', ...json(z.object({}).strict()) } },
      refusals: [404],
    },
    {
      method: 'get',
      path: '/api/training/scenarios',
      summary: 'The training scenarios',
      tag: 'training',
      roles: clinical,
      ok: {
        200: {
          description: 'The scenarios.',
          ...json(trainingScenariosSchema),
        },
      },
      refusals: [],
    },
    {
      method: 'post',
      path: '/api/training/episodes',
      summary: 'Start a training episode (a virtual patient)',
      tag: 'training',
      roles: clinical,
      body: trainingStartSchema(options.scenarioIds),
      ok: { 201: { description: 'Started.', ...json(trainingStateSchema) } },
      refusals: [],
    },
    {
      method: 'get',
      path: '/api/training/episodes/{id}',
      summary: 'A training episode now',
      tag: 'training',
      roles: clinical,
      params: idParam,
      ok: { 200: { description: 'Its state.', ...json(trainingStateSchema) } },
      refusals: [404],
    },
    {
      method: 'post',
      path: '/api/training/episodes/{id}/advance',
      summary: "Move a training episode's virtual clock",
      tag: 'training',
      roles: clinical,
      params: idParam,
      body: trainingAdvanceSchema,
      ok: { 200: { description: 'Its state.', ...json(trainingStateSchema) } },
      refusals: [404, 409, 422],
    },
    {
      method: 'get',
      path: '/api/training/episodes/{id}/debrief',
      summary:
        "A training episode's debrief beside the protocol policy's course",
      tag: 'training',
      roles: clinical,
      params: idParam,
      ok: {
        200: { description: 'The debrief.', ...json(trainingDebriefSchema) },
      },
      refusals: [404],
    },
  ];
}

/** The OpenAPI 3.1 document of the service. */
export function buildOpenApiDocument(options: OpenApiOptions) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The token `POST /api/auth/login` answers.',
  });
  registry.registerComponent('securitySchemes', 'cdsClient', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "CDS Hooks 2.0: a JWT the EHR signs (ES384 or RS384) with a key of its JWK Set; aud is the service's URL.",
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'mas_session',
    description: 'The browser session cookie (httpOnly).',
  });
  registry.registerComponent('securitySchemes', 'csrf', {
    type: 'apiKey',
    in: 'header',
    name: 'x-mas-csrf',
    description: "A browser session's CSRF token, on every change it sends.",
  });
  for (const route of routes(options)) register(registry, route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'MAS care-episode service',
      version: options.version,
      description:
        'Decision support for the treatment protocol of macrophage activation syndrome: not a medical device. Every route but health, sign-in and the providers needs a session (a bearer token, or the browser session cookie with its CSRF token on changes).',
      license: { name: 'Proprietary' },
    },
    servers: [{ url: '/' }],
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
