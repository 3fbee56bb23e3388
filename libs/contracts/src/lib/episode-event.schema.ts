/**
 * The care-episode events: one envelope `{ type, at, actor, payload,
 * rationale? }`, one zod schema per payload. Types are domain facts in the
 * past tense. These schemas are the one source of truth for the machine's
 * explainer, the API's validation and the UI's forms.
 */
import { z } from 'zod';

import {
  drugIds,
  instantSchema as protocolInstantSchema,
  labPanelSchema,
  masProtocolDefinition,
  panelHasItems,
} from '@mas/protocol';

/** The longest key of an imported Observation the lab record keeps. */
export const MAX_OBSERVATION_KEY_LENGTH = 500;

export const actorRoles = [
  'clinician',
  'senior-clinician',
  'nurse',
  'pharmacist',
  'system',
] as const;
export type ActorRole = (typeof actorRoles)[number];

export const actorSchema = z
  .object({
    id: z.string().trim().min(1),
    role: z.enum(actorRoles),
  })
  .strict();
export type EpisodeActor = z.infer<typeof actorSchema>;

/**
 * An ISO 8601 date-time with an offset (UTC `Z` or `+hh:mm` within the
 * world's time zones: `+15:00` is a typing error), the protocol's one schema.
 */
export const instantSchema = protocolInstantSchema;

const rationaleSchema = z.string().trim().min(1);

/** Routes of administration of the protocol's drugs. */
export const routes = ['iv', 'oral', 'sc'] as const;
export type RouteOfAdministration = (typeof routes)[number];
const routeSchema = z.enum(routes);

/** UCUM mass units a dose is recorded in. */
export const doseUnits = ['mg', 'g', 'ug'] as const;

/** A dose as given: value and UCUM unit (mass). */
export const doseSchema = z
  .object({
    value: z.number().positive(),
    unit: z.enum(doseUnits),
  })
  .strict();

/** Other therapies may also be dosed by volume or units (IVIG in g, IU). */
const otherDoseSchema = z
  .object({
    value: z.number().positive(),
    unit: z.enum([...doseUnits, 'mL', '[iU]']),
  })
  .strict();

/** How often: once, every N hours, daily, or day n of an N-day pulse. */
/**
 * The longest pulse a record may be written as (day n of N, N at most
 * this): an input bound of the record, not a clinical maximum (the
 * institution's `doseLimits.maxPulseDays` flags a longer course).
 */
const pulseDaysMax = 14;

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once') }).strict(),
  z
    .object({
      kind: z.literal('every-hours'),
      // A dose repeated more often than hourly is an infusion, not a
      // schedule of doses (1e-300 h would pass as "within" any daily
      // limit, its doses as small as its interval).
      hours: z
        .number()
        .gte(1, {
          error:
            'must be at least 1 hour between doses (a shorter interval is an infusion, not a repeated dose)',
        })
        .max(24 * 28),
    })
    .strict(),
  z.object({ kind: z.literal('daily') }).strict(),
  z
    .object({
      kind: z.literal('pulse'),
      day: z.number().int().positive().max(pulseDaysMax),
      of: z.number().int().positive().max(pulseDaysMax),
    })
    .strict()
    .refine((pulse) => pulse.day <= pulse.of, {
      path: ['day'],
      error: 'must not exceed the number of pulse days (of)',
    }),
]);
export type DoseSchedule = z.infer<typeof scheduleSchema>;

/** A code from a standard terminology (RxNorm, ATC, SNOMED CT). */
export const codingSchema = z
  .object({
    system: z.enum([
      'http://www.nlm.nih.gov/research/umls/rxnorm',
      'http://www.whocc.no/atc',
      'http://snomed.info/sct',
    ]),
    code: z.string().trim().min(1).max(64),
    display: z.string().trim().min(1).max(200),
  })
  .strict()
  .refine(
    (coding) =>
      coding.system !== 'http://www.whocc.no/atc' ||
      /^[A-Z]\d{2}[A-Z]{2}\d{2}$/.test(coding.code),
    {
      path: ['code'],
      error:
        "an ATC code of a medication is the substance's (level 5), as the WHO index writes it: L01CB01",
    },
  );
