import { describe, expect, it } from '@jest/globals';
import { fireEvent, screen, within } from '@testing-library/react';

import { analyteUnits, findingIds } from '@mas/protocol';
import { ben } from '@mas/testing';

import {
  axeViolations,
  NOW,
  offered,
  renderForm,
  sent,
} from '../testing/event-form.testing.js';
import { toLocalInput } from './clinical-time.model.js';

/** Ben's age in days at the forms' sample time (now). */
const BEN_AGE_DAYS = Math.floor(
  (Date.parse(NOW) - Date.parse(`${ben.birthDate}T00:00:00Z`)) / 86_400_000,
);

function record() {
  fireEvent.click(screen.getByRole('button', { name: 'Record' }));
}

function enter(analyte: string, value: string, unit?: string) {
  const input = document.getElementById(`root_panel_${analyte}_value`);
  if (!input) throw new Error(`no ${analyte} field`);
  fireEvent.change(input, { target: { value } });
  if (unit !== undefined) {
    const select = document.getElementById(`root_panel_${analyte}_unit`);
    if (!select) throw new Error(`no ${analyte} unit`);
    fireEvent.change(select, { target: { value: unit } });
  }
}

function finding(name: string): HTMLElement {
  return screen.getByRole('group', { name });
}

describe('the lab panel forms', () => {
  it('never ask for the age: it is sent as the days from the birth date to the sample', () => {
    const { onSubmit } = renderForm(offered('labs.recorded'));
    expect(screen.queryByLabelText(/Age/)).toBeNull();
    enter('ferritin', '5000');
    record();
    const payload = sent(onSubmit);
    const expected = Math.floor(
      (Date.parse(String(payload['collectedAt'])) -
        Date.parse(`${ben.birthDate}T00:00:00Z`)) /
        86_400_000,
    );
    expect(payload['panel']).toMatchObject({ ageDays: expected });
    expect(expected).toBeGreaterThan(5000);
  });

  it("start with the sample drawn now, each analyte's usual unit chosen, every finding not assessed", () => {
    renderForm(offered('labs.recorded'));
    expect(
      screen.getByLabelText<HTMLInputElement>(/^Sample drawn at/).value,
    ).toBe(toLocalInput(NOW));
    for (const analyte of analyteUnits()) {
      const unit = document.getElementById(
        `root_panel_${analyte.id}_unit`,
      ) as HTMLSelectElement | null;
      expect([analyte.id, unit?.value]).toEqual([
        analyte.id,
        analyte.usualUnit,
      ]);
      expect(
        screen.getByLabelText(analyte.label, { selector: 'input[type=number]' })
          .id,
      ).toBe(`root_panel_${analyte.id}_value`);
    }
    for (const id of findingIds) {
      const chosen = document.querySelector<HTMLInputElement>(
        `input[name="root_panel_${id}"]:checked`,
      );
      expect([id, chosen?.id]).toEqual([id, `root_panel_${id}__not-assessed`]);
    }
  });

  it('sends what was measured in its unit, present and absent findings, and leaves the rest out (not assessed)', () => {
    const { onSubmit } = renderForm(offered('labs.recorded'));
    enter('ferritin', '12000');
    enter('fibrinogen', '140', 'mg/dL');
    fireEvent.click(within(finding('Fever')).getByLabelText('present'));
    fireEvent.click(within(finding('Hepatomegaly')).getByLabelText('absent'));
    // Chosen, then taken back: not assessed again.
    fireEvent.click(within(finding('Splenomegaly')).getByLabelText('present'));
    fireEvent.click(
      within(finding('Splenomegaly')).getByLabelText('not assessed'),
    );
    fireEvent.change(screen.getByLabelText(/^Sample drawn at/), {
      target: { value: '2026-03-01T06:45' },
    });
    record();
    expect(sent(onSubmit)).toEqual({
      panel: {
        ageDays: BEN_AGE_DAYS,
        febrile: true,
        hepatomegaly: false,
        ferritin: { value: 12000, unit: 'ng/mL' },
        fibrinogen: { value: 140, unit: 'mg/dL' },
      },
      collectedAt: '2026-03-01T06:45:00.000Z',
    });
  });

  it('asks to confirm each unusual value with its usual range, then sends confirmUnusual', () => {
    const { onSubmit } = renderForm(offered('labs.recorded'));
    // 95 platelets per microlitre: a unit slip for 95 x10^9/L.
    enter('platelets', '95', '/uL');
    enter('ferritin', '12000');
    record();
    expect(onSubmit).not.toHaveBeenCalled();
    const ask = screen.getByRole('region', { name: 'Confirm unusual values' });
    const item = within(ask).getByLabelText(/I confirm Platelets/);
    expect(item.closest('label')?.textContent).toMatch(
      /95 \/µL \(0\.095 ×10⁹\/L\) is below the usual range 1–1,500 ×10⁹\/L/,
    );
    const button = within(ask).getByRole('button', {
      name: 'Record with these values confirmed',
    });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(item);
    fireEvent.click(button);
    expect(sent(onSubmit)).toMatchObject({
      panel: { platelets: { value: 95, unit: '/uL' } },
      confirmUnusual: ['platelets'],
    });
  });

  it('shows an impossible value at its field and sends nothing', () => {
    const { onSubmit } = renderForm(offered('labs.recorded'));
    enter('platelets', '95000');
    record();
    expect(onSubmit).not.toHaveBeenCalled();
    const field = document.getElementById('root_panel_platelets_value__error');
    expect(field?.textContent).toMatch(/physiologically impossible/);
  });

  it("the service's 422 with unusual fields asks to confirm each and resends", () => {
    const { onSubmit, answer } = renderForm(offered('labs.recorded'));
    const payload = {
      panel: { platelets: { value: 2000, unit: '10*9/L' } },
      collectedAt: NOW,
    };
    answer({
      kind: 'refused',
      message:
        'The protocol does not allow this now: unusual values, confirm each (confirmUnusual) or correct it',
      unusualFields: ['platelets'],
      submission: { type: 'labs.recorded', payload },
    });
    const ask = screen.getByRole('region', { name: 'Confirm unusual values' });
    const item = within(ask).getByLabelText(/I confirm Platelets/);
    expect(item.closest('label')?.textContent).toMatch(
      /2,000 ×10⁹\/L is above the usual range 1–1,500 ×10⁹\/L/,
    );
    fireEvent.click(item);
    fireEvent.click(
      within(ask).getByRole('button', {
        name: 'Record with these values confirmed',
      }),
    );
    expect(sent(onSubmit)).toEqual({
      ...payload,
      confirmUnusual: ['platelets'],
    });
  });

  it('shows a 400 naming a panel field at that field', () => {
    const { answer } = renderForm(offered('labs.recorded'));
    answer({
      kind: 'invalid',
      message: 'body.payload.panel.platelets.value: above the maximum',
      field: 'body.payload.panel.platelets.value',
      rule: '95000 10*9/L is above the maximum 5000 10*9/L',
      submission: { type: 'labs.recorded', payload: {} },
    });
    expect(
      document.getElementById('root_panel_platelets_value__error')?.textContent,
    ).toMatch(/above the maximum 5000/);
    expect(
      screen
        .getAllByRole('alert')
        .some((a) =>
          /The service rejected Platelets \(value\)/.test(a.textContent),
        ),
    ).toBe(true);
  });

  it('the reassessment form takes its sample time and findings the same way', () => {
    const { onSubmit } = renderForm(offered('reassessment.recorded'));
    enter('ferritin', '3000');
    fireEvent.click(within(finding('Fever')).getByLabelText('absent'));
    record();
    expect(sent(onSubmit)).toEqual({
      panel: {
        ageDays: BEN_AGE_DAYS,
        febrile: false,
        ferritin: { value: 3000, unit: 'ng/mL' },
      },
      collectedAt: NOW,
    });
  });

  it('has no accessibility violations axe can find', async () => {
    renderForm(offered('reassessment.recorded'));
    enter('platelets', '95', '/uL');
    record();
    screen.getByRole('region', { name: 'Confirm unusual values' });
    await expect(axeViolations()).resolves.toEqual([]);
  });
});
