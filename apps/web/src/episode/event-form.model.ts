/**
 * The pure side of the event forms. A form starts from the event's JSON
 * Schema (the contract's zod schema, the one the service validates with),
 * shaped for people: clinical times entered apart from the recording time,
 * a schedule chosen by kind, findings three-valued, each analyte with its
 * usual unit. What the form sends is checked with the same zod schema before
 * it leaves the browser; the service's answers are mapped back to fields.
 */
import type { RJSFSchema, UiSchema } from '@rjsf/utils';

import {
  type EpisodeEventType,
  episodeEventTypes,
  payloadSchemas,
} from '@mas/contracts';
import {
  type AnalyteId,
  analyteUnits,
  findingIds,
  findingLabels,
  type PanelItemId,
  panelItemIds,
  panelItemLabel,
  pulseScheduleProblem,
  subjectLabel,
  type UnusualValue,
  unusualValues,
} from '@mas/protocol';

import { ageInDays } from './clinical-time.model.js';
import { displayUnit } from './labs.model.js';
import { routeText, SCHEDULE_KIND_WORDS, unitText } from './therapy.model.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A tree of messages by field, as the form library shows them. */
export interface FormErrors {
  [key: string]: FormErrors | string[] | undefined;
  __errors?: string[];
}

/** The label of an option: its type and, where there are several, which. */
export function optionLabel(option: {
  readonly type: string;
  readonly variant?: string;
}): string {
  return option.variant ? `${option.type} (${option.variant})` : option.type;
}

// ------------------------------------------------------------ schema

/** Clinical times and what each is called in a form. */
export const CLINICAL_TIMES = {
  givenAt: 'Given at',
  collectedAt: 'Sample drawn at',
  stoppedAt: 'Stopped at',
  measuredAt: 'Measured at',
} as const;
type ClinicalTimeField = keyof typeof CLINICAL_TIMES;

const isClinicalTime = (name: string): name is ClinicalTimeField =>
  name in CLINICAL_TIMES;

/** Fields a form asks for apart, in a second step, never in the first. */
/** Fields a form never shows: asked apart, or set by the service (`source`). */
const ASKED_APART = new Set(['doseConfirmation', 'confirmUnusual', 'source']);

const analyteIndex = new Map(analyteUnits().map((a) => [a.id, a]));
const findingSet = new Set<string>(findingIds);

export function isAnalyte(name: string): name is AnalyteId {
  return analyteIndex.has(name as AnalyteId);
}

export function analyteOf(name: string) {
  return analyteIndex.get(name as AnalyteId);
}

/**
 * The contract's schedule (one object per kind) as a form: the kind first,
 * then the fields that kind needs (JSON Schema dependencies).
 */
function scheduleForm(schedule: JsonObject): JsonObject {
  const branches = Array.isArray(schedule['oneOf'])
    ? schedule['oneOf'].filter(isObject)
    : [];
  const kinds: string[] = [];
  const dependent = branches.map((branch) => {
    const properties = isObject(branch['properties'])
      ? branch['properties']
      : {};
    const kind = isObject(properties['kind']) ? properties['kind'] : {};
    const value = kind['const'];
    if (typeof value === 'string') kinds.push(value);
    const { kind: _kind, ...fields } = properties;
    const required = Array.isArray(branch['required'])
      ? branch['required'].filter((name) => name !== 'kind')
      : [];
    return {
      properties: { kind: { enum: [value] }, ...fields },
      ...(required.length > 0 ? { required } : {}),
    };
  });
  return {
    type: 'object',
    properties: { kind: { type: 'string', enum: kinds } },
    required: ['kind'],
    dependencies: { kind: { oneOf: dependent } },
  };
}

/** The fields each schedule kind carries (from the form's schema). */
function scheduleFields(schema: RJSFSchema): Record<string, string[]> {
  const schedule = schema.properties?.['schedule'];
  if (!isObject(schedule)) return {};
  const dependencies = isObject(schedule['dependencies'])
    ? schedule['dependencies']
    : {};
  const kind = isObject(dependencies['kind']) ? dependencies['kind'] : {};
  const branches = Array.isArray(kind['oneOf'])
    ? kind['oneOf'].filter(isObject)
    : [];
  return Object.fromEntries(
    branches.map((branch) => {
      const properties = isObject(branch['properties'])
        ? branch['properties']
        : {};
      const kindProperty = isObject(properties['kind'])
        ? properties['kind']
        : {};
      const values: unknown[] = Array.isArray(kindProperty['enum'])
        ? (kindProperty['enum'] as unknown[])
        : [];
      return [String(values[0]), Object.keys(properties)];
    }),
  );
}

