import { describe, expect, it } from '@jest/globals';
import { render, screen, within } from '@testing-library/react';

import type { OtherTherapyRecord, TherapyRecord } from '@mas/mas-episode';

import type { AuditEntry } from '../api/types.js';
import { pinnedRelease } from '../testing/protocol-release.testing.js';
import { ActiveTherapies } from './active-therapies.js';
import { AuditTimeline } from './audit-timeline.js';
import {
  givenText,
  panelText,
  scheduleText,
  therapyEventText,
} from './therapy.model.js';

const pulse: TherapyRecord = {
  drug: 'methylprednisolone',
  therapyClass: 'glucocorticoid',
  startedAt: '2026-03-01T06:30:00.000Z',
  recordedAt: '2026-03-01T08:00:00.000Z',
  startedBy: { id: 'dr-adams', role: 'clinician' },
  background: false,
  emergency: false,
  route: 'iv',
  doseMg: 1200,
  dose: { value: 1.2, unit: 'g' },
  schedule: { kind: 'pulse', day: 1, of: 3 },
  doseCheck: {
    tier: 'soft',
    messages: [
      'methylprednisolone 1200 mg is above the soft limit of 1000 mg per infusion',
    ],
    computed: '825-1000 mg per infusion',
    confirmedBy: { id: 'dr-adams', role: 'clinician' },
    confirmation: 'second pulse after a partial first infusion',
  },
  doseIncreases: [],
  beforeGlucocorticoid: false,
};

const stopped: TherapyRecord = {
  ...pulse,
  drug: 'dexamethasone',
  stoppedAt: '2026-03-01T09:00:00.000Z',
};

const taper: OtherTherapyRecord = {
  recordId: 'other-1',
  medication: {
    system: 'http://www.whocc.no/atc',
    code: 'H02AB06',
    display: 'prednisolone',
  },
  dose: { value: 40, unit: 'mg' },
  route: 'oral',
  schedule: { kind: 'daily' },
  startedAt: '2026-03-05T08:00:00.000Z',
  recordedAt: '2026-03-05T08:00:00.000Z',
  startedBy: { id: 'dr-baker', role: 'senior-clinician' },
  glucocorticoidTaper: true,
};

describe('therapies in words', () => {
  it('says the dose as given: amount, unit, route and schedule', () => {
    expect(givenText(pulse)).toBe('1.2 g IV, pulse day 1 of 3');
    expect(scheduleText({ kind: 'every-hours', hours: 8 })).toBe('every 8 h');
    expect(scheduleText({ kind: 'once' })).toBe('once');
    expect(
      givenText({
        dose: { value: 100, unit: 'ug' },
        route: 'sc',
        schedule: { kind: 'daily' },
      }),
    ).toBe('100 µg subcutaneous, daily');
  });

  it('describes a therapy event with its time given and a confirmed dose outside the range', () => {
    expect(
      therapyEventText('therapy.started', {
        drug: 'methylprednisolone',
        dose: { value: 1500, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'pulse', day: 1, of: 3 },
        givenAt: '2026-03-01T06:30:00.000Z',
        doseConfirmation: 'partial first infusion',
      }),
    ).toBe(
      'methylprednisolone 1,500 mg IV, pulse day 1 of 3, given 1 Mar 2026, 06:30 UTC; outside the dose range, confirmed: partial first infusion',
    );
    expect(
      therapyEventText('therapy.dose-changed', {
        drug: 'anakinra',
        dose: { value: 120, unit: 'mg' },
        route: 'sc',
        schedule: { kind: 'daily' },
        givenAt: '2026-03-01T22:00:00.000Z',
      }),
    ).toBe(
      'anakinra dose changed to 120 mg subcutaneous, daily, given 1 Mar 2026, 22:00 UTC',
    );
    expect(
      therapyEventText('therapy.stopped', {
        drug: 'methylprednisolone',
        startedAt: '2026-03-01T09:00:00.000Z',
        stoppedAt: '2026-03-01T11:00:00.000Z',
      }),
    ).toBe(
      'methylprednisolone (the course started 1 Mar 2026, 09:00 UTC) stopped 1 Mar 2026, 11:00 UTC',
    );
    expect(therapyEventText('labs.recorded', { panel: {} })).toBeNull();
  });
});

