/**
 * What the record says happened, kept by the model checker beside each state
 * from the accepted events alone: an independent statement of the protocol's
 * facts (was a glucocorticoid given? is there an infection without cover? who
 * requested and who approved?), written without the machine's reducer,
 * checks or alerts. The properties compare the machine's answers (alerts,
 * tags, what it allows) with these facts, so a property does not restate the
 * code it checks.
 *
 * The facts are finite (the few hours an emergency start has waited are kept
 * only up to the countersignature window), and they are part of the state key.
 */
import type { EpisodeEvent } from '@mas/contracts';
import { organSupportKinds } from '@mas/contracts';
import {
  calculateDose,
  type InstitutionProfile,
  masProtocolDefinition,
} from '@mas/protocol';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import type { EpisodeInput } from '../lib/mas-episode.types.js';

const { therapies } = masProtocolDefinition;

export function classOf(drug: string): string | undefined {
  return (therapies as Record<string, { class: string }>)[drug]?.class;
}

/** The drugs of the protocol data of one class. */
export function drugsOfClass(therapyClass: string): string[] {
  return Object.entries(therapies)
    .filter(([, definition]) => definition.class === therapyClass)
    .map(([drug]) => drug);
}

export interface RequestFact {
  readonly status: 'pending' | 'approved' | 'rejected' | 'started';
  readonly requestedBy: string;
  readonly requesterRole: string;
  readonly decidedBy?: string;
  readonly deciderRole?: string;
  /**
   * A request for the drug was rejected and none approved since: the
   * rejection stands against an emergency start, a new request or not.
   */
  readonly rejectionStands?: boolean;
}

export interface EmergencyFact {
  readonly drug: string;
  readonly startedBy: string;
  readonly countersigned: boolean;
  /** Hours waited for a countersignature, kept up to the window + 1. */
  readonly hoursOpen: number;
}

export interface ProtocolFacts {
  /** The countersignature window of the root's profile (constant). */
  readonly windowHours: number;
  readonly suspected: boolean;
  readonly glucocorticoidGiven: boolean;
  readonly dexamethasoneGiven: boolean;
  /**
   * Active records of this episode (started here, not stopped since), one
   * entry per record: a drug recorded twice is listed twice, and a stop
   * naming one record removes one.
   */
  readonly active: readonly string[];
  /** Drugs recorded as background therapy from before the episode. */
  readonly background: readonly string[];
  readonly infection: boolean;
  readonly ebv: boolean;
  readonly antimicrobials: boolean;
  readonly decisions: readonly string[];
  readonly cnsReported: boolean;
  readonly haemorrhageReported: boolean;
  /** Marked severe at the latest severity assessment of this flare. */
  readonly markedSevere: boolean;
  readonly markedRapidlyWorsening: boolean;
  readonly organSupport: readonly string[];
  readonly screenings: readonly string[];
  /** The latest escalation request per drug. */
  readonly requests: Readonly<Record<string, RequestFact>>;
  readonly emergencies: readonly EmergencyFact[];
  readonly inRemission: boolean;
  /** The patient's weight now: the admission's, then each one recorded since (kg). */
  readonly weightKg: number;
  /**
   * Each running methylprednisolone record, as the starts, dose changes
   * and stops gave it (sorted by dose); null while which record a change or
   * a stop touched is not known here (one that names no record, of
   * several).
   */
  readonly methylprednisolone: readonly PulseRecordFact[] | null;
}

/** A running methylprednisolone record, from its events alone. */
export interface PulseRecordFact {
  /** The dose per infusion (mg). */
  readonly mg: number;
  /** When it was given first (what a stop naming it gives). */
  readonly givenAt: string;
  /** Recorded as a pulse ("day n of N"). */
  readonly pulse: boolean;
  /**
   * When its schedule gives its last dose: a pulse "day n of N" whose dose
   * was given at T, N - n days after T; a single dose at T; null for a
   * schedule without an end (until it is stopped).
   */
  readonly endsAt: string | null;
}

const massInMg: Readonly<Record<string, number>> = {
  mg: 1,
  g: 1000,
  ug: 0.001,
};

/** The dose of a start or a dose change in mg (NaN when it has none). */
export function doseMgOf(event: EpisodeEvent): number {
  if (
    event.type !== 'therapy.started' &&
    event.type !== 'therapy.dose-changed'
  ) {
    return Number.NaN;
  }
  const dose = event.payload.dose as
    { value?: unknown; unit?: unknown } | undefined;
  const factor = massInMg[String(dose?.unit)];
  return typeof dose?.value === 'number' && factor !== undefined
    ? dose.value * factor
    : Number.NaN;
}

