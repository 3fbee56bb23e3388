import { createHash, createHmac, createSecretKey } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';

import { episodeRow } from '../../spec-support/api.spec-support.js';
import type { AccessLogRow } from '../access-log/access-log.entity.js';
import type { AuditRow, RejectedAttemptRow } from '../database/entities.js';
import {
  accessEntryMac,
  accessLogProblems,
  auditEntryHash,
  chainProblems,
  episodeSeal,
  firstBrokenEntry,
  GENESIS_HASH,
  MAC_PREFIX,
  qualitySeal,
  refusalProblems,
  rejectedAttemptMac,
  vouchedQuality,
} from './audit-chain.util.js';

const key = createSecretKey(Buffer.from('k'.repeat(32)));
const otherKey = createSecretKey(Buffer.from('x'.repeat(32)));

function chain(length: number, withKey = key): AuditRow[] {
  const rows: AuditRow[] = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const entry = {
      episodeId: 'e1',
      seq,
      type: 'labs.recorded',
      payload: JSON.stringify({ n: seq }),
      actorId: 'dr-a',
      actorRole: 'clinician',
      occurredAt: new Date(Date.UTC(2026, 2, 1, seq)),
      recordedAt: new Date(Date.UTC(2026, 2, 1, seq)),
      rationale: null,
      evidence: '[]',
      guard: '{"outcome":"allowed"}',
      stateBefore: '"a"',
      stateAfter: '"b"',
      protocolHash: 'sha256:p',
      profileHash: 'sha256:q',
      prevHash: previous,
    };
    const hash = auditEntryHash(withKey, entry);
    rows.push({ ...entry, id: `id-${seq}`, hash });
    previous = hash;
  }
  return rows;
}

/** An episode at `version`, sealed over the head of `entries`. */
function episodeOver(entries: readonly AuditRow[]) {
  const row = episodeRow({ version: entries.length });
  row.seal = episodeSeal(key, row, entries.at(-1)?.hash ?? null);
  return row;
}

describe('audit chain: entries authenticated with the audit key', () => {
  it('an intact chain verifies', () => {
    expect(firstBrokenEntry(key, chain(5))).toBeNull();
  });

  it('a changed payload is named', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, payload: '{"n":99}' };
    expect(firstBrokenEntry(key, rows)).toEqual({
      seq: 3,
      id: 'id-3',
      reason:
        'content does not match its authentication code (altered, or written without the audit key)',
    });
  });

  it('a deleted entry is named', () => {
    const rows = chain(5).filter((row) => row.seq !== 2);
    expect(firstBrokenEntry(key, rows)).toMatchObject({
      seq: 3,
      reason: 'sequence gap before 3',
    });
  });

  it('history rewritten and every hash recomputed without the key is caught at its first entry', () => {
    // What an attacker with the database but not the key can do: the whole
    // chain recomputed, links consistent, with another key ...
    expect(firstBrokenEntry(key, chain(4, otherKey))).toMatchObject({
      seq: 1,
      reason: expect.stringContaining('authentication code'),
    });
    // ... or with the unkeyed SHA-256 an older version wrote.
    const rows: AuditRow[] = [];
    let previous = GENESIS_HASH;
    for (const row of chain(3)) {
      const { id, hash: _hash, ...fields } = row;
      const entry = { ...fields, prevHash: previous };
      const hash = `sha256:${createHash('sha256')
        .update(canonicalize(entry) ?? '')
        .digest('hex')}`;
      rows.push({ ...entry, id, hash });
      previous = hash;
    }
    expect(firstBrokenEntry(key, rows)).toMatchObject({
      seq: 1,
      reason: expect.stringContaining('not authenticated with the audit key'),
    });
  });

  it('the code is HMAC-SHA-256 of the canonical JSON (RFC 8785), so an auditor can recompute it with the key', () => {
    const [row] = chain(1);
    const { id: _id, hash, ...fields } = row!;
    const text = canonicalize({
      ...fields,
      occurredAt: fields.occurredAt.toISOString(),
      recordedAt: fields.recordedAt.toISOString(),
    });
    expect(hash).toBe(
      `${MAC_PREFIX}${createHmac('sha256', key)
        .update(text ?? '')
        .digest('hex')}`,
    );
    // Texts with any character hash as canonical JSON says.
    const withText = {
      ...fields,
      rationale: 'Überweisung: Ferritin ≥ 684 µg/L — "CNS" \n ok',
    };
    expect(auditEntryHash(key, withText)).not.toBe(hash);
    expect(auditEntryHash(key, withText)).toBe(
      auditEntryHash(key, { ...withText }),
    );
  });
});

