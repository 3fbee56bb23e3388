/**
 * The finite alphabet of the model checker: representative events, payloads,
 * actors and time steps, each with an id. Events happen at the state's own
 * time; time moves on with clock ticks just past the institution's delay
 * limit and just past the 12-h reassessment (see `timeSteps`).
 *
 * The exploration runs over slices: each slice is the backbone of the episode
 * (time, holds, glucocorticoids, reassessments, outcomes) plus the events of
 * one concern. Every slice is explored completely, and every property is
 * checked in every slice.
 */
import type { EpisodeActor, EpisodeEvent, Patient } from '@mas/contracts';
import {
  type DrugId,
  type InstitutionProfile,
  type LabPanelInput,
  masProtocolDefinition,
} from '@mas/protocol';
import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import type { EpisodeInput } from '../lib/mas-episode.types.js';
import { standardPrescription } from '../lib/prescription.util.js';
import { addHours } from '../lib/time.util.js';
import { drugsOfClass, rangeTopMg } from './protocol-facts.js';

const clinician: EpisodeActor = { id: 'dr-a', role: 'clinician' };
const seniorB: EpisodeActor = { id: 'dr-b', role: 'senior-clinician' };
const seniorC: EpisodeActor = { id: 'dr-c', role: 'senior-clinician' };
const nurse: EpisodeActor = { id: 'rn-d', role: 'nurse' };
const system: EpisodeActor = { id: 'scheduler', role: 'system' };

/**
 * The concern slices' panels are complete (every finding assessed, CNS and
 * haemorrhage absent unless said): each replaces the whole lab picture, so
 * the picture is the latest panel. Partial panels, which keep earlier items
 * for the protocol's window, are explored in the records slice.
 */
const assessedAbsent = { cnsInvolvement: false, hemorrhage: false } as const;
const florid: LabPanelInput = {
  ...panelOf(floridMas, febrileSjia),
  ...assessedAbsent,
};
const better: LabPanelInput = {
  ...panelOf(improved(floridMas), febrileSjia),
  ...assessedAbsent,
};
const withCns: LabPanelInput = { ...florid, cnsInvolvement: true };
const withHaemorrhage: LabPanelInput = { ...florid, hemorrhage: true };
/** Blood counts alone: the rest of the picture comes from earlier samples. */
const countsOnly: LabPanelInput = {
  platelets: florid.platelets,
  neutrophils: florid.neutrophils,
  hemoglobin: florid.hemoglobin,
};

const RATIONALE = 'recorded rationale';

type Letter = (
  snapshot: EpisodeSnapshot,
) => EpisodeEvent | readonly EpisodeEvent[];

function at(
  type: EpisodeEvent['type'],
  payload: unknown,
  actor: EpisodeActor = clinician,
  rationale?: string,
): Letter {
  return ({ context }) =>
    ({
      type,
      at: context.now,
      actor,
      payload: complete(type, payload, context),
      ...(rationale === undefined ? {} : { rationale }),
    }) as EpisodeEvent;
}

/**
 * A complete record at the state's time: a therapy start with the patient's
 * standard prescription (unless the letter gives its own dose), a panel drawn
 * now.
 */
function complete(
  type: EpisodeEvent['type'],
  payload: unknown,
  context: EpisodeSnapshot['context'],
): unknown {
  const fields = payload as Record<string, unknown>;
  if (type === 'therapy.started') {
    const drug = fields['drug'] as DrugId;
    return {
      ...standardPrescription(drug, context.patient, {
        data: context.profileData,
        hash: context.profile.hash,
      }),
      givenAt: context.now,
      ...fields,
    };
  }
  if (type === 'labs.recorded' || type === 'reassessment.recorded') {
    return { collectedAt: context.now, ...fields };
  }
  return payload;
}

/**
 * The time steps: just past the institution's delay limit for the first
 * glucocorticoid ("short"), and just past the protocol's reassessment
 * interval ("long"). Both come from the data, not from literals here.
 */
