import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react';

import { amira } from '@mas/testing';

import { profile } from '../testing/event-form.testing.js';
import { DosePreview } from './dose-preview.js';

const T0 = '2026-03-01T08:00:00.000Z';
const days = (n: number) =>
  new Date(Date.parse(T0) + n * 24 * 3_600_000).toISOString();

/** The preview of a 30 mg/kg methylprednisolone pulse (computed: 720 mg). */
function preview(
  measures?: { measuredAt?: { weightKg?: string } },
  givenAt?: string,
) {
  const view = render(
    <DosePreview
      drug="methylprednisolone"
      route="iv"
      patient={amira}
      {...(measures ? { measures: { ...measures, openedAt: T0 } } : {})}
      {...(givenAt ? { givenAt } : {})}
      profile={profile}
      onUse={() => undefined}
    />,
  );
  fireEvent.change(view.getByLabelText('mg/kg'), { target: { value: '30' } });
  expect(view.getByTestId('dose-mg').textContent).toBe('720 mg');
  return view;
}

describe('the dose preview: a weight older than the institution allows', () => {
  it('says so before the dose is recorded, naming the weight, when it was taken and the institution figure', () => {
    preview({ measuredAt: {} }, days(8));
    expect(screen.getByTestId('stale-measures').textContent).toBe(
      `the weight it is computed from (24 kg) was entered at admission (${T0}), 8 days before this dose: more than the institution's 7 days (doseLimits.measuresValidDays); measure the patient again and record it`,
    );
  });

  it('says nothing for a weight within the figure, or where the record keeps no time', () => {
    const fresh = preview({ measuredAt: { weightKg: days(6) } }, days(8));
    expect(fresh.queryByTestId('stale-measures')).toBeNull();
    fresh.unmount();
    const unknown = preview(undefined, days(30));
    expect(unknown.queryByTestId('stale-measures')).toBeNull();
  });
});
