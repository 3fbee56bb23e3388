import type { z } from 'zod';

import { ClinicalInputError } from '../errors/clinical-input.error.js';

/**
 * The first zod issue as a ClinicalInputError naming its field. `root` names
 * the input when the issue is about the whole of it; `prefix`, when given,
 * goes before every field path (e.g. `profile`).
 */
export function toClinicalInputError(
  error: z.ZodError,
  root: string,
  prefix?: string,
): ClinicalInputError {
  const issue = error.issues[0];
  const base = prefix === undefined ? [] : [prefix];
  if (!issue) return new ClinicalInputError(root, 'is invalid');
  const path = [...base, ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys') {
    return new ClinicalInputError(
      [...path, issue.keys[0] ?? ''].filter(Boolean).join('.'),
      'is not a known field',
    );
  }
  return new ClinicalInputError(
    path.length > 0 ? path.join('.') : root,
    issue.message,
  );
}
