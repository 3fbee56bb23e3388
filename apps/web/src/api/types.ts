/**
 * What the service answers: the types of apps/api's JSON, inferred from the
 * zod schemas of the API contract (libs/contracts) that the OpenAPI document
 * is generated from and the contract suite checks every answer against. Only
 * the care-event options keep the machine's finer types.
 */
import type { z } from 'zod';

import type {
  auditEntrySchema,
  auditProtocolReleaseSchema,
  auditVerificationSchema,
  browserLoginSchema,
  bulkMigrationAnswerSchema,
  episodeDetailSchema,
  episodeListItemSchema,
  episodeListSchema,
  escalationDecisionSchema,
  protocolDiffSchema,
  protocolReleaseSchema,
  protocolVersionListSchema,
  qualityReportSchema,
  signInProvidersSchema,
  simulatedQualitySchema,
  storedProtocolReleaseSchema,
  UserRole,
} from '@mas/contracts';
import type { EventOption } from '@mas/mas-episode';

export type Role = UserRole;

/**
 * Who is signed in. The session itself is the service's httpOnly cookie;
 * the tab keeps only these words and the CSRF token its changes carry.
 */
export type Session = Pick<
  z.output<typeof browserLoginSchema>,
  'username' | 'role' | 'csrf'
>;

/** How one can sign in (GET /api/auth/providers). */
export type SignInProviders = z.output<typeof signInProvidersSchema>;

export type EpisodeListItem = z.output<typeof episodeListItemSchema>;

export type EpisodeList = z.output<typeof episodeListSchema>;

export type EpisodeDetail = Omit<
  z.output<typeof episodeDetailSchema>,
  'allowed' | 'blocked'
> & {
  readonly allowed: readonly EventOption[];
  readonly blocked: readonly EventOption[];
};

export type AuditEntry = z.output<typeof auditEntrySchema>;

/** Whether recorded protocol content is a pinned release (its words too). */
export type ProtocolRelease = z.output<typeof protocolReleaseSchema>;

/** One protocol content an episode's audit records, with its entries. */
export type AuditProtocolRelease = z.output<typeof auditProtocolReleaseSchema>;

/** One protocol content the whole stored audit records, and how much of it. */
export type StoredProtocolRelease = z.output<
  typeof storedProtocolReleaseSchema
>;

export type AuditVerification = z.output<typeof auditVerificationSchema>;

export type EscalationDecision = z.output<typeof escalationDecisionSchema>;

/** The quality indicators of real episodes (GET /api/analytics). */
export type QualityReport = z.output<typeof qualityReportSchema>;

/** The same over a simulated cohort, model output (GET /api/analytics/simulated). */
export type SimulatedQuality = z.output<typeof simulatedQualitySchema>;

/** The protocol versions the service knows (GET /api/protocol/versions). */
export type ProtocolVersionList = z.output<typeof protocolVersionListSchema>;

/** What one protocol version changes against another (GET /api/protocol/diff). */
export type ProtocolDiff = z.output<typeof protocolDiffSchema>;

/** A bulk protocol migration, or its dry run (POST /api/episodes/migrate). */
export type BulkMigration = z.output<typeof bulkMigrationAnswerSchema>;