describe('audit chain against its episode (seal, tail, missing chain)', () => {
  it('a chain and its sealed episode verify', () => {
    const rows = chain(4);
    expect(chainProblems(key, 'e1', episodeOver(rows), rows)).toEqual([]);
  });

  it('the last entry deleted: the missing tail and the broken seal are named', () => {
    const rows = chain(4);
    const episode = episodeOver(rows);
    const reasons = chainProblems(key, 'e1', episode, rows.slice(0, 3)).map(
      (p) => p.reason,
    );
    expect(reasons).toEqual([
      'the chain ends at entry 3 but the episode is at version 4: 1 entries missing at the end',
      expect.stringContaining('does not match its seal'),
    ]);
  });

  it('the tail deleted and the version set back to match: the seal names it', () => {
    const rows = chain(4);
    const episode = { ...episodeOver(rows), version: 3 };
    expect(
      chainProblems(key, 'e1', episode, rows.slice(0, 3)).map((p) => p.reason),
    ).toEqual([expect.stringContaining('does not match its seal')]);
  });

  it("an episode's whole chain deleted is named", () => {
    const rows = chain(2);
    const problems = chainProblems(key, 'e1', episodeOver(rows), []);
    expect(problems[0]?.reason).toBe(
      'the episode is at version 2 but its audit chain is missing',
    );
  });

  it('a chain whose episode is gone is named', () => {
    expect(
      chainProblems(key, 'e1', undefined, chain(2)).map((p) => p.reason),
    ).toEqual([
      'an audit chain of 2 entries whose episode is missing (deleted outside the service)',
    ]);
  });

  it.each([
    [
      'snapshot',
      {
        snapshot:
          '{"value":"edited","context":{"protocol":{"version":"1.0.0"}}}',
      },
    ],
    ['initial snapshot', { initialSnapshot: '{"value":"edited"}' }],
    ['identifier', { patientIdentifier: 'SYN-2' }],
    ['kind', { kind: 'training' as const }],
    ['opener', { openedBy: 'trainee-b' }],
  ])('an edited %s breaks the seal', (_name, change) => {
    const rows = chain(2);
    const episode = { ...episodeOver(rows), ...change };
    expect(chainProblems(key, 'e1', episode, rows)).toEqual([
      expect.objectContaining({
        reason: expect.stringContaining('does not match its seal'),
      }),
    ]);
  });

  it("a protocol version column that is not the sealed snapshot's is named (the reports filter by it)", () => {
    const rows = chain(2);
    const episode = { ...episodeOver(rows), protocolVersion: '2.0.0' };
    expect(
      chainProblems(key, 'e1', episode, rows).map((p) => p.reason),
    ).toEqual([
      "the episode's protocol version (2.0.0) is not its sealed snapshot's (1.0.0): changed outside the service",
    ]);
  });

  it('an unsealed episode (an older version, or forged) is named', () => {
    const rows = chain(1);
    const episode = { ...episodeOver(rows), seal: null };
    expect(chainProblems(key, 'e1', episode, rows)[0]?.reason).toContain(
      'not sealed',
    );
  });

  it('a seal made with another key does not hold', () => {
    const rows = chain(1);
    const episode = episodeOver(rows);
    expect(
      chainProblems(otherKey, 'e1', episode, chain(1, otherKey)),
    ).toHaveLength(1);
  });
});

