/**
 * One care episode as the FHIR R4 resources a hospital system expects:
 * Patient (pseudonymous: only what the service holds), EpisodeOfCare,
 * Condition (MAS, its verification following the diagnosis), CarePlan (the
 * protocol and the due reassessment), Observation per laboratory value and
 * temperature (LOINC, UCUM, sample time), MedicationAdministration per
 * therapy (ATC, dose, route, time), DetectedIssue per open alert, and
 * Provenance per audited event (who, when, under which protocol). Pure: the
 * episode and its audit in, resources out. Codes come from the versioned
 * terminology (libs/protocol), never from here.
 */
import type {
  AuditEvent,
  CarePlan,
  CodeableConcept,
  Condition,
  DetectedIssue,
  EpisodeOfCare,
  MedicationAdministration,
  Observation,
  Patient,
  Provenance,
  Reference,
  Resource,
  Task,
} from '@medplum/fhirtypes';

import {
  type DoseSchedule,
  effectiveEntries,
  type Patient as EpisodePatient,
  voidedSeqOf,
  voidsOf,
  type WorkItem,
  type WorkItemResolution,
} from '@mas/contracts';
import { courseUpTo } from '@mas/mas-episode';
import {
  alertLabel,
  analyteCode,
  type AnalyteId,
  analyteIds,
  codeSystems,
  type CriterionResult,
  drugCode,
  type DrugId,
  eventLabelOf,
  masProtocolDefinition,
  screenPanel,
  subjectLabel,
  terminology,
} from '@mas/protocol';

import { OBSERVATION_KEY } from './fhir-import.util.js';

/** What the service holds of an episode, as the mapping reads it. */
export interface FhirEpisodeSource {
  readonly id: string;
  readonly kind: 'real' | 'training';
  readonly patient: EpisodePatient;
  readonly openedAt: string;
  readonly stage: string;
  readonly final: boolean;
  /** The statechart's state value. */
  readonly value: unknown;
  readonly alerts: readonly {
    readonly id: string;
    readonly severity: 'critical' | 'warning' | 'info';
    readonly message: string;
    readonly since: string;
  }[];
  readonly nextDueAt: string | null;
  readonly suspicionAt: string | null;
  readonly protocol: { readonly id: string; readonly version: string };
  /** The audit, in order. */
  readonly entries: readonly FhirAuditEntry[];
  /** Its approvals and countersignatures, open and done (alerts apart). */
  readonly workItems?: readonly WorkItem[];
  /** Who read it, from the access log (AuditEvents of reads). */
  readonly reads?: readonly FhirReadEntry[];
}

/** One read of the episode, as the access log keeps it. */
export interface FhirReadEntry {
  readonly id: string;
  readonly at: string;
  readonly actorId: string;
  readonly actorRole: string;
  /** What the access log calls it: `episode.read`, `fhir.search`, ... */
  readonly action: string;
}

export interface FhirAuditEntry {
  readonly seq: number;
  readonly type: string;
  readonly payload: unknown;
  readonly actorId: string;
  readonly actorRole: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly rationale: string | null;
}

/** Where the service's own identifiers and tags live. */
export const FHIR_NAMESPACE = 'urn:mas-orchestrator';

const ucum = codeSystems.ucum;

function tagged<T extends Resource>(resource: T, kind: 'real' | 'training'): T {
  return kind === 'training'
    ? {
        ...resource,
        meta: {
          tag: [
            {
              system: `${FHIR_NAMESPACE}:episode-kind`,
              code: 'training',
              display: 'Training episode: simulated patient, never evidence',
            },
          ],
        },
      }
    : resource;
}

const patientRef = (source: FhirEpisodeSource): Reference<Patient> => ({
  reference: `Patient/${source.id}`,
});
const episodeRef = (source: FhirEpisodeSource): Reference<EpisodeOfCare> => ({
  reference: `EpisodeOfCare/${source.id}`,
});

/**
 * The protocol version as a URI (CarePlan.instantiatesUri, AuditEvent's
 * policy are of type uri): a URN whose parts are the id and the version,
 * each percent-encoded where it is not a URN character. (`url|version` is
 * the syntax of a canonical, not of a uri: "|" is not allowed there.)
 */
export function protocolUri(protocol: {
  readonly id: string;
  readonly version: string;
}): string {
  return `${FHIR_NAMESPACE}:protocol:${encodeURIComponent(protocol.id)}:${encodeURIComponent(protocol.version)}`;
}