export function timeSteps(context: EpisodeSnapshot['context']): {
  short: number;
  long: number;
} {
  const limit =
    context.profileData.delays.suspicionToGlucocorticoidMaxHours ?? 0;
  return {
    short: limit + 1,
    long: masProtocolDefinition.monitoring.reassessmentIntervalHours + 1,
  };
}

const tick =
  (step: 'short' | 'long'): Letter =>
  ({ context }) => ({
    type: 'clock.ticked',
    at: addHours(context.now, timeSteps(context)[step]),
    actor: system,
    payload: {},
  });

/** Letters of one refractory drug: four eyes, wrong roles, screenings. */
function refractoryLetters(drug: string): Record<string, Letter> {
  const needed =
    (
      masProtocolDefinition.requiredScreenings as Record<
        string,
        readonly string[]
      >
    )[drug] ?? [];
  const request =
    (actor: EpisodeActor): Letter =>
    (snapshot) =>
      at(
        'escalation.requested',
        {
          requestId: `req-${snapshot.context.escalationRequests.length + 1}`,
          drug,
          evidence: ['seed.refractory.1'],
        },
        actor,
        RATIONALE,
      )(snapshot);
  const decide =
    (
      type: 'escalation.approved' | 'escalation.rejected',
      actor: EpisodeActor,
    ) =>
    (snapshot: EpisodeSnapshot) =>
      at(
        type,
        { requestId: `req-${snapshot.context.escalationRequests.length}` },
        actor,
        RATIONALE,
      )(snapshot);
  return {
    [`request:${drug}`]: request(seniorB),
    [`request:${drug}:clinician`]: request(clinician),
    [`approve:${drug}:other-senior`]: decide('escalation.approved', seniorC),
    [`approve:${drug}:requester`]: decide('escalation.approved', seniorB),
    [`approve:${drug}:clinician`]: decide('escalation.approved', clinician),
    [`reject:${drug}:other-senior`]: decide('escalation.rejected', seniorC),
    [`start:${drug}`]: at('therapy.started', { drug }, seniorB),
    [`start:${drug}+rationale`]: at(
      'therapy.started',
      { drug },
      seniorB,
      RATIONALE,
    ),
    [`start:${drug}:nurse`]: at('therapy.started', { drug }, nurse, RATIONALE),
    [`emergency:${drug}`]: at(
      'therapy.started',
      { drug, emergency: true },
      seniorB,
      RATIONALE,
    ),
    [`emergency:${drug}:clinician`]: at(
      'therapy.started',
      { drug, emergency: true },
      clinician,
      RATIONALE,
    ),
    [`countersign:${drug}:other-senior`]: at(
      'escalation.countersigned',
      { drug },
      seniorC,
    ),
    [`countersign:${drug}:starter`]: at(
      'escalation.countersigned',
      { drug },
      seniorB,
    ),
    [`countersign:${drug}:clinician`]: at(
      'escalation.countersigned',
      { drug },
      clinician,
    ),
    ...(needed.length > 0
      ? {
          // The required screenings in a row, as one step.
          [`screen:${drug}-all`]: (snapshot: EpisodeSnapshot) =>
            needed.map(
              (kind) =>
                at('screening.recorded', { kind, result: 'done' })(
                  snapshot,
                ) as EpisodeEvent,
            ),
        }
      : {}),
  };
}

/** Letters of one second-line drug. */
function secondLineLetters(drug: string): Record<string, Letter> {
  return {
    [`start:${drug}`]: at('therapy.started', { drug }),
    [`start:${drug}+rationale`]: at(
      'therapy.started',
      { drug },
      clinician,
      RATIONALE,
    ),
    [`background:${drug}`]: at('background-therapy.recorded', { drug }),
    [`background:${drug}+rationale`]: at(
      'background-therapy.recorded',
      { drug },
      clinician,
      RATIONALE,
    ),
    [`stop:${drug}`]: at('therapy.stopped', { drug }),
  };
}

/** The letters of every drug of a class of the protocol data. */
function lettersFor(
  therapyClass: string,
  of: (drug: string) => Record<string, Letter>,
): Record<string, Letter> {
  return Object.fromEntries(
    drugsOfClass(therapyClass).flatMap((drug) => Object.entries(of(drug))),
  );
}

