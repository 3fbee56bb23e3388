import { describe, expect, it } from '@jest/globals';

import { contentHash } from '@mas/protocol';

import type { AuditRow } from '../database/entities.js';
import {
  auditEntryHash,
  firstBrokenEntry,
  GENESIS_HASH,
} from './audit-chain.util.js';

function chain(length: number): AuditRow[] {
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
    const hash = auditEntryHash(entry);
    rows.push({ ...entry, id: `id-${seq}`, hash });
    previous = hash;
  }
  return rows;
}

describe('audit hash chain', () => {
  it('an intact chain verifies', () => {
    expect(firstBrokenEntry(chain(5))).toBeNull();
  });

  it('a changed payload is named', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, payload: '{"n":99}' };
    expect(firstBrokenEntry(rows)).toEqual({
      seq: 3,
      id: 'id-3',
      reason: 'content does not match its hash',
    });
  });

  it('a deleted entry is named', () => {
    const rows = chain(5).filter((row) => row.seq !== 2);
    expect(firstBrokenEntry(rows)).toMatchObject({
      seq: 3,
      reason: 'sequence gap before 3',
    });
  });

  it('a re-hashed forgery breaks the link of the next entry', () => {
    const rows = chain(4);
    const forged = { ...rows[1]!, payload: '{"n":42}' };
    rows[1] = { ...forged, hash: auditEntryHash(forged) };
    expect(firstBrokenEntry(rows)).toMatchObject({
      seq: 3,
      reason: 'link to the previous entry broken',
    });
  });

  it('the write path hashes as @mas/protocol contentHash does, so chains written before still verify', () => {
    for (const row of chain(3)) {
      const { id: _id, hash, ...fields } = row;
      const withText = {
        ...fields,
        rationale: 'Überweisung: Ferritin ≥ 684 µg/L — "CNS" \n ok',
        payload: JSON.stringify({ value: 1e21, small: 1e-7, list: [3, 1] }),
      };
      expect(hash).toBe(
        contentHash({
          ...fields,
          occurredAt: new Date(fields.occurredAt).toISOString(),
          recordedAt: new Date(fields.recordedAt).toISOString(),
        }),
      );
      expect(auditEntryHash(withText)).toBe(
        contentHash({
          ...withText,
          occurredAt: new Date(withText.occurredAt).toISOString(),
          recordedAt: new Date(withText.recordedAt).toISOString(),
        }),
      );
    }
  });
});
