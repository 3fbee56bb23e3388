/**
 * The content each protocol version was released with, by its content hash
 * (what every audit entry of an episode carries). The content of a released
 * version does not change quietly: the protocol spec fails when a version
 * this build knows no longer hashes to its latest entry here. A change of
 * clinical content is a new version (its own number, a migration plan); a
 * change that must stay under the same number (a correction of wording
 * before any institution ran it) is a new entry here, dated, saying what
 * changed and why, so that an auditor can tell which content an episode's
 * recorded hash stands for.
 */
export interface ProtocolRelease {
  readonly version: string;
  /** The content hash (`sha256:` + 64 hex digits). */
  readonly hash: string;
  /** When this content was pinned (a calendar date). */
  readonly date: string;
  /** What changed from the version's previous entry, and why. */
  readonly change: string;
}

export const protocolReleases: readonly ProtocolRelease[] = [
  {
    version: '1.0.0',
    hash: 'sha256:36cf00b4d234bb3416ea64b7d888fd1b85d293691689e47f913e9793df74e96c',
    date: '2026-12-07',
    change:
      'First pin. Before it, 1.0.0 was changed in place while the software was developed (the pulse drugs, the renal interval of anakinra, evidence wording), before any institution ran it: records written by those builds carry other hashes under the same number.',
  },
  {
    version: '1.1.0',
    hash: 'sha256:f251967a6bf173f080d503f76fc0e4b7a18a9b627f7b55e1cab41e5748f530c2',
    date: '2026-12-07',
    change:
      'First pin (1.0.0 with LDH among the reassessment items; it followed the changes made to 1.0.0 in development).',
  },
];

/** The entries of `version`, oldest first. */
export function releasesOf(version: string): readonly ProtocolRelease[] {
  return protocolReleases.filter((release) => release.version === version);
}