function patientOf(source: FhirEpisodeSource): Patient {
  const { patient } = source;
  return {
    resourceType: 'Patient',
    id: source.id,
    identifier: [
      {
        system: `${FHIR_NAMESPACE}:patient-identifier`,
        value: patient.identifier,
      },
    ],
    gender: patient.sex,
    birthDate: patient.birthDate,
  };
}

/** The top-level state: `open`, or a final one (excluded, died, ...). */
function topState(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.keys(value as object)[0] ?? 'open';
}

function diagnosisState(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const open = (value as { open?: { diagnosis?: unknown } }).open;
  return typeof open?.diagnosis === 'string' ? open.diagnosis : null;
}

function lastOccurredAt(source: FhirEpisodeSource): string {
  return source.entries.at(-1)?.occurredAt ?? source.openedAt;
}

function episodeOfCareOf(source: FhirEpisodeSource): EpisodeOfCare {
  return {
    resourceType: 'EpisodeOfCare',
    id: source.id,
    status: source.final ? 'finished' : 'active',
    type: [{ text: `Care episode: ${terminology.condition.text}` }],
    patient: patientRef(source),
    period: {
      start: source.openedAt,
      ...(source.final ? { end: lastOccurredAt(source) } : {}),
    },
  };
}

const conditionCode: CodeableConcept = { text: terminology.condition.text };

function conditionOf(source: FhirEpisodeSource): Condition {
  const top = topState(source.value);
  const diagnosis = diagnosisState(source.value);
  const verification =
    top === 'excluded'
      ? 'refuted'
      : diagnosis === 'confirmed'
        ? 'confirmed'
        : diagnosis === 'atRisk'
          ? 'unconfirmed'
          : 'provisional';
  const clinical = top === 'excluded' || source.final ? 'inactive' : 'active';
  return {
    resourceType: 'Condition',
    id: source.id,
    clinicalStatus: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
          code: clinical,
        },
      ],
    },
    verificationStatus: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
          code: verification,
        },
      ],
    },
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/condition-category',
            code: 'encounter-diagnosis',
          },
        ],
      },
    ],
    code: conditionCode,
    subject: patientRef(source),
    ...(source.suspicionAt === null
      ? {}
      : { onsetDateTime: source.suspicionAt }),
    recordedDate: source.openedAt,
  };
}

function carePlanOf(source: FhirEpisodeSource): CarePlan {
  return {
    resourceType: 'CarePlan',
    id: source.id,
    status: source.final ? 'completed' : 'active',
    intent: 'plan',
    instantiatesUri: [protocolUri(source.protocol)],
    title: `${terminology.condition.text}: treatment protocol`,
    description: `Now: ${source.stage}`,
    subject: patientRef(source),
    period: { start: source.openedAt },
    addresses: [{ reference: `Condition/${source.id}` }],
    ...(source.nextDueAt === null || source.final
      ? {}
      : {
          activity: [
            {
              detail: {
                status: 'scheduled',
                description: 'Reassessment (labs and response) due',
                scheduledPeriod: { end: source.nextDueAt },
              },
            },
          ],
        }),
  };
}

interface Quantity {
  readonly value: number;
  readonly unit: string;
}

function isQuantity(value: unknown): value is Quantity {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Quantity).value === 'number' &&
    typeof (value as Quantity).unit === 'string'
  );
}

const laboratory: CodeableConcept[] = [
  {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        code: 'laboratory',
      },
    ],
  },
];
const vitalSigns: CodeableConcept[] = [
  {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        code: 'vital-signs',
      },
    ],
  },
];

const analyteConcepts = new Map<string, CodeableConcept>();

/**
 * What an analyte measured in `unit` is, in LOINC (where a code is listed
 * for the unit) and in words: made once per analyte and unit, the same
 * object in every Observation of it (hundreds in an export).
 */
function analyteConcept(analyte: AnalyteId, unit: string): CodeableConcept {
  const key = `${analyte}|${unit}`;
  const known = analyteConcepts.get(key);
  if (known !== undefined) return known;
  const code = analyteCode(analyte, unit);
  const concept: CodeableConcept = {
    ...(code
      ? {
          coding: [
            {
              system: codeSystems.loinc,
              code: code.code,
              display: code.display,
            },
          ],
        }
      : {}),
    text: masProtocolDefinition.analytes[analyte].label,
  };
  // Units are checked on the way in, but a bound keeps an odd one from
  // growing the map.
  if (analyteConcepts.size < 1_000) analyteConcepts.set(key, concept);
  return concept;
}

