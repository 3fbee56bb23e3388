import { describe, expect, it } from '@jest/globals';

import { parseOrThrow } from './parse.util.js';
import { qualityQuerySchema } from './quality-report.schema.js';

describe('the quality report query', () => {
  it('takes months (inclusive), a protocol version and the CSV format', () => {
    expect(
      parseOrThrow(
        qualityQuerySchema,
        { from: '2026-03', to: '2026-03', version: '1.0.0', format: 'csv' },
        'query',
      ),
    ).toEqual({
      from: '2026-03',
      to: '2026-03',
      version: '1.0.0',
      format: 'csv',
    });
  });

  it('refuses a bad query, naming the field and the rule', () => {
    for (const [query, message] of [
      [{ from: '2026-3' }, 'query.from: must be a month as YYYY-MM'],
      [{ to: '2026-13' }, 'query.to: must be a month as YYYY-MM'],
      [{ from: '2026-04', to: '2026-03' }, 'query.from: must not be after to'],
      [
        { version: 'a\u0000b' },
        'query.version: must not contain control characters',
      ],
      [{ ward: 'PICU' }, 'query.ward: is not a known field'],
    ] as const) {
      expect(() => parseOrThrow(qualityQuerySchema, query, 'query')).toThrow(
        message,
      );
    }
  });
});