const PULSE_DRUG = 'methylprednisolone';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The record a start or a dose change of methylprednisolone gives. */
function pulseRecordOf(event: EpisodeEvent, givenAt: string): PulseRecordFact {
  const payload = event.payload as {
    schedule?: { kind?: string; day?: number; of?: number };
    givenAt?: string;
  };
  const { schedule } = payload;
  const doseAt = Date.parse(payload.givenAt ?? event.at);
  return {
    mg: doseMgOf(event),
    givenAt: new Date(Date.parse(givenAt)).toISOString(),
    pulse: schedule?.kind === 'pulse',
    endsAt:
      schedule?.kind === 'once'
        ? new Date(doseAt).toISOString()
        : schedule?.kind === 'pulse' &&
            schedule.day !== undefined &&
            schedule.of !== undefined
          ? new Date(
              doseAt + (schedule.of - schedule.day) * DAY_MS,
            ).toISOString()
          : null,
  };
}

const byDose = (a: PulseRecordFact, b: PulseRecordFact) =>
  a.mg - b.mg || a.givenAt.localeCompare(b.givenAt);

/** Whether `record` still gives doses at `now`. */
export function givesDosesAt(record: PulseRecordFact, now: string): boolean {
  return record.endsAt === null || Date.parse(now) < Date.parse(record.endsAt);
}

/** The running methylprednisolone records once `active` holds the records after an event. */
function pulseRecords(
  active: readonly string[],
  records: readonly PulseRecordFact[] | null,
): readonly PulseRecordFact[] | null {
  return active.includes(PULSE_DRUG) ? records : [];
}

/** The records without the one given at `startedAt` (null: not found). */
function withoutRecord(
  records: readonly PulseRecordFact[],
  startedAt: string,
): readonly PulseRecordFact[] | null {
  const at = Date.parse(startedAt);
  const index = records.findIndex((r) => Date.parse(r.givenAt) === at);
  return index < 0 ? null : records.filter((_, i) => i !== index);
}

const add = (list: readonly string[], item: string) =>
  list.includes(item) ? list : [...list, item].sort();
const remove = (list: readonly string[], item: string) =>
  list.filter((x) => x !== item);
/** A multiset kept sorted: one more `item`. */
const addOne = (list: readonly string[], item: string) =>
  [...list, item].sort();
/** A multiset: one `item` fewer. */
const removeOne = (list: readonly string[], item: string) => {
  const index = list.indexOf(item);
  return index < 0 ? list : list.filter((_, i) => i !== index);
};

export function initialFacts(input: EpisodeInput): ProtocolFacts {
  return {
    windowHours: input.profile.data.delays.countersignatureWindowHours ?? 0,
    suspected: input.initialStage === 'suspected',
    glucocorticoidGiven: false,
    dexamethasoneGiven: false,
    active: [],
    background: [],
    infection: false,
    ebv: false,
    antimicrobials: false,
    decisions: [],
    cnsReported: false,
    haemorrhageReported: false,
    markedSevere: false,
    markedRapidlyWorsening: false,
    organSupport: [],
    screenings: [],
    requests: {},
    emergencies: [],
    inRemission: false,
    weightKg: input.patient.weightKg,
    methylprednisolone: [],
  };
}

function panelFindings(panel: unknown): { cns: boolean; bleed: boolean } {
  const p = panel as { cnsInvolvement?: boolean; hemorrhage?: boolean };
  return { cns: p.cnsInvolvement === true, bleed: p.hemorrhage === true };
}