/** A panel: the 2016 criteria explained otherwise as checkboxes. */
function panelForm(panel: JsonObject): JsonObject {
  const properties = isObject(panel['properties']) ? panel['properties'] : {};
  const explained = properties['explainedOtherwise'];
  if (!isObject(explained) || !isObject(explained['items'])) return panel;
  const ids = Array.isArray(explained['items']['enum'])
    ? explained['items']['enum'].filter((v) => typeof v === 'string')
    : [];
  return {
    ...panel,
    properties: {
      ...properties,
      explainedOtherwise: {
        ...explained,
        uniqueItems: true,
        items: {
          type: 'string',
          oneOf: ids.map((id) => ({
            const: id,
            title: isAnalyte(id) ? (analyteOf(id)?.label ?? id) : id,
          })),
        },
      },
    },
  };
}

/**
 * The JSON Schema a form renders: the event's own (zod writes draft
 * 2020-12; the form library reads it without the $schema line), with the
 * schedule chosen by kind, clinical times left to their widget, and the
 * fields asked in a second step left out.
 */
export function formSchema(schema: unknown): RJSFSchema {
  if (!isObject(schema)) return { type: 'object' };
  const { $schema: _ignored, ...rest } = schema;
  const properties = isObject(rest['properties']) ? rest['properties'] : {};
  const shaped = Object.fromEntries(
    Object.entries(properties)
      .filter(([name]) => !ASKED_APART.has(name))
      .map(([name, field]): [string, unknown] => {
        if (!isObject(field)) return [name, field];
        if (name === 'schedule' && Array.isArray(field['oneOf'])) {
          return [name, scheduleForm(field)];
        }
        if (name === 'panel') return [name, panelForm(field)];
        // The widget and the zod schema check the time; the long pattern
        // would only repeat it less readably.
        if (isClinicalTime(name)) return [name, { type: 'string' }];
        return [name, field];
      }),
  );
  const required = Array.isArray(rest['required'])
    ? rest['required'].filter(
        (name) => typeof name === 'string' && !ASKED_APART.has(name),
      )
    : undefined;
  return {
    ...rest,
    properties: shaped,
    ...(required ? { required } : {}),
  } as RJSFSchema;
}

const TITLES: Readonly<Record<string, string>> = {
  drug: 'Drug',
  route: 'Route',
  schedule: 'Schedule',
  medication: 'Medication',
  emergency: 'Emergency start (a second senior countersigns later)',
  creatinineClearanceMlMin: 'Creatinine clearance (mL/min), where known',
  clinicalStatus: 'Clinical status',
  clinicalJudgement:
    "Senior's clinical judgement (against the labs; give the rationale)",
  panel: 'Panel',
  weightKg: 'Weight (kg)',
  heightCm: 'Height (cm)',
  basis: 'Basis of the diagnosis',
  kind: 'What',
  result: 'Result',
  requestId: 'Request',
  trigger: 'Trigger',
  agents: 'Antimicrobial agents',
  ebvCellType: 'EBV-infected cells',
  evidence: 'Evidence',
  severe: 'Severe',
  rapidlyWorsening: 'Rapidly worsening',
};

function panelUi(panel: JsonObject): UiSchema {
  const properties = isObject(panel['properties']) ? panel['properties'] : {};
  return Object.fromEntries(
    Object.keys(properties).map((name): [string, UiSchema] => {
      if (isAnalyte(name)) return [name, { 'ui:field': 'analyte' }];
      if (findingSet.has(name)) {
        return [
          name,
          {
            'ui:widget': 'finding',
            'ui:title': findingLabels[name as keyof typeof findingLabels],
            // The widget's legend names it.
            'ui:label': false,
          },
        ];
      }
      switch (name) {
        case 'temperatureC':
          return [name, { 'ui:title': `${panelItemLabel(name)} (°C)` }];
        case 'ageDays':
          // Known from the birth date and the sample time: never asked.
          return [name, { 'ui:widget': 'hidden' }];
        case 'explainedOtherwise':
          return [
            name,
            {
              'ui:widget': 'checkboxes',
              'ui:title': panelItemLabel(name),
            },
          ];
        default:
          return [name, {}];
      }
    }),
  );
}

