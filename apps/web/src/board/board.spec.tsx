import { describe, expect, it, jest } from '@jest/globals';
import {
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from '@testing-library/react';

import { ApiClient } from '../api/client.js';
import type { EpisodeListItem } from '../api/types.js';
import { countdown, sortEpisodes } from './board.model.js';
import { BoardPage, BoardTable } from './board-page.js';

const now = Date.parse('2026-03-02T12:00:00Z');

function item(
  patientIdentifier: string,
  overrides: Partial<EpisodeListItem> = {},
): EpisodeListItem {
  return {
    id: `00000000-0000-4000-8000-${patientIdentifier.padStart(12, '0')}`,
    kind: 'real',
    patientIdentifier,
    ward: null,
    stage: 'glucocorticoid pulse',
    tags: [],
    alerts: [],
    alertDetails: [],
    therapies: [],
    suspicionAt: '2026-03-02T08:00:00Z',
    firstGlucocorticoidAt: null,
    overdue: false,
    urgency: 0,
    nextDueAt: '2026-03-02T20:00:00Z',
    version: 1,
    ...overrides,
  };
}

const calm = item('1', { urgency: 0, nextDueAt: '2026-03-02T20:00:00Z' });
const late = item('2', {
  urgency: 1000,
  overdue: true,
  nextDueAt: '2026-03-02T10:00:00Z',
  alerts: ['reassessment-overdue'],
  alertDetails: [
    {
      id: 'reassessment-overdue',
      severity: 'critical',
      message: 'reassessment overdue',
    },
  ],
  stage: 'escalation',
});
const soon = item('3', { urgency: 0, nextDueAt: '2026-03-02T13:00:00Z' });

function patientOrder(): string[] {
  const rows = screen.getAllByRole('row').slice(1);
  return rows.map(
    (row) => within(row).getAllByRole('button')[0]?.textContent ?? '',
  );
}

describe('the board', () => {
  it('puts the most urgent first, then the soonest due', () => {
    expect(
      sortEpisodes([calm, soon, late], 'urgency', 'desc').map(
        (e) => e.patientIdentifier,
      ),
    ).toEqual(['2', '3', '1']);
  });

  it('shows a countdown, and how late an overdue one is', () => {
    expect(countdown('2026-03-02T13:30:00Z', now)).toEqual({
      text: 'due in 1 h 30 min',
      overdue: false,
    });
    expect(countdown('2026-03-02T10:00:00Z', now)).toEqual({
      text: 'overdue by 2 h 0 min',
      overdue: true,
    });
  });

  it('renders rows by urgency; overdue stands out; a header sorts', () => {
    render(
      <BoardTable
        items={[calm, soon, late]}
        now={now}
        onOpen={() => undefined}
      />,
    );
    expect(patientOrder()).toEqual(['2', '3', '1']);
    const lateRow = screen.getAllByRole('row')[1];
    expect(lateRow?.className).toBe('overdue');
    expect(
      within(lateRow as HTMLElement).getByText(/overdue by 2 h/),
    ).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: /^Patient/ }));
    expect(patientOrder()).toEqual(['1', '2', '3']);
    fireEvent.click(screen.getByRole('button', { name: /^Patient/ }));
    expect(patientOrder()).toEqual(['3', '2', '1']);
    fireEvent.click(screen.getByRole('button', { name: /^Next due/ }));
    expect(patientOrder()).toEqual(['2', '3', '1']);
  });

  it('filters by alert and by stage', () => {
    render(
      <BoardTable
        items={[calm, soon, late]}
        now={now}
        onOpen={() => undefined}
      />,
    );
    fireEvent.change(screen.getByLabelText(/Alert/), {
      target: { value: 'reassessment-overdue' },
    });
    expect(patientOrder()).toEqual(['2']);
    fireEvent.change(screen.getByLabelText(/Alert/), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText(/Stage/), {
      target: { value: 'glucocorticoid pulse' },
    });
    expect(patientOrder()).toEqual(['3', '1']);
  });

  it('opens an episode from its row', () => {
    const onOpen = jest.fn();
    render(<BoardTable items={[calm]} now={now} onOpen={onOpen} />);
    fireEvent.click(screen.getByRole('button', { name: '1' }));
    expect(onOpen).toHaveBeenCalledWith(calm.id);
  });
});

