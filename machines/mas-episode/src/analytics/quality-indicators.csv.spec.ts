import { describe, expect, it } from '@jest/globals';

import { qualityCohort } from './quality-cohort.spec-support.js';
import { csvField, qualityIndicatorsCsv } from './quality-indicators.csv.js';
import { computeQualityIndicators } from './quality-indicators.js';

describe('quality indicators as CSV (RFC 4180)', () => {
  it('quotes a field holding a comma, a double quote or a line break, doubling its quotes', () => {
    expect(csvField('Ward 3')).toBe('Ward 3');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('the "four eyes" rule')).toBe('"the ""four eyes"" rule"');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(0.75)).toBe('0.75');
    expect(csvField(null)).toBe('');
  });

  it('writes a header and one row per indicator × month × ward, CRLF-terminated', () => {
    const csv = qualityIndicatorsCsv(computeQualityIndicators(qualityCohort()));
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.slice(0, -2).split('\r\n');
    // 9 indicators × (March: all, PICU, Ward 3; April: all, Ward 3).
    expect(lines).toHaveLength(1 + 9 * 5);
    expect(lines[0]).toBe(
      'indicator,statement,label,month,ward,n,median_hours,q1_hours,q3_hours,met,share,not_met,overdue_hours,breakdown,episode_ids',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        // March, every ward: 2.5 h and 8 h; one within the 6-h limit.
        'suspicion-to-glucocorticoid,seed.initial.3,Time to the first glucocorticoid after suspicion,2026-03,,2,5.25,3.875,6.625,1,0.5,0,,,amira ben',
        // April: chloe 3 on time, dario 3 h late.
        'reassessment-on-time,seed.monitoring.1,Clinical reassessment on time (at least every 12 h),2026-04,,4,,,,3,0.75,1,3,,chloe dario',
        // No data: n = 0 and empty summaries, never 0 h.
        'escalation-decision,seed.second-line.1,Time from “Escalation indicated” to the escalation decision,2026-03,Ward 3,0,,,,,,0,,,',
        // Category labels with commas: the breakdown is quoted.
        'refractory-authorisation,seed.refractory.1,Refractory therapy: four eyes or emergency start,2026-04,,1,,,,,,,,"Approved by a second senior before the start: 0; Emergency start, countersigned within the window: 0; Emergency start, not countersigned within the window: 1; Emergency start, window still open: 0",chloe',
        'outcomes,seed.pitfalls.1,Outcomes,2026-04,,2,,,,,,,,MAS excluded: 1; Died: 0; Transferred out: 1; Closed: 0; Open: 0,chloe dario',
      ]),
    );
  });
});
