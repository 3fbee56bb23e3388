/**
 * Checks a CDS Hooks 2.0 message against the specification's own logical
 * models: the FSH sources of HL7's CDS Hooks specification
 * (`cds-hooks-spec/fsh/`, copied verbatim, parsed by SUSHI's FSH importer),
 * not a transcription of them. Each element's cardinality, type, fixed
 * value, JSON name (`json-name`), map form (`json-property-key`), empty
 * behaviour (`json-empty-behavior`), required binding and invariants
 * (FHIRPath, evaluated by Medplum's engine) are applied as the models state
 * them.
 *
 * The value sets the models bind (`http://hl7.org/fhir/tools/ValueSet/...`)
 * live in FHIR's tools IG, not in the specification's repository: their
 * codes are listed below, and `codesStatedBySpecification` checks that each
 * list is the one the element's own definition states ("Allowed values
 * are: info, warning, critical").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { evalFhirPath } from '@medplum/core';
import { importText, RawFSH } from 'fsh-sushi/dist/import/index.js';

/** Where the specification's sources and examples are kept. */
export const cdsHooksSpecDir = join(
  import.meta.dirname,
  '..',
  'cds-hooks-spec',
);

const TOOLS_SD = 'http://hl7.org/fhir/tools/StructureDefinition/';
const TOOLS_VS = 'http://hl7.org/fhir/tools/ValueSet/';

/** The codes of the value sets the models bind (see the note above). */
export const boundCodes: Readonly<Record<string, readonly string[]>> = {
  [`${TOOLS_VS}CDSIndicator`]: ['info', 'warning', 'critical'],
  [`${TOOLS_VS}CDSSelectionBehavior`]: ['at-most-one', 'any'],
  [`${TOOLS_VS}CDSActionType`]: ['create', 'update', 'delete'],
  [`${TOOLS_VS}CDSLinkType`]: ['absolute', 'smart'],
};

interface Element {
  readonly path: string;
  min: number;
  max: string;
  types: string[];
  contentReference?: string;
  definition: string;
  jsonName?: string;
  propertyKey?: string;
  emptyBehavior?: string;
  binding?: { readonly valueSet: string; readonly strength: string };
  fixed?: string;
  readonly obeys: string[];
}

interface Invariant {
  readonly expression: string;
  readonly severity: string;
  readonly description: string;
}

/** The specification's models, as SUSHI reads them. */
export interface CdsHooksModels {
  readonly models: ReadonlyMap<
    string,
    { readonly parent: string; readonly elements: Map<string, Element> }
  >;
  readonly invariants: ReadonlyMap<string, Invariant>;
}

/** One finding: where, which rule, what. */
export interface Finding {
  readonly at: string;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

interface RawRule {
  readonly constructor: { readonly name: string };
  readonly path: string;
  readonly [key: string]: unknown;
}

const codeOf = (value: unknown): string =>
  typeof value === 'object' && value !== null && 'code' in value
    ? String(value.code)
    : String(value);

/** Reads the specification's FSH sources (`fsh/*.fsh`). */
export function loadCdsHooksModels(dir = cdsHooksSpecDir): CdsHooksModels {
  const fshDir = join(dir, 'fsh');
  const files = readdirSync(fshDir).filter((name) => name.endsWith('.fsh'));
  const documents = importText(
    files.map(
      (name) => new RawFSH(readFileSync(join(fshDir, name), 'utf8'), name),
    ),
  );
  const models = new Map<
    string,
    { parent: string; elements: Map<string, Element> }
  >();
  const invariants = new Map<string, Invariant>();
  for (const document of documents) {
    for (const [name, invariant] of document.invariants) {
      // `* expression = "..."` and `* severity = #error` are assignment
      // rules of the invariant.
      const assigned = (path: string): string | undefined => {
        const rule = (
          invariant.rules as unknown as { path: string; value: unknown }[]
        ).find((candidate) => candidate.path === path);
        return rule === undefined ? undefined : codeOf(rule.value);
      };
      invariants.set(name, {
        expression: assigned('expression') ?? '',
        severity: assigned('severity') ?? '',
        description: invariant.description ?? '',
      });
    }
    for (const [name, logical] of document.logicals) {
      const elements = new Map<string, Element>();
      // The root's invariants sit under the path ''.
      elements.set('', {
        path: '',
        min: 1,
        max: '1',
        types: [],
        definition: '',
        obeys: [],
      });
      let extension: { url?: string; element?: Element } = {};
      for (const rule of logical.rules as unknown as RawRule[]) {
        const path = rule.path === '.' ? '' : rule.path;
        const kind = rule.constructor.name;
        if (kind === 'AddElementRule') {
          elements.set(path, {
            path,
            min: rule['min'] as number,
            max: rule['max'] as string,
            types: (rule['types'] as { type: string }[]).map((t) => t.type),
            ...(typeof rule['contentReference'] === 'string'
              ? { contentReference: rule['contentReference'] }
              : {}),
            definition:
              typeof rule['definition'] === 'string' ? rule['definition'] : '',
            obeys: [],
          });
          continue;
        }
        const element = elements.get(path);
        if (element === undefined) continue;
        if (kind === 'ObeysRule') {
          element.obeys.push(rule['invariant'] as string);
        } else if (kind === 'BindingRule') {
          element.binding = {
            valueSet: rule['valueSet'] as string,
            strength: rule['strength'] as string,
          };
        } else if (kind === 'AssignmentRule') {
          element.fixed = codeOf(rule['value']);
        } else if (kind === 'CaretValueRule') {
          // extension[0].url / extension[+].url / extension.url, then the
          // value of the same extension (not nested extensions).
          const caret = /^extension(?:\[[^\]]*\])?\.(url|value\w+)$/.exec(
            rule['caretPath'] as string,
          );
          if (caret === null) continue;
          if (caret[1] === 'url') {
            extension = { url: String(rule['value']), element };
            continue;
          }
          if (extension.element !== element) continue;
          const value = codeOf(rule['value']);
          switch (extension.url) {
            case `${TOOLS_SD}json-name`:
              element.jsonName = value;
              break;
            case `${TOOLS_SD}json-property-key`:
              element.propertyKey = value;
              break;
            case `${TOOLS_SD}json-empty-behavior`:
              element.emptyBehavior = value;
              break;
            case undefined:
            default:
              break;
          }
        }
      }
      models.set(name, { parent: logical.parent ?? '', elements });
    }
  }
  return { models, invariants };
}

