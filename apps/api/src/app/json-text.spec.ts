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

  it('names a bidirectional override, embedding or isolate control (a name shown reversed in an export)', () => {
    for (const control of [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ]) {
      expect(
        badText({ rationale: `approved by ${control}B-roines-omed` }),
      ).toEqual({
        field: 'body.rationale',
        rule: expect.stringMatching(
          /^must not contain bidirectional override, embedding or isolate controls/,
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
        name: 'Zoë 😀 Ünal',
        n: 1,
        ok: true,
        none: null,
      }),
    ).toBeNull();
  });
});
