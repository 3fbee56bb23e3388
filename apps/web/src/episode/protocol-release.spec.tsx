import { describe, expect, it } from '@jest/globals';
import { render, screen, within } from '@testing-library/react';

import {
  pinnedRelease,
  unpinnedRelease,
} from '../testing/protocol-release.testing.js';
import { AuditTimeline } from './audit-timeline.js';
import {
  ProtocolReleaseNote,
  StoredProtocolReleases,
} from './protocol-release.js';

describe("the episode's protocol content against the pinned releases", () => {
  it('pinned: the version and the date it was released, no warning', () => {
    render(<ProtocolReleaseNote release={pinnedRelease} />);
    expect(
      screen.getByText('Protocol 1.1.0 — content as released 2026-12-07.'),
    ).toBeTruthy();
    expect(screen.queryByRole('note')).toBeNull();
    expect(screen.queryByText(/⚠/)).toBeNull();
  });

  it('not pinned: a visible warning in words, with the recorded content against the pins', () => {
    render(<ProtocolReleaseNote release={unpinnedRelease} />);
    const warning = screen.getByRole('note');
    expect(warning.textContent).toContain(
      '⚠ Protocol 1.0.0 — content not among the pinned releases of 1.0.0 (pinned 2026-12-07): written by a build before the pin or a changed copy',
    );
    expect(warning.className).toContain('warning-banner');
    // The hashes to compare, shortened, the whole one on hover.
    const recorded = within(warning).getByTitle(unpinnedRelease.hash);
    expect(recorded.textContent).not.toBe(unpinnedRelease.hash);
    expect(
      within(warning).getByTitle(unpinnedRelease.releases[0]?.hash ?? '')
        .parentElement?.textContent,
    ).toMatch(/^Pinned 2026-12-07:/);
  });
});

describe('the audit timeline lists the protocol content its chain records', () => {
  const chain = (
    protocolReleases: Parameters<
      typeof AuditTimeline
    >[0]['chain']['protocolReleases'],
  ) => ({ ok: true, entries: 5, broken: null, protocolReleases });

  it('each content with its entries; the one not pinned marked as a warning', () => {
    render(
      <AuditTimeline
        replayed={[]}
        chain={chain([
          { ...unpinnedRelease, fromSeq: 1, toSeq: 3, entries: 3 },
          { ...pinnedRelease, fromSeq: 4, toSeq: 4, entries: 1 },
        ])}
      />,
    );
    const list = screen.getByRole('list', {
      name: 'Protocol content recorded',
    });
    // The list's own items (the comparison inside one has items of its own).
    const [first, second] = [...list.children];
    expect(first?.textContent).toMatch(
      /^⚠ Protocol 1\.0\.0 — content not among the pinned releases of 1\.0\.0 .*\(entries #1–#3, 3 in all\)/,
    );
    expect(first?.className).toBe('warning-banner');
    expect(second?.textContent).toBe(
      'Protocol 1.1.0 — content as released 2026-12-07. (entry #4)',
    );
    expect(second?.className).toBe('hint');
  });

  it('nothing recorded yet: no list', () => {
    render(<AuditTimeline replayed={[]} chain={chain([])} />);
    expect(
      screen.queryByRole('list', { name: 'Protocol content recorded' }),
    ).toBeNull();
  });
});

describe("the audit page lists the protocol content of the whole database's records", () => {
  it('each content with its episodes and entries; the one not pinned marked as a warning', () => {
    render(
      <StoredProtocolReleases
        releases={[
          { ...pinnedRelease, episodes: 3, entries: 1 },
          { ...unpinnedRelease, episodes: 1, entries: 0 },
        ]}
      />,
    );
    const list = screen.getByRole('list', {
      name: 'Protocol content the records ran under',
    });
    const [first, second] = [...list.children];
    expect(first?.textContent).toBe(
      'Protocol 1.1.0 — content as released 2026-12-07. (3 episodes, 1 entry)',
    );
    expect(second?.className).toBe('warning-banner');
    expect(second?.textContent).toMatch(
      /^⚠ Protocol 1\.0\.0 — content not among the pinned releases of 1\.0\.0 .* \(1 episode, 0 entries\)/,
    );
  });
});
