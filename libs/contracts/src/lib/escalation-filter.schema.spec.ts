import { describe, expect, it } from '@jest/globals';

import {
  escalationFilterSchema,
  filterEscalations,
} from './escalation-filter.schema.js';
import { parseOrThrow } from './parse.util.js';

const decisions = [
  { at: '2026-03-01T23:59:00.000Z', decision: 'requested', kind: 'real' },
  { at: '2026-03-02T00:00:00.000Z', decision: 'approved', kind: 'real' },
  { at: '2026-03-03T10:00:00.000Z', decision: 'approved', kind: 'training' },
];

describe('the escalation filter', () => {
  it('keeps the days inclusive (UTC), the decision and the kind asked for', () => {
    expect(
      filterEscalations(decisions, { from: '2026-03-02', to: '2026-03-02' }),
    ).toEqual([decisions[1]]);
    expect(filterEscalations(decisions, { decision: 'approved' })).toEqual([
      decisions[1],
      decisions[2],
    ]);
    expect(filterEscalations(decisions, { kind: 'training' })).toEqual([
      decisions[2],
    ]);
    expect(filterEscalations(decisions, {})).toEqual(decisions);
  });

  it('refuses a bad filter, naming the field and the rule', () => {
    expect(() =>
      parseOrThrow(escalationFilterSchema, { from: '2026-02-30x' }, 'query'),
    ).toThrow(/query\.from: must be a day as YYYY-MM-DD/);
    expect(() =>
      parseOrThrow(escalationFilterSchema, { to: '2026-13-45' }, 'query'),
    ).toThrow(/query\.to: must be a day of the calendar/);
    expect(() =>
      parseOrThrow(escalationFilterSchema, { from: '2026-02-31' }, 'query'),
    ).toThrow(/query\.from: must be a day of the calendar/);
    expect(() =>
      parseOrThrow(
        escalationFilterSchema,
        { from: '2026-03-02', to: '2026-03-01' },
        'query',
      ),
    ).toThrow(/query\.to: must not be before from/);
    expect(
      parseOrThrow(
        escalationFilterSchema,
        { from: '2024-02-29', to: '2024-02-29' },
        'query',
      ),
    ).toEqual({ from: '2024-02-29', to: '2024-02-29' });
    expect(() =>
      parseOrThrow(escalationFilterSchema, { kind: 'all' }, 'query'),
    ).toThrow(/query\.kind/);
  });
});