/** The facts after an accepted event. */
export function nextFacts(
  facts: ProtocolFacts,
  event: EpisodeEvent,
  before: EpisodeSnapshot,
): ProtocolFacts {
  const elapsed = Math.max(
    0,
    (Date.parse(event.at) - Date.parse(before.context.now)) / HOUR_MS,
  );
  let f: ProtocolFacts =
    elapsed > 0
      ? {
          ...facts,
          emergencies: facts.emergencies.map((e) =>
            e.countersigned
              ? e
              : {
                  ...e,
                  hoursOpen: Math.min(
                    e.hoursOpen + elapsed,
                    facts.windowHours + 1,
                  ),
                },
          ),
        }
      : facts;
  const by = event.actor.id;
  switch (event.type) {
    case 'suspicion.recorded':
    case 'workup.started':
    case 'diagnosis.confirmed':
      return { ...f, suspected: true };
    case 'labs.recorded':
    case 'reassessment.recorded': {
      const { cns, bleed } = panelFindings(event.payload.panel);
      return {
        ...f,
        cnsReported: f.cnsReported || cns,
        haemorrhageReported: f.haemorrhageReported || bleed,
      };
    }
    case 'severity.assessed':
      return {
        ...f,
        markedSevere: event.payload.severe,
        markedRapidlyWorsening: event.payload.rapidlyWorsening,
      };
    case 'therapy.started': {
      const drug: string = event.payload.drug;
      const therapyClass = classOf(drug);
      f = { ...f, active: addOne(f.active, drug) };
      if (drug === PULSE_DRUG) {
        f = {
          ...f,
          methylprednisolone:
            f.methylprednisolone === null
              ? null
              : [
                  ...f.methylprednisolone,
                  pulseRecordOf(event, event.payload.givenAt),
                ].sort(byDose),
        };
      }
      if (therapyClass === 'glucocorticoid') {
        f = {
          ...f,
          glucocorticoidGiven: true,
          dexamethasoneGiven: f.dexamethasoneGiven || drug === 'dexamethasone',
        };
      }
      if (therapyClass === 'refractory') {
        const request = f.requests[drug];
        if (request?.status === 'approved') {
          f = {
            ...f,
            requests: {
              ...f.requests,
              [drug]: { ...request, status: 'started' },
            },
          };
        } else if (event.payload.emergency === true) {
          f = {
            ...f,
            emergencies: [
              ...f.emergencies,
              { drug, startedBy: by, countersigned: false, hoursOpen: 0 },
            ],
          };
        }
      }
      return f;
    }
    // A dose change keeps the course running (the record named, or the
    // only one), at its new dose and schedule from the change.
    case 'therapy.dose-changed': {
      if (event.payload.drug !== PULSE_DRUG) return f;
      const records = f.methylprednisolone;
      const { startedAt } = event.payload;
      const changed =
        records === null
          ? undefined
          : startedAt === undefined
            ? records.length === 1
              ? records[0]
              : undefined
            : records.find(
                (r) => Date.parse(r.givenAt) === Date.parse(startedAt),
              );
      return {
        ...f,
        methylprednisolone:
          records === null || changed === undefined
            ? null
            : [
                ...records.filter((r) => r !== changed),
                pulseRecordOf(event, changed.givenAt),
              ].sort(byDose),
      };
    }
    // A stop naming a record (by its start) ends that record; an unnamed
    // one (accepted while one course runs) ends every record of the drug.
    case 'therapy.stopped': {
      const named = event.payload.startedAt !== undefined;
      const active = named
        ? removeOne(f.active, event.payload.drug)
        : remove(f.active, event.payload.drug);
      const records = f.methylprednisolone;
      const { startedAt } = event.payload;
      return {
        ...f,
        active,
        background: remove(f.background, event.payload.drug),
        methylprednisolone:
          event.payload.drug !== PULSE_DRUG
            ? records
            : pulseRecords(
                active,
                startedAt === undefined
                  ? []
                  : records === null
                    ? null
                    : withoutRecord(records, startedAt),
              ),
      };
    }
    case 'background-therapy.recorded':
      return event.payload.doseIncreased === true
        ? f
        : { ...f, background: add(f.background, event.payload.drug) };
    case 'escalation.requested': {
      const previous = f.requests[event.payload.drug];
      const stands =
        previous?.status === 'rejected' || previous?.rejectionStands === true;
      return {
        ...f,
        requests: {
          ...f.requests,
          [event.payload.drug]: {
            status: 'pending',
            requestedBy: by,
            requesterRole: event.actor.role,
            ...(stands ? { rejectionStands: true } : {}),
          },
        },
      };
    }
    case 'escalation.approved':
    case 'escalation.rejected': {
      const entry = Object.entries(f.requests).find(
        ([, r]) => r.status === 'pending',
      );
      // The alphabet names the latest request; its drug is the pending one.
      if (!entry) return f;
      const [drug, request] = entry;
      return {
        ...f,
        requests: {
          ...f.requests,
          [drug]: {
            ...request,
            status:
              event.type === 'escalation.approved' ? 'approved' : 'rejected',
            decidedBy: by,
            deciderRole: event.actor.role,
            // An approval lifts a standing rejection.
            rejectionStands: event.type === 'escalation.rejected',
          },
        },
      };
    }
    case 'escalation.countersigned': {
      const index = f.emergencies.findIndex(
        (e) => e.drug === event.payload.drug && !e.countersigned,
      );
      if (index < 0) return f;
      return {
        ...f,
        emergencies: f.emergencies.map((e, i) =>
          i === index ? { ...e, countersigned: true } : e,
        ),
      };
    }
    case 'screening.recorded':
      return { ...f, screenings: add(f.screenings, event.payload.kind) };
    case 'trigger.identified':
      return event.payload.trigger === 'infection'
        ? { ...f, infection: true }
        : event.payload.trigger === 'ebv'
          ? { ...f, ebv: true }
          : f;
    case 'antimicrobials.started':
      return { ...f, antimicrobials: true };
    case 'antimicrobials.stopped':
      return { ...f, antimicrobials: false };
    case 'decision.recorded':
      return { ...f, decisions: add(f.decisions, event.payload.topic) };
    case 'support.started':
      return organSupportKinds.includes(event.payload.kind)
        ? { ...f, organSupport: add(f.organSupport, event.payload.kind) }
        : f;
    case 'support.stopped':
      return { ...f, organSupport: remove(f.organSupport, event.payload.kind) };
    case 'remission.recorded':
      return { ...f, inRemission: true };
    case 'relapse.recorded':
      // A relapse is a new flare: its severity is assessed afresh.
      return {
        ...f,
        inRemission: false,
        markedSevere: false,
        markedRapidlyWorsening: false,
      };
    case 'measures.recorded':
      return event.payload.weightKg === undefined
        ? f
        : { ...f, weightKg: event.payload.weightKg };
    case 'clock.ticked':
    case 'death.recorded':
    case 'diagnosis.excluded':
    case 'episode.closed':
    case 'protocol.migrated': // the record's facts, under either version
    case 'profile.adopted':
    case 'other-therapy.started':
    case 'other-therapy.stopped':
    case 'hold.started':
    case 'hold.ended':
    case 'malignancy-treatment.started':
    case 'taper.started':
    case 'transfer-out.recorded':
      return f;
  }
}