/** The laboratory values and temperature a panel entry recorded. */
function observationsOf(
  source: FhirEpisodeSource,
  entry: FhirAuditEntry,
): Observation[] {
  if (
    entry.type !== 'labs.recorded' &&
    entry.type !== 'reassessment.recorded'
  ) {
    return [];
  }
  const payload = entry.payload as {
    panel?: Record<string, unknown>;
    collectedAt?: string;
    source?: { observations?: unknown; fields?: unknown };
  };
  const panel = payload.panel ?? {};
  const effective = payload.collectedAt ?? entry.occurredAt;
  const labKeys = labKeysByField(payload.source);
  // One reference for every value of the panel (the same JSON as one each).
  const subject = patientRef(source);
  const base = (key: string, field: string) => {
    const id = `${source.id}-${String(entry.seq)}-${key}`;
    const lab = labIdentifier(labKeys.get(field));
    return {
      resourceType: 'Observation' as const,
      id,
      // Ours (stable across exports, so a receiver records it once) and,
      // for a result the laboratory sent, the laboratory's own.
      identifier: [
        { system: `${FHIR_NAMESPACE}:observation`, value: id },
        ...(lab ? [lab] : []),
      ],
      status: 'final' as const,
      subject,
      effectiveDateTime: effective,
      issued: entry.recordedAt,
    };
  };
  const observations: Observation[] = [];
  for (const analyte of analyteIds) {
    const quantity = panel[analyte];
    if (!isQuantity(quantity)) continue;
    observations.push({
      ...base(analyte, analyte),
      category: laboratory,
      code: analyteConcept(analyte, quantity.unit),
      valueQuantity: {
        value: quantity.value,
        unit: quantity.unit,
        system: ucum,
        code: quantity.unit,
      },
    });
  }
  const temperature = panel['temperatureC'];
  if (typeof temperature === 'number') {
    const { loinc, unit } = terminology.temperature;
    observations.push({
      ...base('temperature', 'temperatureC'),
      category: vitalSigns,
      code: {
        coding: [
          {
            system: codeSystems.loinc,
            code: loinc.code,
            display: loinc.display,
          },
        ],
        text: loinc.display,
      },
      valueQuantity: { value: temperature, unit, system: ucum, code: unit },
    });
  }
  return observations;
}

/**
 * The key of the laboratory's Observation behind each panel field, where
 * the results came by FHIR and the import kept which gave which (older
 * imports kept the keys only: none then).
 */
function labKeysByField(
  source:
    | {
        observations?: unknown;
        fields?: unknown;
      }
    | undefined,
): Map<string, string> {
  const keys = new Map<string, string>();
  const { observations, fields } = source ?? {};
  if (!Array.isArray(observations) || !Array.isArray(fields)) return keys;
  fields.forEach((field: unknown, index) => {
    const key: unknown = observations[index];
    if (typeof field === 'string' && typeof key === 'string') {
      keys.set(field, key);
    }
  });
  return keys;
}

/**
 * A kept key as the identifier it was: `identifier:system|value` as it
 * came, a full URL as a URI; a server's local id is no identifier (null).
 */
function labIdentifier(
  key: string | undefined,
): { system?: string; value: string } | null {
  if (key?.startsWith(OBSERVATION_KEY.identifier)) {
    const named = key.slice(OBSERVATION_KEY.identifier.length);
    const bar = named.indexOf('|');
    if (bar < 0) return null;
    const system = named.slice(0, bar);
    const value = named.slice(bar + 1);
    return system === '' ? { value } : { system, value };
  }
  if (key?.startsWith(OBSERVATION_KEY.url)) {
    return {
      system: 'urn:ietf:rfc:3986',
      value: key.slice(OBSERVATION_KEY.url.length),
    };
  }
  return null;
}

const calculated: CodeableConcept[] = [{ text: 'Calculated from the panel' }];

/** A criterion of a calculator as a component: met or not, its points; or not assessed. */
function criterionComponent(criterion: CriterionResult) {
  const words = `${criterion.label}: ${criterion.rule}`;
  if (criterion.status === 'not-assessed') {
    return {
      code: { text: words },
      dataAbsentReason: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
            code: 'not-asked',
          },
        ],
        text: 'not assessed',
      },
    };
  }
  return {
    code: { text: words },
    ...(criterion.points === undefined
      ? { valueBoolean: criterion.met }
      : { valueInteger: criterion.points }),
    interpretation: [{ text: criterion.status.replace('-', ' ') }],
  };
}

