import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';
import { initialTransition } from 'xstate';

import {
  type EventOption,
  explainSnapshot,
  masEpisodeMachine,
} from '@mas/mas-episode';
import { calculateDose, parseInstitutionProfile } from '@mas/protocol';
import { ben } from '@mas/testing';

import { EventForm } from './action-panel.js';

const profile = parseInstitutionProfile(
  JSON.parse(
    readFileSync(
      join(
        import.meta.dirname,
        '../../../../libs/protocol/profiles/example.profile.json',
      ),
      'utf8',
    ),
  ),
);

/** What the machine offers a clinician on a freshly suspected episode. */
function offered(type: string, variant?: string): EventOption {
  const [snapshot] = initialTransition(masEpisodeMachine, {
    episodeId: 'e-1',
    patient: ben,
    openedAt: '2026-03-01T08:00:00Z',
    initialStage: 'suspected',
    profile,
  });
  const options = explainSnapshot(snapshot, {
    actor: { id: 'dr-adams', role: 'clinician' },
  });
  const option = [...options.allowed, ...options.blocked].find(
    (o) => o.type === type && (variant === undefined || o.variant === variant),
  );
  if (!option)
    throw new Error(`the machine offers no ${type} ${variant ?? ''}`);
  return option;
}

function renderForm(option: EventOption) {
  const onSubmit = jest.fn();
  render(
    <EventForm
      option={option}
      patient={ben}
      profile={profile}
      busy={false}
      onSubmit={onSubmit}
      onCancel={() => undefined}
    />,
  );
  return onSubmit;
}

describe('event forms', () => {
  it('the pulse form shows the computed dose, its basis and the cap that applied, and sends it', () => {
    const option = offered('therapy.started', 'methylprednisolone');
    const onSubmit = renderForm(option);
    fireEvent.change(screen.getByLabelText('mg/kg'), {
      target: { value: '30' },
    });
    const expected = calculateDose(
      'methylprednisolone',
      { weightKg: ben.weightKg, heightCm: ben.heightCm, mgPerKg: 30 },
      profile,
    );
    expect(expected.capApplied).toBe(true);
    expect(screen.getByTestId('dose-mg').textContent).toBe(
      `${expected.doseMg.toLocaleString('en')} mg`,
    );
    expect(screen.getByText(/Cap applied/)).toBeTruthy();
    expect(
      screen.getByText(
        new RegExp(
          `before any cap ${expected.uncappedDoseMg.toLocaleString('en')} mg`,
        ),
      ),
    ).toBeTruthy();
    fireEvent.click(
      screen.getByRole('button', { name: /^Use .* in the form/ }),
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Record therapy.started' }),
    );
    expect(onSubmit).toHaveBeenCalledWith({
      type: 'therapy.started',
      payload: expect.objectContaining({
        drug: 'methylprednisolone',
        doseMg: expected.doseMg,
      }),
    });
  });

  it('shows field-level errors before anything is sent', async () => {
    const onSubmit = renderForm(
      offered('therapy.started', 'methylprednisolone'),
    );
    const dose = screen.getByLabelText(/doseMg/);
    fireEvent.change(dose, { target: { value: '-5' } });
    await screen.findByDisplayValue('-5');
    fireEvent.click(
      screen.getByRole('button', { name: 'Record therapy.started' }),
    );
    expect(onSubmit).not.toHaveBeenCalled();
    expect(
      screen.getAllByText(/must be > 0|must be >0/).length,
    ).toBeGreaterThan(0);
  });

  it('asks for a rationale where the protocol does, and sends it', () => {
    const option: EventOption = {
      ...offered('diagnosis.confirmed'),
      status: 'allowed-with-rationale',
    };
    const onSubmit = renderForm(option);
    fireEvent.click(
      screen.getByRole('button', { name: 'Record diagnosis.confirmed' }),
    );
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/the protocol asks for one here/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/Rationale/), {
      target: { value: 'ferritin rising fast, clinical picture typical' },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Record diagnosis.confirmed' }),
    );
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'diagnosis.confirmed',
        rationale: 'ferritin rising fast, clinical picture typical',
      }),
    );
  });
});