/**
 * The facts as the state key holds them: the running records alike kept at
 * most twice; of each methylprednisolone record its dose, and the hours
 * left until its schedule ends only where `ends` (a slice that reweighs:
 * elsewhere nothing reads them), exact (the observations keep the machine's
 * own record of them in the classes the clock tells apart); when it was
 * given is only for matching a stop that names it, never in the key.
 */
export function protocolFactsKey(
  facts: ProtocolFacts,
  { now, ends }: { readonly now: string; readonly ends: boolean },
): string {
  const records = facts.methylprednisolone;
  return JSON.stringify({
    ...facts,
    active: atMostTwice(facts.active),
    // (Likewise each dose: a record started again at one dose adds nothing
    // a property reads.)
    methylprednisolone:
      records === null
        ? null
        : atMostTwice(
            records
              .map((r) =>
                !ends || r.endsAt === null
                  ? String(r.mg)
                  : `${String(r.mg)}:${givesDosesAt(r, now) ? String((Date.parse(r.endsAt) - Date.parse(now)) / HOUR_MS) : 'ended'}`,
              )
              .sort(),
          ),
  });
}

/**
 * A sorted multiset with each item kept at most twice: only a stop naming
 * one record tells two records from more, and the alphabet starts a second
 * record only while one runs (more come only from letters without a named
 * stop, where two and three alike part on nothing: the soundness check
 * compares such merges).
 */
export function atMostTwice<T extends string | number>(
  items: readonly T[],
): readonly T[] {
  return items.filter((item, i) => i < 2 || items[i - 2] !== item);
}

/**
 * The upper end of the protocol's methylprednisolone range for the root's
 * patient, in mg per infusion: its mg/kg/day maximum times the weight,
 * within the per-infusion cap (the protocol's own figures, worked out
 * here by the calculator, not by the dose check under test).
 */
export function rangeTopMg(root: {
  readonly patient: Pick<EpisodeInput['patient'], 'weightKg'>;
  readonly profile: InstitutionProfile;
}): number {
  const rule = masProtocolDefinition.doses.methylprednisolone;
  return calculateDose(
    'methylprednisolone',
    {
      weightKg: root.patient.weightKg,
      route: rule.route,
      mgPerKg: rule.range.max,
    },
    root.profile,
  ).doseMg;
}
