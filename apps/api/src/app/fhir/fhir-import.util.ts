/**
 * FHIR R4 in: laboratory results as a laboratory system or an EHR sends
 * them (a Bundle of Observations, a subscription notification Bundle, or one
 * Observation) read into the episode's lab record. Pure: the body in, the
 * panels to record out (one per sample time), or a refusal naming the entry
 * and the rule. Codes are read through the versioned terminology.
 */
import {
  effectiveEntries,
  instantSchema,
  MAX_OBSERVATION_KEY_LENGTH,
  type ReplayableEntry,
  voidsOf,
} from '@mas/contracts';
import {
  type AnalyteId,
  codeSystems,
  type LabPanelInput,
  loincTarget,
  sameAnalyteQuantity,
} from '@mas/protocol';

/** A refusal of an imported body: where (`entry[3].resource.valueQuantity.unit`) and why. */
export class FhirImportError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}

/** One Observation read, and where it was in the body. */
export interface ImportedValue {
  /** Where it was (`entry[3].resource`, or `` for a lone Observation). */
  readonly path: string;
  /** What identifies it across sends (identifier, full URL or id). */
  readonly key: string;
  /** The panel field it fills (`ferritin`, `temperatureC`). */
  readonly field: string;
}

/** The values of one sample time: one `labs.recorded` event. */
export interface ImportedPanel {
  readonly collectedAt: string;
  readonly panel: LabPanelInput;
  readonly values: readonly ImportedValue[];
}

export interface ImportedBody {
  readonly panels: readonly ImportedPanel[];
  /** Observations already recorded (by their key): left out. */
  readonly duplicates: readonly string[];
  /**
   * Results the laboratory withdraws (entered-in-error, cancelled) whose
   * panel the ward already marked entered in error (by their key): already
   * corrected, left out.
   */
  readonly alreadyCorrected: readonly string[];
  /** Entries that are not Observations (a notification's status, a report): left out. */
  readonly ignored: number;
}

/** The most Observations one request may carry. */
export const MAX_IMPORTED_OBSERVATIONS = 200;

