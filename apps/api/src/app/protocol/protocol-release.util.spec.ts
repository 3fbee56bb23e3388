import { describe, expect, it } from '@jest/globals';

import { protocolVersions } from '@mas/protocol';

import {
  auditProtocolReleases,
  storedProtocolReleases,
} from './protocol-release.util.js';

const [v100, v110] = protocolVersions.map((v) => ({
  version: v.version,
  hash: v.hash,
}));
const dev = `sha256:${'0d'.repeat(32)}`;

/** An entry of episode `episodeId`'s chain, as stored. */
function entry(
  episodeId: string,
  seq: number,
  protocolHash: string,
  migrated?: { fromVersion: string; toVersion: string } | string,
) {
  return {
    episodeId,
    seq,
    type: migrated === undefined ? 'labs.recorded' : 'protocol.migrated',
    payload:
      typeof migrated === 'string' ? migrated : JSON.stringify(migrated ?? {}),
    protocolHash,
  };
}

describe("the protocol content of an episode's chain, entry by entry", () => {
  it('an entry is under the version the chain says it ran under: moved there and back, each content once with its entries', () => {
    const there = { fromVersion: '1.0.0', toVersion: '1.1.0' };
    const back = { fromVersion: '1.1.0', toVersion: '1.0.0' };
    const { perEntry, distinct } = auditProtocolReleases(
      [
        entry('e', 1, String(v100?.hash)),
        entry('e', 2, String(v110?.hash), there),
        entry('e', 3, String(v110?.hash)),
        entry('e', 4, String(v100?.hash), back),
      ],
      // The record's version now says nothing of the chain's start.
      '1.0.0',
    );
    expect(perEntry.map((r) => [r.version, r.status])).toEqual([
      ['1.0.0', 'pinned'],
      ['1.1.0', 'pinned'],
      ['1.1.0', 'pinned'],
      ['1.0.0', 'pinned'],
    ]);
    expect(
      distinct.map(({ version, fromSeq, toSeq, entries }) => ({
        version,
        fromSeq,
        toSeq,
        entries,
      })),
    ).toEqual([
      { version: '1.0.0', fromSeq: 1, toSeq: 4, entries: 2 },
      { version: '1.1.0', fromSeq: 2, toSeq: 3, entries: 2 },
    ]);
  });

  it("a migration's payload edited into something unreadable names no version: the one before holds (the verification names the edit), never a throw", () => {
    const { perEntry } = auditProtocolReleases(
      [entry('e', 1, dev), entry('e', 2, dev, '{not json')],
      '1.0.0',
    );
    expect(perEntry.map((r) => [r.version, r.status])).toEqual([
      ['1.0.0', 'not-pinned'],
      ['1.0.0', 'not-pinned'],
    ]);
  });
});

describe('the protocol content of the whole stored audit', () => {
  it('each content with its episodes and entries, an episode not yet written on counted under its own, pinned first', () => {
    const episode = (id: string, protocolHash: string) => ({
      id,
      protocolVersion: '1.0.0',
      protocolHash,
    });
    const contents = storedProtocolReleases(
      [
        episode('a', dev),
        episode('b', String(v100?.hash)),
        episode('c', String(v100?.hash)),
        { id: 'd', protocolVersion: '1.1.0', protocolHash: String(v110?.hash) },
      ],
      [
        entry('a', 1, dev),
        entry('a', 2, dev),
        entry('b', 1, String(v100?.hash)),
        // Stored in no order: the chain is read by its sequence (its first
        // entry under 1.0.0, the migration's under 1.1.0).
        entry('d', 2, String(v110?.hash), {
          fromVersion: '1.0.0',
          toVersion: '1.1.0',
        }),
        entry('d', 1, String(v100?.hash)),
        // A chain whose episode is gone names no version: left out.
        entry('gone', 1, dev),
      ],
    );
    expect(
      contents.map(({ hash, status, episodes, entries }) => ({
        hash,
        status,
        episodes,
        entries,
      })),
    ).toEqual([
      { hash: v100?.hash, status: 'pinned', episodes: 3, entries: 2 },
      { hash: v110?.hash, status: 'pinned', episodes: 1, entries: 1 },
      { hash: dev, status: 'not-pinned', episodes: 1, entries: 2 },
    ]);
    expect(contents[2]).not.toHaveProperty('fromSeq');
  });
});
