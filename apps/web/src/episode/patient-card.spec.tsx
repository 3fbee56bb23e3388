import { describe, expect, it } from '@jest/globals';
import { render, screen, within } from '@testing-library/react';
import { initialTransition } from 'xstate';

import {
  type EpisodeContext,
  masEpisodeMachine,
  standardPrescription,
  stepEpisode,
} from '@mas/mas-episode';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { profile } from '../testing/event-form.testing.js';
import { PatientCard } from './patient-card.js';
import { ageText, bsaText, dueItems, labTrends } from './patient-card.model.js';

const T0 = '2026-03-01T08:00:00.000Z';
const at = (hours: number) =>
  new Date(Date.parse(T0) + hours * 3_600_000).toISOString();

/** Amira's episode: florid labs, the pulse, then labs improving (then `more`). */
function course(
  more: readonly { hours: number; panel: unknown; collectedAt: string }[] = [],
): EpisodeContext {
  let [snapshot] = initialTransition(masEpisodeMachine, {
    episodeId: 'e-card',
    patient: amira,
    openedAt: T0,
    initialStage: 'suspected',
    profile,
  });
  const actor = { id: 'dr-adams', role: 'clinician' } as const;
  const step = (type: string, hours: number, payload: unknown) => {
    [snapshot] = stepEpisode(snapshot, {
      type,
      at: at(hours),
      actor,
      payload,
    } as Parameters<typeof stepEpisode>[1]);
  };
  const florid = panelOf(floridMas, febrileSjia);
  step('labs.recorded', 0.5, { panel: florid, collectedAt: at(0.25) });
  step('diagnosis.confirmed', 1, { basis: 'criteria' });
  step('therapy.started', 2, {
    drug: 'methylprednisolone',
    ...standardPrescription('methylprednisolone', amira, profile),
    givenAt: at(2),
  });
  const better = {
    ...florid,
    ferritin: { value: 6000, unit: 'ng/mL' },
  };
  step('labs.recorded', 14, { panel: better, collectedAt: at(13.5) });
  for (const { hours, panel, collectedAt } of more) {
    step('labs.recorded', hours, { panel, collectedAt });
  }
  return snapshot.context;
}