/** Statuses of a result one may act on (R4 observation-status). */
const FINAL_STATUSES = ['final', 'amended', 'corrected'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `field` of the resource at `path` (a lone Observation has no path). */
export const fieldAt = (path: string, field: string) =>
  path === '' ? field : `${path}.${field}`;
const at = fieldAt;

/** How a kept key says what it was (an export reads it back). */
export const OBSERVATION_KEY = {
  identifier: 'identifier:',
  url: 'url:',
  id: 'id:Observation/',
} as const;

/**
 * What identifies an Observation across sends, as the lab record keeps it
 * (`key`: its first identifier, else its full URL or id), and every other
 * name it goes by (`aliases`: each of its identifiers), so that a result
 * sent again with its identifiers in another order is the same result.
 */
function keysOf(
  resource: Json,
  fullUrl: unknown,
  path: string,
): { key: string; aliases: readonly string[] } {
  const identifiers = Array.isArray(resource['identifier'])
    ? (resource['identifier'] as unknown[])
    : [];
  identifiers.forEach((identifier, index) => {
    if (
      isObject(identifier) &&
      typeof identifier['system'] === 'string' &&
      identifier['system'].includes('|')
    ) {
      // A URI holds no bar: the key (system|value) would be read back wrong.
      throw new FhirImportError(
        at(path, `identifier[${String(index)}].system`),
        "an identifier's system is a URI, which holds no '|'",
      );
    }
  });
  const named = identifiers.flatMap((identifier) =>
    isObject(identifier) && typeof identifier['value'] === 'string'
      ? [
          `${OBSERVATION_KEY.identifier}${typeof identifier['system'] === 'string' ? identifier['system'] : ''}|${identifier['value']}`,
        ]
      : [],
  );
  const key = named[0] ?? otherKey(resource, fullUrl, path);
  for (const name of [key, ...named]) {
    if (name.length > MAX_OBSERVATION_KEY_LENGTH) {
      // Checked before anything is written: a key the record cannot keep
      // would fail midway through a Bundle.
      throw new FhirImportError(
        at(path, 'identifier'),
        `the Observation's identifier (system and value, or its URL or id) must be at most ${String(MAX_OBSERVATION_KEY_LENGTH)} characters`,
      );
    }
  }
  return { key, aliases: named.length > 0 ? named : [key] };
}

function otherKey(resource: Json, fullUrl: unknown, path: string): string {
  if (typeof fullUrl === 'string' && !fullUrl.startsWith('urn:uuid:')) {
    return `${OBSERVATION_KEY.url}${fullUrl}`;
  }
  if (typeof resource['id'] === 'string' && resource['id'] !== '') {
    return `${OBSERVATION_KEY.id}${resource['id']}`;
  }
  throw new FhirImportError(
    at(path, 'identifier'),
    'an Observation needs an identifier (or an id) so that it is recorded once',
  );
}

/** The episode's patient, as an Observation's subject may name it. */
export interface ImportPatient {
  /** The episode's id: its FHIR Patient is `Patient/{id}`. */
  readonly id: string;
  /** The pseudonymous identifier the ward recorded. */
  readonly identifier: string;
}

/** What an entry of the Bundle is, to resolve a subject pointing into it. */
interface BundleItem {
  readonly resource: Json;
  readonly fullUrl: unknown;
  readonly path: string;
}

/** Whether a Patient resource carries the episode's patient's identifier. */
function carriesIdentifier(resource: Json, patient: ImportPatient): boolean {
  return (
    Array.isArray(resource['identifier']) &&
    (resource['identifier'] as unknown[]).some(
      (identifier) =>
        isObject(identifier) && identifier['value'] === patient.identifier,
    )
  );
}

/**
 * The subject of an Observation is the episode's patient: its Patient
 * (`Patient/{episode id}`, relative or absolute), a Patient of the Bundle
 * that carries the patient's identifier, or a logical reference by that
 * identifier. No subject, or a display alone: the route names the episode.
 * A reference or an identifier naming anyone else (another patient, or one
 * that cannot be matched) is refused: a result is never recorded on a
 * patient it may name as someone else.
 */
function checkSubject(
  resource: Json,
  path: string,
  patient: ImportPatient,
  items: readonly BundleItem[],
): void {
  const subject = resource['subject'];
  if (subject === undefined) return;
  const field = at(path, 'subject');
  const whose = `this episode's patient is Patient/${patient.id} (identifier ${patient.identifier})`;
  if (!isObject(subject)) {
    throw new FhirImportError(
      field,
      `must be a Reference to the patient: ${whose}`,
    );
  }
  const reference = subject['reference'];
  if (typeof reference === 'string') {
    const own = `Patient/${patient.id}`;
    if (reference === own || reference.endsWith(`/${own}`)) return;
    const target = items.find(
      (item) =>
        item.resource['resourceType'] === 'Patient' &&
        (item.fullUrl === reference ||
          (typeof item.resource['id'] === 'string' &&
            reference === `Patient/${item.resource['id']}`)),
    );
    if (target !== undefined) {
      if (
        carriesIdentifier(target.resource, patient) ||
        target.resource['id'] === patient.id
      ) {
        return;
      }
      throw new FhirImportError(
        field,
        `names ${reference}, a Patient of the Bundle without this patient's identifier: ${whose}`,
      );
    }
    throw new FhirImportError(
      field,
      `names ${reference}, another patient or one this service cannot match: ${whose}`,
    );
  }
  const identifier = subject['identifier'];
  if (isObject(identifier) && typeof identifier['value'] === 'string') {
    if (identifier['value'] === patient.identifier) return;
    throw new FhirImportError(
      `${field}.identifier.value`,
      `names the patient ${identifier['value']}, not this episode's: ${whose}`,
    );
  }
  if (identifier !== undefined) {
    throw new FhirImportError(
      `${field}.identifier`,
      `must carry the patient's identifier as its value: ${whose}`,
    );
  }
  // A display alone names nobody this service can match: the route names
  // the episode, as when the subject is left out.
}

/** Bundle types a laboratory system or an EHR sends results in. */
const BUNDLE_TYPES = [
  'collection',
  'transaction',
  'batch',
  'history',
  'message',
];
/** What an entry's request may ask: to create or to update a result. */
const REQUEST_METHODS = ['POST', 'PUT'];
/** Statuses of a result withdrawn by the laboratory (never recorded). */
const WITHDRAWN_STATUSES = ['entered-in-error', 'cancelled'];

/** An Observation's LOINC coding and what the protocol records it as. */
function loincOf(resource: Json) {
  const code = resource['code'];
  const codings =
    isObject(code) && Array.isArray(code['coding']) ? code['coding'] : [];
  const loinc = codings.find(
    (coding): coding is Json =>
      isObject(coding) && coding['system'] === codeSystems.loinc,
  );
  const target =
    loinc && typeof loinc['code'] === 'string'
      ? loincTarget(loinc['code'])
      : null;
  return { loinc, target };
}

/** The panel field an Observation's LOINC code fills, if it names one. */
function fieldOf(resource: Json): string | null {
  const { target } = loincOf(resource);
  if (!target) return null;
  return target.kind === 'temperature' ? 'temperatureC' : target.analyte;
}

/** One Observation: its panel field, value and sample time. */
function readObservation(
  resource: Json,
  path: string,
): {
  field: string;
  value: number | { value: number; unit: string };
  collectedAt: string;
} {
  const status = resource['status'];
  if (typeof status !== 'string' || !FINAL_STATUSES.includes(status)) {
    throw new FhirImportError(
      at(path, 'status'),
      `must be ${FINAL_STATUSES.join(', ')} (a ${String(status)} result is not acted on)`,
    );
  }
  const { loinc, target } = loincOf(resource);
  if (!target) {
    throw new FhirImportError(
      at(path, 'code.coding'),
      'no LOINC code the protocol records (see GET /api/fhir/R4/metadata and the README for the codes)',
    );
  }
  const quantity = resource['valueQuantity'];
  if (!isObject(quantity) || typeof quantity['value'] !== 'number') {
    throw new FhirImportError(
      at(path, 'valueQuantity'),
      'a result is recorded from its valueQuantity (a number with its UCUM unit)',
    );
  }
  const comparator = quantity['comparator'];
  if (comparator !== undefined) {
    throw new FhirImportError(
      at(path, 'valueQuantity.comparator'),
      `a result outside the measurable range (${typeof comparator === 'string' ? comparator : JSON.stringify(comparator)} ${String(quantity['value'])}) is not an exact value: it is not recorded automatically, since criteria and scores would read it as exactly ${String(quantity['value'])}; nothing of the Bundle is recorded (send the other results without it, and tell the ward, whose clinician records what it means)`,
    );
  }
  const system = quantity['system'];
  if (system !== undefined && system !== codeSystems.ucum) {
    throw new FhirImportError(
      at(path, 'valueQuantity.system'),
      `must be UCUM (${codeSystems.ucum})`,
    );
  }
  const unit =
    typeof quantity['code'] === 'string'
      ? quantity['code']
      : typeof quantity['unit'] === 'string'
        ? quantity['unit']
        : undefined;
  const units = target.kind === 'temperature' ? [target.unit] : target.units;
  if (unit === undefined || !units.includes(unit)) {
    throw new FhirImportError(
      at(
        path,
        `valueQuantity.${typeof quantity['code'] === 'string' ? 'code' : 'unit'}`,
      ),
      `LOINC ${String(loinc?.['code'])} is recorded in ${units.join(' or ')}, not ${String(unit)}`,
    );
  }
  const effective =
    resource['effectiveDateTime'] ?? resource['effectiveInstant'];
  if (!instantSchema.safeParse(effective).success) {
    throw new FhirImportError(
      at(path, 'effectiveDateTime'),
      'the sample time is required, as a date-time with its offset (a date alone is not a sample time)',
    );
  }
  const collectedAt = new Date(effective as string).toISOString();
  return target.kind === 'temperature'
    ? { field: 'temperatureC', value: quantity['value'], collectedAt }
    : {
        field: target.analyte,
        value: { value: quantity['value'], unit },
        collectedAt,
      };
}

/**
 * The panels `body` holds, leaving out the Observations whose key is in
 * `recorded`. Throws a `FhirImportError` naming the first bad entry.
 */
export function importLabResults(
  body: unknown,
  recorded: ReadonlyMap<string, RecordedObservation>,
  patient?: ImportPatient,
  /** Keys of panels the ward marked entered in error (`voidedKeys`). */
  enteredInError: ReadonlySet<string> = new Set(),
): ImportedBody {
  if (!isObject(body)) {
    throw new FhirImportError('body', 'must be a FHIR Bundle or Observation');
  }
  const items: BundleItem[] = [];
  if (body['resourceType'] === 'Observation') {
    items.push({ resource: body, fullUrl: undefined, path: '' });
  } else if (body['resourceType'] === 'Bundle') {
    const type = body['type'];
    if (typeof type !== 'string' || !BUNDLE_TYPES.includes(type)) {
      throw new FhirImportError(
        'type',
        `must be ${BUNDLE_TYPES.join(', ')} (a Bundle of results as a laboratory system or an EHR sends them), not ${type === undefined ? 'missing' : JSON.stringify(type)}`,
      );
    }
    const entries = body['entry'];
    if (!Array.isArray(entries)) {
      throw new FhirImportError('entry', 'a Bundle of results holds entries');
    }
    entries.forEach((entry: unknown, index) => {
      const path = `entry[${String(index)}].resource`;
      if (!isObject(entry) || !isObject(entry['resource'])) {
        throw new FhirImportError(path, 'each entry holds a resource');
      }
      const request = entry['request'];
      if (request !== undefined) {
        const method = isObject(request) ? request['method'] : undefined;
        if (typeof method !== 'string' || !REQUEST_METHODS.includes(method)) {
          throw new FhirImportError(
            `entry[${String(index)}].request.method`,
            `must be ${REQUEST_METHODS.join(' or ')} (a result created or updated is recorded), not ${method === undefined ? 'missing' : JSON.stringify(method)}: nothing is deleted or read through this route`,
          );
        }
      }
      items.push({
        resource: entry['resource'],
        fullUrl: entry['fullUrl'],
        path,
      });
    });
  } else {
    throw new FhirImportError('resourceType', 'must be Bundle or Observation');
  }
  for (const { resource, path } of items) {
    // Left out only when it says what else it is: a result misspelt is
    // never counted as "ignored".
    const type = resource['resourceType'];
    if (typeof type !== 'string' || type === '') {
      throw new FhirImportError(
        at(path, 'resourceType'),
        'each resource names its resourceType',
      );
    }
    if (type !== 'Observation' && type.toLowerCase() === 'observation') {
      throw new FhirImportError(
        at(path, 'resourceType'),
        'must be Observation (FHIR resource types are case-sensitive)',
      );
    }
  }
  if (patient !== undefined) {
    // A Bundle that carries another patient is about someone else: none of
    // its results is recorded here, with a subject or without.
    for (const { resource, path } of items) {
      if (
        resource['resourceType'] === 'Patient' &&
        resource['id'] !== patient.id &&
        !carriesIdentifier(resource, patient)
      ) {
        throw new FhirImportError(
          path,
          `a Patient without this patient's identifier: the Bundle is about another patient (this episode's patient is Patient/${patient.id}, identifier ${patient.identifier})`,
        );
      }
    }
  }
  const observations = items.filter(
    (item) => item.resource['resourceType'] === 'Observation',
  );
  if (observations.length > MAX_IMPORTED_OBSERVATIONS) {
    throw new FhirImportError(
      'entry',
      `at most ${String(MAX_IMPORTED_OBSERVATIONS)} Observations in one request`,
    );
  }
  const byTime = new Map<
    string,
    { panel: Record<string, unknown>; values: ImportedValue[] }
  >();
  const duplicates: string[] = [];
  const alreadyCorrected: string[] = [];
  const seen = new Set<string>();
  for (const { resource, fullUrl, path } of observations) {
    const { key: ownKey, aliases } = keysOf(resource, fullUrl, path);
    if (patient !== undefined) checkSubject(resource, path, patient, items);
    // Recorded under any of its names (the name it was recorded under), as
    // the result of the same analyte: an identifier several results share
    // (an accession number) never makes another analyte a repeat.
    const field = fieldOf(resource);
    const key =
      aliases.find((alias) => {
        const was = recorded.get(alias);
        return was !== undefined && (field === null || field in was.panel);
      }) ?? ownKey;
    const earlier = recorded.get(key);
    const status = resource['status'];
    if (
      earlier &&
      typeof status === 'string' &&
      WITHDRAWN_STATUSES.includes(status)
    ) {
      // The laboratory withdraws a result already recorded: never dropped
      // silently, never applied unseen (the record keeps what was decided
      // on it); said so that the feed's operator tells the ward.
      throw new FhirImportError(
        at(path, 'status'),
        `${key} is already recorded (sample of ${earlier.collectedAt}) and the laboratory now marks it ${status}: a withdrawn result is not removed automatically; tell the ward, so that a clinician reviews the decisions taken on it and records the corrected values as a new panel, with the reason`,
      );
    }
    const voided = earlier
      ? undefined
      : aliases.find((alias) => enteredInError.has(alias));
    if (
      voided !== undefined &&
      typeof status === 'string' &&
      WITHDRAWN_STATUSES.includes(status)
    ) {
      // Withdrawn by the laboratory, and already marked entered in error by
      // the ward (no panel in force holds it): nothing left to tell.
      alreadyCorrected.push(voided);
      continue;
    }
    const read = readObservation(resource, path);
    if (earlier) {
      if (resource['status'] !== 'final') {
        // A changed result of one already recorded: never dropped as a
        // repeat, never applied unseen. The recorded value stays until a
        // clinician records the corrected panel.
        throw new FhirImportError(
          at(path, 'status'),
          `${key} is already recorded: an ${String(resource['status'])} result is not applied automatically (record the corrected values as a new panel, with the reason)`,
        );
      }
      // Sent again as 'final' but not the same result (a laboratory that
      // corrects in place, or two results under one identifier): neither
      // dropped as a repeat nor applied unseen.
      const differs = sameResult(earlier, read);
      if (differs !== null) {
        throw new FhirImportError(
          at(path, differs.path),
          `${key} is already recorded with ${differs.recorded}, not ${differs.sent}: a changed result is not applied automatically (record the corrected values as a new panel, with the reason)`,
        );
      }
      duplicates.push(key);
      continue;
    }
    if (seen.has(key)) {
      throw new FhirImportError(at(path, 'identifier'), `${key} is sent twice`);
    }
    seen.add(key);
    const group = byTime.get(read.collectedAt) ?? { panel: {}, values: [] };
    if (read.field in group.panel) {
      throw new FhirImportError(
        at(path, 'code'),
        `a second ${read.field} for the sample of ${read.collectedAt}`,
      );
    }
    group.panel[read.field] = read.value;
    group.values.push({ path, key, field: read.field });
    byTime.set(read.collectedAt, group);
  }
  const panels = [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([collectedAt, group]) => ({
      collectedAt,
      panel: group.panel,
      values: group.values,
    }));
  return {
    panels,
    duplicates,
    alreadyCorrected,
    ignored: items.length - observations.length,
  };
}

/** What an episode's audit holds of an Observation it recorded. */
export interface RecordedObservation {
  readonly collectedAt: string;
  /** The panel recorded from its sample (the value under its field). */
  readonly panel: Readonly<Record<string, unknown>>;
}

/**
 * The keys of the Observations of panels entered in error (the `labs.recorded`
 * entries voided among `entries`) that no panel in force holds: a result the
 * laboratory withdraws among them is already corrected, and one sent again
 * as final is recorded anew.
 */
export function voidedKeys(entries: readonly ReplayableEntry[]): Set<string> {
  const voids = voidsOf(entries);
  const inForce = recordedKeys(effectiveEntries(entries));
  const keys = new Set<string>();
  for (const key of recordedKeys(
    entries.filter((entry) => voids.has(entry.seq)),
  ).keys()) {
    if (!inForce.has(key)) keys.add(key);
  }
  return keys;
}

/**
 * The Observations an episode's audit already holds, by key. Given the
 * entries in force (`effectiveEntries`): a panel entered in error holds none.
 */
export function recordedKeys(
  entries: readonly { readonly type: string; readonly payload: unknown }[],
): Map<string, RecordedObservation> {
  const keys = new Map<string, RecordedObservation>();
  for (const entry of entries) {
    if (entry.type !== 'labs.recorded') continue;
    const payload = entry.payload as {
      collectedAt?: unknown;
      panel?: unknown;
      source?: { observations?: unknown };
    };
    const observations = payload.source?.observations;
    if (!Array.isArray(observations)) continue;
    const recorded: RecordedObservation = {
      collectedAt:
        typeof payload.collectedAt === 'string'
          ? new Date(payload.collectedAt).toISOString()
          : '',
      panel: isObject(payload.panel) ? payload.panel : {},
    };
    for (const key of observations) {
      if (typeof key === 'string') keys.set(key, recorded);
    }
  }
  return keys;
}

/**
 * Where a result sent again differs from the one recorded under its key
 * (null: the same sample time and value), in words.
 */
function sameResult(
  earlier: RecordedObservation,
  sent: ReturnType<typeof readObservation>,
): { path: string; recorded: string; sent: string } | null {
  if (earlier.collectedAt !== sent.collectedAt) {
    return {
      path: 'effectiveDateTime',
      recorded: `the sample time ${earlier.collectedAt}`,
      sent: sent.collectedAt,
    };
  }
  const was = earlier.panel[sent.field];
  const words = (value: unknown) =>
    isObject(value)
      ? `${String(value['value'])} ${String(value['unit'])}`
      : String(value);
  const same =
    typeof sent.value === 'number'
      ? was === sent.value
      : isObject(was) &&
        typeof was['value'] === 'number' &&
        typeof was['unit'] === 'string' &&
        sameAnalyteQuantity(sent.field as AnalyteId, sent.value, {
          value: was['value'],
          unit: was['unit'],
        });
  return same
    ? null
    : {
        path: 'valueQuantity.value',
        recorded: `${sent.field} ${was === undefined ? 'not recorded' : words(was)}`,
        sent: words(sent.value),
      };
}
