/**
 * Text a JSON body may carry: no NUL or other control character but tab,
 * line feed and carriage return (PostgreSQL refuses NUL in text; none has a
 * place in a clinical record), and well-formed Unicode (a lone surrogate
 * cannot be stored as UTF-8), and no bidirectional override (U+202D,
 * U+202E): it shows letters in another order than they are stored
 * ("approved by" and a name typed backwards reads as another user in an
 * export). Right-to-left text needs no override: its marks, embeddings and
 * isolates (which word processors and laboratory systems insert, and which
 * never turn Latin letters round) pass. Checked on every string, keys
 * included, before any route sees the body.
 */
// Control characters (Unicode category Cc) but tab, line feed and return.
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;
const BIDI_OVERRIDE = /[\u202D\u202E]/u;

/** The first string in `value` that breaks the rule: its path and the rule. */
export function badText(
  value: unknown,
  path = 'body',
): { field: string; rule: string } | null {
  if (typeof value === 'string') {
    if (CONTROL.test(value)) {
      return {
        field: path,
        rule: 'must not contain control characters (NUL included)',
      };
    }
    if (BIDI_OVERRIDE.test(value)) {
      return {
        field: path,
        rule: 'must not contain a bidirectional override (U+202D, U+202E): it shows the text in another order than it is stored',
      };
    }
    if (LONE_SURROGATE.test(value)) {
      return {
        field: path,
        rule: 'must be well-formed Unicode (no lone surrogate)',
      };
    }
    return null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = badText(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found =
        badText(key, `${path} (a field name)`) ??
        badText(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}
