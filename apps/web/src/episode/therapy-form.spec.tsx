import { describe, expect, it } from '@jest/globals';
import { fireEvent, screen, within } from '@testing-library/react';

import { payloadJsonSchema } from '@mas/contracts';
import { calculateDose, checkRecordedDose } from '@mas/protocol';
import { ben } from '@mas/testing';

import {
  axeViolations,
  choose,
  NOW,
  offered,
  profile,
  renderForm,
  sent,
} from '../testing/event-form.testing.js';
import { toLocalInput } from './clinical-time.model.js';
import {
  formSchema,
  formUiSchema,
  initialPayload,
} from './event-form.model.js';
import { formDoseCheck } from './therapy.model.js';

const pulse = () => offered('therapy.started', 'methylprednisolone');

function record() {
  fireEvent.click(screen.getByRole('button', { name: 'Record' }));
}

function enterDose(value: string) {
  fireEvent.change(screen.getByLabelText(/^Amount/), { target: { value } });
}

/** The protocol's check of a methylprednisolone pulse dose for Ben. */
function pulseCheck(mg: number) {
  return checkRecordedDose({
    drug: 'methylprednisolone',
    dose: { value: mg, unit: 'mg' },
    route: 'iv',
    schedule: { kind: 'pulse', day: 1, of: 3 },
    patient: { weightKg: ben.weightKg, heightCm: ben.heightCm },
    purpose: 'mas',
    profile,
  });
}