describe('the patient card', () => {
  it('words the age as a paediatric ward does', () => {
    expect(ageText('2026-02-20', T0)).toBe('9 days');
    expect(ageText('2026-02-28', T0)).toBe('1 day');
    expect(ageText('2025-01-15', T0)).toBe('13 months');
    expect(ageText('2019-05-14', T0)).toBe('6 years 9 months');
    expect(ageText('2016-03-01', T0)).toBe('10 years');
    expect(ageText('1980-07-01', T0)).toBe('45 years');
    expect(ageText('not a date', T0)).toBe('—');
  });

  it('gives the body surface area from the protocol library', () => {
    // Mosteller: sqrt(122 x 24 / 3600) = 0.902 m2.
    expect(bsaText(122, 24)).toBe('0.90 m²');
  });

  it('lists what falls due, soonest first, with what is overdue', () => {
    const context = course();
    const dues = dueItems(context, at(14));
    expect(dues.length).toBeGreaterThan(0);
    expect(dues.map((d) => Date.parse(d.at))).toEqual(
      [...dues.map((d) => Date.parse(d.at))].sort((a, b) => a - b),
    );
    expect(dues.every((d) => !/[A-Z]/.test(d.label.charAt(0)))).toBe(true);
    const later = dueItems(context, at(200));
    expect(later.every((d) => d.overdue)).toBe(true);
  });

  it('compares the latest labs with the pre-treatment baseline', () => {
    const trends = labTrends(course());
    const ferritin = trends.find((t) => t.analyte === 'ferritin');
    expect(ferritin).toMatchObject({
      label: 'Ferritin',
      latest: 6000,
      changePercent: -50,
      arrow: '↓',
    });
    expect(ferritin?.baseline).toBe(12_000);
    // Shown as a laboratory reports them: 12,000 ng/mL, never 12,020.
    expect(ferritin).toMatchObject({
      latestText: '6,000',
      baselineText: '12,000',
    });
    const platelets = trends.find((t) => t.analyte === 'platelets');
    expect(platelets).toMatchObject({ changePercent: 0, arrow: '→' });
    expect(platelets?.unit).toBe('×10⁹/L');
  });

  it("gives each latest value its own sample time: a ferritin alone later keeps the platelets' earlier sample", () => {
    const trends = labTrends(
      course([
        {
          hours: 21,
          panel: { ferritin: { value: 4000, unit: 'ng/mL' } },
          collectedAt: at(20),
        },
      ]),
    );
    expect(trends.find((t) => t.analyte === 'ferritin')).toMatchObject({
      latest: 4000,
      latestAt: at(20),
    });
    // A fibrinogen recorded in mg/dL is shown in g/L at two decimals.
    const converted = labTrends(
      course([
        {
          hours: 22,
          panel: { fibrinogen: { value: 152.34, unit: 'mg/dL' } },
          collectedAt: at(21.5),
        },
      ]),
    ).find((t) => t.analyte === 'fibrinogen');
    expect(converted?.latestText).toBe('1.52');
    expect(trends.find((t) => t.analyte === 'platelets')?.latestAt).toBe(
      at(13.5),
    );
  });

  it('shows the patient, the therapy with its dose, what is due and the labs, in words', () => {
    const context = course();
    render(
      <PatientCard
        context={context}
        now={at(14)}
        alerts={[{ id: 'labs-overdue', severity: 'warning' }]}
      />,
    );
    const card = screen.getByRole('region', { name: 'Patient' });
    expect(within(card).getByText('6 years 9 months')).toBeTruthy();
    expect(within(card).getByText('0.90 m²')).toBeTruthy();
    expect(card.textContent).toMatch(/methylprednisolone: 720 mg IV/i);
    expect(card.textContent).toContain('Laboratory results overdue');
    expect(card.textContent).toContain('↓ -50%');
    expect(card.textContent).not.toMatch(/10\*9|labs-overdue/);
    // Local time, its UTC time on hover.
    const time = card.querySelector('time');
    expect(time?.getAttribute('title')).toMatch(/UTC$/);
  });
});

describe('the patient card: when the measures were taken', () => {
  it('says when the weight and height the doses read were measured, and when one is older than the institution allows; nothing for a record that does not know', () => {
    const context = course();
    const measured = {
      ...context,
      patient: { ...context.patient, weightKg: 23 },
      measuredAt: { weightKg: at(12) },
    };
    const { unmount } = render(
      <PatientCard context={measured} now={at(14)} alerts={[]} />,
    );
    const card = screen.getByRole('region', { name: 'Patient' });
    const weight = within(card).getByText('Weight').nextElementSibling;
    expect(weight?.textContent).toMatch(/^23 kg \(measured [^;]+\)$/);
    expect(weight?.querySelector('time')?.getAttribute('dateTime')).toBe(
      at(12),
    );
    const height = within(card).getByText('Height').nextElementSibling;
    expect(height?.textContent).toBe('122 cm (at admission)');
    unmount();
    // Eight days on: the admission's height is older than the example
    // profile's 7 days; the weight of 12 h is not.
    const later = render(
      <PatientCard context={measured} now={at(12 + 24 * 7)} alerts={[]} />,
    );
    const old = screen.getByRole('region', { name: 'Patient' });
    expect(
      within(old).getByText('Height').nextElementSibling?.textContent,
    ).toBe('122 cm (at admission; more than 7 days ago: measure again)');
    expect(
      within(old).getByText('Weight').nextElementSibling?.textContent,
    ).not.toContain('measure again');
    later.unmount();
    // A snapshot from before statechart 2.5.0: no time, none invented.
    const { measuredAt: _unknown, ...older } = context;
    render(<PatientCard context={older} now={at(14)} alerts={[]} />);
    const again = screen.getByRole('region', { name: 'Patient' });
    expect(
      within(again).getByText('Weight').nextElementSibling?.textContent,
    ).toBe('24 kg');
  });
});
