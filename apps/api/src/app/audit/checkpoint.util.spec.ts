import { describe, expect, it } from '@jest/globals';

import { ephemeralKeys } from '../keys/service-keys.js';
import {
  chainHeads,
  type Checkpoint,
  checkpointSignatureProblem,
  signCheckpoint,
  sinceCheckpoint,
} from './checkpoint.util.js';

const keys = ephemeralKeys().checkpoint;

function checkpoint() {
  const chains = chainHeads(
    [{ id: 'b' }, { id: 'a' }, { id: 'c' }],
    [
      { episodeId: 'a', seq: 3, hash: 'h-a3' },
      { episodeId: 'b', seq: 1, hash: 'h-b1' },
    ],
  );
  return signCheckpoint(keys, {
    issuedAt: '2026-03-01T08:00:00.000Z',
    episodes: chains.length,
    entries: 4,
    chains,
  });
}

describe('signed checkpoints of the audit', () => {
  it('lists every episode with its chain head, sorted; none yet is seq 0', () => {
    expect(checkpoint().chains).toEqual([
      { episodeId: 'a', seq: 3, hash: 'h-a3' },
      { episodeId: 'b', seq: 1, hash: 'h-b1' },
      { episodeId: 'c', seq: 0, hash: null },
    ]);
  });

  it('its signature holds, and is checked with the public key it carries and its id', () => {
    const issued = checkpoint();
    expect(issued.keyId).toBe(keys.keyId);
    expect(checkpointSignatureProblem(issued)).toBeNull();
    // Round trip through a file.
    expect(
      checkpointSignatureProblem(
        JSON.parse(JSON.stringify(issued)) as Checkpoint,
      ),
    ).toBeNull();
  });

  type Alter = (c: Checkpoint) => Checkpoint;
  it.each<[string, Alter]>([
    [
      'a head changed',
      (c) => ({
        ...c,
        chains: c.chains.map((h, i) =>
          i === 0 ? { ...h, hash: 'forged' } : h,
        ),
      }),
    ],
    ['a chain dropped', (c) => ({ ...c, chains: c.chains.slice(1) })],
    [
      'the time changed',
      (c) => ({ ...c, issuedAt: '2026-03-02T08:00:00.000Z' }),
    ],
  ])('an altered file (%s) fails its signature', (_name, alter) => {
    expect(checkpointSignatureProblem(alter(checkpoint()))).toBe(
      'its signature does not hold (the file was altered)',
    );
  });

  it('re-signed with another key, it no longer matches its key id unless the id is changed too', () => {
    const other = ephemeralKeys().checkpoint;
    const forged = { ...checkpoint(), publicKey: other.publicKeyPem };
    expect(checkpointSignatureProblem(forged)).toBe(
      'its public key does not match its key id',
    );
  });

  it('since a checkpoint: a missing episode, a missing entry and a rewritten entry are each named; a longer chain is fine', () => {
    const issued = checkpoint();
    const stored = new Map([
      ['a', ['h-a1', 'h-a2', 'h-a3', 'h-a4']],
      ['b', ['h-b1']],
      ['c', []],
    ]);
    const entryAt = (id: string, seq: number) => stored.get(id)?.[seq - 1];
    expect(sinceCheckpoint(issued, new Set(stored.keys()), entryAt)).toEqual(
      [],
    );
    stored.set('a', ['h-a1', 'h-a2']);
    stored.set('b', ['forged']);
    stored.delete('c');
    expect(
      sinceCheckpoint(issued, new Set(stored.keys()), entryAt).map((p) => [
        p.episodeId,
        p.seq,
        p.reason,
      ]),
    ).toEqual([
      [
        'a',
        3,
        'entry 3 is missing, though the checkpoint of 2026-03-01T08:00:00.000Z recorded it',
      ],
      [
        'b',
        1,
        'entry 1 differs from the checkpoint of 2026-03-01T08:00:00.000Z: the history up to it was rewritten',
      ],
      [
        'c',
        null,
        'the episode is missing, though the checkpoint of 2026-03-01T08:00:00.000Z lists it with 0 entries',
      ],
    ]);
  });

  it("carries each episode's last refused attempt under the signature; one missing or rewritten since is named", () => {
    const chains = chainHeads(
      [{ id: 'a' }, { id: 'b' }],
      [{ episodeId: 'a', seq: 1, hash: 'h-a1' }],
      [{ episodeId: 'b', seq: 2, mac: 'm-b2' }],
    );
    expect(chains).toEqual([
      { episodeId: 'a', seq: 1, hash: 'h-a1' },
      { episodeId: 'b', seq: 0, hash: null, refused: { seq: 2, mac: 'm-b2' } },
    ]);
    const issued = signCheckpoint(keys, {
      issuedAt: '2026-03-01T08:00:00.000Z',
      episodes: 2,
      entries: 1,
      chains,
    });
    expect(checkpointSignatureProblem(issued)).toBeNull();
    // The refused head is signed: changing it breaks the signature.
    const [first, second] = issued.chains;
    expect(
      checkpointSignatureProblem({
        ...issued,
        chains: [first!, { ...second!, refused: { seq: 1, mac: 'm-b1' } }],
      }),
    ).toContain('does not hold');
    const entryAt = () => 'h-a1';
    const ids = new Set(['a', 'b']);
    expect(sinceCheckpoint(issued, ids, entryAt, () => 'm-b2')).toEqual([]);
    expect(
      sinceCheckpoint(issued, ids, entryAt, () => undefined).map(
        (p) => p.reason,
      ),
    ).toEqual([
      'refused attempt 2 is missing, though the checkpoint of 2026-03-01T08:00:00.000Z recorded it',
    ]);
    expect(
      sinceCheckpoint(issued, ids, entryAt, () => 'other').map((p) => p.reason),
    ).toEqual([
      'refused attempt 2 differs from the checkpoint of 2026-03-01T08:00:00.000Z: the refusals up to it were rewritten',
    ]);
  });
});