describe('a new episode', () => {
  /** A service that lists nothing and answers each POST in turn. */
  function service(answers: { status: number; body: unknown }[]) {
    const posts: unknown[] = [];
    const fetcher = (_input: string, init?: RequestInit) => {
      // jsdom has no Response: the little of one the client reads.
      const json = (status: number, body: unknown) =>
        Promise.resolve({
          ok: status >= 200 && status < 300,
          status,
          text: () => Promise.resolve(JSON.stringify(body)),
        });
      if (init?.method === 'POST') {
        posts.push(
          JSON.parse(typeof init.body === 'string' ? init.body : '{}'),
        );
        const answer = answers[posts.length - 1] ?? answers[answers.length - 1];
        return json(answer?.status ?? 500, answer?.body ?? {});
      }
      return json(200, { page: 1, pageSize: 100, total: 0, items: [] });
    };
    const api = new ApiClient(
      { csrf: 'c', username: 'dr-adams', role: 'clinician' },
      fetcher as unknown as typeof fetch,
    );
    return { api, posts };
  }

  function fill(weightKg: string) {
    fireEvent.click(screen.getByRole('button', { name: 'New episode' }));
    const form = screen.getByRole('form', { name: 'New episode' });
    fireEvent.change(within(form).getByLabelText('Identifier'), {
      target: { value: 'SYN-NEW-1' },
    });
    fireEvent.change(within(form).getByLabelText('Weight (kg)'), {
      target: { value: weightKg },
    });
    fireEvent.change(within(form).getByLabelText('Height (cm)'), {
      target: { value: '165' },
    });
    fireEvent.change(within(form).getByLabelText('Birth date'), {
      target: { value: '2011-04-01' },
    });
    fireEvent.change(within(form).getByLabelText('Sex'), {
      target: { value: 'female' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Open episode' }));
  }

  it('asks to confirm an unusual weight with its usual range, then sends confirmUnusual', async () => {
    const { api, posts } = service([{ status: 201, body: { id: 'new-id' } }]);
    const onOpen = jest.fn();
    render(<BoardPage api={api} kind="real" canOpen onOpen={onOpen} />);
    fill('250');
    const ask = screen.getByRole('region', { name: 'Confirm unusual values' });
    expect(ask.textContent).toContain(
      'Weight: 250 kg is above the usual range 1–200 kg',
    );
    expect(posts).toEqual([]);
    fireEvent.click(within(ask).getByLabelText(/I confirm Weight/));
    fireEvent.click(
      within(ask).getByRole('button', {
        name: 'Record with these values confirmed',
      }),
    );
    await waitFor(() => {
      expect(onOpen).toHaveBeenCalledWith('new-id');
    });
    expect(posts).toEqual([
      expect.objectContaining({
        patient: expect.objectContaining({ weightKg: 250 }),
        confirmUnusual: ['weightKg'],
      }),
    ]);
  });

  it("asks the same when the service's 422 names an unusual measure", async () => {
    const { api, posts } = service([
      {
        status: 422,
        body: {
          message: 'unusual patient measures, confirm each (confirmUnusual)',
          unusualFields: ['heightCm'],
        },
      },
      { status: 201, body: { id: 'new-id' } },
    ]);
    const onOpen = jest.fn();
    render(<BoardPage api={api} kind="real" canOpen onOpen={onOpen} />);
    fill('60');
    const ask = await screen.findByRole('region', {
      name: 'Confirm unusual values',
    });
    fireEvent.click(within(ask).getByLabelText(/I confirm Height/));
    fireEvent.click(
      within(ask).getByRole('button', {
        name: 'Record with these values confirmed',
      }),
    );
    await waitFor(() => {
      expect(onOpen).toHaveBeenCalledWith('new-id');
    });
    expect(posts[1]).toMatchObject({ confirmUnusual: ['heightCm'] });
  });

  it('opened beside an episode of the same patient still open: says so, links the first, and goes on only when asked', async () => {
    const first = '00000000-0000-4000-8000-000000000001';
    const { api } = service([
      {
        status: 201,
        body: {
          id: 'new-id',
          openEpisodes: [
            {
              id: first,
              openedAt: '2026-03-01T08:00:00.000Z',
              stage: 'first line: glucocorticoid pulse',
            },
          ],
        },
      },
    ]);
    const onOpen = jest.fn();
    render(<BoardPage api={api} kind="real" canOpen onOpen={onOpen} />);
    fill('60');
    const told = await screen.findByRole('alert', { name: 'Already open' });
    expect(told.textContent).toContain(
      'An episode of SYN-NEW-1 was already open',
    );
    expect(
      within(told)
        .getByRole('link', { name: /first line: glucocorticoid pulse/ })
        .getAttribute('href'),
    ).toBe(`#/episodes/${first}`);
    expect(onOpen).not.toHaveBeenCalled();
    fireEvent.click(
      within(told).getByRole('button', { name: 'Go to the new episode' }),
    );
    expect(onOpen).toHaveBeenCalledWith('new-id');
  });
});
