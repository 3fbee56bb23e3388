import { describe, expect, it } from '@jest/globals';

import {
  effectiveEntries,
  ENTRY_VOIDED,
  entryVoidRequestSchema,
  voidedSeqOf,
  voidsOf,
} from './entered-in-error.schema.js';

const entry = (seq: number, type = 'labs.recorded', payload: unknown = {}) => ({
  seq,
  type,
  payload,
});
const voiding = (seq: number, voided: number, asText = false) =>
  entry(
    seq,
    ENTRY_VOIDED,
    asText
      ? JSON.stringify({ seq: voided, type: 'labs.recorded' })
      : { seq: voided, type: 'labs.recorded' },
  );

describe('entries entered in error', () => {
  it('the replay steps neither the voids nor the entries they void, in order', () => {
    const entries = [entry(1), entry(2), voiding(3, 1), entry(4)];
    expect(effectiveEntries(entries).map((e) => e.seq)).toEqual([2, 4]);
  });

  it('reads a void payload stored as text (the service) or parsed (the web app)', () => {
    expect(voidedSeqOf(voiding(3, 1, true))).toBe(1);
    expect(voidedSeqOf(voiding(3, 1))).toBe(1);
    expect(voidedSeqOf(entry(3, ENTRY_VOIDED, '{not json'))).toBeNull();
    expect(voidedSeqOf(entry(3, 'labs.recorded', { seq: 1 }))).toBeNull();
  });

  it('a history up to a time: a void recorded later does not reach back', () => {
    const entries = [entry(1), entry(2), voiding(3, 1)];
    expect(effectiveEntries(entries.slice(0, 2)).map((e) => e.seq)).toEqual([
      1, 2,
    ]);
    expect(voidsOf(entries).get(1)?.seq).toBe(3);
  });

  it('the request names a missing or blank rationale', () => {
    const parsed = entryVoidRequestSchema.safeParse({
      seq: 1,
      rationale: '  ',
      expectedVersion: 1,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['rationale']);
  });
});
