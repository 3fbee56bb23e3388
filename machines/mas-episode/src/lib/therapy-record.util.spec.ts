import { describe, expect, it } from '@jest/globals';

import {
  givesMoreDoses,
  scheduleAt,
  scheduleEndsAt,
} from './therapy-record.util.js';

const start = '2026-03-01T09:00:00.000Z';

describe('when a record gives its last dose', () => {
  it.each([
    [{ kind: 'pulse', day: 1, of: 3 }, '2026-03-03T09:00:00.000Z'],
    [{ kind: 'pulse', day: 2, of: 3 }, '2026-03-02T09:00:00.000Z'],
    [{ kind: 'pulse', day: 3, of: 3 }, start],
    [{ kind: 'pulse', day: 1, of: 5 }, '2026-03-05T09:00:00.000Z'],
    [{ kind: 'once' }, start],
    [{ kind: 'daily' }, null],
    [{ kind: 'every-hours', hours: 8 }, null],
    [undefined, null],
  ] as const)(
    '%j started at 09:00 on 1 March gives its last dose at %s [seed.initial.1]',
    (schedule, end) => {
      expect(
        scheduleEndsAt({
          startedAt: start,
          ...(schedule ? { schedule } : {}),
        }),
      ).toBe(end);
    },
  );

  it('a pulse whose dose changed counts its days from the change (its schedule says the day of the new dose) [seed.initial.1]', () => {
    const changed = {
      startedAt: start,
      schedule: { kind: 'pulse', day: 2, of: 3 } as const,
      doseChanges: [
        { at: '2026-03-01T12:00:00.000Z' },
        { at: '2026-03-02T09:30:00.000Z' },
      ],
    };
    expect(scheduleEndsAt(changed)).toBe('2026-03-03T09:30:00.000Z');
  });

  it('a dose is left until the last infusion, none from it on; a course without an end always has some [seed.initial.1]', () => {
    const record = {
      startedAt: start,
      schedule: { kind: 'pulse', day: 2, of: 3 } as const,
    };
    expect(givesMoreDoses(record, '2026-03-02T08:59:59.999Z')).toBe(true);
    expect(givesMoreDoses(record, '2026-03-02T09:00:00.000Z')).toBe(false);
    // A last day's record: its one infusion is the last.
    expect(
      givesMoreDoses(
        { startedAt: start, schedule: { kind: 'pulse', day: 3, of: 3 } },
        start,
      ),
    ).toBe(false);
    expect(
      givesMoreDoses(
        { startedAt: start, schedule: { kind: 'daily' } },
        '2027-03-01T09:00:00.000Z',
      ),
    ).toBe(true);
  });

  it('a dose change is written on the day the pulse has reached (never day 1 again, which would add a day), never past its last day; other schedules as they are [seed.initial.1]', () => {
    const pulse = { kind: 'pulse', day: 1, of: 3 } as const;
    const record = { startedAt: start, schedule: pulse };
    const at = (iso: string) => scheduleAt(record, pulse, iso);
    expect(at('2026-03-01T20:00:00.000Z')).toEqual(pulse);
    expect(at('2026-03-02T09:00:00.000Z')).toEqual({ ...pulse, day: 2 });
    expect(at('2026-03-03T10:00:00.000Z')).toEqual({ ...pulse, day: 3 });
    expect(at('2026-03-09T10:00:00.000Z')).toEqual({ ...pulse, day: 3 });
    // Counted from the dose now (a change on day 2, written as day 2).
    const changed = {
      ...record,
      schedule: { ...pulse, day: 2 },
      doseChanges: [{ at: '2026-03-02T09:30:00.000Z' }],
    };
    expect(
      scheduleAt(changed, changed.schedule, '2026-03-03T10:00:00.000Z'),
    ).toEqual({ ...pulse, day: 3 });
    expect(
      scheduleAt(record, { kind: 'daily' }, '2026-03-09T10:00:00.000Z'),
    ).toEqual({ kind: 'daily' });
  });
});