const FIELD_ORDER = [
  'drug',
  'medication',
  'dose',
  'route',
  'schedule',
  ...Object.keys(CLINICAL_TIMES),
  'panel',
];

/** Words, widgets and order for a form schema's fields. */
export function formUiSchema(schema: RJSFSchema, submitText: string): UiSchema {
  const properties = schema.properties ?? {};
  const ui: UiSchema = {
    'ui:submitButtonOptions': { submitText, norender: true },
    // What was given and how, then when; a sample's time before its values.
    'ui:order': [...FIELD_ORDER.filter((name) => name in properties), '*'],
  };
  for (const [name, field] of Object.entries(properties)) {
    if (isClinicalTime(name)) {
      ui[name] = {
        'ui:widget': 'clinicalTime',
        'ui:title': CLINICAL_TIMES[name],
      };
      continue;
    }
    switch (name) {
      case 'dose':
        ui[name] = {
          'ui:title': 'Dose as given (per administration)',
          value: { 'ui:title': 'Amount' },
          unit: {
            'ui:title': 'Unit',
            'ui:enumNames': enumWords(propertyOf(field, 'unit'), unitText),
          },
        };
        break;
      case 'route':
        ui[name] = {
          'ui:title': TITLES[name],
          'ui:enumNames': enumWords(field, routeText),
        };
        break;
      case 'schedule':
        ui[name] = {
          'ui:title': TITLES[name],
          kind: {
            'ui:title': 'How often',
            'ui:enumNames': SCHEDULE_KIND_WORDS,
          },
          hours: { 'ui:title': 'Every (hours)' },
          day: { 'ui:title': 'Pulse day' },
          of: { 'ui:title': 'of (days in the pulse)' },
        };
        break;
      case 'panel':
        ui[name] = {
          'ui:title': TITLES[name],
          ...(isObject(field) ? panelUi(field) : {}),
        };
        break;
      case 'medication':
        ui[name] = { 'ui:field': 'medication', 'ui:title': TITLES[name] };
        break;
      // Kept from the action, never typed: the record's id; which course a
      // stop or dose change names (the action's label says it: "course
      // started ..."); the emergency start, an action of its own whose
      // button says so (a box would offer it on every start, a
      // glucocorticoid's included).
      case 'recordId':
      case 'startedAt':
      case 'emergency':
        ui[name] = { 'ui:widget': 'hidden' };
        break;
      case 'clinicalJudgement':
        ui[name] = {
          'ui:title': TITLES[name],
          'ui:enumNames': { inadequate: 'inadequate response' },
        };
        break;
      default:
        if (TITLES[name]) {
          // An enum's values in words where the protocol data name them
          // (tb-screening: tuberculosis screening; ebv: EBV).
          const words = enumWords(field, subjectLabel);
          ui[name] = {
            'ui:title': TITLES[name],
            ...(Object.keys(words).length > 0 ? { 'ui:enumNames': words } : {}),
          };
        }
    }
  }
  return ui;
}

/** `object.properties[name]`, if any. */
function propertyOf(object: unknown, name: string): unknown {
  return isObject(object) && isObject(object['properties'])
    ? object['properties'][name]
    : undefined;
}

/** An enum field's values in words. */
function enumWords(
  field: unknown,
  words: (value: string) => string,
): Record<string, string> {
  const values =
    isObject(field) && Array.isArray(field['enum']) ? field['enum'] : [];
  return Object.fromEntries(
    values
      .filter((v): v is string => typeof v === 'string')
      .map((v) => [v, words(v)]),
  );
}

// ------------------------------------------------------------ payloads

/**
 * The payload a form starts from: the example the machine offers (for a
 * therapy, the patient's standard prescription), each clinical time at
 * `now`, a fresh id where a new request needs one.
 */
