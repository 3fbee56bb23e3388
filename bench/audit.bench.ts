/**
 * The anchored audit's cost: how fast the full audit verifies (each entry's
 * HMAC-SHA-256 recomputed over its canonical JSON, each link, each chain
 * against its sealed episode) on one core, and what the key adds per entry
 * over the unkeyed SHA-256 the chain used before. Then the same with the
 * two chains of their own beside it: the access log (one entry per read,
 * each user's chain; as many reads as audit entries here) and the refused
 * attempts (one for every ten entries, each episode's chain). Prints figures
 * and ratios; asserts nothing (speed is not a test).
 *   npm run -s bench:audit [-- --entries N]
 * Target (issue 15): at least 200,000 entries/s on one core.
 */
import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import canonicalize from 'canonicalize';

import {
  accessEntryMac,
  type AccessLogRow,
  auditEntryHash,
  type AuditRow,
  type EpisodeRow,
  episodeSeal,
  GENESIS_HASH,
  rejectedAttemptMac,
  type RejectedAttemptRow,
  verifyAll,
} from '@mas/api';

const TARGET_PER_SECOND = 200_000;
const argIndex = process.argv.indexOf('--entries');
const totalEntries =
  argIndex === -1 ? 200_000 : Number(process.argv[argIndex + 1]);
const PER_EPISODE = 40;
/** Users whose reads make the access log. */
const READERS = 60;
/** One refused attempt for this many audit entries. */
const ENTRIES_PER_REFUSAL = 10;
const key = createSecretKey(randomBytes(32));

// Entries shaped as the service writes them (a lab panel's payload, the
// guard's reason, the evidence ids, states before and after).
const payload = JSON.stringify({
  panel: {
    ferritin: { value: 12_000, unit: 'ng/mL' },
    platelets: { value: 90, unit: '10*3/uL' },
    ast: { value: 120, unit: 'U/L' },
    triglycerides: { value: 300, unit: 'mg/dL' },
    fibrinogen: { value: 120, unit: 'mg/dL' },
  },
  collectedAt: '2026-03-01T08:00:00.000Z',
});
const episodes: EpisodeRow[] = [];
const entries: AuditRow[] = [];
const at = new Date('2026-03-01T08:00:00.000Z');
for (let e = 0; e * PER_EPISODE < totalEntries; e += 1) {
  const episodeId = `00000000-0000-4000-8000-${String(e).padStart(12, '0')}`;
  let previous = GENESIS_HASH;
  let seq = 0;
  for (; seq < PER_EPISODE && e * PER_EPISODE + seq < totalEntries;) {
    seq += 1;
    const entry = {
      episodeId,
      seq,
      type: 'labs.recorded',
      payload,
      actorId: 'dr-adams',
      actorRole: 'clinician',
      occurredAt: at,
      recordedAt: at,
      rationale: null,
      evidence: '["seed.diagnosis.1","lit.ravelli-2016"]',
      guard:
        '{"outcome":"allowed","reason":"labs may be recorded at any time"}',
      stateBefore: '{"diagnosis":"suspected","treatment":"awaitingDecision"}',
      stateAfter: '{"diagnosis":"suspected","treatment":"awaitingDecision"}',
      protocolHash: `sha256:${'a'.repeat(64)}`,
      profileHash: `sha256:${'b'.repeat(64)}`,
      prevHash: previous,
    };
    const hash = auditEntryHash(key, entry);
    entries.push({ ...entry, id: `${episodeId}-${String(seq)}`, hash });
    previous = hash;
  }
  const row = {
    id: episodeId,
    kind: 'real' as const,
    patientIdentifier: `SYN-${String(e)}`,
    // A stored snapshot of the service's size (about 6 kB), whose protocol
    // version verification reads.
    snapshot: JSON.stringify({
      value: { diagnosis: 'suspected' },
      context: { protocol: { version: '1.0.0' }, notes: 'x'.repeat(6_000) },
    }),
    initialSnapshot: 'y'.repeat(3_000),
    stage: 's',
    tags: '[]',
    alertIds: '[]',
    overdue: false,
    urgency: 0,
    nextDueAt: null,
    protocolVersion: '1.0.0',
    protocolHash: `sha256:${'a'.repeat(64)}`,
    profileHash: `sha256:${'b'.repeat(64)}`,
    machineVersion: '1',
    version: seq,
    createdAt: at,
    updatedAt: at,
    seal: null as string | null,
    openedBy: 'dr-adams',
    quality: null,
    qualitySeal: null,
  };
  row.seal = episodeSeal(key, row, previous);
  episodes.push(row);
}

