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
      '\n,,,,,,,,,,,,,,-2\n',
    );
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
