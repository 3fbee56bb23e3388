/**
 * What the service answers: one zod schema per response body, the source of
 * the OpenAPI document's responses and of the web app's types. The
 * statechart's own structures (its state value, context and snapshot) are
 * described as objects the machine defines; everything the service itself
 * shapes is listed field by field, and a field not listed is a contract
 * failure (the contract suite checks every answer).
 */
import { z } from 'zod';

import { userRoleSchema } from './api-requests.schema.js';
import { instantSchema } from './episode-event.schema.js';
import { pageOf } from './list-query.schema.js';
import { patientSchema } from './patient.schema.js';

const id = z.string().min(1);
const uuid = z.uuid();
const nullableInstant = instantSchema.nullable();
const evidence = z.array(z.string()).meta({
  description: 'Evidence catalog ids (GET /api/protocol lists them).',
});
const episodeKind = z.enum(['real', 'training']);

/** Every refusal: the message, and for bad input the field and the rule. */
export const errorBodySchema = z
  .looseObject({
    message: z.string(),
    field: z.string().optional(),
    rule: z.string().optional(),
  })
  .meta({
    id: 'Error',
    description:
      'A refusal: `message` always; for bad input the `field` (`body.patient.weightKg`, `query.page`, `content-type`) and the `rule` it broke; a refusal by the protocol about one field names it too (`body.payload.dose` over a hard limit, `body.payload.schedule.kind` for a pulse of a drug not given as pulses). Some refusals add what the caller can do next (`version` on a conflict, `unusualFields` to confirm, `confirmationWouldAllow` for a dose to confirm, `rationaleWouldAllow` when a rationale is needed too, `warnings` to read first, `evidence` of a blocked step, `retryAfterSeconds`).',
  });

/** The statechart's state value (nested state names). */
const stateValue = z
  .unknown()
  .meta({ description: 'The statechart state value (nested state names).' });

/** A machine-defined object (context, snapshot), described by the machine. */
const machineObject = (description: string) =>
  z.record(z.string(), z.unknown()).meta({ description });

export const alertSchema = z
  .object({
    id,
    severity: z.enum(['critical', 'warning', 'info']),
    message: z.string(),
    evidence,
    since: instantSchema,
  })
  .strict()
  .meta({ id: 'Alert' });

export const versionedRefSchema = z
  .object({ id, version: z.string(), hash: z.string() })
  .strict();

/**
 * Whether the protocol content a record names (its version and content hash)
 * is a pinned release of that version (`releaseOfContent`). A hash not
 * pinned is no error: development builds wrote records before the first
 * pin; it is stated, in `statement`, for whoever reads the record.
 */
export const protocolReleaseSchema = z
  .object({
    version: z.string(),
    hash: z.string(),
    status: z.enum(['pinned', 'not-pinned', 'unknown-version']).meta({
      description:
        "pinned: the content of one of the version's pinned releases. not-pinned: the version has pinned releases, none with this content (written by a build before the pin, or a changed copy). unknown-version: no release of the version is pinned in this build (nothing to compare with).",
    }),
    pinned: z
      .object({ date: z.string(), change: z.string() })
      .strict()
      .nullable()
      .meta({
        description:
          'The pinned release whose content this is: when it was pinned and what it changed (null: none).',
      }),
    releases: z
      .array(z.object({ hash: z.string(), date: z.string() }).strict())
      .meta({
        description: "The version's pinned releases, oldest first, to compare.",
      }),
    statement: z.string().meta({
      description:
        'The match in words, as the web app and the CLI show it (e.g. "Protocol 1.1.0 — content as released 2026-12-07.").',
    }),
  })
  .strict()
  .meta({ id: 'ProtocolRelease' });

/** One protocol content an episode's audit records, and the entries under it. */
export const auditProtocolReleaseSchema = protocolReleaseSchema
  .extend({
    fromSeq: z.number().int().min(1),
    toSeq: z.number().int().min(1),
    entries: z.number().int().min(1),
  })
  .strict()
  .meta({ id: 'AuditProtocolRelease' });