export type MedicationCoding = z.infer<typeof codingSchema>;

/** Panel fields whose unusual value the recorder confirmed (e.g. `platelets`). */
const confirmUnusualSchema = z
  .array(z.string().min(1).max(64))
  .max(64)
  .optional();

export const refractoryDrugs = [
  'emapalumab',
  'ruxolitinib',
  'baricitinib',
  'etoposide',
] as const;
export const backgroundDrugs = [
  'anakinra',
  'tocilizumab',
  'ciclosporin',
  'methylprednisolone',
  'dexamethasone',
] as const;
export const screeningKinds = [
  'tb-screening',
  'zoster-prophylaxis',
  'pjp-prophylaxis',
  'fungal-prophylaxis',
  'hbv-serology',
] as const;
export const supportKinds = [
  'ventilation',
  'vasopressors',
  'renal-replacement',
  'transfusion',
  'coagulopathy-management',
  'bleeding-watch',
] as const;
export type SupportKind = (typeof supportKinds)[number];
/** Organ support: with it, an episode not marked severe is underestimated. */
export const organSupportKinds: readonly SupportKind[] = [
  'ventilation',
  'vasopressors',
  'renal-replacement',
];
export const triggerKinds = ['infection', 'malignancy', 'ebv'] as const;
export const decisionTopics = [
  'cns-dexamethasone',
  'infection-antimicrobials',
] as const;
export type DecisionTopic = (typeof decisionTopics)[number];
export const holdReasons = ['transfer', 'awaiting-data'] as const;

const empty = z.object({}).strict();

/** The plausible range of a creatinine clearance (protocol data). */
const creatinineClearanceRange =
  masProtocolDefinition.patient.creatinineClearanceMlMin;

/** What a therapy's start and a change of its dose both record. */
const therapyOrder = {
  dose: doseSchema,
  route: routeSchema,
  schedule: scheduleSchema,
  /** When it was given or started (the clinical time), not when it was recorded. */
  givenAt: instantSchema,
  /**
   * A dose outside the soft limits of the dose rules, confirmed by the
   * prescriber: why (the audit records "outside range, confirmed by ...").
   */
  doseConfirmation: rationaleSchema.optional(),
  /**
   * The patient's creatinine clearance, mL/min, where the prescriber knows
   * it: a dose rule that depends on it (the anakinra label's adjustment
   * below 30 mL/min) is then checked and alerted.
   */
  creatinineClearanceMlMin: z
    .number()
    .min(creatinineClearanceRange.min)
    .max(creatinineClearanceRange.max)
    .optional(),
};

