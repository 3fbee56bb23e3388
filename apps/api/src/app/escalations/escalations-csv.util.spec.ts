import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';

import { escalationColumns, escalationsCsv } from './escalations-csv.util.js';

describe('the escalation report as CSV', () => {
  it('neutralises every cell a spreadsheet would run as a formula', () => {
    const csv = escalationsCsv(
      ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tlead', '\rlead', '＝1'].map(
        (rationale, seq) => ({ episodeId: 'e', seq, rationale }),
      ),
    );
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows.map((r) => r['rationale'])).toEqual([
      "'=1+1",
      "'+SUM(A1)",
      "'-2+3",
      "'@cmd",
      "'\tlead",
      "'\rlead",
      "'＝1",
    ]);
    // Numbers stay numbers (a negative number is not a formula).
    expect(escalationsCsv([{ hoursFromWarrantedToDecision: -2 }])).toContain(
      '\n,,,,,,,,,,,,,,-2,recorded,,,\n',
    );
  });

  it('marks a decision entered in error: status, who voided it, when, why', () => {
    const csv = escalationsCsv([
      { seq: 3, decision: 'rejected', enteredInError: null },
      {
        seq: 4,
        decision: 'rejected',
        enteredInError: {
          actorId: 'senior-b',
          actorRole: 'senior',
          recordedAt: '2026-03-01T10:00:00.000Z',
          rationale: '=wrong patient',
        },
      },
    ]);
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows.map((r) => r['status'])).toEqual([
      'recorded',
      'entered-in-error',
    ]);
    expect(rows[1]).toMatchObject({
      enteredInErrorBy: 'senior-b (senior)',
      enteredInErrorAt: '2026-03-01T10:00:00.000Z',
      enteredInErrorRationale: "'=wrong patient",
    });
    expect(rows[0]?.['enteredInErrorBy']).toBe('');
  });

  it('quotes commas, quotes, line feeds and a bare return; joins lists', () => {
    const csv = escalationsCsv([
      {
        patientIdentifier: 'a,b',
        rationale: 'said "no"\nthen\ryes',
        evidence: ['seed.refractory.1', 'review.section-10'],
        drug: null,
      },
    ]);
    expect(csv.split('\n')[0]).toBe(escalationColumns.join(','));
    const [row] = parse<Record<string, string>>(csv, { columns: true });
    expect(row).toMatchObject({
      patientIdentifier: 'a,b',
      rationale: 'said "no"\nthen\ryes',
      evidence: 'seed.refractory.1 review.section-10',
      drug: '',
    });
    expect(csv).toContain('"said ""no""\nthen\ryes"');
  });
});
