import { describe, expect, it } from '@jest/globals';

import {
  contentReleaseStatement,
  releaseOfContent,
} from './protocol-release-match.js';
import {
  type ProtocolRelease,
  releasesOf,
} from './protocol-releases.constant.js';
import { protocolVersions } from './protocol-versions.js';

const hashOf = (digit: string) => `sha256:${digit.repeat(64)}`;

/** A version pinned twice (its content corrected under the same number). */
const repinned: readonly ProtocolRelease[] = [
  {
    version: '2.0.0',
    hash: hashOf('a'),
    date: '2027-01-04',
    change: 'First pin.',
  },
  {
    version: '3.0.0',
    hash: hashOf('c'),
    date: '2027-01-05',
    change: 'First pin.',
  },
  {
    version: '2.0.0',
    hash: hashOf('b'),
    date: '2027-02-01',
    change: 'A dose wording corrected.',
  },
];

describe('whether recorded protocol content is a pinned release', () => {
  it.each(protocolVersions.map((v) => [v.version, v] as const))(
    "version %s's own content is its latest pinned release, with its date and change",
    (_, version) => {
      const match = releaseOfContent(version.version, version.hash);
      const latest = releasesOf(version.version).at(-1);
      expect(match).toEqual({
        status: 'pinned',
        version: version.version,
        hash: version.hash,
        release: latest,
        releases: releasesOf(version.version),
      });
      expect(contentReleaseStatement(match)).toBe(
        `Protocol ${version.version} — content as released ${String(latest?.date)}.`,
      );
    },
  );

  it('an earlier pin of the same number is pinned, and says it was pinned again', () => {
    const match = releaseOfContent('2.0.0', hashOf('a'), repinned);
    expect(match).toEqual({
      status: 'pinned',
      version: '2.0.0',
      hash: hashOf('a'),
      release: repinned[0],
      releases: [repinned[0], repinned[2]],
    });
    expect(contentReleaseStatement(match)).toBe(
      'Protocol 2.0.0 — content as released 2027-01-04 (an earlier release: 2.0.0 was pinned again on 2027-02-01).',
    );
  });

  it('content no pin of its version has (a development build, a changed copy) is not pinned, with the pins to compare', () => {
    const match = releaseOfContent('2.0.0', hashOf('f'), repinned);
    expect(match).toEqual({
      status: 'not-pinned',
      version: '2.0.0',
      hash: hashOf('f'),
      releases: [repinned[0], repinned[2]],
    });
    expect(contentReleaseStatement(match)).toBe(
      'Protocol 2.0.0 — content not among the pinned releases of 2.0.0 (pinned 2027-01-04, pinned 2027-02-01): written by a build before the pin or a changed copy; the record is kept as written.',
    );
  });

  it("another version's pinned content is not a pin of this one", () => {
    expect(releaseOfContent('2.0.0', hashOf('c'), repinned).status).toBe(
      'not-pinned',
    );
    const [first, second] = protocolVersions;
    expect(
      releaseOfContent(String(first?.version), String(second?.hash)).status,
    ).toBe('not-pinned');
  });

  it('a version with no pin at all cannot be compared', () => {
    const match = releaseOfContent('9.9.9', hashOf('a'), repinned);
    expect(match).toEqual({
      status: 'unknown-version',
      version: '9.9.9',
      hash: hashOf('a'),
      releases: [],
    });
    expect(contentReleaseStatement(match)).toBe(
      'Protocol 9.9.9 — no release of 9.9.9 is pinned in this build: its content cannot be compared with a released one.',
    );
    // This build's own pins by default.
    expect(releaseOfContent('9.9.9', hashOf('a')).status).toBe(
      'unknown-version',
    );
  });
});
