/**
 * "Entered in error" (FHIR status `entered-in-error`): a clinician marks an
 * audited event as recorded by mistake. Nothing is deleted or rewritten: an
 * audit entry of its own (`entry.voided`) names the entry, who, when and
 * why, and from then on the episode is its history replayed without the
 * entries voided so far. Every reader that replays a history (the service's
 * verification, the state at a time, the quality report, the web app's
 * timeline) takes the entries through `effectiveEntries`, the one rule.
 */
import { z } from 'zod';

/** The audit entry type of a correction ("entry N was entered in error"). */
export const ENTRY_VOIDED = 'entry.voided';

/** `POST /api/episodes/:id/entered-in-error`: which entry, why, at what version. */
export const entryVoidRequestSchema = z
  .object({
    /** The audit entry (its `seq`) recorded in error. */
    seq: z.number().int().min(1),
    /** Why it was entered in error (mandatory: the audit keeps it). */
    rationale: z.string().trim().min(1).max(2000),
    expectedVersion: z.number().int().min(0),
  })
  .strict();
export type EntryVoidRequest = z.infer<typeof entryVoidRequestSchema>;

/** The payload of an `entry.voided` audit entry. */
export const entryVoidedPayloadSchema = z
  .object({
    /** The entry voided. */
    seq: z.number().int().min(1),
    /** Its type, as recorded (for a reader of the void alone). */
    type: z.string(),
  })
  .strict();

/** What any audit entry a replay reads carries (payload parsed or as text). */
export interface ReplayableEntry {
  readonly seq: number;
  readonly type: string;
  readonly payload: unknown;
}

/** A void as the readers show it on the entry it voids. */
export interface EnteredInError {
  /** The void's own entry. */
  readonly voidSeq: number;
  readonly actorId: string;
  readonly actorRole: string;
  readonly recordedAt: string;
  readonly rationale: string | null;
}

/**
 * The four-eyes records: a request for a second senior's decision and the
 * decisions themselves. Undoing one is undoing another person's check, so
 * only its author marks it entered in error (a requester who could void the
 * rejection of their own request could shop for another approver).
 */
export const AUTHOR_ONLY_CORRECTIONS: ReadonlySet<string> = new Set([
  'escalation.requested',
  'escalation.approved',
  'escalation.rejected',
  'escalation.countersigned',
]);

/**
 * Why this user may not mark `target` entered in error, beyond recording
 * its kind of event at all (null: they may). Its author may; a senior
 * clinician may correct a colleague's record; any role that records the
 * event may correct what the laboratory's interface (the system) recorded;
 * a four-eyes record only its author. The service refuses by it, the web
 * app offers the action by it.
 */
export function correctionRefusal(
  target: {
    readonly type: string;
    readonly actorId: string;
    readonly actorRole: string;
  },
  user: { readonly id: string; readonly role: string },
): string | null {
  if (target.actorId === user.id) return null;
  if (AUTHOR_ONLY_CORRECTIONS.has(target.type)) {
    return `is a four-eyes record (a request for a second senior's decision, or the decision): only its author, ${target.actorId}, marks it entered in error, so that nobody undoes another person's check`;
  }
  if (user.role === 'senior-clinician' || target.actorRole === 'system') {
    return null;
  }
  return `was recorded by ${target.actorId}: its author or a senior clinician marks it entered in error`;
}

/** The seq a void entry names, or null when the entry is not a void. */
export function voidedSeqOf(entry: ReplayableEntry): number | null {
  if (entry.type !== ENTRY_VOIDED) return null;
  let payload: unknown = entry.payload;
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload) as unknown;
    } catch {
      return null;
    }
  }
  const parsed = entryVoidedPayloadSchema.safeParse(payload);
  return parsed.success ? parsed.data.seq : null;
}

/**
 * The voids among `entries`: each voided entry's seq to the void entry that
 * voided it (the first, should a forged chain hold two).
 */
export function voidsOf<E extends ReplayableEntry>(
  entries: readonly E[],
): Map<number, E> {
  const voids = new Map<number, E>();
  for (const entry of entries) {
    const seq = voidedSeqOf(entry);
    if (seq !== null && !voids.has(seq)) voids.set(seq, entry);
  }
  return voids;
}

/**
 * The entries a replay steps, in the order given: without the voids
 * themselves (they are no machine events) and without the entries they
 * void. Given the entries recorded up to a time, it gives the history as
 * it stood then (a void recorded later does not reach back).
 */
export function effectiveEntries<E extends ReplayableEntry>(
  entries: readonly E[],
): E[] {
  const voids = voidsOf(entries);
  return entries.filter(
    (entry) => entry.type !== ENTRY_VOIDED && !voids.has(entry.seq),
  );
}
