import { describe, expect, it } from '@jest/globals';

import { protocolReleases, releasesOf } from './protocol-releases.constant.js';
import {
  deployedProtocolVersions,
  protocolVersions,
} from './protocol-versions.js';

describe('released protocol content never changes quietly', () => {
  // (A candidate is a draft: its content may change until it is deployed.)
  it.each(deployedProtocolVersions.map((v) => [v.version, v] as const))(
    'deployed version %s hashes to its latest pinned release (a change of content is a new version, or a new entry saying what changed and why)',
    (_, version) => {
      const latest = releasesOf(version.version).at(-1);
      expect({
        version: version.version,
        hash: version.hash,
      }).toEqual({ version: version.version, hash: latest?.hash });
    },
  );

  it('every entry names a version this build knows, a content hash, a date (in order) and what changed; an entry changes the content of the one before', () => {
    const known = new Set(protocolVersions.map((v) => v.version));
    for (const release of protocolReleases) {
      expect({
        version: release.version,
        known: known.has(release.version),
        hash: /^sha256:[0-9a-f]{64}$/.test(release.hash),
        date: /^\d{4}-\d\d-\d\d$/.test(release.date),
        change: release.change.trim().length > 0,
      }).toEqual({
        version: release.version,
        known: true,
        hash: true,
        date: true,
        change: true,
      });
    }
    for (const version of known) {
      const entries = releasesOf(version);
      for (const [i, entry] of entries.entries()) {
        const before = entries[i - 1];
        if (before === undefined) continue;
        expect({
          version,
          hash: entry.hash,
          date: entry.date >= before.date,
        }).toEqual({
          version,
          hash: expect.not.stringMatching(`^${before.hash}$`),
          date: true,
        });
      }
    }
  });
});
