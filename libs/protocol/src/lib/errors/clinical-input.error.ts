/**
 * Bad input: names the field and the rule it broke. Callers turn it into an
 * exit code 2 (CLI) or a 400 (API), never a crash.
 */
export class ClinicalInputError extends Error {
  override readonly name = 'ClinicalInputError';

  constructor(
    /** Dotted path of the offending field, e.g. `ferritin.unit`. */
    readonly field: string,
    /** The rule, in words. */
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }

  /** The same error with its field placed under `prefix` (e.g. `[2]`). */
  under(prefix: string): ClinicalInputError {
    const joined = this.field.startsWith('[')
      ? `${prefix}${this.field}`
      : `${prefix}.${this.field}`;
    return new ClinicalInputError(joined, this.rule);
  }
}

export function isClinicalInputError(
  error: unknown,
): error is ClinicalInputError {
  return error instanceof ClinicalInputError;
}