describe('the kept quality facts under their own seal', () => {
  const facts = '{"format":"facts-1","atVersion":4,"fold":{}}';

  it('vouches for the facts written with the episode at its version, and for nothing else', () => {
    const rows = chain(4);
    const episode = episodeOver(rows);
    const sealed = {
      ...episode,
      quality: facts,
      qualitySeal: qualitySeal(key, { ...episode, quality: facts }),
    };
    expect(vouchedQuality(key, sealed)).toBe(facts);
    expect(chainProblems(key, 'e1', sealed, rows)).toEqual([]);
    // Edited, moved to another episode or version, sealed with another
    // key, or unsealed: not vouched for.
    expect(
      vouchedQuality(key, { ...sealed, quality: facts.replace('4', '5') }),
    ).toBeNull();
    expect(vouchedQuality(key, { ...sealed, id: 'e2' })).toBeNull();
    expect(vouchedQuality(key, { ...sealed, version: 3 })).toBeNull();
    expect(vouchedQuality(otherKey, sealed)).toBeNull();
    expect(vouchedQuality(key, { ...sealed, qualitySeal: null })).toBeNull();
    expect(vouchedQuality(key, { ...sealed, quality: null })).toBeNull();
  });

  it('facts changed outside the service, or without a seal, are named by verification; no facts kept is no problem', () => {
    const rows = chain(4);
    const episode = episodeOver(rows);
    const sealed = {
      ...episode,
      quality: facts,
      qualitySeal: qualitySeal(key, { ...episode, quality: facts }),
    };
    const edited = { ...sealed, quality: facts.replace('{}', '{"n":1}') };
    expect(chainProblems(key, 'e1', edited, rows).map((p) => p.reason)).toEqual(
      [expect.stringContaining('kept quality facts do not match their seal')],
    );
    // Without a seal: written outside the service (the migration that
    // added seals cleared the facts kept before them).
    expect(
      chainProblems(key, 'e1', { ...edited, qualitySeal: null }, rows).map(
        (p) => p.reason,
      ),
    ).toEqual([expect.stringContaining('kept quality facts without a seal')]);
    expect(
      chainProblems(
        key,
        'e1',
        { ...edited, quality: null, qualitySeal: null },
        rows,
      ),
    ).toEqual([]);
  });
});

describe("the seal over the board's columns", () => {
  it('a record sealed now is named when a board column changes (records sealed before: audit-replay.util.spec.ts)', () => {
    const entries = chain(2);
    const current = episodeOver(entries);
    expect(chainProblems(key, current.id, current, entries)).toEqual([]);
    for (const change of [
      { overdue: !current.overdue },
      { urgency: current.urgency + 1 },
      { alertIds: '["x"]' },
      { stage: 'Closed' },
      { tags: '["x"]' },
      { nextDueAt: new Date(Date.UTC(2030, 0, 1)) },
    ]) {
      expect(
        chainProblems(key, current.id, { ...current, ...change }, entries).map(
          (p) => p.reason,
        ),
      ).toEqual([expect.stringContaining('board columns')]);
    }
  });
});