/** Payload schemas, by event type. */
export const payloadSchemas = {
  'clock.ticked': empty,
  'labs.recorded': z
    .object({
      panel: labPanelSchema,
      /** When the sample was drawn (results are dated by it, not by entry). */
      collectedAt: instantSchema,
      confirmUnusual: confirmUnusualSchema,
      /**
       * Results read from a laboratory system (FHIR): the Observations'
       * keys, so that one sent again is recorded once. Set by the service's
       * import, never by a form.
       */
      source: z
        .object({
          system: z.literal('fhir'),
          observations: z
            .array(z.string().min(1).max(MAX_OBSERVATION_KEY_LENGTH))
            .min(1)
            .max(200),
          /**
           * The panel field each of those Observations gave, in the same
           * order (an export then names each result by the laboratory's own
           * identifier). Absent on results an older version imported.
           */
          fields: z.array(z.string().min(1).max(40)).max(200).optional(),
        })
        .strict()
        .refine(
          (source) =>
            source.fields === undefined ||
            source.fields.length === source.observations.length,
          {
            error: 'fields: one per Observation, in the same order',
            path: ['fields'],
          },
        )
        .optional(),
    })
    .strict(),
  'suspicion.recorded': empty,
  'workup.started': empty,
  'diagnosis.confirmed': z
    .object({ basis: z.enum(['criteria', 'clinical']) })
    .strict(),
  'diagnosis.excluded': empty,
  'severity.assessed': z
    .object({ severe: z.boolean(), rapidlyWorsening: z.boolean() })
    .strict(),
  'therapy.started': z
    .object({
      drug: z.enum(drugIds),
      ...therapyOrder,
      /** Refractory therapy started now; a second senior countersigns later. */
      emergency: z.boolean().optional(),
    })
    .strict(),
  /**
   * A running therapy's dose changed (anakinra stepped up from 2 to 5 mg/kg,
   * a route switched): the record keeps its start and its history; the new
   * dose is checked like a start's (`givenAt`: when it was first given).
   */
  'therapy.dose-changed': z
    .object({
      drug: z.enum(drugIds),
      /** Which record, by its start time, when the drug runs twice. */
      startedAt: instantSchema.optional(),
      ...therapyOrder,
    })
    .strict(),
  'therapy.stopped': z
    .object({
      drug: z.enum(drugIds),
      /**
       * Which record, by its start time, when the drug runs twice (a
       * background course and an MAS dose, or a course recorded twice).
       */
      startedAt: instantSchema.optional(),
      stoppedAt: instantSchema.optional(),
    })
    .strict(),
  'other-therapy.started': z
    .object({
      /** Id of this record within the episode (stop names it). */
      recordId: z.string().trim().min(1).max(64),
      medication: codingSchema,
      dose: otherDoseSchema,
      route: routeSchema,
      schedule: scheduleSchema,
      givenAt: instantSchema,
      doseConfirmation: rationaleSchema.optional(),
    })
    .strict(),
  'other-therapy.stopped': z
    .object({
      recordId: z.string().trim().min(1).max(64),
      stoppedAt: instantSchema.optional(),
    })
    .strict(),
  'background-therapy.recorded': z
    .object({
      drug: z.enum(backgroundDrugs),
      doseIncreased: z.boolean().optional(),
    })
    .strict(),
  'escalation.requested': z
    .object({
      requestId: z.string().trim().min(1),
      drug: z.enum(refractoryDrugs),
      /** Evidence catalog ids the request rests on. */
      evidence: z.array(z.string().min(1)).min(1),
    })
    .strict(),
  'escalation.approved': z
    .object({ requestId: z.string().trim().min(1) })
    .strict(),
  'escalation.rejected': z
    .object({ requestId: z.string().trim().min(1) })
    .strict(),
  'escalation.countersigned': z
    .object({ drug: z.enum(refractoryDrugs) })
    .strict(),
  'screening.recorded': z
    .object({
      kind: z.enum(screeningKinds),
      result: z.enum(['done', 'overridden']),
    })
    .strict(),
  'trigger.identified': z
    .object({
      trigger: z.enum(triggerKinds),
      ebvCellType: z.enum(['B', 'T/NK', 'unknown']).optional(),
    })
    .strict(),
  'antimicrobials.started': z
    .object({ agents: z.array(z.string().trim().min(1)).min(1) })
    .strict(),
  'antimicrobials.stopped': empty,
  'decision.recorded': z
    .object({
      topic: z.enum(decisionTopics),
      choice: z.string().trim().min(1),
    })
    .strict(),
  'malignancy-treatment.started': empty,
  'support.started': z.object({ kind: z.enum(supportKinds) }).strict(),
  'support.stopped': z.object({ kind: z.enum(supportKinds) }).strict(),
  'reassessment.recorded': z
    .object({
      panel: labPanelSchema,
      collectedAt: instantSchema,
      confirmUnusual: confirmUnusualSchema,
      clinicalStatus: z.enum(['improving', 'stable', 'worsening']).optional(),
      /**
       * A senior's judgement of an inadequate response on clinical grounds
       * (against falling labs), with the event's rationale: a route to
       * escalation, recorded as such.
       */
      clinicalJudgement: z.enum(['inadequate']).optional(),
    })
    .strict()
    .refine(
      (reassessment) =>
        panelHasItems(reassessment.panel) ||
        reassessment.clinicalStatus !== undefined ||
        reassessment.clinicalJudgement !== undefined,
      {
        path: ['panel'],
        error:
          'a reassessment records at least one laboratory value or finding, or the clinical status (clinicalStatus)',
      },
    ),
  'hold.started': z.object({ reason: z.enum(holdReasons) }).strict(),
  'hold.ended': empty,
  'remission.recorded': empty,
  'taper.started': empty,
  'relapse.recorded': empty,
  'death.recorded': empty,
  'transfer-out.recorded': z
    .object({ destination: z.string().trim().min(1).optional() })
    .strict(),
  /**
   * The patient weighed or measured again (fluid overload, a wrong weight at
   * admission): later dose checks use the newest figures by when they were
   * measured (one measured before the figure held is recorded, not used;
   * any replaces the admission's). Checked as at admission (impossible
   * values refused, unusual ones confirmed).
   */
  'measures.recorded': z
    .object({
      weightKg: z.number().positive().optional(),
      heightCm: z.number().positive().optional(),
      /**
       * When the patient was weighed or measured (default: the event's
       * time): doses are computed from the newest measure, not from the
       * one entered last.
       */
      measuredAt: instantSchema.optional(),
      /** Measures the recorder confirmed although unusual (e.g. `weightKg`). */
      confirmUnusual: z
        .array(z.enum(['weightKg', 'heightCm']))
        .max(2)
        .optional(),
    })
    .strict()
    .refine(
      (measures) =>
        measures.weightKg !== undefined || measures.heightCm !== undefined,
      { path: ['weightKg'], error: 'a weight or a height is required' },
    ),
  'episode.closed': empty,
  /**
   * The episode moved to another deployed protocol version by a proven
   * migration plan (POST /api/episodes/:id/migrate; the plan's hash names
   * the plan applied).
   */
  'protocol.migrated': z
    .object({
      fromVersion: z.string().min(1).max(20),
      toVersion: z.string().min(1).max(20),
      planHash: z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/u, 'must be sha256: and 64 hex digits'),
    })
    .strict(),
  /**
   * The service adopted another institution profile (the file it now runs
   * with, as read, and that file's content hash): recorded by the service
   * before the first event after the change, so each later decision runs
   * under it and its audit entry names it. The machine checks the file and
   * its hash.
   */
  'profile.adopted': z
    .object({
      profile: z.record(z.string(), z.unknown()),
      hash: z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/u, 'must be sha256: and 64 hex digits'),
    })
    .strict(),
} as const;