/** One protocol content the whole stored audit records, and how much of it. */
export const storedProtocolReleaseSchema = protocolReleaseSchema
  .extend({
    episodes: z.number().int().min(1),
    entries: z.number().int().min(0),
  })
  .strict()
  .meta({ id: 'StoredProtocolRelease' });

export const profileRefSchema = versionedRefSchema
  .extend({ example: z.boolean() })
  .strict();

/** One care event the episode offers now, or blocks, and why. */
export const eventOptionSchema = z
  .object({
    type: z.string(),
    variant: z.string().optional(),
    label: z.string(),
    group: z.string(),
    status: z.enum(['allowed', 'allowed-with-rationale', 'blocked']),
    reason: z.string(),
    evidence,
    examplePayload: z.unknown(),
    payloadSchema: z
      .unknown()
      .optional()
      .meta({ description: "The payload's JSON Schema (2020-12), for forms." }),
  })
  .strict()
  .meta({ id: 'EventOption' });

/** `GET /api/health`. */
export const healthSchema = z
  .object({
    status: z.literal('ok'),
    protocol: z.object({ version: z.string(), hash: z.string() }).strict(),
  })
  .strict()
  .meta({ id: 'Health' });

/** `POST /api/auth/login` and `POST /api/auth/password`: a bearer token. */
export const tokenLoginSchema = z
  .object({ token: z.string(), username: z.string(), role: userRoleSchema })
  .strict();

/** `POST /api/auth/login` with `x-mas-session: cookie`: a browser session. */
export const browserLoginSchema = z
  .object({
    username: z.string(),
    role: userRoleSchema,
    csrf: z.string(),
    idleSeconds: z.number().int().positive(),
  })
  .strict();

export const loginAnswerSchema = z
  .union([tokenLoginSchema, browserLoginSchema])
  .meta({ id: 'LoginAnswer' });

/** `GET /api/auth/session`. */
export const sessionSchema = z
  .object({
    username: z.string(),
    role: userRoleSchema,
    csrf: z.string().optional(),
    idleSeconds: z.number().int().positive().optional(),
  })
  .strict()
  .meta({ id: 'Session' });

/** `GET /api/auth/providers`. */
export const signInProvidersSchema = z
  .object({
    password: z.boolean(),
    oidc: z
      .object({ label: z.string(), loginPath: z.string() })
      .strict()
      .nullable(),
  })
  .strict()
  .meta({ id: 'SignInProviders' });

/** A user account as admins see it. */
export const userSummarySchema = z
  .object({
    id: uuid,
    username: z.string(),
    role: userRoleSchema,
    disabled: z.boolean(),
    failedLogins: z.number().int().min(0),
    federated: z.boolean(),
    lockedUntil: nullableInstant,
  })
  .strict()
  .meta({ id: 'UserSummary' });

/** A row of the board (`GET /api/episodes`). */
export const episodeListItemSchema = z
  .object({
    id: uuid,
    kind: episodeKind,
    patientIdentifier: z.string(),
    ward: z.string().nullable(),
    stage: z.string(),
    tags: z.array(z.string()),
    alerts: z.array(z.string()),
    alertDetails: z.array(
      alertSchema.pick({ id: true, severity: true, message: true }),
    ),
    therapies: z.array(z.string()),
    suspicionAt: nullableInstant,
    firstGlucocorticoidAt: nullableInstant,
    overdue: z.boolean(),
    urgency: z.number(),
    nextDueAt: nullableInstant,
    version: z.number().int().min(0),
  })
  .strict()
  .meta({ id: 'EpisodeListItem' });

export const episodeListSchema = pageOf(episodeListItemSchema).meta({
  id: 'EpisodeList',
});