const tocilizumabFrom = new WeakMap<readonly FhirAuditEntry[], number>();

/** The sequence number of the first start of tocilizumab (Infinity: none). */
function firstTocilizumab(entries: readonly FhirAuditEntry[]): number {
  const known = tocilizumabFrom.get(entries);
  if (known !== undefined) return known;
  // Started in the episode, or already given before it (background): the
  // machine reads either as on tocilizumab. A start entered in error was
  // never one (the replays' one rule).
  const start = effectiveEntries(entries).find(
    (entry) =>
      (entry.type === 'therapy.started' ||
        entry.type === 'background-therapy.recorded') &&
      (entry.payload as { drug?: unknown }).drug === 'tocilizumab',
  );
  const seq = start?.seq ?? Number.POSITIVE_INFINITY;
  tocilizumabFrom.set(entries, seq);
  return seq;
}

/** How many panels' calculator results are kept (about 2 KB each). */
const SCREENS_KEPT = 20_000;
const screens = new Map<string, ReturnType<typeof screenPanel> | null>();

/**
 * The calculators on an audited panel, computed once: an audit entry never
 * changes (its chain and seal say so), so neither do its results. Kept for
 * the most recent panels read, in order of use.
 */
function screenOf(
  source: FhirEpisodeSource,
  entry: FhirAuditEntry,
): ReturnType<typeof screenPanel> | null {
  // Read as the episode read it: with the admission's underlying disease,
  // and on tocilizumab once it was started before this panel.
  const { underlyingDisease } = source.patient;
  const onTocilizumab = entry.seq > firstTocilizumab(source.entries);
  const key = `${source.id}:${String(entry.seq)}:${entry.recordedAt}:${underlyingDisease}:${String(onTocilizumab)}`;
  const known = screens.get(key);
  if (known !== undefined) {
    screens.delete(key);
    screens.set(key, known);
    return known;
  }
  let screen: ReturnType<typeof screenPanel> | null;
  try {
    screen = screenPanel(
      (entry.payload as { panel?: unknown }).panel as Parameters<
        typeof screenPanel
      >[0],
      { onTocilizumab, underlyingDisease },
    );
  } catch {
    screen = null;
  }
  if (screens.size >= SCREENS_KEPT) {
    const oldest = screens.keys().next().value;
    if (oldest !== undefined) screens.delete(oldest);
  }
  screens.set(key, screen);
  return screen;
}

/**
 * The calculators' results on a panel (2016 classification, HScore), each
 * an Observation with its criteria as components, derived from the panel's
 * values; a result that cannot be decided yet says what is missing.
 */
function calculatorsOf(
  source: FhirEpisodeSource,
  entry: FhirAuditEntry,
  values: readonly Observation[],
): Observation[] {
  if (values.length === 0) return [];
  const screen = screenOf(source, entry);
  if (screen === null) return [];
  const base = (key: string) => ({
    resourceType: 'Observation' as const,
    id: `${source.id}-${String(entry.seq)}-${key}`,
    status: 'final' as const,
    category: calculated,
    subject: patientRef(source),
    effectiveDateTime: values[0]?.effectiveDateTime ?? entry.occurredAt,
    issued: entry.recordedAt,
    derivedFrom: values.map((value) => ({
      reference: `Observation/${value.id ?? ''}`,
    })),
  });
  const missing = (items: readonly string[]) =>
    items.length === 0 ? '' : ` (not assessed: ${items.join(', ')})`;
  const results: Observation[] = [];
  if (screen.mas2016) {
    const result = screen.mas2016;
    results.push({
      ...base('mas2016'),
      code: { text: '2016 EULAR/ACR/PRINTO classification of MAS in sJIA' },
      valueCodeableConcept: {
        text: !result.applicable
          ? `not applicable${result.notApplicableReasons.length > 0 ? `: ${result.notApplicableReasons.join('; ')}` : ''}`
          : result.outcome === 'undecided'
            ? `cannot be decided yet${missing(result.missing)}`
            : result.classified
              ? 'classified as MAS'
              : 'not classified as MAS',
      },
      component: result.criteria.map(criterionComponent),
    });
  }
  if (screen.hscore) {
    const result = screen.hscore;
    results.push({
      ...base('hscore'),
      code: { text: 'HScore (Fardet 2014)' },
      valueInteger: result.score,
      interpretation: [
        {
          text: `probability of reactive haemophagocytic syndrome ${result.probability}; cut-off ${String(result.cutoff)}${result.meetsCutoff ? ' met' : ' not met'}${missing(result.missing)}`,
        },
      ],
      component: result.criteria.map(criterionComponent),
    });
  }
  return results;
}

