import type { Alert, EventOption } from '@mas/mas-episode';

/** What the service answers; the shapes of apps/api's JSON. */
export type Role = 'clinician' | 'senior' | 'trainee' | 'auditor' | 'admin';

/**
 * Who is signed in. The session itself is the service's httpOnly cookie;
 * the tab keeps only these words and the CSRF token its changes carry.
 */
export interface Session {
  readonly username: string;
  readonly role: Role;
  readonly csrf: string;
}

/** How one can sign in (GET /api/auth/providers). */
export interface SignInProviders {
  readonly password: boolean;
  /** The hospital's identity provider (OpenID Connect), when configured. */
  readonly oidc: { readonly label: string; readonly loginPath: string } | null;
}

export interface EpisodeListItem {
  readonly id: string;
  readonly kind: 'real' | 'training';
  readonly patientIdentifier: string;
  readonly stage: string;
  readonly tags: readonly string[];
  readonly alerts: readonly string[];
  readonly alertDetails: readonly Pick<Alert, 'id' | 'severity' | 'message'>[];
  readonly therapies: readonly string[];
  readonly suspicionAt: string | null;
  readonly firstGlucocorticoidAt: string | null;
  readonly overdue: boolean;
  readonly urgency: number;
  readonly nextDueAt: string | null;
  readonly version: number;
}

export interface EpisodeList {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly items: readonly EpisodeListItem[];
}

export interface EpisodeDetail {
  readonly id: string;
  readonly kind: 'real' | 'training';
  readonly version: number;
  readonly stage: string;
  readonly nextDueAt: string | null;
  readonly allowed: readonly EventOption[];
  readonly blocked: readonly EventOption[];
  /** The persisted snapshot of the machine. */
  readonly snapshot: unknown;
}

export interface AuditEntry {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly payload: unknown;
  readonly actorId: string;
  readonly actorRole: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly rationale: string | null;
  readonly evidence: readonly string[];
  readonly guard: { readonly outcome: string; readonly reason: string };
  readonly stateBefore: unknown;
  readonly stateAfter: unknown;
  readonly hash: string;
  readonly prevHash: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly episodes: number;
  /** Every problem found (`seq` null: the episode or chain as a whole). */
  readonly broken: readonly {
    readonly episodeId: string;
    readonly seq: number | null;
    readonly reason: string;
  }[];
}

export interface EscalationDecision {
  readonly episodeId: string;
  readonly patientIdentifier: string;
  readonly kind: 'real' | 'training';
  readonly seq: number;
  readonly decision: string;
  readonly drug: string;
  readonly requestId: string | null;
  readonly requestedBy: string | null;
  /** Null on a request row: nobody has decided it yet. */
  readonly decidedBy: string | null;
  readonly role: string;
  readonly at: string;
  readonly rationale: string | null;
  readonly evidence: readonly string[];
  readonly warrantedSince: string | null;
  readonly hoursFromWarrantedToDecision: number | null;
}