/** Each bound value set's codes, and whether its element's definition states them. */
export function codesStatedBySpecification(
  models: CdsHooksModels,
): { valueSet: string; element: string; stated: boolean }[] {
  const found: { valueSet: string; element: string; stated: boolean }[] = [];
  for (const [name, model] of models.models) {
    for (const element of model.elements.values()) {
      if (element.binding === undefined) continue;
      const codes = boundCodes[element.binding.valueSet] ?? [];
      found.push({
        valueSet: element.binding.valueSet,
        element: `${name}.${element.path}`,
        stated:
          codes.length > 0 &&
          codes.every((code) => element.definition.includes(code)),
      });
    }
  }
  return found;
}

const UUID =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const INSTANT =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const CODE = /^[^\s]+( [^\s]+)*$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Is `value` of the FHIR type `type` (JSON form)? */
function typeProblem(type: string, value: unknown): string | null {
  switch (type) {
    case 'string':
    case 'markdown':
      return typeof value === 'string' && value !== ''
        ? null
        : 'a non-empty string';
    case 'uuid':
      // implied-string-prefix urn:uuid: - the JSON holds the bare UUID.
      return typeof value === 'string' && UUID.test(value) ? null : 'a UUID';
    case 'url':
      return typeof value === 'string' && /^\S+$/.test(value) ? null : 'a URL';
    case 'code':
      return typeof value === 'string' && CODE.test(value) ? null : 'a code';
    case 'id':
      return typeof value === 'string' && ID.test(value) ? null : 'an id';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'true or false';
    case 'integer':
      return Number.isInteger(value) ? null : 'an integer';
    case 'instant':
      return typeof value === 'string' && INSTANT.test(value)
        ? null
        : 'an instant with its time zone';
    case 'Coding':
      return isObject(value) &&
        ['system', 'code', 'display', 'version'].every(
          (key) => value[key] === undefined || typeof value[key] === 'string',
        )
        ? null
        : 'a Coding';
    case 'Resource':
      return isObject(value) && typeof value['resourceType'] === 'string'
        ? null
        : 'a FHIR resource';
    default:
      return isObject(value) ? null : 'an object';
  }
}

/** The elements of a model, its parents' included. */
function elementsOf(
  models: CdsHooksModels,
  name: string,
): Map<string, Element> {
  const model = models.models.get(name);
  if (model === undefined) return new Map();
  const inherited = elementsOf(models, model.parent);
  inherited.delete('');
  return new Map([...inherited, ...model.elements]);
}

/**
 * Every finding of `instance` against the model `name` (CDSHooksServices,
 * CDSHooksRequest, CDSHooksResponse, CDSHooksFeedback). An element the model
 * does not define is a finding too, except inside a hook's context, a FHIR
 * resource or an `extension` (open by design).
 */