interface TherapyPayload {
  readonly drug?: DrugId;
  readonly recordId?: string;
  readonly medication?: { system: string; code: string; display: string };
  readonly dose?: Quantity;
  readonly route?: string;
  readonly schedule?: {
    kind: string;
    hours?: number;
    day?: number;
    of?: number;
  };
  readonly givenAt?: string;
  readonly emergency?: boolean;
}

function scheduleWords(schedule: TherapyPayload['schedule']): string | null {
  if (schedule === undefined) return null;
  switch (schedule.kind) {
    case 'once':
      return 'once';
    case 'daily':
      return 'daily';
    case 'every-hours':
      return `every ${String(schedule.hours)} h`;
    case 'pulse':
      return `pulse day ${String(schedule.day)} of ${String(schedule.of)}`;
    default:
      return null;
  }
}

/** A course as the exporter follows it: its drug or record, its start. */
interface OpenCourse {
  /** The drug, or `record:<id>` for another therapy. */
  readonly key: string;
  /** When the record started (what a stop or dose change names it by). */
  readonly startedAt: number;
  readonly background: boolean;
  /** Its schedule now (a pulse recorded day by day is one course). */
  schedule?: DoseSchedule;
  /** The entry whose administration runs now (none: background). */
  seq: number | null;
}

/**
 * When each administration an entry began ended: the stop of its course,
 * or the dose change that began the next (by the entry's sequence number;
 * absent: still running). The courses are followed as the machine follows
 * its records: a stop or dose change naming a start (`startedAt`) ends that
 * course; one naming none ends every course of the drug (a stop recorded
 * before courses were named, or the one course running), a dose change the
 * latest.
 */
function administrationEnds(
  entries: readonly FhirAuditEntry[],
): Map<number, string> {
  const ends = new Map<number, string>();
  const open: OpenCourse[] = [];
  const time = (value: string | undefined, fallback: string) =>
    new Date(value ?? fallback).toISOString();
  const close = (course: OpenCourse, at: string) => {
    if (course.seq !== null) ends.set(course.seq, at);
  };
  for (const entry of entries) {
    const payload = entry.payload as {
      drug?: string;
      recordId?: string;
      startedAt?: string;
      stoppedAt?: string;
      givenAt?: string;
      doseIncreased?: boolean;
      schedule?: DoseSchedule;
    };
    const key = payload.drug ?? `record:${payload.recordId ?? ''}`;
    const named = (course: OpenCourse) =>
      course.key === key &&
      (payload.startedAt === undefined ||
        course.startedAt === Date.parse(payload.startedAt));
    switch (entry.type) {
      case 'therapy.started':
      case 'other-therapy.started':
        open.push({
          key,
          startedAt: Date.parse(time(payload.givenAt, entry.occurredAt)),
          background: false,
          ...(payload.schedule ? { schedule: payload.schedule } : {}),
          seq: entry.seq,
        });
        break;
      case 'background-therapy.recorded':
        if (payload.doseIncreased !== true) {
          open.push({
            key,
            startedAt: Date.parse(entry.occurredAt),
            background: true,
            seq: null,
          });
        }
        break;
      case 'therapy.dose-changed': {
        // The current course: the latest started (a pulse recorded day by
        // day changes its last day's record), of two at one instant the
        // later recorded, as the machine changes it.
        const course = open
          .filter(named)
          .reduce<OpenCourse | undefined>(
            (latest, each) =>
              latest === undefined || each.startedAt >= latest.startedAt
                ? each
                : latest,
            undefined,
          );
        if (!course) break;
        close(course, time(payload.givenAt, entry.occurredAt));
        course.seq = entry.seq;
        if (payload.schedule) course.schedule = payload.schedule;
        break;
      }
      case 'therapy.stopped':
      case 'other-therapy.stopped': {
        const at = time(payload.stoppedAt, entry.occurredAt);
        // Two started at the same instant: the later recorded, as the
        // machine stops it; a pulse recorded day by day, named by its
        // current day, with the days that day continues.
        const [one] = open.filter(named).slice(-1);
        const stopped =
          payload.startedAt === undefined
            ? open.filter(named)
            : one === undefined
              ? []
              : courseOf(open, one);
        for (const course of stopped) {
          close(course, at);
          open.splice(open.indexOf(course), 1);
        }
        break;
      }
      default:
        break;
    }
  }
  return ends;
}