describe('the therapy form', () => {
  it("starts from the patient's standard prescription, given now", () => {
    const option = pulse();
    const example = option.examplePayload as {
      dose: { value: number };
    };
    renderForm(option);
    expect(
      screen.getByLabelText<HTMLInputElement>(/^Amount/).valueAsNumber,
    ).toBe(example.dose.value);
    const route = screen.getByLabelText<HTMLSelectElement>(/^Route/);
    expect(route.selectedOptions[0]?.text).toBe('IV');
    const kind = screen.getByLabelText<HTMLSelectElement>(/^How often/);
    expect(kind.selectedOptions[0]?.text).toBe('pulse (day n of N)');
    expect(screen.getByLabelText<HTMLInputElement>(/^Given at/).value).toBe(
      toLocalInput(NOW),
    );
  });

  it("offers no emergency box on a start (a glucocorticoid's included): the emergency start is its own action, which keeps emergency: true without a box", () => {
    renderForm(pulse());
    expect(screen.queryByLabelText(/Emergency/)).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
    const emergency = offered(
      'therapy.started',
      'emapalumab (emergency start)',
    );
    expect(emergency.label).toMatch(/^Emergency start of /);
    // (Blocked for this clinician in this stage: the form schema is the
    // contract's, as for every start.)
    const schema = formSchema(payloadJsonSchema('therapy.started'));
    expect(Object.keys(schema.properties ?? {})).toContain('emergency');
    expect(formUiSchema(schema, 'Record')['emergency']).toEqual({
      'ui:widget': 'hidden',
    });
    expect(initialPayload(schema, emergency.examplePayload, NOW)).toMatchObject(
      { drug: 'emapalumab', emergency: true },
    );
  });

  it('shows the computed dose, its basis and the cap that applied, and sends the dose as given', () => {
    const { onSubmit } = renderForm(pulse());
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
    expect(screen.getByText(/within the range computed/)).toBeTruthy();
    record();
    expect(onSubmit).toHaveBeenCalledWith({
      type: 'therapy.started',
      payload: {
        drug: 'methylprednisolone',
        dose: { value: expected.doseMg, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'pulse', day: 1, of: 3 },
        givenAt: NOW,
      },
    });
  });

  it('asks a second time for a dose outside the computed range, showing the computed dose and the limit, and sends the reason', () => {
    const check = pulseCheck(1500);
    expect(check.tier).toBe('soft');
    const { onSubmit } = renderForm(pulse());
    enterDose('1500');
    expect(screen.getByText(/outside the range computed/)).toBeTruthy();
    record();
    expect(onSubmit).not.toHaveBeenCalled();
    const ask = screen.getByRole('region', {
      name: 'Confirm a dose outside the range',
    });
    expect(within(ask).getByTestId('computed-dose').textContent).toBe(
      `${check.computed?.minMg?.toLocaleString('en') ?? ''}–${check.computed?.maxMg.toLocaleString('en') ?? ''} mg per infusion`,
    );
    const soft = check.limits.find((l) => l.exceeded && l.tier === 'soft');
    expect(ask.textContent).toContain(
      `Above the soft limit of ${soft?.limitMg?.toLocaleString('en') ?? ''} mg per infusion`,
    );
    expect(ask.textContent).toContain('1,500 mg per infusion');
    // A reason is required.
    fireEvent.click(
      within(ask).getByRole('button', { name: 'Confirm this dose and record' }),
    );
    expect(onSubmit).not.toHaveBeenCalled();
    expect(within(ask).getByRole('alert').textContent).toMatch(/reason/);
    fireEvent.change(within(ask).getByLabelText(/Reason for this dose/), {
      target: { value: 'second pulse after a partial first infusion' },
    });
    fireEvent.click(
      within(ask).getByRole('button', { name: 'Confirm this dose and record' }),
    );
    expect(sent(onSubmit)).toMatchObject({
      dose: { value: 1500, unit: 'mg' },
      doseConfirmation: 'second pulse after a partial first infusion',
    });
  });

  it('asks about a tenfold dose too, naming the hard limit, and never changes the dose', () => {
    const check = pulseCheck(10_000);
    expect(check.tier).toBe('hard');
    const { onSubmit } = renderForm(pulse());
    enterDose('10000');
    record();
    const ask = screen.getByRole('region', {
      name: 'A dose above a hard limit: change it',
    });
    // No reason records it: only a change of the dose is offered.
    expect(within(ask).queryByLabelText(/Reason for this dose/)).toBeNull();
    expect(within(ask).queryByRole('button', { name: /Confirm/ })).toBeNull();
    const hard = check.limits.find((l) => l.exceeded && l.tier === 'hard');
    expect(ask.textContent).toContain(
      `Above the hard limit of ${hard?.limitMg?.toLocaleString('en') ?? ''} mg per infusion`,
    );
    expect(ask.textContent).toMatch(/refused whatever the reason/);
    // Back to the form: the dose is as entered, not clamped.
    fireEvent.click(
      within(ask).getByRole('button', { name: 'Change the dose' }),
    );
    expect(
      screen.getByLabelText<HTMLInputElement>(/^Amount/).valueAsNumber,
    ).toBe(10_000);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("the service's 422 asks the second time; a hard-limit 422 is shown and the values are kept", () => {
    const { onSubmit, answer } = renderForm(pulse());
    enterDose('1200');
    const payload = {
      drug: 'methylprednisolone',
      dose: { value: 1200, unit: 'mg' },
      route: 'iv',
      schedule: { kind: 'pulse', day: 1, of: 3 },
      givenAt: NOW,
    };
    answer({
      kind: 'refused',
      message:
        'The protocol does not allow this now: outside the dose range, confirm with a reason (doseConfirmation): methylprednisolone 1200 mg is above the soft limit',
      confirmationWouldAllow: true,
      submission: { type: 'therapy.started', payload },
    });
    const ask = screen.getByRole('region', {
      name: 'Confirm a dose outside the range',
    });
    expect(within(ask).getByRole('alert').textContent).toMatch(
      /above the soft limit/,
    );
    fireEvent.change(within(ask).getByLabelText(/Reason for this dose/), {
      target: { value: 'confirmed with pharmacy' },
    });
    fireEvent.click(
      within(ask).getByRole('button', { name: 'Confirm this dose and record' }),
    );
    expect(sent(onSubmit)).toEqual({
      ...payload,
      doseConfirmation: 'confirmed with pharmacy',
    });

    answer({
      kind: 'refused',
      message:
        'The protocol does not allow this now: hard dose limit: methylprednisolone 12000 mg is above the hard limit of 3000 mg per infusion',
      submission: {
        type: 'therapy.started',
        payload: { ...payload, doseConfirmation: 'confirmed with pharmacy' },
      },
    });
    expect(
      screen.queryByRole('region', {
        name: 'Confirm a dose outside the range',
      }),
    ).toBeNull();
    expect(
      screen
        .getAllByRole('alert')
        .some((a) => /hard limit of 3000 mg per infusion/.test(a.textContent)),
    ).toBe(true);
    expect(
      screen.getByLabelText<HTMLInputElement>(/^Amount/).valueAsNumber,
    ).toBe(1200);
  });

  it('sends the schedule with the fields of its kind only', () => {
    const { onSubmit } = renderForm(pulse());
    choose(screen.getByLabelText(/^How often/), 'every N hours');
    fireEvent.change(screen.getByLabelText(/^Every \(hours\)/), {
      target: { value: '8' },
    });
    enterDose('300');
    record();
    const ask = screen.queryByRole('region', {
      name: 'Confirm a dose outside the range',
    });
    if (ask) {
      fireEvent.change(within(ask).getByLabelText(/Reason for this dose/), {
        target: { value: 'split dosing' },
      });
      fireEvent.click(
        within(ask).getByRole('button', {
          name: 'Confirm this dose and record',
        }),
      );
    }
    expect(sent(onSubmit)['schedule']).toEqual({
      kind: 'every-hours',
      hours: 8,
    });
  });

  it('takes the time it was given apart from the time it is recorded', () => {
    const { onSubmit } = renderForm(pulse());
    fireEvent.change(screen.getByLabelText(/^Given at/), {
      target: { value: '2026-03-01T06:30' },
    });
    expect(screen.getByText(/= 1 Mar 2026, 06:30 UTC/)).toBeTruthy();
    record();
    expect(sent(onSubmit)['givenAt']).toBe('2026-03-01T06:30:00.000Z');
  });

  it('shows field-level errors before anything is sent', () => {
    const { onSubmit } = renderForm(pulse());
    enterDose('-5');
    fireEvent.change(screen.getByLabelText(/^Given at/), {
      target: { value: '' },
    });
    record();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(
      screen.getAllByText(/expected number to be >0/).length,
    ).toBeGreaterThan(0);
    expect(screen.getAllByText('required').length).toBeGreaterThan(0);
  });

  it('has no accessibility violations axe can find, the second ask open (soft limit, then hard)', async () => {
    renderForm(pulse());
    enterDose('1500');
    record();
    screen.getByRole('region', { name: 'Confirm a dose outside the range' });
    await expect(axeViolations()).resolves.toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Change the dose' }));
    enterDose('10000');
    record();
    screen.getByRole('region', {
      name: 'A dose above a hard limit: change it',
    });
    await expect(axeViolations()).resolves.toEqual([]);
  });
});

describe("the form's dose check reads the clearance entered with the dose, as the machine's does", () => {
  it('anakinra with a clearance of 20 mL/min: the renal flag before the form is sent [lit.anakinra-label]', () => {
    const payload = (extra: object) => ({
      drug: 'anakinra',
      dose: { value: 240, unit: 'mg' },
      route: 'iv',
      schedule: { kind: 'daily' },
      ...extra,
    });
    const flags = (extra: object) =>
      formDoseCheck(payload(extra), ben, profile)?.alerts.map((a) => a.id) ??
      [];
    expect(flags({ creatinineClearanceMlMin: 20 })).toContain(
      'anakinra-renal-adjustment',
    );
    expect(flags({})).not.toContain('anakinra-renal-adjustment');
  });
});
