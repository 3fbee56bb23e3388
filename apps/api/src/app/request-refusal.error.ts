/**
 * A request refused by the HTTP layer before any route runs (its content
 * type, body or URL): the status, and the field and rule it broke, answered
 * like every other bad input.
 */
export class RequestRefusal extends Error {
  override readonly name = 'RequestRefusal';

  constructor(
    readonly status: number,
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }

  /** The answer's body. */
  get body(): { message: string; field: string; rule: string } {
    return { message: this.message, field: this.field, rule: this.rule };
  }
}