/** One episode as its page shows it (`GET /api/episodes/:id`, and on creation). */
export const episodeDetailSchema = z
  .object({
    id: uuid,
    kind: episodeKind,
    ward: z.string().nullable().meta({
      description: 'The ward or site given when it opened (null: none).',
    }),
    patient: patientSchema,
    version: z.number().int().min(0),
    value: stateValue,
    stage: z.string(),
    final: z.boolean(),
    tags: z.array(z.string()),
    alerts: z.array(alertSchema),
    nextDueAt: nullableInstant,
    protocol: versionedRefSchema,
    /** Whether `protocol` (its content) is a pinned release of its version. */
    protocolRelease: protocolReleaseSchema,
    profile: profileRefSchema,
    context: machineObject('The episode context the statechart keeps.'),
    allowed: z.array(eventOptionSchema).optional(),
    blocked: z.array(eventOptionSchema).optional(),
    snapshot: machineObject('The persisted statechart snapshot.').optional(),
    openEpisodes: z
      .array(
        z
          .object({ id: uuid, openedAt: instantSchema, stage: z.string() })
          .strict(),
      )
      .optional()
      .meta({
        description:
          'On opening a real episode: the episodes of the same patient already open (a second one splits the record; most often the first was not found).',
      }),
    initialSnapshot: machineObject(
      'The snapshot the episode opened with (replay starts from it).',
    )
      .nullable()
      .optional(),
    /**
     * Where a later statechart took the record over: the record as stored
     * after `afterEntries` audit entries (a replay takes it up there).
     */
    takenUp: z
      .object({
        afterEntries: z.number().int().min(0),
        snapshot: machineObject('The persisted snapshot then.'),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
  .meta({ id: 'EpisodeDetail' });

/** What a recorded event answers (201, or 200 when replayed by its key). */
export const eventAcceptedSchema = z
  .object({
    id: uuid,
    version: z.number().int().min(1),
    value: stateValue,
    stage: z.string(),
    tags: z.array(z.string()),
    alerts: z.array(alertSchema),
    lastResponse: z.unknown().meta({
      description: 'The last response assessment, or null.',
    }),
    nextDueAt: nullableInstant,
    warnings: z.array(z.string()).optional().meta({
      description:
        "What the protocol says without blocking, to show whoever recorded the event: a day's total of a drug above its per-day limit across several records, a drug already running, a pulse day its earlier days do not bear out, a dose computed from a weight or height older than the institution allows, a measure older than the one held (recorded, not used); also in the audit entry's reason.",
    }),
  })
  .strict()
  .meta({ id: 'EventAccepted' });

/** `POST /api/episodes/:id/entered-in-error`: the episode rebuilt without the entry. */
export const entryVoidedSchema = eventAcceptedSchema
  .omit({ warnings: true })
  .extend({
    enteredInError: z
      .object({
        /** The entry marked entered in error, and its type. */
        seq: z.number().int().min(1),
        type: z.string(),
        /** The void's own entry. */
        voidSeq: z.number().int().min(1),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'EntryVoided' });

/** One running episode in a bulk migration (`POST /api/episodes/migrate`). */
export const bulkMigrationItemSchema = z
  .object({
    id: uuid,
    patientIdentifier: z.string(),
    version: z.number().int().min(0).meta({
      description: 'The episode version the preview was computed on.',
    }),
    outcome: z.enum(['would-migrate', 'migrated', 'refused', 'changed']).meta({
      description:
        'would-migrate (dry run); migrated; refused by the protocol (reason); changed: recorded on meanwhile, not migrated (run it again).',
    }),
    reason: z.string().optional(),
    stageBefore: z.string(),
    stageAfter: z.string(),
    stageChanged: z.boolean(),
    alertsGained: z.array(
      alertSchema.pick({ id: true, severity: true, message: true }),
    ),
    alertsCleared: z.array(
      alertSchema.pick({ id: true, severity: true, message: true }),
    ),
    replay: z
      .object({
        outcome: z.enum(['agrees', 'differs', 'refused', 'not-replayable']),
        detail: z.string(),
      })
      .strict()
      .meta({
        description:
          "The episode's history replayed under the new version from its first snapshot, beside the plan's mapping (evidence only: the plan is what a migration applies).",
      }),
  })
  .strict()
  .meta({ id: 'BulkMigrationItem' });

/** What a bulk migration did, or would do (dry run). */
export const bulkMigrationAnswerSchema = z
  .object({
    fromVersion: z.string(),
    toVersion: z.string(),
    planHash: z.string(),
    planSummary: z.string(),
    kind: episodeKind,
    dryRun: z.boolean(),
    at: instantSchema,
    totals: z
      .object({
        running: z.number().int().min(0),
        finished: z.number().int().min(0).meta({
          description:
            'Finished episodes under fromVersion: left under the version they ran under.',
        }),
        wouldMigrate: z.number().int().min(0),
        migrated: z.number().int().min(0),
        refused: z.number().int().min(0),
        changed: z.number().int().min(0),
        stageChanges: z.number().int().min(0),
        gainingAlerts: z.number().int().min(0),
      })
      .strict(),
    episodes: z.array(bulkMigrationItemSchema),
  })
  .strict()
  .meta({ id: 'BulkMigration' });

/** `GET /api/episodes/:id/state?at=`: the episode as it stood then. */
export const stateAtSchema = z
  .object({
    at: instantSchema,
    replayedEntries: z.number().int().min(0),
    value: stateValue,
    stage: z.string(),
    tags: z.array(z.string()),
    alerts: z.array(alertSchema),
    context: machineObject('The episode context at that instant.'),
  })
  .strict()
  .meta({ id: 'StateAt' });

/** A void, as shown on the entry it marks entered in error. */
export const enteredInErrorSchema = z
  .object({
    /** The void's own entry. */
    voidSeq: z.number().int().min(1),
    actorId: z.string(),
    actorRole: z.string(),
    recordedAt: instantSchema,
    rationale: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'EnteredInError' });

/** One entry of an episode's audit chain. */
export const auditEntrySchema = z
  .object({
    id: uuid,
    episodeId: uuid,
    seq: z.number().int().min(1),
    type: z.string(),
    payload: z.unknown(),
    actorId: z.string(),
    actorRole: z.string(),
    occurredAt: instantSchema,
    recordedAt: instantSchema,
    rationale: z.string().nullable(),
    evidence,
    guard: z.object({ outcome: z.string(), reason: z.string() }).strict(),
    stateBefore: stateValue,
    stateAfter: stateValue,
    protocolHash: z.string().nullable(),
    /**
     * Whether `protocolHash` is a pinned release of the protocol version the
     * episode ran under at this entry.
     */
    protocolRelease: protocolReleaseSchema,
    profileHash: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
    /**
     * The void that marked this entry entered in error (null: none): the
     * episode is replayed without it since.
     */
    enteredInError: enteredInErrorSchema.nullable().optional(),
  })
  .strict()
  .meta({ id: 'AuditEntry' });

const auditProblemSchema = z
  .object({
    episodeId: z.string(),
    seq: z.number().int().nullable(),
    reason: z.string(),
  })
  .strict();

/** What an episode's replay covers, where it is not its whole history. */
const replayScopeSchema = z
  .object({ episodeId: z.string(), scope: z.string() })
  .strict();

/** `GET /api/audit/verify`: every chain. */
export const auditVerificationSchema = z
  .object({
    ok: z.boolean(),
    episodes: z.number().int().min(0),
    entries: z.number().int().min(0),
    /** The refused attempts whose chains were checked. */
    refusals: z.number().int().min(0),
    /**
     * Of those, written by an older version before refusals were
     * authenticated: kept, but nothing vouches for them.
     */
    unauthenticatedRefusals: z.number().int().min(0),
    /** The access log's entries whose chains (one per user) were checked. */
    accessEntries: z.number().int().min(0),
    /** Of those, written by an older version: nothing vouches for them. */
    unauthenticatedAccessEntries: z.number().int().min(0),
    broken: z.array(auditProblemSchema),
    /**
     * With `replay=true`: the episodes whose history is not replayed in
     * full, and why (written under an older statechart, or replayed from
     * where a newer one took them over).
     */
    replayScopes: z.array(replayScopeSchema).optional(),
    protocolReleases: z.array(storedProtocolReleaseSchema).meta({
      description:
        'Each protocol content the episodes and their chains record, with the episodes and entries under it, and whether it is a pinned release (pinned ones first): content not pinned is stated, not counted as a problem.',
    }),
  })
  .strict()
  .meta({ id: 'AuditVerification' });

/** `GET /api/episodes/:id/audit/verify`: one chain. */
export const episodeAuditVerificationSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().min(0),
    version: z.number().int().min(0),
    broken: auditProblemSchema.nullable(),
    problems: z.array(auditProblemSchema),
    /**
     * What the replay covers where it is not the whole history (see
     * AuditVerification.replayScopes); null when it is.
     */
    replayScope: z.string().nullable(),
    protocolReleases: z.array(auditProtocolReleaseSchema).meta({
      description:
        'Each protocol content the chain records, in the order the entries name it (an episode migrated between versions has several), and whether it is a pinned release.',
    }),
  })
  .strict()
  .meta({ id: 'EpisodeAuditVerification' });

/**
 * `GET /api/episodes/:id/refusals`: the events the service refused for an
 * episode (a dose past a hard limit, a wrong role, a stop that names no
 * record...), oldest first: what was tried, by whom, when, and why it was
 * refused. Each is chained and authenticated like the audit (the episode's
 * verification checks them).
 */
export const episodeRefusalListSchema = z
  .array(
    z
      .object({
        /** Its place in the episode's chain of refusals (null: an older row). */
        seq: z.number().int().min(1).nullable(),
        type: z.string(),
        actor: z.object({ id: z.string(), role: z.string() }).strict(),
        recordedAt: z.string(),
        reason: z.string(),
        evidence: z.array(z.string()),
        /** The payload as it was sent. */
        payload: z.unknown(),
      })
      .strict(),
  )
  .meta({ id: 'EpisodeRefusalList' });

/** A read of patient data or an act of user administration. */
export const accessRecordSchema = z
  .object({
    id: uuid,
    at: instantSchema,
    actorId: z.string(),
    actorRole: z.string(),
    action: z.string(),
    episodeId: z.string().nullable(),
    subject: z.string().nullable(),
    detail: z.unknown().meta({
      description: 'What was read or changed (JSON), or null.',
    }),
  })
  .strict();

export const accessLogPageSchema = pageOf(accessRecordSchema).meta({
  id: 'AccessLogPage',
});

/** `GET /api/audit/checkpoint`: every chain's head, signed (Ed25519). */
export const checkpointSchema = z
  .object({
    format: z.string(),
    issuedAt: instantSchema,
    episodes: z.number().int().min(0),
    entries: z.number().int().min(0),
    chains: z.array(
      z
        .object({
          episodeId: z.string(),
          seq: z.number().int(),
          hash: z.string().nullable(),
          /** The episode's last refused attempt, when it has one. */
          refused: z
            .object({ seq: z.number().int(), mac: z.string() })
            .strict()
            .optional(),
        })
        .strict(),
    ),
    /** Each user's last access log entry, when the log has any. */
    accessLogs: z
      .array(
        z
          .object({
            actorId: z.string(),
            seq: z.number().int(),
            mac: z.string(),
          })
          .strict(),
      )
      .optional(),
    keyId: z.string(),
    signature: z.string(),
    publicKey: z.string(),
  })
  .strict()
  .meta({ id: 'Checkpoint' });

/** One escalation decision or override (`GET /api/escalations`). */
export const escalationDecisionSchema = z
  .object({
    episodeId: uuid,
    patientIdentifier: z.string(),
    kind: episodeKind,
    seq: z.number().int().min(1),
    decision: z.string(),
    drug: z.string(),
    requestId: z.string().nullable(),
    requestedBy: z.string().nullable(),
    decidedBy: z.string().nullable(),
    role: z.string(),
    at: instantSchema,
    rationale: z.string().nullable(),
    evidence,
    warrantedSince: nullableInstant,
    hoursFromWarrantedToDecision: z.number().nullable(),
    enteredInError: enteredInErrorSchema.nullable().meta({
      description:
        'The decision was entered in error: the void that marks it (who, when, why). Null for a decision that stands. A voided decision decided nothing: no hours from warranted.',
    }),
  })
  .strict()
  .meta({ id: 'EscalationDecision' });

/** `GET /api/protocol`: the statechart, its version and the evidence catalog. */
export const protocolDocumentSchema = z
  .object({
    id,
    version: z.string(),
    hash: z.string(),
    machine: machineObject("The statechart's definition (XState JSON)."),
    evidence: z.array(z.record(z.string(), z.unknown())),
  })
  .strict()
  .meta({ id: 'ProtocolDocument' });

const episodeCount = z.number().int().min(0);

/** `GET /api/protocol/versions`: every version this build knows, the deployed one first. */
export const protocolVersionListSchema = z
  .array(
    z
      .object({
        id,
        version: z.string(),
        status: z.enum(['deployed', 'candidate']).meta({
          description:
            'Deployed: new episodes run under it. Candidate: drafted for review, not deployed.',
        }),
        hash: z.string(),
        releases: z
          .array(
            z
              .object({
                hash: z.string(),
                date: z.string(),
                change: z.string(),
              })
              .strict(),
          )
          .meta({
            description:
              "The content this version was released with, oldest first: the last is `hash`; an earlier one is content an older build ran under the same number (what an episode's recorded hash may name), with what changed and why.",
          }),
        summary: z.string(),
        current: z.boolean().meta({
          description: 'The deployed version, the one new episodes run under.',
        }),
        episodes: z
          .object({ real: episodeCount, training: episodeCount })
          .strict()
          .meta({ description: 'Episodes whose record names this version.' }),
        migrations: z
          .array(
            z
              .object({
                to: z.string(),
                summary: z.string(),
                planHash: z.string(),
              })
              .strict(),
          )
          .meta({
            description:
              'The proven plans that move a running episode from this version, by the version each leads to.',
          }),
      })
      .strict(),
  )
  .meta({ id: 'ProtocolVersions' });

const evidenceTag = z.enum(['S', 'C', 'U']).meta({
  description:
    '[S] stated by the cited source, [C] computed from a published table, [U] not confirmed in a primary text.',
});

/** An entry of the evidence catalog, as a protocol version holds it. */
const evidenceEntrySchema = z
  .object({
    id,
    kind: z.enum(['seed-statement', 'literature', 'design-review', 'software']),
    section: z.string(),
    text: z.string(),
    referenceMarkers: z.array(z.number().int()).readonly().optional(),
    citation: z.string().optional(),
    url: z.string().optional(),
    tag: evidenceTag.optional(),
  })
  .strict();

const change = z.enum(['added', 'removed', 'changed']);
const protocolData = z
  .unknown()
  .meta({ description: 'The value in the protocol data (JSON).' });

/** `GET /api/protocol/diff`: what `to` changes against `from`, with its evidence resolved. */
export const protocolDiffSchema = z
  .object({
    from: z.object({ version: z.string(), hash: z.string() }).strict(),
    to: z.object({ version: z.string(), hash: z.string() }).strict(),
    changes: z.array(
      z
        .object({
          change,
          path: z.array(z.string()).readonly().meta({
            description:
              'Where in the data: keys, and list items by their id (`=ldh`, `id=…`) or place (`#1`).',
          }),
          where: z.string().meta({
            description:
              'The same place in clinical words: section › item › field.',
          }),
          before: protocolData.optional(),
          after: protocolData.optional(),
          evidence: z
            .array(
              z
                .object({
                  id,
                  citation: z.string().optional(),
                  tag: evidenceTag.optional(),
                  text: z.string(),
                })
                .strict(),
            )
            .meta({
              description:
                "The evidence around the change, nearest first, from the `to` version's catalog (else the `from` one's).",
            }),
        })
        .strict(),
    ),
    evidence: z
      .array(
        z
          .object({
            change,
            id,
            before: evidenceEntrySchema.optional(),
            after: evidenceEntrySchema.optional(),
          })
          .strict(),
      )
      .meta({ description: 'The evidence entries added, removed or changed.' }),
  })
  .strict()
  .meta({ id: 'ProtocolDiff' });

export type ProtocolVersionList = z.output<typeof protocolVersionListSchema>;
export type EpisodeRefusalList = z.output<typeof episodeRefusalListSchema>;
export type ProtocolDiffAnswer = z.output<typeof protocolDiffSchema>;

const trainingNotice = z
  .string()
  .meta({ description: 'Model output for training, never evidence.' });

/** `GET /api/training/scenarios`. */
export const trainingScenariosSchema = z
  .object({
    notice: trainingNotice,
    scenarios: z.array(
      z
        .object({
          id,
          title: z.string(),
          description: z.string(),
          basis: z.string(),
        })
        .strict(),
    ),
  })
  .strict()
  .meta({ id: 'TrainingScenarios' });

/** A training episode's virtual patient now. */
export const trainingStateSchema = z
  .object({
    notice: trainingNotice,
    episodeId: uuid,
    scenario: z
      .object({ id, title: z.string(), description: z.string() })
      .strict(),
    seed: z.number().int(),
    virtualHours: z.number().min(0),
    virtualNow: instantSchema,
    alive: z.boolean(),
    needsOrganSupport: z.boolean(),
    labs: z.record(z.string(), z.unknown()).meta({
      description:
        "The virtual patient's current panel, in the form `labs.recorded` takes.",
    }),
    results: z.record(z.string(), z.boolean().nullable()),
    resultsAt: z.record(z.string(), z.number()),
  })
  .strict()
  .meta({ id: 'TrainingState' });

const debriefItemSchema = z
  .object({
    rule: z.string(),
    label: z.string(),
    points: z.number(),
    evidence,
    earned: z
      .number()
      .nullable()
      .meta({ description: 'null: the rule did not apply to this course.' }),
    detail: z.string(),
  })
  .strict();

const debriefScoreSchema = z.object({
  score: z.number(),
  max: z.number(),
  items: z.array(debriefItemSchema),
  hoursToFirstGlucocorticoid: z.number().nullable(),
  hoursToFirstTargetedTherapy: z.number().nullable(),
});

/** `GET /api/training/episodes/:id/debrief`. */
export const trainingDebriefSchema = z
  .object({
    notice: trainingNotice,
    trainee: debriefScoreSchema.strict(),
    protocolPolicy: debriefScoreSchema
      .extend({ outcome: z.string(), hoursSimulated: z.number() })
      .strict(),
  })
  .strict()
  .meta({ id: 'TrainingDebrief' });

/** What `POST /api/episodes/:id/fhir` answers: what was recorded, and what not. */
export const fhirImportResultSchema = z
  .object({
    recorded: z.array(
      z
        .object({
          collectedAt: instantSchema,
          version: z.number().int().min(1),
        })
        .strict(),
    ),
    observations: z.number().int().min(0),
    duplicates: z.number().int().min(0),
    alreadyCorrected: z.number().int().min(0).meta({
      description:
        'Results the laboratory withdraws (entered-in-error, cancelled) whose panel the ward already marked entered in error: already corrected, left out.',
    }),
    ignored: z.number().int().min(0),
    version: z.number().int().min(0),
  })
  .strict()
  .meta({ id: 'FhirImportResult' });
export type BulkMigrationAnswer = z.output<typeof bulkMigrationAnswerSchema>;
export type ProtocolReleaseAnswer = z.output<typeof protocolReleaseSchema>;
export type AuditProtocolRelease = z.output<typeof auditProtocolReleaseSchema>;
export type StoredProtocolRelease = z.output<
  typeof storedProtocolReleaseSchema
>;