describe('active therapies', () => {
  it('lists what runs with the dose as given, the time given and recorded, and a confirmed dose outside the range', () => {
    render(
      <ActiveTherapies therapies={[pulse, stopped]} otherTherapies={[taper]} />,
    );
    const section = screen.getByRole('region', { name: 'Active therapies' });
    const items = within(section).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    const [first, second] = items;
    expect(first?.textContent).toContain(
      'methylprednisolone: 1.2 g IV, pulse day 1 of 3, given 1 Mar 2026, 06:30 UTC by dr-adams',
    );
    expect(first?.textContent).toContain('(recorded 1 Mar 2026, 08:00 UTC)');
    expect(first?.textContent).toContain(
      'outside range, confirmed by dr-adams: second pulse after a partial first infusion',
    );
    expect(second?.textContent).toContain(
      'prednisolone (H02AB06): 40 mg oral, daily, given 5 Mar 2026, 08:00 UTC by dr-baker',
    );
    expect(second?.textContent).not.toContain('recorded');
    expect(section.textContent).not.toContain('dexamethasone');
  });

  it('a course whose dose changed shows the current dose and, beneath it, the dose it replaced, when and by whom', () => {
    const anakinra = {
      ...pulse,
      drug: 'anakinra',
      dose: { value: 120, unit: 'mg' },
      route: 'sc',
      schedule: { kind: 'daily' },
      doseCheck: { tier: 'within', messages: [] },
      doseChanges: [
        {
          at: '2026-03-01T22:00:00.000Z',
          by: { id: 'dr-baker', role: 'clinician' },
          previous: {
            dose: { value: 48, unit: 'mg' },
            route: 'sc',
            schedule: { kind: 'daily' },
          },
        },
      ],
    } as typeof pulse;
    render(<ActiveTherapies therapies={[anakinra]} otherTherapies={[]} />);
    const [item] = screen.getAllByRole('listitem');
    expect(item?.textContent).toContain('anakinra: 120 mg subcutaneous, daily');
    expect(item?.textContent).toContain(
      'dose changed 1 Mar 2026, 22:00 UTC by dr-baker, from 48 mg subcutaneous, daily',
    );
  });

  it('says so when nothing runs', () => {
    render(<ActiveTherapies therapies={[stopped]} otherTherapies={[]} />);
    expect(screen.getByText('No therapy running.')).toBeTruthy();
  });
});

describe('the audit timeline', () => {
  it('shows the dose as given for a therapy event and the sample time of a panel', () => {
    const entry = (
      seq: number,
      type: string,
      payload: unknown,
    ): AuditEntry => ({
      id: `e-${seq}`,
      episodeId: '00000000-0000-4000-8000-000000000001',
      seq,
      type,
      payload,
      actorId: 'dr-adams',
      actorRole: 'clinician',
      occurredAt: '2026-03-01T08:00:00.000Z',
      recordedAt: '2026-03-01T08:00:00.000Z',
      rationale: null,
      evidence: [],
      guard: { outcome: 'allowed', reason: 'dose within the limits' },
      stateBefore: {},
      stateAfter: {},
      protocolHash: 'sha256:protocol',
      protocolRelease: pinnedRelease,
      profileHash: 'sha256:profile',
      hash: `h${seq}`,
      prevHash: `h${seq - 1}`,
    });
    render(
      <AuditTimeline
        replayed={[
          {
            entry: entry(1, 'labs.recorded', {
              panel: {},
              collectedAt: '2026-03-01T07:10:00.000Z',
            }),
            alerts: [],
            stateIds: [],
          },
          {
            entry: entry(2, 'therapy.started', {
              drug: 'methylprednisolone',
              dose: { value: 1000, unit: 'mg' },
              route: 'iv',
              schedule: { kind: 'pulse', day: 1, of: 3 },
              givenAt: '2026-03-01T07:45:00.000Z',
            }),
            alerts: [],
            stateIds: [],
          },
        ]}
        chain={{ ok: true, entries: 2, broken: null, protocolReleases: [] }}
      />,
    );
    const timeline = screen.getByRole('region', { name: 'Audit timeline' });
    expect(timeline.textContent).toContain(
      'sample drawn 1 Mar 2026, 07:10 UTC',
    );
    expect(timeline.textContent).toContain(
      'methylprednisolone 1,000 mg IV, pulse day 1 of 3, given 1 Mar 2026, 07:45 UTC',
    );
  });
});

describe('a recorded panel in the audit timeline', () => {
  it('gives each value with its unit as clinicians write it, and the findings recorded', () => {
    expect(
      panelText('labs.recorded', {
        collectedAt: '2026-03-01T08:00:00Z',
        panel: {
          ferritin: { value: 12000, unit: 'ng/mL' },
          platelets: { value: 95, unit: '10*9/L' },
          febrile: true,
          hemophagocytosis: false,
        },
      }),
    ).toBe(
      'Ferritin 12,000 ng/mL; Platelets 95 ×10⁹/L; Fever: present; Haemophagocytosis: absent',
    );
    expect(panelText('therapy.started', { drug: 'anakinra' })).toBeNull();
    expect(panelText('labs.recorded', { panel: 'not a panel' })).toBeNull();
  });
});
