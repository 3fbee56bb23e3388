import { describe, expect, it } from '@jest/globals';

import { givesMoreDoses, scheduleEndsAt } from './therapy-record.util.js';

const start = '2026-03-01T09:00:00.000Z';

describe('when a record has given its last dose [seed.initial.1]', () => {
  it.each([
    [{ kind: 'pulse', day: 1, of: 3 }, '2026-03-04T09:00:00.000Z'],
    [{ kind: 'pulse', day: 2, of: 3 }, '2026-03-03T09:00:00.000Z'],
    [{ kind: 'pulse', day: 3, of: 3 }, '2026-03-02T09:00:00.000Z'],
    [{ kind: 'pulse', day: 1, of: 5 }, '2026-03-06T09:00:00.000Z'],
    [{ kind: 'once' }, start],
    [{ kind: 'daily' }, null],
    [{ kind: 'every-hours', hours: 8 }, null],
    [undefined, null],
  ] as const)('%j started at 09:00 on 1 March ends at %s', (schedule, end) => {
    expect(
      scheduleEndsAt({
        startedAt: start,
        ...(schedule ? { schedule } : {}),
      }),
    ).toBe(end);
  });

  it('a pulse whose dose changed counts its days from the change (its schedule says the day of the new dose)', () => {
    const changed = {
      startedAt: start,
      schedule: { kind: 'pulse', day: 2, of: 3 } as const,
      doseChanges: [
        { at: '2026-03-01T12:00:00.000Z' },
        { at: '2026-03-02T09:30:00.000Z' },
      ],
    };
    expect(scheduleEndsAt(changed)).toBe('2026-03-04T09:30:00.000Z');
  });

  it('doses are left until the end, none from it on; a course without an end always has some', () => {
    const record = {
      startedAt: start,
      schedule: { kind: 'pulse', day: 3, of: 3 } as const,
    };
    expect(givesMoreDoses(record, '2026-03-02T08:59:59.999Z')).toBe(true);
    expect(givesMoreDoses(record, '2026-03-02T09:00:00.000Z')).toBe(false);
    expect(
      givesMoreDoses(
        { startedAt: start, schedule: { kind: 'daily' } },
        '2027-03-01T09:00:00.000Z',
      ),
    ).toBe(true);
  });
});
