import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';

import { ApiClient } from '../api/client.js';
import type { ProtocolVersionList } from '../api/types.js';
import { EpisodeMigration } from './episode-migration.js';

const HASH = `sha256:${'ab'.repeat(32)}`;
const ID = '00000000-0000-4000-8000-000000000001';

function version(
  v: string,
  migrations: ProtocolVersionList[number]['migrations'],
  status: 'deployed' | 'candidate' = 'deployed',
): ProtocolVersionList[number] {
  return {
    id: 'mas-protocol',
    version: v,
    status,
    hash: HASH,
    releases: [{ hash: HASH, date: '2026-12-07', change: 'First pin.' }],
    summary: '',
    current: v === '1.0.0',
    episodes: { real: 0, training: 0 },
    migrations,
  };
}

const versions: ProtocolVersionList = [
  version('1.0.0', [
    {
      to: '1.1.0',
      summary: 'LDH joins the reassessment items.',
      planHash: HASH,
    },
    { to: '2.0.0', summary: 'A candidate.', planHash: HASH },
  ]),
  version('1.1.0', []),
  version('2.0.0', [], 'candidate'),
];

/** The control on a scripted service answering POSTs with `status`. */
function renderMigration(protocolVersion: string, status = 201) {
  const posts: { url: string; body: unknown }[] = [];
  const fetcher = (url: string, init?: RequestInit) => {
    const json = (code: number, body: unknown) =>
      Promise.resolve({
        ok: code < 300,
        status: code,
        text: () => Promise.resolve(JSON.stringify(body)),
      });
    if (init?.method === 'POST') {
      posts.push({
        url,
        body: JSON.parse(typeof init.body === 'string' ? init.body : '{}'),
      });
      return json(
        status,
        status === 201
          ? {}
          : {
              message:
                'expectedVersion 4 is stale: the episode is at version 5',
            },
      );
    }
    return json(200, versions);
  };
  const onMoved = jest.fn<() => void>();
  const api = new ApiClient(
    { username: 'dr-baker', role: 'senior', csrf: 'csrf' },
    fetcher as unknown as typeof fetch,
  );
  const view = render(
    <EpisodeMigration
      api={api}
      episodeId={ID}
      version={4}
      protocolVersion={protocolVersion}
      onMoved={onMoved}
    />,
  );
  return { posts, onMoved, view };
}

describe('moving one episode to another protocol version', () => {
  beforeEach(() => {
    sessionStorage.clear();
  });

  it('offers the deployed targets of proven plans only, and moves with a reason at the version shown', async () => {
    const { posts, onMoved } = renderMigration('1.0.0');
    const offer = await screen.findByRole('button', {
      name: 'Move to protocol version 1.1.0…',
    });
    // The plan to a candidate is not offered.
    expect(screen.queryByRole('button', { name: /2\.0\.0/ })).toBeNull();
    fireEvent.click(offer);
    expect(screen.getByText(/LDH joins the reassessment items/)).toBeTruthy();
    const move = screen.getByRole('button', { name: 'Move to 1.1.0' });
    expect((move as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Why/), {
      target: { value: 'committee decision' },
    });
    fireEvent.click(move);
    await screen.findByRole('button', {
      name: 'Move to protocol version 1.1.0…',
    });
    expect(posts).toEqual([
      {
        url: `/api/episodes/${ID}/migrate`,
        body: {
          toVersion: '1.1.0',
          rationale: 'committee decision',
          expectedVersion: 4,
        },
      },
    ]);
    expect(onMoved).toHaveBeenCalledTimes(1);
  });

  it('says why a move was refused and keeps the reason typed', async () => {
    const { onMoved } = renderMigration('1.0.0', 409);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Move to protocol version 1.1.0…',
      }),
    );
    fireEvent.change(screen.getByLabelText(/Why/), {
      target: { value: 'committee decision' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Move to 1.1.0' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /Someone else changed this episode meanwhile: expectedVersion 4 is stale/,
    );
    expect(screen.getByLabelText<HTMLTextAreaElement>(/Why/).value).toBe(
      'committee decision',
    );
    expect(onMoved).not.toHaveBeenCalled();
  });

  it('keeps the reason typed across a reload of the page (a live change elsewhere remounts it)', async () => {
    const { view } = renderMigration('1.0.0');
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Move to protocol version 1.1.0…',
      }),
    );
    fireEvent.change(screen.getByLabelText(/Why/), {
      target: { value: 'half typed' },
    });
    view.unmount();
    renderMigration('1.0.0');
    const why = await screen.findByLabelText<HTMLTextAreaElement>(/Why/);
    expect(why.value).toBe('half typed');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(sessionStorage.getItem(`mas.migration.${ID}`)).toBeNull();
  });

  it('shows nothing where no plan leads on', async () => {
    const { view } = renderMigration('1.1.0');
    // Let the versions arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(view.container.textContent).toBe('');
  });
});
