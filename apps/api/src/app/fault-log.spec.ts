import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';

import { faultForLog } from './fault-log.js';

describe('the log of a fault holds no patient data', () => {
  it('a failed query: its statement and code, never its parameters or the database message', () => {
    const driverError = Object.assign(
      new Error('duplicate key value (patient_identifier)=(SYN-AMIRA-7)'),
      { code: '23505' },
    );
    const error = new QueryFailedError(
      'INSERT INTO "episodes" ("id", "patient_identifier") VALUES ($1, $2)',
      ['e1', 'SYN-AMIRA-7'],
      driverError,
    );
    const line = faultForLog(error);
    expect(line).toBe(
      'QueryFailedError (database code 23505) in: INSERT INTO "episodes" ("id", "patient_identifier") VALUES ($1, $2)',
    );
    expect(line).not.toContain('SYN-AMIRA-7');
  });

  it('another error: its stack (name and message)', () => {
    expect(faultForLog(new TypeError('x is not a function'))).toMatch(
      /^TypeError: x is not a function\n/,
    );
    expect(faultForLog('a string')).toBe('non-error thrown: string');
  });
});
