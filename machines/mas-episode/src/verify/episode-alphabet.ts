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
  type InstitutionProfile,
  type LabPanelInput,
  masProtocolDefinition,
} from '@mas/protocol';
import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import type { EpisodeInput } from '../lib/mas-episode.types.js';
import { addHours } from '../lib/time.util.js';

const clinician: EpisodeActor = { id: 'dr-a', role: 'clinician' };
const seniorB: EpisodeActor = { id: 'dr-b', role: 'senior-clinician' };
const seniorC: EpisodeActor = { id: 'dr-c', role: 'senior-clinician' };
const system: EpisodeActor = { id: 'scheduler', role: 'system' };

const florid: LabPanelInput = panelOf(floridMas, febrileSjia);
const better: LabPanelInput = panelOf(improved(floridMas), febrileSjia);
const withCns: LabPanelInput = { ...florid, cnsInvolvement: true };

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
      payload,
      ...(rationale === undefined ? {} : { rationale }),
    }) as EpisodeEvent;
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

/** Every letter of the alphabet, by id. */
export const letters = {
  'tick:short': tick('short'),
  'tick:long': tick('long'),
  'labs:florid': at('labs.recorded', { panel: florid }),
  'labs:cns': at('labs.recorded', { panel: withCns }),
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
  'start:methylprednisolone': at('therapy.started', {
    drug: 'methylprednisolone',
  }),
  'stop:methylprednisolone': at('therapy.stopped', {
    drug: 'methylprednisolone',
  }),
  'start:dexamethasone': at('therapy.started', { drug: 'dexamethasone' }),
  'start:anakinra': at('therapy.started', { drug: 'anakinra' }),
  'start:anakinra+rationale': at(
    'therapy.started',
    { drug: 'anakinra' },
    clinician,
    RATIONALE,
  ),
  'background:anakinra': at('background-therapy.recorded', {
    drug: 'anakinra',
  }),
  'background:anakinra+rationale': at(
    'background-therapy.recorded',
    { drug: 'anakinra' },
    clinician,
    RATIONALE,
  ),
  'start:emapalumab': at('therapy.started', { drug: 'emapalumab' }, seniorB),
  'start:emapalumab+rationale': at(
    'therapy.started',
    { drug: 'emapalumab' },
    seniorB,
    RATIONALE,
  ),
  'emergency:emapalumab': at(
    'therapy.started',
    { drug: 'emapalumab', emergency: true },
    seniorB,
    RATIONALE,
  ),
  'request:emapalumab': (snapshot) =>
    at(
      'escalation.requested',
      {
        requestId: `req-${snapshot.context.escalationRequests.length + 1}`,
        drug: 'emapalumab',
        evidence: ['seed.refractory.1'],
      },
      seniorB,
      RATIONALE,
    )(snapshot),
  'approve:other-senior': (snapshot) =>
    at(
      'escalation.approved',
      { requestId: `req-${snapshot.context.escalationRequests.length}` },
      seniorC,
      RATIONALE,
    )(snapshot),
  'approve:requester': (snapshot) =>
    at(
      'escalation.approved',
      { requestId: `req-${snapshot.context.escalationRequests.length}` },
      seniorB,
      RATIONALE,
    )(snapshot),
  'reject:other-senior': (snapshot) =>
    at(
      'escalation.rejected',
      { requestId: `req-${snapshot.context.escalationRequests.length}` },
      seniorC,
      RATIONALE,
    )(snapshot),
  countersign: at('escalation.countersigned', { drug: 'emapalumab' }, seniorC),
  'screen:tb': at('screening.recorded', {
    kind: 'tb-screening',
    result: 'done',
  }),
  'screen:zoster': at('screening.recorded', {
    kind: 'zoster-prophylaxis',
    result: 'done',
  }),
  'screen:pjp': at('screening.recorded', {
    kind: 'pjp-prophylaxis',
    result: 'done',
  }),
  'screen:fungal': at('screening.recorded', {
    kind: 'fungal-prophylaxis',
    result: 'done',
  }),
  /** The four emapalumab screenings in a row, as one step. */
  'screen:emapalumab-all': (snapshot) =>
    (
      [
        'tb-screening',
        'zoster-prophylaxis',
        'pjp-prophylaxis',
        'fungal-prophylaxis',
      ] as const
    ).map(
      (kind) =>
        at('screening.recorded', { kind, result: 'done' })(
          snapshot,
        ) as EpisodeEvent,
    ),
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
  'hold:start': at('hold.started', { reason: 'transfer' }),
  'hold:end': at('hold.ended', {}),
  remission: at('remission.recorded', {}, clinician, RATIONALE),
  taper: at('taper.started', {}),
  relapse: at('relapse.recorded', {}),
  death: at('death.recorded', {}),
  'transfer-out': at('transfer-out.recorded', {}),
  close: at('episode.closed', {}),
} satisfies Record<string, Letter>;

export type LetterId = keyof typeof letters;

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
}

export const slices: readonly Slice[] = [
  { name: 'timeline', letters: [...timeline, 'exclude', 'tick:short'] },
  {
    name: 'diagnosis',
    letters: [
      ...backbone,
      'confirm:criteria',
      'confirm:clinical',
      'exclude',
      'labs:cns',
    ],
  },
  {
    name: 'second line',
    letters: [
      ...backbone,
      'start:anakinra',
      'start:anakinra+rationale',
      'background:anakinra',
      'background:anakinra+rationale',
      'severity:severe',
    ],
  },
  {
    name: 'refractory, four eyes',
    letters: [
      ...backbone,
      'severity:severe',
      'request:emapalumab',
      'approve:other-senior',
      'approve:requester',
      'reject:other-senior',
      'start:emapalumab',
      'start:emapalumab+rationale',
      'emergency:emapalumab',
      'countersign',
      'screen:emapalumab-all',
    ],
  },
  {
    name: 'EBV and rituximab',
    letters: [...backbone, 'trigger:ebv-t-nk', 'start:rituximab', 'screen:hbv'],
  },
  {
    name: 'infection',
    letters: [
      ...backbone,
      'trigger:infection',
      'antimicrobials:start',
      'antimicrobials:stop',
      'decision:infection',
    ],
  },
  {
    name: 'CNS and severity',
    letters: [
      ...backbone,
      'labs:cns',
      'start:dexamethasone',
      'decision:cns',
      'severity:severe',
      'support:ventilation',
      'support:ventilation-stop',
    ],
  },
];

/** The alphabet of a slice, for a state. */
export function sliceAlphabet(
  slice: Slice,
): (snapshot: EpisodeSnapshot) => (EpisodeEvent | readonly EpisodeEvent[])[] {
  const chosen = slice.letters.map((id) => letters[id]);
  return (snapshot) => chosen.map((letter) => letter(snapshot));
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
    profile,
  }));
}
