import { createSecretKey } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { episodeRow } from '../../spec-support/api.spec-support.js';
import type { EpisodeRow } from '../database/entities.js';
import { episodeSeal, sha256Text } from './audit-chain.util.js';
import { SnapshotDigests } from './snapshot-digests.util.js';

const key = createSecretKey(Buffer.from('k'.repeat(32)));

/** Digests that count the texts they hash afresh. */
function counting(capacity = 10) {
  const hashed: string[] = [];
  const digests = new SnapshotDigests(capacity, (text) => {
    hashed.push(text);
    return sha256Text(text);
  });
  return { digests, hashed };
}

describe('snapshot digests: a hash reused only for the identical text', () => {
  it('gives the SHA-256 of the text, hashing a text once however often it comes back', () => {
    const { digests, hashed } = counting();
    const text = '{"value":"a"}';
    expect(digests.sha256('e1', 'snapshot', text)).toBe(sha256Text(text));
    // A copy of the text (another string, as read from the database).
    const copy = JSON.parse(JSON.stringify(text)) as string;
    expect(digests.sha256('e1', 'snapshot', copy)).toBe(sha256Text(text));
    expect(hashed).toHaveLength(1);
  });

  it('an edited text is hashed afresh, in either field', () => {
    const { digests, hashed } = counting();
    digests.sha256('e1', 'snapshot', '{"weightKg":20}');
    digests.sha256('e1', 'initialSnapshot', '{"weightKg":20,"first":true}');
    expect(digests.sha256('e1', 'snapshot', '{"weightKg":99}')).toBe(
      sha256Text('{"weightKg":99}'),
    );
    expect(
      digests.sha256('e1', 'initialSnapshot', '{"weightKg":99,"first":true}'),
    ).toBe(sha256Text('{"weightKg":99,"first":true}'));
    expect(hashed).toHaveLength(4);
  });

  it('keeps each episode apart', () => {
    const { digests, hashed } = counting();
    digests.sha256('e1', 'snapshot', 'one');
    expect(digests.sha256('e2', 'snapshot', 'one')).toBe(sha256Text('one'));
    expect(hashed).toEqual(['one', 'one']);
  });

  it('forgets the least recently hashed episode past its capacity', () => {
    const { digests, hashed } = counting(2);
    for (const id of ['e1', 'e2', 'e3', 'e1']) {
      expect(digests.sha256(id, 'snapshot', `text of ${id}`)).toBe(
        sha256Text(`text of ${id}`),
      );
    }
    expect(hashed).toHaveLength(4);
  });

  it('a write (the stored seal checked, the new one made) hashes only the new snapshot once the memo is warm; at the opening, one text', () => {
    const { digests, hashed } = counting();
    const opened = episodeRow({ snapshot: '{"value":"a"}' });
    episodeSeal(key, opened, null, digests);
    expect(hashed).toEqual(['{"value":"a"}']);
    const written = { ...opened, snapshot: '{"value":"b"}' };
    expect(episodeSeal(key, opened, null, digests)).toBe(
      episodeSeal(key, opened, null),
    );
    expect(episodeSeal(key, written, 'hmac-sha256:h1', digests)).toBe(
      episodeSeal(key, written, 'hmac-sha256:h1'),
    );
    expect(hashed).toEqual(['{"value":"a"}', '{"value":"b"}']);
    // The next write: the stored texts, read back as copies.
    const read = JSON.parse(JSON.stringify(written)) as EpisodeRow;
    episodeSeal(key, read, 'hmac-sha256:h1', digests);
    expect(hashed).toHaveLength(2);
  });

  it('with a warm memo, a tampered first snapshot gives another seal than the stored one (the write path refuses it)', () => {
    const { digests } = counting();
    const row = episodeRow();
    const stored = episodeSeal(key, row, 'hmac-sha256:head', digests);
    expect(episodeSeal(key, row, 'hmac-sha256:head', digests)).toBe(stored);
    const tampered = { ...row, initialSnapshot: '{"value":"z"}' };
    const check = episodeSeal(key, tampered, 'hmac-sha256:head', digests);
    expect(check).not.toBe(stored);
    expect(check).toBe(episodeSeal(key, tampered, 'hmac-sha256:head'));
    // Put back as it was: the same text, the same seal.
    expect(episodeSeal(key, row, 'hmac-sha256:head', digests)).toBe(stored);
  });
});
