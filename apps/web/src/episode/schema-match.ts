/**
 * Whether a value fits a JSON Schema, for what the form library asks of its
 * validator: which branch of a `oneOf` a value takes (a schedule's kind
 * decides which fields show). Evaluated directly, never compiled to code:
 * the service's content security policy forbids `eval`, so a compiling
 * validator (ajv) fails in the browser and the dependent fields never show.
 * The keywords the forms' schemas use: `const`, `enum`, `type`, `properties`,
 * `required`, `items`, `oneOf`, `anyOf`, `allOf`, `not`, `$ref`, and the
 * bounds of numbers and strings; any other keyword is not judged.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && sameValue(a[key], b[key]))
    );
  }
  return false;
}

function typeFits(type: string, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return true;
  }
}

/** The schema a local `$ref` (`#/definitions/x`, `#/$defs/x`) points to. */
function resolved(schema: Json, root: Json): Json {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    target = isObject(target)
      ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')]
      : undefined;
  }
  return isObject(target) ? target : {};
}

export function matchesSchema(
  schema: unknown,
  value: unknown,
  root: unknown = schema,
  depth = 0,
): boolean {
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if (!isObject(schema)) return true;
  // A reference cycle is not followed for ever.
  if (depth > 64) return true;
  const rootSchema = isObject(root) ? root : {};
  const s = resolved(schema, rootSchema);
  const fits = (sub: unknown, v: unknown) =>
    matchesSchema(sub, v, rootSchema, depth + 1);
  if ('const' in s && !sameValue(s['const'], value)) return false;
  if (Array.isArray(s['enum']) && !s['enum'].some((e) => sameValue(e, value))) {
    return false;
  }
  const type = s['type'];
  if (typeof type === 'string' && !typeFits(type, value)) return false;
  if (
    Array.isArray(type) &&
    !type.some((t) => typeof t === 'string' && typeFits(t, value))
  ) {
    return false;
  }
  if (typeof value === 'number') {
    if (typeof s['minimum'] === 'number' && value < s['minimum']) return false;
    if (typeof s['maximum'] === 'number' && value > s['maximum']) return false;
    if (
      typeof s['exclusiveMinimum'] === 'number' &&
      value <= s['exclusiveMinimum']
    ) {
      return false;
    }
    if (
      typeof s['exclusiveMaximum'] === 'number' &&
      value >= s['exclusiveMaximum']
    ) {
      return false;
    }
  }
  if (typeof value === 'string') {
    if (typeof s['minLength'] === 'number' && value.length < s['minLength']) {
      return false;
    }
    if (typeof s['maxLength'] === 'number' && value.length > s['maxLength']) {
      return false;
    }
  }
  if (isObject(value)) {
    const required = Array.isArray(s['required']) ? s['required'] : [];
    if (required.some((key) => typeof key === 'string' && !(key in value))) {
      return false;
    }
    const properties = isObject(s['properties']) ? s['properties'] : {};
    for (const [key, sub] of Object.entries(properties)) {
      if (key in value && !fits(sub, value[key])) return false;
    }
  }
  if (Array.isArray(value) && s['items'] !== undefined) {
    if (!value.every((item) => fits(s['items'], item))) return false;
  }
  if (
    Array.isArray(s['allOf']) &&
    !s['allOf'].every((sub) => fits(sub, value))
  ) {
    return false;
  }
  if (
    Array.isArray(s['anyOf']) &&
    !s['anyOf'].some((sub) => fits(sub, value))
  ) {
    return false;
  }
  if (
    Array.isArray(s['oneOf']) &&
    s['oneOf'].filter((sub) => fits(sub, value)).length !== 1
  ) {
    return false;
  }
  if (s['not'] !== undefined && fits(s['not'], value)) return false;
  return true;
}