export type EpisodeEventType = keyof typeof payloadSchemas;
export const episodeEventTypes = Object.keys(
  payloadSchemas,
) as EpisodeEventType[];

function envelope<T extends EpisodeEventType>(type: T) {
  return z
    .object({
      type: z.literal(type),
      at: instantSchema,
      actor: actorSchema,
      payload: payloadSchemas[type],
      rationale: rationaleSchema.optional(),
    })
    .strict();
}

type EnvelopeSchema<T extends EpisodeEventType> = ReturnType<
  typeof envelope<T>
>;

const envelopes = Object.fromEntries(
  episodeEventTypes.map((type) => [type, envelope(type)]),
) as { [T in EpisodeEventType]: EnvelopeSchema<T> };

/** Any care-episode event. */
export const episodeEventSchema = z.discriminatedUnion(
  'type',
  Object.values(envelopes) as unknown as [
    EnvelopeSchema<EpisodeEventType>,
    ...EnvelopeSchema<EpisodeEventType>[],
  ],
);

export type EpisodeEventOf<T extends EpisodeEventType> = z.output<
  EnvelopeSchema<T>
>;
export type EpisodeEvent = {
  [T in EpisodeEventType]: EpisodeEventOf<T>;
}[EpisodeEventType];

export function envelopeSchemaFor<T extends EpisodeEventType>(
  type: T,
): EnvelopeSchema<T> {
  return envelopes[type];
}

const jsonSchemas = new Map<EpisodeEventType, unknown>();

/** The JSON Schema of a payload, for forms and API documentation (memoised). */
export function payloadJsonSchema(type: EpisodeEventType): unknown {
  let schema = jsonSchemas.get(type);
  if (schema === undefined) {
    schema = z.toJSONSchema(payloadSchemas[type], { io: 'input' });
    jsonSchemas.set(type, schema);
  }
  return schema;
}
