/**
 * The request bodies and queries of the service's routes that are not care
 * events: one zod schema each, used by the API to validate and by the
 * OpenAPI document to describe (so the two cannot drift).
 */
import { z } from 'zod';

import { protocolVersions } from '@mas/protocol';

import { episodeEventTypes, instantSchema } from './episode-event.schema.js';

/** The roles of the service's users. */
export const USER_ROLES = [
  'clinician',
  'senior',
  'trainee',
  'auditor',
  'admin',
] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const userRoleSchema = z.enum(USER_ROLES);

/** The longest password accepted (hashing cost stays bounded). */
export const MAX_PASSWORD_LENGTH = 200;

/** `POST /api/auth/login`. */
export const loginSchema = z
  .object({
    username: z.string().min(1).max(100),
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  })
  .strict();

/** `POST /api/auth/password`: the caller's own password. */
export const passwordChangeSchema = z
  .object({
    currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  })
  .strict();

/** A local account's name (users an admin creates). */
export const LOCAL_USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

/** `POST /api/users` (admins). */
export const newUserSchema = z
  .object({
    username: z
      .string()
      .trim()
      .min(1)
      .max(100)
      // Plain letters, digits and a few marks: a name written with letters
      // of another script that only look alike (a Cyrillic "а" in
      // "dr-bаker") cannot be made, so an audit's names mean one person.
      .regex(
        LOCAL_USERNAME_PATTERN,
        'must be letters a-z or A-Z, digits, dots, hyphens, underscores or @, starting with a letter or digit',
      )
      .meta({ pattern: LOCAL_USERNAME_PATTERN.source }),
    password: z.string().max(MAX_PASSWORD_LENGTH),
    role: userRoleSchema,
  })
  .strict();

/** `PATCH /api/users/:id` (admins): a role, or disabled, or both. */
export const userChangeSchema = z
  .object({
    role: userRoleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.role !== undefined || c.disabled !== undefined, {
    error: 'must change role or disabled',
  });

/** `POST /api/users/:id/password` (admins): a new password. */
export const passwordResetSchema = z
  .object({ password: z.string().max(MAX_PASSWORD_LENGTH) })
  .strict();

/** `POST /api/episodes`: the patient is checked apart (its own 400s and 422). */
export const episodeCreateSchema = z
  .object({
    patient: z.unknown(),
    kind: z.enum(['real', 'training']).default('real'),
    initialStage: z.enum(['at-risk', 'suspected']).default('suspected'),
    /** The ward or site it is cared for on (the quality indicators group by it). */
    ward: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(
        /^[\p{L}\p{N}][\p{L}\p{M}\p{N} .,'()/&+#:_–-]*$/u,
        "must be a ward or site name: letters, digits, spaces and . , ' ( ) / & + # : _ – -",
      )
      .meta({ pattern: "^[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N} .,'()/&+#:_–-]*$" })
      .optional(),
    /** Unusual patient measures the recorder confirmed (e.g. `weightKg`). */
    confirmUnusual: z.array(z.string().min(1).max(64)).max(8).optional(),
  })
  .strict();

/**
 * `POST /api/episodes/:id/events`: the envelope; the payload is checked
 * against its type's schema after it (see `payloadSchemas`).
 */
export const eventRequestSchema = z
  .object({
    type: z.enum(episodeEventTypes as [string, ...string[]]),
    payload: z.unknown(),
    rationale: z.string().trim().min(1).optional(),
    occurredAt: instantSchema.optional(),
    expectedVersion: z.number().int().min(0),
  })
  .strict();

/**
 * `POST /api/episodes/:id/migrate`: move a running episode to another
 * deployed protocol version by the proven plan for the pair (senior only).
 */
export const migrationRequestSchema = z
  .object({
    toVersion: z.string().trim().min(1).max(20),
    rationale: z.string().trim().min(1).max(2000),
    expectedVersion: z.number().int().min(0),
  })
  .strict();

/**
 * `POST /api/episodes/migrate`: every running episode of one kind under
 * `fromVersion` moved to `toVersion` by the proven plan for the pair, each
 * in its own transaction and audit entry; `dryRun` (the default) only says
 * what each would become. A rationale is required to apply.
 */
export const bulkMigrationRequestSchema = z
  .object({
    fromVersion: z.string().trim().min(1).max(20),
    toVersion: z.string().trim().min(1).max(20),
    kind: z.enum(['real', 'training']).default('real'),
    dryRun: z.boolean().default(true),
    rationale: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .superRefine((request, context) => {
    if (!request.dryRun && request.rationale === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['rationale'],
        message: 'is required to migrate (dryRun false): say why',
      });
    }
  });

/** `POST /api/training/episodes`, for the scenarios the simulator has. */
export function trainingStartSchema(scenarioIds: readonly string[]) {
  return z
    .object({
      scenarioId: z.enum(scenarioIds as [string, ...string[]]),
      seed: z.number().int().min(0).max(2_147_483_647).optional(),
    })
    .strict();
}

/** `POST /api/training/episodes/:id/advance`: how far one step goes (hours). */
export const trainingAdvanceSchema = z
  .object({ hours: z.number().int().min(1).max(72) })
  .strict();

/** `GET /api/audit/verify`. */
export const auditVerifyQuerySchema = z
  .object({
    replay: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .optional(),
  })
  .strict();

/**
 * `GET /api/changes`: optionally the episode a page shows and the version
 * it read, so that a change made between that read and the stream's answer
 * is told at once.
 */
export const changesQuerySchema = z
  .object({
    episode: z
      .string()
      .regex(/^[0-9a-f-]{36}$/, { error: 'must be an episode id' })
      .optional(),
    version: z
      .string()
      .regex(/^\d{1,9}$/, {
        error: 'must be a whole number (the version read)',
      })
      .transform(Number)
      .optional(),
  })
  .strict()
  .refine(
    (query) => (query.episode === undefined) === (query.version === undefined),
    {
      error: 'episode and version are given together',
      path: ['version'],
    },
  );

/** `GET /api/episodes/:id/state`. */
export const stateAtQuerySchema = z.object({ at: instantSchema }).strict();

/** The protocol versions this build knows, as a query names one. */
const knownVersions = protocolVersions.map((v) => v.version) as [
  string,
  ...string[],
];
const protocolVersionParam = z.enum(knownVersions, {
  error: (issue) =>
    issue.input === undefined
      ? `is required: a protocol version this build knows (${knownVersions.join(', ')})`
      : `must be a protocol version this build knows (${knownVersions.join(', ')})`,
});

/** `GET /api/protocol/diff`: what version `to` changes against version `from`. */
export const protocolDiffQuerySchema = z
  .object({ from: protocolVersionParam, to: protocolVersionParam })
  .strict();