/**
 * A start of `drug` whose dose is `factor` times the patient's standard
 * prescription (a likely slip), or has no dose at all (`factor` null: a
 * malformed record that got past the schema).
 */
function scaledStart(
  drug: DrugId,
  factor: number | null,
  extra: Record<string, unknown> = {},
): Letter {
  return (snapshot) => {
    const { context } = snapshot;
    const standard = standardPrescription(drug, context.patient, {
      data: context.profileData,
      hash: context.profile.hash,
    });
    const dose =
      factor === null
        ? undefined
        : { value: standard.dose.value * factor, unit: standard.dose.unit };
    return at('therapy.started', { drug, dose, ...extra })(snapshot);
  };
}

/**
 * A confirmed methylprednisolone start at the institution's hard limit
 * (its factor times the upper end of the protocol's range for the patient),
 * plus `overMg`: 0 is at the limit (not above it: accepted with the
 * confirmation a soft limit asks), 1 a milligram past it (refused).
 */
function atHardLimit(
  overMg: number,
  extra: Record<string, unknown> = {},
): Letter {
  return (snapshot) => {
    const { context } = snapshot;
    const profile = { data: context.profileData, hash: context.profile.hash };
    const factor = context.profileData.doseLimits?.hardFactorAboveSoftMax;
    if (factor === undefined) {
      throw new Error('the checked profile sets no hard-limit factor');
    }
    const mg = factor * rangeTopMg({ patient: context.patient, profile });
    return at('therapy.started', {
      drug: 'methylprednisolone',
      dose: { value: mg + overMg, unit: 'mg' },
      doseConfirmation: RATIONALE,
      ...extra,
    })(snapshot);
  };
}

/** `letter`, unless a course of `drug` given in the episode runs: no event. */
function newCourse(letter: Letter, drug: DrugId): Letter {
  return (snapshot) =>
    snapshot.context.therapies.some(
      (t) => t.drug === drug && !t.background && t.stoppedAt === undefined,
    )
      ? []
      : letter(snapshot);
}

/** The running records of `drug` given in the episode (not background). */
const runningRecords = (snapshot: EpisodeSnapshot, drug: DrugId) =>
  snapshot.context.therapies.filter(
    (t) => t.drug === drug && !t.background && t.stoppedAt === undefined,
  );

/**
 * `letter`, only while exactly one record of `drug` runs: a course recorded
 * a second time (bounded: never a third, so that the records a stop must
 * name stay finite).
 */
function secondRecord(letter: Letter, drug: DrugId): Letter {
  return (snapshot) =>
    runningRecords(snapshot, drug).length === 1 ? letter(snapshot) : [];
}

/**
 * A stop naming one running record of `drug` by its start time: the
 * earliest (no event while none runs).
 */
