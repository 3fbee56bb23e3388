import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';

import { ApiClient } from '../api/client.js';
import type { AuditEntry } from '../api/types.js';
import { clearDrafts } from '../drafts.js';
import { AuditTimeline } from './audit-timeline.js';
import type { ReplayedEntry } from './episode.model.js';

const ID = '00000000-0000-4000-8000-000000000001';
const AT = '2026-03-01T08:30:00.000Z';

function auditEntry(
  seq: number,
  type: string,
  payload: unknown,
  more: Partial<AuditEntry> = {},
): AuditEntry {
  return {
    id: `00000000-0000-4000-8000-00000000010${String(seq)}`,
    episodeId: ID,
    seq,
    type,
    payload,
    actorId: 'dr-adams',
    actorRole: 'clinician',
    occurredAt: AT,
    recordedAt: AT,
    rationale: null,
    evidence: [],
    guard: { outcome: 'allowed', reason: 'allowed' },
    stateBefore: 'a',
    stateAfter: 'b',
    protocolHash: null,
    protocolRelease: {
      status: 'no-pins',
      version: '1.0.0',
      hash: null,
      release: null,
      pins: [],
      message: '',
    } as unknown as AuditEntry['protocolRelease'],
    profileHash: null,
    prevHash: 'p',
    hash: 'h',
    enteredInError: null,
    ...more,
  };
}

const replayed = (entries: AuditEntry[]): ReplayedEntry[] =>
  entries.map((entry) => ({ entry, alerts: [], stateIds: [] }));

/** The timeline on a scripted service answering the void with `status`. */
function renderTimeline(
  entries: AuditEntry[],
  status = 201,
  user: {
    id: string;
    role: 'clinician' | 'senior-clinician';
  } = { id: 'dr-adams', role: 'clinician' },
) {
  const posts: { url: string; body: unknown }[] = [];
  const fetcher = (url: string, init?: RequestInit) => {
    posts.push({
      url,
      body: JSON.parse(typeof init?.body === 'string' ? init.body : '{}'),
    });
    return Promise.resolve({
      ok: status < 300,
      status,
      text: () =>
        Promise.resolve(
          JSON.stringify(
            status === 201
              ? {}
              : {
                  message:
                    'expectedVersion 4 is stale: the episode is at version 5',
                },
          ),
        ),
    });
  };
  const onMarked = jest.fn<() => void>();
  const api = new ApiClient(
    { username: 'dr-adams', role: 'clinician', csrf: 'csrf' },
    fetcher as unknown as typeof fetch,
  );
  render(
    <AuditTimeline
      replayed={replayed(entries)}
      chain={{
        ok: true,
        entries: entries.length,
        broken: null,
        protocolReleases: [],
      }}
      correction={{
        api,
        episodeId: ID,
        version: 4,
        user,
        onMarked,
      }}
    />,
  );
  return { posts, onMarked };
}

const labs = auditEntry(1, 'labs.recorded', { panel: {}, collectedAt: AT });
const tick = auditEntry(
  2,
  'clock.ticked',
  {},
  {
    actorId: 'scheduler',
    actorRole: 'system',
  },
);
const approval = auditEntry(3, 'escalation.approved', { requestId: 'r1' });