export function checkCdsHooks(
  models: CdsHooksModels,
  name: string,
  instance: unknown,
): Finding[] {
  const elements = elementsOf(models, name);
  const findings: Finding[] = [];
  const invariant = (element: Element, value: unknown, at: string) => {
    for (const key of element.obeys) {
      const rule = models.invariants.get(key);
      if (rule === undefined) continue;
      let result: unknown[];
      try {
        result = evalFhirPath(rule.expression, value);
      } catch (error) {
        findings.push({
          at,
          rule: key,
          severity: 'error',
          message: `cannot evaluate: ${String(error)}`,
        });
        continue;
      }
      if (result.length === 1 && result[0] === false) {
        findings.push({
          at,
          rule: key,
          severity: rule.severity === 'warning' ? 'warning' : 'error',
          message: rule.description,
        });
      }
    }
  };
  const children = (prefix: string) =>
    [...elements.values()].filter((element) => {
      if (element.path === '') return false;
      const dot = element.path.lastIndexOf('.');
      return (dot < 0 ? '' : element.path.slice(0, dot)) === prefix;
    });
  const walk = (node: Record<string, unknown>, prefix: string, at: string) => {
    const defined = children(prefix);
    const names = new Set<string>();
    for (const element of defined) {
      const last = element.path.slice(element.path.lastIndexOf('.') + 1);
      const key = element.jsonName ?? last;
      names.add(key);
      const here = `${at}${at === '' ? '' : '.'}${key}`;
      const value = node[key];
      const empty =
        value === undefined ||
        (Array.isArray(value) && value.length === 0) ||
        (isObject(value) && Object.keys(value).length === 0);
      if (value === undefined) {
        if (element.min > 0) {
          findings.push({
            at: here,
            rule: 'cardinality',
            severity: 'error',
            message: `required (${String(element.min)}..${element.max})`,
          });
        } else if (element.emptyBehavior === 'present') {
          findings.push({
            at: here,
            rule: 'json-empty-behavior',
            severity: 'error',
            message: 'present even when empty',
          });
        }
        continue;
      }
      if (empty && element.emptyBehavior === 'absent') {
        findings.push({
          at: here,
          rule: 'json-empty-behavior',
          severity: 'error',
          message: 'absent when empty',
        });
      }
      let items: [string, unknown][];
      if (element.propertyKey !== undefined) {
        // A map: {key: value, ...}, each value the `value` child.
        if (!isObject(value)) {
          findings.push({
            at: here,
            rule: 'type',
            severity: 'error',
            message: 'an object keyed by name',
          });
          continue;
        }
        const valueRule = elements.get(`${element.path}.value`);
        for (const [key, item] of Object.entries(value)) {
          const problem = valueRule
            ? typeProblem(valueRule.types[0] ?? '', item)
            : null;
          if (problem !== null) {
            findings.push({
              at: `${here}.${key}`,
              rule: 'type',
              severity: 'error',
              message: `must be ${problem}`,
            });
          }
        }
        continue;
      }
      if (element.max === '*') {
        if (!Array.isArray(value)) {
          findings.push({
            at: here,
            rule: 'cardinality',
            severity: 'error',
            message: 'an array',
          });
          continue;
        }
        items = value.map((item, index) => [`${here}[${String(index)}]`, item]);
      } else {
        if (Array.isArray(value)) {
          findings.push({
            at: here,
            rule: 'cardinality',
            severity: 'error',
            message: 'one value, not an array',
          });
          continue;
        }
        items = [[here, value]];
      }
      // A content reference (systemActions) takes the referenced element's
      // definition: its type, children, binding and invariants.
      const subPath = element.contentReference
        ? element.contentReference.replace(/^#[^.]+\./, '')
        : element.path;
      const target = elements.get(subPath) ?? element;
      const type = target.types[0] ?? '';
      for (const [itemAt, item] of items) {
        const problem = typeProblem(type, item);
        if (problem !== null) {
          findings.push({
            at: itemAt,
            rule: 'type',
            severity: 'error',
            message: `must be ${problem}`,
          });
          continue;
        }
        if (target.fixed !== undefined && item !== target.fixed) {
          findings.push({
            at: itemAt,
            rule: 'fixed value',
            severity: 'error',
            message: `must be ${target.fixed}`,
          });
        }
        if (target.binding?.strength === 'required') {
          const codes = boundCodes[target.binding.valueSet];
          if (codes !== undefined && !codes.includes(item as string)) {
            findings.push({
              at: itemAt,
              rule: target.binding.valueSet,
              severity: 'error',
              message: `one of ${codes.join(', ')}`,
            });
          }
        }
        invariant(target, item, itemAt);
        // Open by design: a hook's context, extensions, FHIR content.
        const open = [
          `${TOOLS_SD}CDSHookContext`,
          `${TOOLS_SD}CDSHooksExtensions`,
        ].includes(type);
        if (isObject(item) && !open && type.startsWith(TOOLS_SD)) {
          walk(item, subPath, itemAt);
        }
      }
    }
    for (const key of Object.keys(node)) {
      if (!names.has(key) && key !== 'extension') {
        findings.push({
          at: `${at}${at === '' ? '' : '.'}${key}`,
          rule: 'unknown element',
          severity: 'error',
          message: `not an element of ${name}`,
        });
      }
    }
  };
  if (!isObject(instance)) {
    return [{ at: '', rule: 'type', severity: 'error', message: 'an object' }];
  }
  const root = elements.get('');
  if (root) invariant(root, instance, '');
  walk(instance, '', '');
  return findings;
}
