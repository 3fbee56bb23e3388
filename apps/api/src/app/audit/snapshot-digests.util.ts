import { sha256Text, type SnapshotHasher } from './audit-chain.util.js';

/** The two stored texts of an episode its seal covers by their SHA-256. */
type SnapshotField = 'snapshot' | 'initialSnapshot';

interface Digest {
  readonly text: string;
  readonly hash: string;
}

/**
 * The SHA-256 of each episode's two snapshots as the service last hashed
 * them, for the seals of the write path. Every write checks the stored seal
 * and makes a new one: four hashes of texts of kilobytes, three of them of
 * texts hashed before (the first snapshot never changes, the current one is
 * what the last write stored). A hash is reused only for the very same
 * text, compared whole (string equality costs a fraction of SHA-256), so a
 * snapshot edited in the database is hashed afresh and fails its seal as
 * before. Verification (`chainProblems`) never uses this: it hashes every
 * text itself.
 */
export class SnapshotDigests implements SnapshotHasher {
  private readonly known = new Map<
    string,
    { snapshot?: Digest; initialSnapshot?: Digest }
  >();

  /**
   * `capacity`: how many episodes are remembered (the least recent go);
   * `hashText`: the digest itself (the spec counts its calls).
   */
  constructor(
    private readonly capacity: number,
    private readonly hashText: (text: string) => string = sha256Text,
  ) {}

  sha256(episodeId: string, field: SnapshotField, text: string): string {
    let digests = this.known.get(episodeId);
    const known = digests?.[field];
    if (known !== undefined && known.text === text) return known.hash;
    // Until the first event both snapshots are the same text.
    const other =
      digests?.[field === 'snapshot' ? 'initialSnapshot' : 'snapshot'];
    const hash = other?.text === text ? other.hash : this.hashText(text);
    if (digests === undefined) {
      digests = {};
      if (this.known.size >= this.capacity) {
        const oldest = this.known.keys().next();
        if (oldest.done !== true) this.known.delete(oldest.value);
      }
    } else {
      // Moved to the back: the least recently hashed episode goes first.
      this.known.delete(episodeId);
    }
    digests[field] = { text, hash };
    this.known.set(episodeId, digests);
    return hash;
  }
}
