import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { ApiClient } from '../api/client.js';
import type { BulkMigration, ProtocolVersionList } from '../api/types.js';
import { MigrationPanel } from './migration-panel.js';
import { migrationSummary } from './protocol.model.js';

const HASH = `sha256:${'ab'.repeat(32)}`;

const versions: ProtocolVersionList = [
  {
    id: 'mas-protocol',
    version: '1.0.0',
    status: 'deployed',
    hash: HASH,
    releases: [{ hash: HASH, date: '2026-12-07', change: 'First pin.' }],
    summary: 'The seed protocol',
    current: true,
    episodes: { real: 3, training: 0 },
    migrations: [
      {
        to: '1.1.0',
        summary: 'LDH joins the reassessment items.',
        planHash: HASH,
      },
    ],
  },
  {
    id: 'mas-protocol',
    version: '1.1.0',
    status: 'deployed',
    hash: HASH,
    releases: [{ hash: HASH, date: '2026-12-07', change: 'First pin.' }],
    summary: 'LDH',
    current: false,
    episodes: { real: 0, training: 0 },
    migrations: [],
  },
];

const alert = {
  id: 'reassessment-overdue',
  severity: 'warning' as const,
  message: 'Reassessment overdue',
};

function answer(dryRun: boolean): BulkMigration {
  return {
    fromVersion: '1.0.0',
    toVersion: '1.1.0',
    planHash: HASH,
    planSummary: 'LDH joins the reassessment items.',
    kind: 'real',
    dryRun,
    at: '2026-03-01T08:00:00.000Z',
    totals: {
      running: 2,
      finished: 1,
      wouldMigrate: dryRun ? 2 : 0,
      migrated: dryRun ? 0 : 1,
      refused: 0,
      changed: dryRun ? 0 : 1,
      stageChanges: 0,
      gainingAlerts: 1,
    },
    episodes: [
      {
        id: '00000000-0000-4000-8000-000000000001',
        patientIdentifier: 'SYN-1',
        version: 4,
        outcome: dryRun ? 'would-migrate' : 'migrated',
        stageBefore: 'First line',
        stageAfter: 'First line',
        stageChanged: false,
        alertsGained: [alert],
        alertsCleared: [],
        replay: {
          outcome: 'agrees',
          detail:
            'the history replayed under 1.1.0 gives the same states and alerts',
        },
      },
      {
        id: '00000000-0000-4000-8000-000000000002',
        patientIdentifier: 'SYN-2',
        version: 2,
        outcome: dryRun ? 'would-migrate' : 'changed',
        ...(dryRun
          ? {}
          : { reason: 'recorded on since the preview: not migrated' }),
        stageBefore: 'Suspected',
        stageAfter: 'Suspected',
        stageChanged: false,
        alertsGained: [],
        alertsCleared: [],
        replay: {
          outcome: 'differs',
          detail:
            'replayed under 1.1.0, the history would give also Monitoring incomplete: the plan keeps what was recorded',
        },
      },
    ],
  };
}

/** The panel on a scripted service; every POST body is kept. */
function renderPanel(role: 'senior' | 'auditor') {
  const posts: Record<string, unknown>[] = [];
  const fetcher = (_url: string, init?: RequestInit) => {
    const body = JSON.parse(
      typeof init?.body === 'string' ? init.body : '{}',
    ) as Record<string, unknown>;
    posts.push(body);
    return Promise.resolve({
      ok: true,
      status: 200,
      text: () =>
        Promise.resolve(JSON.stringify(answer(body['dryRun'] === true))),
    });
  };
  const api = new ApiClient(
    { username: 'dr-baker', role, csrf: 'csrf' },
    fetcher as unknown as typeof fetch,
  );
  render(<MigrationPanel api={api} versions={versions} role={role} />);
  return posts;
}

describe('the migration panel', () => {
  it('offers only the pairs a proven plan joins, runs the dry run and lists each episode with its alerts after the move', async () => {
    const posts = renderPanel('senior');
    expect(
      screen
        .getAllByRole('option', { name: /1\.1\.0|1\.0\.0/ })
        .map((o) => o.textContent),
    ).toEqual(['1.0.0 (current)', '1.1.0']);
    expect(
      screen.getByText(/The proven plan: LDH joins/).textContent,
    ).toContain('LDH');
    fireEvent.click(screen.getByRole('button', { name: 'Dry run' }));
    const table = await screen.findByRole('table', {
      name: /Dry run, 1\.0\.0 → 1\.1\.0/,
    });
    expect(posts).toEqual([
      { fromVersion: '1.0.0', toVersion: '1.1.0', kind: 'real', dryRun: true },
    ]);
    const row = within(table).getByRole('row', { name: /SYN-1/ });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual([
      'First line',
      'unchanged',
      'Reassessment overdue',
      'none',
      'replays the same',
      'would move',
    ]);
    // A history that replays otherwise says how.
    expect(
      within(within(table).getByRole('row', { name: /SYN-2/ }))
        .getAllByRole('cell')
        .at(-2)?.textContent,
    ).toMatch(/would give also Monitoring incomplete/);
    // Nothing is moved without a reason.
    const move = screen.getByRole('button', {
      name: 'Move 2 episodes to 1.1.0',
    });
    expect((move as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Why/), {
      target: { value: 'committee decision' },
    });
    fireEvent.click(move);
    const done = await screen.findByRole('table', {
      name: /Migration done, 1\.0\.0 → 1\.1\.0/,
    });
    expect(posts[1]).toEqual({
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      kind: 'real',
      dryRun: false,
      rationale: 'committee decision',
    });
    expect(
      within(within(done).getByRole('row', { name: /SYN-2/ }))
        .getAllByRole('cell')
        .at(-1)?.textContent,
    ).toBe('not moved: recorded on meanwhile');
    // Once done, no second confirmation is offered without a new dry run.
    expect(screen.queryByRole('button', { name: /^Move \d/ })).toBeNull();
  });

  it('lets an auditor run the dry run and never offers the move', async () => {
    renderPanel('auditor');
    fireEvent.click(screen.getByRole('button', { name: 'Dry run' }));
    await screen.findByRole('table', { name: /Dry run/ });
    expect(screen.queryByRole('button', { name: /^Move \d/ })).toBeNull();
    expect(
      screen.getByText(/Only a senior clinician moves episodes/),
    ).toBeTruthy();
  });

  it('says what was done in sentences: moved, meanwhile changed, finished left', () => {
    expect(migrationSummary(answer(false))).toEqual([
      '2 running real episodes under 1.0.0: 1 moved to 1.1.0.',
      '0 episodes changed stage; 1 episode gained alerts.',
      '1 episode recorded on meanwhile, not moved: run the migration again.',
      '1 finished episode stays under 1.0.0, the version it ran under.',
    ]);
    expect(migrationSummary(answer(true))[0]).toBe(
      '2 running real episodes under 1.0.0: 2 would move to 1.1.0.',
    );
  });
});