/**
 * The courses a stop naming `course` ends: it and the records it continues
 * (a pulse recorded day by day), by the machine's own rule.
 */
function courseOf(
  open: readonly OpenCourse[],
  course: OpenCourse,
): readonly OpenCourse[] {
  const asRecord = (each: OpenCourse) => ({
    drug: each.key,
    startedAt: new Date(each.startedAt).toISOString(),
    background: each.background,
    ...(each.schedule ? { schedule: each.schedule } : {}),
    course: each,
  });
  const records = open.filter((each) => each.key === course.key).map(asRecord);
  const named = records.find((each) => each.course === course);
  return named === undefined
    ? [course]
    : courseUpTo(records, named).map((each) => each.course);
}

function administrationsOf(
  source: FhirEpisodeSource,
  entry: FhirAuditEntry,
  ends: ReadonlyMap<number, string>,
): MedicationAdministration[] {
  if (
    entry.type !== 'therapy.started' &&
    entry.type !== 'therapy.dose-changed' &&
    entry.type !== 'other-therapy.started'
  ) {
    return [];
  }
  const changed = entry.type === 'therapy.dose-changed';
  const payload = entry.payload as TherapyPayload;
  const given = payload.givenAt ?? entry.occurredAt;
  const medication: CodeableConcept =
    payload.drug === undefined
      ? {
          ...(payload.medication
            ? {
                coding: [
                  {
                    system: payload.medication.system,
                    code: payload.medication.code,
                    display: payload.medication.display,
                  },
                ],
              }
            : {}),
          text: payload.medication?.display ?? 'other therapy',
        }
      : (() => {
          const code = drugCode(payload.drug);
          return {
            ...(code
              ? {
                  coding: [
                    {
                      system: codeSystems.atc,
                      code: code.code,
                      display: code.display,
                    },
                  ],
                }
              : {}),
            text: subjectLabel(payload.drug),
          };
        })();
  const once = payload.schedule?.kind === 'once';
  const end = once ? null : (ends.get(entry.seq) ?? null);
  const route = payload.route ? terminology.routes[payload.route] : undefined;
  const words = scheduleWords(payload.schedule);
  return [
    {
      resourceType: 'MedicationAdministration',
      id: `${source.id}-${String(entry.seq)}`,
      status: once || end !== null ? 'completed' : 'in-progress',
      medicationCodeableConcept: medication,
      subject: patientRef(source),
      context: episodeRef(source),
      ...(once || end === null
        ? once
          ? { effectiveDateTime: given }
          : { effectivePeriod: { start: given } }
        : { effectivePeriod: { start: given, end } }),
      performer: [{ actor: { display: entry.actorId } }],
      ...(payload.emergency
        ? {
            note: [
              {
                text: 'Emergency start: a second senior countersigns afterwards.',
              },
            ],
          }
        : changed
          ? {
              note: [
                {
                  text: 'Dose changed: the course goes on at this dose.',
                },
              ],
            }
          : {}),
      ...(payload.dose
        ? {
            dosage: {
              ...(words ? { text: words } : {}),
              ...(route
                ? {
                    route: {
                      coding: [
                        {
                          system: codeSystems.snomed,
                          code: route.code,
                          display: route.display,
                        },
                      ],
                      text: route.display,
                    },
                  }
                : {}),
              dose: {
                value: payload.dose.value,
                unit: payload.dose.unit,
                system: ucum,
                code: payload.dose.unit,
              },
            },
          }
        : {}),
    },
  ];
}

const issueSeverity = {
  critical: 'high',
  warning: 'moderate',
  info: 'low',
} as const;

function detectedIssuesOf(source: FhirEpisodeSource): DetectedIssue[] {
  return source.alerts.map((alert) => ({
    resourceType: 'DetectedIssue',
    id: `${source.id}-${alert.id}`,
    status: 'final',
    severity: issueSeverity[alert.severity],
    code: { text: alertLabel(alert.id) },
    patient: patientRef(source),
    identifiedDateTime: alert.since,
    detail: alert.message,
  }));
}