export function initialPayload(
  schema: RJSFSchema,
  example: unknown,
  now: string,
  /** A form opened again with what was sent: its times are the user's. */
  keepTimes = false,
): unknown {
  const times = Object.keys(schema.properties ?? {})
    .filter(isClinicalTime)
    .filter(
      (name) =>
        !(keepTimes && isObject(example) && typeof example[name] === 'string'),
    );
  if (!isObject(example)) {
    return times.length > 0
      ? Object.fromEntries(times.map((name) => [name, now]))
      : example;
  }
  return {
    ...withoutPlaceholders(example),
    ...(example['requestId'] === '(new)'
      ? { requestId: `req-${crypto.randomUUID().slice(0, 8)}` }
      : {}),
    ...Object.fromEntries(times.map((name) => [name, now])),
  };
}

/**
 * The example without its placeholders ("(agent)": what the machine offers
 * to show the event's shape), so that a form is never sent with one as if a
 * clinician had typed it; the field is left for them to fill in.
 */
function withoutPlaceholders(example: JsonObject): JsonObject {
  const placeholder = (value: unknown) =>
    typeof value === 'string' && /^\(.*\)$/.test(value) && value !== '(new)';
  return Object.fromEntries(
    Object.entries(example).flatMap(([key, value]): [string, unknown][] => {
      if (placeholder(value)) return [];
      if (Array.isArray(value)) {
        const kept = value.filter((item) => !placeholder(item));
        return [[key, kept.length > 0 ? kept : undefined]];
      }
      return [[key, value]];
    }),
  );
}

/** Leaves out empty values: an analyte with no value was not measured. */
function compact(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return value;
  const entries = Object.entries(value)
    .map(([key, inner]): [string, unknown] => [key, compact(inner, depth + 1)])
    .filter(
      ([, inner]) =>
        inner !== undefined &&
        !(depth > 0 && isObject(inner) && Object.keys(inner).length === 0),
    );
  return Object.fromEntries(entries);
}

/**
 * What a form sends: its data without empty values, the schedule with the
 * fields of its kind only (a switch of kind leaves none behind).
 */
export function finalizePayload(schema: RJSFSchema, data: unknown): JsonObject {
  const payload = compact(data ?? {}, 0);
  if (!isObject(payload)) return {};
  const schedule = payload['schedule'];
  if (isObject(schedule) && typeof schedule['kind'] === 'string') {
    const fields = scheduleFields(schema)[schedule['kind']] ?? ['kind'];
    payload['schedule'] = Object.fromEntries(
      Object.entries(schedule).filter(([name]) => fields.includes(name)),
    );
  }
  if (Array.isArray(payload['panel'])) payload['panel'] = {};
  return payload;
}

/**
 * A panel's age at sampling, from the patient's birth date and the sample
 * time (the neonatal rules read it), unless the panel gives one.
 */
export function withAgeAtSampling(
  payload: JsonObject,
  birthDate: string,
): JsonObject {
  const panel = payload['panel'];
  const collectedAt = payload['collectedAt'];
  if (!isObject(panel) || panel['ageDays'] !== undefined) return payload;
  if (typeof collectedAt !== 'string') return payload;
  const days = ageInDays(birthDate, collectedAt);
  return days !== null && days >= 0
    ? { ...payload, panel: { ...panel, ageDays: days } }
    : payload;
}

// ------------------------------------------------------------ errors

/** The tree with `message` at `path`, merged into `errors`. */
export function withError(
  errors: FormErrors,
  path: readonly PropertyKey[],
  message: string,
): FormErrors {
  const [head, ...rest] = path;
  if (head === undefined) {
    return { ...errors, __errors: [...(errors.__errors ?? []), message] };
  }
  const key = String(head);
  const inner = errors[key];
  return {
    ...errors,
    [key]: withError(isFormErrors(inner) ? inner : {}, rest, message),
  };
}

function isFormErrors(value: unknown): value is FormErrors {
  return isObject(value);
}

