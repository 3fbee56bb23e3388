import { QueryFailedError } from 'typeorm';

/**
 * What the log says of an unexpected fault: never patient data. A failed
 * query is logged by its statement and the database's error code, not its
 * parameters and not the database's message (which can quote a value);
 * other errors by their name, message and stack.
 */
export function faultForLog(error: unknown): string {
  if (error instanceof QueryFailedError) {
    const driver = error.driverError as { code?: unknown } | undefined;
    const code =
      typeof driver?.code === 'string' || typeof driver?.code === 'number'
        ? String(driver.code)
        : 'unknown';
    return `QueryFailedError (database code ${code}) in: ${error.query}`;
  }
  if (error instanceof Error) {
    return error.stack ?? `${error.name}: ${error.message}`;
  }
  return `non-error thrown: ${typeof error}`;
}
