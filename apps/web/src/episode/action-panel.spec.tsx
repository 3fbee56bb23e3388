import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, within } from '@testing-library/react';

import { payloadJsonSchema } from '@mas/contracts';
import type { EventOption } from '@mas/mas-episode';
import { ben } from '@mas/testing';

import {
  NOW,
  offered,
  profile,
  renderForm,
} from '../testing/event-form.testing.js';
import { ActionPanel } from './action-panel.js';

/** The panel for a clinician who may act, no form open, nothing pending. */
function renderPanel(
  allowed: readonly EventOption[],
  blocked: readonly EventOption[],
) {
  return render(
    <ActionPanel
      allowed={allowed}
      blocked={blocked}
      requests={[]}
      chosen={null}
      canAct
      patient={ben}
      profile={profile}
      busy={false}
      now={NOW}
      onChoose={jest.fn()}
      onSubmit={jest.fn()}
    />,
  );
}

describe('the action panel', () => {
  it('names a course by its start in local time, never as an ISO instant, in the buttons and the reasons', () => {
    const stop: EventOption = {
      type: 'therapy.stopped',
      variant:
        'methylprednisolone (started 2026-03-01T09:00:00.000Z at 600 mg)',
      status: 'allowed',
      reason:
        'methylprednisolone stopped (the record started 2026-03-01T09:00:00.000Z at 600 mg)',
      evidence: [],
      examplePayload: {
        drug: 'methylprednisolone',
        startedAt: '2026-03-01T09:00:00.000Z',
      },
      label:
        'Stop methylprednisolone (course started 2026-03-01T09:00:00.000Z)',
      group: 'treat',
    };
    const blockedStop: EventOption = { ...stop, status: 'blocked' };
    renderPanel([stop], [blockedStop]);
    const actions = screen.getByRole('region', { name: 'Actions' });
    expect(actions.textContent).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(
      within(actions).getByRole('button', {
        name: /^Stop methylprednisolone \(course started 1 Mar 2026, 09:00/,
      }),
    ).toBeTruthy();
  });

  it("never offers the scheduler's clock, even when an explanation lists it", () => {
    const clock: EventOption = {
      type: 'clock.ticked',
      status: 'allowed',
      reason: 'time moves on',
      evidence: [],
      examplePayload: {},
      label: 'Time passed',
      group: 'course',
    };
    const blockedClock: EventOption = { ...clock, status: 'blocked' };
    renderPanel([clock, offered('workup.started')], [blockedClock]);
    const actions = screen.getByRole('region', { name: 'Actions' });
    expect(
      within(actions).getByRole('button', {
        name: 'Start the diagnostic work-up',
      }),
    ).toBeTruthy();
    expect(actions.textContent).not.toContain('clock.ticked');
    expect(actions.textContent).not.toContain('Time passed');
    expect(actions.textContent).toContain('Blocked now (0)');
  });
});

describe('actions in clinical words, by task', () => {
  it('lists each allowed action under its task, in words from protocol data, never by its id', () => {
    const allowed = [
      offered('workup.started'),
      offered('therapy.started', 'methylprednisolone'),
      offered('labs.recorded'),
      offered('support.started', 'ventilation'),
    ];
    renderPanel(allowed, [offered('remission.recorded')]);
    const actions = screen.getByRole('region', { name: 'Actions' });
    const headings = within(actions)
      .getAllByRole('heading', { level: 4 })
      .map((h) => h.textContent);
    expect(headings).toEqual([
      'Diagnose',
      'Treat',
      'Monitor',
      'Supportive care',
    ]);
    for (const name of [
      'Start the diagnostic work-up',
      'Start methylprednisolone',
      'Record laboratory results',
      'Start mechanical ventilation',
    ]) {
      expect(within(actions).getByRole('button', { name })).toBeTruthy();
    }
    const text = actions.textContent;
    for (const id of [
      'workup.started',
      'therapy.started',
      'labs.recorded',
      'support.started',
      'remission.recorded',
    ]) {
      expect(text).not.toContain(id);
    }
    expect(text).toContain('Record remission');
  });

  it('groups a drug beyond the first line, and an emergency start, under escalation', () => {
    expect(offered('therapy.started', 'anakinra')).toMatchObject({
      label: 'Start anakinra',
      group: 'escalate',
    });
    expect(
      offered('therapy.started', 'emapalumab (emergency start)'),
    ).toMatchObject({
      label: 'Emergency start of emapalumab (countersignature follows)',
      group: 'escalate',
    });
    expect(offered('therapy.started', 'dexamethasone')).toMatchObject({
      label: 'Start dexamethasone',
      group: 'treat',
    });
  });
});

describe('event forms', () => {
  it('asks for a rationale where the protocol does, and sends it', () => {
    const option: EventOption = {
      ...offered('diagnosis.confirmed'),
      status: 'allowed-with-rationale',
    };
    const { onSubmit } = renderForm(option);
    fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/the protocol asks for one here/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/Rationale/), {
      target: { value: 'ferritin rising fast, clinical picture typical' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'diagnosis.confirmed',
        rationale: 'ferritin rising fast, clinical picture typical',
      }),
    );
  });

  it('a stop takes the time it was stopped, now unless changed', () => {
    // What the machine offers for a running therapy.
    const option: EventOption = {
      type: 'therapy.stopped',
      variant: 'methylprednisolone',
      status: 'allowed',
      reason: 'a running therapy may stop',
      evidence: [],
      examplePayload: { drug: 'methylprednisolone' },
      payloadSchema: payloadJsonSchema('therapy.stopped'),
      label: 'Stop methylprednisolone',
      group: 'treat',
    };
    const { onSubmit } = renderForm(option);
    fireEvent.change(screen.getByLabelText(/^Stopped at/), {
      target: { value: '2026-03-01T07:15' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    expect(onSubmit).toHaveBeenCalledWith({
      type: 'therapy.stopped',
      payload: {
        drug: 'methylprednisolone',
        stoppedAt: '2026-03-01T07:15:00.000Z',
      },
    });
  });
});
