import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { toClinicalInputError } from './zod-error.util.js';

const schema = z.object({ a: z.object({ b: z.number() }).strict() }).strict();
const errorFor = (input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a zod error');
  return parsed.error;
};

describe('toClinicalInputError: the first zod issue, named by its field', () => {
  it('an unknown key is named itself, "is not a known field"', () => {
    const error = toClinicalInputError(errorFor({ a: { b: 1, c: 2 } }), 'x');
    expect(error.field).toBe('a.c');
    expect(error.rule).toBe('is not a known field');
  });

  it('a wrong type names its path, with the zod message', () => {
    const error = toClinicalInputError(errorFor({ a: { b: 'no' } }), 'x');
    expect(error.field).toBe('a.b');
    expect(error.rule.length).toBeGreaterThan(0);
  });

  it('an issue about the whole input is named by the root', () => {
    const error = toClinicalInputError(errorFor('not an object'), 'panel');
    expect(error.field).toBe('panel');
  });

  it('a prefix goes before every path, and stands for the root', () => {
    expect(
      toClinicalInputError(errorFor({ a: { b: 'no' } }), 'x', 'profile').field,
    ).toBe('profile.a.b');
    expect(toClinicalInputError(errorFor(3), 'x', 'profile').field).toBe(
      'profile',
    );
    expect(
      toClinicalInputError(errorFor({ a: { b: 1 }, z: 1 }), 'x', 'profile')
        .field,
    ).toBe('profile.z');
  });

  it('an error without issues is "is invalid" on the root', () => {
    const error = toClinicalInputError(new z.ZodError([]), 'panel');
    expect(error.field).toBe('panel');
    expect(error.rule).toBe('is invalid');
  });
});
