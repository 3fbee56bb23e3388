/**
 * @jest-environment node
 */
import { describe, expect, it } from '@jest/globals';
import {
  retrieveSchema,
  type RJSFSchema,
  type ValidatorType,
} from '@rjsf/utils';

import { payloadJsonSchema } from '@mas/contracts';

import { formSchema } from './event-form.model.js';
import { matchesSchema } from './schema-match.js';

describe("the form's schema matcher (no compiled code: the page's CSP forbids eval)", () => {
  it('judges the keywords the forms use', () => {
    const root = {
      definitions: { hours: { type: 'number', exclusiveMinimum: 0 } },
      type: 'object',
      required: ['kind'],
      properties: {
        kind: { enum: ['every-hours', 'daily'] },
        hours: { $ref: '#/definitions/hours' },
        tags: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    };
    expect(matchesSchema(root, { kind: 'daily' })).toBe(true);
    expect(matchesSchema(root, { kind: 'weekly' })).toBe(false);
    expect(matchesSchema(root, {})).toBe(false);
    expect(matchesSchema(root, { kind: 'daily', hours: 12 })).toBe(true);
    expect(matchesSchema(root, { kind: 'daily', hours: 0 })).toBe(false);
    expect(matchesSchema(root, { kind: 'daily', tags: ['a', ''] })).toBe(false);
    expect(matchesSchema({ const: 'x' }, 'x')).toBe(true);
    expect(matchesSchema({ type: ['string', 'null'] }, null)).toBe(true);
    expect(matchesSchema({ type: 'integer' }, 1.5)).toBe(false);
    expect(
      matchesSchema({ oneOf: [{ type: 'number' }, { minimum: 0 }] }, 5),
    ).toBe(false);
    expect(
      matchesSchema({ anyOf: [{ type: 'number' }, { const: 'a' }] }, 'a'),
    ).toBe(true);
    expect(matchesSchema({ not: { const: 1 } }, 1)).toBe(false);
  });

  it("a therapy's schedule shows the fields of the kind chosen (every N hours: the hours; a pulse: day n of N)", () => {
    const schema = formSchema(payloadJsonSchema('therapy.started'));
    const schedule = (schema.properties?.['schedule'] ?? {}) as RJSFSchema;
    const validator = {
      isValid: (s: RJSFSchema, data: unknown, root: RJSFSchema) =>
        matchesSchema(s, data, root),
    } as unknown as ValidatorType;
    const fieldsFor = (kind: string): string[] =>
      Object.keys(
        retrieveSchema(validator, schedule, schema, { kind }).properties ?? {},
      ).sort();
    expect(fieldsFor('every-hours')).toContain('hours');
    expect(fieldsFor('pulse')).toEqual(
      expect.arrayContaining(['day', 'kind', 'of']),
    );
    expect(fieldsFor('daily')).toEqual(['kind']);
  });
});