describe('the chain of refused attempts', () => {
  /** `length` refusals of episode e1, chained and authenticated. */
  function refusals(length: number): RejectedAttemptRow[] {
    const rows: RejectedAttemptRow[] = [];
    for (let seq = 1; seq <= length; seq += 1) {
      const attempt = {
        id: `r-${String(seq)}`,
        episodeId: 'e1',
        type: 'escalation.approved',
        payload: '{"requestId":"q1"}',
        actorId: 'dr-a',
        actorRole: 'senior-clinician',
        recordedAt: new Date(Date.UTC(2026, 2, 1, seq)),
        reason: 'four eyes: the requester may not approve',
        evidence: '[]',
        seq,
        prevMac: rows.at(-1)?.mac ?? null,
      };
      rows.push({ ...attempt, mac: rejectedAttemptMac(key, attempt) });
    }
    return rows;
  }
  const reasons = (rows: readonly RejectedAttemptRow[]) =>
    refusalProblems(key, 'e1', rows).map((p) => p.reason);

  it('an intact chain verifies, in any order it is read', () => {
    expect(reasons(refusals(3))).toEqual([]);
    expect(reasons(refusals(3).reverse())).toEqual([]);
  });

  it('an attempt altered, or written without the key, is named', () => {
    const rows = refusals(3);
    rows[1] = { ...rows[1]!, reason: 'nothing to see' };
    expect(reasons(rows)).toEqual([
      'refused attempt 2: content does not match its authentication code (altered, or written without the audit key)',
    ]);
    const forged = refusals(2);
    forged[1] = {
      ...forged[1]!,
      mac: rejectedAttemptMac(otherKey, forged[1]!),
    };
    expect(reasons(forged)).toHaveLength(1);
  });

  it('an attempt deleted from the middle is named as a gap; one re-linked over the gap breaks its code', () => {
    const rows = refusals(4).filter((row) => row.seq !== 2);
    expect(reasons(rows)).toEqual([
      'refused attempts: sequence gap before 3 (1 deleted)',
    ]);
    // Renumbered to close the gap: its code no longer holds.
    const renumbered = rows.map((row) =>
      row.seq !== null && row.seq > 2 ? { ...row, seq: row.seq - 1 } : row,
    );
    expect(reasons(renumbered)[0]).toContain('does not match');
  });

  it('a link to the wrong predecessor is named', () => {
    const rows = refusals(3);
    const third = { ...rows[2]!, prevMac: rows[0]!.mac };
    rows[2] = { ...third, mac: rejectedAttemptMac(key, third) };
    expect(reasons(rows)).toEqual([
      'refused attempt 3 does not follow the attempt before it (the chain of refusals was rewritten)',
    ]);
  });

  it("an attempt without a code is an older version's when recorded before the chain began (counted apart, not broken); recorded after, its code was removed or it was forged", () => {
    const rows = refusals(2);
    const older = {
      ...rows[0]!,
      id: 'r-old',
      recordedAt: new Date(Date.UTC(2026, 1, 1)),
      seq: null,
      prevMac: null,
      mac: null,
    };
    expect(reasons([older, ...rows])).toEqual([]);
    const stripped = { ...rows[1]!, seq: null, prevMac: null, mac: null };
    expect(reasons([older, rows[0]!, stripped])).toEqual([
      "refused attempt r-2 carries no authentication code though recorded after this episode's refusals were authenticated (its code removed, or forged)",
    ]);
    // An episode with older attempts alone: nothing to hold them against.
    expect(reasons([older])).toEqual([]);
  });
});

describe("the access log's chains, one per user", () => {
  function entries(actorId: string, length: number): AccessLogRow[] {
    const rows: AccessLogRow[] = [];
    for (let seq = 1; seq <= length; seq += 1) {
      const entry = {
        id: `${actorId}-${String(seq)}`,
        at: new Date(Date.UTC(2026, 2, 1, seq)),
        actorId,
        actorRole: 'clinician',
        action: 'episode.read',
        episodeId: 'e1',
        subject: null,
        detail: null,
        seq,
        prevMac: rows.at(-1)?.mac ?? null,
      };
      rows.push({ ...entry, mac: accessEntryMac(key, entry) });
    }
    return rows;
  }

  it('two users read in turn verify; a read hidden by an edit or a deletion is named with its user', () => {
    const adams = entries('dr-adams', 3);
    const baker = entries('dr-baker', 2);
    expect(accessLogProblems(key, [...baker, ...adams])).toEqual({
      problems: [],
      unauthenticated: 0,
    });
    const edited = [...baker, { ...adams[1]!, episodeId: 'e2' }, adams[2]!];
    expect(
      accessLogProblems(key, edited).problems.map((p) => p.reason),
    ).toEqual([
      'access log entry 2 of dr-adams: content does not match its authentication code (altered, or written without the audit key)',
    ]);
    expect(
      accessLogProblems(key, [...baker, adams[0]!, adams[2]!]).problems.map(
        (p) => p.reason,
      ),
    ).toEqual(['access log of dr-adams: sequence gap before 3 (1 deleted)']);
    // Written by an older version: counted, not broken.
    const older = {
      ...adams[0]!,
      id: 'old',
      at: new Date(Date.UTC(2026, 0, 1)),
      seq: null,
      prevMac: null,
      mac: null,
    };
    expect(accessLogProblems(key, [older, ...adams])).toEqual({
      problems: [],
      unauthenticated: 1,
    });
  });
});
