/**
 * Text a JSON body may carry: no NUL or other control character but tab,
 * line feed and carriage return (PostgreSQL refuses NUL in text; none has a
 * place in a clinical record), and well-formed Unicode (a lone surrogate
 * cannot be stored as UTF-8), and no bidirectional embedding, override or
 * isolate control (U+202A to U+202E, U+2066 to U+2069): they make a text
 * show in another order than it is stored ("approved by" followed by a
 * reversed name reads as another user in an export). Right-to-left text
 * needs none of them; the marks U+200E and U+200F stay allowed. Checked on
 * every string, keys included, before any route sees the body.
 */
// Control characters (Unicode category Cc) but tab, line feed and return.
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

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
    if (BIDI_CONTROL.test(value)) {
      return {
        field: path,
        rule: 'must not contain bidirectional override, embedding or isolate controls (U+202A to U+202E, U+2066 to U+2069): they show the text in another order than it is stored',
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
