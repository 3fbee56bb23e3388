/**
 * What the service answers about recorded protocol content (`ProtocolRelease`),
 * for the specs: a pinned release, and content no pin of its version has.
 */
import type { ProtocolRelease } from '../api/types.js';

const pinnedHash = `sha256:${'f2'.repeat(32)}`;

export const pinnedRelease: ProtocolRelease = {
  version: '1.1.0',
  hash: pinnedHash,
  status: 'pinned',
  pinned: { date: '2026-12-07', change: 'First pin.' },
  releases: [{ hash: pinnedHash, date: '2026-12-07' }],
  statement: 'Protocol 1.1.0 — content as released 2026-12-07.',
};

export const unpinnedRelease: ProtocolRelease = {
  version: '1.0.0',
  hash: `sha256:${'0d'.repeat(32)}`,
  status: 'not-pinned',
  pinned: null,
  releases: [{ hash: `sha256:${'36'.repeat(32)}`, date: '2026-12-07' }],
  statement:
    'Protocol 1.0.0 — content not among the pinned releases of 1.0.0 (pinned 2026-12-07): written by a build before the pin or a changed copy; the record is kept as written.',
};