function namedStop(drug: DrugId): Letter {
  return (snapshot) => {
    const [earliest] = runningRecords(snapshot, drug).toSorted(
      (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
    );
    return earliest === undefined
      ? []
      : at('therapy.stopped', { drug, startedAt: earliest.startedAt })(
          snapshot,
        );
  };
}

/**
 * The running methylprednisolone course's dose changed to `factor` times
 * the patient's standard prescription (confirmed), or to a milligram past
 * the hard limit (`factor` null), daily from now.
 */
function changedDose(factor: number | null): Letter {
  return (snapshot) => {
    const { context } = snapshot;
    const profile = { data: context.profileData, hash: context.profile.hash };
    const standard = standardPrescription(
      'methylprednisolone',
      context.patient,
      profile,
    );
    const hard = context.profileData.doseLimits?.hardFactorAboveSoftMax;
    if (hard === undefined) {
      throw new Error('the checked profile sets no hard-limit factor');
    }
    const mg =
      factor === null
        ? hard * rangeTopMg({ patient: context.patient, profile }) + 1
        : standard.dose.value * factor;
    return at('therapy.dose-changed', {
      drug: 'methylprednisolone',
      dose: { value: mg, unit: standard.dose.unit },
      route: standard.route,
      schedule: { kind: 'daily' },
      givenAt: context.now,
      doseConfirmation: RATIONALE,
    })(snapshot);
  };
}

/** A user sending the scheduler's clock event. */
const userTick: Letter = ({ context }) => ({
  type: 'clock.ticked',
  at: addHours(context.now, timeSteps(context).long),
  actor: clinician,
  payload: {},
});

/** Every letter of the alphabet, by id. */
export const letters: Readonly<Record<string, Letter>> = {
  'tick:short': tick('short'),
  'tick:long': tick('long'),
  'tick:user': userTick,
  'start:methylprednisolone:no-dose': scaledStart('methylprednisolone', null),
  'start:methylprednisolone:tenfold': scaledStart('methylprednisolone', 10, {
    doseConfirmation: RATIONALE,
  }),
  'start:methylprednisolone:1.5x': scaledStart('methylprednisolone', 1.5),
  'start:methylprednisolone:1.5x+confirmed': scaledStart(
    'methylprednisolone',
    1.5,
    { doseConfirmation: RATIONALE },
  ),
  'start:methylprednisolone:at-hard-limit+confirmed': atHardLimit(0),
  // A new course's last day at the hard limit (its schedule ends a day
  // after: the ward reweighing within that day or after it, P17 and P17b).
  'start:methylprednisolone:at-hard-limit+confirmed:last-day': newCourse(
    atHardLimit(0, { schedule: { kind: 'pulse', day: 3, of: 3 } }),
    'methylprednisolone',
  ),
  'start:methylprednisolone:at-hard-limit+confirmed:new-course': newCourse(
    atHardLimit(0),
    'methylprednisolone',
  ),
  'start:methylprednisolone:over-hard-limit+confirmed': atHardLimit(1),
  'change:methylprednisolone:1.5x+confirmed': changedDose(1.5),
  'change:methylprednisolone:tenfold': changedDose(10),
  'change:methylprednisolone:over-hard-limit+confirmed': changedDose(null),
  // The ward weighs the patient again (a plausible change, no confirmation
  // needed): every dose computed after reads the new weight.
  'measures:weight': at('measures.recorded', { weightKg: 26 }),
  // Weighed lighter: a dose accepted within the hard limit can be past the
  // limit at the new weight (the ward must be told, P17).
  'measures:weight-down': at('measures.recorded', { weightKg: 20 }),
  'labs:florid': at('labs.recorded', { panel: florid }),
  'labs:cns': at('labs.recorded', { panel: withCns }),
  'labs:haemorrhage': at('labs.recorded', { panel: withHaemorrhage }),
  'labs:counts': at('labs.recorded', { panel: countsOnly }),
  suspicion: at('suspicion.recorded', {}),
  'confirm:criteria': at('diagnosis.confirmed', { basis: 'criteria' }),
  'confirm:clinical': at(
    'diagnosis.confirmed',
    { basis: 'clinical' },
    clinician,
    RATIONALE,
  ),
  exclude: at('diagnosis.excluded', {}, clinician, RATIONALE),
  'severity:severe': at('severity.assessed', {
    severe: true,
    rapidlyWorsening: true,
  }),
  'severity:not-severe': at('severity.assessed', {
    severe: false,
    rapidlyWorsening: false,
  }),
  // A new pulse: none while one runs. The same drug under a second record
  // (a course recorded twice, which a stop must then name) is the records
  // slice's; in every state P7 still asks that a repeat pulse be allowed.
  'start:methylprednisolone': newCourse(
    at('therapy.started', { drug: 'methylprednisolone' }),
    'methylprednisolone',
  ),
  'stop:methylprednisolone': at('therapy.stopped', {
    drug: 'methylprednisolone',
  }),
  // A course recorded twice, and a stop that names one of its records.
  'start:methylprednisolone:second-record': secondRecord(
    at('therapy.started', { drug: 'methylprednisolone' }),
    'methylprednisolone',
  ),
  'stop:methylprednisolone:named': namedStop('methylprednisolone'),
  'start:dexamethasone': at('therapy.started', { drug: 'dexamethasone' }),
  ...lettersFor('second-line', secondLineLetters),
  ...lettersFor('refractory', refractoryLetters),
  'screen:hbv': at('screening.recorded', {
    kind: 'hbv-serology',
    result: 'done',
  }),
  'trigger:infection': at('trigger.identified', { trigger: 'infection' }),
  'trigger:ebv-t-nk': at('trigger.identified', {
    trigger: 'ebv',
    ebvCellType: 'T/NK',
  }),
  'start:rituximab': at('therapy.started', { drug: 'rituximab' }),
  'antimicrobials:start': at('antimicrobials.started', {
    agents: ['ceftriaxone'],
  }),
  'antimicrobials:stop': at('antimicrobials.stopped', {}),
  'decision:infection': at(
    'decision.recorded',
    {
      topic: 'infection-antimicrobials',
      choice: 'no-specific-antimicrobial-viral-trigger',
    },
    clinician,
    RATIONALE,
  ),
  'decision:cns': at(
    'decision.recorded',
    { topic: 'cns-dexamethasone', choice: 'methylprednisolone-continued' },
    clinician,
    RATIONALE,
  ),
  'support:ventilation': at('support.started', { kind: 'ventilation' }),
  'support:ventilation-stop': at('support.stopped', { kind: 'ventilation' }),
  'support:transfusion': at('support.started', { kind: 'transfusion' }),
  'reassess:better': at('reassessment.recorded', { panel: better }),
  'reassess:same': at('reassessment.recorded', { panel: florid }),
  // A senior judges the response inadequate on clinical grounds (the labs
  // may be too early to judge): a route to escalation.
  'reassess:judged': at(
    'reassessment.recorded',
    { panel: florid, clinicalJudgement: 'inadequate' },
    seniorB,
    RATIONALE,
  ),
  'hold:start': at('hold.started', { reason: 'transfer' }),
  'hold:end': at('hold.ended', {}),
  remission: at('remission.recorded', {}, clinician, RATIONALE),
  taper: at('taper.started', {}),
  relapse: at('relapse.recorded', {}),
  death: at('death.recorded', {}),
  'transfer-out': at('transfer-out.recorded', {}),
  close: at('episode.closed', {}),
};

export type LetterId = string;

/** The backbone the concern slices share (the timeline covers the rest). */
const backbone: LetterId[] = [
  'tick:long',
  'labs:florid',
  'suspicion',
  'start:methylprednisolone',
  'stop:methylprednisolone',
  'reassess:better',
  'reassess:same',
  'hold:start',
  'hold:end',
  'death',
];

/**
 * The lean backbone of the concern slices: time, the first panel, suspicion,
 * a pulse, an inadequate reassessment and death. The response that leads to
 * remission, stopping the pulse and the other outcomes are the timeline's
 * (each letter multiplies the states of a slice). A hold about triples a
 * slice's states: it is combined with the timeline, CNS and severity, the
 * emergency starts and countersignatures of the other refractory drugs,
 * and the records slice, not with every concern.
 */
const lean: LetterId[] = [
  'tick:long',
  'labs:florid',
  'suspicion',
  'start:methylprednisolone',
  'reassess:same',
  'death',
];

const hold: LetterId[] = ['hold:start', 'hold:end'];

/** The whole course of an episode: the backbone, remission and the outcomes. */
const timeline: LetterId[] = [
  ...backbone,
  'remission',
  'taper',
  'relapse',
  'transfer-out',
  'close',
];

export interface Slice {
  readonly name: string;
  readonly letters: readonly LetterId[];
  /**
   * The slice holds the whole course (remission, relapse, every outcome), so
   * the graph properties (what stays reachable) are checked on it.
   */
  readonly course?: boolean;
}

const idsOf = (record: Record<string, Letter>) => Object.keys(record);

export const slices: readonly Slice[] = [
  {
    name: 'timeline',
    letters: [...timeline, 'exclude'],
    course: true,
  },
  {
    name: 'diagnosis',
    letters: [
      // The institution's glucocorticoid delay: the clock steps just past
      // it (sums of it pass the reassessment interval too; both steps
      // together would class every due time by both, for no new path).
      ...lean.filter((id) => id !== 'tick:long'),
      'tick:short',
      'confirm:criteria',
      'confirm:clinical',
      'exclude',
      'labs:cns',
      'labs:haemorrhage',
      'severity:severe',
    ],
  },
  ...drugsOfClass('second-line').map((drug) => ({
    name: `second line: ${drug}`,
    letters: [...lean, ...idsOf(secondLineLetters(drug)), 'severity:severe'],
  })),
  // Four eyes in full for the drug with required screenings and for one
  // without; the other refractory drugs share one slice of their emergency
  // starts, countersignatures and wrong-role starts (the same guards).
  ...['emapalumab', 'ruxolitinib'].map((drug) => ({
    name: `refractory, four eyes: ${drug}`,
    letters: [
      ...lean,
      'severity:severe',
      ...idsOf(refractoryLetters(drug)),
      // A senior's judgement on clinical grounds: the other route there.
      ...(drug === 'ruxolitinib' ? ['reassess:judged'] : []),
    ],
  })),
  {
    name: 'refractory, roles: other drugs',
    letters: [
      ...lean,
      ...hold,
      'severity:severe',
      ...drugsOfClass('refractory')
        .filter((drug) => !['emapalumab', 'ruxolitinib'].includes(drug))
        .flatMap((drug, index) => [
          `emergency:${drug}:clinician`,
          `start:${drug}:nurse`,
          // One of them also started and countersigned (each drug more
          // multiplies the states; the guards are the same).
          ...(index === 0
            ? [
                `emergency:${drug}`,
                `countersign:${drug}:starter`,
                `countersign:${drug}:other-senior`,
              ]
            : []),
        ]),
    ],
  },
  {
    name: 'EBV and rituximab',
    letters: [...lean, 'trigger:ebv-t-nk', 'start:rituximab', 'screen:hbv'],
  },
  {
    name: 'infection',
    letters: [
      ...lean,
      'trigger:infection',
      'antimicrobials:start',
      'antimicrobials:stop',
      'decision:infection',
    ],
  },
  {
    name: 'infection with refractory therapy',
    letters: [
      ...lean,
      'trigger:infection',
      'antimicrobials:start',
      'severity:severe',
      'emergency:ruxolitinib',
      'countersign:ruxolitinib:other-senior',
    ],
  },
  {
    name: 'records: doses and the clock',
    letters: [
      ...lean,
      ...hold,
      'tick:user',
      // A partial panel: the picture keeps earlier items within its window.
      'labs:counts',
      'start:methylprednisolone:no-dose',
      'start:methylprednisolone:tenfold',
      'start:methylprednisolone:1.5x',
      'start:methylprednisolone:1.5x+confirmed',
      'start:methylprednisolone:at-hard-limit+confirmed',
      'start:methylprednisolone:over-hard-limit+confirmed',
      // A running course's dose changed: to 1.5x (confirmed), a tenfold
      // slip, one past the hard limit.
      'change:methylprednisolone:1.5x+confirmed',
      'change:methylprednisolone:tenfold',
      'change:methylprednisolone:over-hard-limit+confirmed',
    ],
  },
  {
    // Apart from the records slice: weighing again at any point doubles
    // what follows (every dose observed at two weights), which took that
    // slice past the state limit. Heavier and lighter: a dose accepted
    // within the hard limit can be past it at a lower weight (P17).
    name: 'records: a new weight',
    letters: [
      ...lean,
      'measures:weight',
      'measures:weight-down',
      'start:methylprednisolone:at-hard-limit+confirmed:last-day',
      'start:methylprednisolone:at-hard-limit+confirmed:new-course',
      'start:methylprednisolone:over-hard-limit+confirmed',
      // A running course's dose changed: to 1.5x (confirmed), a tenfold
      // slip, one past the hard limit.
      'change:methylprednisolone:1.5x+confirmed',
      'change:methylprednisolone:tenfold',
      'change:methylprednisolone:over-hard-limit+confirmed',
    ],
  },
  {
    // A pulse recorded twice (at most two records run): a stop naming one
    // record ends that record only, an unnamed one is refused while two
    // courses run. Apart from the records slice, whose starts and dose
    // changes would multiply the orders of the records a stop names.
    name: 'records: a course recorded twice',
    letters: [
      ...lean,
      'start:methylprednisolone:second-record',
      'stop:methylprednisolone:named',
      'stop:methylprednisolone',
    ],
  },
  {
    name: 'CNS and severity, on hold',
    letters: [
      ...lean,
      ...hold,
      'labs:cns',
      'start:dexamethasone',
      'decision:cns',
      'severity:severe',
      'support:ventilation',
    ],
  },
];

/** The panel each lab or reassessment letter records. */
const panelOfLetter: Readonly<Record<string, LabPanelInput>> = {
  'labs:florid': florid,
  'labs:cns': withCns,
  'labs:haemorrhage': withHaemorrhage,
  'labs:counts': countsOnly,
  'reassess:better': better,
  'reassess:same': florid,
  'reassess:judged': florid,
};

/**
 * Whether every panel a slice records carries the same items: then each
 * replaces the whole lab picture (every item at the new sample time), and
 * what the picture held before never reaches a screen again.
 */
export function slicePanelsReplacePicture(slice: Slice): boolean {
  const itemSets = new Set(
    slice.letters.flatMap((id) => {
      const panel = panelOfLetter[id];
      return panel === undefined ? [] : [Object.keys(panel).sort().join(',')];
    }),
  );
  return itemSets.size <= 1;
}

/**
 * Whether a letter of the slice records a new weight or height (the
 * measures letters, named "measures:..."): a running dose's check moves
 * with them only.
 */
export function sliceMeasuresChange(slice: Slice): boolean {
  return slice.letters.some((id) => id.startsWith('measures:'));
}

/** The tick letters and the clock step each takes. */
const tickSteps: Readonly<Record<string, 'short' | 'long'>> = {
  'tick:short': 'short',
  'tick:long': 'long',
  'tick:user': 'long',
};

/**
 * The steps the clock takes in a slice, in hours, for a state: only its own
 * ticks' (a due time is classed by the sums the slice can reach).
 */
export function sliceClockSteps(
  slice: Slice,
  context: EpisodeSnapshot['context'],
): readonly number[] {
  const steps = timeSteps(context);
  return [
    ...new Set(
      slice.letters.flatMap((id) => {
        const kind = tickSteps[id];
        return kind === undefined ? [] : [steps[kind]];
      }),
    ),
  ].sort((a, b) => a - b);
}

/** The alphabet of a slice, for a state. */
export function sliceAlphabet(
  slice: Slice,
): (snapshot: EpisodeSnapshot) => (EpisodeEvent | readonly EpisodeEvent[])[] {
  const chosen = slice.letters.map((id) => {
    const letter = letters[id];
    if (!letter) throw new Error(`no letter ${id} in the alphabet`);
    return letter;
  });
  return (snapshot) => chosen.map((letter) => letter(snapshot));
}

/**
 * The profile the checker explores: the institution's, except that a
 * response is judgeable from the start of treatment. No property depends on
 * that figure, and every hour of it multiplies the time classes the key must
 * keep apart (every sum of tick steps below it) past what the checker can
 * explore on two cores; "too early to judge" is the unit specs' (pure
 * functions and the machine's scenarios), and without it the checker
 * explores more escalations, not fewer.
 */
export function checkerProfile(
  profile: InstitutionProfile,
): InstitutionProfile {
  if (profile.data.delays.responseJudgeableAfterHours === undefined) {
    return profile;
  }
  return {
    data: {
      ...profile.data,
      delays: { ...profile.data.delays, responseJudgeableAfterHours: 0 },
    },
    hash: `${profile.hash}+checker`,
  };
}

/** The roots: an at-risk sJIA patient, and one opened on suspicion. */
export function episodeRoots(
  profile: InstitutionProfile,
  patient: Patient = amira,
  openedAt = '2026-03-01T08:00:00.000Z',
): EpisodeInput[] {
  return (['at-risk', 'suspected'] as const).map((initialStage) => ({
    episodeId: `verify-${initialStage}`,
    patient,
    openedAt,
    initialStage,
    profile: checkerProfile(profile),
  }));
}
