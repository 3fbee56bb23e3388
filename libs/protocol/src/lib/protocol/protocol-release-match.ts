import {
  type ProtocolRelease,
  protocolReleases,
} from './protocol-releases.constant.js';

/**
 * Whether the protocol content a record names (its version and content hash)
 * is one the version was pinned with (protocol-releases.constant.ts):
 * - `pinned`: the release whose hash it is (a version pinned more than once
 *   has earlier ones: content an older build ran under the same number);
 * - `not-pinned`: the version has pinned releases but none with this hash
 *   (written by a development build before the pin, or by a changed copy):
 *   not an error, a fact an auditor must read;
 * - `unknown-version`: nothing of this version is pinned (a version this
 *   build does not know, or a candidate): nothing to compare with.
 * `releases` are the version's pinned releases, oldest first, for comparison.
 */
export type ContentRelease =
  | {
      readonly status: 'pinned';
      readonly version: string;
      readonly hash: string;
      readonly release: ProtocolRelease;
      readonly releases: readonly ProtocolRelease[];
    }
  | {
      readonly status: 'not-pinned' | 'unknown-version';
      readonly version: string;
      readonly hash: string;
      readonly releases: readonly ProtocolRelease[];
    };

/**
 * Which pinned release of `version`, if any, has the content `hash`.
 * `pinned`: the releases to look in (this build's; a spec passes others).
 */
export function releaseOfContent(
  version: string,
  hash: string,
  pinned: readonly ProtocolRelease[] = protocolReleases,
): ContentRelease {
  const releases = pinned.filter((r) => r.version === version);
  if (releases.length === 0) {
    return { status: 'unknown-version', version, hash, releases };
  }
  const release = releases.find((r) => r.hash === hash);
  return release === undefined
    ? { status: 'not-pinned', version, hash, releases }
    : { status: 'pinned', version, hash, release, releases };
}

/**
 * The match in words an auditor or a clinician reads, the same wherever it
 * is shown (the API states it, the web app and the CLI print it).
 */
export function contentReleaseStatement(match: ContentRelease): string {
  const name = `Protocol ${match.version}`;
  switch (match.status) {
    case 'pinned': {
      const latest = match.releases.at(-1);
      // An earlier pin of the same number: say what replaced it.
      const later =
        latest === undefined || latest.hash === match.hash
          ? ''
          : ` (an earlier release: ${match.version} was pinned again on ${latest.date})`;
      return `${name} — content as released ${match.release.date}${later}.`;
    }
    case 'not-pinned':
      return `${name} — content not among the pinned releases of ${match.version} (${match.releases
        .map((r) => `pinned ${r.date}`)
        .join(
          ', ',
        )}): written by a build before the pin or a changed copy; the record is kept as written.`;
    case 'unknown-version':
      return `${name} — no release of ${match.version} is pinned in this build: its content cannot be compared with a released one.`;
  }
}