function provenanceOf(
  source: FhirEpisodeSource,
  entry: FhirAuditEntry,
  targets: readonly Resource[],
  voided: number | null = null,
): Provenance {
  return {
    resourceType: 'Provenance',
    id: `${source.id}-${String(entry.seq)}`,
    target: [
      episodeRef(source),
      ...targets.map((resource) => ({
        reference: `${resource.resourceType}/${resource.id ?? ''}`,
      })),
      // A void: the entry it marks entered in error (its own Provenance),
      // beside the resources it marks (the targets).
      ...(voided === null
        ? []
        : [{ reference: `Provenance/${source.id}-${String(voided)}` }]),
    ],
    occurredDateTime: entry.occurredAt,
    recorded: entry.recordedAt,
    policy: [protocolUri(source.protocol)],
    activity: { text: eventLabelOf(entry.type, entry.payload) },
    ...(entry.rationale === null
      ? {}
      : { reason: [{ text: entry.rationale }] }),
    agent: [
      {
        type: { text: entry.actorRole },
        who: { display: entry.actorId },
      },
    ],
  };
}

/** FHIR's own code systems of an AuditEvent (R4 value sets, by URL). */
const auditCodes = {
  type: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  subtype: 'http://hl7.org/fhir/restful-interaction',
} as const;

/** The service, as the observer of every AuditEvent it writes. */
const observer = { display: 'MAS care-episode orchestrator' };

/**
 * What every AuditEvent is (a RESTful operation) and the three kinds of
 * operation: made once, the same objects in each of an export's hundreds.
 */
const restOperation = {
  system: auditCodes.type,
  code: 'rest',
  display: 'RESTful Operation',
};
const interaction = {
  create: [{ system: auditCodes.subtype, code: 'create', display: 'create' }],
  read: [{ system: auditCodes.subtype, code: 'read', display: 'read' }],
  search: [
    {
      system: auditCodes.subtype,
      code: 'search-type',
      display: 'search-type',
    },
  ],
};
const auditSource = { observer };

/**
 * An AuditEvent per write (each audited event: a RESTful create, who, when,
 * its Provenance) and per read the access log kept (a read or a search).
 */
function auditEventsOf(
  source: FhirEpisodeSource,
  marked: ReadonlyMap<number, readonly Resource[]>,
): AuditEvent[] {
  const episode = { what: episodeRef(source) };
  const writes = source.entries.map((entry): AuditEvent => {
    const voided = voidedSeqOf(entry);
    const target =
      voided === null
        ? undefined
        : source.entries.find((each) => each.seq === voided);
    return {
      resourceType: 'AuditEvent',
      id: `${source.id}-write-${String(entry.seq)}`,
      type: restOperation,
      subtype: interaction.create,
      action: 'C',
      recorded: entry.recordedAt,
      outcome: '0',
      // A void names the entry it marks entered in error, and why.
      outcomeDesc:
        voided === null
          ? eventLabelOf(entry.type, entry.payload)
          : `${eventLabelOf(entry.type, entry.payload)}: entry ${String(voided)}${target ? ` (${eventLabelOf(target.type, target.payload)}, by ${target.actorId})` : ''} entered in error${entry.rationale === null ? '' : `: ${entry.rationale}`}`,
      agent: [
        {
          type: { text: entry.actorRole },
          who: { display: entry.actorId },
          requestor: true,
        },
      ],
      source: auditSource,
      entity: [
        episode,
        {
          what: { reference: `Provenance/${source.id}-${String(entry.seq)}` },
        },
        ...(voided === null
          ? []
          : [
              {
                what: {
                  reference: `Provenance/${source.id}-${String(voided)}`,
                },
                description: `entry ${String(voided)}, entered in error`,
                detail: [
                  { type: 'voided-entry', valueString: String(voided) },
                  ...(entry.rationale === null
                    ? []
                    : [{ type: 'rationale', valueString: entry.rationale }]),
                ],
              },
              ...(marked.get(voided) ?? []).map((resource) => ({
                what: {
                  reference: `${resource.resourceType}/${resource.id ?? ''}`,
                },
              })),
            ]),
      ],
    };
  });
  const reads = (source.reads ?? []).map((read): AuditEvent => {
    const search = /search|listed|everything/.test(read.action);
    return {
      resourceType: 'AuditEvent',
      id: `${source.id}-read-${read.id}`,
      type: restOperation,
      subtype: search ? interaction.search : interaction.read,
      action: search ? 'E' : 'R',
      recorded: read.at,
      outcome: '0',
      outcomeDesc: read.action,
      agent: [
        {
          type: { text: read.actorRole },
          who: { display: read.actorId },
          requestor: true,
        },
      ],
      source: auditSource,
      entity: [episode],
    };
  });
  return [...writes, ...reads];
}

