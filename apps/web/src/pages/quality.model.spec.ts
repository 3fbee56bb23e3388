import { describe, expect, it } from '@jest/globals';

import {
  formatHours,
  formatShare,
  type Indicators,
  indicatorView,
  qualityQuery,
  simulatedRow,
  simulatedText,
} from './quality.model.js';

const glucocorticoid: Indicators['suspicion-to-glucocorticoid'] = {
  id: 'suspicion-to-glucocorticoid',
  statement: 'seed.initial.3',
  evidence: ['seed.initial.3'],
  label: 'Time to the first glucocorticoid after suspicion',
  points: [
    {
      month: '2026-03',
      ward: null,
      episodeIds: ['a', 'b'],
      n: 2,
      medianHours: 5,
      q1Hours: 3.5,
      q3Hours: 6.5,
      withinTarget: {
        count: 1,
        episodeIds: ['a'],
        share: 0.5,
        targetHours: [6],
      },
      notStarted: { count: 0, episodeIds: [] },
      excludedBeforeStart: { count: 0, episodeIds: [] },
    },
  ],
};

describe('the Quality page model', () => {
  it('asks the service with the filter given, and the CSV with the same', () => {
    expect(qualityQuery({ from: '', to: '', version: '' })).toBe(
      '/api/analytics',
    );
    expect(
      qualityQuery({ from: '2026-03', to: '', version: '1.0.0' }, true),
    ).toBe('/api/analytics?from=2026-03&version=1.0.0&format=csv');
  });

  it('writes hours to a tenth, shares in whole percent, and a dash for no data', () => {
    expect(formatHours(3.4567)).toBe('3.5 h');
    expect(formatHours(5)).toBe('5 h');
    expect(formatHours(null)).toBe('—');
    expect(formatShare(0.5)).toBe('50 %');
    expect(formatShare(null)).toBe('—');
  });

  it("reads a duration indicator as a run chart with the profile's limit", () => {
    expect(indicatorView(glucocorticoid)).toEqual({
      shape: 'durations',
      shareOf: 'within the limit',
      targetHours: [6],
      rows: [
        {
          month: '2026-03',
          ward: null,
          episodeIds: ['a', 'b'],
          n: 2,
          medianHours: 5,
          q1Hours: 3.5,
          q3Hours: 6.5,
          share: 0.5,
          detail: '1 within the limit; 0 without a glucocorticoid recorded',
        },
      ],
    });
  });

  it('words a simulated row: n, median with IQR, the share, what was counted', () => {
    const row = {
      month: '2026-03',
      ward: null,
      n: 20,
      medianHours: 0.5,
      q1Hours: 0,
      q3Hours: 1.25,
      share: 0.95,
      detail: '19 within the limit',
      episodeIds: [],
    };
    expect(simulatedText(row, 'within the limit')).toBe(
      'n 20; median 0.5 h (IQR 0 h – 1.3 h); 95 % within the limit; 19 within the limit',
    );
    expect(
      simulatedText(
        { ...row, medianHours: null, q1Hours: null, q3Hours: null, detail: '' },
        null,
      ),
    ).toBe('n 20');
    expect(simulatedRow(undefined)).toBeNull();
  });
});