/** Merges two error trees. */
export function mergeErrors(a: FormErrors, b: FormErrors): FormErrors {
  const merged: FormErrors = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = merged[key];
    if (key === '__errors') {
      merged.__errors = [...(a.__errors ?? []), ...(b.__errors ?? [])];
    } else if (isFormErrors(existing) && isFormErrors(value)) {
      merged[key] = mergeErrors(existing, value);
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

function isEventType(type: string): type is EpisodeEventType {
  return (episodeEventTypes as readonly string[]).includes(type);
}

/**
 * The contract's own check of a payload (the zod schema the service runs):
 * null when it passes, else each problem at its field.
 */
export function payloadErrors(
  type: string,
  payload: unknown,
): FormErrors | null {
  if (!isEventType(type)) return null;
  const result = payloadSchemas[type].safeParse(payload);
  if (result.success) return null;
  return result.error.issues.reduce<FormErrors>(
    (errors, issue) =>
      withError(
        errors,
        issue.path,
        /received undefined/.test(issue.message) ? 'required' : issue.message,
      ),
    {},
  );
}

/**
 * A therapy written as a pulse (day n of N) of a drug the protocol does not
 * give as pulses: said at the schedule before anything is sent, as the
 * service would refuse it. Null otherwise.
 */
export function pulseErrors(payload: unknown): FormErrors | null {
  if (!isObject(payload)) return null;
  const { drug, schedule } = payload;
  if (typeof drug !== 'string' || !isObject(schedule)) return null;
  const kind = schedule['kind'];
  const problem =
    typeof kind === 'string' ? pulseScheduleProblem(drug, { kind }) : null;
  return problem === null ? null : withError({}, ['schedule', 'kind'], problem);
}

const PAYLOAD_FIELD = /^body\.payload\.(.+)$/;

/** A 400 answer's field (`body.payload.panel.platelets.value`) as form errors. */
export function serverFieldErrors(
  field: string | undefined,
  rule: string | undefined,
): FormErrors | null {
  const match = field === undefined ? null : PAYLOAD_FIELD.exec(field);
  if (!match?.[1]) return null;
  return withError({}, match[1].split('.'), rule ?? 'rejected by the service');
}

/** A field path in words: `panel.platelets.value` -> "Platelets (value)". */
export function fieldWords(field: string): string {
  const path = field.replace(/^body\.(payload\.)?/, '').split('.');
  const [first, second, third] = path;
  if (first === 'panel' && second !== undefined) {
    const item = isPanelItem(second) ? panelItemLabel(second) : second;
    return third ? `${item} (${third})` : item;
  }
  if (first !== undefined && isClinicalTime(first)) {
    return CLINICAL_TIMES[first];
  }
  return path.join('.');
}

function isPanelItem(name: string): name is PanelItemId {
  return (panelItemIds as readonly string[]).includes(name);
}

// ------------------------------------------------------------ unusual values

/** An unusual value of a panel, in words, with the field to confirm. */
export interface UnusualItem {
  /** The panel field confirmUnusual names (`platelets`). */
  readonly field: string;
  readonly label: string;
  readonly text: string;
}

/** An unusual value in words: the value, and the usual range it is outside. */
export function unusualText(item: UnusualValue): string {
  const { usual } = item;
  const converted =
    item.unit === usual.unit
      ? ''
      : ` (${formatUsual(item.valueInUsualUnit)} ${displayUnit(usual.unit)})`;
  return `${formatUsual(item.value)} ${displayUnit(item.unit)}${converted} is ${item.side} the usual range ${formatUsual(usual.min)}–${formatUsual(usual.max)} ${displayUnit(usual.unit)}`;
}

const usualNumber = new Intl.NumberFormat('en', {
  maximumSignificantDigits: 6,
});
const formatUsual = (value: number) => usualNumber.format(value);

const rootOf = (field: string) => field.split('.')[0] ?? field;

/**
 * The unusual values of a panel not confirmed yet (the protocol library's
 * `unusualValues`, the machine's check). `only`: the fields the service
 * named, each shown even when this browser does not flag it. Throws the
 * library's ClinicalInputError for an impossible value.
 */
export function unusualItems(
  panel: unknown,
  confirmed: readonly string[] = [],
  only?: readonly string[],
): readonly UnusualItem[] {
  const found = unusualValues(isObject(panel) ? panel : {});
  const done = new Set(confirmed.map(rootOf));
  const items = found
    .filter((item) => !done.has(rootOf(item.field)))
    .filter((item) => only === undefined || only.includes(rootOf(item.field)))
    .map((item) => ({
      field: rootOf(item.field),
      label: fieldWords(`panel.${rootOf(item.field)}`),
      text: unusualText(item),
    }));
  const named = new Set(items.map((item) => item.field));
  const unnamed = (only ?? [])
    .filter((field) => !named.has(field))
    .map((field) => ({
      field,
      label: fieldWords(`panel.${field}`),
      text: 'the service finds this value unusual: check it and its unit',
    }));
  return [...items, ...unnamed];
}