/** What a closed item's resolution makes of its Task. */
const taskStatus = {
  approved: 'completed',
  countersigned: 'completed',
  rejected: 'rejected',
  cleared: 'completed',
  // Replaced by a Task with the alert's words now.
  superseded: 'cancelled',
  'episode-ended': 'cancelled',
} as const satisfies Record<WorkItemResolution, string>;

/**
 * A Task per approval or countersignature asked for (open: requested; done:
 * completed, rejected or cancelled), and one for the due reassessment.
 */
function tasksOf(source: FhirEpisodeSource): Task[] {
  const tasks: Task[] = [];
  for (const item of source.workItems ?? []) {
    if (item.kind === 'alert') continue;
    const drug = subjectLabel(item.details.drug);
    const approval = item.kind === 'second-senior-approval';
    tasks.push({
      resourceType: 'Task',
      id: `${source.id}-task-${item.id}`,
      status:
        item.status === 'open' || item.resolution === null
          ? 'requested'
          : taskStatus[item.resolution],
      intent: 'order',
      priority: approval ? 'urgent' : 'asap',
      code: {
        text: approval
          ? `Second senior's approval of ${drug}`
          : `Countersignature of the emergency start of ${drug}`,
      },
      ...(item.details.rationale === null
        ? {}
        : { description: `Rationale: ${item.details.rationale}` }),
      for: patientRef(source),
      authoredOn: item.createdAt,
      ...(item.doneAt === null ? {} : { lastModified: item.doneAt }),
      requester: {
        display: approval ? item.details.requestedBy : item.details.startedBy,
      },
      ...(item.dueAt === null
        ? {}
        : { restriction: { period: { end: item.dueAt } } }),
    });
  }
  if (source.nextDueAt !== null && !source.final) {
    tasks.push({
      resourceType: 'Task',
      id: `${source.id}-task-reassessment`,
      status: 'requested',
      intent: 'plan',
      code: { text: 'Reassessment (labs and response)' },
      for: patientRef(source),
      basedOn: [{ reference: `CarePlan/${source.id}` }],
      restriction: { period: { end: source.nextDueAt } },
    });
  }
  return tasks;
}

/** A resource of an entry entered in error, with FHIR's status for it. */
function enteredInError(
  resource: Observation | MedicationAdministration,
): Observation | MedicationAdministration {
  return resource.resourceType === 'Observation'
    ? { ...resource, status: 'entered-in-error' }
    : { ...resource, status: 'entered-in-error' };
}

/** Every resource of one episode, the Patient first. */
export function episodeResources(source: FhirEpisodeSource): Resource[] {
  // A stop entered in error ends no course (the replays' one rule).
  const ends = administrationEnds(effectiveEntries(source.entries));
  const voids = voidsOf(source.entries);
  const clinical: Resource[] = [];
  const provenance: Provenance[] = [];
  // The resources of each entry entered in error, which its void's
  // Provenance and AuditEvent name.
  const marked = new Map<number, readonly Resource[]>();
  for (const entry of source.entries) {
    const values = observationsOf(source, entry);
    const recorded = [
      ...values,
      ...calculatorsOf(source, entry, values),
      ...administrationsOf(source, entry, ends),
    ];
    // Exported still, with FHIR's own status for a record made in error.
    const made = voids.has(entry.seq) ? recorded.map(enteredInError) : recorded;
    if (voids.has(entry.seq)) marked.set(entry.seq, made);
    clinical.push(...made);
    const voided = voidedSeqOf(entry);
    provenance.push(
      voided === null
        ? provenanceOf(source, entry, made)
        : provenanceOf(source, entry, marked.get(voided) ?? [], voided),
    );
  }
  return [
    patientOf(source),
    episodeOfCareOf(source),
    conditionOf(source),
    carePlanOf(source),
    ...clinical,
    ...detectedIssuesOf(source),
    ...tasksOf(source),
    ...provenance,
    ...auditEventsOf(source, marked),
  ].map((resource) => tagged(resource, source.kind));
}