describe('marking an audited event entered in error', () => {
  beforeEach(() => {
    cleanup();
    sessionStorage.clear();
  });

  it("is offered on the entries the user's role records, never on the service's own or a senior's", () => {
    renderTimeline([labs, tick, approval]);
    expect(
      screen.getAllByRole('button', { name: /^Mark entered in error: / }),
    ).toHaveLength(1);
    expect(
      screen.getByRole('button', {
        name: 'Mark entered in error: #1 Record laboratory results',
      }),
    ).toBeTruthy();
  });

  it("is offered by the service's rule: a colleague's record to its author or a senior, a four-eyes decision to its author alone", () => {
    const colleagues = auditEntry(
      1,
      'labs.recorded',
      { panel: {}, collectedAt: AT },
      { actorId: 'dr-chen', actorRole: 'clinician' },
    );
    const decision = auditEntry(
      2,
      'escalation.rejected',
      { requestId: 'r1' },
      { actorId: 'dr-chen', actorRole: 'senior-clinician' },
    );
    const offered = () =>
      screen
        .queryAllByRole('button', { name: /^Mark entered in error: / })
        .map((button) => button.getAttribute('aria-label'));
    renderTimeline([colleagues, decision]);
    expect(offered()).toEqual([]);
    cleanup();
    renderTimeline([colleagues, decision], 201, {
      id: 'dr-baker',
      role: 'senior-clinician',
    });
    expect(offered()).toEqual([
      'Mark entered in error: #1 Record laboratory results',
    ]);
    cleanup();
    renderTimeline([colleagues, decision], 201, {
      id: 'dr-chen',
      role: 'senior-clinician',
    });
    expect(offered()).toHaveLength(2);
  });

  it('asks for the reason and sends it at the version shown', async () => {
    const { posts, onMarked } = renderTimeline([labs]);
    fireEvent.click(
      screen.getByRole('button', { name: /^Mark entered in error: #1/ }),
    );
    const mark = screen.getByRole('button', { name: 'Mark entered in error' });
    expect((mark as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Why it was entered in error/), {
      target: { value: "another patient's labs" },
    });
    fireEvent.click(mark);
    await screen.findByRole('button', { name: /^Mark entered in error: #1/ });
    expect(posts).toEqual([
      {
        url: `/api/episodes/${ID}/entered-in-error`,
        body: {
          seq: 1,
          rationale: "another patient's labs",
          expectedVersion: 4,
        },
      },
    ]);
    expect(onMarked).toHaveBeenCalledTimes(1);
  });

  it('on a stale page (409) says so and keeps the reason typed', async () => {
    const { onMarked } = renderTimeline([labs], 409);
    fireEvent.click(
      screen.getByRole('button', { name: /^Mark entered in error: #1/ }),
    );
    fireEvent.change(screen.getByLabelText(/Why it was entered in error/), {
      target: { value: "another patient's labs" },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Mark entered in error' }),
    );
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /Someone else changed this episode meanwhile: expectedVersion 4 is stale/,
    );
    expect(
      screen.getByLabelText<HTMLTextAreaElement>(/Why it was entered in error/)
        .value,
    ).toBe("another patient's labs");
    expect(onMarked).not.toHaveBeenCalled();
    // The page reloads after a conflict: the reason is still there.
    cleanup();
    renderTimeline([labs]);
    expect(
      screen.getByLabelText<HTMLTextAreaElement>(/Why it was entered in error/)
        .value,
    ).toBe("another patient's labs");
    // The next user of this tab (a senior who may correct the same entry)
    // never finds it: a draft is its author's alone, and goes when the
    // session ends.
    cleanup();
    renderTimeline([labs], 201, { id: 'dr-baker', role: 'senior-clinician' });
    expect(screen.queryByLabelText(/Why it was entered in error/)).toBeNull();
    expect(
      Object.keys(sessionStorage).filter((key) => key.startsWith('mas.')),
    ).toHaveLength(1);
    clearDrafts();
    expect(Object.keys(sessionStorage)).toEqual([]);
  });

  it('shows a voided entry marked entered in error with who, when and why, and the void itself; neither offered again', () => {
    renderTimeline([
      {
        ...labs,
        enteredInError: {
          voidSeq: 2,
          actorId: 'dr-adams',
          actorRole: 'clinician',
          recordedAt: AT,
          rationale: "another patient's labs",
        },
      },
      auditEntry(
        2,
        'entry.voided',
        { seq: 1, type: 'labs.recorded' },
        {
          rationale: "another patient's labs",
        },
      ),
    ]);
    expect(screen.getByTestId('entered-in-error').textContent).toMatch(
      /Entered in error \(#2\) — by dr-adams \(clinician\), .*: another patient's labs/,
    );
    expect(
      screen.getByText(/^#2 Entry #1 marked entered in error$/),
    ).toBeTruthy();
    expect(
      screen.queryByRole('button', { name: /^Mark entered in error/ }),
    ).toBeNull();
  });
});
