import { describe, expect, it } from '@jest/globals';

import { badText } from './json-text.js';

describe('text a JSON body may carry', () => {
  it('names the first string with a NUL or another control character', () => {
    expect(
      badText({ payload: { panel: {}, notes: ['fine', 'a\u0000b'] } }),
    ).toEqual({
      field: 'body.payload.notes[1]',
      rule: 'must not contain control characters (NUL included)',
    });
    expect(badText({ rationale: 'bell\u0007' })?.field).toBe('body.rationale');
    expect(badText({ rationale: 'del\u007f' })?.field).toBe('body.rationale');
  });

  it('names a lone surrogate, a field name included', () => {
    expect(badText({ rationale: 'x\ud800y' })).toEqual({
      field: 'body.rationale',
      rule: 'must be well-formed Unicode (no lone surrogate)',
    });
    expect(badText({ ['k\udc00']: 1 })?.field).toBe('body (a field name)');
  });

  it('names a bidirectional override (a name shown reversed in an export)', () => {
    for (const override of ['\u202d', '\u202e']) {
      expect(
        badText({ rationale: `approved by ${override}B-roines-omed` }),
      ).toEqual({
        field: 'body.rationale',
        rule: expect.stringMatching(
          /^must not contain a bidirectional override/,
        ),
      });
    }
    expect(badText({ payload: { requestId: 'req\u202e1' } })?.field).toBe(
      'body.payload.requestId',
    );
  });

  it('lets tabs, line breaks, accents, emoji and right-to-left text (with its marks) through', () => {
    expect(
      badText({
        rationale: 'line one\r\nline two\tend',
        arabic: 'مريض \u200fفي العناية',
        hebrew: 'חולה\u200e 12',
        // Embeddings and isolates, as word processors and laboratory
        // systems insert them around right-to-left text.
        pasted: 'ward \u202bמחלקה\u202c and \u2067قسم\u2069',
        name: 'Zoë 😀 Ünal',
        n: 1,
        ok: true,
        none: null,
      }),
    ).toBeNull();
  });
});