// The access log: one read per audit entry, spread over the readers, each
// user's entries a chain of their own as the service writes them.
const access: AccessLogRow[] = [];
const lastOfReader = new Map<string, { seq: number; mac: string }>();
for (let n = 0; n < entries.length; n += 1) {
  const actorId = `reader-${String(n % READERS)}`;
  const last = lastOfReader.get(actorId);
  const chained = {
    id: `access-${String(n)}`,
    at,
    actorId,
    actorRole: 'clinician',
    action: 'episode.read',
    episodeId: entries[n]?.episodeId ?? null,
    subject: null,
    detail: null,
    seq: (last?.seq ?? 0) + 1,
    prevMac: last?.mac ?? null,
  };
  const code = accessEntryMac(key, chained);
  access.push({ ...chained, mac: code });
  lastOfReader.set(actorId, { seq: chained.seq, mac: code });
}
// Refused attempts: one for every ENTRIES_PER_REFUSAL entries, in the
// episode of the entry, each episode's a chain of its own.
const refusals: RejectedAttemptRow[] = [];
const lastOfEpisode = new Map<string, { seq: number; mac: string }>();
for (let n = 0; n < entries.length; n += ENTRIES_PER_REFUSAL) {
  const episodeId = entries[n]?.episodeId ?? '';
  const last = lastOfEpisode.get(episodeId);
  const chained = {
    id: `refusal-${String(n)}`,
    episodeId,
    type: 'therapy.started',
    payload: '{"drug":"emapalumab"}',
    actorId: 'dr-adams',
    actorRole: 'clinician',
    recordedAt: at,
    reason: 'refractory therapy needs a second senior to approve',
    evidence: '["seed.refractory.1"]',
    seq: (last?.seq ?? 0) + 1,
    prevMac: last?.mac ?? null,
  };
  const code = rejectedAttemptMac(key, chained);
  refusals.push({ ...chained, mac: code });
  lastOfEpisode.set(episodeId, { seq: chained.seq, mac: code });
}

function best(runs: number, fn: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest / 1000;
}

if (!verifyAll(key, episodes, entries).ok) {
  throw new Error('the generated audit does not verify');
}
const verifySeconds = best(3, () => {
  verifyAll(key, episodes, entries);
});

const withChains = verifyAll(
  key,
  episodes,
  entries,
  undefined,
  refusals,
  access,
);
if (!withChains.ok) {
  throw new Error('the generated access log or refusals do not verify');
}
const allSeconds = best(3, () => {
  verifyAll(key, episodes, entries, undefined, refusals, access);
});

const sample = entries.slice(0, 20_000);
const macSeconds = best(3, () => {
  for (const entry of sample) auditEntryHash(key, entry);
});
const shaSeconds = best(3, () => {
  for (const entry of sample) {
    const { id: _id, hash: _hash, ...fields } = entry;
    createHash('sha256')
      .update(
        canonicalize({
          ...fields,
          occurredAt: fields.occurredAt.toISOString(),
          recordedAt: fields.recordedAt.toISOString(),
        }) ?? '',
      )
      .digest('hex');
  }
});

const perSecond = entries.length / verifySeconds;
console.log(
  `Full audit verification, one core: ${entries.length.toLocaleString('en')} entries in ${episodes.length.toLocaleString('en')} chains`,
);
console.log(
  `  ${(verifySeconds * 1000).toFixed(0)} ms: ${Math.round(perSecond).toLocaleString('en')} entries/s (target ${TARGET_PER_SECOND.toLocaleString('en')}: ${(perSecond / TARGET_PER_SECOND).toFixed(2)}x, ${perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met'})`,
);
const rows = entries.length + access.length + refusals.length;
console.log(
  `With the access log (${access.length.toLocaleString('en')} reads of ${String(READERS)} users) and ${refusals.length.toLocaleString('en')} refused attempts, each a chain of its own:`,
);
console.log(
  `  ${(allSeconds * 1000).toFixed(0)} ms for ${rows.toLocaleString('en')} rows: ${Math.round(rows / allSeconds).toLocaleString('en')} rows/s; the access log and refusals add ${((allSeconds - verifySeconds) * 1000).toFixed(0)} ms (${Math.round((access.length + refusals.length) / Math.max(allSeconds - verifySeconds, 1e-9)).toLocaleString('en')} rows/s), ratio ${(allSeconds / verifySeconds).toFixed(2)} to the audit alone`,
);
console.log(
  `Per entry: HMAC-SHA-256 ${((macSeconds / sample.length) * 1e6).toFixed(2)} µs, unkeyed SHA-256 ${((shaSeconds / sample.length) * 1e6).toFixed(2)} µs (ratio ${(macSeconds / shaSeconds).toFixed(2)})`,
);
console.log(
  '(Reading the rows from the database is not included: GET /api/audit/verify adds it.)',
);
