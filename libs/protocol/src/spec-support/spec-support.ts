/**
 * Helpers for this library's specs only (they read files, so they live
 * outside the pure code and are never exported from the entry points).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ClinicalInputError } from '../lib/errors/clinical-input.error.js';

export interface ExampleProfileFile extends Record<string, unknown> {
  doses: Record<string, unknown>;
  response: Record<string, unknown>;
  delays: Record<string, unknown>;
}

/** The shipped example profile, as parsed JSON (not yet validated). */
export function readExampleProfile(): ExampleProfileFile {
  const path = join(import.meta.dirname, '../../profiles/example.profile.json');
  return JSON.parse(readFileSync(path, 'utf8')) as ExampleProfileFile;
}

/** The ClinicalInputError `fn` throws; fails the test if it throws none. */
export function clinicalErrorOf(fn: () => unknown): ClinicalInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ClinicalInputError) return error;
    throw error;
  }
  throw new Error('expected a ClinicalInputError, none was thrown');
}
