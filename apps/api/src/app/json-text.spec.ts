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

  it('lets tabs, line breaks, accents and emoji through', () => {
    expect(
      badText({
        rationale: 'line one\r\nline two\tend',
        name: 'Zoë 😀 Ünal',
        n: 1,
        ok: true,
        none: null,
      }),
    ).toBeNull();
  });
});
